import { compileWithExampleTools } from "../support/agent-spec.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaGrammarEvaluationState, TokenBias, type LlamaGrammar, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompiledSpec } from "../../src/ltl/analysis.js";
import { SpecError } from "../../src/ltl/errors.js";
import { sampleWord } from "../../src/grammars/analysis.js";
import { composeOutput, eventsAllowedAt, STATE_PAUSE, type OutputAutomaton } from "../../src/grammars/output.js";
import { outputToGbnf } from "../../src/grammars/output-gbnf.js";
import { ConstrainedDecoder } from "../../src/decoder/decoder.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { ensureModel } from "../../src/models/build.js";
import { main } from "../../src/cli/main.js";
import { checkOutput } from "../support/output-check.js";
import { randomSegmentSpec, Rng } from "../support/random-segments.js";
import { drive } from "../support/drive.js";
import { tokensToBytes } from "../../src/decoder/vocabulary.js";

/**
 * The GBNF export against llama.cpp's own grammar engine (through node-llama-cpp), on the
 * random-weight Qwen3-vocabulary model: the grammar parses, llama.cpp and the OutputAutomaton
 * judge strings alike, what llama.cpp generates under the grammar the automaton (and the
 * independent reader of tests/support/output-check.ts) accepts, and what ltlguard's decoder
 * generates llama.cpp's engine accepts, token by token.
 *
 * Known differences of llama.cpp's engine, which are not differences of the languages (see the
 * last test): it decodes tokens' bytes leniently, so it also accepts some overlong UTF-8 forms
 * (E0 82 80 for U+0080), which are not UTF-8 and which the automaton rejects; and it refuses
 * any token that contains a NUL byte, which free text allows.
 */

const SPECS_DIR = join(import.meta.dirname, "..", "..", "specs");
/** The shipped specs that say how their events appear in text (the tool-planning protocols do not). */
const SHIPPED = ["chat", "cot", "direct", "pass", "react", "reflexion", "rewoo"].map((name) => `${name}.ltl`);

let backend: LlamaBackend;
let startToken: Token;
let endToken: Token;

beforeAll(async () => {
  backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-random"), contextSize: 512, sequences: 2 });
  startToken = backend.documentStartToken() as Token;
  endToken = (backend.model.tokens.eos ?? backend.vocabulary.endOfGeneration[0]!) as Token;
}, 300_000);

afterAll(async () => {
  await backend?.dispose();
});

function compile(text: string, file: string): CompiledSpec {
  return compileWithExampleTools(text, file);
}

/** A shipped spec with every text limit lowered to `max` bytes, so that outputs end quickly. */
function shippedWithMax(file: string, max: number): string {
  return readFileSync(join(SPECS_DIR, file), "utf8").replace(/\bmax \d+/g, `max ${max}`);
}

/** Random specs that compile to an output automaton (unsatisfiable or ambiguous ones skipped). */
function* randomSpecs(rng: Rng, options: Parameters<typeof randomSegmentSpec>[1]): Generator<{ text: string; compiled: CompiledSpec; automaton: OutputAutomaton }> {
  for (;;) {
    const text = randomSegmentSpec(rng, options);
    try {
      const compiled = compile(text, "random.ltl");
      yield { text, compiled, automaton: composeOutput(compiled) };
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
    }
  }
}

const utf8 = new TextEncoder();

/** Whether every segment's language is finite (no cycle among its states): llama.cpp alone then cannot write one segment forever. */
function finiteSegments(a: OutputAutomaton): boolean {
  return a.segments.every((d) => {
    const color = new Uint8Array(d.stateCount); // 0 new, 1 on the path, 2 done
    const cyclic = (s: number): boolean => {
      color[s] = 1;
      for (let b = 0; b < 256; b++) {
        const t = d.transitions[s * 256 + b]!;
        if (t < 0 || color[t] === 2) continue;
        if (color[t] === 1 || cyclic(t)) return true;
      }
      color[s] = 2;
      return false;
    };
    return !cyclic(d.initial);
  });
}

/**
 * Whether the automaton accepts the bytes as a whole transcript: its own table for tag and
 * content states, and at a pause (an environment-written segment, which the table leaves to the
 * caller) the segment's automaton until the segment ends.
 */
function automatonAccepts(a: OutputAutomaton, bytes: Uint8Array): { accepted: boolean; live: boolean } {
  let s = a.initial;
  let segment = -1; // state of a.segments[event] inside an environment segment, else -1
  const leavePause = (): void => {
    const e = a.event[s]!;
    const d = a.segments[e]!;
    if (segment < 0) segment = d.initial;
    if (d.accepting[segment] === 1) {
      s = a.boundaryAfter(a.eventState[s]!, e);
      segment = -1;
    }
  };
  for (const b of bytes) {
    if (a.kind[s] === STATE_PAUSE) {
      leavePause();
      if (a.kind[s] === STATE_PAUSE) {
        segment = a.segments[a.event[s]!]!.transitions[segment * 256 + b]!;
        if (segment < 0) return { accepted: false, live: false };
        leavePause();
        continue;
      }
    }
    s = a.transitions[s * 256 + b]!;
    if (s < 0) return { accepted: false, live: false };
  }
  if (a.kind[s] === STATE_PAUSE) leavePause();
  return { accepted: a.kind[s] !== STATE_PAUSE && a.accepting[s] === 1, live: true };
}

function tokenBytes(tokens: readonly number[]): Uint8Array {
  return tokensToBytes(backend.vocabulary, tokens);
}

/** llama.cpp's verdict on a whole text (code points; `LlamaGrammar._testText`, internal, runs llama_grammar_accept). */
function llamaAcceptsText(grammar: LlamaGrammar, text: string): boolean {
  return (grammar as unknown as { _testText(text: string): boolean })._testText(text);
}

/** A bias of +1000 on one token (end-of-generation tokens included, which TokenBias.set skips; as src/decoder/llama.ts does). */
function forcing(token: number): TokenBias {
  const bias = new TokenBias(backend.model.tokenizer);
  (bias as unknown as { _biases: Map<Token, number> })._biases.set(token as Token, 1000);
  return bias;
}

/**
 * Whether llama.cpp's grammar engine accepts a token sequence as a complete output: the index of
 * the first token it refuses (tokens.length: it refuses to end there), or -1 when it accepts.
 *
 * How: the public sampling path. The sequence is evaluated with the grammar, and at each step a
 * +1000 bias forces the expected token (then an end-of-generation token) under greedy sampling.
 * node-llama-cpp's sampler checks the chosen token against the grammar and, if the grammar
 * refuses it, samples again among the tokens the grammar allows; so the sampled token equals the
 * forced one exactly when llama.cpp's grammar accepts it there (end-of-generation only where the
 * grammar is complete). This costs one model evaluation per token (a few ms on this model) but
 * uses only the public API, and it is the very code that constrains sampling in practice.
 */
async function llamaAcceptsTokens(grammar: LlamaGrammar, tokens: readonly number[]): Promise<number> {
  const sequence = backend.acquireSequence();
  const state = new LlamaGrammarEvaluationState({ model: backend.model, grammar });
  let i = 0;
  const expected = (): number => (i < tokens.length ? tokens[i]! : endToken);
  try {
    for await (const token of sequence.evaluate([startToken], { grammarEvaluationState: state, temperature: 0, tokenBias: () => forcing(expected()), yieldEogToken: true })) {
      if (token !== expected()) return i;
      if (i === tokens.length) return -1;
      i++;
    }
    return i;
  } finally {
    await backend.releaseSequence(sequence);
  }
}

/**
 * The same verdict straight from the grammar sampler, without the model: node-llama-cpp's native
 * canBeNextTokenForGrammarEvaluationState / acceptGrammarEvaluationStateToken (llama_sampler_apply
 * on one candidate, llama_sampler_accept), which node-llama-cpp itself uses to validate draft
 * tokens. Internal API, so it only cross-checks the public path above.
 */
function grammarStateAccepts(grammar: LlamaGrammar, tokens: readonly number[]): number {
  type Native = { canBeNextTokenForGrammarEvaluationState(state: unknown, token: number): boolean; acceptGrammarEvaluationStateToken(state: unknown, token: number): void };
  const native = (backend.llama as unknown as { _bindings: { AddonSampler: Native } })._bindings.AddonSampler;
  const state = (new LlamaGrammarEvaluationState({ model: backend.model, grammar }) as unknown as { _state: unknown })._state;
  for (let i = 0; i < tokens.length; i++) {
    if (!native.canBeNextTokenForGrammarEvaluationState(state, tokens[i]!)) return i;
    native.acceptGrammarEvaluationStateToken(state, tokens[i]!);
  }
  return native.canBeNextTokenForGrammarEvaluationState(state, endToken) ? -1 : tokens.length;
}

/** Generates with llama.cpp's grammar engine alone (no ltlguard mask). */
async function generateWithGrammar(grammar: LlamaGrammar, seed: number, maxTokens: number): Promise<{ tokens: number[]; ended: boolean }> {
  const sequence = backend.acquireSequence();
  const state = new LlamaGrammarEvaluationState({ model: backend.model, grammar });
  const tokens: number[] = [];
  try {
    for await (const token of sequence.evaluate([startToken], { grammarEvaluationState: state, temperature: 1, seed, yieldEogToken: true })) {
      if (backend.model.isEogToken(token)) return { tokens, ended: true };
      tokens.push(token);
      if (tokens.length >= maxTokens) break;
    }
    return { tokens, ended: false };
  } finally {
    await backend.releaseSequence(sequence);
  }
}


// ---------------------------------------------------------------------------------------------
// Strings for the text-level comparison

const decoder = new TextDecoder("utf-8", { fatal: true });
const EXTRA_CHARS = ["a", "é", "中", "😀", "\n", ";", "|", " ", ":", "<", "/", "e", ">", "x", "0"];

/** A random transcript along the event automaton (contents from the segments' automata); it may end where the spec does not. */
function randomTranscript(a: OutputAutomaton, rng: Rng): string {
  let q = a.eventState[a.initial]!;
  let initial = true;
  let text = "";
  for (let n = 0; n < 12; n++) {
    const allowed = eventsAllowedAt(a, q);
    if (allowed.length === 0 || (!initial && rng.next() < 0.25)) break;
    const e = rng.pick(allowed);
    const body = sampleWord(a.segments[e]!, () => rng.next(), { maxLength: 1 + rng.int(12) });
    if (body === undefined) break;
    text += a.formats[e]!.tag + decoder.decode(body);
    q = a.eventState[a.boundaryAfter(q, e)]!;
    initial = false;
  }
  return text;
}

/** Contents at a text segment's byte limit and just past it, ending in characters of 1–4 bytes. */
function atTheLimit(a: OutputAutomaton, rng: Rng): string[] {
  const out: string[] = [];
  a.formats.forEach((format) => {
    const c = format.content;
    if (c.kind !== "text" || c.maxBytes === undefined) return;
    for (const last of ["a", "é", "中", "😀"]) {
      for (const total of [c.maxBytes, c.maxBytes + 1]) {
        const fill = total - utf8.encode(last).length;
        if (fill < 0) continue;
        const content = "b".repeat(fill) + last;
        if (content.includes(c.until)) continue;
        // Put the segment where a random transcript has one of its kind.
        const base = randomTranscript(a, rng);
        const at = base.indexOf(format.tag);
        if (at < 0) continue;
        const end = base.indexOf(c.until, at + format.tag.length);
        if (end < 0) continue;
        out.push(base.slice(0, at + format.tag.length) + content + base.slice(end));
      }
    }
  });
  return out;
}

function mutate(text: string, rng: Rng): string {
  const chars = [...text];
  const at = rng.int(chars.length + 1);
  switch (rng.int(3)) {
    case 0:
      chars.splice(at, 1);
      break;
    case 1:
      chars.splice(at, 0, rng.pick(EXTRA_CHARS));
      break;
    default:
      chars.splice(at, 1, rng.pick(EXTRA_CHARS));
  }
  return chars.join("");
}

/** Compares the automaton's and llama.cpp's verdicts on transcripts, limit cases and their mutations. */
function compareOnStrings(a: OutputAutomaton, grammar: LlamaGrammar, rng: Rng, count: number): { checked: number; accepted: number; disagreements: string[] } {
  const disagreements: string[] = [];
  let checked = 0;
  let accepted = 0;
  const check = (text: string): void => {
    const ours = automatonAccepts(a, utf8.encode(text)).accepted;
    const theirs = llamaAcceptsText(grammar, text);
    checked++;
    if (ours) accepted++;
    if (ours !== theirs) disagreements.push(`${JSON.stringify(text)}: automaton ${ours}, llama.cpp ${theirs}`);
  };
  const strings = [...atTheLimit(a, rng)];
  for (let i = 0; i < count; i++) strings.push(randomTranscript(a, rng));
  for (const s of strings) {
    check(s);
    check(mutate(s, rng));
    check(mutate(mutate(s, rng), rng));
  }
  check("");
  return { checked, accepted, disagreements };
}

// ---------------------------------------------------------------------------------------------

describe("outputToGbnf", () => {
  it("has one rule per event state at a boundary, '\"\"' only where the output may end, and shares equal contents", () => {
    const a = composeOutput(compile(readFileSync(join(SPECS_DIR, "react.ltl"), "utf8"), "react.ltl"));
    const grammar = outputToGbnf(a);
    const rules = new Map(grammar.split("\n").filter((l) => l.includes(" ::= ")).map((l) => [l.slice(0, l.indexOf(" ::= ")), l.slice(l.indexOf(" ::= ") + 5)]));
    expect(rules.get("root")).toBe("seg-question q1");
    const stateRules = [...rules.keys()].filter((n) => /^q\d+$/.test(n));
    let boundaries = 0;
    for (let s = 0; s < a.stateCount; s++) boundaries += a.boundary[s]!;
    expect(stateRules.length + 1).toBe(boundaries);
    // react may end only after the answer: one state rule has "", and it has nothing else.
    const ending = stateRules.filter((n) => rules.get(n)!.split(" | ").includes('""'));
    expect(ending.map((n) => rules.get(n))).toEqual(['""']);
    // question and observation (text max 400), thought and final_thought (max 200) share their content rules.
    expect(rules.get("seg-observation")).toBe('"Observation: " text-400-0');
    expect(rules.get("seg-question")).toBe('"Question: " text-400-0');
    expect(rules.get("seg-final-thought")).toBe('"Final Thought: " text-200-0');
    // One segment rule per tool (the tool's name, then its own arguments' rule).
    expect(rules.get("seg-action-calculator")).toMatch(/^"Action: " tool-\d+$/);
    expect(rules.get("seg-action-input-calculator")).toMatch(/^"Action Input: " args-\d+$/);
  });

  it("ltlguard compile --format gbnf prints the grammar, and refuses a spec without segments", async () => {
    const run = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = "";
      let err = "";
      const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
      return { code, out, err };
    };
    const file = join(SPECS_DIR, "react.ltl");
    const r = await run("compile", file, "--format", "gbnf");
    expect(r.code).toBe(0);
    expect(r.out).toBe(outputToGbnf(composeOutput(compile(readFileSync(file, "utf8"), file))));
    expect(r.err).toMatch(/2219 grammar rules/);
    const formula = await run("compile", "--formula", "G(a -> X b)", "--format", "gbnf");
    expect(formula.code).toBe(2);
    expect(formula.err).toMatch(/--format gbnf .* needs an events-mode spec with a segment for each event/);
    expect(formula.err).not.toMatch(/\n\s+at /);
  });

  it("parses in llama.cpp for every shipped spec (sizes reported)", async () => {
    const lines: string[] = [];
    for (const file of SHIPPED) {
      const a = composeOutput(compile(readFileSync(join(SPECS_DIR, file), "utf8"), file));
      for (const environment of ["include", "stop"] as const) {
        const started = performance.now();
        const text = outputToGbnf(a, { environment });
        const exportMs = performance.now() - started;
        const parseStarted = performance.now();
        const grammar = await backend.llama.createGrammar({ grammar: text });
        const parseMs = performance.now() - parseStarted;
        expect(grammar.grammar).toBe(text);
        // The grammar engine really runs: a state is created (llama_sampler_init_grammar) without error.
        new LlamaGrammarEvaluationState({ model: backend.model, grammar });
        const rules = text.split("\n").filter((l) => l.includes(" ::= ")).length;
        lines.push(
          `${file.padEnd(14)} ${environment.padEnd(7)} ${String(a.stateCount).padStart(6)} automaton states  ${String(rules).padStart(5)} rules  ` +
            `${String(text.length).padStart(7)} chars  export ${exportMs.toFixed(1)} ms  llama.cpp parse ${parseMs.toFixed(1)} ms`,
        );
        expect(parseMs).toBeLessThan(1000);
      }
    }
    console.log(`GBNF sizes:\n${lines.join("\n")}`);
  }, 60_000);

  it("llama.cpp and the automaton give the same verdicts on strings (transcripts, byte limits, mutations)", async () => {
    const rng = new Rng(4242);
    const disagreements: string[] = [];
    let checked = 0;
    let accepted = 0;
    const cases: { label: string; automaton: OutputAutomaton }[] = [];
    for (const file of SHIPPED) cases.push({ label: file, automaton: composeOutput(compile(shippedWithMax(file, 12), file)) });
    cases.push({ label: "react.ltl (max 400)", automaton: composeOutput(compile(readFileSync(join(SPECS_DIR, "react.ltl"), "utf8"), "react.ltl")) });
    const random = randomSpecs(rng, { maxTextBytes: 8, environmentShare: 0.3 });
    for (let i = 0; i < 30; i++) cases.push({ label: "random", automaton: random.next().value!.automaton });
    for (const { label, automaton } of cases) {
      const grammar = await backend.llama.createGrammar({ grammar: outputToGbnf(automaton) });
      const result = compareOnStrings(automaton, grammar, rng, 12);
      checked += result.checked;
      accepted += result.accepted;
      disagreements.push(...result.disagreements.map((d) => `${label} (${automaton.spec.spec.file}): ${d}`));
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(accepted).toBeGreaterThan(checked / 4);
    console.log(`text level: ${checked} strings on ${cases.length} specs, ${accepted} in the language; no disagreement`);
  }, 60_000);

  it("(a) every output llama.cpp's grammar engine completes is accepted by the automaton and the independent reader", async () => {
    const rng = new Rng(20261124);
    const cases: { label: string; compiled: CompiledSpec; automaton: OutputAutomaton; seeds: number[] }[] = [];
    for (const file of ["react.ltl", "rewoo.ltl"]) {
      const compiled = compile(shippedWithMax(file, 6), file);
      cases.push({ label: `${file} (max 6)`, compiled, automaton: composeOutput(compiled), seeds: [1, 2] });
    }
    // Segments with unbounded languages ((ab|c)+, [A-Z][a-z]*) would let llama.cpp write one forever.
    const random = randomSpecs(rng, { maxTextBytes: 6, environmentShare: 0.3 });
    while (cases.length < 10) {
      const { compiled, automaton } = random.next().value!;
      if (finiteSegments(automaton)) cases.push({ label: "random", compiled, automaton, seeds: [1, 2] });
    }
    const failures: string[] = [];
    let ended = 0;
    let cut = 0;
    for (const { label, compiled, automaton, seeds } of cases) {
      const grammar = await backend.llama.createGrammar({ grammar: outputToGbnf(automaton) });
      for (const seed of seeds) {
        const { tokens, ended: complete } = await generateWithGrammar(grammar, seed, 60);
        const bytes = tokenBytes(tokens);
        const verdict = automatonAccepts(automaton, bytes);
        const shown = JSON.stringify(new TextDecoder().decode(bytes));
        if (complete) {
          ended++;
          if (!verdict.accepted) failures.push(`${label} seed ${seed}: the automaton rejects ${shown}\n${compiled.spec.file}`);
          const problem = checkOutput(compiled.spec, new TextDecoder().decode(bytes));
          if (problem !== undefined) failures.push(`${label} seed ${seed}: ${problem}`);
        } else {
          cut++;
          if (!verdict.live) failures.push(`${label} seed ${seed}: the automaton rejects the prefix ${shown}`);
        }
      }
    }
    expect(failures.slice(0, 3)).toEqual([]);
    expect(ended).toBeGreaterThanOrEqual(12);
    console.log(`(a) llama.cpp's engine: ${ended} outputs completed and accepted, ${cut} cut at 60 tokens (live prefixes)`);
  }, 60_000);

  it("(b) every output of ltlguard's decoder is accepted by llama.cpp's grammar engine, token by token", async () => {
    const rng = new Rng(77);
    const cases: { label: string; compiled: CompiledSpec; automaton: OutputAutomaton }[] = [];
    for (const file of ["react.ltl", "rewoo.ltl", "reflexion.ltl"]) {
      const compiled = compile(shippedWithMax(file, 8), file);
      cases.push({ label: `${file} (max 8)`, compiled, automaton: composeOutput(compiled) });
    }
    const random = randomSpecs(rng, { maxTextBytes: 8, environmentShare: 0.3 });
    for (let i = 0; i < 8; i++) {
      const { compiled, automaton } = random.next().value!;
      cases.push({ label: "random", compiled, automaton });
    }
    const failures: string[] = [];
    let checked = 0;
    let tokenCount = 0;
    for (const { label, compiled, automaton } of cases) {
      let decoderForSpec: ConstrainedDecoder;
      try {
        decoderForSpec = ConstrainedDecoder.create(compiled, backend, { precompute: false });
      } catch (error) {
        if (error instanceof SpecError) continue; // generation could get stuck with this vocabulary
        throw error;
      }
      const grammar = await backend.llama.createGrammar({ grammar: outputToGbnf(automaton) });
      for (const seed of [1, 2]) {
        const generation = decoderForSpec.start("", { seed, temperature: 1 });
        const stop = await drive(generation, compiled, rng, 60);
        const tokens = [...generation.tokens];
        await generation.dispose();
        if (stop === "end") {
          expect(tokenBytes(tokens)).toEqual(utf8.encode(generation.text));
          const sampled = await llamaAcceptsTokens(grammar, tokens);
          const direct = grammarStateAccepts(grammar, tokens);
          if (sampled !== -1) {
            const at = JSON.stringify(new TextDecoder().decode(tokenBytes(tokens.slice(0, sampled))));
            failures.push(`${label} seed ${seed}: llama.cpp refuses token ${sampled} of ${tokens.length} after ${at} in ${JSON.stringify(generation.text)}`);
          }
          if (direct !== sampled) failures.push(`${label} seed ${seed}: the grammar state says ${direct}, sampling says ${sampled}`);
          checked++;
          tokenCount += tokens.length;
        }
      }
    }
    expect(failures.slice(0, 3)).toEqual([]);
    expect(checked).toBeGreaterThan(12);
    console.log(`(b) ltlguard's decoder: ${checked} outputs (${tokenCount} tokens) accepted by llama.cpp's grammar engine`);
  }, 60_000);

  it("the llama.cpp check can fail: wrong outputs are refused where they go wrong", async () => {
    const spec = 'events a, b\nsegment a "A: " text max 6\nsegment b "B: " one of "x", "yy" end ";"\na & X b & X last\n';
    const grammar = await backend.llama.createGrammar({ grammar: outputToGbnf(composeOutput(compile(spec, "wrong.ltl"))) });
    const verdict = async (text: string): Promise<{ sampled: number; direct: number; tokens: number; textLevel: boolean }> => {
      const tokens = backend.tokenize(text);
      return { sampled: await llamaAcceptsTokens(grammar, tokens), direct: grammarStateAccepts(grammar, tokens), tokens: tokens.length, textLevel: llamaAcceptsText(grammar, text) };
    };
    for (const good of ["A: héllo\nB: yy;", "A: 中中\nB: x;", "A: \nB: x;"]) {
      expect(await verdict(good)).toMatchObject({ sampled: -1, direct: -1, textLevel: true });
    }
    for (const bad of ["A: héllo!\nB: yy;", "A: 中中a\nB: x;", "A: hi\nC: yy;", "A: hi\nB: z;", "B: x;A: hi\n"]) {
      const v = await verdict(bad);
      expect(v.sampled, bad).toBeGreaterThanOrEqual(0);
      expect(v.sampled, bad).toBeLessThan(v.tokens);
      expect(v.direct, bad).toBe(v.sampled);
      expect(v.textLevel, bad).toBe(false);
    }
    // Incomplete: every token is fine, ending is not.
    const incomplete = await verdict("A: hi\nB: yy");
    expect(incomplete).toMatchObject({ sampled: incomplete.tokens, direct: incomplete.tokens, textLevel: false });
  }, 30_000);

  it("environment: 'stop' ends the grammar where the decoder pauses for the environment", async () => {
    const spec =
      'events a, b, c\nsegment a "A: " text max 6\nsegment b "B: " text until ";" max 6 by environment\nsegment c "C: " one of "x" end ";" by environment\n' +
      "a & X(b | c) & X X a & X X X (b & last)\n";
    const compiled = compile(spec, "stop.ltl");
    const a = composeOutput(compiled);
    const stopText = outputToGbnf(a, { environment: "stop" });
    expect(stopText).toContain('root ::= seg-a q');
    const stop = await backend.llama.createGrammar({ grammar: stopText });
    const include = await backend.llama.createGrammar({ grammar: outputToGbnf(a) });
    // After a, only environment segments may come: the model stops before their tags.
    expect(llamaAcceptsText(stop, "A: hi\n")).toBe(true);
    expect(llamaAcceptsText(stop, "A: hi\nB: ")).toBe(false);
    expect(llamaAcceptsText(stop, "A: hi\nB: x;A: y\n")).toBe(false);
    expect(llamaAcceptsText(include, "A: hi\nB: x;A: y\nB: ;")).toBe(true);
    expect(llamaAcceptsText(include, "A: hi\n")).toBe(false);
    // The decoder pauses exactly where the 'stop' grammar ends.
    const generation = ConstrainedDecoder.create(compiled, backend, { precompute: false }).start("", { seed: 3, temperature: 1 });
    expect(await generation.run({ maxTokens: 40 })).toBe("environment");
    expect(generation.awaiting()).toEqual({ events: ["b", "c"], tagWritten: false });
    const tokens = [...generation.tokens];
    await generation.dispose();
    expect(await llamaAcceptsTokens(stop, tokens)).toBe(-1);
    // Where a model segment may also come next (here at the start), the model writes the environment tag, then pauses;
    // after a, only b may come, so the model stops before its tag.
    const mixed = composeOutput(compile('events a, b\nsegment a "A: " text max 6\nsegment b "B: " text max 6 by environment\nb | a & X b & X X last\n', "mixed.ltl"));
    const mixedStop = await backend.llama.createGrammar({ grammar: outputToGbnf(mixed, { environment: "stop" }) });
    expect(["B: ", "A: hi\nB: ", "A: hi\n", ""].map((t) => llamaAcceptsText(mixedStop, t))).toEqual([true, false, true, false]);
    // Every shipped spec opens with the question: the model's first turn is empty.
    const react = composeOutput(compile(readFileSync(join(SPECS_DIR, "react.ltl"), "utf8"), "react.ltl"));
    expect(outputToGbnf(react, { environment: "stop" })).toMatch(/\nroot ::= ""\n$/);
  }, 30_000);

  it("known differences of llama.cpp's token-level engine: overlong UTF-8 accepted, NUL refused", async () => {
    const spec = 'events a, b\nsegment a "A: " text max 6\nsegment b "B: " one of "x" end ";"\na & X b & X last\n';
    const a = composeOutput(compile(spec, "utf8.ltl"));
    const grammar = await backend.llama.createGrammar({ grammar: outputToGbnf(a) });
    const byteToken = (b: number): number => backend.vocabulary.bytes.findIndex((x) => x !== undefined && x.length === 1 && x[0] === b);
    const withBytes = (bytes: number[]): number[] => [...backend.tokenize("A: a"), ...bytes.map(byteToken), ...backend.tokenize("\nB: x;")];
    // E0 82 80 is an overlong form of U+0080 (not UTF-8): the automaton refuses it, llama.cpp's lenient decoder takes it.
    const overlong = withBytes([0xe0, 0x82, 0x80]);
    expect(automatonAccepts(a, tokenBytes(overlong)).accepted).toBe(false);
    expect(grammarStateAccepts(grammar, overlong)).toBe(-1);
    // Surrogates and other invalid sequences are refused by both.
    expect(grammarStateAccepts(grammar, withBytes([0xed, 0xa0, 0x80]))).toBeGreaterThanOrEqual(0);
    expect(grammarStateAccepts(grammar, withBytes([0xc1, 0x81]))).toBeGreaterThanOrEqual(0);
    // NUL is text (both accept the string) but llama.cpp refuses any token with a NUL byte.
    const nul = withBytes([0x00]);
    expect(automatonAccepts(a, tokenBytes(nul)).accepted).toBe(true);
    expect(llamaAcceptsText(grammar, "A: a\0\nB: x;")).toBe(true);
    expect(grammarStateAccepts(grammar, nul)).toBe(backend.tokenize("A: a").length);
  }, 30_000);
});
