import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpec } from "../../src/ltl/analysis.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { ConstrainedDecoder } from "../../src/decoder/decoder.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { ensureModel } from "../../src/models/build.js";
import { DecoderPolicy, type TranscriptCodec } from "../../src/search/decoder-policy.js";
import { Budget } from "../../src/search/types.js";

/** A counter: the state is the list of moves so far; each move's result is the new count. */
type Move = "inc" | "dec" | "done";
type CounterState = readonly Move[];

const SPEC = `
events step, result
segment step   "Step: "   one of "inc", "dec", "done"
segment result "Result: " text max 20 by environment
step
G(step -> WX result)
G(result -> X step)
`;

const codec: TranscriptCodec<CounterState, Move> = {
  history: (state) =>
    state.flatMap((move, i) => [
      { event: "step", content: move },
      { event: "result", content: String(state.slice(0, i + 1).reduce((n, m) => n + (m === "inc" ? 1 : m === "dec" ? -1 : 0), 0)) },
    ]),
  parse: (_state, event, content) => (event === "step" && ["inc", "dec", "done"].includes(content) ? (content as Move) : undefined),
  actionKey: (move) => move,
};

const PROMPT = "You move a counter with the steps inc, dec and done. ".repeat(12) + "\n";

let backend: LlamaBackend;
let decoder: ConstrainedDecoder;

beforeAll(async () => {
  backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-fitted"), sequences: 12, contextSize: 1024 });
  decoder = ConstrainedDecoder.create(compileSpec(parseSpec(SPEC, { file: "counter.ltl" })), backend, { precompute: false });
}, 300_000);

afterAll(async () => {
  await backend?.dispose();
});

describe("the llama.cpp policy (constrained decoder)", () => {
  it("proposes only actions the spec allows, with sampling frequencies, and spends the budget", async () => {
    const policy = new DecoderPolicy(decoder, codec, { prompt: PROMPT, samples: 6, sampling: { temperature: 1.5 }, seed: 1 });
    const budget = new Budget();
    const proposals = await policy.propose(["inc", "inc"], 3, budget);
    expect(proposals.length).toBeGreaterThan(0);
    expect(proposals.length).toBeLessThanOrEqual(3);
    for (const p of proposals) {
      expect(["inc", "dec", "done"]).toContain(p.action);
      expect(p.frequency).toBeGreaterThan(0);
      expect(p.frequency).toBeLessThanOrEqual(1);
    }
    expect(proposals.reduce((n, p) => n + p.frequency, 0)).toBeLessThanOrEqual(1 + 1e-9);
    expect(budget.used.modelCalls).toBe(6);
    expect(budget.used.tokens).toBeGreaterThan(0);
    await policy.dispose();
  }, 120_000);

  it("branches from the shared prefix: expanding a state does not re-evaluate the prompt or the history", async () => {
    const policy = new DecoderPolicy(decoder, codec, { prompt: PROMPT, samples: 4, sampling: { temperature: 1 }, seed: 2 });
    const promptTokens = backend.tokenizePrompt(PROMPT).length;
    await policy.propose([], 2, new Budget());
    const deep: CounterState = ["inc", "dec", "inc", "inc"];
    await policy.propose(deep, 2, new Budget());
    const before = backend.evaluatedTokens;
    // Its children and a second call at the same state reuse the kept prefix.
    await policy.propose(deep, 2, new Budget());
    await policy.propose([...deep, "inc"], 2, new Budget());
    const spent = backend.evaluatedTokens - before;
    // Without sharing, each of the 8 samples would evaluate the prompt (and the history) again.
    expect(spent).toBeLessThan(8 * promptTokens);
    expect(spent).toBeLessThan(2 * promptTokens);
    await policy.dispose();
  }, 120_000);

  it("stops drawing when the budget is spent", async () => {
    const policy = new DecoderPolicy(decoder, codec, { prompt: PROMPT, samples: 10, seed: 3 });
    const budget = new Budget({ modelCalls: 3 });
    await policy.propose(["inc"], 5, budget);
    expect(budget.used.modelCalls).toBe(3);
    await policy.dispose();
  }, 120_000);
});
