/**
 * SimuRA-style planning with a world model: at each real step, sample many intents (k large),
 * merge duplicates (by action key, summing frequency), keep the top few, predict each outcome with
 * the world model, score the predicted state with the value, and act on the best for real; repeat
 * until the episode is done or the budget is spent.
 */
import { describe, keyOf, predict, propose, result, score, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, Proposal, SearchProblem, SearchResult, Strategy } from "./types.js";

export interface SimuraOptions {
  /** Intents sampled per step (policy proposals). Default 20. */
  readonly samples?: number;
  /** Intents simulated per step, the most frequent after merging. Default 3. */
  readonly keep?: number;
  /** Most real steps. Default 20. */
  readonly maxSteps?: number;
}

export function simura(options: SimuraOptions = {}): Strategy {
  const samples = options.samples ?? 20;
  const keep = Math.max(1, options.keep ?? 3);
  const maxSteps = options.maxSteps ?? 20;
  return {
    name: "simura",
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const { value, worldModel } = problem;
      if (!value || !worldModel) throw new Error("SimuRA planning needs problem.worldModel and problem.value");
      const env = problem.environment;
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      let at: Reached<S, A> = { state: await stepper.start(), path: [] };
      let id = tree.add(undefined, undefined, keyOf(env, at.state), { depth: 0, real: 1 });
      const stop = (reason: "budget" | "exhausted-frontier") => result(at, false, reason, tree, budget, stepper);
      for (let depth = 0; depth < maxSteps; depth++) {
        const proposals = await propose(problem, at.state, samples, budget);
        if (!proposals.ok) return stop(proposals.reason === "budget" ? "budget" : "exhausted-frontier");
        if (proposals.value.length === 0) return stop(budget.exhausted() ? "budget" : "exhausted-frontier");
        tree.expand(id);
        let best: { proposal: Proposal<A>; value: number } | undefined;
        for (const proposal of proposals.value.slice(0, keep)) {
          const predicted = await predict(worldModel, at.state, proposal.action, budget);
          if (!predicted.ok) {
            if (predicted.reason === "budget") break;
            continue;
          }
          const scored = await score(value, predicted.value, budget);
          const predictedValue = scored.ok ? scored.value : 0;
          tree.add(id, describe(env, proposal.action), keyOf(env, predicted.value), {
            depth: depth + 1,
            frequency: proposal.frequency,
            value: predictedValue,
            predicted: 1,
          });
          if (!scored.ok) {
            if (scored.reason === "budget") break;
            continue;
          }
          // Ties keep the earlier (more frequent) intent.
          if (!best || predictedValue > best.value) best = { proposal, value: predictedValue };
        }
        if (!best) return stop(budget.exhausted() ? "budget" : "exhausted-frontier");
        const outcome = await stepper.step(at, best.proposal.action);
        if (!outcome.ok) return stop(outcome.reason === "budget" ? "budget" : "exhausted-frontier");
        at = { state: outcome.value.state, path: [...at.path, best.proposal.action] };
        id = tree.add(id, describe(env, best.proposal.action), keyOf(env, at.state), {
          depth: depth + 1,
          frequency: best.proposal.frequency,
          value: best.value,
          real: 1,
        });
        if (outcome.value.done) return result(at, true, "done", tree, budget, stepper);
      }
      return stop(budget.exhausted() ? "budget" : "exhausted-frontier");
    },
  };
}
