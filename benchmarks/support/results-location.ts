/**
 * Where a benchmark writes its results. The files under benchmarks/results/ are the checked-in
 * record the docs cite, so a run replaces them only when asked (`--record`); otherwise it writes to
 * a new folder under bench-results/ (git-ignored), and `--out DIR` picks any folder.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPOSITORY_ROOT = resolve(import.meta.dirname, "..", "..");
export const RECORDED_RESULTS = join(REPOSITORY_ROOT, "benchmarks", "results");

export interface ResultsLocation {
  readonly dir: string;
  /** Whether this run replaces the checked-in results. */
  readonly recorded: boolean;
}

/** A fresh folder per run: bench-results/<name>-<UTC time>/. */
export function freshResultsDir(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z");
  return join(REPOSITORY_ROOT, "bench-results", `${name}-${stamp}`);
}

/** Resolves `--record` / `--out DIR` (already parsed) to a folder, and creates it. */
export function resultsLocation(name: string, options: { readonly record?: boolean; readonly out?: string }): ResultsLocation {
  if (options.record === true && options.out !== undefined) throw new Error("give either --record or --out, not both");
  const dir = options.record === true ? RECORDED_RESULTS : options.out !== undefined ? resolve(options.out) : freshResultsDir(name);
  mkdirSync(dir, { recursive: true });
  return { dir, recorded: options.record === true };
}
