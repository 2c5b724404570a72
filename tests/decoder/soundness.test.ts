import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpec, type CompiledSpec } from "../../src/ltl/analysis.js";
import { SpecError } from "../../src/ltl/errors.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { ConstrainedDecoder } from "../../src/decoder/decoder.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { ensureModel } from "../../src/models/build.js";
import { checkOutput, parseOutput } from "../support/output-check.js";
import { randomSegmentSpec, Rng } from "../support/random-segments.js";
import { drive } from "../support/drive.js";

/**
 * The guarantee, as a property: on the random-weight model (which spreads its probability over
 * the whole 151k-token Qwen3 vocabulary, so it tries everything), every output that ends is in
 * the spec's language. An independent reader (tests/support/output-check.ts: string matching,
 * JavaScript RegExp, the recursive LTLf evaluator) judges each one.
 */
const SPECS = 150;
const RUNS: readonly { seed: number; temperature: number }[] = [
  { seed: 1, temperature: 0 },
  { seed: 2, temperature: 1 },
  { seed: 3, temperature: 2 },
];

let backend: LlamaBackend;

beforeAll(async () => {
  backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-random"), contextSize: 512 });
}, 300_000);

afterAll(async () => {
  await backend?.dispose();
});


describe("constrained decoding on llama.cpp (random-weight Qwen3-vocabulary model)", () => {
  it(`every completed output is in the language: ${SPECS} random specs × ${RUNS.length} seeds/temperatures`, async () => {
    const rng = new Rng(20261123);
    let specs = 0;
    let ended = 0;
    let cut = 0;
    const failures: string[] = [];
    while (specs < SPECS) {
      const text = randomSegmentSpec(rng);
      let compiled: CompiledSpec;
      try {
        compiled = compileSpec(parseSpec(text, { file: "random.ltl" }));
      } catch (error) {
        if (error instanceof SpecError) continue; // unsatisfiable, or a segment that cannot end in one place
        throw error;
      }
      specs++;
      const decoder = ConstrainedDecoder.create(compiled, backend, { precompute: false });
      for (const { seed, temperature } of RUNS) {
        const generation = decoder.start("", { seed, temperature });
        const stop = await drive(generation, compiled, rng, 60);
        if (stop === "end") {
          ended++;
          const problem = checkOutput(compiled.spec, generation.text);
          if (problem !== undefined) failures.push(`seed ${seed} t=${temperature}: ${problem}\nspec:\n${text}`);
          // The decoder's own account of the segments is one of the independent readings.
          const readings = parseOutput(compiled.spec.segments, generation.text);
          const own = JSON.stringify(generation.segments.map((s) => ({ event: s.event, content: s.content })));
          if (!readings.some((r) => JSON.stringify(r) === own)) failures.push(`segments ${own} are not a reading of ${JSON.stringify(generation.text)}`);
        } else cut++;
        await generation.dispose();
      }
    }
    expect(failures.slice(0, 3).join("\n\n")).toBe("");
    // A property that holds because nothing finished would prove nothing.
    expect(ended).toBeGreaterThan(SPECS * RUNS.length * 0.6);
    console.log(`soundness: ${specs} specs, ${ended} outputs ended and were checked, ${cut} cut at the token limit`);
  }, 600_000);

  it("the same seed gives the same output; another seed usually does not", async () => {
    const compiled = compileSpec(
      parseSpec('events a, b\nsegment a "A: " text max 24\nsegment b "B: " one of "x", "y", "z"\na & X b & X X last\n', { file: "r.ltl" }),
    );
    const decoder = ConstrainedDecoder.create(compiled, backend, { precompute: false });
    const texts: string[] = [];
    for (const seed of [7, 7, 8, 9]) {
      const generation = decoder.start("", { seed, temperature: 1 });
      await drive(generation, compiled, new Rng(1), 40);
      texts.push(generation.text);
      await generation.dispose();
    }
    expect(texts[0]).toBe(texts[1]);
    expect(new Set(texts).size).toBeGreaterThan(1);
  }, 120_000);
});
