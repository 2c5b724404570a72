/**
 * Best-first tree search for agents, as Koh et al. ("Tree Search for Language Model Agents",
 * 2024) define it and as their released code (`kohjingyu/search-agents`, run.py) runs it:
 *
 * - At every real step the agent searches from its current state, then commits to the best
 *   trajectory the search found and searches again, up to `maxSteps` committed actions.
 * - Candidates: the policy is sampled max(2b, 20) times; the distinct actions are ranked by how
 *   often they came up and the b most frequent kept.
 * - The value judges the whole trajectory (success 1, on track 0.5, neither 0), averaged over n
 *   samples. Values are lazy: a candidate enters the frontier with its parent's value (the first
 *   candidates with 0.5) and is stepped and judged only when it is popped; only then are its own
 *   candidates sampled.
 * - The search budget c counts value evaluations (pops); depth d: a trajectory of at most d + 1
 *   actions from the current state; the search stops early at a value of 1 (the threshold).
 * - Ties on the frontier: the earlier first action, then the earlier sibling, then the earlier
 *   push (the order of the reference code's heap tuples).
 * - Backtracking: a reversible environment is branched directly; an irreversible one is reset and
 *   replayed (the reference code always resets; ours skips the reset when the real environment
 *   is already where the next step starts). Replayed steps and their time are counted.
 *
 * The reference code commits the whole best trajectory (`commit: "trajectory"`); `commit:
 * "first-action"` commits only its first action. It stops after a trajectory of value 1; ours stops
 * at a terminal state (the benchmark judges terminal states only), so a value-1 state that is not
 * terminal is searched on from. If the budget runs out mid-search, the answer is the best
 * trajectory that search found so far (what it would commit to), else the committed path.
 *
 * Named variations: `values: "eager"` (every child stepped and judged when its parent is
 * expanded, as this project's earlier variant did), `loop: "single"` (one search, no commit and
 * re-search: the answer is the best trajectory).
 */
import { advance, answerOf, describe, keyOf, meanScore, propose, result, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, Proposal, SearchProblem, SearchResult, Strategy } from "./types.js";

export interface BestFirstOptions {
  /** Candidate actions kept per expansion, b. Default 5. */
  readonly branching?: number;
  /** Policy samples per expansion. Default max(2b, 20). */
  readonly candidateSamples?: number;
  /** Value samples averaged per trajectory, n. Default 20 (the reference code's n). */
  readonly valueSamples?: number;
  /** Depth limit d: trajectories of at most d + 1 actions from the current state. Default 4. */
  readonly maxDepth?: number;
  /** Value evaluations per search, c. Default 20. */
  readonly valueBudget?: number;
  /** A trajectory valued at least this ends the search. Default 1. */
  readonly threshold?: number;
  /** Most committed actions (the outer loop's step limit). Default 30. */
  readonly maxSteps?: number;
  /** What is committed after a search. Default "trajectory" (the reference code). */
  readonly commit?: "trajectory" | "first-action";
  /** "lazy" (default): judged when popped; "eager": every child judged when generated. */
  readonly values?: "lazy" | "eager";
  /** "replan" (default): search, commit, search again; "single": one search. */
  readonly loop?: "replan" | "single";
  /** The priority of the first candidates, before any is judged. Default 0.5. */
  readonly initialPriority?: number;
  /** Further attempts when a proposal fails or comes back empty. Default 2. */
  readonly retries?: number;
}

/** A frontier entry: a candidate action from a reached state, not stepped yet. */
interface Candidate<S, A> {
  readonly priority: number;
  readonly rootIndex: number;
  readonly siblingIndex: number;
  readonly counter: number;
  readonly parent: Reached<S, A>;
  readonly parentId: number;
  readonly action: A;
  readonly frequency: number;
  /** 0 for the first action from the search's start. */
  readonly depth: number;
}

interface Judged<S, A> extends Reached<S, A> {
  readonly id: number;
  readonly value: number;
  readonly done: boolean;
}

const before = <S, A>(a: Candidate<S, A>, b: Candidate<S, A>): boolean =>
  a.priority !== b.priority
    ? a.priority > b.priority
    : a.rootIndex !== b.rootIndex
      ? a.rootIndex < b.rootIndex
      : a.siblingIndex !== b.siblingIndex
        ? a.siblingIndex < b.siblingIndex
        : a.counter < b.counter;

/** A tiny binary heap with the reference code's tuple order (highest priority first). */
class Frontier<S, A> {
  private readonly items: Candidate<S, A>[] = [];
  get size(): number {
    return this.items.length;
  }
  push(item: Candidate<S, A>): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  pop(): Candidate<S, A> | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l]!, items[m]!)) m = l;
        if (r < items.length && before(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}

export function bestFirst(options: BestFirstOptions = {}): Strategy {
  const branching = Math.max(1, options.branching ?? 5);
  const candidateSamples = Math.max(1, options.candidateSamples ?? Math.max(2 * branching, 20));
  const valueSamples = Math.max(1, options.valueSamples ?? 20);
  const maxDepth = options.maxDepth ?? 4;
  const valueBudget = options.valueBudget ?? 20;
  const threshold = options.threshold ?? 1;
  const maxSteps = options.maxSteps ?? 30;
  const commit = options.commit ?? "trajectory";
  const eager = options.values === "eager";
  const single = options.loop === "single";
  const initialPriority = options.initialPriority ?? 0.5;
  const retries = options.retries ?? 2;
  return {
    name: "best-first",
    prefixMonotone: true,
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const value = problem.value;
      if (!value) throw new Error("best-first search needs problem.value");
      const env = problem.environment;
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      let committed: Judged<S, A> = { ...(await stepper.startReached()), id: 0, value: 0, done: false };
      tree.add(undefined, undefined, keyOf(env, committed.state), { depth: 0, committed: 1 });
      /** The best trajectory of the search under way (what it would commit to). */
      let best: Judged<S, A> | undefined;
      const answer = (): Judged<S, A> => best ?? committed;
      budget.reportAnswer(() => {
        const chosen = answer();
        return answerOf(chosen, chosen.done);
      });
      const finish = async (stop: "done" | "budget" | "exhausted-frontier" | "limit"): Promise<SearchResult<S, A>> => {
        const chosen = answer();
        await stepper.settle(chosen);
        return result(chosen, chosen.done, chosen.done ? "done" : stop, tree, budget, stepper, single ? `loop = "single"` : `maxSteps = ${maxSteps}`);
      };

      /** The b most frequent of max(2b, 20) samples, with retries; "budget" when the budget ran out. */
      const candidates = async (at: Reached<S, A>, id: number): Promise<Proposal<A>[] | "budget"> => {
        for (let attempt = 0; attempt <= retries; attempt++) {
          const proposals = await propose(problem, at.state, branching, budget, { samples: candidateSamples, trajectory: at.trajectory });
          if (!proposals.ok && proposals.reason === "budget") return "budget";
          if (proposals.ok && proposals.value.length > 0) {
            tree.expand(id);
            return proposals.value;
          }
        }
        tree.expand(id);
        return [];
      };

      /** Steps a candidate and judges the trajectory: "budget" when the budget ran out. */
      const judge = async (candidate: Candidate<S, A>): Promise<Judged<S, A> | "budget" | undefined> => {
        const outcome = await stepper.step(candidate.parent, candidate.action);
        if (!outcome.ok) return outcome.reason === "budget" ? "budget" : undefined;
        const reached = advance(candidate.parent, candidate.action, outcome.value);
        const scored = await meanScore(value, reached.trajectory, valueSamples, budget);
        if (!scored.ok && scored.reason === "budget") return "budget";
        const v = scored.ok ? scored.value : 0;
        const id = tree.add(candidate.parentId, describe(env, candidate.action), keyOf(env, reached.state), {
          depth: reached.path.length,
          value: v,
          frequency: candidate.frequency,
        });
        return { ...reached, id, value: v, done: outcome.value.done };
      };

      /** One search from the committed state; the best trajectory, or undefined when nothing was judged. */
      const searchFrom = async (start: Judged<S, A>): Promise<Judged<S, A> | undefined | "budget"> => {
        best = undefined;
        const frontier = new Frontier<S, A>();
        let counter = 0;
        const first = await candidates(start, start.id);
        if (first === "budget") return "budget";
        const push = (from: Judged<S, A>, proposals: readonly Proposal<A>[], priority: number, rootIndex: number | undefined, depth: number) =>
          proposals.forEach((p, i) =>
            frontier.push({
              priority,
              rootIndex: rootIndex ?? i,
              siblingIndex: rootIndex === undefined ? -1 : i,
              counter,
              parent: from,
              parentId: from.id,
              action: p.action,
              frequency: p.frequency,
              depth,
            }),
          );
        const consider = (judged: Judged<S, A>) => {
          if (best === undefined || judged.value > best.value) best = judged;
        };
        if (eager) {
          // The earlier variant: every child judged when generated; the frontier is ordered by the child's own value.
          const judgeAll = async (from: Judged<S, A>, proposals: readonly Proposal<A>[], rootIndex: number | undefined, depth: number): Promise<"budget" | "stop" | undefined> => {
            for (const [i, p] of proposals.entries()) {
              if (counter >= valueBudget) return "stop";
              counter++;
              const judged = await judge({ priority: 0, rootIndex: 0, siblingIndex: 0, counter, parent: from, parentId: from.id, action: p.action, frequency: p.frequency, depth });
              if (judged === "budget") return "budget";
              if (judged === undefined) continue;
              consider(judged);
              if (judged.value >= threshold) return "stop";
              frontier.push({ priority: judged.value, rootIndex: rootIndex ?? i, siblingIndex: rootIndex === undefined ? -1 : i, counter, parent: judged, parentId: judged.id, action: undefined as A, frequency: p.frequency, depth });
            }
            return undefined;
          };
          const started = await judgeAll(start, first, undefined, 0);
          if (started === "budget") return "budget";
          if (started === "stop") return best;
          for (;;) {
            const item = frontier.pop();
            if (item === undefined) return best;
            const node = item.parent as Judged<S, A>;
            if (node.done || item.depth >= maxDepth) continue;
            const next = await candidates(node, node.id);
            if (next === "budget") return "budget";
            const outcome = await judgeAll(node, next, item.rootIndex, item.depth + 1);
            if (outcome === "budget") return "budget";
            if (outcome === "stop") return best;
          }
        }
        push(start, first, initialPriority, undefined, 0);
        while (frontier.size > 0 && counter < valueBudget) {
          const item = frontier.pop()!;
          counter++;
          const judged = await judge(item);
          if (judged === "budget") return "budget";
          if (judged === undefined) continue;
          consider(judged);
          if (judged.value >= threshold) break;
          if (judged.done || item.depth >= maxDepth) continue;
          const next = await candidates(judged, judged.id);
          if (next === "budget") return "budget";
          push(judged, next, judged.value, item.rootIndex, item.depth + 1);
        }
        return best;
      };

      for (let steps = 0; steps < maxSteps && !committed.done; ) {
        const found = await searchFrom(committed);
        if (found === "budget") return finish("budget");
        if (found === undefined) return finish(budget.exhausted() ? "budget" : "exhausted-frontier");
        // Commit: the whole best trajectory, or its first action.
        const chosen: Judged<S, A> =
          commit === "trajectory" || found.path.length === committed.path.length + 1 ? found : prefixOf(found, committed.path.length + 1, tree);
        best = undefined;
        committed = chosen;
        tree.setScores(chosen.id, { committed: 1 });
        steps = chosen.path.length;
        if (single) break;
      }
      return finish(committed.done ? "done" : budget.exhausted() ? "budget" : "limit");
    },
  };
}

/** The first `length` steps of a judged trajectory, as a judged node (the tree node on its path). */
function prefixOf<S, A>(node: Judged<S, A>, length: number, tree: TreeRecorder): Judged<S, A> {
  const t = node.trajectory;
  let id = node.id;
  const nodes = tree.tree();
  for (let depth = node.path.length; depth > length; depth--) id = nodes[id]?.parent ?? id;
  const value = nodes[id]?.scores.value ?? 0;
  return {
    state: t.states[length]!,
    path: node.path.slice(0, length),
    trajectory: { states: t.states.slice(0, length + 1), actions: t.actions.slice(0, length), observations: t.observations.slice(0, length) },
    id,
    value,
    done: false,
  };
}
