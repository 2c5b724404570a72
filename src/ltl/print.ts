import { formulaSize, type BinaryKind, type Formula, type UnaryKind } from "./ast.js";

/**
 * Prints formulas in the concrete syntax, with the fewest parentheses that still parse back to the
 * same tree. Precedence, loosest first: `<->` (left), `->` (right), `|` (left), `&` (left),
 * `U R W M S` (right), then the prefix operators.
 */

export const UNARY_SYMBOL: Record<UnaryKind, string> = {
  not: "!",
  next: "X",
  weakNext: "WX",
  eventually: "F",
  always: "G",
  yesterday: "Y",
  weakYesterday: "WY",
  once: "O",
  historically: "H",
};

export const BINARY_SYMBOL: Record<BinaryKind, string> = {
  iff: "<->",
  implies: "->",
  or: "|",
  and: "&",
  until: "U",
  release: "R",
  weakUntil: "W",
  strongRelease: "M",
  since: "S",
};

const PRECEDENCE: Record<BinaryKind, number> = {
  iff: 1,
  implies: 2,
  or: 3,
  and: 4,
  until: 5,
  release: 5,
  weakUntil: 5,
  strongRelease: 5,
  since: 5,
};
const RIGHT_ASSOCIATIVE = new Set<BinaryKind>(["implies", "until", "release", "weakUntil", "strongRelease", "since"]);
const UNARY_PRECEDENCE = 6;
const ATOMIC_PRECEDENCE = 7;

function precedenceOf(f: Formula): number {
  if ("left" in f) return PRECEDENCE[f.kind];
  if ("arg" in f) return UNARY_PRECEDENCE;
  return ATOMIC_PRECEDENCE;
}

/** Formulas whose tree is larger than this are not printed (sugar shares subformulas, so a small formula can have a vast tree). */
export const MAX_PRINTED_NODES = 10_000_000;

export function formulaToString(formula: Formula): string {
  const size = formulaSize(formula);
  if (size > MAX_PRINTED_NODES) {
    throw new RangeError(`formulaToString: the formula written out would have ${size.toExponential(2)} operators and atoms (its subformulas are shared), more than ${MAX_PRINTED_NODES}`);
  }
  // A stack of pending pieces (text, or a formula to print at a minimum precedence), so that
  // deeply nested formulas print without recursion.
  const out: string[] = [];
  const pending: (string | [Formula, number])[] = [[formula, 0]];
  while (pending.length > 0) {
    const piece = pending.pop()!;
    if (typeof piece === "string") {
      out.push(piece);
      continue;
    }
    const [f, minimum] = piece;
    const parenthesize = precedenceOf(f) < minimum;
    const parts = bareParts(f);
    if (parenthesize) pending.push(")");
    for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
    if (parenthesize) pending.push("(");
  }
  return out.join("");
}

/** A formula printed without outer parentheses, as text and the subformulas in between. */
function bareParts(f: Formula): (string | [Formula, number])[] {
  switch (f.kind) {
    case "true":
    case "false":
    case "last":
      return [f.kind];
    case "atom":
      return [f.name];
  }
  if ("arg" in f) {
    const symbol = UNARY_SYMBOL[f.kind];
    // `!` hugs its argument; letter operators need a space unless a parenthesis separates them
    // (a binary argument is always parenthesized, and nothing else prints starting with one).
    const hug = symbol === "!" || precedenceOf(f.arg) < UNARY_PRECEDENCE;
    return [hug ? symbol : `${symbol} `, [f.arg, UNARY_PRECEDENCE]];
  }
  const p = PRECEDENCE[f.kind];
  const right = RIGHT_ASSOCIATIVE.has(f.kind);
  return [[f.left, right ? p + 1 : p], ` ${BINARY_SYMBOL[f.kind]} `, [f.right, right ? p : p + 1]];
}
