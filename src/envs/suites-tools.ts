/**
 * Tool planning as benchmark suites (see `suites.ts` for the budget unit):
 * - `tool-planning`: the test split; ToolChain*'s memory from the train split's plans;
 * - `tool-planning-live`: the same tasks on a live session that cannot be branched
 *   (`LiveToolEnvironment`): backtracking resets and replays;
 * - `tool-planning-unseen`: the tasks of templates (task kinds) the memory never saw — one held
 *   out per domain — with the memory from the train split of the other templates, to measure how
 *   much of A*'s gain comes from tasks recurring between train and test.
 */
import { astar, GrowingPlanMemory, PlanMemory, toolChainCost } from "../search/astar.js";
import type { BenchSuite, StrategyParameters } from "../search/bench.js";
import { mcts } from "../search/mcts.js";
import type { SearchProblem, Strategy } from "../search/types.js";
import type { ToolCall } from "./tool-planning-apis.js";
import { LiveToolEnvironment } from "./tool-planning-live.js";
import { toolLlamaPolicy } from "./tool-planning-llama.js";
import { memoryFrom, planKeys, toolMemoryKey, type MemoryKeying } from "./tool-planning-memory.js";
import { SimulatedToolPolicy, SimulatedToolValue } from "./tool-planning-policy.js";
import { generateToolTasks, type ToolState, type ToolTask } from "./tool-planning.js";
import { game24Backend } from "./game24-llama.js";
import { decoderPolicyHooks, MODEL_CALLS_UNIT, policyPrompt, roleRandom, withModel, type SuiteFactory } from "./suite-common.js";

/** The templates held out of memory in `tool-planning-unseen`: one per domain. */
export const UNSEEN_KINDS: readonly string[] = ["contact-cheapest", "flight-car", "filter-sum"];

/** The simulated policy's error model: the plan's next step in 40% of samples, a premature `finish` in 5% of the rest; 3 samples per proposal unless a strategy asks for more. */
const POLICY = { accuracy: 0.4, samples: 3, pFinish: 0.05 } as const;

/**
 * A* variants on tool planning:
 * - `astar`: ToolChain* as the paper runs it — goal test at generation, the geometric step score,
 *   h on g's scale, imagined plans (one counted model call per generated node), memory keyed by
 *   API names and argument roles;
 * - `astar-noimagine`: the same without imagination (what the imagined plans cost and bring);
 * - `astar-literal`: memory keyed by literal calls (arguments included): only tasks that recur
 *   between train and test can match;
 * - `astar-legacy`: the earlier form, for the record (goal test at expansion, linear step cost,
 *   h a share of a plan, no imagination, literal keys);
 * - `astar-nomemory`: `astar` with an empty memory (what the memory brings);
 * - `astar-at-expansion`: `astar` with the goal test when a node is popped (what the goal test at generation brings);
 * - `astar-grow`, `astar-grow-self`: `astar` with the memory grown during a run (see `cell`).
 */
export const ASTAR_VARIANTS = ["astar", "astar-noimagine", "astar-literal", "astar-legacy", "astar-nomemory", "astar-at-expansion"] as const;

function astarVariant(name: string, task: ToolTask, memories: Readonly<Record<MemoryKeying, PlanMemory>>, memoryOverride?: PlanMemory, parameters: StrategyParameters = {}): Strategy | undefined {
  const excluding = (keying: MemoryKeying) => (memoryOverride ?? memories[keying]).excluding(task.id);
  switch (name) {
    case "astar":
      return astar<ToolState, ToolCall>({ cost: toolChainCost(excluding("roles")), key: toolMemoryKey("roles", task.instruction), ...parameters });
    case "astar-noimagine":
      return astar<ToolState, ToolCall>({ cost: toolChainCost(excluding("roles"), { imagination: false }), key: toolMemoryKey("roles", task.instruction), ...parameters });
    case "astar-literal":
      return astar<ToolState, ToolCall>({ cost: toolChainCost(excluding("literal")), key: toolMemoryKey("literal", task.instruction), ...parameters });
    case "astar-nomemory":
      return astar<ToolState, ToolCall>({ cost: toolChainCost(new PlanMemory()), key: toolMemoryKey("roles", task.instruction), ...parameters });
    case "astar-at-expansion":
      return astar<ToolState, ToolCall>({ goalTest: "expansion", cost: toolChainCost(excluding("roles")), key: toolMemoryKey("roles", task.instruction), ...parameters });
    case "astar-legacy":
      return astar<ToolState, ToolCall>({
        goalTest: "expansion",
        cost: toolChainCost(excluding("literal"), { combine: "linear", h: "fraction", imagination: false }),
        key: toolMemoryKey("literal", task.instruction),
        ...parameters,
      });
    default:
      return undefined;
  }
}

function toolSuite(name: string, description: string, options: { live?: boolean; unseen?: boolean }): SuiteFactory {
  return {
    name,
    description,
    policies: ["simulated", "llama"],
    async create(policyKind, simulation = {}, model) {
      // With --policy llama the constrained decoder on the project's fitted model proposes the calls under the protocol spec.
      const backend = policyKind === "llama" ? (model?.backend ?? (await game24Backend(undefined, 2048))) : undefined;
      const all = generateToolTasks();
      const seen = (t: ToolTask) => !UNSEEN_KINDS.includes(t.kind);
      const train = all.filter((t) => t.split === "train" && (!options.unseen || seen(t)));
      const base = options.unseen ? all.filter((t) => !seen(t)) : all.filter((t) => t.split === "test");
      const tasks: ToolTask[] = options.live
        ? base.map((t) => ({ ...t, environment: new LiveToolEnvironment(t.environment) as unknown as ToolTask["environment"], judge: t.judge, goal: t.goal }))
        : base;
      const memories: Record<MemoryKeying, PlanMemory> = { roles: memoryFrom(train, "roles"), api: memoryFrom(train, "api"), literal: memoryFrom(train, "literal") };
      const inner = (task: ToolTask) => (task.environment instanceof LiveToolEnvironment ? task.environment.inner : task.environment);
      const suite: BenchSuite<ToolState, ToolCall> = {
        name,
        tasks: () => tasks,
        problem: (task, seed): SearchProblem<ToolState, ToolCall> => {
          const toolTask = task as ToolTask;
          return withModel<ToolState, ToolCall>(model, {
            environment: toolTask.environment,
            policy:
              backend !== undefined
                ? toolLlamaPolicy(backend, { ...toolTask, environment: inner(toolTask) }, seed, policyPrompt(model))
                : new SimulatedToolPolicy(inner(toolTask), toolTask.referencePlan, { ...POLICY, pFinish: simulation.finishRate ?? POLICY.pFinish, random: roleRandom(task.id, seed, 1) }),
            value: new SimulatedToolValue(toolTask, { q: 0.8, random: roleRandom(task.id, seed, 2) }),
            random: roleRandom(task.id, seed, 4),
          });
        },
        ...decoderPolicyHooks(backend, model),
        limits: (amount) => ({ modelCalls: amount }),
        budgetResource: "modelCalls",
        budgetUnit: MODEL_CALLS_UNIT,
        strategies: options.unseen
          ? ["greedy", "bfs", ...ASTAR_VARIANTS]
          : ["greedy", "bfs", "dfs", ...ASTAR_VARIANTS, "astar-grow", "astar-grow-self", "best-first", "mcts"],
        strategy: (strategyName, parameters) => (strategyName === "mcts" ? mcts({ iterations: Infinity, ...parameters }) : undefined),
        taskStrategy: (strategyName, task, parameters) => astarVariant(strategyName, task as ToolTask, memories, undefined, parameters),
        // ToolChain*'s memory grown during a run: each cell (budget, seed) starts from the train
        // split alone and grows over its own tasks in order; a task's own plan is never in the
        // memory its search uses. "astar-grow" adds the plans the judge scored as successes (the
        // feedback ToolChain* learns from); "astar-grow-self" adds every plan that reached `finish`.
        learns: (strategyName) => strategyName === "astar-grow" || strategyName === "astar-grow-self",
        cell: (strategyName, _budget, _seed, parameters) => {
          if (strategyName !== "astar-grow" && strategyName !== "astar-grow-self") return undefined;
          const grown = new GrowingPlanMemory(memories.roles, strategyName === "astar-grow" ? "judged" : "terminal");
          return {
            strategy: (task) => astarVariant("astar", task as ToolTask, memories, grown.memory, parameters)!,
            learn: (task, result, verdict) => {
              grown.learn(task.id, planKeys(task as ToolTask, result.actions as readonly ToolCall[], "roles"), { done: result.done, success: verdict.success });
            },
          };
        },
      };
      return suite as unknown as BenchSuite;
    },
  };
}

export function toolPlanningSuites(): SuiteFactory[] {
  return [
    toolSuite("tool-planning", "tool planning over 36 typed APIs (home search, trip booking, spreadsheets), test split", {}),
    toolSuite("tool-planning-live", "the same tasks on a live session that cannot be branched: backtracking resets and replays", { live: true }),
    toolSuite("tool-planning-unseen", "tool planning on templates the memory never saw (one held out per domain)", { unseen: true }),
  ];
}
