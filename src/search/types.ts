/**
 * The roles a search strategy works with, in the spirit of llm-reasoners but without ties to a
 * model backend: a policy proposes actions, an environment steps, a world model predicts, a value
 * (Koh et al.) judges trajectories, a critic (SimuRA) scores simulated outcomes, an intent
 * clusterer merges proposals that mean the same, a budget meters. Everything a strategy calls is
 * async, because the real roles run on llama.cpp; simulated roles (named so) resolve immediately.
 *
 * Ground truth never reaches a strategy directly: a `Task` carries a `judge` that only the
 * benchmark harness calls, on finished episodes. Simulated roles may consult ground truth through
 * a documented, adjustable error model (they are the object of study); that is their only path.
 *
 * Contract notes (refinements of the search-role contract, this file being the truth):
 * - `Policy.propose` takes an optional fourth argument, `ProposeContext`: how many samples to draw
 *   (Koh et al. draw max(2b, 20), SimuRA at least 20) and the trajectory that reached the state.
 * - `Policy.imagine` (optional): ToolChain*'s imagined plan, one sampled completion.
 * - The budget's unit for model roles is one sampled completion (`RoleCost.calls`); every role,
 *   simulated or model-backed, charges through `Budget.charge`, one call per sample it draws, and
 *   checks `budget.exhausted("model")` before each sample (so a limit is never exceeded).
 * - `Budget.exhausted(kind)` checks only the limits a kind of work consumes ("model": calls,
 *   tokens, wall time; "env": environment steps, wall time); without a kind, all of them.
 */

/** What a step of the environment returns. */
export interface StepOutcome<S> {
  readonly state: S;
  /** Whether the episode is over (a final answer was given, or no action remains). */
  readonly done: boolean;
  /** Observation text, for policies and transcripts (optional). */
  readonly observation?: string;
}

/** The path from the task's initial state: states[0] = initial(); states[i+1] is the outcome of actions[i]. */
export interface Trajectory<S, A> {
  readonly states: readonly S[];
  readonly actions: readonly A[];
  /** observations[i]: what the environment said after actions[i]. */
  readonly observations: readonly (string | undefined)[];
}

/** What model-backed roles read: the environment as text. Optional on Environment (`environment.text`). */
export interface EnvironmentText<S, A> {
  /** The task statement, as a user would give it to an agent. */
  task(): string;
  /** A state as text (SimuRA's encoder output; what a value/critic reads). Deterministic. */
  state(state: S): string;
  /** An action as the model would write it (usually environment.describe). */
  action(action: A): string;
  /** Parses a world model's predicted description back into a state, where the environment can; undefined when it does not parse. */
  parseState?(description: string, from: S): S | undefined;
  /** The action format as an events-mode LTL spec source with segments: what a model policy writes under in this state. */
  actionSpec?(state: S): string;
}

/**
 * An environment: states and the effect of actions. Environments whose steps have no side
 * effects (`reversible`) can be branched freely; others (a web browser, live bookings) are reset
 * and replayed, or restored from a snapshot where they offer one.
 */
export interface Environment<S, A> {
  readonly name: string;
  /** Whether stepping is free of side effects, so any state can be stepped again. */
  readonly reversible: boolean;
  /** The task's initial state (an irreversible environment is reset to it). */
  initial(): S;
  /** The actions that are legal in a state (the protocol); a policy proposes among these. */
  legalActions(state: S): readonly A[];
  step(state: S, action: A): Promise<StepOutcome<S>>;
  /** A key identifying the state (equal keys: the same state), for de-duplication. */
  stateKey(state: S): string;
  actionKey(action: A): string;
  /** Human-readable action, for trees and transcripts. */
  describe(action: A): string;
  /**
   * What a step costs in environment steps (the budget's `envSteps`). Default 1. An environment
   * whose operations are LLM calls (thought graphs) charges 0 for the ones that are not (e.g. a
   * programmatic keep-best), so that "operations" count what GoT and ARIES count.
   */
  stepCost?(action: A): number;
  /** Saves and restores the real environment (irreversible environments that can). */
  snapshot?(): Promise<unknown>;
  restore?(snapshot: unknown): Promise<void>;
  /** The environment as text, for model-backed roles. */
  readonly text?: EnvironmentText<S, A>;
}

/** A candidate action and how often it came up among the policy's samples. */
export interface Proposal<A> {
  readonly action: A;
  /** Share of the samples that proposed this action (self-consistency frequency), in (0, 1]. */
  readonly frequency: number;
}

/** What a strategy tells the policy about a proposal it asks for. */
export interface ProposeContext<S = unknown, A = unknown> {
  /**
   * Samples to draw (each one model call); the distinct actions among them are ranked by count.
   * Undefined: the policy's own default. A policy stops drawing when the budget says so.
   */
  readonly samples?: number;
  /** The path that reached the state (for policies that read the history). */
  readonly trajectory?: Trajectory<S, A>;
}

export interface Policy<S, A> {
  readonly name: string;
  /**
   * Up to k distinct candidate actions for a state, most frequent first, from `context.samples`
   * samples (or the policy's default). Charges each sample on the budget (role "policy").
   * May return fewer, or none.
   */
  propose(state: S, k: number, budget: Budget, context?: ProposeContext<S, A>): Promise<readonly Proposal<A>[]>;
  /**
   * ToolChain*'s imagination: the rest of a plan from this state as the model writes it in one
   * sampled completion (one model call), without acting — one entry per imagined step, as text
   * (later steps cannot be read back as actions: their states do not exist yet). Optional.
   */
  imagine?(state: S, budget: Budget, context?: ProposeContext<S, A>): Promise<readonly string[]>;
}

/**
 * Koh et al.'s value: judges the trajectory, in [0, 1] (success 1, on track 0.5, neither 0). Values
 * that look only at the last state read trajectory.states.at(-1). One call is one sample;
 * strategies average n samples themselves.
 */
export interface Value<S, A = unknown> {
  readonly name: string;
  score(trajectory: Trajectory<S, A>, budget: Budget): Promise<number>;
}

/** A world model's prediction of the next state. */
export interface Prediction<S> {
  /** The predicted next state as text (what an LLM world model writes). */
  readonly description: string;
  /** The predicted state in the environment's terms, where known (simulated models; a parsed LLM prediction). */
  readonly state?: S;
  /** Whether the prediction says the episode would be over. */
  readonly done?: boolean;
}

export interface WorldModel<S, A> {
  readonly name: string;
  predict(trajectory: Trajectory<S, A>, action: A, budget: Budget): Promise<Prediction<S>>;
}

/** SimuRA's critic: how promising a simulated outcome is, in [0, 1] (same scale as Value). */
export interface Critic<S, A> {
  readonly name: string;
  score(trajectory: Trajectory<S, A>, action: A, prediction: Prediction<S>, budget: Budget): Promise<number>;
}

/**
 * SimuRA's intent clustering: partitions proposals into groups meaning the same. Returns arrays of
 * indices into `proposals`; every index in exactly one group (a malformed answer is a failed call).
 */
export interface IntentClusterer<S, A> {
  readonly name: string;
  cluster(trajectory: Trajectory<S, A>, proposals: readonly Proposal<A>[], budget: Budget): Promise<readonly (readonly number[])[]>;
}

/** What a finished episode is judged by: ground truth, used only to score, never to search. */
export interface Judgement {
  readonly success: boolean;
  /** A task-specific score in [0, 1] (e.g. 1 − normalized error for sorting). */
  readonly score: number;
}

export interface Task<S, A> {
  readonly id: string;
  readonly environment: Environment<S, A>;
  judge(finalState: S): Judgement;
  /** The task's goal as one line, as a user would state it (for `plan --list-tasks`). */
  readonly statement?: string;
}

/** Metering per role. Every model-backed role charges what it spends; simulated roles charge their modelled cost. */
export type RoleName = "policy" | "value" | "world-model" | "critic" | "clusterer";
export const ROLE_NAMES: readonly RoleName[] = ["policy", "value", "world-model", "critic", "clusterer"];

export interface RoleCost {
  /** Sampled completions (or single forward-pass scorings): the budget's unit for model work. */
  calls: number;
  /** Tokens the model wrote. */
  generatedTokens: number;
  /** Tokens the model evaluated (prompt + replayed + generated; prefix reuse shows here). */
  evaluatedTokens: number;
  /** Wall time inside the role. */
  ms: number;
}

export type BudgetResource = "modelCalls" | "tokens" | "envSteps" | "wallMs";

export interface BudgetLimits {
  readonly modelCalls?: number;
  readonly tokens?: number;
  readonly envSteps?: number;
  readonly wallMs?: number;
}

/** Which limits a check concerns: model work (calls, tokens), environment steps, or all. Wall time always. */
export type BudgetCheck = "model" | "env" | "any";

/** What a strategy would answer if it stopped now (see `Budget.reportAnswer`). */
export interface AnytimeAnswer {
  readonly actions: readonly unknown[];
  readonly finalState: unknown;
  readonly done: boolean;
}

export interface BudgetSnapshot {
  modelCalls: number;
  tokens: number;
  envSteps: number;
  wallMs: number;
  byRole: Record<RoleName, RoleCost>;
}

/** Called when a watched resource first reaches a threshold at a check (the bench's prefix curves). */
export type ThresholdListener = (thresholds: { readonly from: number; readonly to: number }, answer: AnytimeAnswer | undefined, spent: BudgetSnapshot) => void;

const RESOURCE_CHECK: Readonly<Record<Exclude<BudgetResource, "wallMs">, BudgetCheck>> = { modelCalls: "model", tokens: "model", envSteps: "env" };

const emptyCost = (): RoleCost => ({ calls: 0, generatedTokens: 0, evaluatedTokens: 0, ms: 0 });

/**
 * Meters what a search spends; every strategy stops as soon as `exhausted()` says so.
 *
 * Prefix runs: a strategy whose decisions never read the limits registers, with `reportAnswer`,
 * what it would answer if it stopped now. The run at limit B is then the unlimited run up to the
 * first check that sees B reached, so a harness can `watch` the unlimited run and read the
 * episode at every B from one run (`src/search/bench.ts`). A check that fails sets `tripped`:
 * a role call cut short by the budget is discarded by the strategy, never acted on.
 */
export class Budget {
  readonly used = { modelCalls: 0, tokens: 0, envSteps: 0 };
  private readonly started = performance.now();
  private readonly roles: Record<RoleName, RoleCost> = {
    policy: emptyCost(),
    value: emptyCost(),
    "world-model": emptyCost(),
    critic: emptyCost(),
    clusterer: emptyCost(),
  };
  private answerNow: (() => AnytimeAnswer) | undefined;
  private watched: { resource: Exclude<BudgetResource, "wallMs">; next: number; max: number; listener: ThresholdListener } | undefined;
  private failed = false;
  private chargesMade = 0;

  constructor(readonly limits: BudgetLimits = {}) {}

  /** Adds a role's spending: to its row, and to the totals the limits check (calls → modelCalls, generated tokens → tokens). */
  charge(role: RoleName, cost: Partial<RoleCost>): void {
    this.chargesMade++;
    const row = this.roles[role];
    const calls = nonNegative(cost.calls);
    const generated = nonNegative(cost.generatedTokens);
    row.calls += calls;
    row.generatedTokens += generated;
    row.evaluatedTokens += nonNegative(cost.evaluatedTokens);
    row.ms += nonNegative(cost.ms);
    this.used.modelCalls += calls;
    this.used.tokens += generated;
  }

  /** How many times `charge` was called (a role that charges `{ calls: 0 }` declares itself free). */
  get charges(): number {
    return this.chargesMade;
  }

  /** Environment steps (model work goes through `charge`). */
  spend(resource: "envSteps", amount = 1): void {
    this.used[resource] += nonNegative(amount);
  }

  /** The per-role table (a copy). */
  byRole(): Record<RoleName, RoleCost> {
    const copy = {} as Record<RoleName, RoleCost>;
    for (const role of ROLE_NAMES) copy[role] = { ...this.roles[role] };
    return copy;
  }

  get wallMs(): number {
    return performance.now() - this.started;
  }

  /** Whether a check has failed: some limit was reached (a strategy stops then). */
  get tripped(): boolean {
    return this.failed;
  }

  /**
   * Whether a limit is reached that the kind of work consumes (a strategy must not start that
   * work then): "model" — modelCalls, tokens; "env" — envSteps; "any" — all. Wall time always.
   */
  exhausted(kind: BudgetCheck = "any"): boolean {
    this.notifyWatch(kind);
    const { modelCalls, tokens, envSteps, wallMs } = this.limits;
    const model = kind !== "env";
    const env = kind !== "model";
    const out =
      (model && modelCalls !== undefined && this.used.modelCalls >= modelCalls) ||
      (model && tokens !== undefined && this.used.tokens >= tokens) ||
      (env && envSteps !== undefined && this.used.envSteps >= envSteps) ||
      (wallMs !== undefined && this.wallMs >= wallMs);
    if (out) this.failed = true;
    return out;
  }

  /** Strategies: what the search would answer if it stopped at this moment (prefix runs; see the class comment). */
  reportAnswer(answer: () => AnytimeAnswer): void {
    this.answerNow = answer;
  }

  /**
   * Harnesses: calls `listener` at each check of `resource` that first sees the amount used reach
   * thresholds from..to (integers up to `max`), with the answer registered by the strategy then.
   */
  watch(resource: Exclude<BudgetResource, "wallMs">, max: number, listener: ThresholdListener): void {
    this.watched = { resource, next: 1, max, listener };
  }

  private notifyWatch(kind: BudgetCheck): void {
    const watched = this.watched;
    if (watched === undefined) return;
    if (kind !== "any" && RESOURCE_CHECK[watched.resource] !== kind) return;
    const used = this.used[watched.resource];
    if (used < watched.next || watched.next > watched.max) return;
    const to = Math.min(watched.max, Math.floor(used));
    const from = watched.next;
    watched.next = to + 1;
    let answer: AnytimeAnswer | undefined;
    try {
      answer = this.answerNow?.();
    } catch {
      answer = undefined;
    }
    watched.listener({ from, to }, answer, this.snapshot());
  }

  snapshot(): BudgetSnapshot {
    return { ...this.used, wallMs: this.wallMs, byRole: this.byRole() };
  }
}

function nonNegative(x: number | undefined): number {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : 0;
}

/** One node of the search tree, as strategies record it (for `ltlguard plan` and tests). */
export interface TreeNode {
  readonly id: number;
  readonly parent: number | undefined;
  /** The action that led here (undefined at the root). */
  readonly action: string | undefined;
  readonly stateKey: string;
  /** Strategy-specific numbers: f, g, h for A*; visits and mean value for MCTS; value for best-first. */
  readonly scores: Readonly<Record<string, number>>;
  /** The order in which nodes were expanded (undefined: never expanded). */
  expandedAt?: number;
}

/** Why a search stopped: an answer; the budget; nothing left to try; or one of the strategy's own limits (named in `SearchResult.limit`). */
export type StopReason = "done" | "budget" | "exhausted-frontier" | "limit";

export interface SearchResult<S, A> {
  /** The actions of the chosen episode, from the initial state. */
  readonly actions: readonly A[];
  readonly finalState: S;
  /** Whether the chosen episode reached a terminal state. */
  readonly done: boolean;
  readonly stop: StopReason;
  /** With stop "limit": which of the strategy's options stopped it (e.g. "iterations = 10"). */
  readonly limit?: string;
  readonly tree: readonly TreeNode[];
  readonly spent: BudgetSnapshot;
  /** Env steps spent replaying paths to backtrack in an irreversible environment (included in `spent.envSteps`). */
  readonly replaySteps?: number;
  /** Wall time spent resetting and replaying (included in `spent.wallMs`). */
  readonly replayMs?: number;
}

/** Everything a strategy may use for one task. */
export interface SearchProblem<S, A> {
  readonly environment: Environment<S, A>;
  readonly policy: Policy<S, A>;
  readonly value?: Value<S, A>;
  readonly worldModel?: WorldModel<S, A>;
  readonly critic?: Critic<S, A>;
  readonly clusterer?: IntentClusterer<S, A>;
  /** Seeded randomness for tie-breaking and sampling (same seed → same tree). */
  readonly random: () => number;
}

export interface Strategy {
  readonly name: string;
  /**
   * Whether the strategy's decisions never depend on the budget's limits and it reports its
   * answer (`Budget.reportAnswer`): then the episode at a limit B is the unlimited episode cut at
   * B, and a harness may read every budget from one run. Strategies that plan from the limit
   * (GoT's densest schedule) leave it false and are run once per budget.
   */
  readonly prefixMonotone?: boolean;
  search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>>;
}
