import { FALSE, and, binary, disjunction, eventually, next, not, or, TRUE, type Formula } from "./ast.js";

/**
 * The sugar of the spec language, expanded into plain LTLf: counting (`at most N φ`) and
 * patterns (`pattern(R)`, a regular expression over steps).
 */

/** `at least n φ`: φ holds at n or more steps from now on; `at most n φ` is its complement for n + 1. */
export function countFormula(bound: "most" | "least" | "exactly", n: number, f: Formula): Formula {
  const atLeast = (k: number): Formula => {
    let result: Formula = TRUE;
    for (let i = 0; i < k; i++) result = eventually(i === 0 ? f : and(f, next(result)));
    return result;
  };
  if (bound === "least") return atLeast(n);
  if (bound === "most") return not(atLeast(n + 1));
  return and(atLeast(n), not(atLeast(n + 1)));
}

/** A pattern's regular expression with letters resolved to propositional formulas. */
export type Steps =
  | { readonly t: "seq"; readonly items: readonly Steps[] }
  | { readonly t: "alt"; readonly options: readonly Steps[] }
  | { readonly t: "repeat"; readonly item: Steps; readonly min: number; readonly max: number | undefined; readonly at: number }
  | { readonly t: "letter"; readonly formula: Formula };

/**
 * `pattern(R)` holds at step i when the trace from i to its end matches R.
 *
 * `after(R, k)` is the formula that holds at a step j when the steps from j + 1 on match R and
 * the step where R's match ends satisfies `k` (so `k` = `last` ends the trace there). It only
 * ever builds `X`, `|`, `U` and `k`, so the pattern at step i is `after(R, last)` read one step
 * earlier: drop the outer `X`s, and turn the bare continuation (an empty match) into `false`.
 */
export function patternFormula(steps: Steps, fail: (message: string, at: number) => Error, tick: () => void = () => {}): Formula {
  const end = { kind: "last" } as Formula; // a fresh object: identity marks the continuation
  const after = (s: Steps, k: Formula): Formula => {
    tick();
    switch (s.t) {
      case "letter":
        return next(and(s.formula, k));
      case "seq":
        return s.items.reduceRight((acc, item) => after(item, acc), k);
      case "alt":
        return disjunction(s.options.map((o) => after(o, k)));
      case "repeat": {
        if (s.max === undefined) {
          if (s.item.t !== "letter") throw fail("unbounded repetition ('*', '+', '{m,}') applies to a single step only; give an upper bound such as {0,5}", s.at);
          const letter = s.item.formula;
          // k | X(ℓ U (ℓ & k)): any number of ℓ-steps, then k where the last one ends.
          const star = or(k, next(binary("until", letter, and(letter, k))));
          let result = star;
          for (let i = 0; i < s.min; i++) result = after(s.item, result);
          return result;
        }
        let optional = k;
        for (let i = s.min; i < s.max; i++) optional = or(k, after(s.item, optional));
        let result = optional;
        for (let i = 0; i < s.min; i++) result = after(s.item, result);
        return result;
      }
    }
  };
  // Memoized on identity: `after` shares continuations, so the formula is a DAG, not a tree.
  // Disjunctions nest as deeply as the pattern is long, so this walks them with a stack.
  const earlier = new Map<Formula, Formula>();
  const direct = (f: Formula): Formula | undefined => (f === end ? FALSE : f.kind === "next" ? f.arg : earlier.get(f));
  const root = after(steps, end);
  const stack = [root];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (direct(f) !== undefined) {
      stack.pop();
      continue;
    }
    if (f.kind !== "or") throw new Error("patternFormula: unexpected shape");
    const left = direct(f.left);
    const right = direct(f.right);
    if (left === undefined || right === undefined) {
      if (right === undefined) stack.push(f.right);
      if (left === undefined) stack.push(f.left);
      continue;
    }
    tick();
    earlier.set(f, or(left, right));
    stack.pop();
  }
  return direct(root)!;
}

/**
 * About how many formula nodes `patternFormula` builds for these steps (repetitions multiply), so
 * a pattern can be refused before it is expanded.
 */
export function patternSize(s: Steps): number {
  switch (s.t) {
    case "letter":
      return 1;
    case "seq":
      return s.items.reduce((sum, item) => sum + patternSize(item), 1);
    case "alt":
      return s.options.reduce((sum, option) => sum + patternSize(option), 1);
    case "repeat":
      return (s.max ?? s.min + 1) * (patternSize(s.item) + 1) + 1;
  }
}

/** Whether a pattern can match nothing but the empty sequence (no step is ever consumed). */
export function matchesOnlyEmpty(s: Steps): boolean {
  switch (s.t) {
    case "letter":
      return false;
    case "seq":
      return s.items.every(matchesOnlyEmpty);
    case "alt":
      return s.options.every(matchesOnlyEmpty);
    case "repeat":
      return s.max === 0 || matchesOnlyEmpty(s.item);
  }
}
