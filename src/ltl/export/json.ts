import { analyze } from "../analysis.js";
import { guardToFormula, type Dfa } from "../dfa.js";
import { formulaToString } from "../print.js";

/**
 * The documented JSON form of a compiled automaton (see docs/automaton-json.md):
 * states are numbered 0..states-1, transitions are complete and deterministic, and each guard is
 * a propositional formula in our syntax over `atoms` (in events mode, a disjunction of events).
 */
export interface DfaJson {
  readonly format: "ltlguard-dfa";
  readonly version: 1;
  readonly mode: "propositional" | "events";
  readonly atoms: readonly string[];
  readonly states: number;
  readonly initial: number;
  /** Accepting states. The empty trace is never accepted, so the initial state's entry only counts after a step. */
  readonly accepting: readonly number[];
  /** States from which no continuation is accepted (at most one in a minimal automaton). */
  readonly dead: readonly number[];
  readonly transitions: readonly { readonly from: number; readonly to: number; readonly guard: string }[];
  /** Optional provenance: the spec file or formula. */
  readonly source?: string;
}

export function dfaToJson(dfa: Dfa, source?: string): DfaJson {
  const { live } = analyze(dfa);
  const transitions: { from: number; to: number; guard: string }[] = [];
  dfa.transitions.forEach((ts, from) => {
    for (const t of ts) transitions.push({ from, to: t.to, guard: formulaToString(guardToFormula(dfa, t.guard)) });
  });
  return {
    format: "ltlguard-dfa",
    version: 1,
    mode: dfa.mode,
    atoms: [...dfa.atoms],
    states: dfa.stateCount,
    initial: dfa.initial,
    accepting: indicesWhere(dfa.accepting),
    dead: indicesWhere(live.map((l) => !l)),
    transitions,
    ...(source === undefined ? {} : { source }),
  };
}

function indicesWhere(flags: readonly boolean[]): number[] {
  return flags.flatMap((flag, i) => (flag ? [i] : []));
}
