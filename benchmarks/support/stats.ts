/** Summary statistics shared by the benchmarks. */

/** The q-quantile of a sample (nearest rank on the sorted values); NaN for an empty sample. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The median (the mean of the two middle values of an even sample). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let total = 0;
  for (const v of values) total += v;
  return total / values.length;
}

export const maxOf = (values: readonly number[]): number => values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Rounds to 3 significant digits (no decimals lost for big numbers), for JSON and tables. */
export function r3(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return Number(x.toFixed(Math.min(digits, 6)));
}

/** A number for a table: 3 significant digits, thousands separators, "—" when missing. */
export const fmt = (x: number | null | undefined): string =>
  x === null || x === undefined || Number.isNaN(x) ? "—" : r3(x).toLocaleString("en-US", { maximumFractionDigits: 6 });

/** The percentiles the MaskBench tables report. */
export interface Percentiles {
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
  readonly count: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!);
  return {
    p25: r3(at(0.25)),
    p50: r3(at(0.5)),
    p75: r3(at(0.75)),
    p90: r3(at(0.9)),
    p95: r3(at(0.95)),
    p99: r3(at(0.99)),
    p999: r3(at(0.999)),
    max: r3(sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!),
    mean: r3(mean(values)),
    count: values.length,
  };
}

/** A seeded generator (mulberry32): the same seed gives the same sample. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Markdown table. */
export function table(header: readonly string[], align: readonly ("l" | "r")[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(align.map((a) => (a === "r" ? "---:" : "---"))), ...rows.map(line)].join("\n");
}
