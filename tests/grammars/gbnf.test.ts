import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleWord } from "../../src/grammars/analysis.js";
import { choiceDfa, freeTextDfa, literalDfa } from "../../src/grammars/constructions.js";
import {
  GBNF_NEVER,
  GbnfBuilder,
  choiceToGbnf,
  dfaToGbnf,
  freeTextToGbnf,
  gbnfCharClass,
  literalToGbnf,
  regexToGbnf,
} from "../../src/grammars/gbnf.js";
import { regexDfa } from "../../src/grammars/regex.js";
import type { ByteDfa } from "../../src/grammars/byte-dfa.js";
import { cpSet } from "../../src/grammars/codepoints.js";
import { Rng } from "../support/random.js";
import { GbnfGrammar, accepts, codePoints, decode, utf8 } from "./helpers.js";

/**
 * GBNF expressions are checked by parsing the grammar with a small recognizer written here (to
 * llama.cpp's syntax: rule names, escapes, repetition limits) and comparing its verdicts with
 * the DFA's on random strings and on words of the language.
 */

function grammarOf(expression: string, builder: GbnfBuilder): GbnfGrammar {
  return new GbnfGrammar(builder.grammar(expression));
}

const ALPHABET = ["a", "b", "c", "é", "中", "😀", "\n", "\r", " ", "0", "5", "_", "<", "/", ">", "x", "-", "\\", '"', "[", "]", "^", "\u2028", "\u{10ffff}", "\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000"];

function randomString(rng: Rng, maxLength: number, extra: readonly string[] = []): string {
  const pool = [...ALPHABET, ...extra];
  let s = "";
  const n = rng.int(maxLength + 1);
  for (let i = 0; i < n; i++) s += rng.pick(pool);
  return s;
}

function compare(dfa: ByteDfa, grammar: GbnfGrammar, rng: Rng, label: string, extra: readonly string[] = [], maxLength = 8): void {
  const check = (s: string): void => {
    const expected = accepts(dfa, utf8.encode(s));
    const actual = grammar.matches(codePoints(s));
    if (expected !== actual) throw new Error(`${label} on ${JSON.stringify(s)}: DFA ${expected}, GBNF ${actual}`);
  };
  for (let i = 0; i < 40; i++) check(randomString(rng, maxLength, extra));
  for (let i = 0; i < 15; i++) {
    const w = sampleWord(dfa, () => rng.next(), { maxLength: 16 });
    if (w === undefined) break;
    const s = decode(w);
    check(s);
    const chars = [...s];
    if (chars.length > 0) {
      const at = rng.int(chars.length);
      check([...chars.slice(0, at), ...chars.slice(at + 1)].join(""));
      check([...chars.slice(0, at), rng.pick(ALPHABET), ...chars.slice(at)].join(""));
    }
  }
}

// The regex generator of regex.test.ts, smaller.
const LITERALS = ["a", "b", "é", "中", "😀", "\\.", "-", "\\n", "\\x41", "\\u{1F600}", '"', "\\\\", "\\[", "\\]", "\\^", " "];
const CLASSES = ["[abc]", "[a-c]", "[^a]", "[^\\n]", "[a-zé-ë]", "\\d", "\\w", "\\s", "\\W", "[^\\x00-\\x7f]", "[😀-😂a]", "[\\]\\[^-]", "[]", "[^]", "."];
function randomRegex(rng: Rng, depth: number): string {
  const r = rng.int(depth <= 0 ? 2 : 8);
  if (r === 0) return rng.pick(LITERALS);
  if (r === 1) return rng.pick(CLASSES);
  if (r <= 3) return Array.from({ length: 2 + rng.int(3) }, () => randomRegex(rng, depth - 1)).join("");
  if (r === 4) return `(${Array.from({ length: 2 + rng.int(2) }, () => (rng.int(6) === 0 ? "" : randomRegex(rng, depth - 1))).join("|")})`;
  const q = rng.pick(["*", "+", "?", "{2}", "{0,2}", "{1,3}", "{2,}", "{0}"]);
  return `(?:${randomRegex(rng, depth - 1)})${q}`;
}

describe("regexToGbnf", () => {
  it("matches the same strings as regexDfa", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (seed, withBuilder) => {
        const rng = new Rng(seed);
        const source = randomRegex(rng, 3);
        const builder = new GbnfBuilder();
        const expression = regexToGbnf(source, withBuilder ? builder : undefined);
        if (!withBuilder) expect(builder.rules).toHaveLength(0);
        compare(regexDfa(source), grammarOf(expression, builder), rng, `/${source}/ → ${expression}`);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it("writes readable expressions", () => {
    expect(regexToGbnf("abc")).toBe('"abc"');
    expect(regexToGbnf("a|b")).toBe('("a" | "b")');
    expect(regexToGbnf("[a-z]+@x\\.com")).toBe('[a-z]+ "@x.com"');
    expect(regexToGbnf("[^\\n]*")).toBe("[^\\n]*");
    expect(regexToGbnf("\\d{3}-\\d{4}")).toBe('[0-9]{3} "-" [0-9]{4}');
    expect(regexToGbnf("(ab){2,5}")).toBe('("ab"){2,5}');
    expect(regexToGbnf("[\\s\\S]")).toBe(".");
    expect(regexToGbnf("[]")).toBe(GBNF_NEVER);
    expect(regexToGbnf("")).toBe('""');
    expect(regexToGbnf("é😀\\n")).toBe('"\\xE9\\U0001F600\\n"');
  });

  it("never repeats a nullable expression without bound (llama.cpp calls that left recursion)", () => {
    expect(() => new GbnfGrammar('root ::= ("a" | "")*')).toThrow(/left recursion/);
    expect(() => new GbnfGrammar('root ::= x "b"\nx ::= "" | root')).toThrow(/left recursion/);
    expect(regexToGbnf("(a|b?)*")).toBe('("a" | "b")*');
    expect(regexToGbnf("(?:a*b*)+")).toBe('("a"+ "b"* | "b"+)*');
    for (const source of ["(a|)*", "(?:a?b?)*c", "(?:(?:a*){2})+", "(){2,}", "(?:a{0,2}|b)*"]) {
      const b = new GbnfBuilder();
      const grammar = grammarOf(regexToGbnf(source, b), b);
      compare(regexDfa(source), grammar, new Rng(source.length), `/${source}/`, ["a", "b", "c"]);
    }
  });

  it("splits repetition counts llama.cpp cannot expand", () => {
    const builder = new GbnfBuilder();
    const expression = regexToGbnf("a{0,2500}", builder);
    const grammar = grammarOf(expression, builder);
    for (const n of [0, 1, 999, 1000, 1001, 1999, 2000, 2001, 2499, 2500]) expect(grammar.matches(codePoints("a".repeat(n))), `${n}`).toBe(true);
    expect(grammar.matches(codePoints("a".repeat(2501)))).toBe(false);
    const b2 = new GbnfBuilder();
    const exact = grammarOf(regexToGbnf("(?:ab){2345}", b2), b2);
    expect(exact.matches(codePoints("ab".repeat(2345)))).toBe(true);
    expect(exact.matches(codePoints("ab".repeat(2344)))).toBe(false);
    expect(exact.matches(codePoints("ab".repeat(2346)))).toBe(false);
    const b3 = new GbnfBuilder();
    const atLeast = grammarOf(regexToGbnf("a{1500,}", b3), b3);
    expect(atLeast.matches(codePoints("a".repeat(1499)))).toBe(false);
    expect(atLeast.matches(codePoints("a".repeat(1500)))).toBe(true);
    expect(atLeast.matches(codePoints("a".repeat(3001)))).toBe(true);
    expect(() => regexToGbnf("a{0,2500}")).toThrow(/pass a GbnfBuilder/);
  });
});

describe("freeTextToGbnf", () => {
  const terminators = ["\n", "\n\n", "</answer>", "aba", "é", "😀", '"', "]"];
  it("matches the same strings as freeTextDfa", () => {
    fc.assert(
      fc.property(fc.constantFrom(...terminators), fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (terminator, maxBytes, seed) => {
        const rng = new Rng(seed);
        const builder = new GbnfBuilder();
        const expression = freeTextToGbnf({ terminator, maxBytes }, builder, "thought");
        const grammar = grammarOf(expression, builder);
        const dfa = freeTextDfa({ terminator, maxBytes });
        const pieces = [terminator, ...[...terminator].map((_, i) => [...terminator].slice(0, i + 1).join(""))];
        compare(dfa, grammar, rng, `${JSON.stringify(terminator)} ≤ ${maxBytes}`, pieces, 12);
      }),
      { numRuns: 200, seed: 10 },
    );
  });

  it("uses a class for a one-character terminator", () => {
    const builder = new GbnfBuilder();
    expect(freeTextToGbnf({ terminator: "\n" }, builder)).toBe('[^\\n]* "\\n"');
    expect(freeTextToGbnf({ terminator: "\n", maxBytes: 100 }, builder, "t", { count: "codePoints" })).toBe('[^\\n]{0,100} "\\n"');
    expect(builder.rules).toHaveLength(0);
  });

  it("counts bytes, not code points, by default", () => {
    const builder = new GbnfBuilder();
    const grammar = grammarOf(freeTextToGbnf({ terminator: "\n", maxBytes: 4 }, builder), builder);
    expect(grammar.matches(codePoints("éé\n"))).toBe(true);
    expect(grammar.matches(codePoints("ééa\n"))).toBe(false);
    expect(grammar.matches(codePoints("😀\n"))).toBe(true);
    expect(grammar.matches(codePoints("a😀\n"))).toBe(false);
  });

  it("stays small for a realistic bound", () => {
    const builder = new GbnfBuilder();
    freeTextToGbnf({ terminator: "\n\n", maxBytes: 200 }, builder, "thought");
    expect(builder.rules.length).toBeLessThan(2 * 202);
    expect(builder.toString().length).toBeLessThan(200_000);
  });
});

describe("choiceToGbnf, literalToGbnf, dfaToGbnf", () => {
  it("match the same strings as the DFAs", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 4 }), { maxLength: 5 }), fc.integer({ min: 0, max: 1000 }), (options, seed) => {
        const rng = new Rng(seed);
        const b = new GbnfBuilder();
        const extra = options.flatMap((o) => [o, ...o]);
        compare(choiceDfa(options), grammarOf(choiceToGbnf(options), b), rng, `choice ${JSON.stringify(options)}`, extra);
        const text = options.join("");
        compare(literalDfa(text), grammarOf(literalToGbnf(text), b), rng, `literal ${JSON.stringify(text)}`, extra);
        const b2 = new GbnfBuilder();
        compare(choiceDfa(options), grammarOf(dfaToGbnf(choiceDfa(options), b2, "c"), b2), rng, `dfa of choice ${JSON.stringify(options)}`, extra);
      }),
      { numRuns: 150, seed: 12 },
    );
  });

  it("converts regex DFAs too", () => {
    const rng = new Rng(13);
    for (let i = 0; i < 80; i++) {
      const source = randomRegex(rng, 2);
      const b = new GbnfBuilder();
      compare(regexDfa(source), grammarOf(dfaToGbnf(regexDfa(source), b, "re"), b), rng, `dfaToGbnf /${source}/`);
    }
  });
});

describe("GbnfBuilder and terminals", () => {
  it("hands out valid, unique names and reuses equal rules", () => {
    const b = new GbnfBuilder({ reserved: ["thought"] });
    expect(b.name("root")).toBe("root-2");
    expect(b.name("thought")).toBe("thought-2");
    expect(b.name("my_rule!")).toBe("my-rule");
    expect(b.name("")).toBe("rule");
    const r1 = b.rule("x", '"a"');
    expect(b.rule("y", '"a"')).toBe(r1);
    expect(() => b.define(r1, '"b"')).toThrow(/already defined/);
    expect(() => b.define("bad name", '"b"')).toThrow(/invalid/);
    expect(b.grammar(r1)).toBe(`root ::= ${r1}\n${r1} ::= "a"\n`);
  });

  it("escapes characters as llama.cpp reads them", () => {
    expect(literalToGbnf('a"b\\c\n\t\r\u0001\u007f')).toBe('"a\\"b\\\\c\\n\\t\\r\\x01\\x7F"');
    expect(gbnfCharClass(cpSet(0x5b, 0x5e))).toBe("[\\[-\\x5E]");
    expect(gbnfCharClass(cpSet(0x2d, 0x2d, 0x61, 0x62))).toBe("[\\-ab]");
    expect(gbnfCharClass(cpSet(0, 0x09, 0x0b, 0x10ffff))).toBe("[^\\n]");
    const grammar = new GbnfGrammar(`root ::= ${gbnfCharClass(cpSet(0x5b, 0x5e, 0x2d, 0x2d, 0x22, 0x22))}+`);
    expect(grammar.matches(codePoints('[-"^]\\'))).toBe(true);
    expect(grammar.matches(codePoints("a"))).toBe(false);
  });
});
