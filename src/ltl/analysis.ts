import { conjunction } from "./ast.js";
import { compileFormulaSteps, type CompileOptions } from "./compile.js";
import type { Dfa } from "./dfa.js";
import { SpecError } from "./errors.js";
import type { Spec, SpecFormula } from "./spec.js";
import { tieArguments } from "./tool-tie.js";
import { Deadline, runSteps, runStepsAsync, stopCheck, type Steps } from "./limits.js";

/** What the decoder and the user need to know about an automaton's states. */
export interface DfaAnalysis {
  /** `live[s]`: some continuation (possibly empty, after at least one step) from `s` is accepted. */
  readonly live: readonly boolean[];
  /** Some non-empty trace is accepted. */
  readonly satisfiable: boolean;
  /** Every non-empty trace is accepted. */
  readonly valid: boolean;
}

export function analyze(dfa: Dfa): DfaAnalysis {
  // The automaton is minimal, so the states that cannot reach acceptance are one rejecting sink:
  // no search over transitions is needed (that would cost one step per transition, and automata
  // with 2^n states of 2^n successors each exist). For the same reason the initial state is live
  // exactly when some non-empty trace is accepted (it only accepts when merged with a state that
  // some non-empty trace reaches), and a valid spec is the single accepting state.
  const live = dfa.accepting.map((accepting, s) => accepting || !dfa.isSink(s));
  return { live, satisfiable: live[dfa.initial]!, valid: dfa.stateCount === 1 && dfa.accepting[0]! };
}

/** The states reachable by one or more letters, in increasing order. */
export function reachableAfterOneStep(dfa: Dfa): number[] {
  const seen = new Set<number>();
  const queue = [...dfa.successors(dfa.initial)];
  for (const s of queue) seen.add(s);
  for (let i = 0; i < queue.length; i++) {
    for (const t of dfa.successors(queue[i]!)) {
      if (!seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** The events (events mode) after which the trace can still be accepted. */
export function allowedEvents(dfa: Dfa, analysis: DfaAnalysis, state: number): string[] {
  if (dfa.mode !== "events") throw new Error("allowedEvents: the automaton is not in events mode");
  return dfa.atoms.filter((_, e) => analysis.live[dfa.next(state, (i) => i === e)]);
}

/** Whether a trace that has reached `state` after `steps` steps may end there. */
export function mayEnd(dfa: Dfa, state: number, steps: number): boolean {
  return steps > 0 && dfa.accepting[state]!;
}

export interface CompiledSpec {
  readonly spec: Spec;
  readonly dfa: Dfa;
  readonly analysis: DfaAnalysis;
}

/**
 * Compiles a whole spec (the conjunction of its formulas). An unsatisfiable spec is an error that
 * names a minimal set of its formulas that conflict, so the user knows what to change. The time
 * limit and the signal of `options` cover all of it.
 */
export function compileSpec(spec: Spec, options: CompileOptions = {}): CompiledSpec {
  const deadline = new Deadline(options.timeLimitMs, options.label ?? spec.file);
  return runSteps(compileSpecSteps(spec, options, deadline), stopCheck(deadline, options.signal));
}

/** `compileSpec` that gives the event loop a turn every few milliseconds, so that `options.signal` can stop it. */
export async function compileSpecAsync(spec: Spec, options: CompileOptions = {}): Promise<CompiledSpec> {
  const deadline = new Deadline(options.timeLimitMs, options.label ?? spec.file);
  return runStepsAsync(compileSpecSteps(spec, options, deadline), stopCheck(deadline, options.signal));
}

/** `compileSpec` as resumable steps (see `Steps` in limits.ts). */
export function* compileSpecSteps(spec: Spec, options: CompileOptions, deadline: Deadline): Steps<CompiledSpec> {
  // Tool segments alone leave the event automaton as it is (only the text needs the tools), but
  // call(…) atoms mean nothing until the tools are known.
  if (spec.toolCalls.length > 0 && spec.binding === undefined) {
    throw new SpecError(
      "segment",
      "this spec talks about tool calls (call(…)): give it a tool registry to compile it (--tools <module>)",
      spec.toolCalls[0]!.location,
    );
  }
  const compileSome = (formulas: readonly SpecFormula[]): Steps<Dfa> =>
    compileFormulaSteps(conjunction(formulas.map((f) => f.formula)), { atoms: spec.atoms, mode: spec.mode }, { label: spec.file, ...options }, deadline);
  const formulasOnly = yield* compileSome(spec.formulas);
  // With tools bound, each arguments step is tied to the tool named just before (tool-tie.ts).
  const dfa = tieArguments(formulasOnly, spec);
  const analysis = analyze(dfa);
  if (!analysis.satisfiable && analyze(formulasOnly).satisfiable) {
    throw new SpecError(
      "unsatisfiable",
      "with these tools the spec is unsatisfiable: no sequence of tool calls whose arguments follow the tool just named satisfies it",
      spec.toolCalls[0]?.location ?? spec.formulas[0]?.location ?? { file: spec.file, line: 1, column: 1, lineText: "" },
    );
  }
  if (!analysis.satisfiable) {
    const core = yield* unsatisfiableCore(spec.formulas, function* (subset) {
      return analyze(yield* compileSome(subset)).satisfiable;
    });
    const first = core[0] ?? spec.formulas[0];
    const location = first?.location ?? { file: spec.file, line: 1, column: 1, lineText: "" };
    const what = spec.mode === "events" ? "sequence of events" : "trace";
    const message =
      core.length <= 1
        ? `this formula is unsatisfiable: no non-empty ${what} satisfies it`
        : `the spec is unsatisfiable: no non-empty ${what} satisfies these ${core.length} formulas together`;
    const notes = core.map((f) => `  ${f.location.file}:${f.location.line}:${f.location.column}: ${f.text.split("\n")[0]}`);
    throw new SpecError("unsatisfiable", message, location, core.length > 1 ? ["conflicting formulas:", ...notes] : []);
  }
  return { spec, dfa, analysis };
}

/**
 * A minimal unsatisfiable subset of `formulas` (which together are unsatisfiable), by Junker's
 * QuickXplain: it splits the candidates in halves, so it needs about 2k·log(n/k) compilations
 * for a core of k formulas among n, not one per formula. Recursion depth is log n.
 */
function* unsatisfiableCore(
  formulas: readonly SpecFormula[],
  satisfiable: (subset: readonly SpecFormula[]) => Steps<boolean>,
): Steps<SpecFormula[]> {
  function* explain(background: readonly SpecFormula[], added: boolean, candidates: readonly SpecFormula[]): Steps<SpecFormula[]> {
    if (added && !(yield* satisfiable(background))) return [];
    if (candidates.length === 1) return [...candidates];
    const half = Math.ceil(candidates.length / 2);
    const first = candidates.slice(0, half);
    const second = candidates.slice(half);
    const fromSecond = yield* explain([...background, ...first], first.length > 0, second);
    const fromFirst = yield* explain([...background, ...fromSecond], fromSecond.length > 0, first);
    return [...fromFirst, ...fromSecond];
  }
  if (formulas.length === 0) return [];
  const core = yield* explain([], false, formulas);
  const order = new Map(formulas.map((f, i) => [f, i] as const));
  return core.sort((a, b) => order.get(a)! - order.get(b)!);
}
