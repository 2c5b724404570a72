/**
 * Greedy decoding over proposals (autoregressive planning): at every step, draw `samples` samples
 * from the policy and take the most frequent action, until the episode ends.
 */
import { answerOf, describe, keyOf, propose, result, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "./types.js";

export interface GreedyOptions {
  /** Samples drawn at each step (the most frequent action is taken). Default 5. */
  readonly samples?: number;
  /** Most steps of the episode. Default 50. */
  readonly maxSteps?: number;
  /** Further attempts at a step whose proposal failed (threw or came back empty). Default 2. */
  readonly retries?: number;
}

export function greedy(options: GreedyOptions = {}): Strategy {
  const samples = Math.max(1, options.samples ?? 5);
  const maxSteps = options.maxSteps ?? 50;
  const retries = options.retries ?? 2;
  return {
    name: "greedy",
    prefixMonotone: true,
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const env = problem.environment;
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      let at: Reached<S, A> = await stepper.startReached();
      budget.reportAnswer(() => answerOf(at, false));
      let id = tree.add(undefined, undefined, keyOf(env, at.state), { depth: 0 });
      const stop = () => result(at, false, budget.exhausted() ? "budget" : "exhausted-frontier", tree, budget, stepper);
      for (let depth = 0; depth < maxSteps; depth++) {
        let chosen: { action: A; frequency: number } | undefined;
        for (let attempt = 0; attempt <= retries && !chosen; attempt++) {
          const proposals = await propose(problem, at.state, 1, budget, { samples, trajectory: at.trajectory });
          if (!proposals.ok && proposals.reason === "budget") return result(at, false, "budget", tree, budget, stepper);
          if (proposals.ok) chosen = proposals.value[0];
        }
        if (!chosen) return stop();
        tree.expand(id);
        const next = await stepper.advance(at, chosen.action);
        if (!next.ok) return stop();
        at = next.value.reached;
        id = tree.add(id, describe(env, chosen.action), keyOf(env, at.state), { depth: depth + 1, frequency: chosen.frequency });
        if (next.value.done) return result(at, true, "done", tree, budget, stepper);
      }
      return result(at, false, "limit", tree, budget, stepper, `maxSteps = ${maxSteps}`);
    },
  };
}
