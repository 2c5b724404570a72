import { describe, expect, it } from "vitest";
import { mcts } from "../../src/search/mcts.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget, type Environment, type StepOutcome } from "../../src/search/types.js";
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

/** The reward of an arm: its value, deterministic (RAP's rewards are computed once, when a node is stepped). */
const armValue = (arms: readonly number[]) => new StandInValue<string>((state) => arms[Number(state.slice(3))] ?? 0);

describe("MCTS (RAP / llm-reasoners)", () => {
  const arms = [0.2, 0.5, 0.8, 0.3, 0.45];

  for (const prior of [false, true]) {
    it(`answers with the best arm of a bandit and visits it most (${prior ? "PUCT" : "UCT"})`, async () => {
      for (const seed of [1, 2, 3]) {
        const env = new StandInBandit(arms);
        const found = await mcts({ iterations: 200, k: 5, prior }).search(
          { environment: env, policy: new StandInAllLegal(env), value: armValue(arms), random: seededRandom(seed) },
          new Budget(),
        );
        expect(found.actions).toEqual(["arm2"]);
        expect(found.done).toBe(true);
        expect(found.stop).toBe("done");
        const children = found.tree.filter((node) => node.parent === 0);
        const visits = children.map((node) => node.scores.visits ?? 0);
        const best = children.find((node) => node.stateKey === "arm2")!;
        expect(best.scores.visits).toBe(Math.max(...visits));
        expect(found.tree[0]?.scores.visits).toBe(200);
        // One policy call (the root's), one value call per stepped arm: each arm is stepped once.
        expect(found.spent.modelCalls).toBe(1 + children.length);
      }
    });
  }

  it("expands lazily: a child is stepped only when selection or simulation reaches it", async () => {
    const env = new StandInBandit(arms);
    const problem = () => ({ environment: env, policy: new StandInAllLegal(env), value: armValue(arms), random: seededRandom(1) });
    const lazy = await mcts({ iterations: 1, k: 5 }).search(problem(), new Budget());
    // The root's five actions are children, but one iteration steps only the one simulation chose.
    expect(lazy.spent.envSteps).toBe(1);
    expect(lazy.tree).toHaveLength(2);
    const eager = await mcts({ iterations: 1, k: 5, expansion: "eager" }).search(problem(), new Budget());
    expect(eager.spent.envSteps).toBe(5);
    // Every step made a node of the tree; the arms never selected were never stepped.
    const three = await mcts({ iterations: 3, k: 5 }).search(problem(), new Budget());
    expect(three.spent.envSteps).toBe(three.tree.length - 1);
    expect(three.spent.envSteps).toBeLessThan(5);
  });

  it("backs up the rewards accumulated along the path (the sum from each node to the leaf)", async () => {
    const env = new StandInWords(true, ["a"], 2);
    const found = await mcts({ iterations: 1, k: 1 }).search(
      { environment: env, policy: new StandInAllLegal(env), value: new StandInTableValue({ a: 0.3, aa: 0.5 }), random: seededRandom(1) },
      new Budget(),
    );
    const byKey = (key: string) => found.tree.find((node) => node.stateKey === key)!.scores;
    expect(byKey("").value).toBeCloseTo(0.8);
    expect(byKey("a").value).toBeCloseTo(0.8);
    expect(byKey("aa").value).toBeCloseTo(0.5);
    const leaf = await mcts({ iterations: 1, k: 1, backup: "leaf" }).search(
      { environment: env, policy: new StandInAllLegal(env), value: new StandInTableValue({ a: 0.3, aa: 0.5 }), random: seededRandom(1) },
      new Budget(),
    );
    expect(leaf.tree.find((node) => node.stateKey === "")!.scores.value).toBeCloseTo(0.5);
  });

  it("answers with the terminal path of the highest summed reward among stepped nodes", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const env = new StandInWords(true, ["a", "b", "c"], 3);
      const random = seededRandom(seed * 7);
      const table: Record<string, number> = {};
      const value = new StandInValue<string>((w) => (table[w] ??= Math.round(random() * 10) / 10));
      const found = await mcts({ iterations: 12, k: 3 }).search(
        { environment: env, policy: new StandInSampler(env, seededRandom(seed)), value, random: seededRandom(seed) },
        new Budget(),
      );
      // Independently: over the recorded tree, the terminal node (a word of length 3) whose path sums the most reward.
      const nodes = found.tree;
      const sum = (id: number): number => (nodes[id]!.parent === undefined ? 0 : (nodes[id]!.scores.reward ?? 0) + sum(nodes[id]!.parent!));
      const terminals = nodes.filter((n) => n.stateKey.length === 3);
      if (terminals.length === 0) {
        expect(found.done).toBe(false);
        continue;
      }
      const best = Math.max(...terminals.map((n) => sum(n.id)));
      const chosen = terminals.find((n) => n.stateKey === found.finalState)!;
      expect(found.done).toBe(true);
      expect(sum(chosen.id)).toBeCloseTo(best, 10);
    }
  });

  it('keeps the most visited path as an option (answer: "visits")', async () => {
    const env = new StandInBandit(arms);
    const found = await mcts({ iterations: 100, k: 5, answer: "visits" }).search(
      { environment: env, policy: new StandInAllLegal(env), value: armValue(arms), random: seededRandom(2) },
      new Budget(),
    );
    const children = found.tree.filter((node) => node.parent === 0);
    const most = children.reduce((a, b) => ((b.scores.visits ?? 0) > (a.scores.visits ?? 0) ? b : a));
    expect(found.finalState).toBe(most.stateKey);
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
    const values = [0.1, 0.2, 0.3, 0.9, 0.4, 0.5];
    const env = new StandInBandit(values);
    const problem = () => ({ environment: env, policy: new StandInSampler(env, seededRandom(5)), value: armValue(values), random: seededRandom(5) });
    const narrow = await mcts({ iterations: 200, k: 2 }).search(problem(), new Budget());
    const wide = await mcts({ iterations: 400, k: 2, widening: { coefficient: 1, exponent: 0.5 } }).search(problem(), new Budget());
    const rootChildren = (tree: typeof narrow.tree) => tree.filter((node) => node.parent === 0).length;
    expect(rootChildren(narrow.tree)).toBeLessThanOrEqual(2);
    expect(rootChildren(wide.tree)).toBeGreaterThan(2);
    expect(wide.actions).toEqual(["arm3"]);
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

  it("says when its iteration limit, not the budget, stopped it", async () => {
    const env = new StandInWords(true, ["a", "b", "c"], 6);
    const result = await mcts({ iterations: 3, k: 3 }).search(
      { environment: env, policy: new StandInAllLegal(env), value: new StandInValue(() => 0.5), random: seededRandom(1) },
      new Budget({ modelCalls: 100_000_000 }),
    );
    expect(result.stop).toBe("limit");
    expect(result.limit).toBe("iterations = 3");
  });
});
