import { describe, expect, it } from "vitest";
import { findSuite } from "../../src/envs/suites.js";
import { callKey, type ToolCall } from "../../src/envs/tool-planning-apis.js";
import { GrowingPlanMemory, PlanMemory } from "../../src/search/astar.js";
import { runBench, type BenchCell, type BenchSuite } from "../../src/search/bench.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type SearchProblem, type SearchResult, type Strategy, type Task } from "../../src/search/types.js";
import { StandInAllLegal } from "./stand-ins.js";

describe("ToolChain* memory grown with successes", () => {
  it("keeps a task's own plans out of its search, and leaves the seed untouched", () => {
    const seed = new PlanMemory([["a", "b"]]);
    const grown = new GrowingPlanMemory(seed, "judged");
    expect(grown.learn("t1", ["x", "y"], { done: true, success: false })).toBe(false);
    expect(grown.learn("t1", ["x", "y"], { done: false, success: true })).toBe(false);
    expect(grown.learn("t1", ["s", "r", "answer"], { done: true, success: true })).toBe(true);
    expect(grown.memory.size).toBe(2);
    expect(seed.size).toBe(1);
    expect(grown.memory.excluding("t1").plans).toEqual([["a", "b"]]);
    expect(grown.memory.excluding("t2").plans).toEqual([["a", "b"], ["s", "r", "answer"]]);
    const self = new GrowingPlanMemory(seed, "terminal");
    expect(self.learn("t1", ["x"], { done: true })).toBe(true);
    expect(self.learn("t2", ["y"], { done: false })).toBe(false);
  });

  it("a task's earlier plan does not change its later search; another task's does", async () => {
    // The stand-in toolbox from toolchain.test.ts in miniature: only search → read → answer ends.
    const tools = ["calc", "search", "read", "answer"];
    const env = {
      name: "toolbox",
      reversible: true,
      initial: () => [] as readonly string[],
      legalActions: () => tools,
      step: async (plan: readonly string[], action: string) => ({
        state: [...plan, action],
        done: action === "answer" && plan.includes("read") && plan.includes("search"),
      }),
      stateKey: (plan: readonly string[]) => plan.join(">"),
      actionKey: (a: string) => a,
      describe: (a: string) => a,
    };
    const problem = { environment: env, policy: new StandInAllLegal(env), random: seededRandom(1) };
    const expansions = (r: SearchResult<unknown, unknown>) => r.tree.filter((n) => n.expandedAt !== undefined).length;
    const grown = new GrowingPlanMemory(new PlanMemory(), "judged");
    const blind = await grown.strategyFor("t1", { k: 4 }).search(problem, new Budget());
    grown.learn("t1", blind.actions as string[], { done: blind.done, success: true });
    const rerun = await grown.strategyFor("t1", { k: 4 }).search(problem, new Budget());
    expect(rerun.tree).toEqual(blind.tree);
    const other = await grown.strategyFor("t2", { k: 4 }).search(problem, new Budget());
    expect(expansions(other)).toBeLessThan(expansions(blind));
  });

  it("the benchmark gives each (strategy, budget, seed) cell its own state, told its tasks in order", async () => {
    const seen: string[] = [];
    const made: string[] = [];
    const strategy: Strategy = {
      name: "s",
      async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
        const state = problem.environment.initial();
        return { actions: [], finalState: state, done: true, stop: "done", tree: [], spent: budget.snapshot() };
      },
    };
    const env = {
      name: "e",
      reversible: true,
      initial: () => 0,
      legalActions: () => [],
      step: async () => ({ state: 0, done: true }),
      stateKey: () => "0",
      actionKey: () => "",
      describe: () => "",
    };
    const tasks: Task<number, number>[] = ["a", "b", "c"].map((id) => ({ id, environment: env, judge: () => ({ success: true, score: 1 }) }));
    const suite: BenchSuite<number, number> = {
      name: "cells",
      tasks: () => tasks,
      problem: (task) => ({ environment: task.environment, policy: { name: "p", propose: async () => [] }, random: () => 0 }),
      limits: (amount) => ({ modelCalls: amount }),
      budgetUnit: "calls",
      strategies: ["learner"],
      cell: (name, budget, seed): BenchCell => {
        const cell = `${name}@${budget}#${seed}`;
        made.push(cell);
        const learned: string[] = [];
        return {
          strategy: (task) => {
            seen.push(`${cell}:${task.id}[${learned.join(",")}]`);
            return strategy;
          },
          learn: (task) => void learned.push(task.id),
        };
      },
    };
    await runBench({ suites: [suite as BenchSuite], strategies: { learner: strategy }, budgets: [1, 2], seeds: 2, tasksPerSeed: 2 });
    expect(made).toEqual(["learner@1#1", "learner@1#2", "learner@2#1", "learner@2#2"]);
    for (const cell of made) {
      const mine = seen.filter((s) => s.startsWith(`${cell}:`));
      expect(mine).toHaveLength(2);
      // The first task sees nothing learned; the second sees only the first.
      expect(mine[0]).toMatch(/\[\]$/);
      const first = mine[0]!.slice(cell.length + 1, cell.length + 2);
      expect(mine[1]).toMatch(new RegExp(`\\[${first}\\]$`));
    }
  });

  it("on tool planning: memory grows, no task meets its own plan, and reruns give the same results", async () => {
    const suite = await findSuite("tool-planning")!.create("simulated");
    const cell = suite.cell!("astar-grow", 400, 1)!;
    const tasks = suite.tasks().slice(0, 6);
    const outcomes: string[] = [];
    let grew = 0;
    const learnedFrom = new Set<string>();
    const learned: { task: Task<unknown, unknown>; result: SearchResult<unknown, unknown>; verdict: { success: boolean; score: number } }[] = [];
    for (const task of tasks) {
      const problem = suite.problem(task, 1);
      const result = await cell.strategy(task).search(problem, new Budget(suite.limits(400)));
      const verdict = result.done ? task.judge(result.finalState) : { success: false, score: 0 };
      // The plan found for a task is not in the memory that searched it (it is learned after).
      expect(learnedFrom.has(task.id)).toBe(false);
      cell.learn!(task, result, verdict);
      learned.push({ task, result, verdict });
      if (verdict.success) {
        grew++;
        learnedFrom.add(task.id);
      }
      outcomes.push(`${task.id}:${verdict.success}:${(result.actions as ToolCall[]).map(callKey).join(" ")}`);
    }
    expect(grew).toBeGreaterThan(0);

    // The same task searched again in the same cell cannot use its own remembered plan: the
    // search is the one a memory without that plan would run.
    const again = tasks.find((t) => learnedFrom.has(t.id))!;
    const rerun = await cell.strategy(again).search(suite.problem(again, 1), new Budget(suite.limits(400)));
    // The memory it would have had if that task had never succeeded: the other plans learned, in order.
    const fresh = suite.cell!("astar-grow", 400, 1)!;
    for (const { task, result, verdict } of learned) if (task.id !== again.id) fresh.learn!(task, result, verdict);
    const withoutOwn = await fresh.strategy(again).search(suite.problem(again, 1), new Budget(suite.limits(400)));
    expect(rerun.tree).toEqual(withoutOwn.tree);

    // The benchmark run is deterministic, and each cell starts from the train split alone.
    const run = () => runBench({ suites: [suite], strategies: { "astar-grow": { name: "x", search: () => Promise.reject(new Error("unused")) } }, budgets: [32], seeds: 1, tasksPerSeed: 4 });
    const [a, b] = [await run(), await run()];
    expect(a.episodes.map(({ wallMs: _w, ...e }) => e)).toEqual(b.episodes.map(({ wallMs: _w, ...e }) => e));
  }, 60_000);
});
