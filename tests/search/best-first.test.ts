import { describe, expect, it } from "vitest";
import { bestFirst } from "../../src/search/best-first.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type Policy, type ProposeContext, type SearchProblem, type Trajectory, type Value } from "../../src/search/types.js";
import { StandInAllLegal, StandInTableValue, StandInWords } from "./stand-ins.js";

const table = { "": 0.1, a: 0.3, b: 0.6, c: 0.2, ba: 0.5, bb: 0.4, bc: 0.3, aa: 0.35, bab: 0.95, abc: 0.7 };

function problem(env: StandInWords): SearchProblem<string, string> & { value: StandInTableValue; policy: StandInAllLegal<string> } {
  return { environment: env, policy: new StandInAllLegal(env), value: new StandInTableValue(table, 0.05), random: seededRandom(9) };
}

const stepped = (tree: readonly { stateKey: string; parent: number | undefined }[]) => tree.filter((n) => n.parent !== undefined).map((n) => n.stateKey);
const committed = (tree: readonly { stateKey: string; scores: Readonly<Record<string, number>> }[]) => tree.filter((n) => n.scores.committed === 1).map((n) => n.stateKey);

describe("best-first tree search (Koh et al.)", () => {
  it("judges candidates lazily, in value order (children inherit their parent's value), and stops at value 1", async () => {
    const env = new StandInWords(true);
    const p = problem(env);
    const found = await bestFirst({ branching: 3, valueSamples: 1, threshold: 0.9 }).search(p, new Budget());
    expect(found.actions).toEqual(["b", "a", "b"]);
    expect(found.done).toBe(true);
    expect(found.stop).toBe("done");
    // The first candidates start at 0.5 and are judged in order: a (0.3), b (0.6); b's children inherit
    // 0.6 and come before c (0.5); then ba's (0.5, under the earlier first action b) before c, where
    // bab (0.95) reaches the threshold. c is never judged.
    expect(stepped(found.tree)).toEqual(["a", "b", "ba", "bb", "bc", "baa", "bab"]);
    // One value evaluation per popped candidate, and nothing else was stepped.
    expect(p.value.calls).toBe(7);
    expect(found.spent.envSteps).toBe(7);
  });

  it("the search budget c counts value evaluations, each the mean of n samples", async () => {
    const env = new StandInWords(true);
    const p = problem(env);
    const found = await bestFirst({ branching: 3, valueSamples: 4, valueBudget: 2, maxSteps: 1 }).search(p, new Budget());
    // c = 2 candidates judged (a, b), 4 samples each; their children were sampled but never stepped.
    expect(stepped(found.tree)).toEqual(["a", "b"]);
    expect(p.value.calls).toBe(2 * 4);
    expect(found.spent.envSteps).toBe(2);
    expect(found.spent.byRole.value.calls).toBe(8);
    expect(found.actions).toEqual(["b"]);
    expect(found.stop).toBe("limit");
  });

  it("commits to the best trajectory and searches again from there", async () => {
    const env = new StandInWords(true);
    const found = await bestFirst({ branching: 3, valueSamples: 1, valueBudget: 2, threshold: 0.9 }).search(problem(env), new Budget());
    // Search 1 judges a, b and commits b; search 2 (from b) judges ba, bb and commits ba; search 3 finds bab.
    expect(committed(found.tree)).toEqual(["", "b", "ba", "bab"]);
    expect(found.actions).toEqual(["b", "a", "b"]);
    expect(found.done).toBe(true);
    // One search alone (the earlier form) stops at the best state its budget reached.
    const single = await bestFirst({ branching: 3, valueSamples: 1, valueBudget: 2, threshold: 0.9, loop: "single" }).search(problem(new StandInWords(true)), new Budget());
    expect(single.actions).toEqual(["b"]);
    expect(single.done).toBe(false);
  });

  it('commits only the first action with commit: "first-action"', async () => {
    const found = await bestFirst({ branching: 3, valueSamples: 1, threshold: 0.9, commit: "first-action" }).search(problem(new StandInWords(true)), new Budget());
    expect(committed(found.tree)).toEqual(["", "b", "ba", "bab"]);
    expect(found.actions).toEqual(["b", "a", "b"]);
  });

  it("samples max(2b, 20) candidates and keeps the b most frequent", async () => {
    const asked: number[] = [];
    const env = new StandInWords(true);
    const policy: Policy<string, string> = {
      name: "recorder",
      async propose(state: string, k: number, budget: Budget, context?: ProposeContext) {
        asked.push(context?.samples ?? -1);
        budget.charge("policy", { calls: context?.samples ?? 1 });
        return env.legalActions(state).slice(0, k).map((action) => ({ action, frequency: 1 / 3 }));
      },
    };
    for (const [branching, samples] of [[5, 20], [12, 24], [2, 20]] as const) {
      asked.length = 0;
      const budget = new Budget();
      await bestFirst({ branching, valueSamples: 1, valueBudget: 1, maxSteps: 1 }).search({ environment: env, policy, value: new StandInTableValue(table), random: seededRandom(1) }, budget);
      expect(asked[0]).toBe(samples);
      expect(budget.byRole().policy.calls).toBe(asked.reduce((a, b) => a + b, 0));
    }
  });

  it("the value judges the whole trajectory from the initial state", async () => {
    const seen: Trajectory<string, string>[] = [];
    const value: Value<string, string> = {
      name: "recorder",
      async score(trajectory, budget) {
        seen.push(trajectory);
        budget.charge("value", { calls: 1 });
        return 0.2;
      },
    };
    const env = new StandInWords(true);
    await bestFirst({ branching: 2, valueSamples: 1, valueBudget: 6, maxSteps: 1 }).search({ environment: env, policy: new StandInAllLegal(env), value, random: seededRandom(1) }, new Budget());
    for (const t of seen) {
      expect(t.states[0]).toBe("");
      expect(t.states).toHaveLength(t.actions.length + 1);
      expect(t.states[t.states.length - 1]).toBe(t.actions.join(""));
    }
    expect(seen.some((t) => t.actions.length === 2)).toBe(true);
  });

  it("respects the depth limit d (trajectories of at most d + 1 actions per search)", async () => {
    const env = new StandInWords(true, ["a", "b", "c"], 6);
    const found = await bestFirst({ branching: 2, valueSamples: 1, valueBudget: 100, maxDepth: 1, maxSteps: 1 }).search(problem(env), new Budget());
    expect(Math.max(...found.tree.map((n) => n.stateKey.length))).toBe(2);
  });

  it("reset-and-replay on an irreversible environment reaches what direct branching reaches, counting the replays", async () => {
    const options = { branching: 3, valueSamples: 1, threshold: 0.9 };
    const reversible = new StandInWords(true);
    const direct = await bestFirst(options).search(problem(reversible), new Budget());
    const irreversible = new StandInWords(false);
    const budget = new Budget();
    const replayed = await bestFirst(options).search(problem(irreversible), budget);
    expect(replayed.actions).toEqual(direct.actions);
    expect(replayed.tree).toEqual(direct.tree);
    expect(direct.replaySteps).toBe(0);
    // Every step, replays included, is on the budget and happened in the environment.
    expect(replayed.spent.envSteps).toBe(irreversible.steps);
    expect(replayed.spent.envSteps).toBe(direct.spent.envSteps + (replayed.replaySteps ?? 0));
    expect(irreversible.realPosition).toBe("bab");
    // By hand: a, b from "" replay nothing; ba follows b directly; bb, bc replay b (2·1); baa, bab
    // replay b, a (2·2): 6.
    expect(replayed.replaySteps).toBe(6);
    expect(replayed.replayMs).toBeGreaterThanOrEqual(0);
  });

  it("restores snapshots where the environment offers them, without replays", async () => {
    const options = { branching: 3, valueSamples: 1, threshold: 0.9 };
    const direct = await bestFirst(options).search(problem(new StandInWords(true)), new Budget());
    const env = new StandInWords(false, ["a", "b", "c"], 3, true);
    const restored = await bestFirst(options).search(problem(env), new Budget());
    expect(restored.actions).toEqual(direct.actions);
    expect(restored.tree).toEqual(direct.tree);
    expect(restored.replaySteps).toBe(0);
    expect(restored.spent.envSteps).toBe(direct.spent.envSteps);
    expect(env.realPosition).toBe("bab");
  });

  it('keeps eager values (every child judged when generated) as an option', async () => {
    const p = problem(new StandInWords(true));
    const found = await bestFirst({ branching: 3, valueSamples: 1, valueBudget: 6, values: "eager", loop: "single" }).search(p, new Budget());
    // All three children of the root judged at once, then the three of b (the best).
    expect(stepped(found.tree)).toEqual(["a", "b", "c", "ba", "bb", "bc"]);
  });
});
