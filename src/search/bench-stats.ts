/**
 * Small statistics for search benchmarks: success rates with Wilson score intervals (honest at
 * 0% and 100%, where the normal approximation collapses to a point), and means with t intervals.
 */

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

const Z95 = 1.959963984540054;

/** The 95% Wilson score interval of a proportion `successes / trials`. */
export function wilsonInterval(successes: number, trials: number): Interval {
  if (trials <= 0) return { estimate: NaN, low: 0, high: 1 };
  const p = successes / trials;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Two-sided 97.5% quantiles of Student's t for small degrees of freedom (then the normal value). */
const T975 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];

/** The mean of `values` with a 95% t interval (a point when there is one value). */
export function meanInterval(values: readonly number[]): Interval {
  const n = values.length;
  if (n === 0) return { estimate: NaN, low: NaN, high: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { estimate: mean, low: mean, high: mean };
  const variance = values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1);
  const t = T975[n - 1] ?? Z95;
  const half = t * Math.sqrt(variance / n);
  return { estimate: mean, low: mean - half, high: mean + half };
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A seeded generator for resampling (mulberry32): the same seed, the same intervals. */
function resampler(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A step function of the budget: `points[i] = [from, value]` holds from budget `from` until the next point (0 before the first). */
export interface StepCurve {
  /** The resampling unit (a task): curves of the same unit are resampled together. */
  readonly unit: string;
  readonly points: readonly (readonly [number, number])[];
}

/** The value of a step curve at a budget. */
export function curveAt(points: readonly (readonly [number, number])[], budget: number): number {
  let value = 0;
  for (const [from, v] of points) {
    if (from > budget) break;
    value = v;
  }
  return value;
}

interface Events {
  /** Budgets where some curve changes, ascending. */
  readonly budgets: readonly number[];
  /** For each budget, the (curve index, change) pairs. */
  readonly changes: readonly (readonly (readonly [number, number])[])[];
}

function eventsOf(curves: readonly StepCurve[]): Events {
  const byBudget = new Map<number, [number, number][]>();
  curves.forEach((curve, i) => {
    let previous = 0;
    for (const [from, v] of curve.points) {
      if (v === previous) continue;
      const list = byBudget.get(from) ?? [];
      list.push([i, v - previous]);
      byBudget.set(from, list);
      previous = v;
    }
  });
  const budgets = [...byBudget.keys()].sort((a, b) => a - b);
  return { budgets, changes: budgets.map((b) => byBudget.get(b)!) };
}

/** The least budget at which the weighted mean of the curves reaches `level` (Infinity: never). */
function reachWith(events: Events, weights: readonly number[], level: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return Infinity;
  let sum = 0;
  for (let i = 0; i < events.budgets.length; i++) {
    for (const [curve, change] of events.changes[i]!) sum += weights[curve]! * change;
    if (sum / total >= level - 1e-12) return events.budgets[i]!;
  }
  return Infinity;
}

/** The least budget at which the mean success of the curves reaches `level` (Infinity: never within the runs). */
export function budgetToReach(curves: readonly StepCurve[], level: number): number {
  return reachWith(eventsOf(curves), curves.map(() => 1), level);
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i]!;
}

/** Task-level bootstrap weights: units drawn with replacement, each curve weighted by its unit's count. */
function bootstrapWeights(units: readonly string[], random: () => number): (curveUnits: readonly string[]) => number[] {
  const distinct = [...new Set(units)];
  const counts = new Map<string, number>();
  for (let i = 0; i < distinct.length; i++) {
    const u = distinct[Math.min(distinct.length - 1, Math.floor(random() * distinct.length))]!;
    counts.set(u, (counts.get(u) ?? 0) + 1);
  }
  return (curveUnits) => curveUnits.map((u) => counts.get(u) ?? 0);
}

export interface BootstrapOptions {
  /** Resamples. Default 2000. */
  readonly resamples?: number;
  /** Seed of the resampling. Default 1. */
  readonly seed?: number;
}

/** The budget to reach `level` with a task-level bootstrap 95% percentile interval (bounds may be Infinity). */
export function budgetToReachInterval(curves: readonly StepCurve[], level: number, options: BootstrapOptions = {}): Interval {
  const events = eventsOf(curves);
  const estimate = reachWith(events, curves.map(() => 1), level);
  const random = resampler(options.seed ?? 1);
  const units = curves.map((c) => c.unit);
  const draws: number[] = [];
  for (let r = 0; r < (options.resamples ?? 2000); r++) draws.push(reachWith(events, bootstrapWeights(units, random)(units), level));
  draws.sort((a, b) => a - b);
  return { estimate, low: percentile(draws, 0.025), high: percentile(draws, 0.975) };
}

export interface PairedComparison {
  /** Budget A needs to reach the level over budget B needs (below 1: A needs less), with its interval. */
  readonly ratio: Interval;
  /** A's budget and B's, each with its interval. */
  readonly a: Interval;
  readonly b: Interval;
  /** Paired success difference A − B at the largest common budget, with its interval. */
  readonly successDifference: Interval;
  readonly atBudget: number;
  /** Episodes paired (same task and seed under both). */
  readonly pairs: number;
}

/**
 * Compares two strategies on the same episodes (task and seed): the ratio of the budgets each needs
 * to reach `level`, and the success difference at `atBudget`, with task-level bootstrap intervals
 * (both strategies resampled together). Curves are matched by `key`; unmatched ones are left out.
 */
export function pairedComparison(
  a: readonly (StepCurve & { readonly key: string })[],
  b: readonly (StepCurve & { readonly key: string })[],
  level: number,
  atBudget: number,
  options: BootstrapOptions = {},
): PairedComparison {
  const byKey = new Map(b.map((c) => [c.key, c]));
  const left = a.filter((c) => byKey.has(c.key));
  const right = left.map((c) => byKey.get(c.key)!);
  const ea = eventsOf(left);
  const eb = eventsOf(right);
  const ones = left.map(() => 1);
  const diff = (weights: readonly number[]) => {
    const total = weights.reduce((s, w) => s + w, 0);
    if (total <= 0) return NaN;
    let sum = 0;
    left.forEach((c, i) => (sum += weights[i]! * (curveAt(c.points, atBudget) - curveAt(right[i]!.points, atBudget))));
    return sum / total;
  };
  const ratioOf = (x: number, y: number) => (x === Infinity && y === Infinity ? NaN : x / y);
  const random = resampler(options.seed ?? 1);
  const units = left.map((c) => c.unit);
  const ra: number[] = [];
  const rb: number[] = [];
  const rr: number[] = [];
  const rd: number[] = [];
  for (let r = 0; r < (options.resamples ?? 2000); r++) {
    const w = bootstrapWeights(units, random)(units);
    const x = reachWith(ea, w, level);
    const y = reachWith(eb, w, level);
    ra.push(x);
    rb.push(y);
    const q = ratioOf(x, y);
    if (!Number.isNaN(q)) rr.push(q);
    rd.push(diff(w));
  }
  for (const list of [ra, rb, rr, rd]) list.sort((p, q) => p - q);
  const x = reachWith(ea, ones, level);
  const y = reachWith(eb, ones, level);
  return {
    ratio: { estimate: ratioOf(x, y), low: percentile(rr, 0.025), high: percentile(rr, 0.975) },
    a: { estimate: x, low: percentile(ra, 0.025), high: percentile(ra, 0.975) },
    b: { estimate: y, low: percentile(rb, 0.025), high: percentile(rb, 0.975) },
    successDifference: { estimate: diff(ones), low: percentile(rd, 0.025), high: percentile(rd, 0.975) },
    atBudget,
    pairs: left.length,
  };
}
