/**
 * `SimulatedToolPolicy`: a stand-in for a language model proposing tool calls, with a known error
 * rate — simulated, not a model.
 *
 * Error model. The policy "knows" a plan (the task's reference plan: it is a simulation, so it
 * may consult it). For a state it draws `samples` independent samples; each sample is
 *
 * - with probability `accuracy`: the plan's next step — the first step of the plan not yet
 *   matched, where the history's successful calls are matched against the plan in order (so a
 *   detour does not derail it); if that step is not among the legal actions of the state (the
 *   detour broke a precondition, or the plan is used up), the sample falls through to:
 * - otherwise: a legal tool call drawn uniformly — `finish` only when it is the plan's next step
 *   or the only legal action (a model that has not done the task rarely declares it done; its
 *   mistakes are wrong calls and wrong arguments).
 *
 * The distinct samples are returned with their frequencies (share of the samples), most frequent
 * first, ties in the order of first appearance, at most k of them. The expected share of the
 * plan's step is therefore accuracy + (1 − accuracy)/|legal actions|.
 *
 * Cost: one model call per proposal (the samples are drawn from one prompt, as with an API's `n`
 * or llama.cpp's branching from a shared prefix, and as the other simulated policies count), and
 * about `tokensPerSample` tokens per sample (default 20: one short JSON call). All randomness comes from the `random` source, so a
 * seeded source gives the same proposals.
 */
import type { Budget, Policy, Proposal } from "../search/types.js";
import { callKey, type ToolCall } from "./tool-planning-apis.js";
import type { ToolPlanningEnvironment, ToolState } from "./tool-planning.js";

export interface SimulatedToolPolicyOptions {
  /** Probability that a sample follows the known plan (0–1). */
  readonly accuracy: number;
  /** Samples drawn per proposal (default 8). */
  readonly samples?: number;
  /** Tokens charged per sample (default 20). */
  readonly tokensPerSample?: number;
  /** The randomness source, in [0, 1). */
  readonly random: () => number;
}

/** The plan step a state is at: the first step of `plan` not matched by the history's successful calls, in order. */
export function nextPlanStep(plan: readonly ToolCall[], state: ToolState): ToolCall | undefined {
  let j = 0;
  for (const entry of state.history) {
    const step = plan[j];
    if (step !== undefined && entry.ok && callKey(entry.call) === callKey(step)) j++;
  }
  return plan[j];
}

export class SimulatedToolPolicy implements Policy<ToolState, ToolCall> {
  readonly name: string;
  private readonly samples: number;
  private readonly tokensPerSample: number;

  constructor(
    private readonly environment: ToolPlanningEnvironment,
    private readonly plan: readonly ToolCall[],
    private readonly options: SimulatedToolPolicyOptions,
  ) {
    if (!(options.accuracy >= 0 && options.accuracy <= 1)) throw new RangeError(`accuracy must be in [0, 1], got ${options.accuracy}`);
    this.samples = options.samples ?? 8;
    this.tokensPerSample = options.tokensPerSample ?? 20;
    if (!(Number.isInteger(this.samples) && this.samples >= 1)) throw new RangeError(`samples must be a positive integer, got ${this.samples}`);
    this.name = `simulated-tool(p=${options.accuracy}, s=${this.samples})`;
  }

  async propose(state: ToolState, k: number, budget: Budget): Promise<readonly Proposal<ToolCall>[]> {
    const legal = this.environment.legalActions(state);
    if (legal.length === 0 || k <= 0) return [];
    const next = nextPlanStep(this.plan, state);
    const nextKey = next === undefined ? undefined : callKey(next);
    const planned = nextKey === undefined ? undefined : legal.find((a) => callKey(a) === nextKey);
    const counts = new Map<string, { action: ToolCall; count: number }>();
    const nextIsFinish = planned !== undefined && planned.api === "finish";
    const wrong = nextIsFinish ? legal : legal.filter((a) => a.api !== "finish");
    const pool = wrong.length > 0 ? wrong : legal;
    budget.spend("modelCalls");
    for (let i = 0; i < this.samples; i++) {
      budget.spend("tokens", this.tokensPerSample);
      const follow = this.options.random() < this.options.accuracy;
      const action = follow && planned !== undefined ? planned : pool[Math.min(pool.length - 1, Math.floor(this.options.random() * pool.length))]!;
      const key = callKey(action);
      const seen = counts.get(key);
      if (seen === undefined) counts.set(key, { action, count: 1 });
      else seen.count++;
    }
    return [...counts.values()]
      .sort((a, b) => b.count - a.count) // stable: ties keep the order of first appearance
      .slice(0, k)
      .map(({ action, count }) => ({ action, frequency: count / this.samples }));
  }
}
