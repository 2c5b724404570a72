import { describe, expect, it } from "vitest";
import { bestFirst } from "../../src/search/best-first.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type SearchProblem } from "../../src/search/types.js";
import { StandInAllLegal, StandInTableValue, StandInWords } from "./stand-ins.js";

const table = { "": 0.1, a: 0.3, b: 0.6, c: 0.2, ba: 0.5, bb: 0.4, bc: 0.3, aa: 0.35, bab: 0.95, abc: 0.7 };

function problem(env: StandInWords): SearchProblem<string, string> & { value: StandInTableValue } {
  return { environment: env, policy: new StandInAllLegal(env), value: new StandInTableValue(table, 0.05), random: seededRandom(9) };
}

const expanded = (tree: readonly { stateKey: string; expandedAt?: number }[]) =>
  tree
    .filter((node) => node.expandedAt !== undefined)
    .sort((a, b) => a.expandedAt! - b.expandedAt!)
    .map((node) => node.stateKey);

describe("best-first tree search", () => {
  it("expands the most valuable state first and stops at the threshold", async () => {
    const env = new StandInWords(true);
    const found = await bestFirst({ branching: 3, threshold: 0.9, maxDepth: 5 }).search(problem(env), new Budget());
    expect(found.actions).toEqual(["b", "a", "b"]);
    expect(found.stop).toBe("done");
    // "" → b (0.6) → ba (0.5) → bab (0.95) popped: stop.
    expect(expanded(found.tree)).toEqual(["", "b", "ba"]);
    expect(found.tree.find((node) => node.stateKey === "bab")?.scores.value).toBe(0.95);
  });

  it("averages n value samples per state", async () => {
    const env = new StandInWords(true);
    const p = problem(env);
    await bestFirst({ branching: 3, threshold: 0.9, valueSamples: 4 }).search(p, new Budget());
    // root + 3 children of each of 3 expansions, 4 samples each.
    expect(p.value.calls).toBe(4 * (1 + 3 * 3));
  });

  it("respects the most expansions c, returning the best state seen", async () => {
    const env = new StandInWords(true);
    const found = await bestFirst({ branching: 3, threshold: 2, maxExpansions: 2 }).search(problem(env), new Budget());
    expect(found.stop).toBe("budget");
    expect(expanded(found.tree)).toEqual(["", "b"]);
    expect(found.actions).toEqual(["b"]);
  });

  it("stops at a terminal state within the depth limit", async () => {
    const env = new StandInWords(true);
    const found = await bestFirst({ branching: 3, threshold: 2, maxExpansions: 100 }).search(problem(env), new Budget());
    // "" → b → ba → bab is terminal (0.95), the best frontier state once pushed.
    expect(found.actions).toEqual(["b", "a", "b"]);
    expect(found.done).toBe(true);
    expect(found.stop).toBe("done");
    const shallow = await bestFirst({ branching: 3, threshold: 2, maxDepth: 1 }).search(problem(new StandInWords(true)), new Budget());
    expect(shallow.stop).toBe("exhausted-frontier");
    expect(shallow.actions).toEqual(["b"]);
  });

  it("reset-and-replay on an irreversible environment reaches what direct branching reaches, counting the replays", async () => {
    const options = { branching: 3, threshold: 0.9 };
    const reversible = new StandInWords(true);
    const direct = await bestFirst(options).search(problem(reversible), new Budget());
    const irreversible = new StandInWords(false);
    const budget = new Budget();
    const replayed = await bestFirst(options).search(problem(irreversible), budget);
    expect(replayed.actions).toEqual(direct.actions);
    expect(replayed.finalState).toBe(direct.finalState);
    expect(replayed.tree).toEqual(direct.tree);
    expect(direct.replaySteps).toBe(0);
    expect(replayed.replaySteps).toBeGreaterThan(0);
    // Every step, replays included, is on the budget and happened in the environment.
    expect(replayed.spent.envSteps).toBe(irreversible.steps);
    expect(replayed.spent.envSteps).toBe(direct.spent.envSteps + (replayed.replaySteps ?? 0));
    // The real environment is left in the chosen state.
    expect(irreversible.realPosition).toBe("bab");
    // By hand: the children of "" need resets but no replayed step (0); each child of "b" follows
    // a sibling, so "b" is replayed before each (3·1); likewise "ba" before each of its (3·2);
    // settling on "bab" after its sibling "bac" replays b, a, b (3): 0 + 3 + 6 + 3 = 12.
    expect(replayed.replaySteps).toBe(12);
  });

  it("restores snapshots where the environment offers them, without replays", async () => {
    const options = { branching: 3, threshold: 0.9 };
    const direct = await bestFirst(options).search(problem(new StandInWords(true)), new Budget());
    const env = new StandInWords(false, ["a", "b", "c"], 3, true);
    const restored = await bestFirst(options).search(problem(env), new Budget());
    expect(restored.actions).toEqual(direct.actions);
    expect(restored.tree).toEqual(direct.tree);
    expect(restored.replaySteps).toBe(0);
    expect(restored.spent.envSteps).toBe(direct.spent.envSteps);
    expect(env.realPosition).toBe("bab");
  });
});
