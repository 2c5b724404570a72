import { describe, expect, it } from "vitest";
import { mcts } from "../../src/search/mcts.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type Environment, type StepOutcome, type Value } from "../../src/search/types.js";
import { StandInAllLegal, StandInSampler, StandInTableValue, StandInValue, StandInWords, StringKeyed } from "./stand-ins.js";

/** A bandit: one pull of an arm ends the episode; the state is the arm pulled ("" before). */
class StandInBandit extends StringKeyed implements Environment<string, string> {
  readonly name = "stand-in bandit";
  readonly reversible = true;
  constructor(readonly arms: readonly number[]) {
    super();
  }
  initial(): string {
    return "";
  }
  legalActions(state: string): readonly string[] {
    return state === "" ? this.arms.map((_, i) => `arm${i}`) : [];
  }
  async step(_state: string, action: string): Promise<StepOutcome<string>> {
    return { state: action, done: true };
  }
}

/** The reward of an arm: a Bernoulli draw with the arm's probability, from a seeded source. */
class StandInBernoulliValue implements Value<string> {
  readonly name = "stand-in Bernoulli reward";
  constructor(
    private readonly arms: readonly number[],
    private readonly random: () => number,
  ) {}
  async score(state: string): Promise<number> {
    const p = this.arms[Number(state.slice(3))] ?? 0;
    return this.random() < p ? 1 : 0;
  }
}

describe("MCTS", () => {
  const arms = [0.2, 0.5, 0.8, 0.3, 0.45];

  for (const prior of [false, true]) {
    it(`converges on the best arm of a Bernoulli bandit (${prior ? "PUCT" : "UCT"})`, async () => {
      for (const seed of [1, 2, 3]) {
        const env = new StandInBandit(arms);
        const found = await mcts({ iterations: 400, k: 5, exploration: 1, prior }).search(
          {
            environment: env,
            policy: new StandInAllLegal(env),
            value: new StandInBernoulliValue(arms, seededRandom(seed)),
            random: seededRandom(seed),
          },
          new Budget(),
        );
        expect(found.actions).toEqual(["arm2"]);
        expect(found.done).toBe(true);
        expect(found.stop).toBe("done");
        const visits = found.tree.filter((node) => node.parent === 0).map((node) => node.scores.visits ?? 0);
        expect(Math.max(...visits)).toBe(visits[2]);
        expect(found.tree[0]?.scores.visits).toBe(400);
        // Only the root is expanded: one policy call.
        expect(found.spent.modelCalls).toBe(1 + 400);
      }
    });
  }

  it("follows the most visited path to the best word, with policy rollouts", async () => {
    const env = new StandInWords(true, ["a", "b"], 3);
    const value = new StandInTableValue({ bab: 1 }, 0);
    const found = await mcts({ iterations: 200, k: 2, rollout: "policy", exploration: 0.5 }).search(
      { environment: env, policy: new StandInAllLegal(env), value, random: seededRandom(4) },
      new Budget(),
    );
    expect(found.actions).toEqual(["b", "a", "b"]);
    expect(found.done).toBe(true);
  });
});

/**
 * A thought graph: the state holds the scores of the thoughts so far; the operations are the
 * environment's (generate a thought of 0.3, refine the best by 0.3, aggregate the best two into
 * their sum); after three operations the episode ends. The best plan is generate → refine →
 * refine (0.9); generate → generate → aggregate gives only 0.6.
 */
interface Thoughts {
  readonly scores: readonly number[];
  readonly operations: number;
}
class StandInThoughtGraph implements Environment<Thoughts, string> {
  readonly name = "stand-in thought graph";
  readonly reversible = true;
  initial(): Thoughts {
    return { scores: [], operations: 0 };
  }
  legalActions(state: Thoughts): readonly string[] {
    if (state.scores.length === 0) return ["generate"];
    return state.scores.length >= 2 ? ["generate", "refine", "aggregate"] : ["generate", "refine"];
  }
  async step(state: Thoughts, action: string): Promise<StepOutcome<Thoughts>> {
    const [best = 0, second = 0, ...rest] = [...state.scores].sort((a, b) => b - a);
    const round = (x: number) => Math.round(Math.min(1, x) * 10) / 10;
    const scores =
      action === "generate"
        ? [...state.scores, 0.3]
        : action === "refine"
          ? [round(best + 0.3), ...(state.scores.length > 1 ? [second] : []), ...rest]
          : [round(best + second), ...rest];
    const operations = state.operations + 1;
    return { state: { scores, operations }, done: operations >= 3 };
  }
  stateKey(state: Thoughts): string {
    return `${state.operations}:${state.scores.join(",")}`;
  }
  actionKey(action: string): string {
    return action;
  }
  describe(action: string): string {
    return action;
  }
}

describe("MCTS over thought-graph operations", () => {
  it("finds the best sequence of operations", async () => {
    const env = new StandInThoughtGraph();
    const value = new StandInValue<Thoughts>((state) => Math.max(0, ...state.scores));
    for (const prior of [false, true]) {
      const found = await mcts({ iterations: 200, k: 3, exploration: 0.5, prior }).search(
        { environment: env, policy: new StandInAllLegal(env), value, random: seededRandom(11) },
        new Budget(),
      );
      expect(found.actions).toEqual(["generate", "refine", "refine"]);
      expect(found.finalState.scores).toEqual([0.9]);
      expect(found.stop).toBe("done");
    }
  });
});

describe("MCTS options for long horizons", () => {
  it("progressive widening asks the policy again and adds children beyond the first k", async () => {
    const env = new StandInBandit([0.1, 0.2, 0.3, 0.9, 0.4, 0.5]);
    const problem = { environment: env, policy: new StandInSampler(env, seededRandom(5)), value: new StandInBernoulliValue([0.1, 0.2, 0.3, 0.9, 0.4, 0.5], seededRandom(5)), random: seededRandom(5) };
    const narrow = await mcts({ iterations: 200, k: 2 }).search(problem, new Budget());
    const wide = await mcts({ iterations: 400, k: 2, widening: { coefficient: 1, exponent: 0.5 } }).search(
      { ...problem, policy: new StandInSampler(env, seededRandom(5)), value: new StandInBernoulliValue([0.1, 0.2, 0.3, 0.9, 0.4, 0.5], seededRandom(5)) },
      new Budget(),
    );
    const rootChildren = (tree: typeof narrow.tree) => tree.filter((node) => node.parent === 0).length;
    expect(rootChildren(narrow.tree)).toBeLessThanOrEqual(2);
    expect(rootChildren(wide.tree)).toBeGreaterThan(2);
    expect(wide.actions).toEqual(["arm3"]);
  });

  it('answer "best-terminal" returns the best-valued terminal state reached, where the most visited path stops short', async () => {
    // Words of length 3 over a, b; only "bbb" is worth 1, everything else 0.2 (terminal or not).
    const env = new StandInWords(true, ["a", "b"], 3);
    const value = (w: string) => (w === "bbb" ? 1 : 0.2);
    const run = (answer: "visits" | "best-terminal") =>
      mcts({ iterations: 40, k: 2, answer }).search({ environment: env, policy: new StandInAllLegal(env), value: new StandInValue(value), random: seededRandom(1) }, new Budget());
    const best = await run("best-terminal");
    expect(best.actions).toEqual(["b", "b", "b"]);
    expect(best.done).toBe(true);
    const visits = await run("visits");
    expect(visits.done || visits.actions.length < 3).toBe(true);
  });

  it("without an iteration cap, stops once the tree cannot grow, even when the budget is not spent", async () => {
    const env = new StandInWords(true, ["a"], 2);
    const result = await mcts({ iterations: Infinity, k: 1 }).search(
      { environment: env, policy: new StandInAllLegal(env), value: new StandInValue(() => 0.5), random: seededRandom(1) },
      new Budget({ envSteps: 1000 }),
    );
    expect(result.stop).toBe("done");
    expect(result.actions).toEqual(["a", "a"]);
    expect(result.spent.envSteps).toBe(2);
  });
});
