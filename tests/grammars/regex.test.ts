import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acceptsBytes } from "../../src/grammars/byte-dfa.js";
import { AutomatonTooLargeError, RegexSyntaxError } from "../../src/grammars/errors.js";
import { regexDfa } from "../../src/grammars/regex.js";
import { sampleWord } from "../../src/grammars/analysis.js";
import { minimizeDfa } from "../../src/grammars/ops.js";
import { Rng } from "../support/random.js";
import { accepts, decode, isValidUtf8, naiveMinimalStateCount, utf8 } from "./helpers.js";

/**
 * regexDfa against JavaScript's own engine: `new RegExp("^(?:" + src + ")$", "u")` decides
 * membership of a string, the DFA decides membership of its UTF-8 bytes. Random regexes come from
 * a small generator that renders each tree twice: in our syntax, and for JavaScript, where `.`
 * becomes [^\n] (ours excludes only \n; JavaScript's also \r, \u2028 and \u2029).
 */

interface Rendered {
  ours: string;
  js: string;
}

const LITERALS = ["a", "b", "c", "é", "中", "😀", "\\.", "\\*", "-", "\\n", "\\t", "\\x41", "\\u00e9", "\\u{1F600}", "\\uD83D\\uDE00", "\\/", " ", "\\\\", "\\(", "\\[", "\\{", "\\}", "\\|", "\\$", "\\^"];
const ESCAPE_CLASSES = ["\\d", "\\w", "\\s", "\\D", "\\W", "\\S"];
const CLASSES = [
  "[abc]",
  "[a-c]",
  "[^a]",
  "[^\\n]",
  "[a-zé-ë]",
  "[\\d\\s]",
  "[^\\W]",
  "[^\\x00-\\x7f]",
  "[\\u0800-\\uFFFF]",
  "[😀-😂a]",
  "[-a]",
  "[a-]",
  "[\\]\\[]",
  "[\\b]",
  "[.*+?]",
  "[^]",
  "[]",
  "[\\u{10000}-\\u{10FFFF}]",
  "[\\x80-\\u07ff]",
  "[a-b-c]",
  "[^\\s\\d]",
];

function randomRegex(rng: Rng, depth: number): Rendered {
  const r = rng.int(depth <= 0 ? 4 : 10);
  if (r === 0) {
    const lit = rng.pick(LITERALS);
    return { ours: lit, js: lit };
  }
  if (r === 1) {
    const c = rng.pick(CLASSES);
    return { ours: c, js: c };
  }
  if (r === 2) {
    const c = rng.pick(ESCAPE_CLASSES);
    return { ours: c, js: c };
  }
  if (r === 3) return { ours: ".", js: "[^\\n]" };
  if (r <= 5) {
    const n = 2 + rng.int(3);
    const parts = Array.from({ length: n }, () => randomRegex(rng, depth - 1));
    return { ours: parts.map((p) => p.ours).join(""), js: parts.map((p) => p.js).join("") };
  }
  if (r === 6) {
    const n = 2 + rng.int(2);
    const parts = Array.from({ length: n }, () => (rng.int(6) === 0 ? { ours: "", js: "" } : randomRegex(rng, depth - 1)));
    return { ours: `(${parts.map((p) => p.ours).join("|")})`, js: `(${parts.map((p) => p.js).join("|")})` };
  }
  const inner = randomRegex(rng, depth - 1);
  const group = rng.int(2) === 0 ? ["(?:", ")"] : ["(", ")"];
  const quantifiers = ["*", "+", "?", "{2}", "{0,2}", "{1,3}", "{2,}", "{0}", "{1}"];
  const q = rng.pick(quantifiers);
  return { ours: `${group[0]}${inner.ours}${group[1]}${q}`, js: `${group[0]}${inner.js}${group[1]}${q}` };
}

const ALPHABET = ["a", "b", "c", "é", "ê", "ë", "中", "😀", "😁", "😂", "\n", "\r", "\t", " ", "A", "0", "5", "_", ".", "*", "-", "/", "\\", "(", "[", "]", "{", "}", "|", "$", "^", "\u2028", "\u00a0", "\u0800", "\uffff", "\u{10ffff}", "\u{10000}", "\u007f", "\u0080", "\u07ff", "x", "+", "?"];

function randomString(rng: Rng, maxLength: number): string {
  const n = rng.int(maxLength + 1);
  let s = "";
  for (let i = 0; i < n; i++) s += rng.pick(ALPHABET);
  return s;
}

function jsMatcher(js: string): RegExp {
  return new RegExp(`^(?:${js})$`, "u");
}

describe("regexDfa against JavaScript's RegExp", () => {
  it("agrees on random regexes and strings", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new Rng(seed);
        const { ours, js } = randomRegex(rng, 3);
        const dfa = regexDfa(ours);
        const re = jsMatcher(js);
        const check = (s: string): void => {
          const expected = re.test(s);
          const actual = acceptsBytes(dfa, utf8.encode(s));
          if (expected !== actual) throw new Error(`/${ours}/ on ${JSON.stringify(s)}: JavaScript ${expected}, DFA ${actual}`);
        };
        for (let i = 0; i < 30; i++) check(randomString(rng, 6));
        // Words of the language, so that the positive side is tested too.
        for (let i = 0; i < 15; i++) {
          const w = sampleWord(dfa, () => rng.next(), { maxLength: 12 });
          if (w === undefined) break;
          if (!isValidUtf8(w)) throw new Error(`/${ours}/ accepts invalid UTF-8 ${Buffer.from(w).toString("hex")}`);
          const s = decode(w);
          check(s);
          // Mutations of words: a character dropped, duplicated, or replaced.
          const chars = [...s];
          if (chars.length > 0) {
            const at = rng.int(chars.length);
            check([...chars.slice(0, at), ...chars.slice(at + 1)].join(""));
            check([...chars.slice(0, at), chars[at]!, ...chars.slice(at)].join(""));
            check([...chars.slice(0, at), rng.pick(ALPHABET), ...chars.slice(at + 1)].join(""));
          }
        }
      }),
      { numRuns: 400, seed: 20240611 },
    );
  });

  it("is minimal and canonical on random regexes", () => {
    const rng = new Rng(7);
    for (let i = 0; i < 60; i++) {
      const { ours } = randomRegex(rng, 2);
      const dfa = regexDfa(ours);
      expect(naiveMinimalStateCount(dfa), ours).toBe(dfa.stateCount);
      const again = minimizeDfa(dfa);
      expect(Array.from(again.transitions), ours).toEqual(Array.from(dfa.transitions));
    }
  });

  it("never accepts invalid UTF-8", () => {
    const rng = new Rng(99);
    const interesting = [0x41, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xa9, 0xe0, 0xa0, 0xed, 0x9f, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff, 0x0a];
    const pairs: Array<[ours: string, js: string]> = [
      [".*", "[^\\n]*"],
      ["[^a]*", "[^a]*"],
      ["\\D*", "\\D*"],
      ["\\S*", "\\S*"],
      ["[\\s\\S]*", "[\\s\\S]*"],
      ["[^]*", "[^]*"],
      ["(?:.|\\n)*", "(?:[^\\n]|\\n)*"],
    ];
    for (const [src, js] of pairs) {
      const dfa = regexDfa(src);
      for (let i = 0; i < 3000; i++) {
        const n = rng.int(6);
        const bytes = Uint8Array.from({ length: n }, () => (rng.int(2) === 0 ? rng.pick(interesting) : rng.int(256)));
        const valid = isValidUtf8(bytes);
        const matchesJs = valid && jsMatcher(js).test(decode(bytes));
        expect(accepts(dfa, bytes), `${src} on ${Buffer.from(bytes).toString("hex")}`).toBe(matchesJs);
      }
    }
  });

  it("handles the classic examples", () => {
    const cases: Array<[string, string[], string[]]> = [
      ["", [""], ["a"]],
      ["^abc$", ["abc"], ["ab", "abcd", "^abc$"]],
      ["a|b", ["a", "b"], ["", "ab"]],
      ["(?<word>\\w+)-\\d{2,3}", ["ab-12", "x-123"], ["ab-1", "ab-1234", "-12"]],
      ["[^\\n]{0,3}", ["", "abc", "\r\r\r", "😀😀😀"], ["abcd", "\n"]],
      ["\\u{1F600}+", ["😀", "😀😀"], ["", "😁"]],
      ["[\\s\\S]", ["\n", "a", "😀"], ["", "ab"]],
      ["\\cJ", ["\n"], ["J"]],
      ["\\0", ["\0"], ["0"]],
      ["a{3}", ["aaa"], ["aa", "aaaa"]],
      ["a{2,}", ["aa", "aaaaa"], ["a"]],
      ["(a|ab)(c|bcd)", ["abcd", "ac", "abc"], ["ab", "abd"]],
      ["[]", [], ["", "a"]],
      ["a[]|b", ["b"], ["a"]],
      ["x*", ["", "xxxx"], ["y"]],
    ];
    for (const [src, yes, no] of cases) {
      const dfa = regexDfa(src);
      for (const s of yes) expect(acceptsBytes(dfa, utf8.encode(s)), `/${src}/ should match ${JSON.stringify(s)}`).toBe(true);
      for (const s of no) expect(acceptsBytes(dfa, utf8.encode(s)), `/${src}/ should not match ${JSON.stringify(s)}`).toBe(false);
    }
  });

  it("gives small automata for common patterns", () => {
    expect(regexDfa(".").stateCount).toBe(9); // start, end, and the UTF-8 continuation states
    expect(regexDfa("[a-z]+").stateCount).toBe(2);
    expect(regexDfa("[]").stateCount).toBe(1);
    expect(regexDfa("[]").accepting[0]).toBe(0);
  });
});

describe("regex syntax errors", () => {
  const cases: Array<[source: string, offset: number, message: RegExp, jsRejects: boolean]> = [
    ["(a", 2, /expected '\)'.*offset 0/, true],
    ["a)", 1, /unmatched '\)'/, true],
    ["[abc", 4, /unterminated character class/, true],
    ["*a", 0, /nothing to repeat/, true],
    ["a**", 2, /nothing to repeat/, true],
    ["a|+", 2, /nothing to repeat/, true],
    ["a{2", 1, /incomplete quantifier/, true],
    ["a{,3}", 1, /incomplete quantifier/, true],
    ["{", 0, /incomplete quantifier/, true],
    ["a{3,1}", 1, /out of order/, true],
    ["[z-a]", 1, /range out of order/, true],
    ["[\\d-z]", 3, /cannot be the end of a range/, true],
    ["]", 0, /lone '\]'/, true],
    ["}", 0, /lone '\}'/, true],
    ["\\", 0, /at the end/, true],
    ["\\q", 0, /unknown escape \\q/, true],
    ["\\-", 0, /outside a character class/, true],
    ["\\xZ1", 0, /two hexadecimal digits/, true],
    ["\\u12", 0, /four hexadecimal digits/, true],
    ["\\u{110000}", 0, /above U\+10FFFF/, true],
    ["ab\\c1", 2, /letter/, true],
    ["(?<1a>x)", 3, /group name/, true],
    ["\\p{L}", 0, /property escapes/, false],
    ["(a)\\1", 3, /backreferences/, false],
    ["\\k<x>", 0, /named backreferences/, true],
    ["a(?=b)", 1, /lookahead/, false],
    ["a(?!b)", 1, /lookahead/, false],
    ["(?<=a)b", 0, /lookbehind/, false],
    ["(?<!a)b", 0, /lookbehind/, false],
    ["a*?", 2, /lazy quantifiers/, false],
    ["a{1,2}?", 6, /lazy quantifiers/, false],
    ["(?i)a", 2, /inline flags/, true],
    ["(?i:a)", 2, /inline flags/, false],
    ["a\\b", 1, /word-boundary/, false],
    ["\\Ba", 0, /word-boundary/, false],
    ["a^b", 1, /'\^' is only supported/, false],
    ["a$b", 1, /'\$' is only supported/, false],
    ["(a$)", 2, /'\$' is only supported/, false],
    ["\\uD800", 0, /lone surrogate/, false],
    ["a\\012", 1, /octal/, true],
    ["x\ud800y", 1, /lone surrogate/, false],
  ];

  for (const [source, offset, message, jsRejects] of cases) {
    it(`rejects /${source}/ at offset ${offset}`, () => {
      let caught: unknown;
      try {
        regexDfa(source);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RegexSyntaxError);
      const e = caught as RegexSyntaxError;
      expect(e.message).toMatch(message);
      expect(e.offset).toBe(offset);
      expect(e.source).toBe(source);
      if (jsRejects) expect(() => new RegExp(source, "u")).toThrow(SyntaxError);
    });
  }

  it("never crashes on random input, and rejects whatever JavaScript rejects", () => {
    const pieces = ["a", "b", "(", ")", "[", "]", "{", "}", "*", "+", "?", "|", "^", "$", "\\", ".", "-", ",", "1", "2", "?:", "d", "u", "x", "é", "😀", "<", ">", "=", "!"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), (parts) => {
        const source = parts.join("");
        let ok = false;
        try {
          regexDfa(source, { maxStates: 2000 });
          ok = true;
        } catch (error) {
          if (!(error instanceof RegexSyntaxError) && !(error instanceof AutomatonTooLargeError)) throw error;
          if (error instanceof RegexSyntaxError && (error.offset < 0 || error.offset > source.length)) throw new Error(`offset ${error.offset} outside /${source}/`);
        }
        if (ok) new RegExp(source, "u"); // must not throw: we accept a subset of JavaScript's syntax
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});

describe("regex size limits", () => {
  it("refuses huge repetition counts at once", () => {
    const start = performance.now();
    expect(() => regexDfa("a{1,100000}")).toThrow(AutomatonTooLargeError);
    expect(() => regexDfa("a{100001}")).toThrow(AutomatonTooLargeError);
    expect(() => regexDfa("(ab){99999999999999}")).toThrow(AutomatonTooLargeError);
    expect(() => regexDfa("(?:a{1000}){1000}")).toThrow(AutomatonTooLargeError);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it("stops a subset-construction blow-up at maxStates", () => {
    const start = performance.now();
    let caught: unknown;
    try {
      regexDfa("(a|b)*a(a|b){16}", { maxStates: 5000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AutomatonTooLargeError);
    expect((caught as AutomatonTooLargeError).limit).toBe(5000);
    expect(performance.now() - start).toBeLessThan(5000);
    // Just under the limit it works: 2^10 states.
    expect(regexDfa("(a|b)*a(a|b){9}", { maxStates: 5000 }).stateCount).toBe(1024);
  });

  it("builds large bounded repetitions", () => {
    const dfa = regexDfa("[^\\n]{0,500}");
    expect(dfa.stateCount).toBe(500 * 8 + 1); // per remaining count: a boundary and 7 mid-character states; the last has only the boundary
    expect(acceptsBytes(dfa, utf8.encode("é".repeat(500)))).toBe(true);
    expect(acceptsBytes(dfa, utf8.encode("é".repeat(501)))).toBe(false);
  });
});
