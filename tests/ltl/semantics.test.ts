import { describe, expect, it } from "vitest";
import { not, type Formula } from "../../src/ltl/ast.js";
import { compileFormula } from "../../src/ltl/compile.js";
import { accepts, guardHolds, type Dfa } from "../../src/ltl/dfa.js";
import { formulaToString } from "../../src/ltl/print.js";
import { parseFormula } from "../../src/ltl/spec.js";
import { holds, type Trace } from "../support/evaluate.js";
import { Rng, allTraces, randomFormula } from "../support/random.js";
import { reachableAfterOneStep } from "../support/equivalence.js";

const AB = ["a", "b"];
const ABC = ["a", "b", "c"];
// Every non-empty trace up to these lengths: 1,364 traces over two atoms, 4,680 over three.
const TRACES_AB = [...allTraces(AB, 5)];
const TRACES_ABC = [...allTraces(ABC, 4)];

const showTrace = (trace: Trace): string => `[${trace.map((s) => `{${[...s].join(",")}}`).join(" ")}]`;

/** The first trace where the automaton and the evaluator disagree, described for a failure message. */
function firstDisagreement(f: Formula, dfa: Dfa, traces: readonly Trace[]): string | undefined {
  for (const trace of traces) {
    const expected = holds(f, trace);
    const got = accepts(dfa, trace);
    if (got !== expected) return `${formulaToString(f)} on ${showTrace(trace)}: evaluator says ${expected}, DFA says ${got}`;
  }
  return undefined;
}

/** Every letter over `atoms`: all subsets, as sets of names. */
function lettersOver(atoms: readonly string[]): Set<string>[] {
  return Array.from({ length: 1 << atoms.length }, (_, mask) => new Set(atoms.filter((_, i) => mask & (1 << i))));
}

/**
 * What the DFA contract promises beyond its language, checked by enumerating letters: each letter
 * takes exactly one transition, no guard is empty (the analysis relies on it), every state is
 * reachable, and no two states are equivalent (Moore refinement over explicit letters).
 */
function structuralProblems(dfa: Dfa): string[] {
  const letters = lettersOver(dfa.atoms);
  const problems: string[] = [];
  const holdsFor = (guard: number, letter: Set<string>): boolean => guardHolds(dfa.guards, guard, (i) => letter.has(dfa.atoms[i]!));
  const target = (s: number, letter: Set<string>): number => {
    const taken = dfa.transitions[s]!.filter((t) => holdsFor(t.guard, letter));
    if (taken.length !== 1) problems.push(`state ${s} has ${taken.length} transitions on {${[...letter].join(",")}}`);
    return taken[0]?.to ?? -1;
  };
  for (let s = 0; s < dfa.stateCount; s++) {
    for (const t of dfa.transitions[s]!) {
      if (!letters.some((l) => holdsFor(t.guard, l))) problems.push(`state ${s} has a transition to ${t.to} that no letter takes`);
    }
  }
  const reached = new Set([dfa.initial]);
  const queue = [dfa.initial];
  for (let i = 0; i < queue.length; i++) {
    for (const l of letters) {
      const to = target(queue[i]!, l);
      if (to >= 0 && !reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
    }
  }
  if (reached.size !== dfa.stateCount) problems.push(`only ${reached.size} of ${dfa.stateCount} states are reachable`);
  let block: number[] = dfa.accepting.map((a) => (a ? 1 : 0));
  for (;;) {
    const ids = new Map<string, number>();
    const next = block.map((b, s) => {
      const key = `${b}:${letters.map((l) => block[target(s, l)] ?? -1).join(",")}`;
      if (!ids.has(key)) ids.set(key, ids.size);
      return ids.get(key)!;
    });
    const stable = new Set(next).size === new Set(block).size;
    block = next;
    if (stable) break;
  }
  if (new Set(block).size !== dfa.stateCount) problems.push(`${dfa.stateCount} states but only ${new Set(block).size} are distinguishable`);
  return [...new Set(problems)];
}

/** Batches of seeded formulas, so a failure names a small seed range and the batches run as separate tests. */
function randomBatches(firstSeed: number, batches: number, perBatch: number, atoms: readonly string[], traces: readonly Trace[]) {
  for (let b = 0; b < batches; b++) {
    const seeds = Array.from({ length: perBatch }, (_, i) => firstSeed + b * perBatch + i);
    it(`seeds ${seeds[0]}..${seeds[seeds.length - 1]} over ${atoms.join(",")}`, () => {
      const failures: string[] = [];
      for (const seed of seeds) {
        const rng = new Rng(seed);
        // Depths 1..5, so that small formulas (where bugs are easiest to read) are well represented.
        const f = randomFormula(rng, { atoms, depth: 1 + (seed % 5) });
        const dfa = compileFormula(f, { atoms });
        const negated = compileFormula(not(f), { atoms });
        const direct = firstDisagreement(f, dfa, traces);
        if (direct !== undefined) failures.push(`seed ${seed}: ${direct}`);
        // The negation is compiled on its own: its automaton must be the exact complement on non-empty traces.
        for (const trace of traces) {
          if (accepts(dfa, trace) === accepts(negated, trace)) {
            failures.push(`seed ${seed}: ${formulaToString(f)} and its negation agree (${accepts(dfa, trace)}) on ${showTrace(trace)}`);
            break;
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
}

describe("the compiled DFA agrees with the reference evaluator on every short trace", () => {
  describe("two atoms, traces up to length 5", () => {
    randomBatches(1, 12, 50, AB, TRACES_AB);
  });
  describe("three atoms, traces up to length 4", () => {
    randomBatches(10_001, 5, 40, ABC, TRACES_ABC);
  });
});

describe("the compiled DFA is deterministic, complete, trim and minimal", () => {
  it.each([
    [AB, 1],
    [ABC, 10_001],
  ])("for 400 random formulas over %j", (atoms, firstSeed) => {
    const failures: string[] = [];
    for (let seed = firstSeed; seed < firstSeed + 400; seed++) {
      const f = randomFormula(new Rng(seed), { atoms, depth: 1 + (seed % 5) });
      const problems = structuralProblems(compileFormula(f, { atoms }));
      if (problems.length > 0) failures.push(`seed ${seed}: ${formulaToString(f)}: ${problems.join("; ")}`);
    }
    expect(failures).toEqual([]);
  });
});


describe("valid and unsatisfiable formulas", () => {
  const VALID = [
    "G true",
    "a | !a",
    "F a | G !a",
    "X true | last",
    "WX a | X !a",
    "H a -> a",
    "a -> O a",
    "F last",
    "G F last",
    "WY false",
    "!Y true",
    "G (WX a <-> X a | last)",
    "G (X a -> !last)",
    "G (Y a <-> WY a & Y true)",
    "G (O a <-> a | Y O a)",
    "G (H a <-> a & WY H a)",
    "G (a S b -> O b)",
    "(a U b) <-> b | a & X (a U b)",
    "(a R b) <-> !(!a U !b)",
    "(a W b) <-> (a U b) | G a",
    "(a M b) <-> b U (a & b)",
    "G a -> WX G a",
  ];
  const UNSATISFIABLE = [
    "false",
    "a & !a",
    "F a & G !a",
    "X true & last",
    "X false",
    "Y a",
    "Y true",
    "G X true",
    "G F !last",
    "(a U b) & G !b",
    "O a & H !a",
    "F (H a) & G !a",
    "last & X a",
    "a & WY !a & !Y true & H !a",
  ];

  it.each(VALID)("%s is valid and compiles to the one-state accepting DFA", (text) => {
    const f = parseFormula(text);
    const counterexample = TRACES_AB.find((t) => !holds(f, t));
    expect(counterexample && showTrace(counterexample)).toBeUndefined();
    const dfa = compileFormula(f, { atoms: AB });
    expect(dfa.stateCount).toBe(1);
    expect(dfa.accepting[dfa.initial]).toBe(true);
  });

  it.each(UNSATISFIABLE)("%s is unsatisfiable and its DFA reaches no accepting state", (text) => {
    const f = parseFormula(text);
    const witness = TRACES_AB.find((t) => holds(f, t));
    expect(witness && showTrace(witness)).toBeUndefined();
    const dfa = compileFormula(f, { atoms: AB });
    expect([...reachableAfterOneStep(dfa)].filter((s) => dfa.accepting[s])).toEqual([]);
    expect(dfa.stateCount).toBe(1);
  });
});

/** A trace written as one string per step, each listing its atoms by letter ("" for the empty step). */
const trace = (...steps: string[]): Trace => steps.map((s) => new Set(s));

describe("hand-checked cases at the ends of the trace", () => {
  const CASES: [string, Trace, boolean][] = [
    // Strong next needs a next step; weak next is vacuous at the last step.
    ["X a", trace("a"), false],
    ["X a", trace("", "a"), true],
    ["X a", trace("a", ""), false],
    ["X !a", trace(""), false],
    ["!X a", trace(""), true],
    ["WX a", trace(""), true],
    ["WX a", trace("", ""), false],
    ["WX a", trace("", "a"), true],
    ["WX false", trace("a"), true],
    ["WX false", trace("a", "a"), false],
    ["!WX !a", trace(""), false],
    ["X true", trace(""), false],
    ["X X true", trace("", ""), false],
    ["X X true", trace("", "", ""), true],
    ["G X true", trace("", "", ""), false],
    ["G WX true", trace("", "", ""), true],
    // `last` holds exactly at the final step.
    ["last", trace(""), true],
    ["last", trace("", ""), false],
    ["X last", trace("", ""), true],
    ["X last", trace("", "", ""), false],
    ["F (a & last)", trace("", "a"), true],
    ["F (a & last)", trace("a", ""), false],
    ["G (a -> last)", trace("", "", "a"), true],
    ["G (a -> last)", trace("", "a", ""), false],
    // Strong yesterday fails at the first step; weak yesterday holds there.
    ["Y a", trace("a"), false],
    ["Y true", trace("a", "a"), false],
    ["WY a", trace(""), true],
    ["WY false", trace("a"), true],
    ["X WY false", trace("", ""), false],
    ["X Y a", trace("a", ""), true],
    ["X Y a", trace("", "a"), false],
    ["X WY a", trace("", "a"), false],
    ["X WY a", trace("a", ""), true],
    ["X X Y Y a", trace("a", "", ""), true],
    ["X X Y Y a", trace("", "a", "a"), false],
    // The until family at the end of the trace.
    ["a U b", trace("a", "a"), false],
    ["a W b", trace("a", "a"), true],
    ["a U b", trace("a", "b"), true],
    ["a R b", trace("b", "b"), true],
    ["a M b", trace("b", "b"), false],
    ["a M b", trace("b", "ab"), true],
    ["a R b", trace("b", "a"), false],
    // Past operators read back to the first step.
    ["X X (a S b)", trace("b", "a", "a"), true],
    ["X X (a S b)", trace("b", "", "a"), false],
    ["X X O b", trace("b", "", ""), true],
    ["X X H a", trace("a", "", "a"), false],
    ["X X H a", trace("a", "a", "a"), true],
  ];

  it.each(CASES.map(([f, t, expected]) => [f, showTrace(t), expected, t] as const))(
    "%s on %s is %s",
    (text, _shown, expected, t) => {
      const f = parseFormula(text, { atoms: AB });
      expect(holds(f, t)).toBe(expected);
      expect(accepts(compileFormula(f, { atoms: AB }), t)).toBe(expected);
    },
  );
});
