import { FALSE, TRUE, atom, conjunction, disjunction, not, type Formula } from "./ast.js";
import type { SpecMode } from "./spec.js";

/**
 * A shared table of guard decision diagrams: node 0 is `false`, node 1 is `true`, and every
 * other node n tests atom `variable[n]` and continues at `high[n]` when it holds, `low[n]` when not.
 */
export interface GuardTable {
  readonly variable: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly high: ArrayLike<number>;
}

export interface DfaTransition {
  readonly to: number;
  /** A node of `Dfa.guards`: the letters that take this transition. */
  readonly guard: number;
}

/**
 * Each state's transition function as one decision diagram, as MONA stores it: inner node n tests
 * atom `variable[n]` and continues at `high[n]` when it holds, `low[n]` when not; a negative
 * reference `~t` is the target state t. Sharing one diagram per state keeps a state with
 * thousands of successors compact, and a step costs one walk from the root.
 */
export interface TransitionTable {
  readonly variable: Int32Array;
  readonly low: Int32Array;
  readonly high: Int32Array;
}

/**
 * A complete deterministic automaton over finite traces, as compiled from a spec.
 *
 * - In `propositional` mode a letter is any set of `atoms`; in `events` mode a letter is exactly one
 *   of them, and transitions are read under that assumption.
 * - Traces are non-empty: the empty trace is never accepted, whatever `accepting[initial]` says.
 *   (The initial state's flag matters only when the automaton comes back to it after a step.)
 * - `transitionsOf(state)` lists a state's transitions with explicit guards (nodes of `guards`),
 *   derived from `behaviour` on first use; `transitions` lists every state's, which can be large
 *   (an automaton of 2^n states can have 2^n transitions out of each).
 * - Minimal: the compiler is its only maker, and analysis relies on it (e.g. the states that
 *   cannot reach acceptance are exactly one rejecting sink).
 */
export class Dfa {
  private readonly transitionLists: (DfaTransition[] | undefined)[];
  private readonly guardBuilder = new GuardBuilder();
  private readonly successorSets: (number[] | undefined)[];

  constructor(
    readonly mode: SpecMode,
    readonly atoms: readonly string[],
    readonly initial: number,
    readonly accepting: readonly boolean[],
    /** Root reference in `table` of each state's transition diagram. */
    readonly behaviour: Int32Array,
    readonly table: TransitionTable,
  ) {
    this.successorSets = new Array(accepting.length);
    this.transitionLists = new Array(accepting.length);
  }

  get stateCount(): number {
    return this.accepting.length;
  }

  /** The state reached from `state` on a letter given as a predicate on atom indices. */
  next(state: number, isTrue: (atomIndex: number) => boolean): number {
    const { variable, low, high } = this.table;
    let x = this.behaviour[state]!;
    while (x >= 0) x = isTrue(variable[x]!) ? high[x]! : low[x]!;
    return ~x;
  }

  /** Whether every letter leads from `state` back to itself. */
  isSink(state: number): boolean {
    const root = this.behaviour[state]!;
    return root < 0 && ~root === state;
  }

  /** The distinct states reachable in one step (events mode: by some event), in increasing order. */
  successors(state: number): readonly number[] {
    let set = this.successorSets[state];
    if (set === undefined) {
      set =
        this.mode === "events"
          ? [...new Set(this.atoms.map((_, e) => this.next(state, (i) => i === e)))]
          : diagramLeaves(this.table, this.behaviour[state]!);
      set.sort((a, b) => a - b);
      this.successorSets[state] = set;
    }
    return set;
  }

  /** The transitions out of `state`, one per target, in increasing order of target. */
  transitionsOf(state: number): readonly DfaTransition[] {
    let list = this.transitionLists[state];
    if (list === undefined) {
      list = [];
      if (this.mode === "events") {
        const byTarget = new Map<number, number[]>();
        this.atoms.forEach((_, e) => {
          const to = this.next(state, (i) => i === e);
          byTarget.set(to, [...(byTarget.get(to) ?? []), e]);
        });
        for (const [to, events] of byTarget) list.push({ to, guard: this.guardBuilder.anyOf(events) });
      } else {
        for (const to of this.successors(state)) list.push({ to, guard: this.guardBuilder.select(this.table, this.behaviour[state]!, to) });
      }
      list.sort((a, b) => a.to - b.to);
      this.transitionLists[state] = list;
    }
    return list;
  }

  /** The guard (a node of `guards`) of the letters that lead from `state` to `target`; 0 (false) when none does. */
  guardBetween(state: number, target: number): number {
    if (this.mode === "events") {
      return this.guardBuilder.anyOf(this.atoms.map((_, e) => e).filter((e) => this.next(state, (i) => i === e) === target));
    }
    return this.guardBuilder.select(this.table, this.behaviour[state]!, target);
  }

  /** Every state's transitions (see `transitionsOf`); this can be large. */
  get transitions(): readonly (readonly DfaTransition[])[] {
    return Array.from({ length: this.stateCount }, (_, s) => this.transitionsOf(s));
  }

  /** The guard diagrams that the transitions listed so far refer to. */
  get guards(): GuardTable {
    return this.guardBuilder;
  }
}

/** The distinct targets of a transition diagram. */
function diagramLeaves(table: TransitionTable, root: number): number[] {
  const leaves: number[] = [];
  const seen = new Set<number>();
  const stack = [root];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (x < 0) leaves.push(~x);
    else stack.push(table.high[x]!, table.low[x]!);
  }
  return leaves;
}

/** Hash-consed guard diagrams (0 = false, 1 = true), built from transition diagrams. */
class GuardBuilder implements GuardTable {
  readonly variable: number[] = [-1, -1];
  readonly low: number[] = [0, 1];
  readonly high: number[] = [0, 1];
  private readonly unique = new Map<string, number>();

  node(v: number, lo: number, hi: number): number {
    if (lo === hi) return lo;
    const key = `${v},${lo},${hi}`;
    let id = this.unique.get(key);
    if (id === undefined) {
      id = this.variable.length;
      this.variable.push(v);
      this.low.push(lo);
      this.high.push(hi);
      this.unique.set(key, id);
    }
    return id;
  }

  /** The letters on which the diagram at `root` leads to `target` (children first, without recursion). */
  select(table: TransitionTable, root: number, target: number): number {
    const memo = new Map<number, number>();
    const result = (x: number): number | undefined => (x < 0 ? (~x === target ? 1 : 0) : memo.get(x));
    const stack = [root];
    while (stack.length > 0) {
      const x = stack[stack.length - 1]!;
      if (result(x) !== undefined) {
        stack.pop();
        continue;
      }
      const lo = result(table.low[x]!);
      const hi = result(table.high[x]!);
      if (lo === undefined || hi === undefined) {
        if (hi === undefined) stack.push(table.high[x]!);
        if (lo === undefined) stack.push(table.low[x]!);
        continue;
      }
      memo.set(x, this.node(table.variable[x]!, lo, hi));
      stack.pop();
    }
    return result(root)!;
  }

  /** Events mode: "one of these events" as the disjunction of their variables. */
  anyOf(events: readonly number[]): number {
    let guard = 0;
    for (const e of [...events].sort((a, b) => b - a)) guard = this.node(e, guard, 1);
    return guard;
  }
}

/** Whether a guard holds for a letter given as a predicate on atom indices. */
export function guardHolds(guards: GuardTable, guard: number, isTrue: (atomIndex: number) => boolean): boolean {
  let node = guard;
  while (node > 1) node = isTrue(guards.variable[node]!) ? guards.high[node]! : guards.low[node]!;
  return node === 1;
}

/** The state reached on a letter given as the set of atoms that hold (propositional mode) or the one event (events mode). */
export function stepNames(dfa: Dfa, state: number, letter: ReadonlySet<string>): number {
  for (const name of letter) {
    if (!dfa.atoms.includes(name)) throw new Error(`'${name}' is not one of the automaton's ${dfa.mode === "events" ? "events" : "atoms"} (${dfa.atoms.join(", ")})`);
  }
  if (dfa.mode === "events" && letter.size !== 1) {
    throw new Error(`in events mode a letter is exactly one event, got {${[...letter].join(", ")}}`);
  }
  const holding = dfa.atoms.map((a) => letter.has(a));
  return dfa.next(state, (i) => holding[i]!);
}

/** The state reached on event number `event` (events mode). */
export function stepEvent(dfa: Dfa, state: number, event: number): number {
  return dfa.next(state, (i) => i === event);
}

/** Runs a whole trace of letters (sets of atom names); returns the states visited, starting with the initial one. */
export function run(dfa: Dfa, trace: readonly ReadonlySet<string>[]): number[] {
  const states = [dfa.initial];
  for (const letter of trace) states.push(stepNames(dfa, states[states.length - 1]!, letter));
  return states;
}

/** Whether the DFA accepts a trace (traces are non-empty: the empty one is rejected). */
export function accepts(dfa: Dfa, trace: readonly ReadonlySet<string>[]): boolean {
  if (trace.length === 0) return false;
  const states = run(dfa, trace);
  return dfa.accepting[states[states.length - 1]!]!;
}

/** A guard as a formula in our syntax: a disjunction of the diagram's paths to `true`, cubes merged where one literal differs. */
export function guardToFormula(dfa: Pick<Dfa, "guards" | "atoms" | "mode">, guard: number): Formula {
  const { guards, atoms, mode } = dfa;
  if (mode === "events") {
    const events = atoms.map((_, i) => i).filter((i) => guardHolds(guards, guard, (j) => j === i));
    if (events.length === atoms.length) return TRUE;
    return disjunction(events.map((i) => atom(atoms[i]!)));
  }
  return formulaOfCubes(pathsToTrue(guards, guard).map((cube) => [...cube]), atoms);
}

/**
 * A disjunction of cubes (each a list of atom literals) as a formula in our syntax, cubes merged
 * where one literal differs (only for up to a few hundred cubes: merging is quadratic).
 */
export function formulaOfCubes(input: readonly (readonly (readonly [number, boolean])[])[], atoms: readonly string[]): Formula {
  const cubes = mergeCubes(input.map((cube) => new Map(cube)));
  if (cubes.length === 0) return FALSE;
  return disjunction(
    cubes.map((cube) =>
      conjunction([...cube.entries()].sort(([a], [b]) => a - b).map(([v, value]) => (value ? atom(atoms[v]!) : not(atom(atoms[v]!))))),
    ),
  );
}

type Cube = Map<number, boolean>;

function pathsToTrue(guards: GuardTable, root: number): Cube[] {
  const cubes: Cube[] = [];
  const stack: [number, Cube][] = [[root, new Map()]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (node === 0) continue;
    if (node === 1) {
      cubes.push(path);
      continue;
    }
    const v = guards.variable[node]!;
    stack.push([guards.high[node]!, new Map(path).set(v, true)], [guards.low[node]!, new Map(path).set(v, false)]);
  }
  return cubes;
}

/** Guards with more cubes than this are printed as they are: merging is quadratic in their number. */
const MAX_MERGED_CUBES = 256;

/** Merges cubes that differ in exactly one literal (x & c | !x & c = c) until none do. */
function mergeCubes(input: Cube[]): Cube[] {
  let cubes = input;
  for (let changed = cubes.length <= MAX_MERGED_CUBES; changed; ) {
    changed = false;
    outer: for (let i = 0; i < cubes.length; i++) {
      for (let j = i + 1; j < cubes.length; j++) {
        const merged = mergePair(cubes[i]!, cubes[j]!);
        if (merged !== undefined) {
          cubes = cubes.filter((_, k) => k !== i && k !== j);
          cubes.push(merged);
          changed = true;
          break outer;
        }
      }
    }
  }
  return cubes.sort((a, b) => cubeKey(a).localeCompare(cubeKey(b)));
}

function mergePair(a: Cube, b: Cube): Cube | undefined {
  if (a.size !== b.size) return undefined;
  let differing: number | undefined;
  for (const [v, value] of a) {
    const other = b.get(v);
    if (other === undefined) return undefined;
    if (other !== value) {
      if (differing !== undefined) return undefined;
      differing = v;
    }
  }
  if (differing === undefined) return a;
  const merged = new Map(a);
  merged.delete(differing);
  return merged;
}

function cubeKey(c: Cube): string {
  return [...c.entries()].sort(([x], [y]) => x - y).map(([v, value]) => `${value ? "" : "!"}${v}`).join(",");
}
