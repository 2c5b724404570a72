/**
 * The checks of tests/support/equivalence.ts (`findDisagreement`, `expectedMonaStateCount`) for
 * propositional automata with too many atoms to enumerate letters (2^atoms of them): the same
 * breadth-first search of the product from (our initial state, MONA's state 1), but each pair's
 * successors come from walking both transition diagrams together, memoized on node pairs, so the
 * cost follows the diagrams' sizes rather than the alphabet's.
 *
 * This needs both diagrams ordered the same way: ours test atoms in increasing index order (see
 * src/ltl/mtbdd.ts), and MONA's test its variables in increasing order, which is atom order when
 * MONA lists the variables A0, A1, ... in that order (checked; an error otherwise).
 */
import { reachableAfterOneStep } from "../../src/ltl/analysis.js";
import type { Dfa } from "../../src/ltl/dfa.js";
import { monaStartState, type MonaDfa, type MonaStatus } from "../../src/ltl/mona.js";

export interface SymbolicCounterexample {
  /** A shortest trace on which the automata disagree, each step the atoms that hold (unconstrained atoms false). */
  readonly trace: readonly (readonly string[])[];
  readonly oursAccepts: boolean;
  readonly monaStatus: MonaStatus;
}

/** Atom index of each MONA variable, which must be increasing (see above). */
function monaAtomOrder(ours: Dfa, mona: MonaDfa): Int32Array {
  const atomOf = Int32Array.from(mona.variables, (name) => {
    const match = /^A(\d+)$/.exec(name);
    const i = match === null ? -1 : Number(match[1]);
    if (i < 0 || i >= ours.atoms.length) throw new Error(`MONA variable '${name}' names none of the ${ours.atoms.length} atoms`);
    return i;
  });
  for (let v = 1; v < atomOf.length; v++) {
    if (atomOf[v]! <= atomOf[v - 1]!) throw new Error("symbolic check: MONA's variables are not in atom order");
  }
  return atomOf;
}

function checkOursOrdered(ours: Dfa): void {
  const { variable, low, high } = ours.table;
  for (let x = 0; x < variable.length; x++) {
    for (const child of [low[x]!, high[x]!]) {
      if (child >= 0 && variable[child]! <= variable[x]!) throw new Error("symbolic check: our transition diagram is not ordered by atom index");
    }
  }
}

export function findDisagreementSymbolic(ours: Dfa, mona: MonaDfa): SymbolicCounterexample | undefined {
  if (ours.mode !== "propositional") throw new Error("symbolic check: propositional mode only (events mode has few letters anyway)");
  checkOursOrdered(ours);
  const atomOf = monaAtomOrder(ours, mona);
  const { variable, low, high } = ours.table;
  const NONE = 0x7fffffff;
  const atomAt = (x: number): number => (x >= 0 ? variable[x]! : NONE);
  const monaAtomAt = (node: number): number => (mona.bddVariable[node] === -1 ? NONE : atomOf[mona.bddVariable[node]!]!);

  /** The distinct (our target, MONA target) pairs from (s, m), each with one letter (a cube) leading there. */
  const successors = (s: number, m: number): Map<number, Int8Array> => {
    const found = new Map<number, Int8Array>();
    const seen = new Set<number>();
    const cube = new Int8Array(ours.atoms.length).fill(-1);
    const walk = (x: number, node: number): void => {
      const key = (x + ours.stateCount) * mona.bddVariable.length + node; // x >= ~(stateCount - 1) (a leaf)
      if (seen.has(key)) return;
      seen.add(key);
      const a = Math.min(atomAt(x), monaAtomAt(node));
      if (a === NONE) {
        const k = ~x * mona.stateCount + mona.bddLow[node]!;
        if (!found.has(k)) found.set(k, cube.slice());
        return;
      }
      for (const value of [0, 1]) {
        cube[a] = value;
        const x2 = atomAt(x) === a ? (value === 1 ? high[x]! : low[x]!) : x;
        const node2 = monaAtomAt(node) === a ? (value === 1 ? mona.bddHigh[node]! : mona.bddLow[node]!) : node;
        walk(x2, node2);
      }
      cube[a] = -1;
    };
    walk(ours.behaviour[s]!, mona.behaviour[m]!);
    return found;
  };

  const start = monaStartState(mona);
  const startKey = ours.initial * mona.stateCount + start;
  const parent = new Map<number, { from: number; letter: Int8Array }>();
  const traceTo = (k: number): Int8Array[] => {
    const trace: Int8Array[] = [];
    for (let at = k; at !== startKey; ) {
      const p = parent.get(at)!;
      trace.push(p.letter);
      at = p.from;
    }
    return trace.reverse();
  };
  const named = (letter: Int8Array): string[] => ours.atoms.filter((_, i) => letter[i] === 1);
  const queue: number[] = [startKey];
  for (let head = 0; head < queue.length; head++) {
    const from = queue[head]!;
    for (const [k, letter] of successors(Math.floor(from / mona.stateCount), from % mona.stateCount)) {
      if (parent.has(k)) continue;
      const oursAccepts = ours.accepting[Math.floor(k / mona.stateCount)]!;
      const monaStatus = mona.final[k % mona.stateCount]!;
      if (monaStatus === 0 || oursAccepts !== (monaStatus === 1)) return { trace: [...traceTo(from), letter].map(named), oursAccepts, monaStatus };
      parent.set(k, { from, letter });
      if (k !== startKey) queue.push(k);
    }
  }
  return undefined;
}

/** `expectedMonaStateCount` for propositional mode, without enumerating letters (no sink state to count there). */
export function expectedMonaStateCountSymbolic(dfa: Dfa, emptyWord: MonaStatus): number {
  if (dfa.mode !== "propositional") throw new Error("symbolic check: propositional mode only");
  const reachable = new Set(reachableAfterOneStep(dfa));
  const emptyWordMerged = emptyWord !== 0 && reachable.has(dfa.initial) && dfa.accepting[dfa.initial] === (emptyWord === 1);
  return 1 + (emptyWordMerged ? 0 : 1) + reachable.size;
}
