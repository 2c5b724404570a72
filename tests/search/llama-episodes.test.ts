import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSuite } from "../../src/envs/suites.js";
import type { BenchSuite } from "../../src/search/bench.js";
import { STRATEGIES } from "../../src/search/index.js";
import { Budget } from "../../src/search/types.js";

/**
 * End-to-end episodes with the real llama.cpp policy (the constrained decoder on the project's
 * fitted tiny model): every strategy runs, respects its budget, and only takes actions the
 * environment allows. The tiny model rarely solves a puzzle; that is not what is tested here.
 */
let suite: BenchSuite;

beforeAll(async () => {
  suite = await findSuite("game24")!.create("llama");
}, 300_000);

afterAll(async () => {
  await suite?.close?.();
});

describe("search with the llama.cpp policy (Game of 24)", () => {
  it("proposes legal first steps, with their sampling frequencies", async () => {
    const task = suite.tasks()[100]!;
    const problem = suite.problem(task, 1);
    try {
      const proposals = await problem.policy.propose(task.environment.initial(), 5, new Budget());
      expect(proposals.length).toBeGreaterThan(0);
      const legal = task.environment.legalActions(task.environment.initial()).map((a) => task.environment.actionKey(a));
      for (const p of proposals) expect(legal).toContain(task.environment.actionKey(p.action));
    } finally {
      await suite.release?.(problem);
    }
  }, 120_000);

  for (const name of ["greedy", "bfs", "astar", "best-first", "mcts", "simura"] as const) {
    it(`${name}: a whole episode within its budget, with legal actions only`, async () => {
      const task = suite.tasks()[100]!;
      const problem = suite.problem(task, 1);
      const budget = new Budget({ modelCalls: 6 });
      try {
        const result = await STRATEGIES[name]().search(problem, budget);
        expect(result.spent.modelCalls).toBeLessThanOrEqual(6);
        expect(["done", "budget", "exhausted-frontier"]).toContain(result.stop);
        let state = task.environment.initial();
        for (const action of result.actions) {
          const legal = task.environment.legalActions(state).map((a) => task.environment.actionKey(a));
          expect(legal).toContain(task.environment.actionKey(action));
          state = (await task.environment.step(state, action)).state;
        }
      } finally {
        await suite.release?.(problem);
      }
    }, 120_000);
  }
});
