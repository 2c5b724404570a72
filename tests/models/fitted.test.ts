import { getLlama, type Llama, LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureModel, qwen3CorpusSequences } from "../../src/models/build.js";
import { SEGMENT_TAGS, TOOLS } from "../../src/models/corpus.js";
import { unigramCrossEntropy } from "../../src/models/fit.js";
import { inspectGguf } from "../../src/models/gguf-reader.js";

let llama: Llama;
let model: LlamaModel;
let path: string;

beforeAll(async () => {
  path = await ensureModel("qwen3-fitted");
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: path });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
});

/**
 * Mean -log p(next token) under llama.cpp, teacher-forced. With temperature 0 the sampler keeps
 * every candidate, picks the argmax, and reports Σ exp(logit - max): log p(t) = logit(t) - logit(argmax) - log Σ.
 */
async function llamaCrossEntropy(sequences: readonly Int32Array[]): Promise<{ nats: number; tokens: number }> {
  const context = await model.createContext({ contextSize: 1024, threads: 1 });
  const sequence = context.getSequence();
  let loss = 0;
  let tokens = 0;
  try {
    for (const s of sequences) {
      await sequence.clearHistory();
      const items = Array.from(s.subarray(0, s.length - 1), (token, i) => [
        token as Token,
        { generateNext: { token: true, totalLogitWeight: true, logits: { filter: { tokens: [s[i + 1]! as Token], includeSelected: true } } } },
      ] as [Token, object]);
      const results = await sequence.controlledEvaluate(items as never);
      results.forEach((r, i) => {
        const next = r!.next as { token?: Token | null; logits?: Map<Token, number>; totalLogitWeight?: number };
        const target = next.logits!.get(s[i + 1]! as Token)!;
        const best = next.logits!.get(next.token!)!;
        loss -= target - best - Math.log(next.totalLogitWeight!);
        tokens++;
      });
    }
  } finally {
    await context.dispose();
  }
  return { nats: loss / tokens, tokens };
}

describe("qwen3-fitted", () => {
  it("predicts held-out traces far better than a unigram model, in llama.cpp itself", async () => {
    const { train, heldOut } = qwen3CorpusSequences();
    const sample = heldOut.filter((_, i) => i % 20 === 0); // 15 traces
    const measured = await llamaCrossEntropy(sample);
    const unigram = unigramCrossEntropy(train, sample, 151936);
    expect(measured.tokens).toBeGreaterThan(800);
    expect(Number.isFinite(measured.nats)).toBe(true);
    // Measured when written: ≈1.5 nats/token on all held-out traces against ≈4.7 for the unigram.
    expect(measured.nats).toBeLessThan(unigram - 2);
    expect(measured.nats).toBeLessThan(2.2);
    const recorded = inspectGguf(path).getNumber("ltlguard.fit.held_out_cross_entropy")!;
    expect(Math.abs(measured.nats - recorded)).toBeLessThan(0.4);
  });

  it("samples text that looks like agent traces", async () => {
    const context = await model.createContext({ contextSize: 1024, threads: 1 });
    const tags = Object.values(SEGMENT_TAGS).map((t) => t.trimEnd());
    let lines = 0;
    let tagged = 0;
    const tools: string[] = [];
    try {
      for (const [prompt, seed] of [["Question: What is the capital of Japan?\n", 1], ["Question: How tall is Mount Fuji?\n", 2], ["User: Hi! What time is it in Tokyo?\n", 3], ["Question: What is 12 times 31?\n", 4]] as const) {
        const sequence = context.getSequence();
        const out: Token[] = [];
        for await (const t of sequence.evaluate(model.tokenize(prompt), { temperature: 0.7, seed })) {
          out.push(t);
          if (out.length >= 120) break;
        }
        const complete = (prompt + model.detokenize(out)).split("\n").slice(1, -1);
        for (const line of complete) {
          lines++;
          if (tags.some((tag) => line.startsWith(`${tag} `) || line === tag)) tagged++;
          const m = /^Action: (.*)$/.exec(line);
          if (m) tools.push(m[1]!);
        }
        sequence.dispose();
      }
    } finally {
      await context.dispose();
    }
    expect(lines).toBeGreaterThan(8);
    expect(tagged / lines).toBeGreaterThan(0.9);
    expect(tools.length).toBeGreaterThan(0);
    for (const tool of tools) expect(TOOLS as readonly string[]).toContain(tool);
  });
});
