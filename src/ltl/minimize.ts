import type { Dfa, GuardTable } from "./dfa.js";
import type { BooleanOps, Mtbdd } from "./mtbdd.js";
import type { SpecMode } from "./spec.js";

/** A DFA whose guards are 0/1 diagrams in a decision-diagram store (the compiler's working form). */
export interface SymbolicDfa {
  readonly store: Mtbdd;
  readonly bool: BooleanOps;
  readonly mode: SpecMode;
  readonly atoms: readonly string[];
  readonly initial: number;
  readonly accepting: readonly boolean[];
  readonly transitions: readonly (readonly { to: number; guard: number }[])[];
}

/**
 * Minimizes by partition refinement (Moore): states are split until two states in one block
 * reach the same blocks under the same guards. Guards are canonical diagrams, so "the same
 * guard" is integer equality after merging the guards that lead into one block.
 *
 * The initial state must not be the target of any transition. Since traces are non-empty, its
 * acceptance is free: both choices are minimized and the smaller automaton wins (on a tie, the one
 * whose initial state rejects). A valid formula thus yields the one-state accepting automaton.
 */
export function minimize(dfa: SymbolicDfa): Dfa {
  const rejecting = refine(dfa, false);
  const accepting = refine(dfa, true);
  const chosen = accepting.count < rejecting.count ? accepting : rejecting;
  return build(dfa, chosen.block, chosen.initialAccepts);
}

interface Partition {
  readonly block: Int32Array;
  readonly count: number;
  readonly initialAccepts: boolean;
}

function refine(dfa: SymbolicDfa, initialAccepts: boolean): Partition {
  const n = dfa.accepting.length;
  let block = new Int32Array(n);
  const accepts = (s: number): boolean => (s === dfa.initial ? initialAccepts : dfa.accepting[s]!);
  let count = 0;
  {
    const ids = new Map<boolean, number>();
    for (let s = 0; s < n; s++) {
      const key = accepts(s);
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = count++));
      block[s] = id;
    }
  }
  for (;;) {
    const next = new Int32Array(n);
    const ids = new Map<string, number>();
    for (let s = 0; s < n; s++) {
      const signature = `${block[s]}:${mergedByBlock(dfa, s, block).map(([b, g]) => `${b}/${g}`).join(",")}`;
      let id = ids.get(signature);
      if (id === undefined) ids.set(signature, (id = ids.size));
      next[s] = id;
    }
    const nextCount = ids.size;
    block = next;
    if (nextCount === count) break;
    count = nextCount;
  }
  return { block, count, initialAccepts };
}

/** The state's transitions with guards into the same block merged, sorted by block. */
function mergedByBlock(dfa: SymbolicDfa, state: number, block: Int32Array): [number, number][] {
  const guards = new Map<number, number>();
  for (const t of dfa.transitions[state]!) {
    const b = block[t.to]!;
    const previous = guards.get(b);
    guards.set(b, previous === undefined ? t.guard : dfa.bool.or(previous, t.guard));
  }
  return [...guards].sort(([a], [b]) => a - b);
}

/** Builds the quotient automaton, numbering states in breadth-first order from the initial one. */
function build(dfa: SymbolicDfa, block: Int32Array, initialAccepts: boolean): Dfa {
  const representative = new Map<number, number>();
  for (let s = block.length - 1; s >= 0; s--) representative.set(block[s]!, s);
  const number = new Map<number, number>([[block[dfa.initial]!, 0]]);
  const order = [block[dfa.initial]!];
  const rawTransitions: [number, number][][] = [];
  for (let i = 0; i < order.length; i++) {
    const merged = mergedByBlock(dfa, representative.get(order[i]!)!, block);
    for (const [b] of merged) {
      if (!number.has(b)) {
        number.set(b, order.length);
        order.push(b);
      }
    }
    rawTransitions.push(merged);
  }
  // A block's acceptance comes from its non-initial members (refinement kept them in agreement);
  // a block holding only the initial state takes the chosen free acceptance.
  const blockAccepts = new Map<number, boolean>();
  for (let s = 0; s < block.length; s++) if (s !== dfa.initial) blockAccepts.set(block[s]!, dfa.accepting[s]!);
  const acceptsBlock = (b: number): boolean => blockAccepts.get(b) ?? initialAccepts;
  // The dead state (if any) takes the last number, so live states read 0, 1, 2, ... in the pictures.
  const live = order.map((b) => acceptsBlock(b));
  for (let changed = true; changed; ) {
    changed = false;
    rawTransitions.forEach((merged, i) => {
      if (!live[i] && merged.some(([b]) => live[number.get(b)!])) live[i] = changed = true;
    });
  }
  const renumber = [...order.keys()].sort((x, y) => Number(live[y]) - Number(live[x]) || x - y);
  const position = new Map(renumber.map((old, i) => [old, i]));
  const table = new GuardTableBuilder(dfa.store);
  const transitions = renumber.map((old) =>
    rawTransitions[old]!.map(([b, guard]) => ({ to: position.get(number.get(b)!)!, guard: table.copy(guard) })).sort((x, y) => x.to - y.to),
  );
  const accepting = renumber.map((old) => acceptsBlock(order[old]!));
  return {
    mode: dfa.mode,
    atoms: [...dfa.atoms],
    stateCount: order.length,
    initial: position.get(0)!,
    accepting,
    transitions,
    guards: table.finish(),
  };
}

/** Copies guard diagrams out of the compiler's store into a compact table (0 = false, 1 = true). */
class GuardTableBuilder {
  private readonly variable: number[] = [-1, -1];
  private readonly low: number[] = [0, 1];
  private readonly high: number[] = [0, 1];
  private readonly copied = new Map<number, number>();

  constructor(private readonly store: Mtbdd) {}

  copy(node: number): number {
    const cached = this.copied.get(node);
    if (cached !== undefined) return cached;
    let id: number;
    if (this.store.isLeaf(node)) id = this.store.value(node) === 0 ? 0 : 1;
    else {
      const lo = this.copy(this.store.low(node));
      const hi = this.copy(this.store.high(node));
      id = this.variable.length;
      this.variable.push(this.store.varOf(node));
      this.low.push(lo);
      this.high.push(hi);
    }
    this.copied.set(node, id);
    return id;
  }

  finish(): GuardTable {
    return { variable: Int32Array.from(this.variable), low: Int32Array.from(this.low), high: Int32Array.from(this.high) };
  }
}
