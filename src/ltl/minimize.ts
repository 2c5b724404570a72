import type { CompileProgress } from "./limits.js";
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
export function minimize(dfa: SymbolicDfa, deadline?: { check(): void }, onProgress?: (progress: CompileProgress) => void): Dfa {
  const watch: Watch = {
    check: () => deadline?.check(),
    report: (round, blocks) => onProgress?.({ phase: "minimize", round, blocks, states: dfa.accepting.length }),
  };
  const { block, signature } = refine(dfa, watch);
  const initial = dfa.initial;
  const twinOf = (accepting: boolean): number =>
    block.findIndex((_, s) => s !== initial && signature[s] === signature[initial] && dfa.accepting[s] === accepting);
  let twin = twinOf(false);
  let initialAccepts = false;
  if (twin < 0) {
    twin = twinOf(true);
    initialAccepts = twin >= 0;
  }
  if (twin >= 0) block[initial] = block[twin]!;
  return build(dfa, block, initialAccepts);
}

interface Partition {
  readonly block: Int32Array;
  /** Each state's last signature, valid for the final blocks. */
  readonly signature: Int32Array;
}

/** Moore rounds tried before switching to the worklist (long chains need many rounds). */
const MOORE_ROUNDS = 8;

/**
 * Partition refinement in two phases. First Moore rounds: every state is signed in one shared
 * walk over all transition diagrams, which costs the number of shared diagram nodes, not the
 * number of transitions — automata whose states have thousands of successors each converge in a
 * few such rounds. If that has not converged after a few rounds (chain-like automata such as
 * counters need about as many rounds as states), a worklist takes over: only the predecessors of
 * states that changed block are signed again.
 */
interface Watch {
  check(): void;
  report(round: number, blocks: number): void;
}

function refine(dfa: SymbolicDfa, watch: Watch): Partition {
  const n = dfa.accepting.length;
  const { store } = dfa;
  const sign = (states: readonly number[], block: Int32Array): number[] =>
    store.mapLeavesOfAll(
      states.map((s) => dfa.behaviour[s]!),
      (v) => block[dfa.stateOf(v)]!,
    );
  const all = Array.from({ length: n }, (_, s) => s);
  // Blocks 0 and 1: rejecting and accepting states; block 2: the initial state alone.
  let block = Int32Array.from(dfa.accepting, (a, s) => (s === dfa.initial ? 2 : a ? 1 : 0));
  let count = new Set(block).size;
  for (let round = 0; round < MOORE_ROUNDS; round++) {
    watch.report(round + 1, count);
    watch.check();
    const signatures = sign(all, block);
    const ids = new Map<number, number>();
    const next = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      const key = block[s]! * 0x4000000 + signatures[s]!;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      next[s] = id;
    }
    if (ids.size === count) return { block, signature: Int32Array.from(signatures) };
    block = next;
    count = ids.size;
  }
  return refineByWorklist(dfa, block, count, sign, watch);
}

/** Worklist refinement from a partition: a block splits by its members' signatures; movers' predecessors are signed again. */
function refineByWorklist(
  dfa: SymbolicDfa,
  block: Int32Array,
  count: number,
  sign: (states: readonly number[], block: Int32Array) => number[],
  watch: Watch,
): Partition {
  const n = dfa.accepting.length;
  const predecessors: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) for (const v of dfa.store.terminals(dfa.behaviour[s]!)) predecessors[dfa.stateOf(v)]!.push(s);
  const signature = new Int32Array(n).fill(-1);
  const members = new Map<number, number[]>();
  for (let s = 0; s < n; s++) {
    const list = members.get(block[s]!);
    if (list === undefined) members.set(block[s]!, [s]);
    else list.push(s);
  }
  let nextId = count;
  let dirty = new Set<number>(Array.from({ length: n }, (_, s) => s));
  for (let round = MOORE_ROUNDS + 1; dirty.size > 0; round++) {
    watch.report(round, nextId);
    watch.check();
    const touchedBlocks = new Set<number>();
    const signing = [...dirty];
    sign(signing, block).forEach((sig, i) => {
      signature[signing[i]!] = sig;
      touchedBlocks.add(block[signing[i]!]!);
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
        const id = nextId++;
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
 * Builds the quotient automaton. States are numbered in the order the compiler found them
 * (breadth-first from the initial state), except that the dead state, if any, takes the last
 * number, so live states read 0, 1, 2, ... in pictures. In a minimal automaton the dead states
 * are one rejecting sink, recognized from its own transition diagram: no transition lists needed.
 */
function build(dfa: SymbolicDfa, block: Int32Array, initialAccepts: boolean): Dfa {
  const { store } = dfa;
  const n = block.length;
  let blockCount = 0;
  for (const b of block) blockCount = Math.max(blockCount, b + 1);
  // Each block's first-found member represents it; blocks in order of their representatives.
  const representative = new Int32Array(blockCount).fill(-1);
  const order: number[] = [];
  for (let s = 0; s < n; s++) {
    if (representative[block[s]!] === -1) {
      representative[block[s]!] = s;
      order.push(block[s]!);
    }
  }
  // A block's acceptance comes from its non-initial members (refinement kept them in agreement);
  // a block holding only the initial state takes the chosen free acceptance.
  const accepts = new Int8Array(blockCount).fill(initialAccepts ? 1 : 0);
  for (let s = 0; s < n; s++) if (s !== dfa.initial) accepts[block[s]!] = dfa.accepting[s] ? 1 : 0;

  const quotient = store.mapLeavesOfAll(
    order.map((b) => dfa.behaviour[representative[b]!]!),
    (v) => block[dfa.stateOf(v)]!,
  );
  const isSink = (b: number, i: number): boolean => store.isLeaf(quotient[i]!) && store.value(quotient[i]!) === b;
  const dead = order.findIndex((b, i) => accepts[b] === 0 && isSink(b, i));
  const renumbered = dead === -1 ? order : [...order.slice(0, dead), ...order.slice(dead + 1), order[dead]!];
  const position = new Int32Array(blockCount);
  renumbered.forEach((b, i) => (position[b] = i));

  const table = new TableBuilder(store);
  const diagrams = store.mapLeavesOfAll(
    renumbered.map((b) => dfa.behaviour[representative[b]!]!),
    (v) => position[block[dfa.stateOf(v)]!]!,
  );
  return new Dfa(
    dfa.mode,
    [...dfa.atoms],
    position[block[dfa.initial]!]!,
    renumbered.map((b) => accepts[b] === 1),
    Int32Array.from(diagrams, (diagram) => table.copy(diagram)),
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
