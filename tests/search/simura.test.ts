import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/search/random.js";
import { intentTokens, similarityClusterer, simura } from "../../src/search/simura.js";
import { Budget, type Critic, type Environment, type IntentClusterer, type Policy, type Prediction, type Proposal, type StepOutcome, type Trajectory } from "../../src/search/types.js";
import { StandInSampler, StandInValue, StandInWorldModel } from "./stand-ins.js";

const deltas: Record<string, number> = { inc1: 1, inc5: 5, dec: -1 };

/** A counter from 0; the episode ends at 10. */
class StandInCounter implements Environment<number, string> {
  readonly name = "stand-in counter";
  readonly reversible = true;
  realSteps: string[] = [];
  initial(): number {
    return 0;
  }
  legalActions(): readonly string[] {
    return Object.keys(deltas);
  }
  async step(state: number, action: string): Promise<StepOutcome<number>> {
    this.realSteps.push(action);
    const next = state + (deltas[action] ?? 0);
    return { state: next, done: next >= 10 };
  }
  stateKey(state: number): string {
    return String(state);
  }
  actionKey(action: string): string {
    return action;
  }
  describe(action: string): string {
    return action;
  }
}

/** Reports raw samples with duplicates: inc1 twice (0.4 + 0.1), dec 0.3, inc5 0.2. */
class StandInIntents implements Policy<number, string> {
  readonly name = "stand-in intents";
  lastK = 0;
  async propose(_state: number, k: number): Promise<readonly Proposal<string>[]> {
    this.lastK = k;
    return [
      { action: "inc1", frequency: 0.4 },
      { action: "dec", frequency: 0.3 },
      { action: "inc1", frequency: 0.1 },
      { action: "inc5", frequency: 0.2 },
    ];
  }
}

function problem() {
  const env = new StandInCounter();
  const policy = new StandInIntents();
  const worldModel = new StandInWorldModel<number, string>((state, action) => state + (deltas[action] ?? 0));
  const value = new StandInValue<number>((state) => 1 - Math.abs(10 - state) / 10);
  return { env, policy, worldModel, value, problem: { environment: env, policy, worldModel, value, random: seededRandom(5) } };
}

/** SimuRA's critic from a function of the predicted state: one model call each time. */
class StandInCritic implements Critic<number, string> {
  readonly name = "stand-in critic";
  calls = 0;
  constructor(private readonly f: (state: number) => number) {}
  async score(_t: Trajectory<number, string>, _a: string, prediction: Prediction<number>, budget: Budget): Promise<number> {
    this.calls++;
    budget.charge("critic", { calls: 1 });
    return this.f(prediction.state ?? 0);
  }
}

describe("SimuRA planning", () => {
  it("draws at least 20 intents per step from the policy, each a model call", async () => {
    const env = new StandInCounter();
    const policy = new StandInSampler(env, seededRandom(3));
    const critic = new StandInCritic((state) => 1 - Math.abs(10 - state) / 10);
    const worldModel = new StandInWorldModel<number, string>((state, action) => state + (deltas[action] ?? 0));
    const budget = new Budget();
    await simura({ maxSteps: 1 }).search({ environment: env, policy, worldModel, critic, random: seededRandom(1) }, budget);
    expect(policy.proposals).toBe(1);
    expect(policy.calls).toBe(20);
    expect(budget.byRole().policy.calls).toBe(20);
    // Three distinct intents (all of them: fewer than 5), each predicted once and judged by 20 critic samples.
    expect(worldModel.calls).toBe(3);
    expect(critic.calls).toBe(60);
    expect(budget.used.modelCalls).toBe(20 + 3 + 60);
  });

  it("acts on the intent whose predicted outcome the critic scores best, and repeats", async () => {
    const { env, policy, worldModel, problem: p } = problem();
    const critic = new StandInCritic((state) => 1 - Math.abs(10 - state) / 10);
    const found = await simura({ samples: 20, criticSamples: 1 }).search({ ...p, critic }, new Budget());
    expect(policy.lastK).toBe(20);
    expect(found.actions).toEqual(["inc5", "inc5"]);
    expect(env.realSteps).toEqual(["inc5", "inc5"]);
    expect(found.done).toBe(true);
    expect(found.stop).toBe("done");
    expect(found.finalState).toBe(10);
    // Three merged intents predicted and scored per real step.
    expect(worldModel.calls).toBe(6);
    expect(critic.calls).toBe(6);
    const predicted = found.tree.filter((node) => node.scores.predicted === 1 && node.parent === 0);
    expect(predicted.map((node) => [node.action, node.scores.frequency])).toEqual([
      ["inc1", 0.5],
      ["dec", 0.3],
      ["inc5", 0.2],
    ]);
    const values = predicted.map((node) => node.scores.value ?? NaN);
    [0.1, 0, 0.5].forEach((expected, i) => expect(values[i]).toBeCloseTo(expected));
  });

  it("without a critic, the value judges the predicted trajectory", async () => {
    const { value, problem: p } = problem();
    const found = await simura({ criticSamples: 2 }).search(p, new Budget());
    expect(found.actions).toEqual(["inc5", "inc5"]);
    expect(value.calls).toBe(12);
  });

  it("simulates only the most frequent clusters", async () => {
    const { problem: p } = problem();
    const found = await simura({ keep: 2, maxSteps: 2, criticSamples: 1 }).search(p, new Budget());
    // inc5 (0.2) is dropped: inc1 (0.4 + 0.1) beats dec.
    expect(found.actions).toEqual(["inc1", "inc1"]);
    expect(found.stop).toBe("limit");
  });

  it("merges intents meaning the same with a documented similarity (the same words in any order)", async () => {
    const env = { actionKey: (a: string) => a, describe: (a: string) => a } as unknown as Environment<number, string>;
    const clusterer = similarityClusterer(env);
    const proposals = ["3 + 5 = 8", "5 + 3 = 8", "8 - 3 = 5", "3 - 8 = -5", "3 + 5 = 8"].map((action) => ({ action, frequency: 0.2 }));
    const groups = await clusterer.cluster({ states: [0], actions: [], observations: [] }, proposals, new Budget());
    expect(groups).toEqual([[0, 1, 4], [2], [3]]);
    expect([...intentTokens("set_location(city=austin)")]).toEqual(["set_location", "city", "austin"]);
  });

  it("uses a model clusterer when given (its calls counted), and keeps intents apart when its answer is malformed", async () => {
    const { problem: p } = problem();
    let calls = 0;
    const together: IntentClusterer<number, string> = {
      name: "stand-in clusterer",
      async cluster(_t, proposals, budget) {
        calls++;
        budget.charge("clusterer", { calls: 1 });
        // inc1 and inc5 "mean the same" (grow the counter); dec apart.
        const grow = proposals.flatMap((q, i) => (q.action.startsWith("inc") ? [i] : []));
        return [grow, proposals.flatMap((q, i) => (q.action === "dec" ? [i] : []))];
      },
    };
    const budget = new Budget();
    const found = await simura({ criticSamples: 1, maxSteps: 1 }).search({ ...p, clusterer: together }, budget);
    expect(calls).toBe(1);
    expect(budget.byRole().clusterer.calls).toBe(1);
    // The grow cluster (0.7) is represented by its most frequent member, inc1.
    const predicted = found.tree.filter((node) => node.scores.predicted === 1);
    expect(predicted.map((node) => [node.action, node.scores.frequency])).toEqual([
      ["inc1", 0.7],
      ["dec", 0.3],
    ]);
    const malformed: IntentClusterer<number, string> = { name: "broken", cluster: async () => [[0, 0]] };
    const apart = await simura({ criticSamples: 1, maxSteps: 1 }).search({ ...problem().problem, clusterer: malformed }, new Budget());
    expect(apart.tree.filter((node) => node.scores.predicted === 1)).toHaveLength(3);
  });

  it("acts on a single cluster without simulating it", async () => {
    const env = new StandInCounter();
    const only: Policy<number, string> = { name: "one intent", propose: async (_s, _k, budget) => (budget.charge("policy", { calls: 20 }), [{ action: "inc5", frequency: 1 }]) };
    const worldModel = new StandInWorldModel<number, string>((state, action) => state + (deltas[action] ?? 0));
    const found = await simura().search({ environment: env, policy: only, worldModel, value: new StandInValue(() => 0), random: seededRandom(1) }, new Budget());
    expect(found.actions).toEqual(["inc5", "inc5"]);
    expect(worldModel.calls).toBe(0);
  });

  it("counts world-model and critic calls on the budget, and never acts on a cut-short step", async () => {
    const { problem: p } = problem();
    const budget = new Budget({ modelCalls: 4 });
    const found = await simura({ keep: 3, criticSamples: 1 }).search(p, budget);
    // policy, predict, score, predict: the budget is spent before the second score, and no
    // real step may start after that.
    expect(budget.used.modelCalls).toBe(4);
    expect(found.stop).toBe("budget");
    expect(found.actions).toEqual([]);
    expect(p.environment.realSteps).toEqual([]);
  });
});
