import type { BenchSuite } from "../search/bench.js";

/** Which policy drives the search: simulated (a known, seeded error model) or the constrained decoder on llama.cpp. */
export type PolicyKind = "simulated" | "llama";

/** An environment as the `bench` and `plan` commands see it. */
export interface SuiteFactory {
  readonly name: string;
  readonly description: string;
  /** Policies this environment supports. */
  readonly policies: readonly PolicyKind[];
  create(policy: PolicyKind): Promise<BenchSuite>;
}

/** Every environment the benchmark knows, by name. */
export const SUITES: readonly SuiteFactory[] = [];

export function findSuite(name: string): SuiteFactory | undefined {
  return SUITES.find((s) => s.name === name);
}
