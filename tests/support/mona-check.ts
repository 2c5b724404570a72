import { performance } from "node:perf_hooks";
import type { Formula } from "../../src/ltl/ast.js";
import { compileFormula } from "../../src/ltl/compile.js";
import type { Dfa } from "../../src/ltl/dfa.js";
import { monaStartState, toMonaProgram, type MonaDfa } from "../../src/ltl/mona.js";
import { formulaToString } from "../../src/ltl/print.js";
import type { SpecMode } from "../../src/ltl/spec.js";
import { expectedMonaStateCount, findDisagreement, redundantStates, traceToString } from "./equivalence.js";
import { holds } from "./evaluate.js";

/** One differential case: compile with ours, write for MONA, compare. Shared by the test and the benchmark. */
export interface MonaCase {
  readonly formula: Formula;
  readonly atoms: readonly string[];
  readonly mode: SpecMode;
}

export interface PreparedCase {
  readonly ours: Dfa;
  readonly oursMilliseconds: number;
  readonly program: string;
}

export function prepareCase(c: MonaCase): PreparedCase {
  const start = performance.now();
  const ours = compileFormula(c.formula, { atoms: c.atoms, mode: c.mode });
  const oursMilliseconds = performance.now() - start;
  const emptyTrace = ours.accepting[ours.initial] ? "accept" : "reject";
  return { ours, oursMilliseconds, program: toMonaProgram(c.formula, c.atoms, { mode: c.mode, emptyTrace }) };
}

export interface Disagreement {
  readonly kind: "language" | "state count";
  readonly formula: string;
  readonly atoms: readonly string[];
  readonly mode: SpecMode;
  readonly message: string;
  /** For a language disagreement: the shortest trace, and who is right by the definitions. */
  readonly trace?: string;
  readonly oursAccepts?: boolean;
  readonly monaStatus?: number;
  readonly referenceAccepts?: boolean;
  /** For a state-count disagreement. */
  readonly ourStates?: number;
  readonly monaStates?: number;
  readonly expectedMonaStates?: number;
  /** Our states (reached by a letter) that are equivalent to another one: non-zero means ours is not minimal. */
  readonly redundantStates?: number;
}

export function compareWithMona(c: MonaCase, ours: Dfa, mona: MonaDfa): Disagreement | undefined {
  const formula = formulaToString(c.formula);
  const where = `${formula}   [${c.mode}: ${c.atoms.join(", ")}]`;
  const counterexample = findDisagreement(ours, mona);
  if (counterexample !== undefined) {
    const trace = traceToString(ours, counterexample.trace);
    const steps = counterexample.trace.map((l) => new Set(c.mode === "events" ? [c.atoms[l]!] : c.atoms.filter((_, i) => (l & (1 << i)) !== 0)));
    const referenceAccepts = holds(c.formula, steps);
    const monaSays = counterexample.monaStatus === 1 ? "accepts" : counterexample.monaStatus === -1 ? "rejects" : "doesn't care";
    const wrong = referenceAccepts === counterexample.oursAccepts ? "MONA (or its translation)" : "our compiler";
    return {
      kind: "language",
      formula,
      atoms: c.atoms,
      mode: c.mode,
      trace,
      oursAccepts: counterexample.oursAccepts,
      monaStatus: counterexample.monaStatus,
      referenceAccepts,
      message:
        `${where}\n  on the trace ${trace}\n  ours ${counterexample.oursAccepts ? "accepts" : "rejects"}, MONA ${monaSays}; ` +
        `by the definitions it should ${referenceAccepts ? "accept" : "reject"}, so ${wrong} is wrong`,
    };
  }
  const expected = expectedMonaStateCount(ours, mona.final[monaStartState(mona)]!);
  if (mona.stateCount !== expected) {
    const redundant = redundantStates(ours);
    const blame =
      redundant > 0
        ? `ours is not minimal: ${redundant} of its states reached by a letter are equivalent to others`
        : "ours is minimal, so MONA's count (or the expected relation) is off";
    return {
      kind: "state count",
      formula,
      atoms: c.atoms,
      mode: c.mode,
      ourStates: ours.stateCount,
      monaStates: mona.stateCount,
      expectedMonaStates: expected,
      redundantStates: redundant,
      message: `${where}\n  same language, but MONA has ${mona.stateCount} states where our ${ours.stateCount}-state automaton implies ${expected}: ${blame}`,
    };
  }
  return undefined;
}
