/**
 * The abstract syntax of LTLf formulas with past operators.
 *
 * Formulas are plain immutable trees, independent of any parser or compiler: the parser builds them,
 * the printer writes them back in the concrete syntax, and the compiler interns them into its own
 * tables. Sugar (macros, counting, patterns) is expanded by the parser, so only these kinds remain.
 */

export type UnaryKind =
  | "not"
  | "next" // X: strong next — there is a next step and the argument holds there
  | "weakNext" // WX: weak next — if there is a next step, the argument holds there
  | "eventually" // F
  | "always" // G
  | "yesterday" // Y: strong yesterday — there is a previous step and the argument held there
  | "weakYesterday" // WY: weak yesterday — if there is a previous step, the argument held there
  | "once" // O
  | "historically"; // H

export type BinaryKind =
  | "and"
  | "or"
  | "implies"
  | "iff"
  | "until" // U
  | "release" // R
  | "weakUntil" // W
  | "strongRelease" // M
  | "since"; // S

export type Formula =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  | { readonly kind: "last" }
  | { readonly kind: "atom"; readonly name: string }
  | { readonly kind: UnaryKind; readonly arg: Formula }
  | { readonly kind: BinaryKind; readonly left: Formula; readonly right: Formula };

export type UnaryFormula = Extract<Formula, { arg: Formula }>;
export type BinaryFormula = Extract<Formula, { left: Formula }>;

export const TRUE: Formula = Object.freeze({ kind: "true" });
export const FALSE: Formula = Object.freeze({ kind: "false" });
export const LAST: Formula = Object.freeze({ kind: "last" });

export const atom = (name: string): Formula => ({ kind: "atom", name });
export const unary = (kind: UnaryKind, arg: Formula): Formula => ({ kind, arg });
export const binary = (kind: BinaryKind, left: Formula, right: Formula): Formula => ({ kind, left, right });
export const not = (arg: Formula): Formula => unary("not", arg);
export const and = (left: Formula, right: Formula): Formula => binary("and", left, right);
export const or = (left: Formula, right: Formula): Formula => binary("or", left, right);
export const next = (arg: Formula): Formula => unary("next", arg);
export const eventually = (arg: Formula): Formula => unary("eventually", arg);

/** Conjunction of a list, `true` when empty (left-nested, as the parser builds `a & b & c`). */
export function conjunction(formulas: readonly Formula[]): Formula {
  if (formulas.length === 0) return TRUE;
  return formulas.reduce((acc, f) => and(acc, f));
}

/** Disjunction of a list, `false` when empty. */
export function disjunction(formulas: readonly Formula[]): Formula {
  if (formulas.length === 0) return FALSE;
  return formulas.reduce((acc, f) => or(acc, f));
}

export const UNARY_KINDS: readonly UnaryKind[] = [
  "not", "next", "weakNext", "eventually", "always", "yesterday", "weakYesterday", "once", "historically",
];
export const BINARY_KINDS: readonly BinaryKind[] = [
  "and", "or", "implies", "iff", "until", "release", "weakUntil", "strongRelease", "since",
];

export function isUnary(f: Formula): f is UnaryFormula {
  return "arg" in f;
}

export function isBinary(f: Formula): f is BinaryFormula {
  return "left" in f;
}

const PAST_KINDS = new Set<Formula["kind"]>(["yesterday", "weakYesterday", "once", "historically", "since"]);
const FUTURE_KINDS = new Set<Formula["kind"]>([
  "next", "weakNext", "eventually", "always", "until", "release", "weakUntil", "strongRelease", "last",
]);

export const isPastOperator = (kind: Formula["kind"]): boolean => PAST_KINDS.has(kind);
export const isFutureOperator = (kind: Formula["kind"]): boolean => FUTURE_KINDS.has(kind);

/** The atoms a formula mentions, in order of first occurrence. */
export function atomsOf(formula: Formula): string[] {
  const seen = new Set<string>();
  const visit = (f: Formula): void => {
    if (f.kind === "atom") seen.add(f.name);
    else if (isUnary(f)) visit(f.arg);
    else if (isBinary(f)) {
      visit(f.left);
      visit(f.right);
    }
  };
  visit(formula);
  return [...seen];
}

/** Structural equality (formulas are trees; shared subtrees compare by content). */
export function formulasEqual(a: Formula, b: Formula): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === "atom") return a.name === (b as typeof a).name;
  if (isUnary(a)) return formulasEqual(a.arg, (b as UnaryFormula).arg);
  if (isBinary(a)) {
    const other = b as BinaryFormula;
    return formulasEqual(a.left, other.left) && formulasEqual(a.right, other.right);
  }
  return true;
}

/** Number of nodes in the formula seen as a tree. */
export function formulaSize(f: Formula): number {
  if (isUnary(f)) return 1 + formulaSize(f.arg);
  if (isBinary(f)) return 1 + formulaSize(f.left) + formulaSize(f.right);
  return 1;
}
