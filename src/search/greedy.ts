/** Greedy decoding over proposals: at every step, take the most frequent proposal. */
import { describe, keyOf, propose, result, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "./types.js";

export interface GreedyOptions {
  /** Proposals asked for at each step (the most frequent is taken). Default 5. */
  readonly samples?: number;
  /** Most steps of the episode. Default 50. */
  readonly maxSteps?: number;
  /** Further attempts at a step whose proposal failed (threw or came back empty). Default 2. */
  readonly retries?: number;
}

export function greedy(options: GreedyOptions = {}): Strategy {
  const samples = options.samples ?? 5;
  const maxSteps = options.maxSteps ?? 50;
  const retries = options.retries ?? 2;
  return {
    name: "greedy",
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const env = problem.environment;
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      let at: Reached<S, A> = { state: await stepper.start(), path: [] };
      let id = tree.add(undefined, undefined, keyOf(env, at.state), { depth: 0 });
      for (let depth = 0; depth < maxSteps; depth++) {
        let chosen: { action: A; frequency: number } | undefined;
        for (let attempt = 0; attempt <= retries && !chosen; attempt++) {
          const proposals = await propose(problem, at.state, samples, budget);
          if (!proposals.ok && proposals.reason === "budget") return result(at, false, "budget", tree, budget, stepper);
          if (proposals.ok) chosen = proposals.value[0];
        }
        if (!chosen) return result(at, false, budget.exhausted() ? "budget" : "exhausted-frontier", tree, budget, stepper);
        tree.expand(id);
        const outcome = await stepper.step(at, chosen.action);
        if (!outcome.ok) return result(at, false, budget.exhausted() ? "budget" : "exhausted-frontier", tree, budget, stepper);
        at = { state: outcome.value.state, path: [...at.path, chosen.action] };
        id = tree.add(id, describe(env, chosen.action), keyOf(env, at.state), {
          depth: depth + 1,
          frequency: chosen.frequency,
        });
        if (outcome.value.done) return result(at, true, "done", tree, budget, stepper);
      }
      return result(at, false, budget.exhausted() ? "budget" : "exhausted-frontier", tree, budget, stepper);
    },
  };
}
