/** Breadth-first search over policy proposals (k per expansion), stopping at the first terminal state. */
import { uninformed, type UninformedOptions } from "./uninformed.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "./types.js";

export type BfsOptions = UninformedOptions;

export function bfs(options: BfsOptions = {}): Strategy {
  return {
    name: "bfs",
    prefixMonotone: true,
    search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      return uninformed("bfs", options, problem, budget);
    },
  };
}
