import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PlanMemory, toolChainCost } from "../../src/search/astar.js";
import { STRATEGIES, seededRandom, type Strategy } from "../../src/search/index.js";
import { Budget, type BudgetLimits, type Policy, type SearchResult, type TreeNode } from "../../src/search/types.js";
import {
  StandInEmptyPolicy,
  StandInSampler,
  StandInThrowingPolicy,
  StandInValue,
  StandInWords,
  StandInWorldModel,
} from "./stand-ins.js";

const strategies: Record<string, () => Strategy> = {
  greedy: () => STRATEGIES.greedy({ samples: 3 }),
  bfs: () => STRATEGIES.bfs({ k: 3 }),
  dfs: () => STRATEGIES.dfs({ k: 3, maxDepth: 3 }),
  beam: () => STRATEGIES.beam({ width: 2, k: 3 }),
  astar: () => STRATEGIES.astar({ k: 3 }),
  "astar (ToolChain*)": () => STRATEGIES.astar({ k: 3, cost: toolChainCost(new PlanMemory([["a", "a", "a"]])) }),
  "astar (earlier form)": () =>
    STRATEGIES.astar({ k: 3, goalTest: "expansion", cost: toolChainCost(new PlanMemory([["a", "a", "a"]]), { combine: "linear", h: "fraction", imagination: false }) }),
  "best-first": () => STRATEGIES["best-first"]({ branching: 3, candidateSamples: 6, valueSamples: 2, valueBudget: 6, threshold: 0.99 }),
  "best-first (eager, single)": () => STRATEGIES["best-first"]({ branching: 3, candidateSamples: 6, valueSamples: 1, valueBudget: 6, values: "eager", loop: "single" }),
  mcts: () => STRATEGIES.mcts({ iterations: 30, k: 3 }),
  "mcts (PUCT, widening)": () => STRATEGIES.mcts({ iterations: 30, k: 3, prior: true, widening: { coefficient: 1, exponent: 0.5 } }),
  "mcts (earlier form)": () => STRATEGIES.mcts({ iterations: 30, k: 3, expansion: "eager", simulate: "none", backup: "leaf", answer: "visits" }),
  simura: () => STRATEGIES.simura({ samples: 8, keep: 2, criticSamples: 2 }),
};

function setup(seed: number, options: { reversible?: boolean; policy?: Policy<string, string> } = {}) {
  const env = new StandInWords(options.reversible ?? true, ["a", "b", "c"], 3);
  const random = seededRandom(seed);
  const policy = options.policy ?? new StandInSampler(env, seededRandom(seed + 1000));
  const value = new StandInValue<string>((state) => [...state].filter((ch) => ch === "a").length / 3);
  const worldModel = new StandInWorldModel<string, string>((state, action) => state + action);
  const calls = () => ((policy as { calls?: number }).calls ?? 0) + value.calls + worldModel.calls;
  return { env, policy, value, worldModel, calls, problem: { environment: env, policy, value, worldModel, random } };
}

function checkTree(tree: readonly TreeNode[]): void {
  tree.forEach((node, i) => {
    expect(node.id).toBe(i);
    if (i === 0) expect(node.parent).toBeUndefined();
    else expect(node.parent).toBeLessThan(i);
  });
  const order = tree.flatMap((node) => (node.expandedAt === undefined ? [] : [node.expandedAt])).sort((a, b) => a - b);
  expect(order).toEqual(order.map((_, i) => i));
}

const comparable = (found: SearchResult<string, string>) => ({
  actions: found.actions,
  finalState: found.finalState,
  done: found.done,
  stop: found.stop,
  tree: found.tree,
  modelCalls: found.spent.modelCalls,
  envSteps: found.spent.envSteps,
});

describe.each(Object.entries(strategies))("%s", (_name, make) => {
  it("runs to a result with a consistent tree", async () => {
    const { problem, env } = setup(1);
    const found = await make().search(problem, new Budget());
    checkTree(found.tree);
    expect(found.spent.envSteps).toBe(env.steps);
    expect(["done", "budget", "exhausted-frontier", "limit"]).toContain(found.stop);
    if (found.done) expect(found.finalState).toHaveLength(3);
    expect(found.finalState).toBe(found.actions.join(""));
  });

  it.each([1, 2, 3, 5, 8])("never exceeds a modelCalls limit of %i", async (limit) => {
    const { problem, calls } = setup(2);
    const budget = new Budget({ modelCalls: limit });
    const found = await make().search(problem, budget);
    expect(calls()).toBeLessThanOrEqual(limit);
    expect(budget.used.modelCalls).toBeLessThanOrEqual(limit);
    if (found.stop !== "done" && found.stop !== "limit") expect(found.stop).toBe(calls() === limit ? "budget" : found.stop);
  });

  it.each([1, 2, 4, 7])("never exceeds an envSteps limit of %i, replays included", async (limit) => {
    for (const reversible of [true, false]) {
      const { problem, env } = setup(3, { reversible });
      const budget = new Budget({ envSteps: limit });
      await make().search(problem, budget);
      expect(env.steps).toBeLessThanOrEqual(limit);
      expect(budget.used.envSteps).toBe(env.steps);
    }
  });

  it("never exceeds a tokens limit (10 tokens a sample)", async () => {
    const { problem, policy } = setup(4);
    const budget = new Budget({ tokens: 25 });
    await make().search(problem, budget);
    // 10 tokens a sample, the budget checked before each: at most 3 samples.
    expect((policy as StandInSampler<string>).calls).toBeLessThanOrEqual(3);
  });

  it("starts nothing when the time is up", async () => {
    const { problem, calls, env } = setup(5);
    const found = await make().search(problem, new Budget({ wallMs: 0 }));
    expect(calls()).toBe(0);
    expect(env.steps).toBe(0);
    expect(found.stop).toBe("budget");
    expect(found.actions).toEqual([]);
  });

  it("same seed, same tree; an irreversible twin gives the same tree", async () => {
    for (const seed of [1, 7, 42]) {
      const first = (await make().search(setup(seed).problem, new Budget({ modelCalls: 12 }))) as SearchResult<string, string>;
      const second = (await make().search(setup(seed).problem, new Budget({ modelCalls: 12 }))) as SearchResult<string, string>;
      expect(comparable(second)).toEqual(comparable(first));
      const twin = setup(seed, { reversible: false });
      const replayed = await make().search(twin.problem, new Budget({ modelCalls: 12 }));
      expect(replayed.tree).toEqual(first.tree);
      expect(replayed.actions).toEqual(first.actions);
      expect(replayed.spent.envSteps).toBe(twin.env.steps);
      expect(replayed.spent.envSteps).toBe(first.spent.envSteps + (replayed.replaySteps ?? 0));
    }
  });

  for (const [kind, Failing] of [
    ["throwing", StandInThrowingPolicy],
    ["empty", StandInEmptyPolicy],
  ] as const) {
    it(`survives a ${kind} policy, counting each attempt`, async () => {
      for (const limits of [{ modelCalls: 6 }, {}] as BudgetLimits[]) {
        const policy = new Failing();
        const { problem } = setup(6, { policy });
        const budget = new Budget(limits);
        const found = await make().search(problem, budget);
        expect(["budget", "exhausted-frontier", "limit"]).toContain(found.stop);
        expect(found.done).toBe(false);
        expect(found.actions).toEqual([]);
        expect(policy.calls).toBeGreaterThan(0);
        expect(budget.used.modelCalls).toBeGreaterThanOrEqual(policy.calls);
        if (limits.modelCalls !== undefined) expect(budget.used.modelCalls).toBeLessThanOrEqual(limits.modelCalls);
      }
    });
  }
});

describe("prefix runs: the episode at budget B is the unlimited run cut at B", () => {
  const prefixStrategies = Object.entries(strategies).filter(([, make]) => make().prefixMonotone === true);

  it("every strategy here is prefix-monotone", () => {
    expect(prefixStrategies.map(([name]) => name)).toEqual(Object.keys(strategies));
  });

  it.each(prefixStrategies)("%s", async (_name, make) => {
    const max = 40;
    for (const seed of [1, 2, 3]) {
      for (const reversible of [true, false]) {
        const cuts: { from: number; to: number; answer: { actions: readonly unknown[]; done: boolean } | undefined; calls: number }[] = [];
        const large = new Budget({ modelCalls: max });
        large.watch("modelCalls", max, ({ from, to }, answer, spent) => cuts.push({ from, to, answer, calls: spent.modelCalls }));
        const full = await make().search(setup(seed, { reversible }).problem, large);
        for (let b = 1; b <= max; b++) {
          const small = await make().search(setup(seed, { reversible }).problem, new Budget({ modelCalls: b }));
          const cut = cuts.find((c) => c.from <= b && b <= c.to);
          const expected = cut ? { actions: cut.answer?.actions, done: cut.answer?.done, calls: cut.calls } : { actions: full.actions, done: full.done, calls: full.spent.modelCalls };
          expect({ actions: small.actions, done: small.done, calls: small.spent.modelCalls }, `seed ${seed}, budget ${b}, reversible ${reversible}`).toEqual(expected);
        }
      }
    }
  });
});

describe("budgets, for any strategy, seed and limit", () => {
  it("no work starts once a limit is reached", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(strategies)),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom("modelCalls", "envSteps", "tokens"),
        fc.integer({ min: 0, max: 15 }),
        fc.boolean(),
        async (name, seed, resource, limit, reversible) => {
          const { problem, env, calls } = setup(seed, { reversible });
          const budget = new Budget({ [resource]: limit });
          const found = await strategies[name]!().search(problem, budget);
          expect(budget.used.envSteps).toBe(env.steps);
          if (resource === "modelCalls") expect(calls()).toBeLessThanOrEqual(limit);
          // A policy call spends its 10 tokens at once: none starts at or past the limit.
          if (resource === "tokens") expect(budget.used.tokens).toBeLessThan(limit + 10);
          if (resource === "envSteps") expect(env.steps).toBeLessThanOrEqual(limit);
          if (found.stop === "done" || found.done) expect(found.finalState).toHaveLength(3);
          expect(found.finalState).toBe(found.actions.join(""));
          checkTree(found.tree);
        },
      ),
      { numRuns: 200, seed: 20261124 },
    );
  });
});

describe("STRATEGIES", () => {
  it("names every strategy", () => {
    expect(Object.keys(STRATEGIES).sort()).toEqual(["astar", "beam", "best-first", "bfs", "dfs", "greedy", "mcts", "simura"]);
    for (const [name, make] of Object.entries(STRATEGIES)) expect(make().name).toBe(name);
  });
});

describe("seededRandom", () => {
  it("is reproducible, in [0, 1), and differs across seeds", () => {
    const a = seededRandom(12);
    const b = seededRandom(12);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(seededRandom(13)()).not.toBe(seededRandom(12)());
  });
});
