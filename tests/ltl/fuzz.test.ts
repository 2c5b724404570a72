import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpecError } from "../../src/ltl/errors.js";
import { parseFormula, parseSpec } from "../../src/ltl/spec.js";

/**
 * The parser's contract on hostile input: it returns, or throws a `SpecError` whose location points
 * into the text — never another exception (a stack overflow, a TypeError from a half-built tree),
 * and never takes long. The CLI prints SpecErrors nicely and anything else as a crash.
 */

const FILE = "fuzz.ltl";
/** Generous against a slow CI machine; a typical parse of these inputs takes a few milliseconds. */
const SLOW_MS = 1_500;

/** Parses as a spec and as a single formula; returns why the outcome breaks the contract, if it does. */
function contractViolation(text: string, slowMs = SLOW_MS): string | undefined {
  for (const [what, parse] of [
    ["parseSpec", () => parseSpec(text, { file: FILE })],
    ["parseFormula", () => parseFormula(text, { file: FILE })],
  ] as const) {
    const start = performance.now();
    try {
      parse();
    } catch (error) {
      if (!(error instanceof SpecError)) return `${what} threw ${(error as Error)?.name}: ${(error as Error)?.message}`;
      const { line, column, file, lineText } = error.location;
      const lines = text.split("\n");
      const raw = lines[line - 1];
      if (file !== FILE) return `${what}: the error names file ${file}`;
      if (!Number.isInteger(line) || line < 1 || raw === undefined) return `${what}: line ${line} is outside the text (${lines.length} lines)`;
      if (!Number.isInteger(column) || column < 1 || column > raw.length + 1) return `${what}: column ${column} is outside line ${line} (${raw.length} characters)`;
      if (lineText !== raw.replace(/\r$/, "")) return `${what}: the error shows ${JSON.stringify(lineText)} for line ${line}`;
      if (error.message.length === 0) return `${what}: empty message`;
      // Formatting must not throw either: it is what the user sees.
      if (!error.format().startsWith(`${FILE}:${line}:${column}: error: `)) return `${what}: format() gives ${error.format()}`;
    }
    const elapsed = performance.now() - start;
    if (elapsed > slowMs) return `${what} took ${Math.round(elapsed)} ms`;
  }
  return undefined;
}

const expectContract = (text: string, slowMs = SLOW_MS): void => {
  const violation = contractViolation(text, slowMs);
  if (violation !== undefined) throw new Error(`${violation}\ninput (${text.length} chars): ${JSON.stringify(text.slice(0, 300))}`);
};

// Fixed seeds: a failure reproduces on every run and machine, and fast-check prints the shrunk input.
const settings = (seed: number, numRuns: number) => ({ seed, numRuns, endOnFailure: true });

const TOKENS = [
  "a", "b", "req", "ack_1", "x", "__proto__", "constructor", "X", "WX", "F", "G", "U", "R", "W", "M", "S", "Y", "WY", "O", "H", "!", "&", "|", "->", "<->",
  "-", "<", ">", "(", ")", "[", "]", "{", "}", ",", ";", "=", "*", "+", "?", ".", "0", "1", "3", "64", "65", "99999999999999999999",
  "atoms", "events", "define", "at", "most", "least", "exactly", "pattern", "true", "false", "last",
  " ", " ", "  ", "\n", "\r\n", "\t", "#", "//", "/", "\u00e9", "\u0000", "$", "\"", "\\", "\ud83d\ude00",
];

const CORPUS = [
  [
    "# A ReAct-style agent",
    "events question, thought, action, observation, answer",
    "define responds(x, y) = G (x -> F y)",
    "question",
    "responds(action, observation); G (answer -> WX false)",
    "at most 3 action",
    "pattern(question (thought action observation){0,3} thought answer)",
  ].join("\n"),
  [
    "atoms req, ack, busy",
    "// a propositional spec",
    "G (req -> X (busy U ack))   # comment",
    "H (ack -> O req)",
    "F (req &",
    "   WX !req)",
    "exactly 1 ack | G !req",
  ].join("\n"),
  [
    "define after(p, q) = G (p -> WX G q)",
    "after(a, !b); a S b -> Y c | WY d",
    "pattern(. [a | !b]{1,2} c? d* e+ (a | b){,3})",
    "at least 2 (a R b) <-> c M d W last",
  ].join("\r\n"),
  "G (a -> F b)",
];

type Mutation =
  | { op: "insert"; at: number; token: string }
  | { op: "delete"; at: number; length: number }
  | { op: "replace"; at: number; token: string }
  | { op: "duplicate"; at: number; length: number }
  | { op: "truncate"; at: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("insert" as const), at: position, token: fc.constantFrom(...TOKENS) }),
  fc.record({ op: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant("replace" as const), at: position, token: fc.constantFrom(...TOKENS) }),
  fc.record({ op: fc.constant("duplicate" as const), at: position, length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ op: fc.constant("truncate" as const), at: position }),
);

function mutate(text: string, m: Mutation): string {
  const i = Math.floor(m.at * (text.length + 1));
  switch (m.op) {
    case "insert":
      return text.slice(0, i) + m.token + text.slice(i);
    case "delete":
      return text.slice(0, i) + text.slice(i + m.length);
    case "replace":
      return text.slice(0, i) + m.token + text.slice(i + 1);
    case "duplicate":
      return text.slice(0, i + m.length) + text.slice(i, i + m.length) + text.slice(i + m.length);
    case "truncate":
      return text.slice(0, i);
  }
}

describe("the parser returns or throws a located SpecError", () => {
  it("on strings of spec tokens", () => {
    const text = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((ts) => ts.join(""));
    fc.assert(fc.property(text, (t) => expectContract(t)), settings(1, 1000));
  });

  it("on tokens separated by spaces (so that keywords and names stay whole)", () => {
    const text = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((ts) => ts.join(" "));
    fc.assert(fc.property(text, (t) => expectContract(t)), settings(2, 1000));
  });

  it("on arbitrary Unicode strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 60 }), (t) => expectContract(t)), settings(3, 400));
  });

  it("on mutations of valid spec files", () => {
    for (const valid of CORPUS) expect(() => parseSpec(valid)).not.toThrow();
    const mutated = fc
      .tuple(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 6 }))
      .map(([text, ms]) => ms.reduce(mutate, text));
    fc.assert(fc.property(mutated, (t) => expectContract(t)), settings(4, 1200));
  });

  it("on every prefix of a valid spec file", () => {
    const text = CORPUS[0]!;
    for (let i = 0; i <= text.length; i++) expectContract(text.slice(0, i));
  });
});

describe("deep nesting and long inputs", () => {
  const repeatJoin = (item: string, n: number, separator: string): string => Array(n).fill(item).join(separator);
  const CASES: [string, string][] = [
    ["10,000 open parentheses", "(".repeat(10_000)],
    ["10,000 balanced parentheses", `${"(".repeat(10_000)}a${")".repeat(10_000)}`],
    ["120 balanced parentheses", `${"(".repeat(120)}a${")".repeat(120)}`],
    ["10,000 closing parentheses", ")".repeat(10_000)],
    ["10,000 brackets in a pattern", `pattern(${"[".repeat(10_000)}`],
    ["5,000 X", `${"X ".repeat(5_000)}a`],
    ["5,000 WX without an operand", "WX ".repeat(5_000)],
    ["10,000 negations", `${"!".repeat(10_000)}a`],
    ["3,000 Y", `${"Y ".repeat(3_000)}a`],
    ["3,000 counting prefixes", `${"at most 1 ".repeat(3_000)}a`],
    ["2,000 conjuncts", repeatJoin("a", 2_000, " & ")],
    ["2,000 conjuncts over lines", repeatJoin("a", 2_000, " &\n")],
    ["2,000 disjuncts in a pattern", `pattern(${repeatJoin("a", 2_000, " | ")})`],
    ["5,000 untils", repeatJoin("a", 5_000, " U ")],
    ["5,000 implications", repeatJoin("a", 5_000, " -> ")],
    ["2,000 equivalences", repeatJoin("a", 2_000, " <-> ")],
    ["500 nested macro calls", `define m(x) = X x\n${"m(".repeat(500)}a${")".repeat(500)}`],
    ["2,000 formulas", repeatJoin("F a", 2_000, "\n")],
    ["2,000 atoms", `atoms ${Array.from({ length: 2_000 }, (_, i) => `a${i}`).join(", ")}\na1999`],
    ["a 20,000-character name", `F ${"a".repeat(20_000)}`],
    ["a 100,000-character comment", `# ${"x".repeat(100_000)}\na`],
    ["a huge count", "at most 99999999999999999999999 a"],
    ["a huge repetition", "pattern(a{99999999999999999999999})"],
    ["64 nested macros", Array.from({ length: 64 }, (_, i) => `define m${i + 1}(x) = ${i === 0 ? "x" : `m${i}(x)`}`).join("\n") + "\nm64(a)"],
  ];

  // These now parse rather than being refused: the parser is linear but not fast (tens of
  // microseconds per character), so the bound grows with the length.
  it.each(CASES)("%s", (_name, text) => {
    expectContract(text, SLOW_MS + text.length * 0.2);
  });
});

/**
 * Inputs small enough to write by hand whose expansion is exponential. They run in a child process
 * with a deadline, because a parser stuck in a synchronous loop would otherwise hang the test run
 * instead of failing it.
 */
describe("small inputs with exponential expansions finish or are refused", () => {
  const specModule = fileURLToPath(new URL("../../src/ltl/spec.ts", import.meta.url));
  // Generous: starting a child with tsx alone takes a few seconds on a busy machine; a hang takes forever.
  const DEADLINE_MS = 15_000;

  const outcomeInChild = (text: string): string => {
    const script = [
      `import { parseSpec } from ${JSON.stringify(specModule)};`,
      `const text = ${JSON.stringify(text)};`,
      "try { parseSpec(text); console.log('ok'); } catch (error) { console.log(error?.name === 'SpecError' ? 'SpecError' : `${error?.name}: ${error?.message}`); }",
    ].join("\n");
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      timeout: DEADLINE_MS,
      encoding: "utf8",
      // `--import tsx` resolves from the working directory: the repository root, whatever vitest's.
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
    });
    if (result.error !== undefined || result.signal !== null) return `did not finish within ${DEADLINE_MS} ms (${result.signal ?? result.error?.message})`;
    return result.stdout.trim() || result.stderr.trim();
  };

  it("(the harness itself: a small spec parses in the child)", () => {
    expect(outcomeInChild("atoms a, b\nG (a -> F b)")).toBe("ok");
  });

  it("a chain of macros that each use the previous one twice", () => {
    const lines = Array.from({ length: 40 }, (_, i) => `define m${i + 1}(x) = ${i === 0 ? "x & x" : `m${i}(x) | m${i}(!x)`}`);
    expect(outcomeInChild([...lines, "m40(a)"].join("\n"))).toMatch(/^(ok|SpecError)$/);
  });

  it("nested optional repetitions in a pattern", () => {
    // Each level only multiplies the automaton's size by about 8, but the formula must stay shared.
    expect(outcomeInChild("pattern(((a{0,8}){0,8}){0,8})")).toMatch(/^(ok|SpecError)$/);
  });

  it("nested exact repetitions in a pattern", () => {
    // 64^5 steps: far beyond any automaton, so the only acceptable outcomes are a quick refusal.
    expect(outcomeInChild("pattern(((((a{64}){64}){64}){64}){64})")).toBe("SpecError");
  });
});
