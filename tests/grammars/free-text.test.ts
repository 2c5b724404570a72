import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { choiceDfa, freeTextDfa, literalDfa } from "../../src/grammars/constructions.js";
import { enumerateWords, isPrefixFree, sampleWord } from "../../src/grammars/analysis.js";
import { AutomatonTooLargeError } from "../../src/grammars/errors.js";
import { Rng } from "../support/random.js";
import { accepts, decode, isValidUtf8, naiveMinimalStateCount, utf8 } from "./helpers.js";

/**
 * freeTextDfa against the definition checked directly on the bytes: valid UTF-8 (TextDecoder
 * with fatal), ends with the terminator, whose first occurrence is that end, and at most maxBytes
 * bytes before it.
 */
function oracle(bytes: Uint8Array, terminator: Uint8Array, maxBytes: number | undefined): boolean {
  if (!isValidUtf8(bytes)) return false;
  const content = bytes.length - terminator.length;
  if (content < 0) return false;
  if (maxBytes !== undefined && content > maxBytes) return false;
  return Buffer.from(bytes).indexOf(Buffer.from(terminator)) === content;
}

const TERMINATORS = ["\n", "\n\n", "</answer>", "aa", "aba", "abab", "é", "\n\n\n", "ab\nab", "😀", "aab", "Observation:"];

/** Byte pieces that exercise the terminator and UTF-8 validity, valid and not. */
function pieces(terminator: Uint8Array): number[][] {
  const t = [...terminator];
  const out: number[][] = [[0x61], [0x62], [0x0a], [0x20], [0xc3, 0xa9], [0xe4, 0xb8, 0xad], [0xf0, 0x9f, 0x98, 0x80], [0xc3], [0xa9], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xff], [0xef, 0xbf, 0xbf], [0xf4, 0x8f, 0xbf, 0xbf]];
  for (let i = 1; i <= t.length; i++) out.push(t.slice(0, i), t.slice(i - 1));
  out.push(t, t);
  return out;
}

describe("freeTextDfa", () => {
  it("agrees with the direct check on random byte strings", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TERMINATORS), fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (terminator, maxBytes, seed) => {
        const t = utf8.encode(terminator);
        const dfa = freeTextDfa({ terminator, maxBytes });
        const rng = new Rng(seed);
        const ps = pieces(t);
        for (let i = 0; i < 60; i++) {
          const parts: number[] = [];
          const n = rng.int(8);
          for (let j = 0; j < n; j++) parts.push(...rng.pick(ps));
          if (rng.int(2) === 0) parts.push(...t);
          const bytes = Uint8Array.from(parts);
          const expected = oracle(bytes, t, maxBytes);
          if (accepts(dfa, bytes) !== expected) {
            throw new Error(`terminator ${JSON.stringify(terminator)}, max ${maxBytes}: ${Buffer.from(bytes).toString("hex")} should be ${expected}`);
          }
        }
        for (let i = 0; i < 20; i++) {
          const w = sampleWord(dfa, () => rng.next(), { maxLength: 30 })!;
          if (!oracle(w, t, maxBytes)) throw new Error(`sampled ${Buffer.from(w).toString("hex")} breaks the definition`);
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it("agrees with the direct check on every word over a small alphabet", () => {
    for (const terminator of ["aa", "aba", "abab", "\n\n"]) {
      const t = utf8.encode(terminator);
      const alphabet = [...new Set([...t, 0x62, 0xc3, 0xa9])];
      for (const maxBytes of [undefined, 0, 1, 3]) {
        const dfa = freeTextDfa({ terminator, maxBytes });
        let words: number[][] = [[]];
        for (let len = 0; len <= 6; len++) {
          for (const w of words) {
            const bytes = Uint8Array.from(w);
            expect(accepts(dfa, bytes), `${JSON.stringify(terminator)} ${maxBytes} ${Buffer.from(bytes).toString("hex")}`).toBe(oracle(bytes, t, maxBytes));
          }
          words = words.flatMap((w) => alphabet.map((b) => [...w, b]));
        }
      }
    }
  });

  it("handles the examples from the contract", () => {
    const dfa = freeTextDfa({ terminator: "\n\n" });
    const yes = ["\n\n", "a\n\n", "a\nb\n\n", "😀\n\n"];
    const no = ["a\n\n\n", "\n", "a\n\nb\n\n", "a", "\n\n\n"];
    for (const s of yes) expect(accepts(dfa, utf8.encode(s)), JSON.stringify(s)).toBe(true);
    for (const s of no) expect(accepts(dfa, utf8.encode(s)), JSON.stringify(s)).toBe(false);
    const answer = freeTextDfa({ terminator: "</answer>", maxBytes: 5 });
    expect(accepts(answer, utf8.encode("</ans</answer>"))).toBe(true); // 5 bytes of content
    expect(accepts(answer, utf8.encode("<</ans</answer>"))).toBe(false); // 6
    expect(accepts(answer, utf8.encode("é中</answer>"))).toBe(true); // 2 + 3 bytes
    expect(accepts(answer, utf8.encode("é😀</answer>"))).toBe(false); // 2 + 4 bytes
  });

  it("is minimal and prefix-free", () => {
    for (const terminator of TERMINATORS) {
      for (const maxBytes of [undefined, 0, 1, 5, 17]) {
        const dfa = freeTextDfa({ terminator, maxBytes });
        expect(naiveMinimalStateCount(dfa), `${JSON.stringify(terminator)} ${maxBytes}`).toBe(dfa.stateCount);
        expect(isPrefixFree(dfa)).toBe(true);
      }
    }
  });

  it("has about (8 + |terminator|) states per byte of room", () => {
    const single = freeTextDfa({ terminator: "\n", maxBytes: 200 });
    const double = freeTextDfa({ terminator: "\n\n", maxBytes: 200 });
    const tag = freeTextDfa({ terminator: "</answer>", maxBytes: 200 });
    expect(single.stateCount).toBeLessThan(8 * 202);
    expect(double.stateCount).toBeLessThan(9 * 202);
    expect(tag.stateCount).toBeLessThan(16 * 202);
    expect(freeTextDfa({ terminator: "\n" }).stateCount).toBe(9);
  });

  it("checks its arguments and the state limit", () => {
    expect(() => freeTextDfa({ terminator: "" })).toThrow(RangeError);
    expect(() => freeTextDfa({ terminator: "\n", maxBytes: -1 })).toThrow(RangeError);
    expect(() => freeTextDfa({ terminator: "\n", maxBytes: 1.5 })).toThrow(RangeError);
    expect(() => freeTextDfa({ terminator: "\ud800" })).toThrow(RangeError);
    expect(() => freeTextDfa({ terminator: "\n", maxBytes: 1_000_000 })).toThrow(AutomatonTooLargeError);
    expect(() => freeTextDfa({ terminator: "</answer>", maxBytes: 500 }, { maxStates: 1000 })).toThrow(AutomatonTooLargeError);
  });
});

describe("literalDfa and choiceDfa", () => {
  it("accept exactly their strings", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary-ascii", maxLength: 5 }), { maxLength: 6 }), fc.array(fc.string({ unit: "grapheme", maxLength: 3 }), { maxLength: 3 }), (ascii, unicode) => {
        const options = [...ascii, ...unicode];
        const dfa = choiceDfa(options);
        const set = new Set(options);
        const words = enumerateWords(dfa, 40).map((w) => decode(w));
        expect(new Set(words)).toEqual(set);
        expect(naiveMinimalStateCount(dfa)).toBe(dfa.stateCount);
        for (const o of options) {
          const lit = literalDfa(o);
          expect(enumerateWords(lit, 40).map((w) => decode(w))).toEqual([o]);
        }
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it("merges common suffixes and handles the edge cases", () => {
    expect(choiceDfa(["search", "research"]).stateCount).toBe(9);
    expect(choiceDfa([]).stateCount).toBe(1);
    expect(choiceDfa([]).accepting[0]).toBe(0);
    expect(choiceDfa([""]).stateCount).toBe(1);
    expect(choiceDfa([""]).accepting[0]).toBe(1);
    expect(isPrefixFree(choiceDfa(["a", "ab"]))).toBe(false);
    expect(() => literalDfa("\udc00")).toThrow(RangeError);
  });
});
