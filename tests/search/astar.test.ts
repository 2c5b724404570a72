import { describe, expect, it } from "vitest";
import { astar, type AStarCost } from "../../src/search/astar.js";
import { bfs } from "../../src/search/bfs.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type SearchProblem } from "../../src/search/types.js";
import { StandInAllLegal, StandInGraph, StandInGrid } from "./stand-ins.js";

// Cheapest S→G: S-A-B-C-G = 1 + 2 + 1 + 3 = 7 (S-B-C-G costs 8, S-A-C-G 9, S-B-G 10).
const edges = {
  S: { A: 1, B: 4 },
  A: { B: 2, C: 5 },
  B: { C: 1, G: 6 },
  C: { G: 3 },
  G: {},
};
// True costs to go: G 0, C 3, B 4, A 6, S 7; h below never exceeds them (admissible).
const admissible: Record<string, number> = { S: 6, A: 5, B: 4, C: 3, G: 0 };

function graphProblem(): { env: StandInGraph; problem: SearchProblem<string, string> } {
  const env = new StandInGraph(edges, "S", "G");
  return { env, problem: { environment: env, policy: new StandInAllLegal(env), random: seededRandom(1) } };
}

const pathCost = (env: StandInGraph, actions: readonly string[]) =>
  actions.reduce((sum, to, i) => sum + env.weight(i === 0 ? env.start : actions[i - 1]!, to), 0);

describe("A*", () => {
  it("finds the cheapest path on a weighted graph with an admissible heuristic", async () => {
    const { env, problem } = graphProblem();
    const cost: AStarCost<string, string> = { g: (step) => env.weight(step.from, step.to), h: (state) => admissible[state] ?? 0 };
    const found = await astar({ cost, k: 5, goalTest: "expansion" }).search(problem, new Budget());
    expect(found.stop).toBe("done");
    expect(found.done).toBe(true);
    expect(found.actions).toEqual(["A", "B", "C", "G"]);
    expect(pathCost(env, found.actions)).toBe(7);
    const goal = found.tree.find((node) => node.stateKey === "G" && node.scores.g === 7);
    expect(goal?.scores).toMatchObject({ g: 7, h: 0, f: 7 });
  });

  it("with h = 0 is uniform-cost search: expands in order of g and finds the cheapest path", async () => {
    const { env, problem } = graphProblem();
    const found = await astar<string, string>({ cost: { g: (step) => env.weight(step.from, step.to), h: () => 0 }, k: 5, goalTest: "expansion" }).search(
      problem,
      new Budget(),
    );
    expect(found.actions).toEqual(["A", "B", "C", "G"]);
    const expanded = found.tree
      .filter((node) => node.expandedAt !== undefined)
      .sort((a, b) => a.expandedAt! - b.expandedAt!)
      .map((node) => [node.stateKey, node.scores.g]);
    expect(expanded).toEqual([
      ["S", 0],
      ["A", 1],
      ["B", 3],
      ["C", 4],
    ]);
  });

  it("expands fewer nodes than BFS on a grid with the Manhattan heuristic, at the same (optimal) length", async () => {
    const grid = () => new StandInGrid(5, 5, [2, 2], [4, 2]);
    const envA = grid();
    const viaAStar = await astar<string, string>({ cost: { g: () => 1, h: (state) => envA.manhattan(state) }, k: 4, goalTest: "expansion" }).search(
      { environment: envA, policy: new StandInAllLegal(envA), random: seededRandom(1) },
      new Budget(),
    );
    const envB = grid();
    const viaBfs = await bfs({ k: 4 }).search(
      { environment: envB, policy: new StandInAllLegal(envB), random: seededRandom(1) },
      new Budget(),
    );
    expect(viaAStar.actions).toEqual(["right", "right"]);
    expect(viaBfs.actions).toHaveLength(2);
    const expansions = (tree: typeof viaBfs.tree) => tree.filter((node) => node.expandedAt !== undefined).length;
    expect(expansions(viaAStar.tree)).toBe(2);
    expect(expansions(viaAStar.tree)).toBeLessThan(expansions(viaBfs.tree));
  });

  it("with unit costs and h = 0 (the default) finds a shortest path, like BFS", async () => {
    const env = new StandInGrid(4, 4, [0, 0], [3, 3]);
    const found = await astar({ k: 4 }).search(
      { environment: env, policy: new StandInAllLegal(env), random: seededRandom(1) },
      new Budget(),
    );
    expect(found.done).toBe(true);
    expect(found.actions).toHaveLength(6);
  });

  it("stops at maxExpansions with the closest node", async () => {
    const env = new StandInGrid(6, 6, [0, 0], [5, 5]);
    const found = await astar<string, string>({ cost: { g: () => 1, h: (state) => env.manhattan(state) }, k: 4, maxExpansions: 3 }).search(
      { environment: env, policy: new StandInAllLegal(env), random: seededRandom(1) },
      new Budget(),
    );
    expect(found.stop).toBe("limit");
    expect(found.limit).toBe("maxExpansions = 3");
    expect(found.tree.filter((node) => node.expandedAt !== undefined)).toHaveLength(3);
  });
});
