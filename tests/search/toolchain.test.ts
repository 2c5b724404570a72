import { describe, expect, it } from "vitest";
import {
  astar,
  longestCommonSubsequence,
  PlanMemory,
  toolChainCost,
  type AStarStep,
} from "../../src/search/astar.js";
import { bfs } from "../../src/search/bfs.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type Environment, type StepOutcome } from "../../src/search/types.js";
import { StandInAllLegal } from "./stand-ins.js";

const step = (plan: string[], frequency: number): AStarStep<string, string> => ({
  from: "",
  action: plan[plan.length - 1]!,
  actionKey: plan[plan.length - 1]!,
  to: "",
  frequency,
  plan,
});

describe("ToolChain* cost", () => {
  it("longest common subsequence", () => {
    expect(longestCommonSubsequence(["a", "b", "c", "d"], ["a", "c", "d"])).toBe(3);
    expect(longestCommonSubsequence(["x"], ["a", "b"])).toBe(0);
    expect(longestCommonSubsequence([], ["a"])).toBe(0);
    expect(longestCommonSubsequence(["b", "a"], ["a", "b"])).toBe(1);
  });

  it("normalizes the LCS by the shorter plan and takes the best memory plan", () => {
    const memory = new PlanMemory([["a", "b", "c"]]);
    expect(memory.similarity(["a", "x"])).toBe(0.5);
    expect(memory.similarity(["a", "c"])).toBe(1);
    memory.add(["x", "y"]);
    expect(memory.similarity(["a", "x"])).toBe(0.5);
    expect(memory.similarity(["x", "y", "z"])).toBe(1);
    expect(new PlanMemory().similarity(["a"])).toBe(0);
  });

  it("g's step cost is 1 − m^α·c^(1−α): the weighted geometric mean of the memory score and the frequency (α = ½)", () => {
    const cost = toolChainCost<string, string>(PlanMemory.fromTrainSplit([["a", "b", "c"]]));
    expect(cost.g(step(["a"], 0.5))).toBeCloseTo(1 - Math.sqrt(0.5));
    expect(cost.g(step(["a", "b"], 1))).toBeCloseTo(0);
    // A step no memory plan shares: its memory score is floored at 1e-3, so the frequency still counts.
    expect(cost.g(step(["x"], 1))).toBeCloseTo(1 - Math.sqrt(1e-3));
    expect(cost.g(step(["x"], 0.25)) as number).toBeGreaterThan(cost.g(step(["x"], 1)) as number);
    const memoryHeavy = toolChainCost<string, string>(new PlanMemory([["a", "b", "c"]]), { memoryWeight: 1 });
    expect(memoryHeavy.g(step(["a", "x"], 0.1))).toBeCloseTo(0.5);
  });

  it("keeps the earlier linear form: g = w·(1 − LCS similarity) + (1 − w)·(1 − frequency)", () => {
    const cost = toolChainCost<string, string>(PlanMemory.fromTrainSplit([["a", "b", "c"]]), { combine: "linear" });
    expect(cost.g(step(["a"], 0.5))).toBeCloseTo(0.25);
    expect(cost.g(step(["x"], 1))).toBeCloseTo(0.5);
    expect(cost.g(step(["x"], 0.2))).toBeCloseTo(0.9);
  });

  it("h is on g's scale: the steps left (from the typical position in memory plans and the imagined plan) times the mean step cost", async () => {
    const budget = new Budget();
    const memory = new PlanMemory([["a", "b", "c"]]);
    const cost = toolChainCost<string, string>(memory);
    const none = async () => undefined;
    // After a (1/3 of the way): 1·(2/3)/(1/3) = 2 steps left, at the mean step cost 0.4.
    expect(await cost.h("", { plan: ["a"], budget, g: 0.4, imagine: none })).toBeCloseTo(0.8);
    expect(await cost.h("", { plan: ["a", "c"], budget, g: 0.2, imagine: none })).toBeCloseTo(0);
    // An action no memory plan holds: the memory plans' mean length (3) is assumed left.
    expect(await cost.h("", { plan: ["z"], budget, g: 0.5, imagine: none })).toBeCloseTo(1.5);
    // Imagination: 2 steps imagined after 1 done (1/3 done), combined geometrically with the position (1/3).
    expect(await cost.h("", { plan: ["a"], budget, g: 0.4, imagine: async () => 2 })).toBeCloseTo(0.8);
    // Imagined 0 left (all done) pulls the estimate down: √(1/3 · 1) of the way.
    const done = Math.sqrt(1 / 3);
    expect(await cost.h("", { plan: ["a"], budget, g: 0.4, imagine: async () => 0 })).toBeCloseTo((1 * (1 - done)) / done * 0.4);
    memory.add(["b", "a"]);
    expect(memory.remainingFraction("a")).toBeCloseTo((2 / 3 + 0) / 2);
    expect(memory.positionDone("a")).toBeCloseTo(1 - (2 / 3 + 0) / 2);
  });

  it("keeps the earlier h as an option: the share of a typical plan left", async () => {
    const cost = toolChainCost<string, string>(new PlanMemory([["a", "b", "c"]]), { h: "fraction", imagination: false });
    const context = { budget: new Budget(), g: 0, imagine: async () => 5 };
    expect(await cost.h("", { plan: ["a"], ...context })).toBeCloseTo(2 / 3);
    expect(await cost.h("", { plan: ["z"], ...context })).toBeCloseTo(1);
  });
});

/** Tools: only search → read → answer completes the task; the others change nothing. */
interface ToolState {
  readonly facts: readonly string[];
  readonly plan: readonly string[];
}
class StandInToolbox implements Environment<ToolState, string> {
  readonly name = "stand-in toolbox";
  readonly reversible = true;
  static readonly tools = ["calc", "weather", "translate", "search", "read", "answer"];
  initial(): ToolState {
    return { facts: [], plan: [] };
  }
  legalActions(): readonly string[] {
    return StandInToolbox.tools;
  }
  async step(state: ToolState, action: string): Promise<StepOutcome<ToolState>> {
    const facts = [...state.facts];
    if (action === "search") facts.push("url");
    if (action === "read" && facts.includes("url")) facts.push("text");
    const done = action === "answer" && facts.includes("text");
    return { state: { facts, plan: [...state.plan, action] }, done };
  }
  stateKey(state: ToolState): string {
    return state.plan.join(">");
  }
  actionKey(action: string): string {
    return action;
  }
  describe(action: string): string {
    return action;
  }
}

describe("ToolChain* A*", () => {
  it("with the right plan in memory, finds it in fewer expansions than BFS", async () => {
    const env = new StandInToolbox();
    const problem = { environment: env, policy: new StandInAllLegal(env), random: seededRandom(3) };
    const expansions = (tree: readonly { expandedAt?: number }[]) => tree.filter((node) => node.expandedAt !== undefined).length;
    const viaBfs = await bfs({ k: 6 }).search(problem, new Budget());
    expect(viaBfs.actions).toEqual(["search", "read", "answer"]);
    expect(expansions(viaBfs.tree)).toBe(1 + 6 + 3 * 6 + 5);

    const single = PlanMemory.fromTrainSplit([["search", "read", "answer"]]);
    const viaMemory = await astar({ cost: toolChainCost(single), k: 6 }).search(problem, new Budget());
    expect(viaMemory.actions).toEqual(["search", "read", "answer"]);
    expect(viaMemory.stop).toBe("done");
    expect(expansions(viaMemory.tree)).toBeLessThan(expansions(viaBfs.tree));

    const larger = PlanMemory.fromTrainSplit([["calc", "answer"]]);
    larger.add(["search", "read", "answer"]);
    const viaLarger = await astar({ cost: toolChainCost(larger), k: 6 }).search(problem, new Budget());
    expect(viaLarger.actions).toEqual(["search", "read", "answer"]);
    expect(expansions(viaLarger.tree)).toBeLessThan(expansions(viaBfs.tree));

    // Without memory, only the frequencies (all equal) guide it: no better than BFS.
    const blind = await astar({ cost: toolChainCost(new PlanMemory()), k: 6 }).search(problem, new Budget());
    expect(blind.actions).toEqual(["search", "read", "answer"]);
    expect(expansions(blind.tree)).toBeGreaterThan(expansions(viaMemory.tree));
  });
});

describe("ToolChain* A* as the paper runs it", () => {
  it("stops as soon as a terminal node is generated (the goal test at generation)", async () => {
    const env = new StandInToolbox();
    const problem = { environment: env, policy: new StandInAllLegal(env), random: seededRandom(3) };
    const memory = PlanMemory.fromTrainSplit([["search", "read", "answer"]]);
    const atGeneration = await astar({ cost: toolChainCost(memory), k: 6 }).search(problem, new Budget());
    // The answer is the last node generated: the search stopped there, before popping anything else.
    const last = atGeneration.tree[atGeneration.tree.length - 1]!;
    expect(last.stateKey).toBe("search>read>answer");
    expect(last.expandedAt).toBeUndefined();
    const atExpansion = await astar({ cost: toolChainCost(memory), k: 6, goalTest: "expansion" }).search(problem, new Budget());
    expect(atExpansion.actions).toEqual(atGeneration.actions);
    expect(atExpansion.tree.length).toBeGreaterThanOrEqual(atGeneration.tree.length);
  });

  it("asks the policy to imagine the rest of the plan once per generated node, each a counted model call", async () => {
    const env = new StandInToolbox();
    let imagined = 0;
    const policy = new StandInAllLegal(env) as StandInAllLegal<ToolState> & { imagine: (state: ToolState, budget: Budget) => Promise<readonly string[]> };
    policy.imagine = async (state, budget) => {
      imagined++;
      budget.charge("policy", { calls: 1, generatedTokens: 5 });
      return ["search", "read", "answer"].filter((tool) => !state.plan.includes(tool));
    };
    const budget = new Budget();
    const found = await astar({ cost: toolChainCost(PlanMemory.fromTrainSplit([["search", "read", "answer"]])), k: 6 }).search(
      { environment: env, policy, random: seededRandom(3) },
      budget,
    );
    expect(found.done).toBe(true);
    const generated = found.tree.length - 1;
    const terminal = 1;
    expect(imagined).toBeGreaterThan(0);
    expect(imagined).toBeLessThanOrEqual(generated - terminal);
    expect(budget.byRole().policy.calls).toBe(policy.calls + imagined);
    const without = await astar({ cost: toolChainCost(PlanMemory.fromTrainSplit([["search", "read", "answer"]]), { imagination: false }), k: 6 }).search(
      { environment: env, policy: new StandInAllLegal(env), random: seededRandom(3) },
      new Budget(),
    );
    expect(without.done).toBe(true);
  });
});
