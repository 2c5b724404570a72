import type { BinaryKind, Formula, UnaryKind } from "./ast.js";

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

export function formulaToString(formula: Formula): string {
  return print(formula, 0);
}

function print(f: Formula, minimum: number): string {
  const text = printBare(f);
  return precedenceOf(f) < minimum ? `(${text})` : text;
}

function printBare(f: Formula): string {
  switch (f.kind) {
    case "true":
    case "false":
    case "last":
      return f.kind;
    case "atom":
      return f.name;
  }
  if ("arg" in f) {
    const arg = print(f.arg, UNARY_PRECEDENCE);
    const symbol = UNARY_SYMBOL[f.kind];
    // `!` hugs its argument; letter operators need a space unless a parenthesis separates them.
    return symbol === "!" || arg.startsWith("(") ? `${symbol}${arg}` : `${symbol} ${arg}`;
  }
  const p = PRECEDENCE[f.kind];
  const right = RIGHT_ASSOCIATIVE.has(f.kind);
  return `${print(f.left, right ? p + 1 : p)} ${BINARY_SYMBOL[f.kind]} ${print(f.right, right ? p : p + 1)}`;
}
