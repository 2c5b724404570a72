/**
 * A* over policy proposals as ToolChain* (Zhuang et al., ICLR 2024) runs it: the frontier is
 * ordered by f = g + h, each expansion is one policy proposal, and the search ends as soon as a
 * terminal node is generated. `toolChainCost` is ToolChain*'s cost model (long-term memory of
 * successful plans matched by LCS, self-consistency frequency, typical position in memory plans,
 * imagined plans); `uniformCost` and a hand-written admissible `h` give plain A* / uniform-cost
 * search. The earlier form stays available as options (`goalTest: "expansion"`, and
 * `toolChainCost`'s `combine: "linear"`, `h: "fraction"`, `imagination: false`).
 */
import { Heap } from "heap-js";
import { answerOf, describe, imagine, keyOf, propose, result, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, Proposal, SearchProblem, SearchResult, Strategy } from "./types.js";

/** One step of a partial plan, as costs see it. */
export interface AStarStep<S, A> {
  readonly from: S;
  readonly action: A;
  /** The step's key in plans (`AStarOptions.key`). */
  readonly actionKey: string;
  readonly to: S;
  /** The proposal's self-consistency frequency. */
  readonly frequency: number;
  /** Keys of the partial plan, this step included. */
  readonly plan: readonly string[];
}

/** Context of a heuristic estimate: the partial plan that reached the state. */
export interface AStarContext {
  /** Keys of the plan so far (empty at the root). */
  readonly plan: readonly string[];
  readonly budget: Budget;
  /** g of the node. */
  readonly g: number;
  /** The steps left in the plan the policy imagines from this node (one model call, counted, at most once per node); undefined when the policy cannot imagine or the call failed. */
  imagine(): Promise<number | undefined>;
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

  /** The mean length of the stored plans (0 when empty). */
  meanLength(): number {
    return this.stored.length === 0 ? 0 : this.stored.reduce((sum, plan) => sum + plan.length, 0) / this.stored.length;
  }

  /**
   * How much of a typical memory plan is done after this action: the mean of i / |m| over the
   * occurrences of the action at 1-based position i of memory plans m; undefined if it never occurs.
   */
  positionDone(actionKey: string): number | undefined {
    const left = this.remainingFraction(actionKey);
    return left === undefined ? undefined : 1 - left;
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

export interface ToolChainCostOptions {
  /**
   * How g's two scores combine into a step: "geometric" (default, the paper's weighted geometric
   * mean of the memory score and the self-consistency frequency) or "linear" (the earlier form:
   * a weighted sum of their complements).
   */
  readonly combine?: "geometric" | "linear";
  /** Weight α of the memory (LCS) score in g; the frequency gets 1 − α. Default 0.5. */
  readonly memoryWeight?: number;
  /** Weight β of the memory-position estimate in h; imagination gets 1 − β (when it answers). Default 0.5. */
  readonly positionWeight?: number;
  /**
   * "steps" (default): h is on g's scale — the estimated steps left times the mean step cost of
   * the path so far; "fraction": the earlier form, the share of a typical plan left (times hScale).
   */
  readonly h?: "steps" | "fraction";
  /** Steps assumed left when nothing estimates them (no memory plan has the action, no imagination). Default: the mean length of the memory plans. */
  readonly unknownSteps?: number;
  /** With h "fraction": the share left for an action no memory plan contains. Default 1. */
  readonly unknownRemaining?: number;
  /** With h "fraction": scales h. Default 1. */
  readonly hScale?: number;
  /** Ask the policy to imagine the rest of the plan (one model call per generated node, counted). Default true. */
  readonly imagination?: boolean;
}

/** Floors a score so that a geometric mean never collapses to 0 (log 0): a score of 0 counts as this. */
const SCORE_FLOOR = 1e-3;

/**
 * ToolChain*'s cost model (Zhuang et al., ICLR 2024).
 * - Step score s = m^α · c^(1−α): the weighted geometric mean of the long-term-memory score m
 *   (the best normalized LCS of the partial plan's keys with a memory plan) and the step's
 *   self-consistency frequency c; the step's cost is 1 − s, and g sums the step costs.
 * - h: the share φ of the plan already done after d steps is estimated as p^β · q^(1−β), where p
 *   is the action's typical relative position in memory plans (its 1-based index over the plan's
 *   length, averaged) and q = d / (d + r) with r the steps left in the plan the policy imagines
 *   (one sampled completion, counted; `Policy.imagine`). The steps left are d·(1 − φ)/φ, and
 *   h = steps left × the mean step cost of the path so far, so that h is on g's scale (it
 *   estimates the cost still to pay). Without an estimate (the action is in no memory plan and
 *   nothing is imagined) `unknownSteps` are assumed left. A terminal node has h = 0.
 * The earlier form stays available: `combine: "linear"`, `h: "fraction"`, `imagination: false`.
 */
export function toolChainCost<S, A>(memory: PlanMemory, options: ToolChainCostOptions = {}): AStarCost<S, A> {
  const alpha = options.memoryWeight ?? 0.5;
  const beta = options.positionWeight ?? 0.5;
  const geometric = (options.combine ?? "geometric") === "geometric";
  const fractionH = options.h === "fraction";
  const unknownRemaining = options.unknownRemaining ?? 1;
  const hScale = options.hScale ?? 1;
  const imagination = options.imagination ?? true;
  const unknownSteps = options.unknownSteps ?? (memory.meanLength() || 5);
  const clamp = (x: number) => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
  return {
    g(step) {
      const m = clamp(memory.similarity(step.plan));
      const c = clamp(step.frequency);
      if (!geometric) return alpha * (1 - m) + (1 - alpha) * (1 - c);
      return 1 - Math.pow(Math.max(SCORE_FLOOR, m), alpha) * Math.pow(Math.max(SCORE_FLOOR, c), 1 - alpha);
    },
    async h(_state, context) {
      const { plan } = context;
      const last = plan[plan.length - 1];
      if (fractionH) {
        if (last === undefined) return hScale;
        const position = memory.remainingFraction(last) ?? unknownRemaining;
        let estimate = position;
        if (imagination) {
          const imagined = await context.imagine();
          if (imagined !== undefined) estimate = beta * position + (1 - beta) * (imagined / (plan.length + imagined || 1));
        }
        return estimate * hScale;
      }
      const d = plan.length;
      if (d === 0) return 0;
      const meanStepCost = context.g / d;
      const p = last === undefined ? undefined : memory.positionDone(last);
      const imagined = imagination ? await context.imagine() : undefined;
      const q = imagined === undefined ? undefined : d / (d + imagined);
      let done: number | undefined;
      if (p !== undefined && q !== undefined) done = Math.pow(Math.max(SCORE_FLOOR, p), beta) * Math.pow(Math.max(SCORE_FLOOR, q), 1 - beta);
      else done = p ?? q;
      const stepsLeft = done === undefined ? unknownSteps : (d * (1 - done)) / Math.max(SCORE_FLOOR, done);
      return stepsLeft * meanStepCost;
    },
  };
}

export interface AStarOptions<S, A> {
  /** The costs; default `uniformCost()`. */
  readonly cost?: AStarCost<S, A>;
  /** Proposals per expansion. Default 3. */
  readonly k?: number;
  /** Policy samples per expansion (the policy's default when undefined). */
  readonly samples?: number;
  /** Most expansions. Default: unlimited. */
  readonly maxExpansions?: number;
  /** Nodes this deep are not expanded. Default: unlimited. */
  readonly maxDepth?: number;
  /**
   * When a terminal state ends the search: "generation" (default, ToolChain*: as soon as a
   * terminal node is generated) or "expansion" (the earlier form, and textbook A*: when it is popped).
   */
  readonly goalTest?: "generation" | "expansion";
  /**
   * The key a step has in plans (`AStarStep.plan`, what memories match): default the
   * environment's action key. ToolChain*'s memory matches API names or argument roles, not
   * literal arguments (task-specific ids never recur), so the tool-planning suite passes a key
   * that abstracts arguments (`toolRoleKey` in `src/envs/tool-planning-memory.ts`).
   */
  readonly key?: (from: S, action: A) => string;
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
 * A* graph search: pops the lowest f (ties: the earliest pushed) and expands it with one proposal
 * (k candidate actions); by default stops as soon as a terminal state is generated (ToolChain*'s
 * goal test). States already reached at no greater g are skipped. Without a terminal state,
 * returns the reached node of least h (the closest guess), unanswered.
 */
export function astar<S = unknown, A = unknown>(options: AStarOptions<S, A> = {}): Strategy {
  const k = options.k ?? 3;
  const maxExpansions = options.maxExpansions ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const atGeneration = (options.goalTest ?? "generation") === "generation";
  return {
    name: "astar",
    prefixMonotone: true,
    async search<S2, A2>(problem: SearchProblem<S2, A2>, budget: Budget): Promise<SearchResult<S2, A2>> {
      const cost = (options.cost ?? uniformCost()) as unknown as AStarCost<S2, A2>;
      const keyFor = (options.key as unknown as ((from: S2, action: A2) => string) | undefined) ?? ((_from: S2, action: A2) => problem.environment.actionKey(action));
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
      /** Imagination for h: the policy's imagined steps left (one model call), memoized per node; undefined when unavailable. */
      let imaginationOut = false;
      const imagineFor = (at: Reached<S2, A2>) => {
        let memo: Promise<number | undefined> | undefined;
        return () =>
          (memo ??= (async () => {
            const answer = await imagine(problem, at.state, budget, { trajectory: at.trajectory });
            if (!answer.ok) {
              if (answer.reason === "budget") imaginationOut = true;
              return undefined;
            }
            return answer.value.length;
          })());
      };
      const start = await stepper.startReached();
      const rootKey = keyOf(env, start.state);
      const h0 = await numeric(() => cost.h(start.state, { plan: [], budget, g: 0, imagine: async () => undefined }), 0);
      const root: Node<S2, A2> = { id: tree.add(undefined, undefined, rootKey, { g: 0, h: h0, f: h0 }), ...start, keys: [], g: 0, h: h0, f: h0, done: false, stateKey: rootKey, order: 0 };
      const frontier = new Heap<Node<S2, A2>>((a, b) => a.f - b.f || a.order - b.order);
      frontier.push(root);
      const bestG = new Map<string, number>([[rootKey, 0]]);
      let closest = root;
      let found: Node<S2, A2> | undefined;
      let pushed = 1;
      budget.reportAnswer(() => {
        const chosen = found ?? closest;
        return answerOf(chosen, chosen.done);
      });
      const finish = async (node: Node<S2, A2>, stop: "done" | "budget" | "exhausted-frontier" | "limit") => {
        await stepper.settle(node);
        return result(node, node.done, stop, tree, budget, stepper, `maxExpansions = ${maxExpansions}`);
      };
      for (;;) {
        const node = frontier.pop();
        if (!node) return finish(closest, budget.exhausted() ? "budget" : "exhausted-frontier");
        if (node.done) return finish(node, "done");
        if ((bestG.get(node.stateKey) ?? Infinity) < node.g) continue;
        if (node.h < closest.h || (node.h === closest.h && node.keys.length > closest.keys.length)) closest = node;
        if (node.keys.length >= maxDepth) continue;
        if (budget.exhausted()) return finish(closest, "budget");
        if (tree.expansions >= maxExpansions) return finish(closest, "limit");
        const proposals = await propose(problem, node.state, k, budget, { ...(options.samples !== undefined ? { samples: options.samples } : {}), trajectory: node.trajectory });
        if (!proposals.ok && proposals.reason === "budget") return finish(closest, "budget");
        tree.expand(node.id);
        if (!proposals.ok) continue;
        for (const proposal of proposals.value as Proposal<A2>[]) {
          const outcome = await stepper.advance(node, proposal.action);
          if (!outcome.ok) {
            if (outcome.reason === "budget") return finish(closest, "budget");
            continue;
          }
          const reached = outcome.value.reached;
          const actionKey = keyFor(node.state, proposal.action);
          const keys = [...node.keys, actionKey];
          const to = reached.state;
          const stepCost = await numeric(() => cost.g({ from: node.state, action: proposal.action, actionKey, to, frequency: proposal.frequency, plan: keys }), 1);
          const g = node.g + Math.max(0, stepCost);
          const stateKey = keyOf(env, to);
          if ((bestG.get(stateKey) ?? Infinity) <= g) continue;
          bestG.set(stateKey, g);
          const done = outcome.value.done;
          const h = done ? 0 : await numeric(() => cost.h(to, { plan: keys, budget, g, imagine: imagineFor(reached) }), 0);
          if (imaginationOut) return finish(closest, "budget");
          const child: Node<S2, A2> = {
            id: tree.add(node.id, describe(env, proposal.action), stateKey, { g, h, f: g + h, frequency: proposal.frequency }),
            ...reached,
            keys,
            g,
            h,
            f: g + h,
            done,
            stateKey,
            order: pushed++,
          };
          if (done && atGeneration) {
            found = child;
            return finish(child, "done");
          }
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
  strategyFor<S, A>(taskId: string, options: Omit<AStarOptions<S, A>, "cost"> & { readonly costOptions?: ToolChainCostOptions } = {}): Strategy {
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
