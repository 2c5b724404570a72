import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { ensureModel } from "../../src/models/build.js";
import {
  ModelCritic,
  ModelIntentClusterer,
  ModelPolicy,
  ModelValue,
  ModelWorldModel,
  RoleModel,
  VERDICT_TAG,
  verdictSpec,
} from "../../src/search/roles/index.js";
import { Budget, type Environment, type EnvironmentText, type Trajectory } from "../../src/search/types.js";

/** A small arithmetic task as text: states are the numbers left, actions combine two of them. */
type Numbers = readonly number[];
const TEXT: EnvironmentText<Numbers, string> = {
  task: () => "Use the numbers 4 6 1 1 and + - * / to make 24, combining two numbers per step.",
  state: (numbers) => `Numbers left: ${numbers.join(" ")}`,
  action: (step) => step,
  parseState: (description) => {
    const match = /^Numbers left:((?: \d+)+)$/.exec(description.trim());
    return match === null ? undefined : match[1]!.trim().split(" ").map(Number);
  },
};

function trajectory(steps: number): Trajectory<Numbers, string> {
  const states: Numbers[] = [[4, 6, 1, 1], [24, 1, 1], [24, 1], [24]];
  const actions = ["4 * 6 = 24", "1 * 1 = 1", "24 * 1 = 24"];
  return { states: states.slice(0, steps + 1), actions: actions.slice(0, steps), observations: states.slice(1, steps + 1).map((s) => s.join(" ")) };
}

let random: LlamaBackend;
let fitted: LlamaBackend;

beforeAll(async () => {
  random = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-random"), sequences: 12, contextSize: 1024 });
  fitted = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-fitted"), sequences: 12, contextSize: 1024 });
}, 300_000);

afterAll(async () => {
  await random?.dispose();
  await fitted?.dispose();
});

describe("model-backed roles on the tiny models", () => {
  it("every role answers within its range under random seeds and high temperature (random-weight model)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 3 }), fc.double({ min: 0.5, max: 3, noNaN: true }), async (seed, steps, temperature) => {
        // Top-k 64 keeps sampling broad at these temperatures and spares llama.cpp sorting the whole
        // vocabulary at every token; the mask, not the sampler, is what keeps answers well-formed.
        const model = new RoleModel(random, { seed, sampling: { temperature, topK: 64 } });
        try {
          const budget = new Budget();
          const path = trajectory(steps);
          const value = await new ModelValue(model, TEXT).score(path, budget);
          expect([0, 0.5, 1]).toContain(value);
          const reasoned = await new ModelValue(model, TEXT, { reasoningBytes: 24 }).score(path, budget);
          expect([0, 0.5, 1]).toContain(reasoned);
          const expected = await new ModelValue(model, TEXT, { scoring: "probabilities" }).score(path, budget);
          expect(expected).toBeGreaterThanOrEqual(0);
          expect(expected).toBeLessThanOrEqual(1);
          const prediction = await new ModelWorldModel(model, TEXT, { maxBytes: 48 }).predict(path, "24 / 1 = 24", budget);
          expect(new TextEncoder().encode(prediction.description).length).toBeLessThanOrEqual(48);
          expect(prediction.description).not.toContain("\n\n");
          expect(typeof prediction.done).toBe("boolean");
          const critic = await new ModelCritic(model, TEXT).score(path, "24 / 1 = 24", prediction, budget);
          expect([0, 0.5, 1]).toContain(critic);
          const proposals = ["4 + 6 = 10", "6 + 4 = 10", "4 * 6 = 24", "1 + 1 = 2", "6 - 4 = 2"].map((action) => ({ action, frequency: 0.2 }));
          const groups = await new ModelIntentClusterer(model, TEXT).cluster(path, proposals, budget);
          expect(groups.flat().sort()).toEqual([0, 1, 2, 3, 4]);
          expect(groups.every((g) => g.length > 0)).toBe(true);
          // Every call is on the budget: 3 values, 1 prediction, 1 critic, 4 cluster judgments.
          expect(budget.used.modelCalls).toBe(9);
          expect(budget.used.tokens).toBeGreaterThan(0);
        } finally {
          await model.dispose();
        }
      }),
      { numRuns: 4 },
    );
  }, 240_000);

  it("the one-pass value is the mean the sampled value converges to", async () => {
    // Top-k 40 keeps every token allowed at the verdict (about a dozen spell a prefix of one of
    // the three options), so the sampled distribution is still exactly the masked one, and
    // llama.cpp samples far faster than over the whole vocabulary.
    const model = new RoleModel(random, { seed: 7, sampling: { temperature: 1, topK: 40 } });
    try {
      const verdict = model.decoder(verdictSpec(), "<value verdict>");
      const probe = verdict.start("x");
      probe.write(VERDICT_TAG);
      expect(verdict.index.maskFor(probe.automatonState).allowedCount).toBeLessThanOrEqual(40);
      const path = trajectory(2);
      const exact = await new ModelValue(model, TEXT, { scoring: "probabilities" }).score(path, new Budget());
      const sampled = new ModelValue(model, TEXT);
      const budget = new Budget();
      const n = 300;
      let total = 0;
      for (let i = 0; i < n; i++) total += await sampled.score(path, budget);
      const mean = total / n;
      // Scores are in [0, 1], so the standard error is at most 0.5/√n; allow four of them.
      expect(Math.abs(mean - exact)).toBeLessThan((4 * 0.5) / Math.sqrt(n));
      expect(budget.used.modelCalls).toBe(n);
    } finally {
      await model.dispose();
    }
  }, 240_000);

  it("shares evaluated prefixes: n samples evaluate the prompt once, a longer trajectory only its new steps, other roles only their question", async () => {
    const model = new RoleModel(fitted, { seed: 3 });
    try {
      const value = new ModelValue(model, TEXT);
      const evaluated = async (call: () => Promise<unknown>): Promise<number> => {
        const before = fitted.evaluatedTokens;
        await call();
        return fitted.evaluatedTokens - before;
      };
      const budget = new Budget();
      const first = await evaluated(() => value.score(trajectory(2), budget));
      const prompt = model.prompt([]).tokens.length;
      expect(first).toBeGreaterThan(60 + prompt);
      const again = await evaluated(() => value.score(trajectory(2), budget));
      expect(again).toBeLessThan(12);
      const longer = await evaluated(() => value.score(trajectory(3), budget));
      expect(longer).toBeLessThan(first);
      const world = await evaluated(() => new ModelWorldModel(model, TEXT, { maxBytes: 40 }).predict(trajectory(3), "24 / 1 = 24", budget));
      expect(world).toBeLessThan(first);
      expect(model.cache.size).toBeLessThanOrEqual(6);
    } finally {
      await model.dispose();
    }
  }, 120_000);

  it("a world model's description reads back into a state where the environment can parse it", async () => {
    const model = new RoleModel(fitted, { seed: 11 });
    const text: EnvironmentText<Numbers, string> = { ...TEXT, parseState: (description) => (description.length > 0 ? [description.length] : undefined) };
    try {
      const prediction = await new ModelWorldModel(model, text, { maxBytes: 30 }).predict(trajectory(1), "1 * 1 = 1", new Budget());
      if (prediction.description.length > 0) expect(prediction.state).toEqual([prediction.description.length]);
    } finally {
      await model.dispose();
    }
  }, 60_000);

  it("a world model with structured fields writes JSON valid for their schema, read back into a state", async () => {
    const schema = { type: "object", properties: { left: { type: "array", items: { type: "integer", minimum: 1, maximum: 99 }, minItems: 1, maxItems: 4 } }, required: ["left"] };
    const validate = new Ajv2020().compile(schema);
    for (let seed = 1; seed <= 4; seed++) {
      const model = new RoleModel(random, { seed, sampling: { temperature: 1.5, topK: 40 } });
      try {
        let seen: unknown;
        const world = new ModelWorldModel(model, TEXT, { maxBytes: 30, fields: { schema, parse: (fields) => ((seen = fields), (fields as { left: number[] }).left) } });
        const prediction = await world.predict(trajectory(1), "1 * 1 = 1", new Budget());
        expect(validate(seen)).toBe(true);
        expect(prediction.state).toEqual((seen as { left: number[] }).left);
      } finally {
        await model.dispose();
      }
    }
    expect(() => new ModelWorldModel(new RoleModel(random), TEXT, { fields: { schema: { type: "object", propertyNames: { maxLength: 3 } } } })).toThrow(/propertyNames/);
  }, 120_000);

  it("the model policy proposes legal actions only, charging one policy call per sample, within the budget", async () => {
    const moves = ["4 * 6 = 24", "4 + 6 = 10", "6 - 4 = 2", "1 * 1 = 1"];
    const environment: Environment<Numbers, string> = {
      name: "numbers",
      reversible: true,
      initial: () => [4, 6, 1, 1],
      legalActions: (numbers) => (numbers.length > 1 ? moves : []),
      step: async (numbers) => ({ state: numbers.slice(1), done: numbers.length <= 2 }),
      stateKey: (numbers) => numbers.join(" "),
      actionKey: (move) => move,
      describe: (move) => move,
      text: TEXT,
    };
    for (const seed of [1, 2, 3]) {
      const model = new RoleModel(random, { seed, sampling: { temperature: 2, topK: 64 } });
      try {
        const policy = new ModelPolicy(model, environment, TEXT);
        const budget = new Budget();
        const proposals = await policy.propose([4, 6, 1, 1], 3, budget, { samples: 6, trajectory: trajectory(0) });
        expect(proposals.length).toBeGreaterThan(0);
        expect(proposals.length).toBeLessThanOrEqual(3);
        for (const p of proposals) expect(moves).toContain(p.action);
        expect(proposals.reduce((n, p) => n + p.frequency, 0)).toBeLessThanOrEqual(1 + 1e-9);
        expect(budget.byRole().policy.calls).toBe(6);
        expect(budget.byRole().policy.evaluatedTokens).toBeGreaterThan(budget.byRole().policy.generatedTokens);
        const limited = new Budget({ modelCalls: 2 });
        await policy.propose([24, 1, 1], 3, limited, { samples: 6 });
        expect(limited.used.modelCalls).toBe(2);
      } finally {
        await model.dispose();
      }
    }
  }, 120_000);

  it("options out of range are refused where they are given", () => {
    const model = new RoleModel(fitted);
    expect(() => new ModelValue(model, TEXT, { reasoningBytes: 0 })).toThrow(/reasoningBytes/);
    expect(() => new ModelValue(model, TEXT, { scoring: "probabilities", reasoningBytes: 10 })).toThrow(/no reasoning/);
    expect(() => new ModelWorldModel(model, TEXT, { maxBytes: 5000 })).toThrow(/maxBytes/);
  });
});
