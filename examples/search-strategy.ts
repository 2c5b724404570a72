// A strategy module for `ltlguard bench --strategy-module examples/search-strategy.ts`: one-step
// lookahead. At each step it asks the policy for k candidates, steps each, asks the value about
// each resulting trajectory, and commits to the best. `--param k=3,steps=20` sets its options.
import { extendTrajectory, startTrajectory, TreeRecorder } from "ltlguard/search";
import type { Budget, SearchProblem, SearchResult, Strategy, StrategyParameters, Trajectory } from "ltlguard/search";

export default function lookahead(parameters: StrategyParameters): Strategy {
  const k = Number(parameters["k"] ?? 3);
  const maxSteps = Number(parameters["steps"] ?? 20);
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`k must be a positive integer, got ${parameters["k"]}`);
  return {
    name: "lookahead",
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const { environment, policy, value } = problem;
      const tree = new TreeRecorder();
      let node = tree.add(undefined, undefined, environment.stateKey(environment.initial()));
      let path: Trajectory<S, A> = startTrajectory(environment.initial());
      let done = false;
      let stop: SearchResult<S, A>["stop"] = "limit";
      for (let step = 0; step < maxSteps && !done; step++) {
        const state = path.states.at(-1)!;
        if (budget.exhausted()) {
          stop = "budget";
          break;
        }
        tree.expand(node);
        const proposals = await policy.propose(state, k, budget, { trajectory: path });
        let best: { path: Trajectory<S, A>; score: number; done: boolean; node: number } | undefined;
        for (const { action, frequency } of proposals) {
          if (budget.exhausted()) break;
          budget.spend("envSteps");
          const outcome = await environment.step(state, action);
          const next = extendTrajectory(path, action, outcome.state, outcome.observation);
          // A finished episode ends the search; otherwise the value judges (or the policy's frequency, without one).
          const score = outcome.done ? 1 : value !== undefined && !budget.exhausted() ? await value.score(next, budget) : frequency;
          const child = tree.add(node, environment.describe(action), environment.stateKey(outcome.state), { value: score });
          if (best === undefined || score > best.score) best = { path: next, score, done: outcome.done, node: child };
        }
        if (best === undefined) {
          stop = budget.exhausted() ? "budget" : "exhausted-frontier";
          break;
        }
        ({ path, done, node } = best);
        if (done) stop = "done";
      }
      return { actions: path.actions, finalState: path.states.at(-1)!, done, stop, tree: tree.tree(), spent: budget.snapshot() };
    },
  };
}
