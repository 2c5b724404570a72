/**
 * The benchmark reads every budget of a prefix-monotone strategy off one run at the largest budget.
 * That is sound only if the episode at budget B equals that run cut at B: checked here on the real
 * suites, for every strategy the checked-in grids read that way, against runs made at each budget.
 */
import { describe, expect, it } from "vitest";
import { findSuite } from "../../src/envs/suites.js";
import { pickStrategies } from "../../src/cli/bench.js";
import { runBench, type EpisodeRecord } from "../../src/search/bench.js";

const grids: readonly { env: string; strategies: string; budgets: number[] }[] = [
  { env: "game24", strategies: "greedy,bfs,dfs,beam,astar,best-first,mcts,simura", budgets: [5, 23, 77, 301, 700] },
  { env: "tool-planning", strategies: "greedy,bfs,dfs,astar,astar-noimagine,astar-literal,astar-legacy,astar-nomemory,astar-at-expansion,best-first,mcts", budgets: [5, 23, 77, 301, 700] },
  { env: "tool-planning-live", strategies: "greedy,bfs,astar,best-first,mcts", budgets: [7, 41, 150, 600] },
  { env: "sorting-32", strategies: "greedy,beam,best-first,mcts,mcts-puct,mcts-widen,mcts-eager", budgets: [3, 9, 27, 61] },
];

const comparable = (e: EpisodeRecord) => ({
  key: `${e.strategy}@${e.budget}#${e.seed}:${e.task}`,
  success: e.success,
  answered: e.answered,
  score: e.score,
  modelCalls: e.modelCalls,
  envSteps: e.envSteps,
  pathLength: e.pathLength,
});

describe("prefix runs on the real suites", () => {
  it.each(grids)("$env: every budget read off one run equals a run at that budget", async ({ env, strategies, budgets }) => {
    const suite = await findSuite(env)!.create("simulated");
    const options = { suites: [suite], strategies: pickStrategies(strategies), budgets, seeds: 2, tasksPerSeed: 2 };
    const prefix = await runBench(options);
    const separate = await runBench({ ...options, noPrefix: true });
    expect(prefix.perBudget).toEqual([]);
    expect(prefix.episodes.every((e) => e.prefix)).toBe(true);
    const sort = (xs: readonly EpisodeRecord[]) => xs.map(comparable).sort((a, b) => a.key.localeCompare(b.key));
    // Env steps differ only by the replays that leave an irreversible environment in the answer's state at the end.
    const withoutSteps = (xs: ReturnType<typeof sort>) => (env.endsWith("-live") ? xs.map(({ envSteps: _s, ...rest }) => rest) : xs);
    expect(withoutSteps(sort(prefix.episodes))).toEqual(withoutSteps(sort(separate.episodes)));
  }, 120_000);
});
