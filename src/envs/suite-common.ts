/** What every benchmark suite shares: the policy kinds, the factory shape, seeded role randomness, the model-call unit. */
import type { BenchSuite } from "../search/bench.js";
import { seededRandom } from "../search/random.js";
import type { ModelRoles } from "../search/roles/model-roles.js";
import { plainPrompt, type PromptRenderer } from "../search/decoder-policy.js";
import type { SearchProblem } from "../search/types.js";

/** Which policy drives the search: simulated (a known, seeded error model) or the constrained decoder on llama.cpp. */
export type PolicyKind = "simulated" | "llama";

/**
 * The adjustable parts of the simulated roles through which ground truth reaches a search (each
 * suite documents its defaults; unset: the default).
 */
export interface SimulationOptions {
  /** Tool planning: the probability that a sample not following the plan is a premature `finish` (default 0.05). */
  readonly finishRate?: number;
  /** Thought graphs: the standard deviation of the operator's score noise (default 1; 0 is GoT's exact scorer). */
  readonly scoreNoise?: number;
}

/** An environment as the `bench` and `plan` commands see it. */
export interface SuiteFactory {
  readonly name: string;
  readonly description: string;
  /** Policies this environment supports. */
  readonly policies: readonly PolicyKind[];
  /**
   * The suite for a run. With `model`, the run's model plays the roles it names: the llama.cpp
   * policy is built on its backend (with its chat template), and the value, world model, critic
   * and clusterer are model-backed wherever the environment has a text rendering.
   */
  create(policy: PolicyKind, options?: SimulationOptions, model?: ModelRoles): Promise<BenchSuite>;
}

/** Seeds for the simulated roles of one episode: distinct per role, task and seed, the same on every run. */
export function roleRandom(taskId: string, seed: number, role: number): () => number {
  let h = 2166136261;
  for (const ch of `${taskId}#${seed}#${role}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return seededRandom(h >>> 0);
}

/** The unit of model-call budgets, as tables and plots name it. */
export const MODEL_CALLS_UNIT = "model calls (one sampled completion of any role)";


/** The prompt renderer of a run's model (its chat template), or plain text. */
export function policyPrompt(model: ModelRoles | undefined): PromptRenderer {
  return model === undefined ? plainPrompt : (text) => model.render(text);
}

/**
 * A suite's problem with the run's model in the roles it plays besides the policy (the suites
 * build their llama.cpp policy themselves, on the model's backend).
 */
export function withModel<S, A>(model: ModelRoles | undefined, problem: SearchProblem<S, A>): SearchProblem<S, A> {
  return model === undefined ? problem : model.apply(problem, { modelPolicy: false });
}
