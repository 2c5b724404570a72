import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ByteDfa } from "../../src/grammars/byte-dfa.js";
import {
  boundedEquivalenceClasses,
  enumerateWords,
  isPrefixFree,
  prefixFreeWitness,
  sampleWord,
  shortestWord,
} from "../../src/grammars/analysis.js";
import { freeTextDfa, literalDfa } from "../../src/grammars/constructions.js";
import { byteClasses, concatDfa, intersectDfa, liveStates, minimizeDfa, trimDfa, unionDfa } from "../../src/grammars/ops.js";
import { regexDfa } from "../../src/grammars/regex.js";
import { Rng } from "../support/random.js";
import { accepts, allWords, bruteForceObservationSignatures, naiveMinimalStateCount, randomDfa, samePartition } from "./helpers.js";

/** The letters random DFAs use; 0x7a stands for "any other byte" in brute-force checks. */
const LETTERS = [0x61, 0x62, 0x63];
const PROBE = [...LETTERS, 0x7a];
const WORDS = allWords(PROBE, 5);
const SHORT_WORDS = allWords(PROBE, 4);

const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 });

function language(dfa: ByteDfa): string {
  return WORDS.filter((w) => accepts(dfa, w))
    .map((w) => String.fromCharCode(...w))
    .join(",");
}

function randomSmallDfa(seed: number, maxStates = 6): ByteDfa {
  const rng = new Rng(seed);
  return randomDfa(rng, 1 + rng.int(maxStates), LETTERS, 0.4 + rng.next() * 0.6);
}

describe("minimizeDfa and trimDfa", () => {
  it("keep the language, are minimal, trimmed and canonical", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const dfa = randomSmallDfa(seed);
        const min = minimizeDfa(dfa);
        expect(language(min)).toBe(language(dfa));
        expect(min.stateCount).toBe(naiveMinimalStateCount(dfa));
        const live = liveStates(min);
        const empty = min.stateCount === 1 && min.accepting[0] === 0;
        if (!empty) expect([...live].every((x) => x === 1)).toBe(true);
        else expect([...min.transitions].every((t) => t === -1)).toBe(true);
        // Canonical: minimizing again, or minimizing a permuted copy, gives the same table.
        expect(Array.from(minimizeDfa(min).transitions)).toEqual(Array.from(min.transitions));
        const trimmed = trimDfa(dfa);
        expect(language(trimmed)).toBe(language(dfa));
        if (trimmed.stateCount > 1 || trimmed.accepting[0] === 1) expect([...liveStates(trimmed)].every((x) => x === 1)).toBe(true);
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  it("does not depend on state numbering", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const dfa = randomSmallDfa(seed);
        const n = dfa.stateCount;
        const rng = new Rng(seed ^ 0x5555);
        const perm = Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [perm[i], perm[j]] = [perm[j]!, perm[i]!];
        }
        const transitions = new Int32Array(n * 256).fill(-1);
        const accepting = new Uint8Array(n);
        for (let s = 0; s < n; s++) {
          accepting[perm[s]!] = dfa.accepting[s]!;
          for (let b = 0; b < 256; b++) {
            const t = dfa.transitions[s * 256 + b]!;
            transitions[perm[s]! * 256 + b] = t < 0 ? -1 : perm[t]!;
          }
        }
        const permuted = { stateCount: n, initial: perm[dfa.initial]!, transitions, accepting };
        expect(Array.from(minimizeDfa(permuted).transitions)).toEqual(Array.from(minimizeDfa(dfa).transitions));
      }),
      { numRuns: 200, seed: 2 },
    );
  });

  it("is fast on large automata", () => {
    const dfa = freeTextDfa({ terminator: "</answer>", maxBytes: 1000 });
    const start = performance.now();
    const again = minimizeDfa(dfa);
    const elapsed = performance.now() - start;
    expect(again.stateCount).toBe(dfa.stateCount);
    expect(elapsed).toBeLessThan(3000);
  });
});

describe("union, intersection, concatenation", () => {
  it("agree with membership by brute force", () => {
    fc.assert(
      fc.property(seeds, seeds, (s1, s2) => {
        const a = randomSmallDfa(s1, 4);
        const b = randomSmallDfa(s2, 4);
        const u = unionDfa(a, b);
        const i = intersectDfa(a, b);
        const c = concatDfa(a, b);
        for (const w of SHORT_WORDS) {
          const inA = accepts(a, w);
          const inB = accepts(b, w);
          expect(accepts(u, w)).toBe(inA || inB);
          expect(accepts(i, w)).toBe(inA && inB);
          let split = false;
          for (let k = 0; k <= w.length && !split; k++) split = accepts(a, w.slice(0, k)) && accepts(b, w.slice(k));
          expect(accepts(c, w), String.fromCharCode(...w)).toBe(split);
        }
        for (const d of [u, i, c]) expect(d.stateCount).toBe(naiveMinimalStateCount(d));
      }),
      { numRuns: 80, seed: 3 },
    );
  });

  it("concatenates content and end strings", () => {
    const segment = concatDfa(regexDfa("\\d+"), literalDfa("\n"));
    expect(accepts(segment, new TextEncoder().encode("123\n"))).toBe(true);
    expect(accepts(segment, new TextEncoder().encode("\n"))).toBe(false);
    expect(isPrefixFree(segment)).toBe(true);
  });
});

describe("byteClasses and liveStates", () => {
  it("partition bytes by identical columns", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const dfa = randomSmallDfa(seed);
        const { classOf, count, representatives } = byteClasses(dfa);
        expect(classOf[0]).toBe(0);
        expect(new Set(classOf).size).toBe(count);
        const column = (b: number): string => Array.from({ length: dfa.stateCount }, (_, s) => dfa.transitions[s * 256 + b]).join(",");
        for (let b = 0; b < 256; b++) expect(column(b)).toBe(column(representatives[classOf[b]!]!));
        for (let c = 1; c < count; c++) expect(column(representatives[c]!)).not.toBe(column(representatives[c - 1]!));
        for (let c = 0; c < count; c++) expect(classOf[representatives[c]!]).toBe(c);
      }),
      { numRuns: 100, seed: 4 },
    );
  });

  it("finds the states from which acceptance is reachable", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const dfa = randomSmallDfa(seed);
        const live = liveStates(dfa);
        for (let s = 0; s < dfa.stateCount; s++) {
          const fromS = { ...dfa, initial: s };
          const some = WORDS.some((w) => w.length <= dfa.stateCount && accepts(fromS, w));
          expect(live[s] === 1, `state ${s}`).toBe(some);
        }
      }),
      { numRuns: 200, seed: 5 },
    );
  });
});

describe("isPrefixFree and prefixFreeWitness", () => {
  it("agree with brute force, and witnesses are valid", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const dfa = randomSmallDfa(seed, 4);
        // With n states, a shortest violating pair has length ≤ 2n - 1.
        const words = allWords(LETTERS, 2 * dfa.stateCount).filter((w) => accepts(dfa, w));
        const violated = words.some((w) => {
          for (let k = 0; k < w.length; k++) if (accepts(dfa, w.slice(0, k))) return true;
          return false;
        });
        const witness = prefixFreeWitness(dfa);
        expect(isPrefixFree(dfa)).toBe(witness === undefined);
        expect(witness === undefined).toBe(!violated);
        if (witness !== undefined) {
          const [shorter, longer] = witness;
          expect(accepts(dfa, shorter)).toBe(true);
          expect(accepts(dfa, longer)).toBe(true);
          expect(longer.length).toBeGreaterThan(shorter.length);
          expect(Array.from(longer.slice(0, shorter.length))).toEqual(Array.from(shorter));
        }
      }),
      { numRuns: 400, seed: 6 },
    );
  });

  it("explains the classic non-prefix-free segment", () => {
    const [shorter, longer] = prefixFreeWitness(regexDfa("\\d+"))!;
    expect(new TextDecoder().decode(shorter)).toBe("0");
    expect(new TextDecoder().decode(longer)).toBe("00");
    expect(prefixFreeWitness(freeTextDfa({ terminator: "\n\n", maxBytes: 10 }))).toBeUndefined();
  });
});

describe("boundedEquivalenceClasses", () => {
  it("agrees with brute force on small DFAs", () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 0, max: 4 }), (seed, k) => {
        const dfa = randomSmallDfa(seed, 7);
        const classes = boundedEquivalenceClasses(dfa, k);
        const signatures = bruteForceObservationSignatures(dfa, k, PROBE);
        expect(samePartition(classes, signatures)).toBe(true);
        // Dense ids numbered by first state.
        let next = 0;
        for (let s = 0; s < dfa.stateCount; s++) {
          if (classes[s]! === next) next++;
          else expect(classes[s]!).toBeLessThan(next);
        }
      }),
      { numRuns: 400, seed: 8 },
    );
  });

  it("shares classes between free-text states with plenty of room", () => {
    const dfa = freeTextDfa({ terminator: "\n\n", maxBytes: 200 });
    const classes = boundedEquivalenceClasses(dfa, 32);
    // The state after n ASCII letters has 200 - n bytes of room.
    const after = (n: number): number => {
      let s = dfa.initial;
      for (let i = 0; i < n; i++) s = dfa.transitions[s * 256 + 0x61]!;
      return s;
    };
    expect(after(50)).not.toBe(after(80));
    expect(classes[after(50)]).toBe(classes[after(80)]); // 150 and 120 bytes left
    expect(classes[after(180)]).not.toBe(classes[after(190)]); // 20 and 10 left: a 12-byte word tells them apart
    const full = boundedEquivalenceClasses(dfa, 1000);
    expect(Math.max(...full) + 1).toBe(dfa.stateCount); // the minimal DFA: all states distinct
  });

  it("is fast on a 2,000-state DFA with k = 128", () => {
    const dfa = freeTextDfa({ terminator: "\n\n", maxBytes: 220 });
    expect(dfa.stateCount).toBeGreaterThan(1900);
    // The best of a few runs, so that a busy machine does not make the test flaky.
    let best = Infinity;
    for (let i = 0; i < 6; i++) {
      const start = performance.now();
      boundedEquivalenceClasses(dfa, 128);
      best = Math.min(best, performance.now() - start);
    }
    expect(best).toBeLessThan(50);
  });
});

describe("sampleWord, enumerateWords, shortestWord", () => {
  it("produce words of the language", () => {
    const dfa = regexDfa("(ab|c)*d");
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) expect(accepts(dfa, sampleWord(dfa, () => rng.next())!)).toBe(true);
    const words = enumerateWords(dfa, 4).map((w) => new TextDecoder().decode(w));
    expect(words).toEqual(["d", "cd", "abd", "ccd", "abcd", "cabd", "cccd"]);
    expect(new TextDecoder().decode(shortestWord(dfa))).toBe("d");
    expect(sampleWord(regexDfa("[]"), () => 0.5)).toBeUndefined();
    expect(enumerateWords(regexDfa("[]"), 3)).toEqual([]);
  });
});
