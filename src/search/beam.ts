/** Beam search: expand each of the w beams with k proposals, keep the w best children by value. */
import { answerOf, describe, keyOf, propose, result, score, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "./types.js";

export interface BeamOptions {
  /** Beam width w. Default 3. */
  readonly width?: number;
  /** Proposals per beam. Default 3. */
  readonly k?: number;
  /** Most layers. Default 10. */
  readonly maxDepth?: number;
}

interface Node<S, A> extends Reached<S, A> {
  readonly id: number;
  readonly value: number;
  readonly done: boolean;
  /** Creation order, for ties. */
  readonly order: number;
}

const best = <S, A>(nodes: readonly Node<S, A>[]): Node<S, A> | undefined =>
  [...nodes].sort((a, b) => b.value - a.value || a.order - b.order)[0];

/**
 * Layer by layer: every unfinished beam is expanded, its children stepped and scored; the w best
 * candidates (finished ones included) become the next beam. The search ends when every beam is
 * finished, returning the best finished episode (or, without one, the best beam).
 */
export function beam(options: BeamOptions = {}): Strategy {
  const width = Math.max(1, options.width ?? 3);
  const k = options.k ?? 3;
  const maxDepth = options.maxDepth ?? 10;
  return {
    name: "beam",
    prefixMonotone: true,
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const value = problem.value;
      if (!value) throw new Error("beam search needs problem.value");
      const env = problem.environment;
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      const root: Node<S, A> = { id: 0, ...(await stepper.startReached()), value: 0, done: false, order: 0 };
      tree.add(undefined, undefined, keyOf(env, root.state), { depth: 0 });
      let beams: Node<S, A>[] = [root];
      const finished: Node<S, A>[] = [];
      const chosenNow = (): Node<S, A> => best(finished) ?? best(beams) ?? root;
      budget.reportAnswer(() => {
        const chosen = chosenNow();
        return answerOf(chosen, chosen.done);
      });
      const finish = async (stop: "done" | "budget" | "exhausted-frontier" | "limit"): Promise<SearchResult<S, A>> => {
        const chosen = chosenNow();
        await stepper.settle(chosen);
        return result(chosen, chosen.done, finished.length > 0 && stop !== "budget" ? "done" : stop, tree, budget, stepper, `maxDepth = ${maxDepth}`);
      };
      for (let depth = 0; depth < maxDepth; depth++) {
        const candidates: Node<S, A>[] = beams.filter((node) => node.done);
        for (const node of beams) {
          if (node.done) continue;
          const proposals = await propose(problem, node.state, k, budget, { trajectory: node.trajectory });
          if (!proposals.ok && proposals.reason === "budget") return finish("budget");
          tree.expand(node.id);
          if (!proposals.ok) continue;
          for (const proposal of proposals.value) {
            const outcome = await stepper.advance(node, proposal.action);
            if (!outcome.ok) {
              if (outcome.reason === "budget") return finish("budget");
              continue;
            }
            const reached = outcome.value.reached;
            const scored = await score(value, reached.trajectory, budget);
            if (!scored.ok && scored.reason === "budget") return finish("budget");
            const childValue = scored.ok ? scored.value : 0;
            const child: Node<S, A> = {
              id: tree.add(node.id, describe(env, proposal.action), keyOf(env, reached.state), {
                depth: depth + 1,
                frequency: proposal.frequency,
                value: childValue,
              }),
              ...reached,
              value: childValue,
              done: outcome.value.done,
              order: tree.size,
            };
            if (child.done) finished.push(child);
            candidates.push(child);
          }
        }
        if (candidates.length === 0) return finish(budget.exhausted() ? "budget" : "exhausted-frontier");
        beams = [...candidates].sort((a, b) => b.value - a.value || a.order - b.order).slice(0, width);
        for (const [rank, node] of beams.entries()) tree.setScores(node.id, { beamRank: rank });
        if (beams.every((node) => node.done)) return finish("done");
      }
      return finish(budget.exhausted() ? "budget" : "limit");
    },
  };
}
