/**
 * What every strategy shares: guarded calls to the roles (budget checked before each, failures
 * caught and counted), the recorded search tree, and a stepper that branches reversible
 * environments directly and backtracks irreversible ones by snapshot/restore or reset-and-replay.
 */
import { extendTrajectory, startTrajectory } from "./text.js";
import type {
  Budget,
  Critic,
  Environment,
  IntentClusterer,
  Prediction,
  Proposal,
  ProposeContext,
  RoleName,
  SearchProblem,
  SearchResult,
  StepOutcome,
  StopReason,
  Trajectory,
  TreeNode,
  Value,
  WorldModel,
} from "./types.js";

/** The result of a guarded call: its value, or why there is none. */
export type Guarded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: "budget" | "error" };

export const BUDGET_OUT = { ok: false, reason: "budget" } as const;
const FAILED = { ok: false, reason: "error" } as const;

/**
 * Runs a model role: refused when the budget is out; counts one model call when the role charged
 * nothing itself, whether it succeeded or failed (a failing role costs its attempt and never
 * crashes a search; a role that is free charges `{ calls: 0 }`); and discards the answer of a call the budget cut short (a check inside it failed), so
 * that a run at a limit is the unlimited run cut at that limit (`Budget`'s prefix runs).
 */
async function metered<T>(budget: Budget, role: RoleName, call: () => Promise<T>): Promise<Guarded<T>> {
  if (budget.tripped || budget.exhausted("model")) return BUDGET_OUT;
  const before = budget.charges;
  const started = performance.now();
  let answer: Guarded<T>;
  try {
    answer = { ok: true, value: await call() };
  } catch {
    answer = FAILED;
  }
  if (budget.charges === before) budget.charge(role, { calls: 1, ms: performance.now() - started });
  return budget.tripped ? BUDGET_OUT : answer;
}

/**
 * Merges proposals with the same action key (summing their frequencies, capped at 1), keeps the
 * first occurrence's place, and orders them most frequent first; ties keep insertion order.
 */
export function mergeProposals<S, A>(environment: Environment<S, A>, proposals: readonly Proposal<A>[]): Proposal<A>[] {
  const merged = new Map<string, { action: A; frequency: number; order: number }>();
  for (const proposal of proposals) {
    const key = environment.actionKey(proposal.action);
    const frequency = Number.isFinite(proposal.frequency) && proposal.frequency > 0 ? proposal.frequency : 0;
    const seen = merged.get(key);
    if (seen) seen.frequency += frequency;
    else merged.set(key, { action: proposal.action, frequency, order: merged.size });
  }
  return [...merged.values()]
    .sort((a, b) => b.frequency - a.frequency || a.order - b.order)
    .map(({ action, frequency }) => ({ action, frequency: Math.min(1, frequency) }));
}

/**
 * Asks the policy for up to k proposals (merged, most frequent first). A throwing policy or a
 * malformed answer is a failed attempt ("error"); an empty list is returned as is (callers treat
 * it as a failed attempt too). Either way the call is counted.
 */
export async function propose<S, A>(
  problem: SearchProblem<S, A>,
  state: S,
  k: number,
  budget: Budget,
  context: ProposeContext<S, A> = {},
): Promise<Guarded<Proposal<A>[]>> {
  const answer = await metered(budget, "policy", () => problem.policy.propose(state, k, budget, context));
  if (!answer.ok) return answer;
  if (!Array.isArray(answer.value)) return FAILED;
  try {
    return { ok: true, value: mergeProposals(problem.environment, answer.value).slice(0, Math.max(0, k)) };
  } catch {
    return FAILED;
  }
}

/** ToolChain*'s imagination through the policy (one sampled completion): the imagined rest of the plan. */
export async function imagine<S, A>(problem: SearchProblem<S, A>, state: S, budget: Budget, context: ProposeContext<S, A> = {}): Promise<Guarded<readonly string[]>> {
  const policy = problem.policy;
  if (policy.imagine === undefined) return FAILED;
  const answer = await metered(budget, "policy", () => policy.imagine!(state, budget, context));
  if (!answer.ok) return answer;
  return Array.isArray(answer.value) ? answer : FAILED;
}

const unit = (x: unknown): Guarded<number> =>
  typeof x === "number" && !Number.isNaN(x) ? { ok: true, value: Math.min(1, Math.max(0, x)) } : FAILED;

/** One value sample for a trajectory, clamped to [0, 1]; a throwing value or a non-number is a failure. */
export async function score<S, A>(value: Value<S, A>, trajectory: Trajectory<S, A>, budget: Budget): Promise<Guarded<number>> {
  const answer = await metered(budget, "value", () => value.score(trajectory, budget));
  return answer.ok ? unit(answer.value) : answer;
}

/**
 * The mean of n value samples (Koh et al. average n). Failed samples are left out; when the
 * budget runs out before all n are drawn, the mean is not used (the call was cut short).
 */
export async function meanScore<S, A>(value: Value<S, A>, trajectory: Trajectory<S, A>, samples: number, budget: Budget): Promise<Guarded<number>> {
  let total = 0;
  let count = 0;
  for (let i = 0; i < Math.max(1, samples); i++) {
    const sample = await score(value, trajectory, budget);
    if (sample.ok) {
      total += sample.value;
      count++;
    } else if (sample.reason === "budget") {
      return BUDGET_OUT;
    }
  }
  return count > 0 ? { ok: true, value: total / count } : FAILED;
}

/** Predicts the outcome of an action with the world model. */
export async function predict<S, A>(model: WorldModel<S, A>, trajectory: Trajectory<S, A>, action: A, budget: Budget): Promise<Guarded<Prediction<S>>> {
  const answer = await metered(budget, "world-model", () => model.predict(trajectory, action, budget));
  if (!answer.ok) return answer;
  const prediction = answer.value;
  return prediction !== null && typeof prediction === "object" && typeof prediction.description === "string" ? answer : FAILED;
}

/** One critic sample for a simulated outcome, clamped to [0, 1]. */
export async function critique<S, A>(critic: Critic<S, A>, trajectory: Trajectory<S, A>, action: A, prediction: Prediction<S>, budget: Budget): Promise<Guarded<number>> {
  const answer = await metered(budget, "critic", () => critic.score(trajectory, action, prediction, budget));
  return answer.ok ? unit(answer.value) : answer;
}

/** Groups of proposal indices from a clusterer; a malformed partition is a failed call. */
export async function cluster<S, A>(
  clusterer: IntentClusterer<S, A>,
  trajectory: Trajectory<S, A>,
  proposals: readonly Proposal<A>[],
  budget: Budget,
): Promise<Guarded<number[][]>> {
  const answer = await metered(budget, "clusterer", () => clusterer.cluster(trajectory, proposals, budget));
  if (!answer.ok) return answer;
  const groups = answer.value;
  if (!Array.isArray(groups)) return FAILED;
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const group of groups) {
    if (!Array.isArray(group) || group.length === 0) return FAILED;
    const members: number[] = [];
    for (const index of group) {
      if (!Number.isInteger(index) || index < 0 || index >= proposals.length || seen.has(index)) return FAILED;
      seen.add(index);
      members.push(index);
    }
    out.push(members);
  }
  return seen.size === proposals.length ? { ok: true, value: out } : FAILED;
}

/** Mutable tree node, exposed as `TreeNode`. */
interface RecordedNode {
  readonly id: number;
  readonly parent: number | undefined;
  readonly action: string | undefined;
  readonly stateKey: string;
  scores: Record<string, number>;
  expandedAt?: number;
}

/** Records the search tree: nodes in creation order, expansions numbered from 0. */
export class TreeRecorder {
  private readonly recorded: RecordedNode[] = [];
  private expansionCount = 0;

  add(parent: number | undefined, action: string | undefined, stateKey: string, scores: Record<string, number> = {}): number {
    const id = this.recorded.length;
    this.recorded.push({ id, parent, action, stateKey, scores: { ...scores } });
    return id;
  }

  /** Marks a node expanded (now, unless it was before: a node keeps its first expansion number) and returns its expansion number. */
  expand(id: number): number {
    const node = this.node(id);
    node.expandedAt ??= this.expansionCount++;
    return node.expandedAt;
  }

  setScores(id: number, scores: Record<string, number>): void {
    Object.assign(this.node(id).scores, scores);
  }

  get expansions(): number {
    return this.expansionCount;
  }

  get size(): number {
    return this.recorded.length;
  }

  /** A copy of the tree. */
  tree(): TreeNode[] {
    return this.recorded.map((node) => ({ ...node, scores: { ...node.scores } }));
  }

  private node(id: number): RecordedNode {
    const node = this.recorded[id];
    if (!node) throw new Error(`no tree node ${id}`);
    return node;
  }
}

/** A state reached by the search with the actions that lead to it from the initial state. */
export interface Reached<S, A> {
  readonly state: S;
  readonly path: readonly A[];
  /** The states, actions and observations from the initial state to this one. */
  readonly trajectory: Trajectory<S, A>;
}

/** The initial state as reached. */
export function rootOf<S, A>(state: S): Reached<S, A> {
  return { state, path: [], trajectory: startTrajectory(state) };
}

/** The state reached from `from` by `action` (with the outcome the environment gave). */
export function advance<S, A>(from: Reached<S, A>, action: A, outcome: StepOutcome<S>): Reached<S, A> {
  return { state: outcome.state, path: [...from.path, action], trajectory: extendTrajectory(from.trajectory, action, outcome.state, outcome.observation) };
}

/**
 * Steps the environment for a search, counting every step (replays included) on the budget.
 *
 * Reversible environments are stepped from any state directly. Irreversible ones are stepped
 * where the real environment is; to step elsewhere, the stepper restores a snapshot of that state
 * when the environment offers `snapshot`/`restore`, and otherwise resets it (`initial()`) and
 * replays the path's actions, each replayed step counted in `replaySteps` (and on the budget) and
 * its time in `replayMs`. A step costs `environment.stepCost(action)` environment steps (default 1).
 */
export class Stepper<S, A> {
  /** Env steps spent replaying paths (reset-and-replay backtracking). */
  replaySteps = 0;
  /** Wall time spent resetting and replaying. */
  replayMs = 0;
  private current: readonly string[] | undefined;
  private readonly snapshots = new Map<string, unknown>();

  constructor(
    private readonly environment: Environment<S, A>,
    private readonly budget: Budget,
  ) {}

  private get branchable(): boolean {
    return this.environment.reversible;
  }

  private get snapshotting(): boolean {
    return !this.environment.reversible && !!this.environment.snapshot && !!this.environment.restore;
  }

  private pathKey(keys: readonly string[]): string {
    return JSON.stringify(keys);
  }

  /** The initial state (resets an irreversible environment). */
  async start(): Promise<S> {
    const state = this.environment.initial();
    this.current = [];
    if (this.snapshotting) await this.remember([]);
    return state;
  }

  /** The initial state as reached (see `start`). */
  async startReached(): Promise<Reached<S, A>> {
    return rootOf(await this.start());
  }

  private async remember(keys: readonly string[]): Promise<void> {
    try {
      this.snapshots.set(this.pathKey(keys), await this.environment.snapshot?.());
    } catch {
      // No snapshot here: this state will be reached by replay.
    }
  }

  private sameAsCurrent(keys: readonly string[]): boolean {
    const current = this.current;
    return current !== undefined && current.length === keys.length && current.every((key, i) => key === keys[i]);
  }

  private cost(action: A): number {
    try {
      const cost = this.environment.stepCost?.(action) ?? 1;
      return Number.isFinite(cost) && cost >= 0 ? cost : 1;
    } catch {
      return 1;
    }
  }

  /** One counted step, or why not. */
  private async rawStep(state: S, action: A): Promise<Guarded<StepOutcome<S>>> {
    if (this.budget.exhausted("env")) return BUDGET_OUT;
    this.budget.spend("envSteps", this.cost(action));
    try {
      return { ok: true, value: await this.environment.step(state, action) };
    } catch {
      this.current = undefined;
      return FAILED;
    }
  }

  /** Brings the real environment to `from` (irreversible environments); returns the state to step from. */
  private async moveTo(from: Reached<S, A>, keys: readonly string[]): Promise<Guarded<S>> {
    if (this.branchable || this.sameAsCurrent(keys)) return { ok: true, value: from.state };
    const snapshot = this.snapshots.get(this.pathKey(keys));
    if (this.snapshotting && this.snapshots.has(this.pathKey(keys))) {
      try {
        await this.environment.restore?.(snapshot);
        this.current = keys;
        return { ok: true, value: from.state };
      } catch {
        // Fall back to replaying.
      }
    }
    const started = performance.now();
    try {
      let state = this.environment.initial();
      this.current = [];
      for (const [i, action] of from.path.entries()) {
        const outcome = await this.rawStep(state, action);
        if (!outcome.ok) return outcome;
        this.replaySteps++;
        state = outcome.value.state;
        this.current = keys.slice(0, i + 1);
      }
      return { ok: true, value: state };
    } finally {
      this.replayMs += performance.now() - started;
    }
  }

  /** Steps `action` from a reached state. */
  async step(from: Reached<S, A>, action: A): Promise<Guarded<StepOutcome<S>>> {
    if (this.budget.exhausted("env")) return BUDGET_OUT;
    let keys: string[];
    let actionKey: string;
    try {
      keys = from.path.map((a) => this.environment.actionKey(a));
      actionKey = this.environment.actionKey(action);
    } catch {
      return FAILED;
    }
    const origin = await this.moveTo(from, keys);
    if (!origin.ok) return origin;
    const outcome = await this.rawStep(origin.value, action);
    if (!outcome.ok) return outcome;
    if (!this.branchable) {
      this.current = [...keys, actionKey];
      if (this.snapshotting) await this.remember(this.current);
    }
    return outcome;
  }

  /** Steps `action` from a reached state and returns the state reached (with its trajectory). */
  async advance(from: Reached<S, A>, action: A): Promise<Guarded<{ readonly reached: Reached<S, A>; readonly done: boolean }>> {
    const outcome = await this.step(from, action);
    if (!outcome.ok) return outcome;
    return { ok: true, value: { reached: advance(from, action, outcome.value), done: outcome.value.done } };
  }

  /** Leaves an irreversible environment in the chosen state, if the budget allows. */
  async settle(at: Reached<S, A>): Promise<void> {
    if (this.branchable) return;
    let keys: string[];
    try {
      keys = at.path.map((a) => this.environment.actionKey(a));
    } catch {
      return;
    }
    if (!this.sameAsCurrent(keys)) await this.moveTo(at, keys);
  }
}

/** The state key, or a placeholder when the environment cannot key the state. */
export function keyOf<S, A>(environment: Environment<S, A>, state: S): string {
  try {
    return environment.stateKey(state);
  } catch {
    return "?";
  }
}

/** The action's description for the tree. */
export function describe<S, A>(environment: Environment<S, A>, action: A): string {
  try {
    return environment.describe(action);
  } catch {
    return "?";
  }
}

/** The answer of a search, as `Budget.reportAnswer` wants it. */
export function answerOf<S, A>(reached: Reached<S, A>, done: boolean): { actions: readonly A[]; finalState: S; done: boolean } {
  return { actions: reached.path, finalState: reached.state, done };
}

export function result<S, A>(
  reached: Reached<S, A>,
  done: boolean,
  stop: StopReason,
  tree: TreeRecorder,
  budget: Budget,
  stepper?: Stepper<S, A>,
  limit?: string,
): SearchResult<S, A> {
  return {
    actions: [...reached.path],
    finalState: reached.state,
    done,
    stop,
    ...(stop === "limit" && limit !== undefined ? { limit } : {}),
    tree: tree.tree(),
    spent: budget.snapshot(),
    ...(stepper ? { replaySteps: stepper.replaySteps, replayMs: stepper.replayMs } : {}),
  };
}
