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
