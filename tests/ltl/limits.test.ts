import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { conjunction, formulasEqual } from "../../src/ltl/ast.js";
import { compileSpec, compileSpecAsync } from "../../src/ltl/analysis.js";
import { compileFormula, compileFormulaAsync } from "../../src/ltl/compile.js";
import { accepts } from "../../src/ltl/dfa.js";
import { SpecError, TooManyNodesError, TooManyStatesError } from "../../src/ltl/errors.js";
import { toMonaProgram } from "../../src/ltl/mona.js";
import { formulaToString } from "../../src/ltl/print.js";
import { MAX_RESOLVE_DEPTH, parseFormula, parseSpec } from "../../src/ltl/spec.js";
import { MAX_NESTING, MAX_TOKENS } from "../../src/ltl/syntax.js";
import { Rng } from "../support/random.js";

/**
 * Inputs that used to hang, crash or exhaust memory, each now a located error or a bounded run:
 * size and depth are checked before the work that would blow up, no pass recurses once per
 * operand, and long compilations stop on an AbortSignal.
 */

function specError(run: () => unknown): SpecError {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error("expected a SpecError");
}

const repeatJoin = (item: string, n: number, separator: string): string => Array.from({ length: n }, () => item).join(separator);

describe("sizes are checked before parsing", () => {
  it("refuses a 1 MB spec of small formulas at once, where the limit is crossed", () => {
    const rng = new Rng(5);
    const atoms = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const lines = [`atoms ${atoms.join(", ")}`];
    let size = 0;
    while (size < 1_000_000) {
      const line = `G(${rng.pick(atoms)} -> F ${rng.pick(atoms)})`;
      lines.push(line);
      size += line.length + 1;
    }
    const text = lines.join("\n");
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const error = specError(() => parseSpec(text, { file: "big.ltl" }));
    const elapsed = performance.now() - started;
    expect(error.message).toContain(`more than ${MAX_TOKENS.toLocaleString("en-US")} tokens`);
    expect(error.location.file).toBe("big.ltl");
    // The token that crosses the limit: about 8 tokens per line after the declaration.
    expect(error.location.line).toBeGreaterThan(2_000);
    expect(error.location.line).toBeLessThan(3_000);
    // It used to take 84 s and 4 GB; the check scans the text once.
    expect(elapsed).toBeLessThan(3_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100_000_000);
  });

  it("parses parentheses nested as deep as the documented limit, and refuses one more at its place", () => {
    const nested = (depth: number): string => `${"(".repeat(depth)}X a & b${")".repeat(depth)}`;
    expect(formulaToString(parseFormula(nested(MAX_NESTING)))).toBe("X a & b");
    expect(parseSpec(`atoms a, b\n${nested(MAX_NESTING)}`).formulas).toHaveLength(1);
    const error = specError(() => parseFormula(nested(MAX_NESTING + 1)));
    expect(error.message).toBe(`parentheses nested deeper than ${MAX_NESTING} levels`);
    expect(error.location.column).toBe(MAX_NESTING + 1);
  });

  it("points at the offending term of a 4,000-term conjunction on one line", () => {
    const terms = Array.from({ length: 4_000 }, (_, i) => `a${i % 10}`);
    terms[2_500] = "zz";
    const text = `atoms ${Array.from({ length: 10 }, (_, i) => `a${i}`).join(", ")}\n${terms.join(" & ")}\n`;
    const error = specError(() => parseSpec(text, { file: "conj.ltl" }));
    expect(error.message).toMatch(/^unknown atom 'zz'/);
    expect(error.location.line).toBe(2);
    expect(error.location.column).toBe(2_500 * "a0 & ".length + 1);
    expect(error.format().split("\n")[2]!.length).toBe(2 + 2_500 * 5 + 1);
  });
});

describe("no pass recurses once per operand", () => {
  const CASES: [string, string][] = [
    ["3,000 nested X", `${"X ".repeat(3_000)}a`],
    ["5,000 untils", repeatJoin("a", 5_000, " U ")],
    ["5,000 implications", repeatJoin("a", 5_000, " -> ")],
    ["2,000 equivalences", repeatJoin("a", 2_000, " <-> ")],
    ["4,000 conjuncts", repeatJoin("a", 4_000, " & ")],
    ["5,000 negations", `${"!".repeat(5_000)}a`],
  ];

  it.each(CASES)("%s: parses, compiles, prints, reads back and translates for MONA", (_name, text) => {
    const formula = parseFormula(text);
    const dfa = compileFormula(formula);
    expect(dfa.stateCount).toBeGreaterThan(0);
    expect(formulasEqual(parseFormula(formulaToString(formula)), formula)).toBe(true);
    expect(toMonaProgram(formula, ["a"], { mode: "propositional", emptyTrace: "reject" })).toMatch(/^m2l-str;/);
  });

  it("compiles a spec of 4,000 formulas `F a` (their conjunction nests 4,000 deep)", () => {
    const spec = parseSpec(`atoms a\n${"F a\n".repeat(4_000)}`);
    const { dfa } = compileSpec(spec);
    expect(dfa.stateCount).toBe(2);
    expect(accepts(dfa, [new Set(["a"])])).toBe(true);
  });

  it("names two conflicting formulas among 4,000 without compiling once per formula", () => {
    const text = `atoms a, b\n${"F b\n".repeat(2_000)}G !a\n${"F b\n".repeat(1_000)}F a\n${"F b\n".repeat(1_000)}`;
    const started = performance.now();
    const error = specError(() => compileSpec(parseSpec(text, { file: "many.ltl" })));
    expect(error.kind).toBe("unsatisfiable");
    expect(error.notes).toEqual(["conflicting formulas:", "  many.ltl:2002:1: G !a", "  many.ltl:3003:1: F a"]);
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it("refuses macros nested past the documented depth with a location, not a stack overflow", () => {
    // Each body nests 90 levels (operators of alternating precedence); 20 macros, each using the
    // one before, nest them 20 × 90 deep (within the limits on parentheses and macro depth).
    const nest = (inner: string): string => `${"a & (a | (".repeat(45)}${inner}${"))".repeat(45)}`;
    const lines = Array.from({ length: 20 }, (_, i) => `define m${i + 1}(x) = ${nest(i === 0 ? "x" : `m${i}(x)`)}`);
    const error = specError(() => parseSpec(`atoms a\n${lines.join("\n")}\nm20(a)`, { file: "deep.ltl" }));
    expect(error.message).toContain(`more than ${MAX_RESOLVE_DEPTH} levels deep`);
    expect(error.location.file).toBe("deep.ltl");
  });

  it("refuses to write out a formula whose shared subformulas make its tree astronomically large", () => {
    // Each `at most 1` uses its argument twice: 60 of them share one DAG of a few hundred nodes,
    // whose tree has about 2^61 nodes.
    const formula = parseFormula(`${"at most 1 ".repeat(60)}a`);
    expect(compileFormula(formula).stateCount).toBe(5);
    expect(() => formulaToString(formula)).toThrow(/would have \d\.\d+e\+18 operators/);
    expect(() => toMonaProgram(formula, ["a"], { mode: "propositional", emptyTrace: "reject" })).toThrow(RangeError);
  });
});

describe("nested bounded patterns", () => {
  /** Steps over atoms a, b as characters: 0 = {}, 1 = {a}, 2 = {b}, 3 = {a, b}. */
  const encode = (trace: readonly Set<string>[]): string => trace.map((s) => String((s.has("a") ? 1 : 0) + (s.has("b") ? 2 : 0))).join("");
  const decode = (text: string): Set<string>[] => [...text].map((c) => new Set([...(Number(c) & 1 ? ["a"] : []), ...(Number(c) & 2 ? ["b"] : [])]));

  it("compiles pattern(((a b){0,6} (b a){0,6}){0,6}) quickly, to the language JavaScript's RegExp matches", () => {
    const text = "atoms a, b\npattern(((a b){0,6} (b a){0,6}){0,6})";
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const { dfa } = compileSpec(parseSpec(text));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(500_000_000);
    // The same language as a regular expression over encoded steps (an independent matcher).
    const regex = /^(?:(?:[13][23]){0,6}(?:[23][13]){0,6}){0,6}$/;
    const rng = new Rng(17);
    let matched = 0;
    for (let i = 0; i < 4_000; i++) {
      // Half the traces are built from the pattern's pieces, so that many match.
      const built = Array.from({ length: rng.int(8) }, () => rng.pick(["12", "21", "32", "13", "23", "31"])).join("");
      const random = Array.from({ length: 1 + rng.int(12) }, () => String(rng.int(4))).join("");
      for (const candidate of [built, random]) {
        if (candidate === "") continue;
        const expected = regex.test(candidate);
        matched += expected ? 1 : 0;
        expect(accepts(dfa, decode(candidate)), candidate).toBe(expected);
      }
    }
    expect(matched).toBeGreaterThan(1_000);
    expect(encode(decode("0123"))).toBe("0123");
  });

  it("refuses a pattern whose expansion is too large before expanding it, with its place and an estimate", () => {
    const text = "atoms a, b\n\npattern((((a b){0,64} (b a){0,64}){0,64}){0,64})";
    const started = performance.now();
    const error = specError(() => parseSpec(text, { file: "pattern.ltl" }));
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(error.location).toMatchObject({ file: "pattern.ltl", line: 3, column: 1 });
    expect(error.message).toMatch(/^this pattern expands to about [\d,]+ formula nodes, more than the limit of 200,000/);
  });

  it("in a child process, stops within its deadline (a hang would otherwise hang the test run)", () => {
    const specModule = fileURLToPath(new URL("../../src/ltl/spec.ts", import.meta.url));
    const analysisModule = fileURLToPath(new URL("../../src/ltl/analysis.ts", import.meta.url));
    const script = [
      `import { parseSpec } from ${JSON.stringify(specModule)};`,
      `import { compileSpec } from ${JSON.stringify(analysisModule)};`,
      "for (const k of [6, 8, 12]) {",
      "  const text = `atoms a, b\\npattern(((a b){0,${k}} (b a){0,${k}}){0,${k}})`;",
      "  try { console.log(k, compileSpec(parseSpec(text), { timeLimitMs: 20_000 }).dfa.stateCount); } catch (error) { console.log(k, error.name); }",
      "}",
    ].join("\n");
    const result = spawnSync(process.execPath, ["--max-old-space-size=1024", "--import", "tsx", "--input-type=module", "-e", script], {
      timeout: 90_000,
      encoding: "utf8",
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
    });
    expect(result.signal, result.stderr).toBeNull();
    const outcomes = result.stdout.trim().split("\n");
    expect(outcomes).toHaveLength(3);
    for (const line of outcomes) expect(line).toMatch(/^\d+ (\d+|CompileTimeoutError|TooManyStatesError)$/);
  }, 120_000);
});

describe("long compilations stop when asked", () => {
  const responsePairs = (n: number): string => Array.from({ length: n }, (_, i) => `G(a${i} -> F b${i})`).join(" & ");

  it("compileFormulaAsync gives the event loop turns, so a timer's abort stops it promptly with the signal's reason", async () => {
    const formula = parseFormula(responsePairs(15));
    const controller = new AbortController();
    const reason = new Error("stop now");
    setTimeout(() => controller.abort(reason), 300);
    const started = performance.now();
    await expect(compileFormulaAsync(formula, undefined, { maxStates: 1_000_000, signal: controller.signal })).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("compileSpecAsync with a signal aborted before it starts does no work", async () => {
    const controller = new AbortController();
    controller.abort(new Error("never mind"));
    await expect(compileSpecAsync(parseSpec("atoms a\nF a"), { signal: controller.signal })).rejects.toThrow("never mind");
  });

  it("the synchronous compiler stops when a progress callback aborts the signal", () => {
    const controller = new AbortController();
    const formula = parseFormula(responsePairs(14));
    expect(() =>
      compileFormula(formula, undefined, {
        maxStates: 1_000_000,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === "explore" && p.expanded > 64) controller.abort(new Error("enough"));
        },
      }),
    ).toThrow("enough");
  });

  it("says which limit stopped it: 16 response pairs hit the state limit, 20 the node limit, each with how far it got", () => {
    const stopped = (n: number, options: { maxStates?: number; maxNodes?: number }): Error => {
      const started = performance.now();
      try {
        compileFormula(parseFormula(responsePairs(n)), undefined, { ...options, label: `pairs${n}.ltl` });
      } catch (error) {
        expect(performance.now() - started).toBeLessThan(20_000);
        return error as Error;
      }
      throw new Error(`pairs${n} compiled`);
    };
    // 16 pairs: the first state already has 65,536 successors; the state limit is crossed while they are found.
    const states = stopped(16, { maxStates: 3_000 });
    expect(states).toBeInstanceOf(TooManyStatesError);
    expect(states.message).toMatch(/^pairs16\.ltl: the automaton exceeded the limit of 3,000 states \(found 3,001 after expanding 1\); raise --max-states/);
    // 20 pairs: the first state's transitions alone need more than 200,000 diagram nodes (2^20 targets).
    const nodes = stopped(20, { maxStates: 3_000, maxNodes: 200_000 });
    expect(nodes).toBeInstanceOf(TooManyNodesError);
    expect(nodes.message).toMatch(/^pairs20\.ltl: the decision diagrams of the automaton's transitions grew past the limit of 200,000 nodes \(after expanding 0 states\); raise --max-nodes/);
  });

  it("says which limit stopped it: the decision diagrams' node limit, and how to raise it", () => {
    const formula = parseFormula(responsePairs(12));
    let error: unknown;
    try {
      compileFormula(formula, undefined, { maxNodes: 20_000, label: "pairs.ltl" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TooManyNodesError);
    expect((error as Error).message).toMatch(/^pairs\.ltl: the decision diagrams of the automaton's transitions grew past the limit of 20,000 nodes \(after expanding [\d,]+ states\); raise --max-nodes/);
    expect(compileFormula(parseFormula(conjunctionText(3)), undefined, { maxNodes: 20_000 }).stateCount).toBe(8);
  });
});

const conjunctionText = (n: number): string => formulaToString(conjunction(Array.from({ length: n }, (_, i) => parseFormula(`G(a${i} -> F b${i})`))));
