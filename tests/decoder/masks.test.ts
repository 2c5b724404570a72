import { compileWithExampleTools } from "../support/agent-spec.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpec, type CompiledSpec } from "../../src/ltl/analysis.js";
import { SpecError } from "../../src/ltl/errors.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { composeOutput, STATE_CONTENT, STATE_TAG, type OutputAutomaton } from "../../src/grammars/output.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { MaskIndex } from "../../src/decoder/mask.js";
import { KeyedMaskIndex } from "../support/mask-keyed.js";
import type { Vocabulary } from "../../src/decoder/vocabulary.js";
import { ensureModel } from "../../src/models/build.js";
import { checkOutput } from "../support/output-check.js";
import { randomContent, randomSegmentSpec, Rng } from "../support/random-segments.js";
import { holds } from "../support/evaluate.js";
import { conjunction } from "../../src/ltl/ast.js";

/**
 * Masks against brute force, and the composed language against an independent reader. On the
 * small SentencePiece vocabulary (498 tokens, byte fallback) everything can be enumerated.
 */
let small: LlamaBackend;

beforeAll(async () => {
  small = await LlamaBackend.load({ modelPath: await ensureModel("small-vocab"), contextSize: 256 });
}, 300_000);

afterAll(async () => {
  await small?.dispose();
});

function randomCompiled(rng: Rng): CompiledSpec {
  for (;;) {
    try {
      return compileSpec(parseSpec(randomSegmentSpec(rng, { environmentShare: 0.25 }), { file: "random.ltl" }));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
    }
  }
}

/** What a mask must be, computed the slow way: every token's bytes run through the automaton. */
function bruteForceAllowed(automaton: OutputAutomaton, vocabulary: Vocabulary, state: number): Set<number> {
  const allowed = new Set<number>();
  vocabulary.bytes.forEach((bytes, token) => {
    if (bytes === undefined) return;
    let s = state;
    for (let i = 0; i < bytes.length && s >= 0; i++) s = automaton.transitions[s * 256 + bytes[i]!]!;
    if (s >= 0) allowed.add(token);
  });
  if (automaton.accepting[state] === 1) for (const t of vocabulary.endOfGeneration) allowed.add(t);
  return allowed;
}

function maskSet(index: MaskIndex | KeyedMaskIndex, state: number): Set<number> {
  const mask = index.maskFor(state);
  if (mask.allowed !== undefined) return new Set(mask.allowed);
  const banned = new Set(mask.banned!);
  const out = new Set<number>();
  for (let t = 0; t < index.vocabulary.size; t++) if (!banned.has(t)) out.add(t);
  return out;
}

function sameSet(a: Set<number>, b: Set<number>): string | undefined {
  for (const x of a) if (!b.has(x)) return `token ${x} missing`;
  for (const x of b) if (!a.has(x)) return `token ${x} extra`;
  return undefined;
}

describe("token masks", () => {
  it("equal the brute-force set and the previous (keyed) path in every state, on 60 random specs (small vocabulary, every key size)", () => {
    const rng = new Rng(99);
    for (let i = 0; i < 60; i++) {
      const automaton = composeOutput(randomCompiled(rng));
      const index = new MaskIndex(automaton, small.vocabulary);
      // Small key sizes force many states to share masks in the keyed path: the sharing must never change a mask.
      const keyed = new KeyedMaskIndex(automaton, small.vocabulary, { shortTokenBytes: 1 + (i % 4) });
      for (let s = 0; s < automaton.stateCount; s++) {
        if (automaton.kind[s] !== STATE_TAG && automaton.kind[s] !== STATE_CONTENT) continue;
        const expected = bruteForceAllowed(automaton, small.vocabulary, s);
        expect(sameSet(maskSet(index, s), expected), `spec ${i}, state ${s}`).toBeUndefined();
        expect(sameSet(maskSet(keyed, s), expected), `spec ${i}, state ${s} (keyed)`).toBeUndefined();
      }
    }
  }, 120_000);

  it("equal the brute-force set on the 151k-token Qwen3 vocabulary (react spec, sampled states)", async () => {
    const { readFileSync } = await import("node:fs");
    const big = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-random"), contextSize: 256 });
    try {
      const automaton = composeOutput(compileWithExampleTools(readFileSync("specs/react.ltl", "utf8"), "react.ltl"));
      const index = new MaskIndex(automaton, big.vocabulary);
      const rng = new Rng(3);
      let checked = 0;
      for (let attempt = 0; attempt < 400 && checked < 40; attempt++) {
        const s = rng.int(automaton.stateCount);
        if (automaton.kind[s] !== STATE_TAG && automaton.kind[s] !== STATE_CONTENT) continue;
        expect(sameSet(maskSet(index, s), bruteForceAllowed(automaton, big.vocabulary, s)), `state ${s}`).toBeUndefined();
        checked++;
      }
      expect(checked).toBe(40);
    } finally {
      await big.dispose();
    }
  }, 120_000);
});

describe("special tokens", () => {
  it("are never allowed, unless the spec writes their text literally", async () => {
    const big = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-random"), contextSize: 256 });
    try {
      const think = big.model.tokenize("<think>", true);
      const imStart = big.model.tokenize("<|im_start|>", true);
      expect(think.length).toBe(1);
      expect(imStart.length).toBe(1);
      const plain = composeOutput(compileSpec(parseSpec('events a\nsegment a "A: " text max 50\nG a\n', { file: "plain.ltl" })));
      const plainIndex = new MaskIndex(plain, big.vocabulary);
      for (let s = 0; s < plain.stateCount; s += 7) {
        if (plain.kind[s] !== STATE_TAG && plain.kind[s] !== STATE_CONTENT) continue;
        expect(plainIndex.allows(s, think[0]!)).toBe(false);
        expect(maskSet(plainIndex, s).has(imStart[0]!)).toBe(false);
      }
      const named = composeOutput(compileSpec(parseSpec('events t, a\nsegment t "<think>" text until "</think>" max 50\nsegment a "A: " text max 9\nt & X a & X X last\n', { file: "think.ltl" })));
      const namedIndex = new MaskIndex(named, big.vocabulary);
      expect(maskSet(namedIndex, named.initial).has(think[0]!)).toBe(true);
      expect(maskSet(namedIndex, named.initial).has(imStart[0]!)).toBe(false);
    } finally {
      await big.dispose();
    }
  }, 120_000);
});

describe("completeness: nothing the spec allows is masked", () => {
  it("every output an independent generator finds valid is accepted, token by token (byte and canonical tokenizations)", () => {
    const rng = new Rng(7);
    let checkedOutputs = 0;
    for (let i = 0; i < 80; i++) {
      const compiled = randomCompiled(rng);
      const automaton = composeOutput(compiled);
      const index = new MaskIndex(automaton, small.vocabulary);
      const formula = conjunction(compiled.spec.formulas.map((f) => f.formula));
      const events = compiled.spec.atoms;
      for (let attempt = 0; attempt < 60; attempt++) {
        const length = 1 + rng.int(4);
        const trace = Array.from({ length }, () => rng.pick(events));
        if (!holds(formula, trace.map((e) => new Set([e])))) continue;
        const text = trace
          .map((event) => {
            const format = compiled.spec.segments.find((s) => s.event === event)!;
            return format.tag + randomContent(rng, format.content) + format.end;
          })
          .join("");
        if (checkOutput(compiled.spec, text) !== undefined) continue; // e.g. two readings, none accepted
        checkedOutputs++;
        const bytes = new TextEncoder().encode(text);
        const byteTokens = [...bytes].map((b) => small.vocabulary.bytes.findIndex((x) => x !== undefined && x.length === 1 && x[0] === b));
        // A canonical token may run from a tag into text the environment writes, which the model
        // must never write; so the canonical tokenization is checked on model-only outputs.
        const modelOnly = trace.every((event) => compiled.spec.segments.find((s) => s.event === event)!.writer === "model");
        for (const tokens of modelOnly ? [byteTokens, small.tokenize(text)] : [byteTokens]) {
          let state = automaton.initial;
          for (const token of tokens) {
            if (automaton.kind[state] === 2 /* pause */) {
              // The environment writes this part; the model's masks do not apply.
              break;
            }
            expect(index.maskFor(state).allowedCount, `text ${JSON.stringify(text)}`).toBeGreaterThan(0);
            expect(index.allows(state, token), `token ${token} in ${JSON.stringify(text)}`).toBe(true);
            expect(maskSet(index, state).has(token)).toBe(true);
            const piece = small.vocabulary.bytes[token]!;
            for (const b of piece) state = automaton.transitions[state * 256 + b]!;
          }
        }
        // The whole text, environment parts included, is in the automaton's language.
        let state = automaton.initial;
        let paused = false;
        for (const b of bytes) {
          if (state < 0) break;
          if (automaton.kind[state] === 2) paused = true;
          state = automaton.transitions[state * 256 + b]!;
        }
        if (!paused) {
          expect(state, JSON.stringify(text)).toBeGreaterThanOrEqual(0);
          expect(automaton.accepting[state], JSON.stringify(text)).toBe(1);
        }
      }
    }
    expect(checkedOutputs).toBeGreaterThan(300);
  }, 120_000);

  it("every string of the composed language up to 16 bytes (over the spec's own characters) is read back as valid and can be produced token by token", () => {
    const rng = new Rng(21);
    let words = 0;
    for (let i = 0; i < 40; i++) {
      let compiled: CompiledSpec;
      for (;;) {
        try {
          compiled = compileSpec(parseSpec(randomSegmentSpec(rng, { environmentShare: 0, maxTextBytes: 4 }), { file: "random.ltl" }));
          break;
        } catch (error) {
          if (!(error instanceof SpecError)) throw error;
        }
      }
      const automaton = composeOutput(compiled);
      const index = new MaskIndex(automaton, small.vocabulary);
      // The alphabet: every byte the spec writes itself, plus one ASCII letter and one two-byte character.
      const literal = compiled.spec.segments.flatMap((f) => [f.tag, f.end, ...(f.content.kind === "choice" ? f.content.options : []), ...(f.content.kind === "regex" ? ["0123456789.abcxyzé"] : [])]);
      const alphabet = [...new Set([...new TextEncoder().encode(literal.join("") + "aé")])];
      const byteToken = new Map(alphabet.map((b) => [b, small.vocabulary.bytes.findIndex((x) => x !== undefined && x.length === 1 && x[0] === b)]));
      // Breadth-first over the automaton: each path is a string; every state on it is live.
      let frontier: { state: number; bytes: number[] }[] = [{ state: automaton.initial, bytes: [] }];
      let found = 0;
      for (let length = 0; length < 16 && frontier.length > 0 && found < 300; length++) {
        const next: typeof frontier = [];
        for (const { state, bytes } of frontier) {
          for (const b of alphabet) {
            const to = automaton.transitions[state * 256 + b]!;
            if (to < 0) continue;
            // The byte's token is allowed here: nothing the language allows is masked.
            expect(index.allows(state, byteToken.get(b)!)).toBe(true);
            const word = [...bytes, b];
            if (automaton.accepting[to] === 1) {
              const text = new TextDecoder().decode(Uint8Array.from(word));
              expect(checkOutput(compiled.spec, text), text).toBeUndefined();
              expect(small.vocabulary.endOfGeneration.every((t) => maskSet(index, to).has(t))).toBe(true);
              found++;
            }
            if (next.length < 4000) next.push({ state: to, bytes: word });
          }
        }
        frontier = next;
      }
      words += found;
    }
    expect(words).toBeGreaterThan(500);
  }, 120_000);

  it("no dead ends: from every state some token continues or the output may end", () => {
    const rng = new Rng(11);
    for (let i = 0; i < 40; i++) {
      const automaton = composeOutput(randomCompiled(rng));
      const index = new MaskIndex(automaton, small.vocabulary);
      expect(index.deadEnds()).toEqual([]);
    }
  });

  it("a vocabulary that cannot spell a tag is rejected up front, naming the segment", async () => {
    const { ConstrainedDecoder } = await import("../../src/decoder/decoder.js");
    const compiled = compileSpec(parseSpec('events a\nsegment a "\\u{1F600}: " text max 4\nG a\n', { file: "emoji.ltl" }));
    // The small vocabulary has byte fallback, so hide the bytes the emoji needs.
    const vocabulary = { ...small.vocabulary, bytes: small.vocabulary.bytes.map((b) => (b !== undefined && b.some((x) => x >= 0xf0) ? undefined : b)) };
    const backend = Object.create(small) as LlamaBackend;
    Object.defineProperty(backend, "vocabulary", { value: vocabulary });
    expect(() => ConstrainedDecoder.create(compiled, backend)).toThrow(/could get stuck between segments.*0xf0/);
  });
});
