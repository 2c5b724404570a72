import { describe, expect, it } from "vitest";
import { beam } from "../../src/search/beam.js";
import { bfs } from "../../src/search/bfs.js";
import { mergeProposals } from "../../src/search/common.js";
import { dfs } from "../../src/search/dfs.js";
import { greedy } from "../../src/search/greedy.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type Policy, type Proposal } from "../../src/search/types.js";
import { StandInAllLegal, StandInValue, StandInWords } from "./stand-ins.js";

const words = () => {
  const env = new StandInWords(true, ["a", "b", "c"], 3);
  return { env, problem: { environment: env, policy: new StandInAllLegal(env), random: seededRandom(1) } };
};

const expanded = (tree: readonly { stateKey: string; expandedAt?: number }[]) =>
  tree
    .filter((node) => node.expandedAt !== undefined)
    .sort((a, b) => a.expandedAt! - b.expandedAt!)
    .map((node) => node.stateKey);

describe("proposals", () => {
  it("merge duplicates by action key, summing frequency, most frequent first, ties in order", () => {
    const { env } = words();
    const merged = mergeProposals(env, [
      { action: "a", frequency: 0.3 },
      { action: "b", frequency: 0.2 },
      { action: "c", frequency: 0.3 },
      { action: "b", frequency: 0.2 },
    ]);
    expect(merged).toEqual([
      { action: "b", frequency: 0.4 },
      { action: "a", frequency: 0.3 },
      { action: "c", frequency: 0.3 },
    ]);
  });
});

describe("greedy", () => {
  it("takes the most frequent proposal at every step", async () => {
    const { env } = words();
    /** Reports b twice (0.3 + 0.3) and a once (0.4): b is the most frequent. */
    const policy: Policy<string, string> = {
      name: "stand-in split votes",
      async propose(): Promise<readonly Proposal<string>[]> {
        return [
          { action: "a", frequency: 0.4 },
          { action: "b", frequency: 0.3 },
          { action: "b", frequency: 0.3 },
        ];
      },
    };
    const found = await greedy().search({ environment: env, policy, random: seededRandom(1) }, new Budget());
    expect(found.actions).toEqual(["b", "b", "b"]);
    expect(found.stop).toBe("done");
    expect(found.tree.map((node) => node.scores.frequency)).toEqual([undefined, 0.6, 0.6, 0.6]);
  });
});

describe("BFS and DFS", () => {
  it("BFS expands level by level and stops at the first terminal state", async () => {
    const { problem } = words();
    const found = await bfs({ k: 3 }).search(problem, new Budget());
    expect(found.actions).toEqual(["a", "a", "a"]);
    expect(found.done).toBe(true);
    expect(expanded(found.tree)).toEqual(["", "a", "b", "c", "aa"]);
  });

  it("DFS goes deep first and stops at the first terminal state", async () => {
    const { problem } = words();
    const found = await dfs({ k: 3 }).search(problem, new Budget());
    expect(found.actions).toEqual(["a", "a", "a"]);
    expect(expanded(found.tree)).toEqual(["", "a", "aa"]);
  });

  it("DFS respects its depth limit", async () => {
    const { problem } = words();
    const found = await dfs({ k: 3, maxDepth: 2 }).search(problem, new Budget());
    expect(found.stop).toBe("exhausted-frontier");
    expect(found.done).toBe(false);
    expect(found.actions).toHaveLength(2);
    // Root, then the 3 nodes of depth 1; depth-2 nodes are not expanded.
    expect(expanded(found.tree)).toEqual(["", "a", "b", "c"]);
    expect(Math.max(...found.tree.map((node) => node.scores.depth ?? 0))).toBe(2);
  });

  it("respect the most expansions", async () => {
    const { problem } = words();
    const found = await bfs({ k: 3, maxExpansions: 2 }).search(problem, new Budget());
    expect(found.stop).toBe("limit");
    expect(expanded(found.tree)).toEqual(["", "a"]);
  });
});

describe("beam search", () => {
  it("keeps the w best children by value at every layer", async () => {
    const { env, problem } = words();
    const value = new StandInValue<string>((state) => [...state].filter((ch) => ch === "c").length / 3);
    const found = await beam({ width: 2, k: 3 }).search({ ...problem, value }, new Budget());
    expect(found.actions).toEqual(["c", "c", "c"]);
    expect(found.stop).toBe("done");
    // Layer 1 keeps c (1/3) and a (0, first of the ties); layer 2 keeps cc and ca.
    expect(expanded(found.tree)).toEqual(["", "c", "a", "cc", "ca"]);
    expect(env.steps).toBe(3 + 6 + 6);
    expect(value.calls).toBe(15);
  });

  it("needs a value", async () => {
    const { problem } = words();
    await expect(beam().search(problem, new Budget())).rejects.toThrow(/value/);
  });
});
