import { FALSE, TRUE, atom, conjunction, disjunction, not, type Formula } from "./ast.js";
import type { SpecMode } from "./spec.js";

/**
 * A shared table of guard decision diagrams: node 0 is `false`, node 1 is `true`, and every
 * other node n tests atom `variable[n]` and continues at `high[n]` when it holds, `low[n]` when not.
 */
export interface GuardTable {
  readonly variable: Int32Array;
  readonly low: Int32Array;
  readonly high: Int32Array;
}

export interface DfaTransition {
  readonly to: number;
  /** A node of `Dfa.guards`: the letters that take this transition. */
  readonly guard: number;
}

/**
 * A complete deterministic automaton over finite traces, as compiled from a spec.
 *
 * - In `propositional` mode a letter is any set of `atoms`; in `events` mode a letter is exactly one
 *   of them, and guards are read under that assumption.
 * - Each state's transition guards are pairwise disjoint and together cover every letter.
 * - Traces are non-empty: the empty trace is never accepted, whatever `accepting[initial]` says.
 *   (The initial state's flag matters only when the automaton comes back to it after a step.)
 */
export interface Dfa {
  readonly mode: SpecMode;
  readonly atoms: readonly string[];
  readonly stateCount: number;
  readonly initial: number;
  readonly accepting: readonly boolean[];
  readonly transitions: readonly (readonly DfaTransition[])[];
  readonly guards: GuardTable;
}

/** Whether a guard holds for a letter given as a predicate on atom indices. */
export function guardHolds(guards: GuardTable, guard: number, isTrue: (atomIndex: number) => boolean): boolean {
  let node = guard;
  while (node > 1) node = isTrue(guards.variable[node]!) ? guards.high[node]! : guards.low[node]!;
  return node === 1;
}

/** The state reached from `state` on a letter (a predicate on atom indices). */
export function step(dfa: Dfa, state: number, isTrue: (atomIndex: number) => boolean): number {
  for (const t of dfa.transitions[state]!) if (guardHolds(dfa.guards, t.guard, isTrue)) return t.to;
  throw new Error(`the automaton is not complete at state ${state}`);
}

/** The state reached on a letter given as the set of atoms that hold (propositional mode) or the one event (events mode). */
export function stepNames(dfa: Dfa, state: number, letter: ReadonlySet<string>): number {
  const holding = dfa.atoms.map((a) => letter.has(a));
  return step(dfa, state, (i) => holding[i]!);
}

/** The state reached on event number `event` (events mode). */
export function stepEvent(dfa: Dfa, state: number, event: number): number {
  return step(dfa, state, (i) => i === event);
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
  const cubes = mergeCubes(pathsToTrue(guards, guard));
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
  const walk = (node: number, path: Cube): void => {
    if (node === 0) return;
    if (node === 1) {
      cubes.push(new Map(path));
      return;
    }
    const v = guards.variable[node]!;
    path.set(v, false);
    walk(guards.low[node]!, path);
    path.set(v, true);
    walk(guards.high[node]!, path);
    path.delete(v);
  };
  walk(root, new Map());
  return cubes;
}

/** Merges cubes that differ in exactly one literal (x & c | !x & c = c) until none do. */
function mergeCubes(input: Cube[]): Cube[] {
  let cubes = input;
  for (let changed = true; changed; ) {
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
