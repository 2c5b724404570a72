import { describe, expect, it } from "vitest";
import { compileFormula } from "../../src/ltl/compile.js";
import { monaStartState, monaStep, parseMonaDfa, toMonaProgram } from "../../src/ltl/mona.js";
import { formulaToString } from "../../src/ltl/print.js";
import { parseFormula, type SpecMode } from "../../src/ltl/spec.js";
import { compareWithMona, prepareCase, type Disagreement, type MonaCase } from "../support/mona-check.js";
import { monaAvailable, runMona } from "../support/mona-runner.js";
import { Rng, randomFormula } from "../support/random.js";

/**
 * Differential testing against MONA: the compiler's minimal DFA and MONA's, built from a
 * first-order translation of the same formula (src/ltl/mona.ts), must accept the same traces
 * and have matching numbers of states (see expectedMonaStateCount for the exact relation).
 */

const RANDOM_PROPOSITIONAL = 1000;
const RANDOM_EVENTS = 150;

// `mona -xw` output for `ex1 z: z = 0 & z in A0` over A0, A1: from state 1, a letter with A0 leads to the accepting
// sink 3 (node 1 tests A0: low node 3, high node 2, which is a leaf to state 3), any other to the rejecting sink 2.
const SAMPLE = `MONA DFA
number of variables: 2
variables: A0 A1
orders: 2 2
states: 4
initial: 0
bdd nodes: 4
final: 0 0 -1 1
behaviour: 0 1 3 2
bdd:
 -1 1 0
 0 3 2
 -1 3 0
 -1 2 0
end
`;

describe("MONA bridge (no MONA needed)", () => {
  it("parses mona -xw output and steps through it", () => {
    const dfa = parseMonaDfa(SAMPLE);
    expect(dfa.variables).toEqual(["A0", "A1"]);
    expect(dfa.final).toEqual([0, 0, -1, 1]);
    const start = monaStartState(dfa);
    expect(start).toBe(1);
    expect(monaStep(dfa, start, (v) => v === 0)).toBe(3);
    expect(monaStep(dfa, start, (v) => v === 1)).toBe(2);
    expect(monaStep(dfa, 2, () => true)).toBe(2);
    expect(monaStep(dfa, 3, () => false)).toBe(3);
    expect(() => monaStep(dfa, 4, () => false)).toThrow(/not a state/);
  });

  it("rejects malformed output with a clear message", () => {
    expect(() => parseMonaDfa("Error in file 'x.mona' line 3")).toThrow(/MONA DFA/);
    expect(() => parseMonaDfa(SAMPLE.replace("final: 0 0 -1 1", "final: 0 0 -1"))).toThrow(/expected 4 statuses/);
    expect(() => parseMonaDfa(SAMPLE.replace(" 0 3 2", " 0 3 9"))).toThrow(/out of range/);
    expect(() => parseMonaDfa(SAMPLE.replace(" -1 3 0", " 0 1 1"))).toThrow(/not ordered/);
    expect(() => parseMonaDfa(SAMPLE.replace("end\n", ""))).toThrow(/end/);
  });

  it("declares every atom and translates each subformula once", () => {
    const atoms = ["a", "b", "c"];
    const program = toMonaProgram(parseFormula("a U b", { atoms }), atoms, { mode: "propositional", emptyTrace: "reject" });
    expect(program).toContain("var2 A0, A1, A2;");
    expect(program).not.toContain("$");
    // Nested weak untils repeat no argument: the text grows linearly with nesting.
    const nested = (n: number): string => toMonaProgram(parseFormula(Array(n).fill("a").join(" W "), { atoms }), atoms, { mode: "propositional", emptyTrace: "reject" });
    expect(nested(40).length).toBeLessThan(40 * nested(2).length);
    expect(() => toMonaProgram(parseFormula("d", { atoms: ["d"] }), atoms, { mode: "propositional", emptyTrace: "reject" })).toThrow(/'d'/);
  });
});

const available = monaAvailable();
const skipNote = available ? "" : " — SKIPPED: the `mona` command is not installed (apt-get install mona)";

function check(c: MonaCase): Disagreement | undefined {
  const prepared = prepareCase(c);
  return compareWithMona(c, prepared.ours, runMona(prepared.program).dfa);
}

function report(disagreements: readonly Disagreement[], total: number): string {
  const shown = disagreements.slice(0, 10).map((d) => `- ${d.kind}: ${d.message}`);
  return `${disagreements.length} of ${total} formulas disagree with MONA:\n${shown.join("\n")}${disagreements.length > 10 ? "\n…" : ""}`;
}

function randomCases(seed: number, count: number, mode: SpecMode): MonaCase[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const atoms = rng.int(2) === 0 ? ["a", "b", "c"] : ["a", "b", "c", "d"];
    return { formula: randomFormula(rng, { atoms, depth: 5 }), atoms, mode };
  });
}

describe.skipIf(!available)(`LTLf compiler vs MONA${skipNote}`, () => {
  const atoms = ["a", "b"];
  const picked: [text: string, ourStates: number][] = [
    ["G a", 2],
    ["F a", 2],
    ["X a", 4],
    ["WX a", 4],
    ["last", 3],
    ["a U b", 3],
    ["G(a -> O b)", 3],
    ["true", 1],
    ["false", 1],
  ];
  it.each(picked)("%s", (text, ourStates) => {
    const c: MonaCase = { formula: parseFormula(text, { atoms }), atoms, mode: "propositional" };
    const disagreement = check(c);
    expect(disagreement?.message).toBeUndefined();
    expect(compileFormula(c.formula, c).stateCount).toBe(ourStates);
  });

  it("a valid formula is the one accepting state, an unsatisfiable one the one rejecting state", () => {
    const valid = compileFormula(parseFormula("true", { atoms }), { atoms });
    expect(valid.accepting).toEqual([true]);
    const unsatisfiable = compileFormula(parseFormula("false", { atoms }), { atoms });
    expect(unsatisfiable.accepting).toEqual([false]);
  });

  it.each(["G(a -> X b)", "F c", "a U b", "G(b -> O a)", "!F(a & X a)", "WX false"])("events: %s", (text) => {
    const events = ["a", "b", "c"];
    const disagreement = check({ formula: parseFormula(text, { atoms: events, mode: "events" }), atoms: events, mode: "events" });
    expect(disagreement?.message).toBeUndefined();
  });

  it(`agrees on ${RANDOM_PROPOSITIONAL} random formulas (3–4 atoms, depth up to 5, past operators included)`, () => {
    const cases = randomCases(20240601, RANDOM_PROPOSITIONAL, "propositional");
    const disagreements = cases.flatMap((c) => check(c) ?? []);
    expect(disagreements.length, report(disagreements, cases.length)).toBe(0);
  }, 180_000);

  it(`agrees on ${RANDOM_EVENTS} random events-mode formulas`, () => {
    const cases = randomCases(777, RANDOM_EVENTS, "events");
    const disagreements = cases.flatMap((c) => check(c) ?? []);
    expect(disagreements.length, report(disagreements, cases.length)).toBe(0);
  }, 60_000);

  it("reports a counterexample trace for a wrong automaton", () => {
    // A deliberately wrong pairing (our F a against MONA's G a) exercises the product search.
    const f = parseFormula("F a", { atoms });
    const ours = compileFormula(f, { atoms });
    const mona = runMona(toMonaProgram(parseFormula("G a", { atoms }), atoms, { mode: "propositional", emptyTrace: "reject" })).dfa;
    const d = compareWithMona({ formula: f, atoms, mode: "propositional" }, ours, mona);
    expect(d?.kind).toBe("language");
    expect(d?.trace).toBe("{}; {a}");
    expect(d?.message).toContain("so MONA (or its translation) is wrong");
    expect(formulaToString(f)).toBe("F a");
  });
});
