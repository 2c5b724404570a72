import type { DfaAnalysis } from "./analysis.js";
import { stepNames, type Dfa } from "./dfa.js";

export interface TraceVerdict {
  readonly accepted: boolean;
  /** Why a trace was rejected: it entered a dead state, or it ended too early. */
  readonly reason?: "dead" | "unfinished";
  /** For `dead`: the 0-based step whose letter made acceptance impossible. */
  readonly failedAt?: number;
  /** The states visited, starting with the initial one (up to the failing step). */
  readonly states: readonly number[];
}

/** Runs a trace and says where it failed: the first step after which no continuation is accepted. */
export function checkTrace(dfa: Dfa, analysis: DfaAnalysis, trace: readonly ReadonlySet<string>[]): TraceVerdict {
  const states = [dfa.initial];
  for (let i = 0; i < trace.length; i++) {
    const next = stepNames(dfa, states[i]!, trace[i]!);
    states.push(next);
    if (!analysis.live[next]) return { accepted: false, reason: "dead", failedAt: i, states };
  }
  const accepted = trace.length > 0 && dfa.accepting[states[states.length - 1]!]!;
  return accepted ? { accepted, states } : { accepted, reason: "unfinished", states };
}
