import { ListInterner } from "./hash.js";
import { Op, type FormulaTable } from "./formulas.js";

/**
 * What a state owes the rest of the trace: a disjunction of terms `X φ` (there must be a next
 * step, and φ holds there) and `WX φ` (if there is a next step, φ holds there). Terms and
 * obligations are interned, so equal obligations are equal integers — the leaf values of the
 * compiler's decision diagrams.
 *
 * An obligation is a sorted list of terms none of which implies another; `true` is the one
 * holding `WX true` (nothing owed), `false` the empty one. Obligation ids start at `FIRST_VALUE`:
 * the diagram terminals 0 and 1 below it are booleans.
 */

export const FIRST_VALUE = 2;
/** The term WX true: nothing owed. */
export const TERM_TRUE = -2;
/** The term X false: unsatisfiable. */
export const TERM_FALSE = -1;

export class Obligations {
  readonly false: number;
  readonly true: number;

  // Terms X φ / WX φ by formula id (-1: not made yet).
  private strongTerm: Int32Array = new Int32Array(256).fill(-1);
  private weakTerm: Int32Array = new Int32Array(256).fill(-1);
  private readonly termStrong: boolean[] = [];
  private readonly termNode: number[] = [];

  // Value FIRST_VALUE + i is `dnfs[i]`.
  private readonly dnfs: (readonly number[])[] = [];
  private readonly lists = new ListInterner();
  private readonly dnfOfList = new Map<number, number>();
  /** By term: the obligation that is that term alone. */
  private readonly singleTermDnf: number[] = [];

  constructor(private readonly formulas: FormulaTable) {
    this.false = this.newDnf([]);
    this.true = this.newDnf([TERM_TRUE]);
  }

  /** The terms of an obligation (TERM_TRUE for `true`). */
  terms(dnf: number): readonly number[] {
    return this.dnfs[dnf - FIRST_VALUE]!;
  }

  /** The formula φ of the term `X φ` or `WX φ`. */
  formulaOf(term: number): number {
    return this.termNode[term]!;
  }

  /** Whether the trace may end in a state owing this: some term is weak. */
  accepts(dnf: number): boolean {
    return this.terms(dnf).some((t) => t === TERM_TRUE || !this.termStrong[t]);
  }

  /** The term X f (strong) or WX f; TERM_FALSE stands for `X false`, TERM_TRUE for `WX true`. */
  term(strong: boolean, f: number): number {
    if (strong && this.formulas.op(f) === Op.False) return TERM_FALSE;
    if (!strong && this.formulas.op(f) === Op.True) return TERM_TRUE;
    if (f >= this.strongTerm.length) {
      const size = Math.max(f + 1, this.strongTerm.length * 2);
      const grow = (old: Int32Array): Int32Array => {
        const next = new Int32Array(size).fill(-1);
        next.set(old);
        return next;
      };
      this.strongTerm = grow(this.strongTerm);
      this.weakTerm = grow(this.weakTerm);
    }
    const table = strong ? this.strongTerm : this.weakTerm;
    let id = table[f]!;
    if (id === -1) {
      id = this.termStrong.length;
      this.termStrong.push(strong);
      this.termNode.push(f);
      table[f] = id;
    }
    return id;
  }

  /** The obligation that is the single term `t` (or `true`, `false`). */
  single(t: number): number {
    if (t === TERM_FALSE) return this.false;
    if (t === TERM_TRUE) return this.true;
    let id = this.singleTermDnf[t];
    if (id === undefined) {
      id = this.intern([t]);
      this.singleTermDnf[t] = id;
    }
    return id;
  }

  /**
   * The conjunction of two obligations. Two terms merge into one, since `X α & X β`,
   * `X α & WX β` and `WX α & WX β` are `X(α & β)`, `X(α & β)` and `WX(α & β)`; the conjunction
   * is normalized (flattened, sorted, implied conjuncts dropped), so obligations that differ only
   * in redundant conjuncts — `X(F a & G F a)` and `X(G F a)` — become the same state. A merged
   * term may be contradictory (e.g. `WX false`, "this is the last step", with any `X`).
   */
  and(x: number, y: number): number {
    if (x === this.false || y === this.false) return this.false;
    if (x === this.true) return y;
    if (y === this.true) return x;
    const xs = this.terms(x);
    const ys = this.terms(y);
    if (xs.length === 1 && ys.length === 1) return this.single(this.mergeTerms(xs[0]!, ys[0]!));
    const terms: number[] = [];
    for (const t of xs) {
      for (const u of ys) {
        const merged = this.mergeTerms(t, u);
        if (merged === TERM_TRUE) return this.true;
        if (merged !== TERM_FALSE) terms.push(merged);
      }
    }
    return this.intern(terms);
  }

  or(x: number, y: number): number {
    if (x === this.true || y === this.true) return this.true;
    if (x === this.false) return y;
    if (y === this.false) return x;
    return this.intern([...this.terms(x), ...this.terms(y)]);
  }

  /** The one term equivalent to `t & u`. */
  private mergeTerms(t: number, u: number): number {
    return this.term(this.termStrong[t]! || this.termStrong[u]!, this.formulas.conjoin(this.termNode[t]!, this.termNode[u]!));
  }

  /**
   * Interns a DNF after removing duplicate terms and terms that imply another term (they add
   * nothing to the disjunction): e.g. `X(b) | X(a U b)` is `X(a U b)`. Without this, formula
   * progression through an until chain produces exponentially many equivalent obligations.
   */
  private intern(input: readonly number[]): number {
    let terms = [...new Set(input)].sort((a, b) => a - b);
    if (terms.length > 1) {
      terms = terms.filter((t) => !terms.some((k) => k !== t && this.termImplies(t, k) && !(this.termImplies(k, t) && k > t)));
    }
    const list = this.lists.intern(terms);
    let id = this.dnfOfList.get(list);
    if (id === undefined) {
      id = this.newDnf(terms);
      this.dnfOfList.set(list, id);
    }
    return id;
  }

  private newDnf(terms: readonly number[]): number {
    this.dnfs.push(terms);
    return this.dnfs.length - 1 + FIRST_VALUE;
  }

  /** `X α ⊨ X β`, `X α ⊨ WX β` and `WX α ⊨ WX β` when `α ⊨ β`. */
  private termImplies(u: number, t: number): boolean {
    if (u === t) return true;
    if (!this.termStrong[u] && this.termStrong[t]) return false;
    return this.formulas.implies(this.termNode[u]!, this.termNode[t]!);
  }
}
