import type { Formula } from "../../src/ltl/ast.js";

/**
 * A reference evaluator of LTLf (with past) over finite non-empty traces, written straight from the
 * textbook definitions with explicit quantifiers over positions. It shares nothing with the
 * compiler on purpose: the tests compare the two, so a shared helper would hide shared mistakes.
 */

export type Trace = readonly ReadonlySet<string>[];

/** Whether `formula` holds at `position` of `trace` (a formula holds on a trace when it holds at 0). */
export function holds(formula: Formula, trace: Trace, position = 0): boolean {
  if (trace.length === 0) throw new Error("holds: traces are non-empty");
  if (position < 0 || position >= trace.length) throw new Error(`holds: position ${position} outside the trace`);
  return new Evaluator(trace).at(formula, position);
}

/** The positions of `trace` where `formula` holds. */
export function positionsWhere(formula: Formula, trace: Trace): number[] {
  const evaluator = new Evaluator(trace);
  return trace.map((_, i) => i).filter((i) => evaluator.at(formula, i));
}

// Memo values: 0 = not computed yet, 1 = false, 2 = true. Keyed by node identity, which is sound
// because a node means the same thing wherever it is shared.
class Evaluator {
  private readonly memo = new Map<Formula, Uint8Array>();
  private readonly n: number;

  constructor(private readonly trace: Trace) {
    this.n = trace.length;
  }

  at(f: Formula, i: number): boolean {
    let row = this.memo.get(f);
    if (row === undefined) {
      row = new Uint8Array(this.n);
      this.memo.set(f, row);
    }
    const cached = row[i]!;
    if (cached !== 0) return cached === 2;
    const value = this.compute(f, i);
    row[i] = value ? 2 : 1;
    return value;
  }

  private compute(f: Formula, i: number): boolean {
    const n = this.n;
    const range = (from: number, to: number): number[] => {
      const out: number[] = [];
      for (let k = from; k < to; k++) out.push(k);
      return out;
    };
    switch (f.kind) {
      case "true":
        return true;
      case "false":
        return false;
      case "atom":
        return this.trace[i]!.has(f.name);
      case "last":
        return i === n - 1;
      case "not":
        return !this.at(f.arg, i);
      case "and":
        return this.at(f.left, i) && this.at(f.right, i);
      case "or":
        return this.at(f.left, i) || this.at(f.right, i);
      case "implies":
        return !this.at(f.left, i) || this.at(f.right, i);
      case "iff":
        return this.at(f.left, i) === this.at(f.right, i);
      case "next":
        return i + 1 < n && this.at(f.arg, i + 1);
      case "weakNext":
        return i + 1 >= n || this.at(f.arg, i + 1);
      case "eventually":
        return range(i, n).some((j) => this.at(f.arg, j));
      case "always":
        return range(i, n).every((j) => this.at(f.arg, j));
      case "until":
        // ∃ j ≥ i. ψ@j ∧ ∀ k ∈ [i, j). φ@k
        return range(i, n).some((j) => this.at(f.right, j) && range(i, j).every((k) => this.at(f.left, k)));
      case "release":
        // ∀ j ≥ i. ψ@j ∨ ∃ k ∈ [i, j). φ@k — ψ holds until and including the step where φ does, or forever.
        return range(i, n).every((j) => this.at(f.right, j) || range(i, j).some((k) => this.at(f.left, k)));
      case "weakUntil":
        return (
          range(i, n).some((j) => this.at(f.right, j) && range(i, j).every((k) => this.at(f.left, k))) ||
          range(i, n).every((j) => this.at(f.left, j))
        );
      case "strongRelease":
        // ψ U (φ ∧ ψ)
        return range(i, n).some(
          (j) => this.at(f.left, j) && this.at(f.right, j) && range(i, j).every((k) => this.at(f.right, k)),
        );
      case "yesterday":
        return i > 0 && this.at(f.arg, i - 1);
      case "weakYesterday":
        return i === 0 || this.at(f.arg, i - 1);
      case "once":
        return range(0, i + 1).some((j) => this.at(f.arg, j));
      case "historically":
        return range(0, i + 1).every((j) => this.at(f.arg, j));
      case "since":
        // ∃ j ≤ i. ψ@j ∧ ∀ k ∈ (j, i]. φ@k
        return range(0, i + 1).some((j) => this.at(f.right, j) && range(j + 1, i + 1).every((k) => this.at(f.left, k)));
    }
  }
}

/** A regular expression over single trace steps, for checking `pattern(...)` against a direct matcher. */
export type StepRegex =
  | { readonly t: "letter"; readonly test: (step: ReadonlySet<string>) => boolean; readonly text: string }
  | { readonly t: "seq"; readonly items: readonly StepRegex[] }
  | { readonly t: "alt"; readonly options: readonly StepRegex[] }
  | { readonly t: "repeat"; readonly item: StepRegex; readonly min: number; readonly max: number | undefined };

/**
 * Whether the whole of `trace` matches `regex`, by backtracking: `match(r, i, k)` tries every way
 * `r` can consume a prefix of `trace[i..]` and asks the continuation `k` about where it stopped.
 */
export function matchesRegex(regex: StepRegex, trace: Trace): boolean {
  const n = trace.length;
  const match = (r: StepRegex, i: number, k: (j: number) => boolean): boolean => {
    switch (r.t) {
      case "letter":
        return i < n && r.test(trace[i]!) && k(i + 1);
      case "seq": {
        const from = (index: number, j: number): boolean =>
          index === r.items.length ? k(j) : match(r.items[index]!, j, (after) => from(index + 1, after));
        return from(0, i);
      }
      case "alt":
        return r.options.some((o) => match(o, i, k));
      case "repeat": {
        // `count` iterations done so far; iterations past the minimum must consume something, or a
        // repetition of an empty-matching item would loop forever without changing the outcome.
        const times = (count: number, j: number): boolean => {
          if (count >= r.min && k(j)) return true;
          if (r.max !== undefined && count >= r.max) return false;
          return match(r.item, j, (after) => (count >= r.min && after === j ? false : times(count + 1, after)));
        };
        return times(0, i);
      }
    }
  };
  return match(regex, 0, (j) => j === n);
}
