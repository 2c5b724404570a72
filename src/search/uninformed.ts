/** The shared loop of breadth-first and depth-first search over policy proposals. */
import { answerOf, describe, keyOf, propose, result, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, SearchProblem, SearchResult } from "./types.js";

export interface UninformedOptions {
  /** Proposals per expansion. Default 3. */
  readonly k?: number;
  /** Samples the policy draws per expansion (its default when undefined). */
  readonly samples?: number;
  /** Nodes deeper than this are not expanded. Default: unlimited for BFS, 10 for DFS. */
  readonly maxDepth?: number;
  /** Most expansions. Default: unlimited. */
  readonly maxExpansions?: number;
  /** Skip children whose state key was already reached. Default true. */
  readonly dedupe?: boolean;
}

interface Node<S, A> extends Reached<S, A> {
  readonly id: number;
  readonly depth: number;
}

/**
 * Expands nodes in queue (BFS) or stack (DFS) order, stepping every proposal of an expansion and
 * stopping at the first terminal state generated. Without one, the deepest node reached (the
 * first of them) is returned.
 */
export async function uninformed<S, A>(
  order: "bfs" | "dfs",
  options: UninformedOptions,
  problem: SearchProblem<S, A>,
  budget: Budget,
): Promise<SearchResult<S, A>> {
  const k = options.k ?? 3;
  const maxDepth = options.maxDepth ?? (order === "dfs" ? 10 : Infinity);
  const maxExpansions = options.maxExpansions ?? Infinity;
  const dedupe = options.dedupe ?? true;
  const env = problem.environment;
  const tree = new TreeRecorder();
  const stepper = new Stepper(env, budget);
  const root: Node<S, A> = { id: 0, ...(await stepper.startReached()), depth: 0 };
  tree.add(undefined, undefined, keyOf(env, root.state), { depth: 0 });
  const seen = new Set<string>([keyOf(env, root.state)]);
  const frontier: Node<S, A>[] = [root];
  let deepest = root;
  budget.reportAnswer(() => answerOf(deepest, false));
  const stop = (reason: "budget" | "exhausted-frontier" | "limit") => result(deepest, false, reason, tree, budget, stepper, `maxExpansions = ${maxExpansions}`);
  while (frontier.length > 0) {
    if (budget.exhausted()) return stop("budget");
    if (tree.expansions >= maxExpansions) return stop("limit");
    const node = order === "bfs" ? frontier.shift() : frontier.pop();
    if (!node || node.depth >= maxDepth) continue;
    const proposals = await propose(problem, node.state, k, budget, { ...(options.samples !== undefined ? { samples: options.samples } : {}), trajectory: node.trajectory });
    tree.expand(node.id);
    if (!proposals.ok) {
      if (proposals.reason === "budget") return stop("budget");
      continue;
    }
    const children: Node<S, A>[] = [];
    for (const proposal of proposals.value) {
      const outcome = await stepper.advance(node, proposal.action);
      if (!outcome.ok) {
        if (outcome.reason === "budget") return stop("budget");
        continue;
      }
      const key = keyOf(env, outcome.value.reached.state);
      if (dedupe && seen.has(key) && !outcome.value.done) continue;
      seen.add(key);
      const child: Node<S, A> = {
        id: tree.add(node.id, describe(env, proposal.action), key, { depth: node.depth + 1, frequency: proposal.frequency }),
        ...outcome.value.reached,
        depth: node.depth + 1,
      };
      if (outcome.value.done) {
        await stepper.settle(child);
        return result(child, true, "done", tree, budget, stepper);
      }
      if (child.depth > deepest.depth) deepest = child;
      children.push(child);
    }
    if (order === "bfs") frontier.push(...children);
    else frontier.push(...children.reverse());
  }
  return stop(budget.exhausted() ? "budget" : "exhausted-frontier");
}
