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

/** The direct subformulas of a formula, left to right. */
export function childrenOf(f: Formula): readonly Formula[] {
  if (isUnary(f)) return [f.arg];
  if (isBinary(f)) return [f.left, f.right];
  return [];
}

// Formulas can be deep (a conjunction of thousands of formulas nests that deep) and are often
// DAGs (sugar shares subformulas, so the tree can be exponentially larger): every walk below uses
// an explicit stack and visits a shared subformula once.

/** The atoms a formula mentions, in order of first occurrence. */
export function atomsOf(formula: Formula): string[] {
  const atoms = new Set<string>();
  const seen = new Set<Formula>();
  const stack = [formula];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (f.kind === "atom") atoms.add(f.name);
    else if (isUnary(f)) stack.push(f.arg);
    else if (isBinary(f)) stack.push(f.right, f.left);
  }
  return [...atoms];
}

/** Structural equality (formulas are trees; shared subtrees compare by content). */
export function formulasEqual(a: Formula, b: Formula): boolean {
  const stack: [Formula, Formula][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (x.kind !== y.kind) return false;
    if (x.kind === "atom") {
      if (x.name !== (y as typeof x).name) return false;
    } else if (isUnary(x)) stack.push([x.arg, (y as UnaryFormula).arg]);
    else if (isBinary(x)) {
      const other = y as BinaryFormula;
      stack.push([x.right, other.right], [x.left, other.left]);
    }
  }
  return true;
}

/** Number of nodes in the formula seen as a tree (shared subformulas count each time they occur). */
export function formulaSize(formula: Formula): number {
  const size = new Map<Formula, number>();
  const stack = [formula];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (size.has(f)) {
      stack.pop();
      continue;
    }
    const children = childrenOf(f);
    const missing = children.filter((c) => !size.has(c));
    if (missing.length > 0) {
      stack.push(...missing);
      continue;
    }
    size.set(f, children.reduce((sum, c) => sum + size.get(c)!, 1));
    stack.pop();
  }
  return size.get(formula)!;
}

/** The formula with every atom replaced by `replace(name)`; shared subformulas stay shared. */
export function mapAtoms(formula: Formula, replace: (name: string) => Formula): Formula {
  const mapped = new Map<Formula, Formula>();
  const stack = [formula];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (mapped.has(f)) {
      stack.pop();
      continue;
    }
    const missing = childrenOf(f).filter((c) => !mapped.has(c));
    if (missing.length > 0) {
      stack.push(...missing);
      continue;
    }
    let result: Formula;
    if (f.kind === "atom") result = replace(f.name);
    else if (isUnary(f)) result = unary(f.kind, mapped.get(f.arg)!);
    else if (isBinary(f)) result = binary(f.kind, mapped.get(f.left)!, mapped.get(f.right)!);
    else result = f;
    mapped.set(f, result);
    stack.pop();
  }
  return mapped.get(formula)!;
}
