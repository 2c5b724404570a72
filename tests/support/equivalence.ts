import type { Dfa } from "../../src/ltl/dfa.js";
import { monaStartState, monaStep, type MonaDfa, type MonaStatus } from "../../src/ltl/mona.js";

/**
 * Compares the compiler's automata with MONA's for the same formula (see src/ltl/mona.ts).
 *
 * Letters are numbers: in propositional mode a bit mask over the atoms, in events mode the index
 * of the one event. Enumerating them is fine for the handful of atoms random tests use.
 */

const MAX_ATOMS = 16;

/** The letters of our automaton's alphabet. */
export function letters(dfa: Dfa): number[] {
  if (dfa.atoms.length > MAX_ATOMS) throw new Error(`equivalence checks enumerate letters: ${dfa.atoms.length} atoms is too many`);
  const count = dfa.mode === "events" ? dfa.atoms.length : 2 ** dfa.atoms.length;
  return Array.from({ length: count }, (_, i) => i);
}

function ourLetter(dfa: Dfa, letter: number): (atom: number) => boolean {
  return dfa.mode === "events" ? (i) => i === letter : (i) => (letter & (1 << i)) !== 0;
}

/** Writes a letter as `{a, b}` (propositional) or `a` (events). */
export function letterToString(dfa: Dfa, letter: number): string {
  if (dfa.mode === "events") return dfa.atoms[letter]!;
  return `{${dfa.atoms.filter((_, i) => (letter & (1 << i)) !== 0).join(", ")}}`;
}

export function traceToString(dfa: Dfa, trace: readonly number[]): string {
  return trace.map((l) => letterToString(dfa, l)).join("; ");
}

/**
 * Which atom each MONA variable stands for (variable `A<i>` is atom i, as `toMonaProgram` names
 * them): MONA's diagrams index its own `variables` list, whose order we do not rely on.
 */
function monaAtoms(ours: Dfa, mona: MonaDfa): number[] {
  return mona.variables.map((name) => {
    const match = /^A(\d+)$/.exec(name);
    const i = match === null ? -1 : Number(match[1]);
    if (i < 0 || i >= ours.atoms.length) throw new Error(`MONA variable '${name}' names none of the ${ours.atoms.length} atoms`);
    return i;
  });
}

function monaLetter(ours: Dfa, atomOf: readonly number[], letter: number): (varIndex: number) => boolean {
  const holds = ourLetter(ours, letter);
  return (v) => holds(atomOf[v]!);
}

export interface Counterexample {
  /** The shortest trace (as letters, see `letters`) on which the two automata disagree. */
  readonly trace: readonly number[];
  readonly oursAccepts: boolean;
  /** MONA's verdict; 0 ("don't care") is a disagreement too, since a non-empty trace always has a verdict. */
  readonly monaStatus: MonaStatus;
}

/**
 * Breadth-first search of the product of our automaton and MONA's from (our initial state, MONA's
 * state 1), so a counterexample is a shortest one. Only pairs reached by at least one letter are
 * compared: the empty trace is not a trace (our initial flag is free, MONA's is "don't care").
 */
export function findDisagreement(ours: Dfa, mona: MonaDfa): Counterexample | undefined {
  const atomOf = monaAtoms(ours, mona);
  const alphabet = letters(ours);
  const start = monaStartState(mona);
  const key = (s: number, m: number): number => s * mona.stateCount + m;
  const startKey = key(ours.initial, start);
  // Pairs already compared, with the letter that first reached them (a breadth-first tree rooted
  // at the start pair, which itself is compared only if a letter leads back to it).
  const parent = new Map<number, { from: number; letter: number }>();
  const traceTo = (k: number): number[] => {
    const trace: number[] = [];
    for (let at = k; at !== startKey; ) {
      const p = parent.get(at)!;
      trace.push(p.letter);
      at = p.from;
    }
    return trace.reverse();
  };
  const queue: [number, number][] = [[ours.initial, start]];
  for (let head = 0; head < queue.length; head++) {
    const [s, m] = queue[head]!;
    const from = key(s, m);
    for (const letter of alphabet) {
      const s2 = ours.next(s, ourLetter(ours, letter));
      const m2 = monaStep(mona, m, monaLetter(ours, atomOf, letter));
      const k = key(s2, m2);
      if (parent.has(k)) continue;
      const oursAccepts = ours.accepting[s2]!;
      const monaStatus = mona.final[m2]!;
      if (monaStatus === 0 || oursAccepts !== (monaStatus === 1)) return { trace: [...traceTo(from), letter], oursAccepts, monaStatus };
      parent.set(k, { from, letter });
      if (k !== startKey) queue.push([s2, m2]);
    }
  }
  return undefined;
}

/** Our states reachable from the initial state by one or more letters. */
export function reachableAfterOneStep(dfa: Dfa): Set<number> {
  const alphabet = letters(dfa);
  const seen = new Set<number>();
  const queue: number[] = [];
  const visit = (from: number): void => {
    for (const letter of alphabet) {
      const to = dfa.next(from, ourLetter(dfa, letter));
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  };
  visit(dfa.initial);
  for (let head = 0; head < queue.length; head++) visit(queue[head]!);
  return seen;
}

/** Whether some state in `states` accepts no trace at all from there (a rejecting sink, in a minimal automaton). */
function hasDeadState(dfa: Dfa, states: ReadonlySet<number>): boolean {
  const alphabet = letters(dfa);
  // Backwards closure from the accepting states: a state is live when it reaches one of them.
  const predecessors = new Map<number, number[]>();
  for (const s of states) {
    for (const letter of alphabet) {
      const to = dfa.next(s, ourLetter(dfa, letter));
      predecessors.set(to, [...(predecessors.get(to) ?? []), s]);
    }
  }
  const live = new Set<number>([...states].filter((s) => dfa.accepting[s]));
  const queue = [...live];
  for (let head = 0; head < queue.length; head++) {
    for (const p of predecessors.get(queue[head]!) ?? []) {
      if (!live.has(p)) {
        live.add(p);
        queue.push(p);
      }
    }
  }
  return [...states].some((s) => !live.has(s));
}

/**
 * How many states MONA's minimal automaton must have if ours is minimal too; `emptyWord` is the
 * status MONA gives its state 1 (the empty word).
 *
 * Both automata are minimal for the same language of non-empty words, so the states reached by
 * one or more letters are in one-to-one correspondence (they are the Myhill–Nerode classes of
 * non-empty words). Our initial state is counted only if a letter leads back to it (minimization
 * may merge it into such a class, its own acceptance being free). MONA keeps the dummy state 0
 * apart, and normally state 1 too: the empty word is "don't care" in M2L-Str, a status no other
 * state has, so no letter leads back to it. Hence, propositional mode:
 *
 *   (MONA states - 1) === (our states reachable by one or more letters) + 1
 *
 * MONA's "don't care" comes from the first-order variables, and when its simplifier folds the
 * whole program to a constant (`false`, say) none are left: state 1 then has an ordinary status
 * and merges with the class of non-empty words that has the same status and the same future, if
 * any. Such a class exists exactly when our initial state is itself reached by a letter (our
 * minimization merges the initial state whenever some class has its future) with that status.
 *
 * In events mode MONA's alphabet is still all 2^k variable assignments, and a non-event letter
 * leads to a rejecting sink. Our automaton only reads events, so that sink is one of our states
 * only when our automaton has a dead state (one from which nothing is accepted, which every
 * event-word extension of a dead prefix also reaches); otherwise MONA has one more state.
 */
export function expectedMonaStateCount(dfa: Dfa, emptyWord: MonaStatus): number {
  const reachable = reachableAfterOneStep(dfa);
  const sink = dfa.mode === "events" && !hasDeadState(dfa, reachable) ? 1 : 0;
  const emptyWordMerged = emptyWord !== 0 && reachable.has(dfa.initial) && dfa.accepting[dfa.initial] === (emptyWord === 1);
  return 1 + (emptyWordMerged ? 0 : 1) + reachable.size + sink;
}

/**
 * How many of our states reached by one or more letters are redundant: their number minus the
 * number of Myhill–Nerode classes among them, by Moore refinement over explicit letters (not over
 * guard identities, as the compiler's minimization does). Zero for a minimal automaton; this tells
 * which side to blame when the state counts disagree.
 */
export function redundantStates(dfa: Dfa): number {
  const alphabet = letters(dfa);
  const successors = Array.from({ length: dfa.stateCount }, (_, s) => alphabet.map((letter) => dfa.next(s, ourLetter(dfa, letter))));
  let block: number[] = dfa.accepting.map((a) => (a ? 1 : 0));
  let count = new Set(block).size;
  for (;;) {
    const ids = new Map<string, number>();
    const next = block.map((b, s) => {
      const signature = `${b}:${successors[s]!.map((t) => block[t]).join(",")}`;
      let id = ids.get(signature);
      if (id === undefined) ids.set(signature, (id = ids.size));
      return id;
    });
    block = next;
    if (ids.size === count) break;
    count = ids.size;
  }
  const reachable = reachableAfterOneStep(dfa);
  return reachable.size - new Set([...reachable].map((s) => block[s])).size;
}
