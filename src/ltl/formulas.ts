import type { Formula } from "./ast.js";
import { UnsupportedFormulaError } from "./errors.js";
import { PairMap, TripleTable } from "./hash.js";

/**
 * Interned formulas for the compiler: future formulas in negation normal form, hash-consed so
 * that equal formulas are equal integers, and pure-past formulas, which are evaluated step by step
 * rather than progressed (each temporal one owns a "carry" bit in the automaton state).
 *
 * Every pass here uses explicit stacks, not recursion, so how deeply a formula nests is not
 * bounded by the call stack; the one recursive check (`implies`) gives up past a fixed depth,
 * which only makes it less complete.
 */

// Operators of interned future formulas in negation normal form.
export enum Op {
  True, False, Atom, NotAtom, Past, NotPast, And, Or, Next, WeakNext, Eventually, Always, Until, Release, WeakUntil, StrongRelease,
}

// Operators of interned pure-past formulas (evaluated, never progressed).
export enum PastOp {
  True, False, Atom, Not, And, Or, Yesterday, WeakYesterday, Once, Historically, Since,
}

/** `implies` answers "no" rather than recurse deeper than this (it is a sound, incomplete check). */
const MAX_IMPLICATION_DEPTH = 300;
/** The most steps one entailment question may take before the answer is "no" (always sound). */
const IMPLICATION_BUDGET = 2_000;


// A formula's mask: one bit per atom or past variable (modulo 30), and one each for containing
// `true` or `false`. Two formulas can only be related by `implies` through a common subformula
// or a constant, which the masks rule out cheaply.
const TRUE_BIT = 1 << 30;
const FALSE_BIT = 1 << 31;
const VARIABLE_BITS = TRUE_BIT - 1;

export class FormulaTable {
  // Future formulas (NNF), hash-consed: (op, a, b).
  private readonly nodes = new TripleTable();
  private masks: Int32Array = new Int32Array(1024);

  // Pure-past formulas, hash-consed; `carries` lists the temporal ones, each owning one carry bit.
  private readonly pastNodes = new TripleTable();
  readonly carries: number[] = [];
  readonly carryIndex = new Map<number, number>();

  constructor(private readonly atomIndex: ReadonlyMap<string, number>) {}

  op(f: number): Op {
    return this.nodes.first[f]!;
  }

  a(f: number): number {
    return this.nodes.second[f]!;
  }

  b(f: number): number {
    return this.nodes.third[f]!;
  }

  pastOp(p: number): PastOp {
    return this.pastNodes.first[p]!;
  }

  pastA(p: number): number {
    return this.pastNodes.second[p]!;
  }

  pastB(p: number): number {
    return this.pastNodes.third[p]!;
  }

  /** The carries before the first step: what a weak yesterday and historically assume of "before the trace". */
  initialCarries(): string {
    return this.carries.map((p) => (this.pastOp(p) === PastOp.WeakYesterday || this.pastOp(p) === PastOp.Historically ? "1" : "0")).join("");
  }

  mk(op: Op, a = -1, b = -1): number {
    if (op === Op.And || op === Op.Or) {
      const absorbing = op === Op.And ? Op.False : Op.True;
      const neutral = op === Op.And ? Op.True : Op.False;
      if (this.op(a) === absorbing || this.op(b) === absorbing) return this.mk(absorbing);
      if (this.op(a) === neutral) return b;
      if (this.op(b) === neutral) return a;
      if (a === b) return a;
      if (a > b) [a, b] = [b, a];
    }
    const before = this.nodes.size;
    const id = this.nodes.intern(op, a, b);
    if (id === before) this.setMask(id, op, a, b);
    return id;
  }

  private setMask(id: number, op: Op, a: number, b: number): void {
    if (id >= this.masks.length) {
      const grown = new Int32Array(this.masks.length * 2);
      grown.set(this.masks);
      this.masks = grown;
    }
    let mask: number;
    switch (op) {
      case Op.True: mask = TRUE_BIT; break;
      case Op.False: mask = FALSE_BIT; break;
      case Op.Atom: case Op.NotAtom: mask = 1 << (a % 30); break;
      case Op.Past: case Op.NotPast: mask = 1 << ((a + 17) % 30); break;
      case Op.And: case Op.Or: case Op.Until: case Op.Release: case Op.WeakUntil: case Op.StrongRelease:
        mask = this.masks[a]! | this.masks[b]!; break;
      default: mask = this.masks[a]!;
    }
    this.masks[id] = mask;
  }

  private readonly nnfMemo = [new WeakMap<Formula, number>(), new WeakMap<Formula, number>()] as const;

  /**
   * Negation normal form of `f` (or of its negation when `positive` is false), hash-consed.
   * Memoized on object identity: sugar such as patterns builds formulas that share subtrees, so a
   * formula is a DAG whose tree may be exponentially larger.
   */
  nnf(root: Formula, positive: boolean): number {
    const known = (f: Formula, p: boolean): number | undefined => this.nnfMemo[p ? 1 : 0].get(f);
    const frames: { f: Formula; p: boolean; open: boolean }[] = [{ f: root, p: positive, open: false }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const { f, p } = frame;
      if (known(f, p) !== undefined) {
        frames.pop();
        continue;
      }
      const needs = nnfChildren(f, p);
      if (!frame.open) {
        frame.open = true;
        for (const [g, q] of needs) if (known(g, q) === undefined) frames.push({ f: g, p: q, open: false });
        continue;
      }
      this.nnfMemo[p ? 1 : 0].set(f, this.nnfNode(f, p, needs.map(([g, q]) => known(g, q)!)));
      frames.pop();
    }
    return known(root, positive)!;
  }

  /** One NNF node from its children's forms (in the order `nnfChildren` lists them). */
  private nnfNode(f: Formula, positive: boolean, c: readonly number[]): number {
    const [x, y, z, w] = c as [number, number, number, number];
    switch (f.kind) {
      case "true": return this.mk(positive ? Op.True : Op.False);
      case "false": return this.mk(positive ? Op.False : Op.True);
      case "last": return positive ? this.mk(Op.WeakNext, this.mk(Op.False)) : this.mk(Op.Next, this.mk(Op.True));
      case "atom": return this.mk(positive ? Op.Atom : Op.NotAtom, this.atomIndex.get(f.name)!);
      case "not": return x;
      case "and": return this.mk(positive ? Op.And : Op.Or, x, y);
      case "or": return this.mk(positive ? Op.Or : Op.And, x, y);
      case "implies": return this.mk(positive ? Op.Or : Op.And, x, y);
      // a <-> b  =  (a -> b) & (b -> a);   !(a <-> b)  =  (a & !b) | (!a & b)
      // (children: l, nl, r, nr)
      case "iff": return positive ? this.mk(Op.And, this.mk(Op.Or, y, z), this.mk(Op.Or, w, x)) : this.mk(Op.Or, this.mk(Op.And, x, w), this.mk(Op.And, y, z));
      case "next": return this.mk(positive ? Op.Next : Op.WeakNext, x);
      case "weakNext": return this.mk(positive ? Op.WeakNext : Op.Next, x);
      case "eventually": return this.mk(positive ? Op.Eventually : Op.Always, x);
      case "always": return this.mk(positive ? Op.Always : Op.Eventually, x);
      case "until": return this.mk(positive ? Op.Until : Op.Release, x, y);
      case "release": return this.mk(positive ? Op.Release : Op.Until, x, y);
      case "weakUntil": return this.mk(positive ? Op.WeakUntil : Op.StrongRelease, x, y);
      case "strongRelease": return this.mk(positive ? Op.StrongRelease : Op.WeakUntil, x, y);
      case "yesterday":
      case "weakYesterday":
      case "once":
      case "historically":
      case "since":
        return this.mk(positive ? Op.Past : Op.NotPast, this.carryIndex.get(this.past(f))!);
    }
  }

  mkPast(op: PastOp, a = -1, b = -1): number {
    const before = this.pastNodes.size;
    const id = this.pastNodes.intern(op, a, b);
    if (id === before && op >= PastOp.Yesterday) {
      this.carryIndex.set(id, this.carries.length);
      this.carries.push(id);
    }
    return id;
  }

  private readonly pastMemo = new WeakMap<Formula, number>();

  /** Interns a pure-past formula. */
  past(root: Formula): number {
    const frames: { f: Formula; open: boolean }[] = [{ f: root, open: false }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const f = frame.f;
      if (this.pastMemo.has(f)) {
        frames.pop();
        continue;
      }
      const children = "arg" in f ? [f.arg] : "left" in f ? [f.left, f.right] : [];
      if (!frame.open) {
        frame.open = true;
        for (const g of children) if (!this.pastMemo.has(g)) frames.push({ f: g, open: false });
        continue;
      }
      const [l, r] = children.map((g) => this.pastMemo.get(g)!) as [number, number];
      this.pastMemo.set(f, this.pastNode(f, l, r));
      frames.pop();
    }
    return this.pastMemo.get(root)!;
  }

  private pastNode(f: Formula, l: number, r: number): number {
    switch (f.kind) {
      case "true": return this.mkPast(PastOp.True);
      case "false": return this.mkPast(PastOp.False);
      case "atom": return this.mkPast(PastOp.Atom, this.atomIndex.get(f.name)!);
      case "not": return this.mkPast(PastOp.Not, l);
      case "and": return this.mkPast(PastOp.And, l, r);
      case "or": return this.mkPast(PastOp.Or, l, r);
      case "implies": return this.mkPast(PastOp.Or, this.mkPast(PastOp.Not, l), r);
      case "iff": {
        const nl = this.mkPast(PastOp.Not, l);
        const nr = this.mkPast(PastOp.Not, r);
        return this.mkPast(PastOp.Or, this.mkPast(PastOp.And, l, r), this.mkPast(PastOp.And, nl, nr));
      }
      case "yesterday": return this.mkPast(PastOp.Yesterday, l);
      case "weakYesterday": return this.mkPast(PastOp.WeakYesterday, l);
      case "once": return this.mkPast(PastOp.Once, l);
      case "historically": return this.mkPast(PastOp.Historically, l);
      case "since": return this.mkPast(PastOp.Since, l, r);
      default:
        throw new UnsupportedFormulaError(
          `the future operator '${f.kind}' appears inside a past operator; past operators may contain only atoms, Boolean connectives and past operators`,
        );
    }
  }

  private readonly conjunctions = new PairMap();
  /** By formula id: its reduced conjuncts, `null` when one is `false`, `undefined` when not computed yet. */
  private readonly reducedConjuncts: (number[] | null | undefined)[] = [];

  /**
   * The conjunction of two formulas in a canonical form: conjuncts flattened, deduplicated,
   * sorted, and those implied by another conjunct dropped. Canonical forms keep the set of
   * automaton states finite and small.
   */
  conjoin(f: number, g: number): number {
    const lo = Math.min(f, g);
    const hi = Math.max(f, g);
    let result = this.conjunctions.get(lo, hi);
    if (result === -1) {
      result = this.conjoinUncached(f, g);
      this.conjunctions.set(lo, hi, result);
    }
    return result;
  }

  private conjoinUncached(f: number, g: number): number {
    let left = this.conjunctsOf(f);
    let right = this.conjunctsOf(g);
    if (left === undefined || right === undefined) return this.mk(Op.False);
    // The longer side keeps its chain: the result reuses the part of it after the last change.
    if (right.length > left.length) {
      [left, right] = [right, left];
      [f, g] = [g, f];
    }
    // Each side is already reduced (no conjunct implies another), so only pairs across the two
    // sides need checking.
    const keptRight = right.filter((c) => !this.impliedByAny(left, c));
    const keptLeft = keptRight.length === 0 ? left : left.filter((c) => !this.impliedByAny(keptRight, c));
    if (keptRight.length === 0) return this.conjunctionOf(left, f, left.length);
    const merged = mergeSorted(keptLeft, keptRight);
    // The longest common suffix of `merged` and `left`, whose chain is a suffix of f's.
    let common = 0;
    while (common < left.length && common < merged.length && merged[merged.length - 1 - common] === left[left.length - 1 - common]) common++;
    const result = this.conjunctionOf(merged, f, common, left.length);
    this.reducedConjuncts[result] ??= merged;
    return result;
  }

  private impliedByAny(candidates: readonly number[], c: number): boolean {
    for (const k of candidates) if (this.implies(k, c)) return true;
    return false;
  }

  /** The reduced conjuncts of a formula (cached), or `undefined` when one of them is `false`. */
  private conjunctsOf(f: number): number[] | undefined {
    const cached = this.reducedConjuncts[f];
    if (cached !== undefined) return cached === null ? undefined : cached;
    const conjuncts = new Set<number>();
    const stack = [f];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (this.op(x) === Op.And) stack.push(this.b(x), this.a(x));
      else conjuncts.add(x);
    }
    let kept: number[] | undefined = [];
    for (const c of [...conjuncts].sort((x, y) => x - y)) {
      if (this.op(c) === Op.False) {
        kept = undefined;
        break;
      }
      if (this.op(c) === Op.True || this.impliedByAny(kept, c)) continue;
      kept = kept.filter((k) => !this.implies(c, k));
      kept.push(c);
    }
    this.reducedConjuncts[f] = kept ?? null;
    if (kept !== undefined) this.reducedConjuncts[this.conjunctionOf(kept)] ??= kept;
    return kept;
  }

  /**
   * The canonical right-nested conjunction of sorted conjuncts. When `chain` is the canonical
   * conjunction of a list of `chainLength` conjuncts whose last `reuse` ones are also the last
   * ones of `sorted`, that part of the chain is reused rather than rebuilt.
   */
  private conjunctionOf(sorted: readonly number[], chain = -1, reuse = 0, chainLength = 0): number {
    if (sorted.length === 0) return this.mk(Op.True);
    let result: number;
    let next: number;
    if (reuse > 0 && chain >= 0 && this.chainLength(chain) === chainLength) {
      result = chain;
      for (let skip = chainLength - reuse; skip > 0; skip--) result = this.b(result);
      next = sorted.length - 1 - reuse;
    } else {
      result = sorted[sorted.length - 1]!;
      next = sorted.length - 2;
    }
    for (let i = next; i >= 0; i--) {
      result = this.mk(Op.And, sorted[i]!, result);
      this.setChainLength(result, sorted.length - i);
    }
    return result;
  }

  /** By formula id: the number of conjuncts when it is a canonical chain made here (a non-conjunction is one of one), 0 otherwise. */
  private chainLengths: Int32Array = new Int32Array(256);

  private chainLength(f: number): number {
    if (this.op(f) !== Op.And) return 1;
    return f < this.chainLengths.length ? this.chainLengths[f]! : 0;
  }

  private setChainLength(f: number, length: number): void {
    if (f >= this.chainLengths.length) {
      const grown = new Int32Array(Math.max(f + 1, this.chainLengths.length * 2));
      grown.set(this.chainLengths);
      this.chainLengths = grown;
    }
    this.chainLengths[f] = length;
  }

  private readonly implication = new PairMap();
  private implicationDepth = 0;
  /** Steps left to the current top-level `implies` question. */
  private implicationBudget = 0;

  /** A sound, incomplete syntactic entailment check between NNF formulas (after Somenzi and Bloem). */
  implies(a: number, b: number): boolean {
    if (a === b) return true;
    if (this.implicationDepth === 0) this.implicationBudget = IMPLICATION_BUDGET;
    else if (--this.implicationBudget <= 0) return false;
    const maskA = this.masks[a]!;
    const maskB = this.masks[b]!;
    // A proof ends in a common subformula, a `false` on the left or a `true` on the right.
    if ((maskA & maskB & VARIABLE_BITS) === 0 && (maskA & FALSE_BIT) === 0 && (maskB & TRUE_BIT) === 0) return false;
    const cached = this.implication.get(a, b);
    if (cached !== -1) return cached === 1;
    // "No" is always a sound answer: given (and remembered) past the depth limit, and while the
    // pair is being decided (which guards against cycles through shared subformulas).
    this.implication.set(a, b, 0);
    // Past the depth or the work allowed to one question, "no": deep, heavily shared formulas
    // (nested bounded patterns) could otherwise spend seconds on a single conjunction.
    if (this.implicationDepth >= MAX_IMPLICATION_DEPTH || this.implicationBudget <= 0) return false;
    this.implicationDepth++;
    let result: boolean;
    try {
      result = this.impliesUncached(a, b);
    } finally {
      this.implicationDepth--;
    }
    this.implication.set(a, b, result ? 1 : 0);
    return result;
  }

  private impliesUncached(a: number, b: number): boolean {
    const opA = this.op(a);
    const opB = this.op(b);
    const a1 = this.a(a);
    const a2 = this.b(a);
    const b1 = this.a(b);
    const b2 = this.b(b);
    if (opA === Op.False || opB === Op.True) return true;
    if (opA === Op.Or) return this.implies(a1, b) && this.implies(a2, b);
    if (opB === Op.And) return this.implies(a, b1) && this.implies(a, b2);
    if (opB === Op.Or && (this.implies(a, b1) || this.implies(a, b2))) return true;
    if (opA === Op.And && (this.implies(a1, b) || this.implies(a2, b))) return true;
    switch (opB) {
      case Op.Eventually:
        if (this.implies(a, b1)) return true;
        if (opA === Op.Eventually && this.implies(a1, b1)) return true;
        break;
      case Op.Until:
      case Op.WeakUntil:
        if (this.implies(a, b2)) return true;
        if ((opA === Op.Until || (opB === Op.WeakUntil && opA === Op.WeakUntil)) && this.implies(a1, b1) && this.implies(a2, b2)) return true;
        if (opB === Op.WeakUntil && opA === Op.Always && this.implies(a1, b1)) return true;
        break;
      case Op.Release:
      case Op.StrongRelease:
        if (this.implies(a, b1) && this.implies(a, b2)) return true;
        if (opB === Op.Release && opA === Op.Always && this.implies(a1, b2)) return true;
        break;
      case Op.Always:
        if (opA === Op.Always && this.implies(a1, b1)) return true;
        break;
      case Op.Next:
        if (opA === Op.Next && this.implies(a1, b1)) return true;
        break;
      case Op.WeakNext:
        if ((opA === Op.Next || opA === Op.WeakNext) && this.implies(a1, b1)) return true;
        break;
    }
    switch (opA) {
      case Op.Always:
        return this.implies(a1, b);
      case Op.Until:
      case Op.WeakUntil:
        // α U β holds now only if α or β does.
        return this.implies(a1, b) && this.implies(a2, b);
      case Op.Release:
      case Op.StrongRelease:
        // α R β requires β now.
        return this.implies(a2, b);
      default:
        return false;
    }
  }
}

/** The (formula, polarity) pairs whose NNF the NNF of `f` under `positive` is built from. */
function nnfChildren(f: Formula, positive: boolean): [Formula, boolean][] {
  switch (f.kind) {
    case "not": return [[f.arg, !positive]];
    case "and": case "or": return [[f.left, positive], [f.right, positive]];
    case "implies": return [[f.left, !positive], [f.right, positive]];
    case "iff": return [[f.left, true], [f.left, false], [f.right, true], [f.right, false]];
    case "next": case "weakNext": case "eventually": case "always": return [[f.arg, positive]];
    case "until": case "release": case "weakUntil": case "strongRelease": return [[f.left, positive], [f.right, positive]];
    default: return []; // constants, atoms, and past formulas (interned by `past`)
  }
}

/** The union of two sorted lists of distinct integers, sorted. */
function mergeSorted(x: readonly number[], y: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (j === y.length || (i < x.length && x[i]! < y[j]!)) out.push(x[i++]!);
    else if (i === x.length || y[j]! < x[i]!) out.push(y[j++]!);
    else {
      out.push(x[i++]!);
      j++;
    }
  }
  return out;
}
