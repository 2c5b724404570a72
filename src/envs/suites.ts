import type { BenchSuite } from "../search/bench.js";
import { astar, GrowingPlanMemory, PlanMemory, toolChainCost } from "../search/astar.js";
import { seededRandom } from "../search/random.js";
import type { Budget, SearchProblem, SearchResult, Strategy, Task } from "../search/types.js";
import { createGame24Task, game24Puzzles, type Game24Action, type Game24Environment, type Game24State } from "./game24.js";
import { game24Backend, game24LlamaPolicy } from "./game24-llama.js";
import { DecoderPolicy } from "../search/decoder-policy.js";
import { mcts } from "../search/mcts.js";
import { SimulatedPolicy, SimulatedValue, SimulatedWorldModel } from "./simulated.js";
import {
  createThoughtGraphTask,
  generateKeywordCountingProblem,
  generateSetIntersectionProblem,
  generateSortingProblem,
  runGotSchedule,
  ScoreBasedThoughtValue,
  SimulatedThoughtOperator,
  SimulatedThoughtPolicy,
  ThoughtGraphEnvironment,
  type ThoughtAction,
  type ThoughtGraphState,
  type ThoughtProblem,
} from "./thought-graph.js";
import { callKey, type ToolCall } from "./tool-planning-apis.js";
import { generateToolTasks, trainingPlans, type ToolState, type ToolTask } from "./tool-planning.js";
import { SimulatedToolPolicy } from "./tool-planning-policy.js";
import { toolLlamaPolicy } from "./tool-planning-llama.js";
import { thoughtDecoder, thoughtLlamaPolicy } from "./thought-graph-llama.js";

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

/** Seeds for the simulated roles of one episode: distinct per role, task and seed, the same on every run. */
function roleRandom(taskId: string, seed: number, role: number): () => number {
  let h = 2166136261;
  for (const ch of `${taskId}#${seed}#${role}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return seededRandom(h >>> 0);
}

/** Game of 24: every solvable puzzle of four numbers 1–13; simulated proposer (40% of its 5 samples keep the puzzle solvable), critic (80% right) and world model (90% right). */
const game24: SuiteFactory = {
  name: "game24",
  description: "Game of 24, all 1,362 solvable puzzles (numbers 1–13), exact verifier",
  policies: ["simulated", "llama"],
  async create(policyKind) {
    const tasks = game24Puzzles().map((p, i) => createGame24Task(p.numbers, `g24-${String(i + 1).padStart(4, "0")}`));
    // With --policy llama the constrained decoder on the project's fitted model proposes the steps.
    const backend = policyKind === "llama" ? await game24Backend() : undefined;
    return {
      name: "game24",
      tasks: () => tasks,
      release: async (problem) => {
        if (problem.policy instanceof DecoderPolicy) await problem.policy.dispose();
      },
      ...(backend !== undefined ? { evaluatedTokens: () => backend.evaluatedTokens } : {}),
      close: async () => {
        await backend?.dispose();
      },
      problem: (task, seed): SearchProblem<Game24State, Game24Action> => ({
        environment: task.environment as Task<Game24State, Game24Action>["environment"],
        policy:
          backend !== undefined
            ? game24LlamaPolicy(backend, (task.environment as Game24Environment).numbers, seed)
            : new SimulatedPolicy(roleRandom(task.id, seed, 1), { pGood: 0.4, samples: 5 }),
        value: new SimulatedValue(roleRandom(task.id, seed, 2), { q: 0.8 }),
        worldModel: new SimulatedWorldModel(roleRandom(task.id, seed, 3), { r: 0.1 }),
        random: roleRandom(task.id, seed, 4),
      }),
      limits: (amount) => ({ modelCalls: amount }),
      budgetUnit: "model calls",
      strategies: ["greedy", "bfs", "dfs", "beam", "astar", "best-first", "mcts", "simura"],
    } as BenchSuite<Game24State, Game24Action> as BenchSuite;
  },
};

/**
 * GoT's static schedule as a strategy: the most thorough schedule (chunks, tries) whose operations
 * fit the budget, run in its fixed order. Each operation is one call of the (simulated) LLM.
 */
function gotSchedule(): Strategy {
  return {
    name: "got",
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const environment = problem.environment as unknown as ThoughtGraphEnvironment;
      const limit = budget.limits.envSteps ?? Infinity;
      for (const [chunks, tries] of [[8, 3], [8, 2], [4, 2], [8, 1], [4, 1], [2, 1], [1, 3], [1, 1]] as const) {
        // Schedules are tried from the most thorough down; the environment is reversible and
        // deterministic, so a schedule that does not fit the budget is simply discarded.
        const run = await runGotSchedule(environment, { chunks, tries });
        if (run.actions.length > limit) continue;
        budget.spend("envSteps", run.actions.length);
        return {
          actions: run.actions as unknown as A[],
          finalState: run.state as unknown as S,
          done: true,
          stop: "done",
          tree: [],
          spent: budget.snapshot(),
        };
      }
      return { actions: [], finalState: problem.environment.initial(), done: false, stop: "budget", tree: [], spent: budget.snapshot() };
    },
  };
}

/**
 * MCTS variants for the thought graphs (docs/search-benchmark.md analyzes them): plain `mcts` is
 * UCT with the defaults (k = 3, depth 10, 100 iterations, the most visited path). Each variant
 * adds one change to the one before it:
 * - `mcts-puct`: PUCT with the proposals' frequencies as priors, depth 64, iterations limited by the budget only;
 * - `mcts-best`: answers with the best-valued terminal state the tree reached (the environment is
 *   deterministic, so it is really reachable), not the most visited path, which may stop short;
 * - `mcts-widen`: progressive widening, up to ⌈√N⌉ children for a node visited N times (at least k);
 * - `mcts-rollout`: policy rollouts of up to 10 operations before the value scores a leaf.
 */
export const MCTS_VARIANTS: Readonly<Record<string, () => Strategy>> = {
  "mcts-puct": () => mcts({ prior: true, maxDepth: 64, iterations: Infinity }),
  "mcts-best": () => mcts({ prior: true, maxDepth: 64, iterations: Infinity, answer: "best-terminal" }),
  "mcts-widen": () => mcts({ prior: true, maxDepth: 64, iterations: Infinity, answer: "best-terminal", widening: { coefficient: 1, exponent: 0.5 } }),
  "mcts-rollout": () => mcts({ prior: true, maxDepth: 64, iterations: Infinity, answer: "best-terminal", rollout: "policy", rolloutDepth: 10 }),
};

function thoughtGraphSuite(name: string, description: string, make: (i: number) => ThoughtProblem): SuiteFactory {
  return {
    name,
    description,
    policies: ["simulated", "llama"],
    async create(policyKind) {
      // With --policy llama the constrained decoder on the project's fitted model proposes the
      // operations (the LLM operator that carries them out stays the simulated one).
      const backend = policyKind === "llama" ? await game24Backend(undefined, 2048) : undefined;
      const decoder = backend === undefined ? undefined : thoughtDecoder(backend);
      // The simulated LLM errs on each element with probability 0.02·(n/8): larger sub-problems are harder.
      const tasks = Array.from({ length: 50 }, (_, i) => createThoughtGraphTask(make(i + 1), new SimulatedThoughtOperator({ base: 0.02 }), { seed: i + 1 }));
      return {
        name,
        tasks: () => tasks,
        problem: (task, seed): SearchProblem<ThoughtGraphState, ThoughtAction> => {
          const environment = task.environment as ThoughtGraphEnvironment;
          return {
            environment,
            policy: decoder !== undefined ? thoughtLlamaPolicy(decoder, environment, seed) : new SimulatedThoughtPolicy(environment, roleRandom(task.id, seed, 1)),
            value: new ScoreBasedThoughtValue(environment),
            random: roleRandom(task.id, seed, 4),
          };
        },
        release: async (problem) => {
          if (problem.policy instanceof DecoderPolicy) await problem.policy.dispose();
        },
        ...(backend !== undefined ? { evaluatedTokens: () => backend.evaluatedTokens } : {}),
        close: async () => {
          await backend?.dispose();
        },
        // A llama.cpp proposal whose samples all name thoughts that do not exist costs model
        // calls but no operation, so with that policy model calls are capped too: the samples
        // of one proposal (4) per operation of the budget.
        limits: (amount) => (decoder !== undefined ? { envSteps: amount, modelCalls: 4 * amount } : { envSteps: amount }),
        budgetUnit: "graph operations (LLM calls)",
        strategies: ["greedy", "mcts", "best-first", "beam", "got", ...Object.keys(MCTS_VARIANTS)],
        strategy: (strategyName) => (strategyName === "got" ? gotSchedule() : MCTS_VARIANTS[strategyName]?.()),
      } as BenchSuite<ThoughtGraphState, ThoughtAction> as BenchSuite;
    },
  };
}

/** Tool planning: 240 generated tasks over 36 typed APIs; the test split; A* with ToolChain*'s costs and memory from the train split. */
const toolPlanning: SuiteFactory = {
  name: "tool-planning",
  description: "tool planning over 36 typed APIs (home search, trip booking, spreadsheets), test split",
  policies: ["simulated", "llama"],
  async create(policyKind) {
    // With --policy llama the constrained decoder on the project's fitted model proposes the calls under the protocol spec.
    const backend = policyKind === "llama" ? await game24Backend(undefined, 2048) : undefined;
    const all = generateToolTasks();
    const tasks = all.filter((t) => t.split === "test");
    const memory = PlanMemory.fromTrainSplit([...trainingPlans(all).values()].map((plan) => plan.map((call) => callKey(call))));
    return {
      name: "tool-planning",
      tasks: () => tasks,
      problem: (task, seed): SearchProblem<ToolState, ToolCall> => {
        const toolTask = task as ToolTask;
        return {
          environment: toolTask.environment,
          // The simulated LLM proposes the task's next plan step in 40% of its 3 samples.
          policy:
            backend !== undefined
              ? toolLlamaPolicy(backend, toolTask, seed)
              : new SimulatedToolPolicy(toolTask.environment, toolTask.referencePlan, { accuracy: 0.4, samples: 3, random: roleRandom(task.id, seed, 1) }),
          random: roleRandom(task.id, seed, 4),
        };
      },
      release: async (problem) => {
        if (problem.policy instanceof DecoderPolicy) await problem.policy.dispose();
      },
      ...(backend !== undefined ? { evaluatedTokens: () => backend.evaluatedTokens } : {}),
      close: async () => {
        await backend?.dispose();
      },
      limits: (amount) => ({ modelCalls: amount }),
      budgetUnit: "model calls",
      strategies: ["greedy", "bfs", "dfs", "astar", "astar-grow", "astar-grow-self"],
      strategy: (strategyName) => (strategyName === "astar" ? astar({ cost: toolChainCost(memory) }) : undefined),
      // ToolChain*'s memory grown during a run: each cell (budget, seed) starts from the train
      // split alone and grows over its own tasks in order; a task's own plan is never in the
      // memory its search uses. "astar-grow" adds the plans the judge scored as successes (the
      // feedback ToolChain* learns from); "astar-grow-self" adds every plan that reached `finish`
      // (no ground truth at all).
      cell: (strategyName) => {
        if (strategyName !== "astar-grow" && strategyName !== "astar-grow-self") return undefined;
        const grown = new GrowingPlanMemory(memory, strategyName === "astar-grow" ? "judged" : "terminal");
        return {
          strategy: (task) => grown.strategyFor(task.id),
          learn: (task, result, verdict) => {
            grown.learn(task.id, (result.actions as readonly ToolCall[]).map((call) => callKey(call)), { done: result.done, success: verdict.success });
          },
        };
      },
    } as BenchSuite<ToolState, ToolCall> as BenchSuite;
  },
};

/** Every environment the benchmark knows, by name. */
export const SUITES: readonly SuiteFactory[] = [
  toolPlanning,
  game24,
  thoughtGraphSuite("sorting-32", "sort 32 digits (Graph-of-Thoughts task and error scorer)", (i) => generateSortingProblem(32, i)),
  thoughtGraphSuite("sorting-64", "sort 64 digits (Graph-of-Thoughts task and error scorer)", (i) => generateSortingProblem(64, i)),
  thoughtGraphSuite("set-intersection-64", "intersect two sets of 64 numbers (Graph-of-Thoughts)", (i) => generateSetIntersectionProblem(64, i)),
  thoughtGraphSuite("keyword-counting", "count country names in a generated text (Graph-of-Thoughts)", (i) => generateKeywordCountingProblem(i)),
];

export function findSuite(name: string): SuiteFactory | undefined {
  return SUITES.find((s) => s.name === name);
}
