import { describe, expect, it } from "vitest";
import { BenchPlanError, runBench, type BenchSuite } from "../../src/search/bench.js";
import { benchMarkdown, benchSvg, costSvg, statisticsMarkdown } from "../../src/search/bench-report.js";
import type { Budget, Environment, SearchProblem, SearchResult, Strategy, Task } from "../../src/search/types.js";

/** A test stand-in: reach 3 by +1 steps; a "lucky" strategy succeeds when the budget allows 3 steps. */
const env: Environment<number, number> = {
  name: "count-to-3",
  reversible: true,
  initial: () => 0,
  legalActions: () => [1],
  step: async (s, a) => ({ state: s + a, done: s + a >= 3 }),
  stateKey: (s) => String(s),
  actionKey: (a) => String(a),
  describe: (a) => `+${a}`,
};

const walker: Strategy = {
  name: "walk",
  async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
    let state = problem.environment.initial();
    const actions: A[] = [];
    let done = false;
    while (!done && !budget.exhausted()) {
      const [proposal] = await problem.policy.propose(state, 1, budget);
      if (proposal === undefined) break;
      budget.spend("envSteps");
      const outcome = await problem.environment.step(state, proposal.action);
      actions.push(proposal.action);
      state = outcome.state;
      done = outcome.done;
    }
    return { actions, finalState: state, done, stop: done ? "done" : "budget", tree: [], spent: budget.snapshot() };
  },
};

const broken: Strategy = {
  name: "broken",
  async search(): Promise<never> {
    throw new Error("boom");
  },
};

const tasks: Task<number, number>[] = [0, 1, 2].map((i) => ({ id: `t${i}`, environment: env, judge: (s) => ({ success: s === 3, score: s / 3 }) }));

const suite: BenchSuite<number, number> = {
  name: "count",
  tasks: () => tasks,
  problem: (task) => ({
    environment: task.environment,
    policy: { name: "stand-in", propose: async (_s, _k, budget) => (budget.charge("policy", { calls: 1 }), [{ action: 1, frequency: 1 }]) },
    random: () => 0.5,
  }),
  limits: (amount) => ({ modelCalls: amount }),
  budgetUnit: "model calls",
  strategies: ["walk", "broken"],
};

describe("the search benchmark harness", () => {
  it("runs the grid, judges finished episodes, and summarizes with intervals", async () => {
    const progress: number[] = [];
    const report = await runBench({
      suites: [suite as BenchSuite],
      strategies: { walk: walker, broken, unused: walker },
      budgets: [2, 3],
      seeds: 2,
      tasksPerSeed: 2,
      onProgress: (done) => progress.push(done),
    });
    expect(report.episodes.length).toBe(2 * 2 * 2 * 2);
    const walk2 = report.cells.find((c) => c.strategy === "walk" && c.budget === 2)!;
    const walk3 = report.cells.find((c) => c.strategy === "walk" && c.budget === 3)!;
    expect(walk2.success.estimate).toBe(0);
    expect(walk3.success.estimate).toBe(1);
    expect(walk3.modelCalls).toBe(3);
    expect(report.cells.find((c) => c.strategy === "broken")!.success.estimate).toBe(0);
    expect(report.skipped).toEqual(["unused on count"]);
    expect(progress.at(-1)).toBe(16);
    const md = benchMarkdown(report, [suite as BenchSuite]);
    expect(md).toContain("| walk | 3 | 4 | 100.0% [");
    expect(md).toContain("finished but failed");
    expect(md).toContain("Budget unit: model calls.");
    expect(md).toContain("episodes ended in an error");
    expect(benchSvg(report, [suite as BenchSuite], [2, 3])).toContain("<svg");
    expect(costSvg(report, [suite as BenchSuite])).toContain("vs tokens");
    expect(statisticsMarkdown(report, [suite as BenchSuite], [0.5])).toMatch(/\| walk \* \| 3 \[3, 3\] \|/);
  });

  it("refuses a grid where nothing can run, saying why, and one too large to hold", async () => {
    await expect(runBench({ suites: [suite as BenchSuite], strategies: { unused: walker }, budgets: [2], seeds: 1, tasksPerSeed: 1 })).rejects.toThrow(
      new BenchPlanError("nothing to run: no strategy given is meaningful for the environments given (unused on count)"),
    );
    await expect(runBench({ suites: [suite as BenchSuite], strategies: { walk: walker }, budgets: [2], seeds: 100_000_000, tasksPerSeed: 100_000_000 })).rejects.toThrow(/the grid would run 300,000,000 searches/);
  });
});
