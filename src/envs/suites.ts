/**
 * The environments as `ltlguard bench` and `plan` see them (`BenchSuite`s), with `--policy
 * simulated` (seeded error models, named `Simulated…`) or `llama` (the constrained decoder on the
 * project's fitted model).
 *
 * The budget unit. Tool planning and the Game of 24 limit **model calls**: one sampled completion
 * of any model role — one policy sample, one value or critic sample, one world-model prediction,
 * one imagined plan, one clustering answer — whichever policy drives the search (a simulated
 * proposal of s samples costs s calls, as s llama.cpp samples do). Thought graphs limit
 * **operations**: the thought operator's LLM calls (split, solve, refine, merge), counted the way
 * GoT and ARIES count them (a produced thought is scored inside its step; keep-best and answer are
 * programmatic and free); the controller policy's samples are reported as model calls.
 */
import { game24Suite } from "./suites-game24.js";
import { thoughtGraphSuites } from "./suites-thoughts.js";
import { toolPlanningSuites } from "./suites-tools.js";

import type { SuiteFactory } from "./suite-common.js";

export { MCTS_VARIANTS } from "./suites-thoughts.js";
export { ASTAR_VARIANTS, UNSEEN_KINDS } from "./suites-tools.js";
export { MODEL_CALLS_UNIT, roleRandom, type PolicyKind, type SimulationOptions, type SuiteFactory } from "./suite-common.js";

/** Every environment the benchmark knows, by name. */
export const SUITES: readonly SuiteFactory[] = [...toolPlanningSuites(), game24Suite(), ...thoughtGraphSuites()];

export function findSuite(name: string): SuiteFactory | undefined {
  return SUITES.find((s) => s.name === name);
}
