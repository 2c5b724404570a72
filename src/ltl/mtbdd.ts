import { PairMap, TableFullError, TripleTable } from "./hash.js";

/**
 * Reduced ordered multi-terminal decision diagrams over boolean variables.
 *
 * A diagram maps an assignment of variables (atoms of one trace step) to a terminal value (an
 * integer id whose meaning belongs to the caller). With the terminals 0 and 1 it is an ordinary
 * BDD. Nodes are hash-consed, so two diagrams for the same function are the same integer: this is
 * what lets the compiler compare transition guards and successor maps by identity.
 *
 * Every operation walks diagrams with explicit stacks, never by recursion, so the number of
 * variables (atoms) is not bounded by the call stack.
 */

const LEAF_VAR = 0x7fffffff;
/** Leaves with values below this are found through an array rather than the hash table. */
const MAX_CACHED_LEAF = 1 << 24;
/** Nodes a resumable walk visits between pauses. */
const WALK_PAUSE_EVERY = 1 << 12;

/**
 * Leaves (as diagram nodes) that decide a pointwise operation on their own: `combine(identity, v)`
 * is `v` and `combine(absorbing, v)` is `absorbing`, for every v, on either side. -1: none.
 */
export interface ApplyUnits {
  readonly identity: number;
  readonly absorbing: number;
}

const NO_UNITS: ApplyUnits = { identity: -1, absorbing: -1 };

/** The default bound on the nodes of one compilation's diagrams (about 30 bytes each). */
export const DEFAULT_MAX_NODES = 2 ** 23;

/** The diagrams grew past their node limit (`maxNodes`). */
export class NodeLimitError extends Error {
  override readonly name = "NodeLimitError";

  constructor(readonly limit: number) {
    super(`the decision diagrams grew past ${limit.toLocaleString("en-US")} nodes`);
  }
}

export class Mtbdd {
  private readonly nodes: TripleTable;
  private readonly memos = new Map<string, PairMap>();

  /** `maxNodes` bounds the number of nodes; past it, operations throw `NodeLimitError`. */
  constructor(readonly maxNodes = DEFAULT_MAX_NODES) {
    this.nodes = new TripleTable(maxNodes);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  /** The diagram that is the constant `value`. */
  leaf(value: number): number {
    if (value >= 0 && value < this.leafIds.length) {
      const known = this.leafIds[value]!;
      if (known !== -1) return known;
      return (this.leafIds[value] = this.intern(LEAF_VAR, value, 0));
    }
    if (value >= 0 && value < MAX_CACHED_LEAF) {
      const grown = new Int32Array(Math.max(value + 1, this.leafIds.length * 2)).fill(-1);
      grown.set(this.leafIds);
      this.leafIds = grown;
      return this.leaf(value);
    }
    return this.intern(LEAF_VAR, value, 0);
  }

  /** By small non-negative leaf value: its node (-1: none yet). */
  private leafIds: Int32Array = new Int32Array(256).fill(-1);

  /** The diagram "if variable then `hi` else `lo`", reduced. */
  node(variable: number, lo: number, hi: number): number {
    if (lo === hi) return lo;
    return this.intern(variable, lo, hi);
  }

  private intern(a: number, b: number, c: number): number {
    try {
      return this.nodes.intern(a, b, c);
    } catch (error) {
      if (error instanceof TableFullError) throw new NodeLimitError(this.maxNodes);
      throw error;
    }
  }

  isLeaf(f: number): boolean {
    return this.nodes.first[f] === LEAF_VAR;
  }

  /** The terminal value of a leaf. */
  value(f: number): number {
    return this.nodes.second[f]!;
  }

  varOf(f: number): number {
    return this.nodes.first[f]!;
  }

  low(f: number): number {
    return this.nodes.second[f]!;
  }

  high(f: number): number {
    return this.nodes.third[f]!;
  }

  /**
   * Combines two diagrams pointwise: the result maps each assignment to `combine(f(a), g(a))`.
   * `name` identifies `combine` for the memo table, which persists across calls.
   */
  apply(name: string, f: number, g: number, combine: (a: number, b: number) => number, units: ApplyUnits = NO_UNITS): number {
    const steps = this.applySteps(name, f, g, combine, units);
    for (;;) {
      const next = steps.next();
      if (next.done === true) return next.value;
    }
  }

  /** `apply` that pauses (yields) every so many nodes, so that a huge one can be interrupted. */
  *applySteps(name: string, f: number, g: number, combine: (a: number, b: number) => number, units: ApplyUnits = NO_UNITS): Generator<void, number, void> {
    const { identity, absorbing } = units;
    let memo = this.memos.get(name);
    if (memo === undefined) {
      memo = new PairMap();
      this.memos.set(name, memo);
    }
    // Frames (x, y, stage) on one stack: stage 0 looks the pair up or descends low, 1 descends
    // high, 2 builds. The stacks are reused across calls (a `combine` that applies again gets its own).
    const reentered = this.applying;
    this.applying = true;
    let frames = reentered ? new Int32Array(96) : this.applyFrames;
    let results = reentered ? new Int32Array(32) : this.applyResults;
    let sp = 0;
    let rp = 0;
    frames[0] = f;
    frames[1] = g;
    frames[2] = 0;
    sp = 3;
    let work = 0;
    try {
      while (sp > 0) {
        if (++work === WALK_PAUSE_EVERY) {
          work = 0;
          yield;
        }
        const x = frames[sp - 3]!;
        const y = frames[sp - 2]!;
        const stage = frames[sp - 1]!;
        const { first, second, third } = this.nodes;
        const vx = first[x]!;
        const vy = first[y]!;
        if (stage === 2) {
          const hi = results[--rp]!;
          const lo = results[--rp]!;
          const result = this.node(vx < vy ? vx : vy, lo, hi);
          memo.set(x, y, result);
          results[rp++] = result;
          sp -= 3;
          continue;
        }
        if (stage === 0) {
          // A unit leaf decides the result without walking the other diagram.
          let result = x === absorbing || y === absorbing ? absorbing : x === identity ? y : y === identity ? x : memo.get(x, y);
          if (result === -1 && vx === LEAF_VAR && vy === LEAF_VAR) {
            result = this.leaf(combine(second[x]!, second[y]!));
            memo.set(x, y, result);
          }
          if (result !== -1) {
            if (rp === results.length) results = this.grow(results, reentered, false);
            results[rp++] = result;
            sp -= 3;
            continue;
          }
        }
        frames[sp - 1] = stage + 1;
        const v = vx < vy ? vx : vy;
        const branch = stage === 0 ? second : third;
        if (sp + 3 > frames.length) frames = this.grow(frames, reentered, true);
        frames[sp] = vx === v ? branch[x]! : x;
        frames[sp + 1] = vy === v ? branch[y]! : y;
        frames[sp + 2] = 0;
        sp += 3;
      }
    } finally {
      if (!reentered) this.applying = false;
    }
    return results[0]!;
  }

  private applying = false;
  private applyFrames: Int32Array = new Int32Array(96);
  private applyResults: Int32Array = new Int32Array(32);

  private grow(array: Int32Array, reentered: boolean, frames: boolean): Int32Array {
    const grown = new Int32Array(array.length * 2);
    grown.set(array);
    if (!reentered) {
      if (frames) this.applyFrames = grown;
      else this.applyResults = grown;
    }
    return grown;
  }

  /** Replaces every terminal value v by `transform(v)`. */
  mapLeaves(f: number, transform: (value: number) => number): number {
    return this.mapLeavesOfAll([f], transform)[0]!;
  }

  /**
   * `mapLeaves` over several diagrams with one memo: diagrams that share sub-diagrams (the
   * transition functions of many states do) are walked once per shared node, not once per root.
   */
  mapLeavesOfAll(roots: readonly number[], transform: (value: number) => number): number[] {
    const walk = this.beginMapping(transform);
    try {
      return roots.map((r) => walk.map(r));
    } finally {
      walk.finish();
    }
  }

  /**
   * A leaf mapping that can be fed roots a few at a time (so a long one can pause between them):
   * `map` each root, then `finish`. No other walk over this store may start before `finish`.
   */
  beginMapping(transform: (value: number) => number): { map(root: number): number; finish(): void } {
    const stamp = this.beginWalk();
    const stack: number[] = [];
    const map = (root: number): number => {
      stack.push(root);
      while (stack.length > 0) {
        const x = stack[stack.length - 1]!;
        if (this.marks[x] === stamp) {
          stack.pop();
          continue;
        }
        const v = this.nodes.first[x]!;
        if (v === LEAF_VAR) {
          this.finishMark(x, stamp, this.leaf(transform(this.nodes.second[x]!)));
          stack.pop();
          continue;
        }
        const lo = this.nodes.second[x]!;
        const hi = this.nodes.third[x]!;
        const loDone = this.marks[lo] === stamp;
        const hiDone = this.marks[hi] === stamp;
        if (loDone && hiDone) {
          this.finishMark(x, stamp, this.node(v, this.memoResults[lo]!, this.memoResults[hi]!));
          stack.pop();
        } else {
          if (!hiDone) stack.push(hi);
          if (!loDone) stack.push(lo);
        }
      }
      return this.memoResults[root]!;
    };
    return { map, finish: () => (this.walking = false) };
  }

  private finishMark(x: number, stamp: number, result: number): void {
    this.marks[x] = stamp;
    this.memoResults[x] = result;
  }

  /**
   * Substitutes variables by boolean diagrams of `conditions` (a diagram over terminals 0/1 in
   * this same store): a node on a variable v with `substitute(v)` defined becomes
   * "if substitute(v) then hi else lo". Variables without a substitute stay. `memo` may be kept
   * by the caller across calls with the same substitution.
   */
  compose(f: number, substitute: (variable: number) => number | undefined, memo = new Map<number, number>()): number {
    const stack = [f];
    while (stack.length > 0) {
      const x = stack[stack.length - 1]!;
      if (memo.has(x)) {
        stack.pop();
        continue;
      }
      if (this.isLeaf(x)) {
        memo.set(x, x);
        stack.pop();
        continue;
      }
      const lo = memo.get(this.low(x));
      const hi = memo.get(this.high(x));
      if (lo === undefined || hi === undefined) {
        if (hi === undefined) stack.push(this.high(x));
        if (lo === undefined) stack.push(this.low(x));
        continue;
      }
      const v = this.varOf(x);
      const condition = substitute(v);
      if (condition === undefined && lo === this.low(x) && hi === this.high(x)) memo.set(x, x);
      // Substituted conditions mention atoms above v, so the node is rebuilt with ite (which
      // keeps the variable order) rather than node(v, ...), or equal functions could get
      // different diagrams.
      else memo.set(x, this.ite(condition ?? this.node(v, this.leaf(0), this.leaf(1)), hi, lo));
      stack.pop();
    }
    return memo.get(f)!;
  }

  /** If-then-else where `condition` has terminals 0/1 and the branches are any diagrams. */
  ite(condition: number, then: number, otherwise: number): number {
    // Frames (c, t, e, stage) as in `applySteps`; the memo persists (results are canonical).
    const frames: number[] = [condition, then, otherwise, 0];
    const results: number[] = [];
    const { iteKeys, iteValues } = this;
    while (frames.length > 0) {
      const top = frames.length - 4;
      const c = frames[top]!;
      const t = frames[top + 1]!;
      const e = frames[top + 2]!;
      const stage = frames[top + 3]!;
      const { first, second, third } = this.nodes;
      const v = Math.min(first[c]!, first[t]!, first[e]!);
      if (stage === 2) {
        const hi = results.pop()!;
        const lo = results.pop()!;
        const result = this.node(v, lo, hi);
        iteValues[iteKeys.intern(c, t, e)] = result;
        results.push(result);
        frames.length = top;
        continue;
      }
      if (stage === 0) {
        let known = -1;
        if (first[c] === LEAF_VAR) known = second[c] === 0 ? e : t;
        else if (t === e) known = t;
        else {
          const id = iteKeys.find(c, t, e);
          if (id !== -1) known = iteValues[id]!;
        }
        if (known !== -1) {
          results.push(known);
          frames.length = top;
          continue;
        }
      }
      frames[top + 3] = stage + 1;
      const branch = stage === 0 ? second : third;
      frames.push(first[c] === v ? branch[c]! : c, first[t] === v ? branch[t]! : t, first[e] === v ? branch[e]! : e, 0);
    }
    return results[0]!;
  }

  private readonly iteKeys = new TripleTable();
  private readonly iteValues: number[] = [];

  /** The terminal value reached under an assignment. */
  evaluate(f: number, isTrue: (variable: number) => boolean): number {
    let x = f;
    const { first, second, third } = this.nodes;
    while (first[x] !== LEAF_VAR) x = isTrue(first[x]!) ? third[x]! : second[x]!;
    return second[x]!;
  }

  /** The terminal value reached under an assignment given as one 0/1 entry per variable. */
  evaluateAssignment(f: number, values: Uint8Array): number {
    let x = f;
    const { first, second, third } = this.nodes;
    while (first[x] !== LEAF_VAR) x = values[first[x]!] === 1 ? third[x]! : second[x]!;
    return second[x]!;
  }

  /** The terminal value reached when `event` is the one variable that holds. */
  evaluateEvent(f: number, event: number): number {
    let x = f;
    const { first, second, third } = this.nodes;
    while (first[x] !== LEAF_VAR) x = first[x] === event ? third[x]! : second[x]!;
    return second[x]!;
  }

  /** The distinct terminal values a diagram can reach, in order of first visit. */
  terminals(f: number): number[] {
    return this.terminalsOfAll([f]);
  }

  /** The distinct terminal values reachable from any of `roots`, in one shared walk (low branches first). */
  terminalsOfAll(roots: readonly number[]): number[] {
    const walk = this.beginTerminalWalk();
    const values: number[] = [];
    try {
      for (const root of roots) for (const _ of walk.visit(root, values));
    } finally {
      walk.finish();
    }
    return values;
  }

  /**
   * `terminalsOfAll` fed a root at a time: `visit` appends to `out` the terminal values first
   * reached from that root, pausing (yielding) every so many nodes so that a walk over a huge
   * diagram can be interrupted; then `finish`. No other walk over this store may start before
   * `finish`.
   */
  beginTerminalWalk(): { visit(root: number, out: number[]): Generator<void, void, void>; finish(): void } {
    const stamp = this.beginWalk();
    const stack: number[] = [];
    const self = this;
    function* visit(root: number, out: number[]): Generator<void, void, void> {
      stack.push(root);
      let work = 0;
      while (stack.length > 0) {
        const x = stack.pop()!;
        if (self.marks[x] === stamp) continue;
        self.marks[x] = stamp;
        if (self.nodes.first[x] === LEAF_VAR) out.push(self.nodes.second[x]!);
        else {
          stack.push(self.nodes.third[x]!);
          stack.push(self.nodes.second[x]!);
        }
        if (++work === WALK_PAUSE_EVERY) {
          work = 0;
          yield;
        }
      }
    }
    return { visit, finish: () => (this.walking = false) };
  }

  // Visit marks shared by the walks: a node is visited in the current walk when its mark equals
  // the walk's stamp. Walks do not nest (their callbacks never walk this store), which `walking`
  // checks. Nodes a walk creates are never its inputs, so marks cover the nodes before it.
  private marks: Int32Array = new Int32Array(0);
  private memoResults: Int32Array = new Int32Array(0);
  private stamp = 0;
  private walking = false;

  private beginWalk(): number {
    if (this.walking) throw new Error("Mtbdd: nested walks over the same store");
    this.walking = true;
    if (this.marks.length < this.nodes.size || this.stamp === 0x7fffffff) {
      const size = Math.max(1024, this.nodes.size * 2);
      this.marks = new Int32Array(size);
      this.memoResults = new Int32Array(size);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

/** Boolean operations on 0/1 diagrams of a store. */
export class BooleanOps {
  readonly falseNode: number;
  readonly trueNode: number;

  constructor(readonly store: Mtbdd) {
    this.falseNode = store.leaf(0);
    this.trueNode = store.leaf(1);
  }

  variable(v: number): number {
    return this.store.node(v, this.falseNode, this.trueNode);
  }

  and(f: number, g: number): number {
    if (f === this.falseNode || g === this.falseNode) return this.falseNode;
    if (f === this.trueNode) return g;
    if (g === this.trueNode) return f;
    return this.store.apply("and", f, g, (a, b) => a & b);
  }

  or(f: number, g: number): number {
    if (f === this.trueNode || g === this.trueNode) return this.trueNode;
    if (f === this.falseNode) return g;
    if (g === this.falseNode) return f;
    return this.store.apply("or", f, g, (a, b) => a | b);
  }

  not(f: number): number {
    let result = this.negations.get(f);
    if (result === undefined) {
      result = this.store.mapLeaves(f, (v) => 1 - v);
      this.negations.set(f, result);
    }
    return result;
  }

  private readonly negations = new Map<number, number>();
}
