import { compileWithExampleTools } from "../support/agent-spec.js";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompiledSpec } from "../../src/ltl/analysis.js";
import { ConstrainedDecoder } from "../../src/decoder/decoder.js";
import { SegmentContentError } from "../../src/decoder/generation.js";
import { STATE_CONTENT } from "../../src/grammars/output.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { ensureModel } from "../../src/models/build.js";
import { ModelFileError } from "../../src/models/gguf-reader.js";
import { checkOutput } from "../support/output-check.js";

const REACT = compileWithExampleTools(readFileSync("specs/react.ltl", "utf8"), "specs/react.ltl");
let backend: LlamaBackend;
let decoder: ConstrainedDecoder;

beforeAll(async () => {
  backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-fitted"), sequences: 4, contextSize: 1024 });
  decoder = ConstrainedDecoder.create(REACT, backend);
}, 300_000);

afterAll(async () => {
  await backend?.dispose();
});

async function react(seed: number, observations: readonly string[] = ["391", "It is 12:00."]) {
  const generation = decoder.start("", { seed, temperature: 0.7 });
  let stop = await generation.run({ maxTokens: 300 });
  let i = 0;
  while (stop === "environment") {
    const first = generation.segments.length === 0;
    generation.supply(first ? "What is 17 times 23?" : (observations[i++ % observations.length] ?? ""));
    stop = await generation.run({ maxTokens: 300 });
  }
  return { generation, stop };
}

describe("generations on the fitted model (specs/react.ltl)", () => {
  it("write ReAct traces the spec accepts, pausing for the question and each observation", async () => {
    for (const seed of [1, 2, 3]) {
      const { generation, stop } = await react(seed);
      expect(stop).toBe("end");
      expect(checkOutput(REACT.spec, generation.text)).toBeUndefined();
      const events = generation.segments.map((s) => s.event);
      expect(events[0]).toBe("question");
      expect(events.at(-1)).toBe("answer");
      expect(generation.segments[0]!.content).toBe("What is 17 times 23?");
      await generation.dispose();
    }
  }, 120_000);

  it("resume after the environment writes without re-evaluating what came before", async () => {
    const generation = decoder.start("", { seed: 4, temperature: 0.7 });
    expect(await generation.run({ maxTokens: 300 })).toBe("environment");
    generation.supply("What is 2 plus 2?");
    const before = backend.evaluatedTokens;
    let stop = await generation.run({ maxTokens: 300 });
    while (stop === "environment") {
      generation.supply("4");
      stop = await generation.run({ maxTokens: 300 });
    }
    // Every token is evaluated once: the output's tokens (plus the question's), never the prefix again.
    expect(backend.evaluatedTokens - before).toBeLessThanOrEqual(generation.tokens.length + 1);
    await generation.dispose();
  }, 60_000);

  it("reject environment text that breaks the segment's format, naming the segment, and keep the output intact", async () => {
    const generation = decoder.start("", { seed: 5 });
    expect(await generation.run({ maxTokens: 50 })).toBe("environment");
    expect(() => generation.supply("two\nlines")).toThrow(SegmentContentError);
    expect(() => generation.supply("two\nlines")).toThrow(/segment 'question': "two\\nlines" is not text without "\\n"/);
    expect(() => generation.supply("x".repeat(401))).toThrow(/at most 400 bytes/);
    expect(() => generation.supply("hi", "observation")).toThrow(/does not allow this segment here; it allows question/);
    expect(generation.text).toBe("");
    generation.supply("What is 3 times 3?");
    expect(() => generation.supply("again")).toThrow(/does not let the environment write here/);
    expect(generation.text).toBe("Question: What is 3 times 3?\n");
    await generation.dispose();
  }, 60_000);

  it("stop at the token limits with the reason and an incomplete last segment", async () => {
    const generation = decoder.start("", { seed: 6, temperature: 1 });
    await generation.run();
    generation.supply("What is 17 times 23?");
    const questionTokens = generation.tokens.length;
    expect(await generation.run({ maxTokens: 2 })).toBe("max-tokens");
    expect(generation.tokens.length - questionTokens).toBe(2);
    // Step on until the cut falls inside a segment's content: the last segment is reported, marked incomplete.
    let limit = 2;
    while (generation.automaton.kind[generation.automatonState] !== STATE_CONTENT && limit < 40) {
      expect(await generation.run({ maxTokens: ++limit })).toBe("max-tokens");
    }
    expect(generation.segments.at(-1)).toMatchObject({ complete: false });
    expect(checkOutput(REACT.spec, generation.text)).toBeDefined();
    const other = decoder.start("", { seed: 6, temperature: 1 });
    await other.run();
    other.supply("What is 17 times 23?");
    expect(await other.run({ maxSegmentTokens: 2, maxTokens: 100 })).toBe("max-segment-tokens");
    await generation.dispose();
    await other.dispose();
  }, 60_000);

  it("clone from a shared prefix without re-evaluating it, and continue independently", async () => {
    const generation = decoder.start("", { seed: 7, temperature: 0.9 });
    await generation.run();
    generation.supply("What is 6 times 7?");
    await generation.run({ maxTokens: 5 });
    const prefix = generation.text;
    const before = backend.evaluatedTokens;
    const twins = await Promise.all([generation.clone({ seed: 8, temperature: 0.9 }), generation.clone({ seed: 9, temperature: 0.9 })]);
    // Branches decode concurrently, batched by node-llama-cpp.
    const finish = async (g: typeof generation) => {
      let stop = await g.run({ maxTokens: 300 });
      while (stop === "environment") {
        g.supply("42");
        stop = await g.run({ maxTokens: 300 });
      }
      return stop;
    };
    const stops = await Promise.all([finish(generation), ...twins.map(finish)]);
    expect(stops).toEqual(["end", "end", "end"]);
    const produced = generation.tokens.length + twins.reduce((n, t) => n + t.tokens.length, 0);
    // Shared prefix: the branches evaluated only their own new tokens (the copied KV cache covers the rest).
    expect(backend.evaluatedTokens - before).toBeLessThan(produced);
    for (const g of [generation, ...twins]) {
      expect(g.text.startsWith(prefix)).toBe(true);
      expect(checkOutput(REACT.spec, g.text)).toBeUndefined();
    }
    expect(new Set([generation.text, ...twins.map((t) => t.text)]).size).toBeGreaterThan(1);
    for (const g of [generation, ...twins]) await g.dispose();
  }, 120_000);
});

describe("model files", () => {
  const dir = mkdtempSync(join(tmpdir(), "ltlguard-models-"));

  it("a missing, corrupt or truncated file is an error naming the file and the problem", async () => {
    const garbage = join(dir, "garbage.gguf");
    writeFileSync(garbage, "this is not a model");
    await expect(LlamaBackend.load({ modelPath: join(dir, "missing.gguf") })).rejects.toThrow(/missing\.gguf: no such file/);
    await expect(LlamaBackend.load({ modelPath: garbage })).rejects.toThrow(ModelFileError);
    await expect(LlamaBackend.load({ modelPath: garbage })).rejects.toThrow(/garbage\.gguf: .*GGUF/);
    const real = readFileSync(await ensureModel("small-vocab"));
    const truncated = join(dir, "truncated.gguf");
    writeFileSync(truncated, real.subarray(0, Math.floor(real.length / 2)));
    await expect(LlamaBackend.load({ modelPath: truncated })).rejects.toThrow(/truncated\.gguf: .*truncated/);
  });
});

export type { CompiledSpec };
