/**
 * What every strategy shares: guarded calls to the roles (budget checked before each, failures
 * caught and counted), the recorded search tree, and a stepper that branches reversible
 * environments directly and backtracks irreversible ones by snapshot/restore or reset-and-replay.
 */
import type {
  Budget,
  Environment,
  Proposal,
  SearchProblem,
  SearchResult,
  StepOutcome,
  StopReason,
  TreeNode,
  Value,
  WorldModel,
} from "./types.js";

/** The result of a guarded call: its value, or why there is none. */
export type Guarded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: "budget" | "error" };

const BUDGET_OUT = { ok: false, reason: "budget" } as const;
const FAILED = { ok: false, reason: "error" } as const;

/** Runs a model role, counting at least one model call whether it succeeds, fails or spends nothing itself. */
async function metered<T>(budget: Budget, call: () => Promise<T>): Promise<Guarded<T>> {
  if (budget.exhausted()) return BUDGET_OUT;
  const before = budget.used.modelCalls;
  try {
    return { ok: true, value: await call() };
  } catch {
    return FAILED;
  } finally {
    if (budget.used.modelCalls === before) budget.spend("modelCalls");
  }
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
): Promise<Guarded<Proposal<A>[]>> {
  const answer = await metered(budget, () => problem.policy.propose(state, k, budget));
  if (!answer.ok) return answer;
  if (!Array.isArray(answer.value)) return FAILED;
  try {
    return { ok: true, value: mergeProposals(problem.environment, answer.value).slice(0, Math.max(0, k)) };
  } catch {
    return FAILED;
  }
}

/** Scores a state with the value, clamped to [0, 1]; a throwing value or a non-number is a failure. */
export async function score<S>(value: Value<S>, state: S, budget: Budget): Promise<Guarded<number>> {
  const answer = await metered(budget, () => value.score(state, budget));
  if (!answer.ok) return answer;
  if (typeof answer.value !== "number" || Number.isNaN(answer.value)) return FAILED;
  return { ok: true, value: Math.min(1, Math.max(0, answer.value)) };
}

/** The mean of up to n value samples; stops sampling when the budget runs out (a partial mean if any sample came). */
export async function meanScore<S>(value: Value<S>, state: S, samples: number, budget: Budget): Promise<Guarded<number>> {
  let total = 0;
  let count = 0;
  let reason: "budget" | "error" = "error";
  for (let i = 0; i < Math.max(1, samples); i++) {
    const sample = await score(value, state, budget);
    if (sample.ok) {
      total += sample.value;
      count++;
    } else if (sample.reason === "budget") {
      reason = "budget";
      break;
    }
  }
  return count > 0 ? { ok: true, value: total / count } : { ok: false, reason };
}

/** Predicts the outcome of an action with the world model. */
export async function predict<S, A>(model: WorldModel<S, A>, state: S, action: A, budget: Budget): Promise<Guarded<S>> {
  return metered(budget, () => model.predict(state, action, budget));
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

  /** Marks a node expanded (now) and returns its expansion number. */
  expand(id: number): number {
    const node = this.node(id);
    node.expandedAt = this.expansionCount++;
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
}

/**
 * Steps the environment for a search, counting every step (replays included) on the budget.
 *
 * Reversible environments are stepped from any state directly. Irreversible ones are stepped
 * where the real environment is; to step elsewhere, the stepper restores a snapshot of that state
 * when the environment offers `snapshot`/`restore`, and otherwise resets it (`initial()`) and
 * replays the path's actions, each replayed step counted in `replaySteps` and on the budget.
 */
export class Stepper<S, A> {
  /** Env steps spent replaying paths (reset-and-replay backtracking). */
  replaySteps = 0;
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

  /** One counted step, or why not. */
  private async rawStep(state: S, action: A): Promise<Guarded<StepOutcome<S>>> {
    if (this.budget.exhausted()) return BUDGET_OUT;
    this.budget.spend("envSteps");
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
  }

  /** Steps `action` from a reached state. */
  async step(from: Reached<S, A>, action: A): Promise<Guarded<StepOutcome<S>>> {
    if (this.budget.exhausted()) return BUDGET_OUT;
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

export function result<S, A>(
  reached: Reached<S, A>,
  done: boolean,
  stop: StopReason,
  tree: TreeRecorder,
  budget: Budget,
  stepper?: Stepper<S, A>,
): SearchResult<S, A> {
  return {
    actions: [...reached.path],
    finalState: reached.state,
    done,
    stop,
    tree: tree.tree(),
    spent: budget.snapshot(),
    ...(stepper ? { replaySteps: stepper.replaySteps } : {}),
  };
}
