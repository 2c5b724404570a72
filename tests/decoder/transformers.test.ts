import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tensor } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpec, type CompiledSpec } from "../../src/ltl/analysis.js";
import { SpecError } from "../../src/ltl/errors.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { STATE_CONTENT, STATE_TAG } from "../../src/grammars/output.js";
import { ConstrainedDecoder } from "../../src/decoder/decoder.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { MaskIndex } from "../../src/decoder/mask.js";
import { TransformersBackend } from "../../src/decoder/transformers.js";
import { OutputTracker, sampleIndex, SpecMaskLogitsProcessor } from "../../src/decoder/transformers-processors.js";
import { ensureModel } from "../../src/models/build.js";
import { ModelFileError } from "../../src/models/gguf-reader.js";
import { BUILD_MARKER, ensureOnnxModel, expectedOnnxBuildId, onnxStaleReason } from "../../src/models/onnx-model.js";
import { Prng } from "../../src/models/prng.js";
import { checkOutput } from "../support/output-check.js";
import { randomContent, randomSegmentSpec, Rng } from "../support/random-segments.js";

/**
 * The transformers.js backend on the project's own ONNX model with the real Qwen3 vocabulary and
 * random weights (its samples spread over all 151k tokens): every output that ends is read back by
 * the independent checker, exactly as the llama.cpp soundness test does.
 */
const SPECS = 40;
const RUNS: readonly { seed: number; temperature: number }[] = [
  { seed: 1, temperature: 0 },
  { seed: 2, temperature: 1 },
  { seed: 3, temperature: 2 },
];

let randomDir: string;
let backend: TransformersBackend;

beforeAll(async () => {
  randomDir = await ensureOnnxModel("qwen3-random");
  backend = await TransformersBackend.load({ modelDir: randomDir });
}, 120_000);

afterAll(async () => {
  await backend?.dispose();
});

function compile(text: string): CompiledSpec {
  return compileSpec(parseSpec(text, { file: "t.ltl" }));
}

describe("transformers.js backend: soundness (random-weight Qwen3-vocabulary ONNX model)", () => {
  it(`every completed output is in the language: ${SPECS} random specs × ${RUNS.length} seeds/temperatures`, async () => {
    const rng = new Rng(20261124);
    let specs = 0;
    let ended = 0;
    let cut = 0;
    let environmentRounds = 0;
    const failures: string[] = [];
    while (specs < SPECS) {
      const text = randomSegmentSpec(rng);
      let compiled: CompiledSpec;
      try {
        compiled = compile(text);
        backend.maskIndexFor(compiled);
      } catch (error) {
        if (error instanceof SpecError) continue; // unsatisfiable, or a segment that cannot end in one place
        throw error;
      }
      specs++;
      for (const { seed, temperature } of RUNS) {
        const output = await backend.generateConstrained(compiled, "", {
          seed,
          temperature,
          maxTokens: 60,
          environment: (request) => {
            environmentRounds++;
            const event = rng.pick(request.events);
            const format = compiled.spec.segments.find((s) => s.event === event)!;
            return { event, content: randomContent(rng, format.content) };
          },
        });
        if (output.stop === "end") {
          ended++;
          const problem = checkOutput(compiled.spec, output.text);
          if (problem !== undefined) failures.push(`seed ${seed} t=${temperature}: ${problem}\nspec:\n${text}`);
        } else {
          expect(output.stop).toBe("max-tokens");
          cut++;
        }
      }
    }
    expect(failures.slice(0, 3).join("\n\n")).toBe("");
    // A property that holds because nothing finished would prove nothing.
    expect(ended).toBeGreaterThan(SPECS * RUNS.length * 0.6);
    expect(environmentRounds).toBeGreaterThan(0);
    console.log(`transformers soundness: ${specs} specs, ${ended} outputs ended and were checked, ${cut} cut at the token limit, ${environmentRounds} environment segments`);
  }, 120_000);

  it("the same seed gives the same output; another seed usually does not", async () => {
    const compiled = compile('events a, b\nsegment a "A: " text max 24\nsegment b "B: " one of "x", "y", "z"\na & X b & X last\n');
    const texts: string[] = [];
    for (const seed of [7, 7, 8, 9]) texts.push((await backend.generateConstrained(compiled, "", { seed, temperature: 1, maxTokens: 40 })).text);
    expect(texts[0]).toBe(texts[1]);
    expect(new Set(texts).size).toBeGreaterThan(1);
    for (const text of texts) expect(text).toMatch(/^A: [^\n]{0,24}\nB: [xyz]\n$/su);
  });

  it("stops with reason 'environment' where the environment writes, when no environment callback is given", async () => {
    const compiled = compile('events q, a\nsegment q "Q: " text max 20 by environment\nsegment a "A: " one of "yes", "no"\nq & X a & X last\n');
    const first = await backend.generateConstrained(compiled, "", { seed: 1 });
    expect(first).toMatchObject({ stop: "environment", text: "", modelTokens: 0, awaiting: { events: ["q"], tagWritten: false } });
    const full = await backend.generateConstrained(compiled, "", { seed: 1, environment: () => ({ content: "ok?" }) });
    expect(full.stop).toBe("end");
    expect(full.text).toMatch(/^Q: ok\?\nA: (yes|no)\n$/u);
    await expect(backend.generateConstrained(compiled, "", { environment: () => ({ content: "a\nb" }) })).rejects.toThrow(/does not fit/);
  });
});

describe("transformers.js backend: the mask", () => {
  it("has the llama.cpp backend's vocabulary bytes for the same Qwen3 tokenizer, so the same MaskIndex masks", async () => {
    const llama = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-random"), contextSize: 256 });
    try {
      const ours = backend.vocabulary, theirs = llama.vocabulary;
      expect(ours.size).toBe(theirs.size);
      expect(ours.kind).toBe(theirs.kind);
      // llama.cpp counts a few more tokens as end-of-generation; the bytes of every other token agree.
      const eog = new Set([...ours.endOfGeneration, ...theirs.endOfGeneration]);
      let compared = 0;
      const mismatches: number[] = [];
      for (let id = 0; id < ours.size; id++) {
        if (eog.has(id)) continue;
        const a = ours.bytes[id], b = theirs.bytes[id];
        if (a === undefined || b === undefined ? a !== b : a.length !== b.length || a.some((x, i) => x !== b[i])) mismatches.push(id);
        else if (a !== undefined) compared++;
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(compared).toBeGreaterThan(150_000);
      expect([...ours.special.keys()].filter((id) => !eog.has(id)).sort()).toEqual([...theirs.special.keys()].filter((id) => !eog.has(id)).sort());
      // And the masks of a spec's states agree token for token (end-of-generation aside).
      const compiled = compile('events t, c\nsegment t "Thought: " text max 12\nsegment c "Call: " one of "search", "calc" end "\\n"\nt & X c & X X last\n');
      const automaton = backend.automatonFor(compiled);
      const mine = backend.maskIndexFor(compiled), other = new MaskIndex(automaton, theirs);
      for (let s = 0; s < automaton.stateCount; s++) {
        if (automaton.kind[s] !== STATE_TAG && automaton.kind[s] !== STATE_CONTENT) continue;
        const allowed = (index: MaskIndex): Uint8Array => {
          const m = index.maskFor(s);
          const bits = new Uint8Array(index.vocabulary.size).fill(m.allowed !== undefined ? 0 : 1);
          for (const t of m.allowed ?? m.banned!) bits[t] = m.allowed !== undefined ? 1 : 0;
          for (const t of eog) bits[t] = 0;
          return bits;
        };
        expect(mine.maskFor(s).mayEnd).toBe(other.maskFor(s).mayEnd);
        const a = allowed(mine), b = allowed(other);
        let differ = -1;
        for (let t = 0; t < a.length && differ < 0; t++) if (a[t] !== b[t]) differ = t;
        expect(differ, `state ${s}: token ${differ}`).toBe(-1);
      }
    } finally {
      await llama.dispose();
    }
  }, 60_000);

  it("the logits processor leaves exactly the allowed tokens finite, and end of generation only where the output may end", () => {
    const compiled = compile('events a, b\nsegment a "A: " one of "go", "stop" end ";"\nsegment b "B: " matching /[0-9]{1,3}/ end "\\n"\na & X b & X X last\n');
    const index = backend.maskIndexFor(compiled);
    const automaton = index.automaton;
    const size = backend.vocabulary.size;
    let checkedEnd = false;
    for (let s = 0; s < automaton.stateCount; s++) {
      if (automaton.kind[s] !== STATE_TAG && automaton.kind[s] !== STATE_CONTENT) continue;
      const tracker = new OutputTracker(index, 1, s);
      const data = new Float32Array(size).map((_, i) => Math.sin(i));
      const logits = new Tensor("float32", data, [1, size]);
      new SpecMaskLogitsProcessor(tracker)._call([[0n]], logits);
      for (let t = 0; t < size; t++) {
        const finite = data[t] !== -Infinity;
        if (finite !== index.allows(s, t)) throw new Error(`state ${s}, token ${t}: finite ${finite}, allowed ${index.allows(s, t)}`);
        if (finite) expect(data[t]).toBe(Math.fround(Math.sin(t)));
      }
      const eosFinite = backend.vocabulary.endOfGeneration.some((t) => data[t] !== -Infinity);
      expect(eosFinite).toBe(automaton.accepting[s] === 1);
      checkedEnd ||= eosFinite;
    }
    expect(checkedEnd).toBe(true);
  });

  it("seeded sampling draws from softmax(logits / temperature) over the finite logits", () => {
    const row = Float32Array.from([1, -Infinity, 0, 2, -Infinity, 0.5]);
    const prng = new Prng(42);
    for (const temperature of [1, 2]) {
      const counts = new Array<number>(row.length).fill(0);
      const draws = 40_000;
      for (let i = 0; i < draws; i++) counts[sampleIndex(row, temperature, prng)]!++;
      const weights = [...row].map((v) => (v === -Infinity ? 0 : Math.exp(v / temperature)));
      const total = weights.reduce((a, b) => a + b, 0);
      weights.forEach((w, i) => expect(Math.abs(counts[i]! / draws - w / total)).toBeLessThan(0.01));
    }
    // Scanning only the candidate entries draws the same tokens from the same seed.
    const full = new Prng(7), listed = new Prng(7), candidates = Int32Array.of(0, 2, 3, 5);
    for (let i = 0; i < 1000; i++) expect(sampleIndex(row, 1.5, listed, candidates)).toBe(sampleIndex(row, 1.5, full));
    expect(sampleIndex(row, 0, prng)).toBe(3);
    expect(sampleIndex(Float32Array.from([-Infinity, -Infinity]), 1, prng)).toBe(-1);
  });
});

describe("the project's ONNX model", () => {
  /** The next-token logits after `tokens`, computed by transformers.js' forward pass (empty cache). */
  async function nextLogits(tokens: number[]): Promise<Float32Array> {
    const forward = backend.model as unknown as (inputs: Record<string, Tensor>) => Promise<{ logits: Tensor }>;
    const ids = new Tensor("int64", BigInt64Array.from(tokens, (t) => BigInt(t)), [1, tokens.length]);
    const mask = new Tensor("int64", new BigInt64Array(tokens.length).fill(1n), [1, tokens.length]);
    const { logits } = await forward({ input_ids: ids, attention_mask: mask });
    expect(logits.dims).toEqual([1, 1, backend.vocabulary.size]);
    return logits.data as Float32Array;
  }

  it("conditions on exactly the last two tokens (c = a for a single token)", async () => {
    const [x, y, c, a] = backend.tokenize("alpha beta gamma delta").slice(0, 4) as [number, number, number, number];
    const base = await nextLogits([x, c, a]);
    expect([...(await nextLogits([y, x, c, a]))]).toEqual([...base]);
    expect([...(await nextLogits([c, a]))]).toEqual([...base]);
    expect([...(await nextLogits([y, a]))]).not.toEqual([...base]); // the token before the last matters
    expect([...(await nextLogits([x, c, y]))]).not.toEqual([...base]); // and the last one
    expect([...(await nextLogits([a]))]).toEqual([...(await nextLogits([a, a]))]);
  });
});

/** A ReAct agent's spec (the shape of the traces the fitted model was trained on). */
const REACT = `events question, thought, action, action_input, observation, final_thought, answer
segment question "Question: " text max 400 by environment
segment thought "Thought: " text max 200
segment action "Action: " one of "search", "calculator", "clock"
segment action_input "Action Input: " text max 120
segment observation "Observation: " text max 400 by environment
segment final_thought "Final Thought: " text max 200
segment answer "Answer: " text max 100
question
G(question -> X(thought | final_thought))
G(thought -> X action)
G(action -> X action_input)
G(action_input -> X observation)
G(observation -> X(thought | final_thought))
G(final_thought -> X answer)
G(answer -> last)
at most 5 action
`;

describe("the fitted ONNX model", () => {
  it("is the qwen3-fitted GGUF's model: greedy decoding under a ReAct spec writes (nearly) the same text on both backends", async () => {
    const compiled = compile(REACT);
    const environment = (event: string): string => (event === "question" ? "What is 17 times 23?" : "391");
    const fitted = await TransformersBackend.load({ modelDir: await ensureOnnxModel("qwen3-fitted") });
    const llama = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-fitted"), contextSize: 512 });
    try {
      const ours = await fitted.generateConstrained(compiled, "", { maxTokens: 40, environment: ({ events }) => ({ event: events[0]!, content: environment(events[0]!) }) });
      const generation = ConstrainedDecoder.create(compiled, llama, { precompute: false }).start("", { temperature: 0 });
      for (let round = 0; round < 10; round++) {
        if ((await generation.run({ maxTokens: 40 })) !== "environment") break;
        const event = generation.awaiting()!.events[0]!;
        generation.supply(environment(event), event);
      }
      // The GGUF stores the factors in float16 and its attention is soft, so a near-tie can
      // flip a greedy choice somewhere; the outputs must still agree well beyond the first segments.
      let common = 0;
      while (common < ours.text.length && ours.text[common] === generation.text[common]) common++;
      expect(ours.text).toMatch(/^Question: What is 17 times 23\?\nThought: [^\n]+\nAction: /u);
      expect(common, `ONNX:\n${ours.text}\nGGUF:\n${generation.text}`).toBeGreaterThanOrEqual(Math.min(80, generation.text.length));
      await generation.dispose();
    } finally {
      await fitted.dispose();
      await llama.dispose();
    }
  }, 120_000);
});

describe("transformers.js backend: model folders", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "ltlguard-onnx-"));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** A copy of the model folder (files linked) without `missing`. */
  let folders = 0;
  function folderWithout(missing: string): string {
    const dir = join(scratch, `${folders++}-without-${missing.replace(/\W/g, "_")}`);
    mkdirSync(join(dir, "onnx"), { recursive: true });
    for (const file of ["config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json", "onnx/model.onnx"]) {
      if (file !== missing) symlinkSync(join(randomDir, file), join(dir, file));
    }
    return dir;
  }

  for (const missing of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]) {
    it(`a folder without ${missing} is an error naming that file`, async () => {
      const dir = folderWithout(missing);
      const error = await TransformersBackend.load({ modelDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFileError);
      expect((error as ModelFileError).file).toBe(join(dir, missing));
      expect((error as Error).message).toMatch(/missing/);
    });
  }

  it("a missing folder, a missing dtype variant and a config without model_type are clear errors", async () => {
    await expect(TransformersBackend.load({ modelDir: join(scratch, "nope") })).rejects.toThrow(/nope: no such model folder/);
    await expect(TransformersBackend.load({ modelDir: randomDir, dtype: "q4" })).rejects.toThrow(/model_q4\.onnx: missing/);
    const dir = folderWithout("config.json");
    writeFileSync(join(dir, "config.json"), JSON.stringify({ vocab_size: 10 }));
    await expect(TransformersBackend.load({ modelDir: dir })).rejects.toThrow(/config\.json: has no model_type/);
    writeFileSync(join(dir, "config.json"), "{");
    await expect(TransformersBackend.load({ modelDir: dir })).rejects.toThrow(/config\.json: is not valid JSON/);
  });

  it("ensureOnnxModel reuses a complete build and rebuilds a damaged one", async () => {
    const outDir = join(scratch, "models");
    const dir = await ensureOnnxModel("qwen3-random", { outDir });
    const marker = JSON.parse(readFileSync(join(dir, BUILD_MARKER), "utf8")) as { buildId: string };
    expect(marker.buildId).toBe(expectedOnnxBuildId("qwen3-random"));
    expect(onnxStaleReason("qwen3-random", dir)).toBeUndefined();
    const before = readFileSync(join(dir, "onnx/model.onnx"));
    const messages: string[] = [];
    await ensureOnnxModel("qwen3-random", { outDir, onProgress: (m) => messages.push(m) });
    expect(messages).toEqual([]); // reused
    writeFileSync(join(dir, "onnx/model.onnx"), before.subarray(0, 1000));
    expect(onnxStaleReason("qwen3-random", dir)).toMatch(/model\.onnx has 1000 bytes/);
    await ensureOnnxModel("qwen3-random", { outDir, onProgress: (m) => messages.push(m) });
    expect(messages.join("\n")).toMatch(/building/);
    expect(readFileSync(join(dir, "onnx/model.onnx")).equals(before)).toBe(true); // deterministic
    rmSync(join(dir, "tokenizer.json"));
    expect(onnxStaleReason("qwen3-random", dir)).toMatch(/tokenizer\.json is missing/);
    expect(existsSync(join(dir, "config.json"))).toBe(true);
    copyFileSync(join(randomDir, "tokenizer.json"), join(dir, "tokenizer.json"));
  }, 60_000);
});
