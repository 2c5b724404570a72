import type { Formula } from "./ast.js";
import { UnsupportedFormulaError } from "./errors.js";

/**
 * Interned formulas for the compiler: future formulas in negation normal form, hash-consed so
 * that equal formulas are equal integers, and pure-past formulas, which are evaluated step by step
 * rather than progressed (each temporal one owns a "carry" bit in the automaton state).
 */

// Operators of interned future formulas in negation normal form.
export enum Op {
  True, False, Atom, NotAtom, Past, NotPast, And, Or, Next, WeakNext, Eventually, Always, Until, Release, WeakUntil, StrongRelease,
}

// Operators of interned pure-past formulas (evaluated, never progressed).
export enum PastOp {
  True, False, Atom, Not, And, Or, Yesterday, WeakYesterday, Once, Historically, Since,
}

export class FormulaTable {
  // Future formulas (NNF), hash-consed.
  readonly ops: Op[] = [];
  readonly as: number[] = [];
  readonly bs: number[] = [];
  private readonly nodeIds = new Map<string, number>();

  // Pure-past formulas, hash-consed; `carries` lists the temporal ones, each owning one carry bit.
  readonly pastOps: PastOp[] = [];
  readonly pastAs: number[] = [];
  readonly pastBs: number[] = [];
  private readonly pastIds = new Map<string, number>();
  readonly carries: number[] = [];
  readonly carryIndex = new Map<number, number>();

  constructor(private readonly atomIndex: ReadonlyMap<string, number>) {}

  /** The carries before the first step: what a weak yesterday and historically assume of "before the trace". */
  initialCarries(): string {
    return this.carries.map((p) => (this.pastOps[p] === PastOp.WeakYesterday || this.pastOps[p] === PastOp.Historically ? "1" : "0")).join("");
  }

  mk(op: Op, a = -1, b = -1): number {
    if (op === Op.And || op === Op.Or) {
      const absorbing = op === Op.And ? Op.False : Op.True;
      const neutral = op === Op.And ? Op.True : Op.False;
      if (this.ops[a] === absorbing || this.ops[b] === absorbing) return this.mk(absorbing);
      if (this.ops[a] === neutral) return b;
      if (this.ops[b] === neutral) return a;
      if (a === b) return a;
      if (a > b) [a, b] = [b, a];
    }
    const key = `${op},${a},${b}`;
    let id = this.nodeIds.get(key);
    if (id === undefined) {
      id = this.ops.length;
      this.ops.push(op);
      this.as.push(a);
      this.bs.push(b);
      this.nodeIds.set(key, id);
    }
    return id;
  }

  readonly nnfMemo = [new WeakMap<Formula, number>(), new WeakMap<Formula, number>()] as const;

  /**
   * Negation normal form of `f` (or of its negation when `positive` is false), hash-consed.
   * Memoized on object identity: sugar such as patterns builds formulas that share subtrees.
   */
  nnf(f: Formula, positive: boolean): number {
    const memo = this.nnfMemo[positive ? 1 : 0];
    let id = memo.get(f);
    if (id === undefined) {
      id = this.nnfUncached(f, positive);
      memo.set(f, id);
    }
    return id;
  }

  private nnfUncached(f: Formula, positive: boolean): number {
    switch (f.kind) {
      case "true": return this.mk(positive ? Op.True : Op.False);
      case "false": return this.mk(positive ? Op.False : Op.True);
      case "last": return positive ? this.mk(Op.WeakNext, this.mk(Op.False)) : this.mk(Op.Next, this.mk(Op.True));
      case "atom": return this.mk(positive ? Op.Atom : Op.NotAtom, this.atomIndex.get(f.name)!);
      case "not": return this.nnf(f.arg, !positive);
      case "and": return this.mk(positive ? Op.And : Op.Or, this.nnf(f.left, positive), this.nnf(f.right, positive));
      case "or": return this.mk(positive ? Op.Or : Op.And, this.nnf(f.left, positive), this.nnf(f.right, positive));
      case "implies": return this.mk(positive ? Op.Or : Op.And, this.nnf(f.left, !positive), this.nnf(f.right, positive));
      case "iff": {
        // a <-> b  =  (a -> b) & (b -> a);   !(a <-> b)  =  (a & !b) | (!a & b)
        const [l, nl, r, nr] = [this.nnf(f.left, true), this.nnf(f.left, false), this.nnf(f.right, true), this.nnf(f.right, false)];
        return positive
          ? this.mk(Op.And, this.mk(Op.Or, nl, r), this.mk(Op.Or, nr, l))
          : this.mk(Op.Or, this.mk(Op.And, l, nr), this.mk(Op.And, nl, r));
      }
      case "next": return this.mk(positive ? Op.Next : Op.WeakNext, this.nnf(f.arg, positive));
      case "weakNext": return this.mk(positive ? Op.WeakNext : Op.Next, this.nnf(f.arg, positive));
      case "eventually": return this.mk(positive ? Op.Eventually : Op.Always, this.nnf(f.arg, positive));
      case "always": return this.mk(positive ? Op.Always : Op.Eventually, this.nnf(f.arg, positive));
      case "until": return this.mk(positive ? Op.Until : Op.Release, this.nnf(f.left, positive), this.nnf(f.right, positive));
      case "release": return this.mk(positive ? Op.Release : Op.Until, this.nnf(f.left, positive), this.nnf(f.right, positive));
      case "weakUntil": return this.mk(positive ? Op.WeakUntil : Op.StrongRelease, this.nnf(f.left, positive), this.nnf(f.right, positive));
      case "strongRelease": return this.mk(positive ? Op.StrongRelease : Op.WeakUntil, this.nnf(f.left, positive), this.nnf(f.right, positive));
      case "yesterday":
      case "weakYesterday":
      case "once":
      case "historically":
      case "since": {
        const p = this.past(f);
        return this.mk(positive ? Op.Past : Op.NotPast, this.carryIndex.get(p)!);
      }
    }
  }

  mkPast(op: PastOp, a = -1, b = -1): number {
    const key = `${op},${a},${b}`;
    let id = this.pastIds.get(key);
    if (id === undefined) {
      id = this.pastOps.length;
      this.pastOps.push(op);
      this.pastAs.push(a);
      this.pastBs.push(b);
      this.pastIds.set(key, id);
      if (op >= PastOp.Yesterday) {
        this.carryIndex.set(id, this.carries.length);
        this.carries.push(id);
      }
    }
    return id;
  }

  /** Interns a pure-past formula. */
  past(f: Formula): number {
    switch (f.kind) {
      case "true": return this.mkPast(PastOp.True);
      case "false": return this.mkPast(PastOp.False);
      case "atom": return this.mkPast(PastOp.Atom, this.atomIndex.get(f.name)!);
      case "not": return this.mkPast(PastOp.Not, this.past(f.arg));
      case "and": return this.mkPast(PastOp.And, this.past(f.left), this.past(f.right));
      case "or": return this.mkPast(PastOp.Or, this.past(f.left), this.past(f.right));
      case "implies": return this.mkPast(PastOp.Or, this.mkPast(PastOp.Not, this.past(f.left)), this.past(f.right));
      case "iff": {
        const l = this.past(f.left);
        const r = this.past(f.right);
        const nl = this.mkPast(PastOp.Not, l);
        const nr = this.mkPast(PastOp.Not, r);
        return this.mkPast(PastOp.Or, this.mkPast(PastOp.And, l, r), this.mkPast(PastOp.And, nl, nr));
      }
      case "yesterday": return this.mkPast(PastOp.Yesterday, this.past(f.arg));
      case "weakYesterday": return this.mkPast(PastOp.WeakYesterday, this.past(f.arg));
      case "once": return this.mkPast(PastOp.Once, this.past(f.arg));
      case "historically": return this.mkPast(PastOp.Historically, this.past(f.arg));
      case "since": return this.mkPast(PastOp.Since, this.past(f.left), this.past(f.right));
      default:
        throw new UnsupportedFormulaError(
          `the future operator '${f.kind}' appears inside a past operator; past operators may contain only atoms, Boolean connectives and past operators`,
        );
    }
  }

  private readonly conjunctions = new Map<number, number>();
  private readonly reducedConjuncts = new Map<number, number[] | null>();

  /**
   * The conjunction of two formulas in a canonical form: conjuncts flattened, deduplicated,
   * sorted, and those implied by another conjunct dropped. Canonical forms keep the set of
   * automaton states finite and small.
   */
  conjoin(f: number, g: number): number {
    const key = Math.min(f, g) * 0x200000 + Math.max(f, g);
    let result = this.conjunctions.get(key);
    if (result === undefined) {
      result = this.conjoinUncached(f, g);
      this.conjunctions.set(key, result);
    }
    return result;
  }

  private conjoinUncached(f: number, g: number): number {
    const left = this.conjunctsOf(f);
    const right = this.conjunctsOf(g);
    if (left === undefined || right === undefined) return this.mk(Op.False);
    // Each side is already reduced (no conjunct implies another), so only pairs across the two
    // sides need checking.
    const keptRight = right.filter((c) => !left.some((k) => this.implies(k, c)));
    const keptLeft = left.filter((c) => !keptRight.some((k) => this.implies(k, c)));
    return this.conjunctionOf([...new Set([...keptLeft, ...keptRight])].sort((x, y) => x - y));
  }

  /** The reduced conjuncts of a formula (cached), or `undefined` when one of them is `false`. */
  private conjunctsOf(f: number): number[] | undefined {
    const cached = this.reducedConjuncts.get(f);
    if (cached !== undefined) return cached === null ? undefined : cached;
    const conjuncts = new Set<number>();
    const collect = (x: number): void => {
      if (this.ops[x] === Op.And) {
        collect(this.as[x]!);
        collect(this.bs[x]!);
      } else conjuncts.add(x);
    };
    collect(f);
    let kept: number[] | undefined = [];
    for (const c of [...conjuncts].sort((x, y) => x - y)) {
      if (this.ops[c] === Op.False) {
        kept = undefined;
        break;
      }
      if (this.ops[c] === Op.True || kept.some((k) => this.implies(k, c))) continue;
      kept = kept.filter((k) => !this.implies(c, k));
      kept.push(c);
    }
    this.reducedConjuncts.set(f, kept ?? null);
    if (kept !== undefined) this.reducedConjuncts.set(this.conjunctionOf(kept), kept);
    return kept;
  }

  /** The canonical right-nested conjunction of sorted conjuncts. */
  private conjunctionOf(sorted: readonly number[]): number {
    if (sorted.length === 0) return this.mk(Op.True);
    let result = sorted[sorted.length - 1]!;
    for (let i = sorted.length - 2; i >= 0; i--) result = this.mk(Op.And, sorted[i]!, result);
    return result;
  }

  private readonly implication = new Map<number, boolean>();

  /** A sound, incomplete syntactic entailment check between NNF formulas (after Somenzi and Bloem). */
  implies(a: number, b: number): boolean {
    if (a === b) return true;
    const key = a * 0x200000 + b;
    const cached = this.implication.get(key);
    if (cached !== undefined) return cached;
    this.implication.set(key, false); // guards against cycles through shared subformulas
    const result = this.impliesUncached(a, b);
    this.implication.set(key, result);
    return result;
  }

  private impliesUncached(a: number, b: number): boolean {
    const opA = this.ops[a]!;
    const opB = this.ops[b]!;
    const a1 = this.as[a]!;
    const a2 = this.bs[a]!;
    const b1 = this.as[b]!;
    const b2 = this.bs[b]!;
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
