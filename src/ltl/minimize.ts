import { Dfa } from "./dfa.js";
import type { Mtbdd } from "./mtbdd.js";
import type { SpecMode } from "./spec.js";

/**
 * The compiler's working automaton: each state's transition function is a diagram in `store`
 * whose leaf values `stateOf` maps to target states.
 */
export interface SymbolicDfa {
  readonly store: Mtbdd;
  readonly mode: SpecMode;
  readonly atoms: readonly string[];
  readonly initial: number;
  readonly accepting: readonly boolean[];
  readonly behaviour: readonly number[];
  /** Each state's distinct successor states. */
  readonly targets: readonly Int32Array[];
  readonly stateOf: (leafValue: number) => number;
}

/**
 * Minimizes by partition refinement: a state's signature is its transition diagram with every
 * target replaced by the target's block. Diagrams are hash-consed, so equal signatures are equal
 * integers, and guards never need to be enumerated.
 *
 * The initial state must not be the target of any transition. Since traces are non-empty, its
 * acceptance is free. Nothing leads back to it, so the other states' partition does not depend on
 * that choice: they are refined once with the initial state set apart, which then joins a block
 * with its signature if one exists — a rejecting one if possible, else an accepting one (that
 * choice is what makes a valid formula the one-state accepting automaton).
 */
export function minimize(dfa: SymbolicDfa, deadline?: { check(): void }): Dfa {
  const { block, signature } = refine(dfa, deadline);
  const initial = dfa.initial;
  let initialAccepts = false;
  let twin: number | undefined;
  for (const wanted of [false, true]) {
    twin = block.findIndex((_, s) => s !== initial && signature[s] === signature[initial] && dfa.accepting[s] === wanted);
    if (twin >= 0) {
      initialAccepts = wanted;
      break;
    }
  }
  if (twin !== undefined && twin >= 0) block[initial] = block[twin]!;
  return build(dfa, block, initialAccepts);
}

interface Partition {
  readonly block: Int32Array;
  /** Each state's last signature, valid for the final blocks. */
  readonly signature: Int32Array;
}

/**
 * Worklist refinement: only states whose targets changed block since their signature was taken
 * are signed again, and a block splits by the signatures of its members. On chain-like automata
 * (counters) this avoids re-signing every state in every round.
 */
function refine(dfa: SymbolicDfa, deadline: { check(): void } | undefined): Partition {
  const n = dfa.accepting.length;
  const { store } = dfa;
  // Blocks 0 and 1: rejecting and accepting states; block 2: the initial state alone.
  const block = Int32Array.from(dfa.accepting, (a, s) => (s === dfa.initial ? 2 : a ? 1 : 0));
  const predecessors: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) for (const t of dfa.targets[s]!) predecessors[t]!.push(s);
  const signature = new Int32Array(n).fill(-1);
  const members = new Map<number, number[]>();
  for (let s = 0; s < n; s++) {
    const list = members.get(block[s]!);
    if (list === undefined) members.set(block[s]!, [s]);
    else list.push(s);
  }
  let count = 3; // next fresh block id (0, 1 and 2 are taken from the start, even if empty)
  let dirty = new Set<number>(Array.from({ length: n }, (_, s) => s));
  while (dirty.size > 0) {
    deadline?.check();
    const touchedBlocks = new Set<number>();
    const signing = [...dirty];
    const signatures = store.mapLeavesOfAll(
      signing.map((s) => dfa.behaviour[s]!),
      (v) => block[dfa.stateOf(v)]!,
    );
    signing.forEach((s, i) => {
      signature[s] = signatures[i]!;
      touchedBlocks.add(block[s]!);
    });
    dirty = new Set();
    for (const b of touchedBlocks) {
      const groups = new Map<number, number[]>();
      for (const s of members.get(b)!) {
        const group = groups.get(signature[s]!);
        if (group === undefined) groups.set(signature[s]!, [s]);
        else group.push(s);
      }
      if (groups.size === 1) continue;
      let first = true;
      for (const group of groups.values()) {
        if (first) {
          members.set(b, group);
          first = false;
          continue;
        }
        const id = count++;
        members.set(id, group);
        for (const s of group) {
          block[s] = id;
          for (const p of predecessors[s]!) dirty.add(p);
        }
      }
    }
  }
  return { block, signature };
}

/**
 * Builds the quotient automaton. States are numbered breadth-first from the initial one, except
 * that the dead state (if any) takes the last number, so live states read 0, 1, 2, ... in pictures.
 */
function build(dfa: SymbolicDfa, block: Int32Array, initialAccepts: boolean): Dfa {
  const { store } = dfa;
  const representative = new Map<number, number>();
  for (let s = block.length - 1; s >= 0; s--) representative.set(block[s]!, s);
  // A block's acceptance comes from its non-initial members (refinement kept them in agreement);
  // a block holding only the initial state takes the chosen free acceptance.
  const blockAccepts = new Map<number, boolean>();
  for (let s = 0; s < block.length; s++) if (s !== dfa.initial) blockAccepts.set(block[s]!, dfa.accepting[s]!);
  const acceptsBlock = (b: number): boolean => blockAccepts.get(b) ?? initialAccepts;

  const order = [block[dfa.initial]!];
  let blockCount = 0;
  for (const b of block) blockCount = Math.max(blockCount, b + 1);
  const index = new Int32Array(blockCount).fill(-1);
  index[order[0]!] = 0;
  const seenAt = new Int32Array(blockCount).fill(-1);
  const successors: number[][] = [];
  for (let i = 0; i < order.length; i++) {
    const next: number[] = [];
    for (const t of dfa.targets[representative.get(order[i]!)!]!) {
      const b = block[t]!;
      if (index[b] === -1) {
        index[b] = order.length;
        order.push(b);
      }
      if (seenAt[b] !== i) {
        seenAt[b] = i;
        next.push(index[b]!);
      }
    }
    successors.push(next);
  }

  // Live states: backward search from the accepting ones.
  const predecessors: number[][] = order.map(() => []);
  successors.forEach((targets, i) => targets.forEach((t) => predecessors[t]!.push(i)));
  const live = order.map(acceptsBlock);
  const queue = live.flatMap((isLive, i) => (isLive ? [i] : []));
  for (let head = 0; head < queue.length; head++) {
    for (const p of predecessors[queue[head]!]!) {
      if (!live[p]) {
        live[p] = true;
        queue.push(p);
      }
    }
  }
  const renumbered = [...order.keys()].sort((x, y) => Number(live[y]) - Number(live[x]) || x - y);
  const position = new Int32Array(order.length);
  renumbered.forEach((old, i) => (position[old] = i));

  const table = new TableBuilder(store);
  const diagrams = store.mapLeavesOfAll(
    renumbered.map((old) => dfa.behaviour[representative.get(order[old]!)!]!),
    (v) => position[index[block[dfa.stateOf(v)]!]!]!,
  );
  const behaviour = Int32Array.from(diagrams, (diagram) => table.copy(diagram));
  return new Dfa(
    dfa.mode,
    [...dfa.atoms],
    position[0]!,
    renumbered.map((old) => acceptsBlock(order[old]!)),
    behaviour,
    table.finish(),
  );
}

/** Copies diagrams out of the compiler's store into a compact table; leaves become `~target`. */
class TableBuilder {
  private readonly variable: number[] = [];
  private readonly low: number[] = [];
  private readonly high: number[] = [];
  private readonly copied = new Map<number, number>();

  constructor(private readonly store: Mtbdd) {}

  copy(node: number): number {
    if (this.store.isLeaf(node)) return ~this.store.value(node);
    const cached = this.copied.get(node);
    if (cached !== undefined) return cached;
    const lo = this.copy(this.store.low(node));
    const hi = this.copy(this.store.high(node));
    const id = this.variable.length;
    this.variable.push(this.store.varOf(node));
    this.low.push(lo);
    this.high.push(hi);
    this.copied.set(node, id);
    return id;
  }

  finish() {
    return { variable: Int32Array.from(this.variable), low: Int32Array.from(this.low), high: Int32Array.from(this.high) };
  }
}
