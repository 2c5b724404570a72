/**
 * Simulated roles for tool planning — stand-ins for a language model with known error rates,
 * simulated, not a model. They consult the task's reference plan (ground truth) only through the
 * error models stated here, which are their adjustable, named parts.
 *
 * `SimulatedToolPolicy`. The policy "knows" a plan (the task's reference plan). For a state it
 * draws `samples` independent samples (the strategy's count, else its default); each sample is
 *
 * - with probability `accuracy`: the plan's next step — the first step of the plan not yet
 *   matched, where the history's successful calls are matched against the plan in order (so a
 *   detour does not derail it); if that step is not among the legal actions of the state (the
 *   detour broke a precondition, or the plan is used up), the sample falls through to:
 * - otherwise: with probability `pFinish`, `finish` (a real model sometimes declares a task done
 *   too early: the episode then ends unsolved); else a legal tool call other than `finish` drawn
 *   uniformly (or `finish` when it is the only legal action).
 *
 * The distinct samples are returned with their frequencies (share of the samples), most frequent
 * first, ties in the order of first appearance, at most k of them.
 *
 * `imagine` (ToolChain*'s imagination, one sampled completion): the rest of the plan as the policy
 * believes it — the plan's steps not yet matched, each written with probability `accuracy`
 * (otherwise dropped, or, with probability `accuracy`'s complement again, doubled by a detour).
 *
 * Cost: one model call per sample (`tokensPerSample` tokens each); an imagined plan is one call,
 * `tokensPerSample` tokens per imagined step. All randomness comes from `random`.
 *
 * `SimulatedToolValue` (Koh et al.'s value, one sample per call): the true verdict of a trajectory
 * is success (finished with the goal met) = 1, on track (not finished, and its successful calls
 * are exactly a prefix of the plan) = 0.5, neither = 0; with probability q the value answers the
 * true verdict, otherwise one of the two others, uniformly.
 */
import type { Budget, Policy, Proposal, ProposeContext, Trajectory, Value } from "../search/types.js";
import { callKey, type ToolCall } from "./tool-planning-apis.js";
import type { ToolPlanningEnvironment, ToolState, ToolTask } from "./tool-planning.js";

export interface SimulatedToolPolicyOptions {
  /** Probability that a sample follows the known plan (0–1). */
  readonly accuracy: number;
  /** Samples drawn per proposal when the strategy does not say (default 8). */
  readonly samples?: number;
  /** Probability that a sample not following the plan is a premature `finish` (default 0.05). */
  readonly pFinish?: number;
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
  private readonly pFinish: number;

  constructor(
    private readonly environment: ToolPlanningEnvironment,
    private readonly plan: readonly ToolCall[],
    private readonly options: SimulatedToolPolicyOptions,
  ) {
    if (!(options.accuracy >= 0 && options.accuracy <= 1)) throw new RangeError(`accuracy must be in [0, 1], got ${options.accuracy}`);
    this.samples = options.samples ?? 8;
    this.tokensPerSample = options.tokensPerSample ?? 20;
    this.pFinish = options.pFinish ?? 0.05;
    if (!(this.pFinish >= 0 && this.pFinish <= 1)) throw new RangeError(`pFinish must be in [0, 1], got ${this.pFinish}`);
    if (!(Number.isInteger(this.samples) && this.samples >= 1)) throw new RangeError(`samples must be a positive integer, got ${this.samples}`);
    this.name = `simulated-tool(p=${options.accuracy}, finish=${this.pFinish}, s=${this.samples})`;
  }

  async propose(state: ToolState, k: number, budget: Budget, context: ProposeContext = {}): Promise<readonly Proposal<ToolCall>[]> {
    const legal = this.environment.legalActions(state);
    if (legal.length === 0 || k <= 0) return [];
    const samples = Math.max(1, context.samples ?? this.samples);
    const next = nextPlanStep(this.plan, state);
    const nextKey = next === undefined ? undefined : callKey(next);
    const planned = nextKey === undefined ? undefined : legal.find((a) => callKey(a) === nextKey);
    const counts = new Map<string, { action: ToolCall; count: number }>();
    const finish = legal.find((a) => a.api === "finish");
    const calls = legal.filter((a) => a.api !== "finish");
    const random = this.options.random;
    let drawn = 0;
    for (let i = 0; i < samples && !budget.exhausted("model"); i++) {
      budget.charge("policy", { calls: 1, generatedTokens: this.tokensPerSample });
      drawn++;
      let action: ToolCall;
      if (random() < this.options.accuracy && planned !== undefined) action = planned;
      else if (finish !== undefined && (calls.length === 0 || random() < this.pFinish)) action = finish;
      else action = calls[Math.min(calls.length - 1, Math.floor(random() * calls.length))]!;
      const key = callKey(action);
      const seen = counts.get(key);
      if (seen === undefined) counts.set(key, { action, count: 1 });
      else seen.count++;
    }
    return [...counts.values()]
      .sort((a, b) => b.count - a.count) // stable: ties keep the order of first appearance
      .slice(0, k)
      .map(({ action, count }) => ({ action, frequency: count / Math.max(1, drawn) }));
  }

  async imagine(state: ToolState, budget: Budget): Promise<readonly string[]> {
    const random = this.options.random;
    const done = matchedSteps(this.plan, state);
    const imagined: ToolCall[] = [];
    for (const step of this.plan.slice(done)) {
      if (random() < this.options.accuracy) imagined.push(step);
      else if (random() >= this.options.accuracy) imagined.push(step, step);
    }
    budget.charge("policy", { calls: 1, generatedTokens: this.tokensPerSample * Math.max(1, imagined.length) });
    return imagined.map((call) => callKey(call));
  }
}

/** How many steps of `plan` the history's successful calls match, in order. */
export function matchedSteps(plan: readonly ToolCall[], state: ToolState): number {
  let j = 0;
  for (const entry of state.history) {
    const step = plan[j];
    if (step !== undefined && entry.ok && callKey(entry.call) === callKey(step)) j++;
  }
  return j;
}

/** The true verdict of a tool-planning trajectory on Koh et al.'s scale (see the module comment). */
export function toolVerdict(task: ToolTask, state: ToolState): number {
  if (state.done) return task.goal(state.session) ? 1 : 0;
  const ok = state.history.filter((entry) => entry.ok);
  const plan = task.referencePlan;
  return ok.length <= plan.length && ok.every((entry, i) => callKey(entry.call) === callKey(plan[i]!)) ? 0.5 : 0;
}

export interface SimulatedToolValueOptions {
  /** Probability of the true verdict. Default 0.8. */
  readonly q?: number;
  /** Tokens charged per call. Default 20. */
  readonly tokens?: number;
  readonly random: () => number;
}

export class SimulatedToolValue implements Value<ToolState, ToolCall> {
  readonly name: string;
  private readonly q: number;
  private readonly tokens: number;

  constructor(
    private readonly task: ToolTask,
    private readonly options: SimulatedToolValueOptions,
  ) {
    this.q = options.q ?? 0.8;
    this.tokens = options.tokens ?? 20;
    this.name = `simulated-tool-value(q=${this.q})`;
  }

  async score(trajectory: Trajectory<ToolState, ToolCall>, budget: Budget): Promise<number> {
    budget.charge("value", { calls: 1, generatedTokens: this.tokens });
    const truth = toolVerdict(this.task, trajectory.states[trajectory.states.length - 1]!);
    const random = this.options.random;
    if (random() < this.q) return truth;
    const others = [0, 0.5, 1].filter((v) => v !== truth);
    return others[Math.min(others.length - 1, Math.floor(random() * others.length))]!;
  }
}
