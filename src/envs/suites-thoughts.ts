/**
 * Graph-of-Thoughts tasks as benchmark suites (see `suites.ts` for the budget unit: operations,
 * counted as GoT and ARIES count them). The thought operator is the simulated LLM (errors grow
 * with sub-problem size; its scores carry noise, so keep-best does not see ground truth); the
 * controller that picks operations is the simulated proposer or the llama.cpp policy.
 */
import type { BenchSuite, StrategyParameters } from "../search/bench.js";
import { mcts } from "../search/mcts.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "../search/types.js";
import { game24Backend } from "./game24-llama.js";
import { thoughtDecoder, thoughtLlamaPolicy } from "./thought-graph-llama.js";
import {
  createThoughtGraphTask,
  densestGotSchedule,
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
import { decoderPolicyHooks, policyPrompt, roleRandom, withModel, type SuiteFactory } from "./suite-common.js";

/**
 * GoT's static schedule as a strategy: the densest schedule (`densestGotSchedule`) whose
 * operations fit the budget, run in its fixed order. It plans from the budget's limit, so it is
 * not prefix-monotone: the benchmark runs it once per budget.
 */
export function gotSchedule(): Strategy {
  return {
    name: "got",
    prefixMonotone: false,
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const environment = problem.environment as unknown as ThoughtGraphEnvironment;
      const limit = budget.limits.envSteps ?? Infinity;
      const schedule = densestGotSchedule(Number.isFinite(limit) ? limit : 1e6, environment.scoring);
      if (schedule === undefined) {
        return { actions: [], finalState: problem.environment.initial(), done: false, stop: "budget", tree: [], spent: budget.snapshot() };
      }
      const run = await runGotSchedule(environment, schedule);
      for (const action of run.actions) budget.spend("envSteps", environment.stepCost(action));
      return {
        actions: run.actions as unknown as A[],
        finalState: run.state as unknown as S,
        done: true,
        stop: "done",
        tree: [],
        spent: budget.snapshot(),
      };
    },
  };
}

/** Depth limit of MCTS on thought graphs: room for GoT's decomposition into eight (split, 8 solves, 7 merges, answer: 17) and some retries. */
const THOUGHT_DEPTH = 24;

/**
 * MCTS variants for the thought graphs (docs/search-benchmark.md compares them):
 * - `mcts`: RAP / llm-reasoners' MCTS (lazy expansion, simulation along the highest fast reward,
 *   summed rewards, the max-reward terminal path), UCT, depth 24, until the budget is spent;
 * - `mcts-puct`: the same with PUCT (the proposals' frequencies as priors);
 * - `mcts-widen`: the same with progressive widening (up to ⌈√N⌉ children after N visits);
 * - `mcts-eager`: the earlier form — every child stepped and judged on expansion, no simulation,
 *   the leaf's value backed up, the most visited path as the answer.
 */
export const MCTS_VARIANTS: Readonly<Record<string, (parameters?: StrategyParameters) => Strategy>> = {
  "mcts-puct": (parameters) => mcts({ iterations: Infinity, maxDepth: THOUGHT_DEPTH, prior: true, ...parameters }),
  "mcts-widen": (parameters) => mcts({ iterations: Infinity, maxDepth: THOUGHT_DEPTH, widening: { coefficient: 1, exponent: 0.5 }, ...parameters }),
  "mcts-eager": (parameters) => mcts({ iterations: Infinity, maxDepth: THOUGHT_DEPTH, expansion: "eager", simulate: "none", backup: "leaf", answer: "visits", ...parameters }),
};

function thoughtGraphSuite(name: string, description: string, make: (i: number) => ThoughtProblem): SuiteFactory {
  return {
    name,
    description,
    policies: ["simulated", "llama"],
    async create(policyKind, simulation = {}, model) {
      // With --policy llama the constrained decoder on the project's fitted model proposes the
      // operations (the LLM operator that carries them out stays the simulated one).
      const backend = policyKind === "llama" ? (model?.backend ?? (await game24Backend(undefined, 2048))) : undefined;
      const decoder = backend === undefined ? undefined : thoughtDecoder(backend, "in-step");
      // The simulated LLM errs on each element with probability 0.02·(n/8); its scores carry noise of standard deviation 1.
      const tasks = Array.from({ length: 50 }, (_, i) => {
        const problem = make(i + 1);
        const task = createThoughtGraphTask(problem, new SimulatedThoughtOperator({ base: 0.02, scoreNoise: simulation.scoreNoise ?? 1 }), { seed: i + 1, scoring: "in-step", maxSteps: 4096, maxThoughts: 64 });
        return { ...task, statement: `${description}: instance ${i + 1}` };
      });
      const suite: BenchSuite<ThoughtGraphState, ThoughtAction> = {
        name,
        tasks: () => tasks,
        problem: (task, seed): SearchProblem<ThoughtGraphState, ThoughtAction> => {
          const environment = task.environment as ThoughtGraphEnvironment;
          return withModel<ThoughtGraphState, ThoughtAction>(model, {
            environment,
            policy: decoder !== undefined ? thoughtLlamaPolicy(decoder, environment, seed, policyPrompt(model)) : new SimulatedThoughtPolicy(environment, roleRandom(task.id, seed, 1)),
            value: new ScoreBasedThoughtValue(environment),
            random: roleRandom(task.id, seed, 4),
          });
        },
        ...decoderPolicyHooks(backend, model),
        limits: (amount) => ({ envSteps: amount }),
        budgetResource: "envSteps",
        budgetUnit: "operations (LLM calls of the thought operator; scoring inside the producing step, keep-best and answer free)",
        strategies: ["greedy", "mcts", "best-first", "beam", "got", ...Object.keys(MCTS_VARIANTS)],
        strategy: (strategyName, parameters) =>
          strategyName === "got"
            ? gotSchedule()
            : strategyName === "mcts"
              ? mcts({ iterations: Infinity, maxDepth: THOUGHT_DEPTH, ...parameters })
              : MCTS_VARIANTS[strategyName]?.(parameters),
      };
      return suite as unknown as BenchSuite;
    },
  };
}

export function thoughtGraphSuites(): SuiteFactory[] {
  return [
    thoughtGraphSuite("sorting-32", "sort 32 digits (Graph-of-Thoughts task and error scorer)", (i) => generateSortingProblem(32, i)),
    thoughtGraphSuite("sorting-64", "sort 64 digits (Graph-of-Thoughts task and error scorer)", (i) => generateSortingProblem(64, i)),
    thoughtGraphSuite("set-intersection-64", "intersect two sets of 64 numbers (Graph-of-Thoughts)", (i) => generateSetIntersectionProblem(64, i)),
    thoughtGraphSuite("keyword-counting", "count country names in a generated text (Graph-of-Thoughts)", (i) => generateKeywordCountingProblem(i)),
  ];
}
