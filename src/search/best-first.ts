/**
 * Best-first tree search for agents (after Koh et al., "Tree Search for Language Model Agents"):
 * at each expansion, sample b distinct candidate actions, score each resulting state with the
 * value averaged over n samples, push them into a max-priority frontier; stop when a state's
 * value reaches the threshold or a state is terminal, with a depth limit d and at most c
 * expansions. Backtracking branches reversible environments directly and otherwise restores a
 * snapshot or resets and replays the node's actions (each replayed step counted).
 */
import { Heap } from "heap-js";
import { describe, keyOf, meanScore, propose, result, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "./types.js";

export interface BestFirstOptions {
  /** Candidate actions sampled per expansion, b. Default 5. */
  readonly branching?: number;
  /** Value samples averaged per state, n. Default 1. */
  readonly valueSamples?: number;
  /** Depth limit d. Default 5. */
  readonly maxDepth?: number;
  /** Most expansions, c. Default 20. */
  readonly maxExpansions?: number;
  /** A state scoring at least this ends the search. Default 1. */
  readonly threshold?: number;
}

interface Node<S, A> extends Reached<S, A> {
  readonly id: number;
  readonly value: number;
  readonly done: boolean;
  readonly order: number;
}

export function bestFirst(options: BestFirstOptions = {}): Strategy {
  const branching = options.branching ?? 5;
  const samples = options.valueSamples ?? 1;
  const maxDepth = options.maxDepth ?? 5;
  const maxExpansions = options.maxExpansions ?? 20;
  const threshold = options.threshold ?? 1;
  return {
    name: "best-first",
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const value = problem.value;
      if (!value) throw new Error("best-first search needs problem.value");
      const env = problem.environment;
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      const state0 = await stepper.start();
      const rootScore = await meanScore(value, state0, samples, budget);
      const root: Node<S, A> = {
        id: tree.add(undefined, undefined, keyOf(env, state0), { depth: 0, value: rootScore.ok ? rootScore.value : 0 }),
        state: state0,
        path: [],
        value: rootScore.ok ? rootScore.value : 0,
        done: false,
        order: 0,
      };
      // The best state seen: highest value, terminal first among equals, then the earliest.
      let bestSeen = root;
      const better = (a: Node<S, A>, b: Node<S, A>) =>
        a.value > b.value || (a.value === b.value && a.done && !b.done);
      const finish = async (node: Node<S, A>, stop: "done" | "budget" | "exhausted-frontier") => {
        await stepper.settle(node);
        const reached = node.done || node.value >= threshold;
        return result(node, node.done, reached ? "done" : stop, tree, budget, stepper);
      };
      const frontier = new Heap<Node<S, A>>((a, b) => b.value - a.value || a.order - b.order);
      frontier.push(root);
      let pushed = 1;
      for (;;) {
        const node = frontier.pop();
        if (!node) return finish(bestSeen, budget.exhausted() ? "budget" : "exhausted-frontier");
        if (node.value >= threshold || node.done) return finish(node, "done");
        if (node.path.length >= maxDepth) continue;
        if (budget.exhausted() || tree.expansions >= maxExpansions) return finish(bestSeen, "budget");
        const proposals = await propose(problem, node.state, branching, budget);
        tree.expand(node.id);
        if (!proposals.ok) {
          if (proposals.reason === "budget") return finish(bestSeen, "budget");
          continue;
        }
        for (const proposal of proposals.value) {
          const outcome = await stepper.step(node, proposal.action);
          if (!outcome.ok) {
            if (outcome.reason === "budget") return finish(bestSeen, "budget");
            continue;
          }
          const scored = await meanScore(value, outcome.value.state, samples, budget);
          const childValue = scored.ok ? scored.value : 0;
          const child: Node<S, A> = {
            id: tree.add(node.id, describe(env, proposal.action), keyOf(env, outcome.value.state), {
              depth: node.path.length + 1,
              value: childValue,
              frequency: proposal.frequency,
            }),
            state: outcome.value.state,
            path: [...node.path, proposal.action],
            value: childValue,
            done: outcome.value.done,
            order: pushed++,
          };
          if (better(child, bestSeen)) bestSeen = child;
          frontier.push(child);
          if (!scored.ok && scored.reason === "budget") return finish(bestSeen, "budget");
        }
      }
    },
  };
}
