/**
 * The roles a search strategy works with, in the spirit of llm-reasoners but without ties to a
 * model backend: a policy proposes actions, an environment steps, a world model predicts, a value
 * scores, a budget meters. Everything a strategy calls is async, because the real policy is a
 * constrained decoder on llama.cpp; simulated roles (named so) resolve immediately.
 *
 * Ground truth never reaches a strategy: a `Task` carries a `judge` that only the benchmark
 * harness calls, on finished episodes.
 */

/** What a step of the environment returns. */
export interface StepOutcome<S> {
  readonly state: S;
  /** Whether the episode is over (a final answer was given, or no action remains). */
  readonly done: boolean;
  /** Observation text, for policies and transcripts (optional). */
  readonly observation?: string;
}

/**
 * An environment: states and the effect of actions. Environments whose steps have no side
 * effects (`reversible`) can be branched freely; others (a web browser) are reset and replayed,
 * or restored from a snapshot where they offer one.
 */
export interface Environment<S, A> {
  readonly name: string;
  /** Whether stepping is free of side effects, so any state can be stepped again. */
  readonly reversible: boolean;
  /** The task's initial state. */
  initial(): S;
  /** The actions that are legal in a state (the protocol); a policy proposes among these. */
  legalActions(state: S): readonly A[];
  step(state: S, action: A): Promise<StepOutcome<S>>;
  /** A key identifying the state (equal keys: the same state), for de-duplication. */
  stateKey(state: S): string;
  actionKey(action: A): string;
  /** Human-readable action, for trees and transcripts. */
  describe(action: A): string;
  /** Saves and restores the real environment (irreversible environments that can). */
  snapshot?(): Promise<unknown>;
  restore?(snapshot: unknown): Promise<void>;
}

/** A candidate action and how often it came up among the policy's samples. */
export interface Proposal<A> {
  readonly action: A;
  /** Share of the samples that proposed this action (self-consistency frequency), in (0, 1]. */
  readonly frequency: number;
}

export interface Policy<S, A> {
  readonly name: string;
  /**
   * Up to k distinct candidate actions for a state, most frequent first. Costs model calls and
   * tokens on the budget. May return fewer, or none.
   */
  propose(state: S, k: number, budget: Budget): Promise<readonly Proposal<A>[]>;
}

/** Predicts the next state without acting (SimuRA's world model). */
export interface WorldModel<S, A> {
  readonly name: string;
  predict(state: S, action: A, budget: Budget): Promise<S>;
}

/** A critic: how promising a state is, in [0, 1] (1: the goal is reached). */
export interface Value<S> {
  readonly name: string;
  score(state: S, budget: Budget): Promise<number>;
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
}

export type BudgetResource = "modelCalls" | "tokens" | "envSteps" | "wallMs";

export interface BudgetLimits {
  readonly modelCalls?: number;
  readonly tokens?: number;
  readonly envSteps?: number;
  readonly wallMs?: number;
}

/** Meters what a search spends; every strategy stops as soon as `exhausted()` says so. */
export class Budget {
  readonly used = { modelCalls: 0, tokens: 0, envSteps: 0 };
  private readonly started = performance.now();

  constructor(readonly limits: BudgetLimits = {}) {}

  spend(resource: Exclude<BudgetResource, "wallMs">, amount = 1): void {
    this.used[resource] += amount;
  }

  get wallMs(): number {
    return performance.now() - this.started;
  }

  /** Whether some limit is reached (a strategy must not start new work then). */
  exhausted(): boolean {
    const { modelCalls, tokens, envSteps, wallMs } = this.limits;
    return (
      (modelCalls !== undefined && this.used.modelCalls >= modelCalls) ||
      (tokens !== undefined && this.used.tokens >= tokens) ||
      (envSteps !== undefined && this.used.envSteps >= envSteps) ||
      (wallMs !== undefined && this.wallMs >= wallMs)
    );
  }

  snapshot(): { modelCalls: number; tokens: number; envSteps: number; wallMs: number } {
    return { ...this.used, wallMs: this.wallMs };
  }
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

export type StopReason = "done" | "budget" | "exhausted-frontier";

export interface SearchResult<S, A> {
  /** The actions of the chosen episode, from the initial state. */
  readonly actions: readonly A[];
  readonly finalState: S;
  /** Whether the chosen episode reached a terminal state. */
  readonly done: boolean;
  readonly stop: StopReason;
  readonly tree: readonly TreeNode[];
  readonly spent: ReturnType<Budget["snapshot"]>;
  /** Env steps spent replaying paths to backtrack in an irreversible environment (included in `spent.envSteps`). */
  readonly replaySteps?: number;
}

/** Everything a strategy may use for one task. */
export interface SearchProblem<S, A> {
  readonly environment: Environment<S, A>;
  readonly policy: Policy<S, A>;
  readonly value?: Value<S>;
  readonly worldModel?: WorldModel<S, A>;
  /** Seeded randomness for tie-breaking and sampling (same seed → same tree). */
  readonly random: () => number;
}

export interface Strategy {
  readonly name: string;
  search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>>;
}
