/**
 * Simulated search roles on the web — the object of study of the web search benchmark, so their
 * error models are known exactly. Ground truth reaches a search only through them, as stated here.
 *
 * The oracle (`WebReference`): a task's reference plan run once on the search's driver gives the
 * reference pages R0 … Rn. A page is identified by its URL, its accessibility tree as the model
 * reads it (field values included) and the site's state for the session (cart, orders, bookings,
 * posts); a state's **stage** is the last j with the same page as Rj, or −1 (off the reference
 * path; a stopped episode is at no stage). A step that leaves the page as it was (choosing the option
 * already chosen) puts Rj and Rj+1 on one page, and the stage is the later. A detour that comes back (go_back to the same page) is on track again; another route to a
 * page of the plan counts as on it; a different route to the goal the plan does not take is off.
 *
 * - `SimulatedWebPolicy` (k proposals from `samples` samples): at a state at stage j the *right*
 *   action is the plan's step j resolved on the page (off the path: `go_back`); the state's
 *   *decoy* is one plausible wrong action, chosen per page and episode by a seeded hash, so
 *   repeated samples at a page agree on it as a confused model would — another element of the same
 *   role for a click, another option of the same select, a shorter query for a search, a wrong
 *   answer (another text of the page) for `stop`. Each sample is the right action with probability
 *   `pRight` (default 0.5), the decoy with probability `pDecoy` (default 0.3), otherwise a uniform
 *   legal action (a click, a select option, scrolling, going back). A sample the web policy forbids
 *   in this state is dropped (the constrained decoder could not write it). Actions are ranked by
 *   count (ties: first drawn first). Cost: one call and `tokensPerSample` (30) tokens per sample.
 * - `SimulatedWebValue` (Koh et al.'s value, one sample per call): the true verdict of the last
 *   state is 1 when the task's evaluator accepts it (an order placed, an answer given), 0.5 on the
 *   reference path (stage ≥ 0), else 0; with probability q (default 0.8) it answers the truth,
 *   otherwise one of the two other verdicts uniformly. Cost: one call, 20 tokens.
 * - `SimulatedWebWorldModel` (SimuRA's world model): the next page as text. With probability
 *   1 − r (r default 0.2) the true next page, found by stepping a private copy of the site (the
 *   oracle's own episode on the search's driver, reset and replayed; its steps are the model's imagination, not
 *   environment steps of the search); otherwise the page some other legal action leads to (the
 *   model mistakes what the action does). Cost: one call, 60 tokens.
 * - `SimulatedWebCritic` (SimuRA's critic, one sample per call): judges whether the simulated
 *   action makes progress, on the value's scale: the truth is 1 when the evaluator accepts the
 *   *predicted* state, 0.5 when it is further along the reference path than the current state
 *   (a higher stage), else 0 (off the path, or no progress: scrolling, a detour that comes back);
 *   with probability q (default 0.8) the truth, otherwise one of the two others. `progress: false`
 *   is the value's error model on the predicted state instead (any on-track page is 0.5).
 *   Cost: one call, 20 tokens.
 */
import type { Budget, Critic, Policy, Prediction, Proposal, ProposeContext, Trajectory, Value, WorldModel } from "../../search/types.js";
import { formatAction, parseAction, type WebAction } from "./actions.js";
import { WebEnvironment, type WebEnvironmentOptions, type WebState } from "./environment.js";
import type { WebRun } from "./episode.js";
import { PolicyMonitor } from "./policy/monitor.js";
import type { WebPolicy } from "./policy/spec.js";
import { resolveStep } from "./tasks/plan.js";
import type { WebTask } from "./tasks/types.js";

/** The identity of a page for the oracle: URL, the tree as read (field values included), the site's state. */
export function pageKey(state: WebState): string {
  return `${state.observation.url}\n${state.observation.treeText}\n${JSON.stringify(state.siteState)}`;
}

/** A task's reference path: its plan run once (on the driver the search uses). */
export class WebReference {
  private constructor(
    readonly task: WebTask,
    /** R0 … Rn (fewer when a plan step did not fit its page). */
    readonly states: readonly WebState[],
    private readonly keys: readonly string[],
    private readonly judgeState: (state: WebState) => boolean,
  ) {}

  static async create(run: WebRun, task: WebTask, options: WebEnvironmentOptions = {}): Promise<WebReference> {
    const env = await WebEnvironment.create(run, task, options);
    try {
      const origin = run.sites.server(task.site).origin;
      let state = env.initial();
      const states = [state];
      for (const step of task.plan) {
        const action = resolveStep(step, state.observation, origin);
        if (action === undefined || state.done) break;
        state = (await env.step(state, formatAction(action))).state;
        states.push(state);
      }
      // A stopped state is no stage (its page is the page it stopped on, the stage before).
      return new WebReference(task, states, states.map((s) => (s.done ? "" : pageKey(s))), (s) => env.judge(s).success);
    } finally {
      await env.close();
    }
  }

  /** The last j with the state's page equal to Rj, or −1 off the reference path. */
  stage(state: WebState): number {
    return state.done ? -1 : this.keys.lastIndexOf(pageKey(state));
  }

  /** The truth on Koh et al.'s scale: 1 the evaluator accepts the state, 0.5 on the reference path, 0 neither. */
  verdict(state: WebState): 0 | 0.5 | 1 {
    if (this.judgeState(state)) return 1;
    return !state.done && this.stage(state) >= 0 ? 0.5 : 0;
  }

  /** The plan's next step resolved on the state's page (undefined off the path or at its end). */
  rightAction(state: WebState, origin: string): WebAction | undefined {
    const j = this.stage(state);
    const step = j >= 0 ? this.task.plan[j] : undefined;
    return step === undefined ? undefined : resolveStep(step, state.observation, origin);
  }
}

/** A private episode of the site for the oracle's world model (its own session; reset and replay). */
export class WebOracle {
  private constructor(
    readonly reference: WebReference,
    private readonly env: WebEnvironment,
  ) {}

  static async create(run: WebRun, reference: WebReference, options: WebEnvironmentOptions = {}): Promise<WebOracle> {
    return new WebOracle(reference, await WebEnvironment.create(run, reference.task, options));
  }

  /** The true state after `action` from `state` (the state as this episode reaches it). */
  async outcome(state: WebState, action: string): Promise<WebState> {
    return (await this.env.step(state, action)).state;
  }

  async close(): Promise<void> {
    await this.env.close();
  }
}

const pick = <T>(items: readonly T[], u: number): T => items[Math.min(items.length - 1, Math.floor(u * items.length))]!;

/** A number in [0, 1) from a salt and a text (FNV-1a, then a finalizer). */
function hashUnit(salt: number, text: string): number {
  let h = (2166136261 ^ Math.floor(salt * 4294967296)) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) / 4294967296;
}

export interface SimulatedWebPolicyOptions {
  /** Probability that a sample is the right action. Default 0.5. */
  readonly pRight?: number;
  /** Probability that a sample is the page's decoy. Default 0.3. */
  readonly pDecoy?: number;
  /** Samples per proposal when the strategy does not say. Default 5. */
  readonly samples?: number;
  /** Tokens charged per sample. Default 30. */
  readonly tokensPerSample?: number;
}

export class SimulatedWebPolicy implements Policy<WebState, string> {
  readonly name: string;
  readonly pRight: number;
  readonly pDecoy: number;
  private readonly samples: number;
  private readonly tokens: number;
  /** Seeds the decoys of this episode (drawn once from the role's random source). */
  private readonly salt: number;

  constructor(
    private readonly reference: WebReference,
    private readonly env: WebEnvironment,
    private readonly policy: WebPolicy,
    private readonly random: () => number,
    options: SimulatedWebPolicyOptions = {},
  ) {
    this.pRight = options.pRight ?? 0.5;
    this.pDecoy = Math.min(options.pDecoy ?? 0.3, 1 - this.pRight);
    this.samples = Math.max(1, options.samples ?? 5);
    this.tokens = options.tokensPerSample ?? 30;
    this.salt = random();
    this.name = `simulated-web-policy(pRight=${this.pRight},pDecoy=${+this.pDecoy.toFixed(3)},s=${this.samples})`;
  }

  async propose(state: WebState, k: number, budget: Budget, context: ProposeContext<WebState, string> = {}): Promise<readonly Proposal<string>[]> {
    if (state.done || k <= 0) return [];
    const origin = new URL(state.observation.url).origin;
    const rightAction = this.reference.rightAction(state, origin) ?? { kind: "go_back" as const };
    const right = formatAction(rightAction);
    const decoy = this.decoy(state, rightAction);
    const legal = this.env.legalActions(state);
    const monitor = new PolicyMonitor(this.policy, state.policyState);
    const page = { url: state.observation.url, title: state.observation.title };
    const allowed = (text: string): boolean => {
      const action = parseAction(text);
      const element = "id" in action ? state.observation.tree.elements.get(action.id) : undefined;
      return monitor.allows(monitor.eventOf(action, page, element));
    };
    const counts = new Map<string, { count: number; first: number }>();
    const samples = Math.max(1, context.samples ?? this.samples);
    let drawn = 0;
    for (let i = 0; i < samples && !budget.exhausted("model"); i++) {
      budget.charge("policy", { calls: 1, generatedTokens: this.tokens });
      drawn++;
      const u = this.random();
      const action = u < this.pRight ? right : u < this.pRight + this.pDecoy ? decoy : pick(legal, this.random());
      if (!allowed(action)) continue;
      const entry = counts.get(action);
      if (entry === undefined) counts.set(action, { count: 1, first: i });
      else entry.count++;
    }
    return [...counts]
      .sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first)
      .slice(0, k)
      .map(([action, { count }]) => ({ action, frequency: count / Math.max(1, drawn) }));
  }

  /** The page's plausible wrong action (the same for every sample at this page in this episode). */
  private decoy(state: WebState, right: WebAction): string {
    const u = hashUnit(this.salt, `${state.observation.url}\n${state.observation.treeText}`);
    const elements = [...state.observation.visibleIds].sort((a, b) => a - b).map((id) => state.observation.tree.elements.get(id)).filter((e) => e !== undefined);
    const rightElement = "id" in right ? state.observation.tree.elements.get(right.id) : undefined;
    const clicks = (role: string | undefined): string[] => {
      const same = elements.filter((e) => e.id !== rightElement?.id && (role === undefined || e.role === role) && e.options === undefined && !e.editable);
      const any = elements.filter((e) => e.id !== rightElement?.id && e.options === undefined && !e.editable);
      return (same.length > 0 ? same : any).map((e) => `click [${e.id}]`);
    };
    switch (right.kind) {
      case "select": {
        const others = (rightElement?.options ?? []).filter((o) => o !== right.option);
        if (others.length > 0) return formatAction({ ...right, option: pick(others, u) });
        break;
      }
      case "type": {
        const words = right.text.split(/\s+/).filter((w) => w !== "");
        if (words.length > 1) return formatAction({ ...right, text: words.slice(0, -1).join(" ") });
        break;
      }
      case "stop": {
        const texts = [...new Set(elements.map((e) => e.name.trim()).filter((n) => n !== "" && n.length <= 60 && !n.includes("]") && n !== right.answer))];
        if (texts.length > 0) return formatAction({ kind: "stop", answer: pick(texts, u) });
        return formatAction({ kind: "stop", answer: right.answer === "N/A" ? "0" : "N/A" });
      }
      default:
        break;
    }
    const options = clicks(rightElement?.role);
    return options.length > 0 ? pick(options, u) : "scroll [down]";
  }
}

/** With probability q the truth, else one of the two other verdicts (uniformly). */
function noisyVerdict(random: () => number, q: number, truth: number): number {
  if (random() < q) return truth;
  const others = [0, 0.5, 1].filter((v) => v !== truth);
  return pick(others, random());
}

export class SimulatedWebValue implements Value<WebState, string> {
  readonly name: string;
  constructor(
    private readonly reference: WebReference,
    private readonly random: () => number,
    readonly q = 0.8,
  ) {
    this.name = `simulated-web-value(q=${q})`;
  }

  async score(trajectory: Trajectory<WebState, string>, budget: Budget): Promise<number> {
    budget.charge("value", { calls: 1, generatedTokens: 20 });
    return noisyVerdict(this.random, this.q, this.reference.verdict(trajectory.states[trajectory.states.length - 1]!));
  }
}

export class SimulatedWebCritic implements Critic<WebState, string> {
  readonly name: string;
  constructor(
    private readonly reference: WebReference,
    private readonly random: () => number,
    readonly q = 0.8,
    readonly progress = true,
  ) {
    this.name = `simulated-web-critic(q=${q}${progress ? "" : ",progress=false"})`;
  }

  async score(trajectory: Trajectory<WebState, string>, _action: string, prediction: Prediction<WebState>, budget: Budget): Promise<number> {
    budget.charge("critic", { calls: 1, generatedTokens: 20 });
    return noisyVerdict(this.random, this.q, prediction.state === undefined ? 0 : this.truth(trajectory.states[trajectory.states.length - 1]!, prediction.state));
  }

  private truth(from: WebState, predicted: WebState): number {
    const verdict = this.reference.verdict(predicted);
    if (!this.progress || verdict !== 0.5) return verdict;
    return this.reference.stage(predicted) > this.reference.stage(from) ? 0.5 : 0;
  }
}

export class SimulatedWebWorldModel implements WorldModel<WebState, string> {
  readonly name: string;
  constructor(
    private readonly oracle: WebOracle,
    private readonly env: WebEnvironment,
    private readonly random: () => number,
    readonly r = 0.2,
  ) {
    this.name = `simulated-web-world-model(r=${r})`;
  }

  async predict(trajectory: Trajectory<WebState, string>, action: string, budget: Budget): Promise<Prediction<WebState>> {
    budget.charge("world-model", { calls: 1, generatedTokens: 60 });
    const from = trajectory.states[trajectory.states.length - 1]!;
    let taken = action;
    if (this.random() < this.r) {
      const others = this.env.legalActions(from).filter((a) => a !== action);
      if (others.length > 0) taken = pick(others, this.random());
    }
    const state = await this.oracle.outcome(from, taken);
    return { description: this.env.text.state(state), state, done: state.done };
  }
}
