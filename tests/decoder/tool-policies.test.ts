import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpec } from "../../src/ltl/analysis.js";
import { SpecError } from "../../src/ltl/errors.js";
import { parseSpec } from "../../src/ltl/spec.js";
import type { ToolSignature } from "../../src/ltl/tool-calls.js";
import { bindToolRegistry } from "../../src/grammars/tools.js";
import { ConstrainedDecoder } from "../../src/decoder/decoder.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { ensureModel } from "../../src/models/build.js";
import { seededRandom } from "../../src/search/random.js";
import { checkOutput, checkToolOutput, readerForSchemas } from "../support/output-check.js";
import { randomToolSchema } from "../support/random-schemas.js";

/**
 * Tool-call policies are enforced by the mask: on random tool sets and random privilege rules,
 * whatever a high-entropy model samples, every finished output validates against the tools'
 * schemas (ajv) and satisfies the rules as written, judged by the independent reader (string
 * matching, JSON.parse, RegExp on the arguments, the recursive LTLf evaluator on `call(…)`).
 */

const NAMES = ["transfer", "confirm", "delete_file", "send_email", "fetch"];

function randomTools(rng: () => number): ToolSignature[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const count = 2 + Math.floor(rng() * 3);
  return NAMES.slice(0, count).map((name) => {
    const properties: Record<string, unknown> = { path: { type: "string", maxLength: 1 + Math.floor(rng() * 10) } };
    const required = ["path"];
    if (rng() < 0.5) properties["amount"] = { type: "integer", minimum: 0, maximum: pick([9, 99, 999]) };
    if (rng() < 0.4) {
      properties["to"] = { enum: ["a@corp.example", "x@evil.example"] };
      if (rng() < 0.5) required.push("to");
    }
    return { name, parameters: { type: "object", properties, required, additionalProperties: false } };
  });
}

function randomPolicies(rng: () => number, tools: readonly ToolSignature[]): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const names = tools.map((t) => t.name);
  const templates = [
    () => `G(call(${pick(names)}) -> O call(${pick(names)}))`,
    () => `at most ${1 + Math.floor(rng() * 2)} call(${pick(names)})`,
    () => `G !call(${pick(names)}, path matching /\\/.*/)`,
    () => `G(call(${pick(names)}) -> G !call(${pick(names)}))`,
    () => `G(call(${pick(names)}) -> call(${pick(names)}, path matching /[a-c]*/))`,
    () => `G(call(${pick(names)}, path matching /.*e.*/) -> Y call(${pick(names)}))`,
    () => `F call(${pick(names)}) | G !call(${pick(names)})`,
  ];
  return Array.from({ length: 1 + Math.floor(rng() * 3) }, () => pick(templates)());
}

const SHAPE = `events ask, action, args, obs, done
segment ask    "Q: " text max 12 by environment
segment action "A: " one of tools
segment args   "I: " json args(action)
segment obs    "O: " text max 12 by environment
segment done   "D: " text max 8
ask
G(action -> X args)
G(args -> X obs)
G(obs -> X(action | done))
G(ask -> X(action | done))
G(done -> last)
at most 4 action
`;

let backend: LlamaBackend;
beforeAll(async () => {
  backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-random"), threads: 1 });
}, 120_000);
afterAll(async () => {
  await backend?.dispose();
});

describe("tool-call policies while decoding", () => {
  it("every finished output satisfies random privilege rules and validates: 40 random tool sets and policies × 2 seeds", async () => {
    const rng = seededRandom(2024);
    let finished = 0;
    let calls = 0;
    let specs = 0;
    for (let round = 0; round < 40; round++) {
      const tools = randomTools(rng);
      const policies = randomPolicies(rng, tools);
      const text = SHAPE + policies.join("\n") + "\n";
      const spec = parseSpec(text, { file: `policy-${round}.ltl` });
      let decoder: ConstrainedDecoder;
      try {
        decoder = ConstrainedDecoder.create(compileSpec(bindToolRegistry(spec, tools)), backend, { precompute: false });
      } catch (error) {
        // A random policy set can be unsatisfiable with this shape: skipped, and counted below.
        if (error instanceof SpecError && error.kind === "unsatisfiable") continue;
        throw error;
      }
      specs++;
      for (const [seed, temperature] of [
        [round, 1.5],
        [round + 1000, 0.8],
      ] as const) {
        const generation = decoder.start("", { seed, temperature });
        let stop = await generation.run({ maxTokens: 160 });
        while (stop === "environment") {
          const events = generation.awaiting()!.events;
          generation.supply(events.includes("ask") ? "go" : "ok", events[0]);
          stop = await generation.run({ maxTokens: 160 });
        }
        await generation.dispose();
        if (stop !== "end") continue;
        finished++;
        calls += generation.segments.filter((s) => s.event === "args").length;
        expect(checkToolOutput(spec, readerForSchemas(tools), generation.text), `${text}\n---\n${generation.text}`).toBeUndefined();
      }
    }
    expect(specs).toBeGreaterThan(30);
    expect(finished).toBeGreaterThan(30);
    expect(calls).toBeGreaterThan(20);
  }, 300_000);

  it("arguments written under random function-calling schemas validate with ajv: 12 tool sets × 2 seeds", async () => {
    let validated = 0;
    let unsatisfiable = 0;
    for (let round = 0; round < 12; round++) {
      const tools: ToolSignature[] = [0, 1, 2].map((i) => ({ name: NAMES[i]!, parameters: randomToolSchema(round * 3 + i) }));
      const spec = parseSpec(SHAPE, { file: `schemas-${round}.ltl` });
      let bound;
      try {
        bound = bindToolRegistry(spec, tools);
      } catch (error) {
        // A random schema can admit no value at all (e.g. a pattern longer than maxLength): refused, and counted below.
        if (error instanceof SpecError && /no JSON value satisfies/.test(error.message)) {
          unsatisfiable++;
          continue;
        }
        throw error;
      }
      const decoder = ConstrainedDecoder.create(compileSpec(bound), backend, { precompute: false });
      const reader = readerForSchemas(tools);
      for (const seed of [round, round + 500]) {
        const generation = decoder.start("", { seed, temperature: 1 });
        let stop = await generation.run({ maxTokens: 400 });
        while (stop === "environment") {
          const events = generation.awaiting()!.events;
          generation.supply(events.includes("ask") ? "go" : "ok", events[0]);
          stop = await generation.run({ maxTokens: 400 });
        }
        await generation.dispose();
        const segments = generation.segments;
        segments.forEach((segment, i) => {
          if (segment.event !== "args" || !segment.complete) return;
          const tool = segments[i - 1]!.content;
          expect(reader.validArguments(tool, segment.content), `${tool}: ${segment.content}\n${JSON.stringify(tools.find((t) => t.name === tool)!.parameters)}`).toBe(true);
          validated++;
        });
        if (stop === "end") expect(checkOutput(bound, generation.text)).toBeUndefined();
      }
    }
    expect(unsatisfiable).toBeLessThan(4);
    expect(validated).toBeGreaterThan(12);
  }, 300_000);
});
