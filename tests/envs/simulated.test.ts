import { describe, expect, it } from "vitest";
import {
  SimulatedPolicy,
  SimulatedValue,
  SimulatedWorldModel,
  applyGame24Action,
  createGame24Task,
  game24Puzzles,
  isSolvable,
  type Game24State,
} from "../../src/envs/index.js";
import { Prng } from "../../src/models/prng.js";
import { startTrajectory } from "../../src/search/text.js";
import { Budget } from "../../src/search/types.js";

const source = (seed: number): (() => number) => {
  const rng = new Prng(seed);
  return () => rng.next();
};
const valuesOf = (s: Game24State) => s.items.map((it) => it.value);

describe("SimulatedPolicy", () => {
  it("is deterministic for a seed and spends one call and 30 tokens per sample (the strategy's count when it asks)", async () => {
    const env = createGame24Task([4, 9, 10, 13]).environment;
    const run = async (seed: number) => {
      const budget = new Budget();
      const policy = new SimulatedPolicy(source(seed), { pGood: 0.5, samples: 10 });
      const a = await policy.propose(env.initial(), 3, budget);
      const b = await policy.propose(env.initial(), 3, budget);
      return { keys: [...a, ...b].map((p) => `${env.actionKey(p.action)}@${p.frequency}`), budget };
    };
    const one = await run(1);
    const two = await run(1);
    expect(one.keys).toEqual(two.keys);
    expect(one.budget.used).toEqual({ modelCalls: 20, tokens: 600, envSteps: 0 });
    expect(one.budget.byRole().policy.calls).toBe(20);
    expect((await run(2)).keys).not.toEqual(one.keys);
    const asked = new Budget();
    await new SimulatedPolicy(source(1), { samples: 10 }).propose(env.initial(), 3, asked, { samples: 25 });
    expect(asked.used.modelCalls).toBe(25);
    // The budget is checked before each sample: a proposal never overdraws it.
    const tight = new Budget({ modelCalls: 7 });
    const cut = await new SimulatedPolicy(source(1), { samples: 10 }).propose(env.initial(), 100, tight);
    expect(tight.used.modelCalls).toBe(7);
    expect(cut.reduce((s, p) => s + p.frequency, 0)).toBeCloseTo(1, 10);
  });

  it("returns at most k distinct proposals, most frequent first, frequencies summing to at most 1", async () => {
    const env = createGame24Task([1, 2, 3, 4]).environment;
    const policy = new SimulatedPolicy(source(3), { pGood: 0.3, samples: 20 });
    const proposals = await policy.propose(env.initial(), 5, new Budget());
    expect(proposals.length).toBeLessThanOrEqual(5);
    expect(new Set(proposals.map((p) => env.actionKey(p.action))).size).toBe(proposals.length);
    for (let i = 1; i < proposals.length; i++) expect(proposals[i]!.frequency).toBeLessThanOrEqual(proposals[i - 1]!.frequency);
    expect(proposals.reduce((s, p) => s + p.frequency, 0)).toBeLessThanOrEqual(1 + 1e-12);
    const legal = new Set(env.legalActions(env.initial()).map((a) => env.actionKey(a)));
    for (const p of proposals) expect(legal.has(env.actionKey(p.action))).toBe(true);
  });

  it("with pGood = 1 only proposes actions that keep the puzzle solvable, and greedy play solves", async () => {
    const puzzles = game24Puzzles().filter((_, i) => i % 97 === 0);
    for (const puzzle of puzzles) {
      const task = createGame24Task(puzzle.numbers);
      const env = task.environment;
      const policy = new SimulatedPolicy(source(puzzle.difficultyRank), { pGood: 1, samples: 5 });
      let state = env.initial();
      let done = false;
      while (!done) {
        const proposals = await policy.propose(state, 3, new Budget());
        for (const p of proposals) expect(isSolvable(valuesOf((await env.step(state, p.action)).state))).toBe(true);
        const out = await env.step(state, proposals[0]!.action);
        state = out.state;
        done = out.done;
      }
      expect(task.judge(state).success).toBe(true);
    }
  });

  it("with pGood = 0 proposes unsolvable moves at the frequency of a uniform choice", async () => {
    const env = createGame24Task([1, 1, 4, 6]).environment; // few legal actions keep it solvable
    const policy = new SimulatedPolicy(source(9), { pGood: 0, samples: 1 });
    const legal = env.legalActions(env.initial());
    const goodShare = (
      await Promise.all(legal.map(async (a) => isSolvable(valuesOf((await env.step(env.initial(), a)).state))))
    ).filter(Boolean).length / legal.length;
    let good = 0;
    const n = 400;
    for (let i = 0; i < n; i++) {
      const [p] = await policy.propose(env.initial(), 1, new Budget());
      if (isSolvable(valuesOf((await env.step(env.initial(), p!.action)).state))) good++;
    }
    expect(Math.abs(good / n - goodShare)).toBeLessThan(0.1);
  });
});

describe("SimulatedValue", () => {
  const solved = async () => {
    const env = createGame24Task([4, 6, 1, 1]).environment;
    let s = env.initial();
    for (const action of env.legalActions(s)) {
      const next = (await env.step(s, action)).state;
      if (isSolvable(valuesOf(next))) {
        s = next;
        break;
      }
    }
    while (s.items.length > 1) {
      const good = env.legalActions(s).find((a) => isSolvable(valuesOf(applyGame24Action(s, a))))!;
      s = applyGame24Action(s, good);
    }
    return s;
  };

  it("with q = 1 says success 1 / on track 0.5 / neither 0 (Koh et al.'s scale); with q = 0 never the truth; spends budget", async () => {
    const solvable = createGame24Task([3, 3, 8, 8]).environment.initial();
    const unsolvable = createGame24Task([1, 1, 1, 1]).environment.initial();
    const won = await solved();
    const budget = new Budget();
    const right = new SimulatedValue(source(1), { q: 1 });
    const wrong = new SimulatedValue(source(1), { q: 0 });
    expect(await right.score(startTrajectory(won), budget)).toBe(1);
    expect(await right.score(startTrajectory(solvable), budget)).toBe(0.5);
    expect(await right.score(startTrajectory(unsolvable), budget)).toBe(0);
    for (let i = 0; i < 20; i++) {
      expect(await wrong.score(startTrajectory(solvable), budget)).not.toBe(0.5);
      expect(await wrong.score(startTrajectory(won), budget)).not.toBe(1);
    }
    expect(budget.used).toEqual({ modelCalls: 43, tokens: 860, envSteps: 0 });
    expect(budget.byRole().value.calls).toBe(43);
  });

  it("is right a share q of the time, its errors spread over the other verdicts, deterministically for a seed", async () => {
    const state = createGame24Task([3, 3, 8, 8]).environment.initial();
    const draw = async (seed: number) => {
      const v = new SimulatedValue(source(seed), { q: 0.8 });
      const out: number[] = [];
      for (let i = 0; i < 1000; i++) out.push(await v.score(startTrajectory(state), new Budget()));
      return out;
    };
    const a = await draw(4);
    expect(await draw(4)).toEqual(a);
    const share = (v: number) => a.filter((x) => x === v).length / a.length;
    expect(Math.abs(share(0.5) - 0.8)).toBeLessThan(0.05);
    expect(Math.abs(share(1) - 0.1)).toBeLessThan(0.04);
    expect(Math.abs(share(0) - 0.1)).toBeLessThan(0.04);
  });

  it("keeps the earlier continuous form as an option", async () => {
    const solvable = createGame24Task([3, 3, 8, 8]).environment.initial();
    const v = new SimulatedValue(source(1), { q: 1, scale: "continuous" });
    expect(await v.score(startTrajectory(solvable), new Budget())).toBeGreaterThanOrEqual(0.6);
  });
});

describe("SimulatedWorldModel", () => {
  it("r = 0 predicts the true next state; r = 1 always a wrong result; deterministic; spends budget", async () => {
    const env = createGame24Task([2, 5, 7, 11]).environment;
    const s = env.initial();
    const budget = new Budget();
    const exact = new SimulatedWorldModel(source(1), { r: 0 });
    const broken = new SimulatedWorldModel(source(1), { r: 1 });
    for (const action of env.legalActions(s)) {
      const truth = (await env.step(s, action)).state;
      expect(env.stateKey((await exact.predict(startTrajectory(s), action, budget)).state!)).toBe(env.stateKey(truth));
      const wrong = (await broken.predict(startTrajectory(s), action, budget)).state!;
      expect(env.stateKey(wrong)).not.toBe(env.stateKey(truth));
      expect(wrong.items).toHaveLength(truth.items.length);
    }
    const n = env.legalActions(s).length;
    expect(budget.used).toEqual({ modelCalls: 2 * n, tokens: 60 * n, envSteps: 0 });
    const run = async () => {
      const wm = new SimulatedWorldModel(source(8), { r: 0.5 });
      const out: string[] = [];
      for (const action of env.legalActions(s)) out.push(env.stateKey((await wm.predict(startTrajectory(s), action, new Budget())).state!));
      return out;
    };
    expect(await run()).toEqual(await run());
  });
});
