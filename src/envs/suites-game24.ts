/** The Game of 24 as a benchmark suite (see `suites.ts` for the budget unit). */
import { mcts } from "../search/mcts.js";
import type { BenchSuite } from "../search/bench.js";
import type { SearchProblem, Task } from "../search/types.js";
import { createGame24Task, game24Puzzles, type Game24Action, type Game24Environment, type Game24State } from "./game24.js";
import { game24Backend, game24LlamaPolicy } from "./game24-llama.js";
import { SimulatedCritic, SimulatedPolicy, SimulatedValue, SimulatedWorldModel } from "./simulated.js";
import { decoderPolicyHooks, MODEL_CALLS_UNIT, policyPrompt, roleRandom, withModel, type SuiteFactory } from "./suite-common.js";

/**
 * Every solvable puzzle of four numbers 1–13. Simulated roles: the proposer (40% of its samples
 * keep the puzzle solvable; 5 samples per proposal unless a strategy asks for more), the value and
 * SimuRA's critic (the true verdict 80% of the time), the world model (90% right).
 */
export function game24Suite(): SuiteFactory {
  return {
    name: "game24",
    description: "Game of 24, all 1,362 solvable puzzles (numbers 1–13), exact verifier",
    policies: ["simulated", "llama"],
    async create(policyKind, _simulation, model) {
      const tasks = game24Puzzles().map((p, i) => {
        const task = createGame24Task(p.numbers, `g24-${String(i + 1).padStart(4, "0")}`);
        return { ...task, statement: `make 24 from ${p.numbers.join(" ")} with + - * /` };
      });
      // With --policy llama the constrained decoder on the project's fitted model proposes the steps.
      const backend = policyKind === "llama" ? (model?.backend ?? (await game24Backend())) : undefined;
      const suite: BenchSuite<Game24State, Game24Action> = {
        name: "game24",
        tasks: () => tasks,
        ...decoderPolicyHooks(backend, model),
        problem: (task, seed): SearchProblem<Game24State, Game24Action> => withModel<Game24State, Game24Action>(model, {
          environment: task.environment as Task<Game24State, Game24Action>["environment"],
          policy:
            backend !== undefined
              ? game24LlamaPolicy(backend, (task.environment as Game24Environment).numbers, seed, policyPrompt(model))
              : new SimulatedPolicy(roleRandom(task.id, seed, 1), { pGood: 0.4, samples: 5 }),
          value: new SimulatedValue(roleRandom(task.id, seed, 2), { q: 0.8 }),
          worldModel: new SimulatedWorldModel(roleRandom(task.id, seed, 3), { r: 0.1 }),
          critic: new SimulatedCritic(roleRandom(task.id, seed, 5), { q: 0.8 }),
          random: roleRandom(task.id, seed, 4),
        }),
        limits: (amount) => ({ modelCalls: amount }),
        budgetResource: "modelCalls",
        budgetUnit: MODEL_CALLS_UNIT,
        strategies: ["greedy", "bfs", "dfs", "beam", "astar", "best-first", "mcts", "simura"],
        // MCTS runs until the budget is spent (llm-reasoners' default is 10 iterations).
        strategy: (name, parameters) => (name === "mcts" ? mcts({ iterations: Infinity, ...parameters }) : undefined),
      };
      return suite as unknown as BenchSuite;
    },
  };
}
