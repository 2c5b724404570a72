import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/search/random.js";
import { simura } from "../../src/search/simura.js";
import { Budget, type Environment, type Policy, type Proposal, type StepOutcome } from "../../src/search/types.js";
import { StandInValue, StandInWorldModel } from "./stand-ins.js";

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

describe("SimuRA planning", () => {
  it("acts on the intent whose predicted outcome scores best", async () => {
    const { env, policy, worldModel, value, problem: p } = problem();
    const found = await simura({ samples: 20, keep: 3 }).search(p, new Budget());
    expect(policy.lastK).toBe(20);
    expect(found.actions).toEqual(["inc5", "inc5"]);
    expect(env.realSteps).toEqual(["inc5", "inc5"]);
    expect(found.done).toBe(true);
    expect(found.stop).toBe("done");
    expect(found.finalState).toBe(10);
    // Three merged intents predicted and scored per real step.
    expect(worldModel.calls).toBe(6);
    expect(value.calls).toBe(6);
    const predicted = found.tree.filter((node) => node.scores.predicted === 1 && node.parent === 0);
    expect(predicted.map((node) => [node.action, node.scores.frequency])).toEqual([
      ["inc1", 0.5],
      ["dec", 0.3],
      ["inc5", 0.2],
    ]);
    const values = predicted.map((node) => node.scores.value ?? NaN);
    [0.1, 0, 0.5].forEach((expected, i) => expect(values[i]).toBeCloseTo(expected));
  });

  it("simulates only the most frequent intents after merging duplicates", async () => {
    const { problem: p } = problem();
    const found = await simura({ keep: 2, maxSteps: 2 }).search(p, new Budget());
    // inc5 (0.2) is dropped: inc1 (0.4 + 0.1) beats dec.
    expect(found.actions).toEqual(["inc1", "inc1"]);
    expect(found.stop).toBe("exhausted-frontier");
  });

  it("counts world-model and value calls on the budget", async () => {
    const { problem: p } = problem();
    const budget = new Budget({ modelCalls: 4 });
    const found = await simura({ keep: 3 }).search(p, budget);
    // policy, predict, score, predict: the budget is spent before the second score, and no
    // real step may start after that.
    expect(budget.used.modelCalls).toBe(4);
    expect(found.stop).toBe("budget");
    expect(found.actions).toEqual([]);
    expect(p.environment.realSteps).toEqual([]);
  });
});
