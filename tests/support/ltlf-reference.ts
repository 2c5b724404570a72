import type { Formula } from "../../src/ltl/ast.js";

/**
 * LTLf semantics read straight off the definitions, on one explicit non-empty trace: slow, but
 * a third opinion when the compiler and MONA disagree. A trace step is the set of atoms that hold.
 */
export function holds(formula: Formula, trace: readonly ReadonlySet<string>[]): boolean {
  if (trace.length === 0) throw new Error("holds: traces are non-empty");
  const n = trace.length;
  const memo = new Map<Formula, boolean[]>();
  const at = (f: Formula, i: number): boolean => {
    let row = memo.get(f);
    if (row === undefined) memo.set(f, (row = []));
    const cached = row[i];
    if (cached !== undefined) return cached;
    const value = compute(f, i);
    row[i] = value;
    return value;
  };
  const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
  const compute = (f: Formula, i: number): boolean => {
    switch (f.kind) {
      case "true": return true;
      case "false": return false;
      case "last": return i === n - 1;
      case "atom": return trace[i]!.has(f.name);
      case "not": return !at(f.arg, i);
      case "and": return at(f.left, i) && at(f.right, i);
      case "or": return at(f.left, i) || at(f.right, i);
      case "implies": return !at(f.left, i) || at(f.right, i);
      case "iff": return at(f.left, i) === at(f.right, i);
      case "next": return i + 1 < n && at(f.arg, i + 1);
      case "weakNext": return i + 1 >= n || at(f.arg, i + 1);
      case "eventually": return range(i, n).some((j) => at(f.arg, j));
      case "always": return range(i, n).every((j) => at(f.arg, j));
      case "until": return range(i, n).some((j) => at(f.right, j) && range(i, j).every((k) => at(f.left, k)));
      case "release": return range(i, n).every((j) => at(f.right, j) || range(i, j).some((k) => at(f.left, k)));
      case "weakUntil":
        return range(i, n).some((j) => at(f.right, j) && range(i, j).every((k) => at(f.left, k))) || range(i, n).every((j) => at(f.left, j));
      case "strongRelease":
        return range(i, n).some((j) => at(f.left, j) && at(f.right, j) && range(i, j).every((k) => at(f.right, k)));
      case "yesterday": return i > 0 && at(f.arg, i - 1);
      case "weakYesterday": return i === 0 || at(f.arg, i - 1);
      case "once": return range(0, i + 1).some((j) => at(f.arg, j));
      case "historically": return range(0, i + 1).every((j) => at(f.arg, j));
      case "since": return range(0, i + 1).some((j) => at(f.right, j) && range(j + 1, i + 1).every((k) => at(f.left, k)));
    }
  };
  return at(formula, 0);
}
