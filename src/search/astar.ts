/**
 * A* over policy proposals, in the style of ToolChain*: the frontier is ordered by f = g + h with
 * pluggable costs. `toolChainCost` is ToolChain*'s cost model (long-term memory of successful
 * plans, self-consistency frequency, relative position in memory plans, imagined remaining steps);
 * `uniformCost` and a hand-written admissible `h` give plain A* / uniform-cost search.
 */
import { Heap } from "heap-js";
import { describe, keyOf, propose, result, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, Proposal, SearchProblem, SearchResult, Strategy } from "./types.js";

/** One step of a partial plan, as costs see it. */
export interface AStarStep<S, A> {
  readonly from: S;
  readonly action: A;
  readonly actionKey: string;
  readonly to: S;
  /** The proposal's self-consistency frequency. */
  readonly frequency: number;
  /** Action keys of the partial plan, this step included. */
  readonly plan: readonly string[];
}

/** Context of a heuristic estimate: the partial plan that reached the state. */
export interface AStarContext {
  /** Action keys of the plan so far (empty at the root). */
  readonly plan: readonly string[];
  readonly budget: Budget;
}

/** Pluggable A* costs: a per-step cost g (summed along the path) and a heuristic h. */
export interface AStarCost<S, A> {
  g(step: AStarStep<S, A>): number | Promise<number>;
  h(state: S, context: AStarContext): number | Promise<number>;
}

/** Unit step costs and h = 0: uniform-cost search (breadth-first in the number of steps). */
export function uniformCost<S, A>(): AStarCost<S, A> {
  return { g: () => 1, h: () => 0 };
}

/** Successful plans as sequences of action keys: ToolChain*'s long-term memory. */
export class PlanMemory {
  private readonly stored: string[][] = [];
  /** Where each stored plan came from (a task id), parallel to `stored`; undefined for anonymous plans. */
  private readonly sources: (string | undefined)[] = [];

  constructor(plans: Iterable<readonly string[]> = []) {
    for (const plan of plans) this.add(plan);
  }

  /** A memory seeded from a train split's successful plans. */
  static fromTrainSplit(plans: Iterable<readonly string[]>): PlanMemory {
    return new PlanMemory(plans);
  }

  /**
   * Stores a plan. `source` names the task it solved, so that `excluding` can keep a task's own
   * plan out of its search (a plan remembered from a task must not guide a rerun of that task).
   */
  add(plan: readonly string[], source?: string): void {
    if (plan.length === 0) return;
    this.stored.push([...plan]);
    this.sources.push(source);
  }

  get plans(): readonly (readonly string[])[] {
    return this.stored;
  }

  get size(): number {
    return this.stored.length;
  }

  /** Whether a plan from this source is stored. */
  has(source: string): boolean {
    return this.sources.includes(source);
  }

  /** A copy without the plans of `source` (the memory a search for that task may use); without a source, a full copy. */
  excluding(source?: string): PlanMemory {
    const copy = new PlanMemory();
    this.stored.forEach((plan, i) => {
      if (source === undefined || this.sources[i] !== source) copy.add(plan, this.sources[i]);
    });
    return copy;
  }

  /**
   * The best normalized longest common subsequence of a plan with a memory plan:
   * max over memory plans m of LCS(plan, m) / min(|plan|, |m|), in [0, 1]; 0 with an empty memory or plan.
   */
  similarity(plan: readonly string[]): number {
    let best = 0;
    for (const memory of this.stored) {
      const denominator = Math.min(plan.length, memory.length);
      if (denominator > 0) best = Math.max(best, longestCommonSubsequence(plan, memory) / denominator);
    }
    return best;
  }

  /**
   * How much of a typical memory plan remains after this action: the mean of (|m| − i) / |m| over
   * the occurrences of the action at 1-based position i of memory plans m; undefined if it never occurs.
   */
  remainingFraction(actionKey: string): number | undefined {
    let total = 0;
    let count = 0;
    for (const memory of this.stored) {
      memory.forEach((key, index) => {
        if (key === actionKey) {
          total += (memory.length - (index + 1)) / memory.length;
          count++;
        }
      });
    }
    return count > 0 ? total / count : undefined;
  }
}

/** The length of the longest common subsequence of two sequences (dynamic programming). */
export function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      row[j] = x === b[j - 1] ? (previous[j - 1] ?? 0) + 1 : Math.max(previous[j] ?? 0, row[j - 1] ?? 0);
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

export interface ToolChainCostOptions<S> {
  /** Weight of the memory (LCS) cost in g; the frequency cost gets 1 − this. Default 0.5. */
  readonly memoryWeight?: number;
  /** Weight of the memory-position estimate in h; imagination gets 1 − this (when given). Default 0.5. */
  readonly positionWeight?: number;
  /** h used for an action no memory plan contains, in [0, 1]. Default 1 (all of the plan remains). */
  readonly unknownRemaining?: number;
  /** Scales h (e.g. a typical plan length, to compare it with summed step costs). Default 1. */
  readonly hScale?: number;
  /**
   * "Imagination": an estimate of the steps left from a state (e.g. by a policy rollout, which
   * may spend the budget). Not called once the budget is exhausted.
   */
  readonly imagine?: (state: S, plan: readonly string[], budget: Budget) => number | Promise<number>;
}

/**
 * ToolChain*'s cost model.
 * - g per step = w·(1 − LCS similarity of the partial plan with memory) + (1 − w)·(1 − frequency).
 * - h = p·(share of a typical memory plan left after the last action) + (1 − p)·(imagined steps
 *   left / (steps so far + imagined steps left)), times hScale; without `imagine`, the position
 *   term alone. At the root, h is 1·hScale.
 */
export function toolChainCost<S, A>(memory: PlanMemory, options: ToolChainCostOptions<S> = {}): AStarCost<S, A> {
  const memoryWeight = options.memoryWeight ?? 0.5;
  const positionWeight = options.imagine ? (options.positionWeight ?? 0.5) : 1;
  const unknownRemaining = options.unknownRemaining ?? 1;
  const hScale = options.hScale ?? 1;
  return {
    g(step) {
      const memoryCost = 1 - memory.similarity(step.plan);
      const frequencyCost = 1 - Math.min(1, Math.max(0, step.frequency));
      return memoryWeight * memoryCost + (1 - memoryWeight) * frequencyCost;
    },
    async h(state, { plan, budget }) {
      const last = plan[plan.length - 1];
      if (last === undefined) return hScale;
      const position = memory.remainingFraction(last) ?? unknownRemaining;
      let estimate = position;
      if (options.imagine) {
        let imagined: number | undefined;
        if (!budget.exhausted()) {
          try {
            const left = await options.imagine(state, plan, budget);
            if (Number.isFinite(left) && left >= 0) imagined = left;
          } catch {
            imagined = undefined;
          }
        }
        estimate =
          imagined === undefined
            ? position
            : positionWeight * position + (1 - positionWeight) * (imagined / (plan.length + imagined || 1));
      }
      return estimate * hScale;
    },
  };
}

/**
 * An imagination callback for `toolChainCost`: rolls out greedily (the most frequent proposal)
 * from the state with the policy, on the environment, until a terminal state or `maxSteps`, and
 * returns the steps taken (maxSteps when no terminal state came). Policy calls and env steps are
 * counted on the budget and checked before each; when the budget runs out mid-rollout, or the
 * policy has nothing to propose, the estimate is unknown (NaN, which `toolChainCost` ignores).
 * Only reversible environments can be stepped off the real path: elsewhere it returns NaN.
 */
export function rolloutImagination<S, A>(
  problem: SearchProblem<S, A>,
  options: { readonly maxSteps?: number; readonly k?: number } = {},
): (state: S, plan: readonly string[], budget: Budget) => Promise<number> {
  const maxSteps = options.maxSteps ?? 10;
  const k = options.k ?? 1;
  return async (state, _plan, budget) => {
    const env = problem.environment;
    if (!env.reversible) return NaN;
    let at = state;
    for (let steps = 0; steps < maxSteps; steps++) {
      const proposals = await propose(problem, at, k, budget);
      const chosen = proposals.ok ? proposals.value[0] : undefined;
      if (!chosen || budget.exhausted()) return NaN;
      budget.spend("envSteps");
      try {
        const outcome = await env.step(at, chosen.action);
        if (outcome.done) return steps + 1;
        at = outcome.state;
      } catch {
        return NaN;
      }
    }
    return maxSteps;
  };
}

export interface AStarOptions<S, A> {
  /** The costs; default `uniformCost()`. */
  readonly cost?: AStarCost<S, A>;
  /** Proposals per expansion. Default 3. */
  readonly k?: number;
  /** Most expansions. Default: unlimited. */
  readonly maxExpansions?: number;
  /** Nodes this deep are not expanded. Default: unlimited. */
  readonly maxDepth?: number;
}

interface Node<S, A> extends Reached<S, A> {
  readonly id: number;
  readonly keys: readonly string[];
  readonly g: number;
  readonly h: number;
  readonly f: number;
  readonly done: boolean;
  readonly stateKey: string;
  readonly order: number;
}

/**
 * A* graph search: pops the lowest f (ties: the earliest pushed), stops when a terminal state is
 * popped (so the path is the cheapest when h is admissible), and skips states already reached at
 * no greater g. Without a terminal state, returns the popped node of least h (the closest guess).
 */
export function astar<S = unknown, A = unknown>(options: AStarOptions<S, A> = {}): Strategy {
  const k = options.k ?? 3;
  const maxExpansions = options.maxExpansions ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  return {
    name: "astar",
    async search<S2, A2>(problem: SearchProblem<S2, A2>, budget: Budget): Promise<SearchResult<S2, A2>> {
      const cost = (options.cost ?? uniformCost()) as unknown as AStarCost<S2, A2>;
      const env = problem.environment;
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      const numeric = async (value: () => number | Promise<number>, fallback: number): Promise<number> => {
        try {
          const number = await value();
          return Number.isFinite(number) ? number : fallback;
        } catch {
          return fallback;
        }
      };
      const state0 = await stepper.start();
      const h0 = await numeric(() => cost.h(state0, { plan: [], budget }), 0);
      const rootKey = keyOf(env, state0);
      const root: Node<S2, A2> = {
        id: tree.add(undefined, undefined, rootKey, { g: 0, h: h0, f: h0 }),
        state: state0,
        path: [],
        keys: [],
        g: 0,
        h: h0,
        f: h0,
        done: false,
        stateKey: rootKey,
        order: 0,
      };
      const frontier = new Heap<Node<S2, A2>>((a, b) => a.f - b.f || a.order - b.order);
      frontier.push(root);
      const bestG = new Map<string, number>([[rootKey, 0]]);
      let closest = root;
      let pushed = 1;
      const finish = async (node: Node<S2, A2>, stop: "done" | "budget" | "exhausted-frontier") => {
        await stepper.settle(node);
        return result(node, node.done, stop, tree, budget, stepper);
      };
      for (;;) {
        const node = frontier.pop();
        if (!node) return finish(closest, budget.exhausted() ? "budget" : "exhausted-frontier");
        if (node.done) return finish(node, "done");
        if ((bestG.get(node.stateKey) ?? Infinity) < node.g) continue;
        if (node.h < closest.h || (node.h === closest.h && node.keys.length > closest.keys.length)) closest = node;
        if (node.keys.length >= maxDepth) continue;
        if (budget.exhausted() || tree.expansions >= maxExpansions) return finish(closest, "budget");
        const proposals = await propose(problem, node.state, k, budget);
        tree.expand(node.id);
        if (!proposals.ok) {
          if (proposals.reason === "budget") return finish(closest, "budget");
          continue;
        }
        for (const proposal of proposals.value as Proposal<A2>[]) {
          const outcome = await stepper.step(node, proposal.action);
          if (!outcome.ok) {
            if (outcome.reason === "budget") return finish(closest, "budget");
            continue;
          }
          const actionKey = env.actionKey(proposal.action);
          const keys = [...node.keys, actionKey];
          const to = outcome.value.state;
          const stepCost = await numeric(
            () => cost.g({ from: node.state, action: proposal.action, actionKey, to, frequency: proposal.frequency, plan: keys }),
            1,
          );
          const g = node.g + Math.max(0, stepCost);
          const stateKey = keyOf(env, to);
          if ((bestG.get(stateKey) ?? Infinity) <= g) continue;
          bestG.set(stateKey, g);
          const h = outcome.value.done ? 0 : await numeric(() => cost.h(to, { plan: keys, budget }), 0);
          const child: Node<S2, A2> = {
            id: tree.add(node.id, describe(env, proposal.action), stateKey, { g, h, f: g + h, frequency: proposal.frequency }),
            state: to,
            path: [...node.path, proposal.action],
            keys,
            g,
            h,
            f: g + h,
            done: outcome.value.done,
            stateKey,
            order: pushed++,
          };
          frontier.push(child);
        }
      }
    },
  };
}

/** Which finished plans grow ToolChain*'s memory during a run. */
export type MemoryGrowth =
  /** Plans the task's judge scored as successes (feedback after each task, as ToolChain* grows its memory). */
  | "judged"
  /** Every plan that reached a terminal state: the search's own claim, no ground truth at all. */
  | "terminal";

/**
 * ToolChain*'s long-term memory growing over a sequence of tasks: seeded from the train split,
 * extended with each task's plan once the task is over. A search for a task only ever sees the
 * plans of *other* tasks (`excluding`), so a task that comes round again (a rerun, another
 * budget) cannot be guided by its own earlier answer; callers should still give each independent
 * run (a benchmark cell) its own `GrowingPlanMemory`, so runs do not inform one another.
 */
export class GrowingPlanMemory {
  readonly memory: PlanMemory;

  constructor(
    seed: PlanMemory,
    readonly growth: MemoryGrowth = "judged",
  ) {
    // A copy: the seed is shared by every run and must stay as the train split left it.
    this.memory = seed.excluding();
  }

  /** A* with ToolChain*'s costs over the memory as it stands, without the task's own plans. */
  strategyFor<S, A>(taskId: string, options: Omit<AStarOptions<S, A>, "cost"> & { readonly costOptions?: ToolChainCostOptions<S> } = {}): Strategy {
    const { costOptions, ...rest } = options;
    return astar<S, A>({ ...rest, cost: toolChainCost(this.memory.excluding(taskId), costOptions) });
  }

  /**
   * Records a finished episode: its plan (action keys) joins the memory when it counts as a
   * success under `growth`. Returns whether it was added.
   */
  learn(taskId: string, plan: readonly string[], outcome: { readonly done: boolean; readonly success?: boolean }): boolean {
    const counts = this.growth === "judged" ? outcome.done && outcome.success === true : outcome.done;
    if (!counts || plan.length === 0) return false;
    this.memory.add(plan, taskId);
    return true;
  }
}
