/** What every benchmark suite shares: the policy kinds, the factory shape, seeded role randomness, the model-call unit. */
import type { BenchSuite } from "../search/bench.js";
import { seededRandom } from "../search/random.js";
import type { ModelRoles } from "../search/roles/model-roles.js";
import { DecoderPolicy, plainPrompt, type PromptRenderer } from "../search/decoder-policy.js";
import type { LlamaBackend } from "../decoder/llama.js";
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
  /** Web: the probability that a simulated policy sample is the reference plan's next action (default 0.5). */
  readonly rightRate?: number;
  /** Web: what drives the sites, the fast driver (default) or Chromium. */
  readonly driver?: "fast" | "chromium";
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

/**
 * The lifecycle hooks of a suite whose policy may be the constrained decoder on `backend`: each
 * problem's decoder policy is disposed after its episode, evaluated tokens are read off the
 * backend, and a backend the suite loaded itself (not the shared model's) is disposed at the end.
 */
export function decoderPolicyHooks<S, A>(backend: LlamaBackend | undefined, model: ModelRoles | undefined): Pick<BenchSuite<S, A>, "release" | "evaluatedTokens" | "close"> {
  return {
    release: async (problem) => {
      if (problem.policy instanceof DecoderPolicy) await problem.policy.dispose();
    },
    ...(backend !== undefined ? { evaluatedTokens: () => backend.evaluatedTokens } : {}),
    close: async () => {
      if (backend !== model?.backend) await backend?.dispose();
    },
  };
}
