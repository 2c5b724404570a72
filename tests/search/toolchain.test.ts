import { describe, expect, it } from "vitest";
import {
  astar,
  longestCommonSubsequence,
  PlanMemory,
  rolloutImagination,
  toolChainCost,
  type AStarStep,
} from "../../src/search/astar.js";
import { bfs } from "../../src/search/bfs.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type Environment, type StepOutcome } from "../../src/search/types.js";
import { StandInAllLegal, StandInEmptyPolicy, StandInWords } from "./stand-ins.js";

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

  it("g = w·(1 − LCS similarity) + (1 − w)·(1 − frequency)", () => {
    const cost = toolChainCost<string, string>(PlanMemory.fromTrainSplit([["a", "b", "c"]]));
    expect(cost.g(step(["a"], 0.5))).toBeCloseTo(0.25);
    expect(cost.g(step(["x"], 1))).toBeCloseTo(0.5);
    expect(cost.g(step(["a", "b"], 1))).toBeCloseTo(0);
    expect(cost.g(step(["x"], 0.2))).toBeCloseTo(0.9);
    const memoryOnly = toolChainCost<string, string>(new PlanMemory([["a", "b", "c"]]), { memoryWeight: 1 });
    expect(memoryOnly.g(step(["a", "x"], 0.1))).toBeCloseTo(0.5);
  });

  it("h from the typical remaining share of memory plans, and from imagination", async () => {
    const budget = new Budget();
    const memory = new PlanMemory([["a", "b", "c"]]);
    const cost = toolChainCost<string, string>(memory);
    expect(await cost.h("", { plan: ["a"], budget })).toBeCloseTo(2 / 3);
    expect(await cost.h("", { plan: ["a", "c"], budget })).toBeCloseTo(0);
    expect(await cost.h("", { plan: ["z"], budget })).toBeCloseTo(1);
    memory.add(["b", "a"]);
    expect(memory.remainingFraction("a")).toBeCloseTo((2 / 3 + 0) / 2);
    const imagining = toolChainCost<string, string>(new PlanMemory([["a", "b", "c"]]), { imagine: () => 2 });
    // position 2/3 and imagined 2 left after 1 step: 2/3 again, averaged.
    expect(await imagining.h("", { plan: ["a"], budget })).toBeCloseTo(2 / 3);
    const imaginingZero = toolChainCost<string, string>(new PlanMemory([["a", "b", "c"]]), { imagine: () => 0 });
    expect(await imaginingZero.h("", { plan: ["a"], budget })).toBeCloseTo(1 / 3);
    const spent = new Budget({ modelCalls: 0 });
    let imagined = 0;
    const metered = toolChainCost<string, string>(new PlanMemory([["a", "b", "c"]]), {
      imagine: () => {
        imagined++;
        return 0;
      },
    });
    expect(await metered.h("", { plan: ["a"], budget: spent })).toBeCloseTo(2 / 3);
    expect(imagined).toBe(0);
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

describe("rollout imagination", () => {
  it("counts the steps of a greedy policy rollout to a terminal state, on the budget", async () => {
    const env = new StandInWords(true, ["a", "b"], 3);
    const imagine = rolloutImagination({ environment: env, policy: new StandInAllLegal(env), random: seededRandom(1) });
    const budget = new Budget();
    expect(await imagine("a", ["a"], budget)).toBe(2);
    expect(budget.used).toMatchObject({ modelCalls: 2, envSteps: 2 });
    expect(await imagine("", [], new Budget({ modelCalls: 2 }))).toBeNaN();
    expect(await rolloutImagination({ environment: env, policy: new StandInAllLegal(env), random: seededRandom(1) }, { maxSteps: 1 })("", [], new Budget())).toBe(1);
    const silent = rolloutImagination({ environment: env, policy: new StandInEmptyPolicy(), random: seededRandom(1) });
    expect(await silent("", [], new Budget())).toBeNaN();
    // An unknown estimate leaves h to the memory position.
    const cost = toolChainCost<string, string>(new PlanMemory([["a", "b", "c"]]), { imagine: silent });
    expect(await cost.h("a", { plan: ["a"], budget: new Budget() })).toBeCloseTo(2 / 3);
    const irreversible = new StandInWords(false, ["a", "b"], 3);
    expect(await rolloutImagination({ environment: irreversible, policy: new StandInAllLegal(irreversible), random: seededRandom(1) })("", [], new Budget())).toBeNaN();
  });
});

describe("ToolChain* A*", () => {
  it("with the right plan in memory, finds it in fewer expansions than BFS", async () => {
    const env = new StandInToolbox();
    const problem = { environment: env, policy: new StandInAllLegal(env), random: seededRandom(3) };
    const expansions = (tree: readonly { expandedAt?: number }[]) => tree.filter((node) => node.expandedAt !== undefined).length;
    const viaBfs = await bfs({ k: 6 }).search(problem, new Budget());
    expect(viaBfs.actions).toEqual(["search", "read", "answer"]);
    expect(expansions(viaBfs.tree)).toBe(1 + 6 + 3 * 6 + 5);

    // By hand (g step = ½(1 − LCS/min length) + ½(1 − 1/6), h = share of the memory plan left):
    // root, answer (f .42), read (.75), read>answer (.83), search (1.08), search>answer (.83),
    // answer>answer (1.08), search>read (1.17), then search>read>answer (1.25) is popped: 8 expansions.
    const single = PlanMemory.fromTrainSplit([["search", "read", "answer"]]);
    const viaMemory = await astar({ cost: toolChainCost(single), k: 6 }).search(problem, new Budget());
    expect(viaMemory.actions).toEqual(["search", "read", "answer"]);
    expect(viaMemory.stop).toBe("done");
    expect(expansions(viaMemory.tree)).toBe(8);
    const order = viaMemory.tree
      .filter((node) => node.expandedAt !== undefined)
      .sort((a, b) => a.expandedAt! - b.expandedAt!)
      .map((node) => node.stateKey);
    expect(order).toEqual(["", "answer", "read", "read>answer", "search", "search>answer", "answer>answer", "search>read"]);

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
