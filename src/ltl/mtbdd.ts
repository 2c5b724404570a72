/**
 * Reduced ordered multi-terminal decision diagrams over boolean variables.
 *
 * A diagram maps an assignment of variables (atoms of one trace step) to a terminal value (an
 * integer id whose meaning belongs to the caller). With the terminals 0 and 1 it is an ordinary
 * BDD. Nodes are hash-consed, so two diagrams for the same function are the same integer: this is
 * what lets the compiler compare transition guards and successor maps by identity.
 */

const LEAF_VAR = 0x7fffffff;
const SLOT = 2 ** 21; // node ids and variables are packed into one exact integer key
const MAX_VARIABLES = 2 ** 11;

export class NodeLimitError extends Error {
  override readonly name = "NodeLimitError";
}

export class Mtbdd {
  private readonly vars: number[] = [];
  private readonly los: number[] = [];
  private readonly his: number[] = [];
  private readonly unique = new Map<number, number>();
  private readonly leaves = new Map<number, number>();
  private readonly memos = new Map<string, Map<number, number>>();

  /** The diagram that is the constant `value`. */
  leaf(value: number): number {
    let id = this.leaves.get(value);
    if (id === undefined) {
      id = this.push(LEAF_VAR, value, 0);
      this.leaves.set(value, id);
    }
    return id;
  }

  /** The diagram "if variable then `hi` else `lo`", reduced. */
  node(variable: number, lo: number, hi: number): number {
    if (lo === hi) return lo;
    if (variable >= MAX_VARIABLES) throw new NodeLimitError(`too many variables (${variable})`);
    const key = (variable * SLOT + lo) * SLOT + hi;
    let id = this.unique.get(key);
    if (id === undefined) {
      id = this.push(variable, lo, hi);
      this.unique.set(key, id);
    }
    return id;
  }

  isLeaf(f: number): boolean {
    return this.vars[f] === LEAF_VAR;
  }

  /** The terminal value of a leaf. */
  value(f: number): number {
    return this.los[f]!;
  }

  varOf(f: number): number {
    return this.vars[f]!;
  }

  low(f: number): number {
    return this.los[f]!;
  }

  high(f: number): number {
    return this.his[f]!;
  }

  /**
   * Combines two diagrams pointwise: the result maps each assignment to `combine(f(a), g(a))`.
   * `name` identifies `combine` for the memo table, which persists across calls.
   */
  apply(name: string, f: number, g: number, combine: (a: number, b: number) => number): number {
    let memo = this.memos.get(name);
    if (memo === undefined) {
      memo = new Map();
      this.memos.set(name, memo);
    }
    const go = (x: number, y: number): number => {
      const key = x * SLOT + y;
      const cached = memo.get(key);
      if (cached !== undefined) return cached;
      const vx = this.vars[x]!;
      const vy = this.vars[y]!;
      let result: number;
      if (vx === LEAF_VAR && vy === LEAF_VAR) {
        result = this.leaf(combine(this.los[x]!, this.los[y]!));
      } else {
        const top = vx < vy ? vx : vy;
        const x0 = vx === top ? this.los[x]! : x;
        const x1 = vx === top ? this.his[x]! : x;
        const y0 = vy === top ? this.los[y]! : y;
        const y1 = vy === top ? this.his[y]! : y;
        result = this.node(top, go(x0, y0), go(x1, y1));
      }
      memo.set(key, result);
      return result;
    };
    return go(f, g);
  }

  /** Replaces every terminal value v by `transform(v)`; `name` identifies the transform for memoization within this call. */
  mapLeaves(f: number, transform: (value: number) => number): number {
    return this.mapLeavesOfAll([f], transform)[0]!;
  }

  /**
   * `mapLeaves` over several diagrams with one memo: diagrams that share sub-diagrams (the
   * transition functions of many states do) are walked once per shared node, not once per root.
   */
  mapLeavesOfAll(roots: readonly number[], transform: (value: number) => number): number[] {
    // Memoized in stamped arrays rather than a Map: this runs for every state in every refinement round.
    const stamp = this.beginWalk();
    const go = (x: number): number => {
      if (this.marks[x] === stamp) return this.memoResults[x]!;
      const result =
        this.vars[x] === LEAF_VAR ? this.leaf(transform(this.los[x]!)) : this.node(this.vars[x]!, go(this.los[x]!), go(this.his[x]!));
      this.marks[x] = stamp;
      this.memoResults[x] = result;
      return result;
    };
    try {
      return roots.map(go);
    } finally {
      this.walking = false;
    }
  }

  /**
   * Substitutes variables by boolean diagrams of `conditions` (a diagram over terminals 0/1 in
   * this same store): a node on a variable v with `substitute(v)` defined becomes
   * "if substitute(v) then hi else lo". Variables without a substitute stay.
   */
  compose(f: number, substitute: (variable: number) => number | undefined): number {
    const memo = new Map<number, number>();
    const go = (x: number): number => {
      const cached = memo.get(x);
      if (cached !== undefined) return cached;
      let result: number;
      if (this.vars[x] === LEAF_VAR) result = x;
      else {
        const v = this.vars[x]!;
        const lo = go(this.los[x]!);
        const hi = go(this.his[x]!);
        const condition = substitute(v);
        // Substituted conditions mention atoms above v, so the node is rebuilt with ite (which
        // keeps the variable order) rather than node(v, ...), or equal functions could get
        // different diagrams.
        result = this.ite(condition ?? this.node(v, this.leaf(0), this.leaf(1)), hi, lo);
      }
      memo.set(x, result);
      return result;
    };
    return go(f);
  }

  /** If-then-else where `condition` has terminals 0/1 and the branches are any diagrams. */
  ite(condition: number, then: number, otherwise: number): number {
    const memo = new Map<string, number>();
    const go = (c: number, t: number, e: number): number => {
      if (this.vars[c] === LEAF_VAR) return this.los[c] === 0 ? e : t;
      if (t === e) return t;
      const key = `${c},${t},${e}`;
      const cached = memo.get(key);
      if (cached !== undefined) return cached;
      const top = Math.min(this.vars[c]!, this.vars[t]!, this.vars[e]!);
      const split = (x: number): [number, number] => (this.vars[x] === top ? [this.los[x]!, this.his[x]!] : [x, x]);
      const [c0, c1] = split(c);
      const [t0, t1] = split(t);
      const [e0, e1] = split(e);
      const result = this.node(top, go(c0, t0, e0), go(c1, t1, e1));
      memo.set(key, result);
      return result;
    };
    return go(condition, then, otherwise);
  }

  /** The terminal value reached under an assignment. */
  evaluate(f: number, isTrue: (variable: number) => boolean): number {
    let x = f;
    while (this.vars[x] !== LEAF_VAR) x = isTrue(this.vars[x]!) ? this.his[x]! : this.los[x]!;
    return this.los[x]!;
  }

  /** The distinct terminal values a diagram can reach, in order of first visit. */
  terminals(f: number): number[] {
    return this.terminalsOfAll([f]);
  }

  /** The distinct terminal values reachable from any of `roots`, in one shared walk. */
  terminalsOfAll(roots: readonly number[]): number[] {
    const stamp = this.beginWalk();
    const values: number[] = [];
    const go = (x: number): void => {
      if (this.marks[x] === stamp) return;
      this.marks[x] = stamp;
      if (this.vars[x] === LEAF_VAR) values.push(this.los[x]!);
      else {
        go(this.los[x]!);
        go(this.his[x]!);
      }
    };
    try {
      roots.forEach(go);
    } finally {
      this.walking = false;
    }
    return values;
  }

  // Visit marks shared by mapLeaves and terminals: a node is visited in the current walk when its
  // mark equals the walk's stamp. Walks do not nest (their callbacks never walk this store), which
  // `walking` checks. Nodes a walk creates are never its inputs, so marks cover the nodes before it.
  private marks = new Int32Array(0);
  private memoResults = new Int32Array(0);
  private stamp = 0;
  private walking = false;

  private beginWalk(): number {
    if (this.walking) throw new Error("Mtbdd: nested walks over the same store");
    this.walking = true;
    if (this.marks.length < this.vars.length || this.stamp === 0x7fffffff) {
      const size = Math.max(1024, this.vars.length * 2);
      this.marks = new Int32Array(size);
      this.memoResults = new Int32Array(size);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  private push(variable: number, lo: number, hi: number): number {
    const id = this.vars.length;
    if (id >= SLOT) throw new NodeLimitError(`decision diagram exceeded ${SLOT} nodes`);
    this.vars.push(variable);
    this.los.push(lo);
    this.his.push(hi);
    return id;
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
    return this.store.mapLeaves(f, (v) => 1 - v);
  }
}
