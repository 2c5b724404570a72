import type { CompileProgress, Steps } from "./limits.js";
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
export function* minimizeSteps(dfa: SymbolicDfa, onProgress?: (progress: CompileProgress) => void): Steps<Dfa> {
  const report = (round: number, blocks: number): void => onProgress?.({ phase: "minimize", round, blocks, states: dfa.accepting.length });
  const partition = yield* refine(dfa, report);
  const { block } = partition;
  const initial = dfa.initial;
  // Two states are equivalent when their quotient diagrams are equal nodes. Without signatures the
  // partition is the identity, and diagrams whose leaves map one-to-one onto states are equal
  // exactly when the explored diagrams are.
  const quotientOf = (s: number): number => (partition.signature === undefined ? dfa.behaviour[s]! : partition.signature[s]!);
  const twinOf = (accepting: boolean): number =>
    block.findIndex((_, s) => s !== initial && quotientOf(s) === quotientOf(initial) && dfa.accepting[s] === accepting);
  let twin = twinOf(false);
  let initialAccepts = false;
  if (twin < 0) {
    twin = twinOf(true);
    initialAccepts = twin >= 0;
  }
  if (twin >= 0) block[initial] = block[twin]!;
  return yield* build(dfa, partition, initialAccepts);
}

interface Partition {
  readonly block: Int32Array;
  /**
   * Each state's transition diagram with targets replaced by their (final) blocks; left out when
   * every state but the initial one is a block of its own, where the explored diagrams serve.
   */
  readonly signature: Int32Array | undefined;
}

/** Moore rounds tried before switching to the worklist (long chains need many rounds). */
const MOORE_ROUNDS = 8;

/** States signed between pauses. */
const SIGN_CHUNK = 64;

type Report = (round: number, blocks: number) => void;

/** Each state's transition diagram with targets replaced by their blocks, in one shared walk (pausing between chunks). */
function* sign(dfa: SymbolicDfa, states: readonly number[], block: Int32Array): Steps<number[]> {
  const walk = dfa.store.beginMapping((v) => block[dfa.stateOf(v)]!);
  const signatures: number[] = [];
  try {
    for (let i = 0; i < states.length; i++) {
      signatures.push(walk.map(dfa.behaviour[states[i]!]!));
      if (i % SIGN_CHUNK === SIGN_CHUNK - 1) yield;
    }
  } finally {
    walk.finish();
  }
  return signatures;
}

/**
 * Partition refinement in two phases. First Moore rounds: every state is signed in one shared
 * walk over all transition diagrams, which costs the number of shared diagram nodes, not the
 * number of transitions — automata whose states have thousands of successors each converge in a
 * few such rounds. If that has not converged after a few rounds (chain-like automata such as
 * counters need about as many rounds as states), a worklist takes over: only the predecessors of
 * states that changed block are signed again. A partition into single states is final at once.
 */
function* refine(dfa: SymbolicDfa, report: Report): Steps<Partition> {
  const n = dfa.accepting.length;
  const all = Array.from({ length: n }, (_, s) => s);
  // Blocks 0 and 1: rejecting and accepting states; block 2: the initial state alone.
  let block = Int32Array.from(dfa.accepting, (a, s) => (s === dfa.initial ? 2 : a ? 1 : 0));
  let count = new Set(block).size;
  if (count === n) return { block, signature: undefined };
  for (let round = 0; round < MOORE_ROUNDS; round++) {
    report(round + 1, count);
    yield;
    const signatures = yield* sign(dfa, all, block);
    const ids = new Map<number, number>();
    const next = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      const key = block[s]! * 0x4000000 + signatures[s]!;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      next[s] = id;
    }
    if (ids.size === count) return { block, signature: Int32Array.from(signatures) };
    if (ids.size === n) return { block: next, signature: undefined };
    block = next;
    count = ids.size;
  }
  return yield* refineByWorklist(dfa, block, count, report);
}

/** Worklist refinement from a partition: a block splits by its members' signatures; movers' predecessors are signed again. */
function* refineByWorklist(dfa: SymbolicDfa, block: Int32Array, count: number, report: Report): Steps<Partition> {
  const n = dfa.accepting.length;
  const predecessors: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) {
    for (const v of dfa.store.terminals(dfa.behaviour[s]!)) predecessors[dfa.stateOf(v)]!.push(s);
    if ((s & 1023) === 1023) yield;
  }
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
    report(round, nextId);
    yield;
    const touchedBlocks = new Set<number>();
    const signing = [...dirty];
    (yield* sign(dfa, signing, block)).forEach((sig, i) => {
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
function* build(dfa: SymbolicDfa, partition: Partition, initialAccepts: boolean): Steps<Dfa> {
  const { store } = dfa;
  const { block, signature } = partition;
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

  // A block's quotient diagram: its representative's signature (leaves are blocks), or its
  // explored diagram (leaves are obligations, each of one state).
  const diagramOf = (b: number): number => (signature === undefined ? dfa.behaviour[representative[b]!]! : signature[representative[b]!]!);
  const blockOfLeaf = (value: number): number => (signature === undefined ? block[dfa.stateOf(value)]! : value);
  const isSink = (b: number): boolean => store.isLeaf(diagramOf(b)) && blockOfLeaf(store.value(diagramOf(b))) === b;
  const dead = order.findIndex((b) => accepts[b] === 0 && isSink(b));
  const renumbered = dead === -1 ? order : [...order.slice(0, dead), ...order.slice(dead + 1), order[dead]!];
  const position = new Int32Array(blockCount);
  renumbered.forEach((b, i) => (position[b] = i));

  // Leaves map one-to-one onto blocks, so the copies stay reduced.
  const table = new TableBuilder(store, (value) => position[blockOfLeaf(value)]!);
  const roots = new Int32Array(renumbered.length);
  for (let i = 0; i < renumbered.length; i++) {
    roots[i] = table.copy(diagramOf(renumbered[i]!));
    if (i % SIGN_CHUNK === SIGN_CHUNK - 1) yield;
  }
  return new Dfa(dfa.mode, [...dfa.atoms], position[block[dfa.initial]!]!, renumbered.map((b) => accepts[b] === 1), roots, table.finish());
}

/** Copies diagrams out of the compiler's store into a compact table; a leaf becomes `~target(value)`. */
class TableBuilder {
  private readonly variable: number[] = [];
  private readonly low: number[] = [];
  private readonly high: number[] = [];
  /** By store node: its index in the table plus one (0: not copied yet). */
  private readonly copied: Int32Array;

  constructor(
    private readonly store: Mtbdd,
    private readonly target: (leafValue: number) => number,
  ) {
    this.copied = new Int32Array(store.nodeCount);
  }

  copy(root: number): number {
    const stack = [root];
    while (stack.length > 0) {
      const node = stack[stack.length - 1]!;
      if (this.store.isLeaf(node) || this.copied[node] !== 0) {
        stack.pop();
        continue;
      }
      const lo = this.store.low(node);
      const hi = this.store.high(node);
      const loRef = this.reference(lo);
      const hiRef = this.reference(hi);
      if (loRef === undefined || hiRef === undefined) {
        if (hiRef === undefined) stack.push(hi);
        if (loRef === undefined) stack.push(lo);
        continue;
      }
      this.variable.push(this.store.varOf(node));
      this.low.push(loRef);
      this.high.push(hiRef);
      this.copied[node] = this.variable.length;
      stack.pop();
    }
    return this.reference(root)!;
  }

  /** A node's reference in the table: `~target` for a leaf, its index otherwise (undefined: not copied yet). */
  private reference(node: number): number | undefined {
    if (this.store.isLeaf(node)) return ~this.target(this.store.value(node));
    const index = this.copied[node]!;
    return index === 0 ? undefined : index - 1;
  }

  finish() {
    return { variable: Int32Array.from(this.variable), low: Int32Array.from(this.low), high: Int32Array.from(this.high) };
  }
}
