/** Depth-first search over policy proposals with a depth limit, stopping at the first terminal state. */
import { uninformed, type UninformedOptions } from "./uninformed.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "./types.js";

/** `maxDepth` is the depth limit (default 10). */
export type DfsOptions = UninformedOptions;

export function dfs(options: DfsOptions = {}): Strategy {
  return {
    name: "dfs",
    prefixMonotone: true,
    search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      return uninformed("dfs", options, problem, budget);
    },
  };
}
