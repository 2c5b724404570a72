/**
 * Monte Carlo tree search as RAP and llm-reasoners run it (`reasoners/algorithm/mcts.py`):
 *
 * - Lazy expansion: expanding a node asks the policy for its actions and adds them as children
 *   that are *not stepped*; a child is stepped (and its reward computed) only when selection or
 *   simulation reaches it. Until then its Q is its fast reward (the proposal's frequency).
 * - Selection: UCT, Q + w·√(ln N(parent) / max(1, N(child))), over all children (unvisited ones
 *   with their fast reward); or PUCT with the frequencies as priors (`prior: true`).
 * - Simulation: from the expanded leaf, the child of highest fast reward is stepped and expanded,
 *   and so on, until a terminal state or the depth limit (`simulate: "max"`; "sample" draws a child
 *   in proportion to its fast reward with `problem.random`).
 * - Reward: the value of the trajectory when a node is stepped (mean of `valueSamples` samples;
 *   without a value, 1 for a terminal state and 0 otherwise). Back-propagation accumulates the
 *   rewards along the path: each node on it records the sum of the rewards from it to the leaf,
 *   and Q is the mean of what it recorded.
 * - Answer: the terminal path of the highest summed reward among stepped nodes ("max-reward");
 *   none (the initial state, unanswered) when no terminal state was reached.
 *
 * A node for which the policy proposes nothing (it failed, or came back empty) is a dead end, as
 * in llm-reasoners (it is not asked again; progressive widening may still ask).
 *
 * Defaults follow llm-reasoners: 10 iterations, w = 1, depth limit 5. Nodes at the depth limit are
 * stepped and judged but get no children (llm-reasoners also asks the policy there; nothing can
 * use the answer). The search also stops when the budget is spent, or after 1,000 iterations in a
 * row that step no new node (a tree that cannot grow).
 *
 * Named variations: `answer: "visits"` (the most visited path, the earlier default) or
 * "best-terminal"; `expansion: "eager"` (every child stepped and judged when its parent is
 * expanded); `simulate: "none"` with `backup: "leaf"` (score the new leaf only and back up its
 * value, the earlier form); progressive widening.
 */
import { advance, answerOf, describe, keyOf, meanScore, propose, result, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "./types.js";

export interface MctsOptions {
  /** Iterations (selection → expansion → simulation → back-propagation). Default 10. */
  readonly iterations?: number;
  /** Exploration weight w. Default 1. */
  readonly exploration?: number;
  /** Actions per expansion (the most frequent among the policy's samples). Default 3. */
  readonly k?: number;
  /** Policy samples per expansion (the policy's default when undefined). */
  readonly samples?: number;
  /** Value samples averaged per reward. Default 1. */
  readonly valueSamples?: number;
  /** PUCT: weight exploration by each proposal's frequency (normalized among siblings). Default false. */
  readonly prior?: boolean;
  /** Nodes this deep are not expanded. Default 5. */
  readonly maxDepth?: number;
  /** "lazy" (default): children stepped when reached; "eager": all stepped and judged on expansion. */
  readonly expansion?: "lazy" | "eager";
  /** "max" (default): simulate along the highest fast reward; "sample": in proportion to it; "none": no simulation. */
  readonly simulate?: "max" | "sample" | "none";
  /** "path" (default): back up the sum of rewards to the leaf; "leaf": back up the leaf's reward. */
  readonly backup?: "path" | "leaf";
  /** "max-reward" (default), "visits" (the most visited path), "best-terminal" (the terminal node of highest reward). */
  readonly answer?: "max-reward" | "visits" | "best-terminal";
  /**
   * Progressive widening: a node visited N times may have up to ⌈coefficient · N^exponent⌉
   * children (at least k); when it is selected with room for more, the policy is asked again and
   * new actions join its children (unstepped). Off by default.
   */
  readonly widening?: { readonly coefficient: number; readonly exponent: number };
}

interface Node<S, A> {
  /** Tree id once stepped. */
  id?: number;
  readonly parent: Node<S, A> | undefined;
  readonly action: A | undefined;
  readonly actionKey: string;
  readonly fastReward: number;
  readonly depth: number;
  /** Set once stepped (with reward and done, together). */
  reached?: Reached<S, A>;
  reward: number;
  done: boolean;
  /** The step failed (the environment refused it): never answered, never expanded. */
  failed?: boolean;
  children: Node<S, A>[] | undefined;
  visits: number;
  total: number;
  /** Widening re-queries in a row that brought nothing new. */
  dry?: number;
}

/** Consecutive iterations that step no new node after which the search stops (the tree cannot grow). */
const IDLE_ITERATIONS = 1000;

export function mcts(options: MctsOptions = {}): Strategy {
  const iterations = options.iterations ?? 10;
  const w = options.exploration ?? 1;
  const k = Math.max(1, options.k ?? 3);
  const maxDepth = options.maxDepth ?? 5;
  const valueSamples = Math.max(1, options.valueSamples ?? 1);
  const eager = options.expansion === "eager";
  const simulateMode = options.simulate ?? "max";
  const backupLeaf = options.backup === "leaf";
  const answerMode = options.answer ?? "max-reward";
  return {
    name: "mcts",
    prefixMonotone: true,
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const env = problem.environment;
      const value = problem.value;
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      const start = await stepper.startReached();
      const root: Node<S, A> = { parent: undefined, action: undefined, actionKey: "", fastReward: 0, depth: 0, reached: start, reward: 0, done: false, children: undefined, visits: 0, total: 0 };
      root.id = tree.add(undefined, undefined, keyOf(env, start.state), { visits: 0, value: 0 });
      let stepped = 0;

      const q = (node: Node<S, A>): number => (node.reached === undefined || node.visits === 0 ? node.fastReward : node.total / node.visits);
      const terminalOrDeep = (node: Node<S, A>): boolean => node.done || node.failed === true || node.depth >= maxDepth;

      const select = (node: Node<S, A>): Node<S, A> => {
        const children = node.children ?? [];
        const priorTotal = children.reduce((sum, child) => sum + child.fastReward, 0) || 1;
        let chosen = children[0]!;
        let chosenScore = -Infinity;
        for (const child of children) {
          const score = options.prior
            ? q(child) + (w * (child.fastReward / priorTotal) * Math.sqrt(node.visits)) / (1 + child.visits)
            : q(child) + w * Math.sqrt(Math.log(Math.max(1, node.visits)) / Math.max(1, child.visits));
          if (score > chosenScore) {
            chosen = child;
            chosenScore = score;
          }
        }
        return chosen;
      };

      /** Steps an unstepped node and computes its reward; "budget" when the budget ran out. */
      const stepNode = async (node: Node<S, A>): Promise<"budget" | undefined> => {
        const parent = node.parent!.reached!;
        const outcome = await stepper.step(parent, node.action as A);
        if (!outcome.ok) {
          if (outcome.reason === "budget") return "budget";
          // The environment refused the step: the action leaves the tree.
          node.failed = true;
          node.children = [];
          const siblings = node.parent!.children;
          if (siblings) node.parent!.children = siblings.filter((child) => child !== node);
          return undefined;
        }
        const reached = advance(parent, node.action as A, outcome.value);
        let reward: number;
        if (value) {
          const scored = await meanScore(value, reached.trajectory, valueSamples, budget);
          if (!scored.ok && scored.reason === "budget") return "budget";
          reward = scored.ok ? scored.value : 0;
        } else {
          reward = outcome.value.done ? 1 : 0;
        }
        node.reached = reached;
        node.reward = reward;
        node.done = outcome.value.done;
        node.id = tree.add(node.parent!.id, describe(env, node.action as A), keyOf(env, reached.state), { visits: 0, value: 0, reward, prior: node.fastReward });
        stepped++;
        return undefined;
      };

      /** Adds children for new actions from the policy (unstepped); "budget" when the budget ran out. */
      const addChildren = async (node: Node<S, A>, want: number): Promise<number | "budget"> => {
        const at = node.reached!;
        const proposals = await propose(problem, at.state, want, budget, { ...(options.samples !== undefined ? { samples: options.samples } : {}), trajectory: at.trajectory });
        if (!proposals.ok && proposals.reason === "budget") return "budget";
        tree.expand(node.id!);
        // As in llm-reasoners, a node the policy offers no action for (a failed or empty proposal) is a dead end.
        if (!proposals.ok || proposals.value.length === 0) {
          node.children ??= [];
          return 0;
        }
        const seen = new Set((node.children ?? []).map((child) => child.actionKey));
        const fresh: Node<S, A>[] = [];
        for (const proposal of proposals.value) {
          const actionKey = env.actionKey(proposal.action);
          if (seen.has(actionKey)) continue;
          seen.add(actionKey);
          fresh.push({ parent: node, action: proposal.action, actionKey, fastReward: proposal.frequency, depth: node.depth + 1, reward: proposal.frequency, done: false, children: undefined, visits: 0, total: 0 });
        }
        node.children = [...(node.children ?? []), ...fresh];
        return fresh.length;
      };

      /** llm-reasoners' _expand: step the node if needed, then give it children (unless terminal or at the depth limit). */
      const expand = async (node: Node<S, A>): Promise<"budget" | undefined> => {
        if (node.reached === undefined && (await stepNode(node)) === "budget") return "budget";
        if (terminalOrDeep(node) || node.children !== undefined) return undefined;
        const added = await addChildren(node, k);
        if (added === "budget") return "budget";
        if (eager) {
          for (const child of node.children ?? []) if ((await stepNode(child)) === "budget") return "budget";
        }
        return undefined;
      };

      const simulate = async (path: Node<S, A>[]): Promise<"budget" | undefined> => {
        let node = path[path.length - 1]!;
        for (;;) {
          if (terminalOrDeep(node) || !node.children || node.children.length === 0) return undefined;
          let chosen = node.children[0]!;
          if (simulateMode === "sample") {
            const total = node.children.reduce((sum, child) => sum + child.fastReward, 0);
            let draw = problem.random() * total;
            for (const child of node.children) {
              chosen = child;
              draw -= child.fastReward;
              if (draw < 0) break;
            }
          } else {
            for (const child of node.children) if (child.fastReward > chosen.fastReward) chosen = child;
          }
          path.push(chosen);
          node = chosen;
          if ((await expand(node)) === "budget") return "budget";
          if (node.failed) return undefined;
        }
      };

      const backPropagate = (path: readonly Node<S, A>[]) => {
        let cumulative = 0;
        const leafReward = path[path.length - 1]!.reward;
        for (let i = path.length - 1; i >= 0; i--) {
          const node = path[i]!;
          cumulative += node === root ? 0 : node.reward;
          node.visits++;
          node.total += backupLeaf ? leafReward : cumulative;
          if (node.id !== undefined) tree.setScores(node.id, { visits: node.visits, value: node.total / node.visits });
        }
      };

      const answer = (): Node<S, A> => {
        const steppedChildren = (node: Node<S, A>) => (node.children ?? []).filter((child) => child.reached !== undefined && !child.failed);
        if (answerMode === "visits") {
          let chosen = root;
          while (!chosen.done) {
            let next: Node<S, A> | undefined;
            for (const child of steppedChildren(chosen)) if (child.visits > (next?.visits ?? 0)) next = child;
            if (!next) break;
            chosen = next;
          }
          return chosen;
        }
        if (answerMode === "best-terminal") {
          let best: Node<S, A> | undefined;
          const visit = (node: Node<S, A>) => {
            if (node.done) {
              if (best === undefined || node.reward > best.reward || (node.reward === best.reward && node.visits > best.visits)) best = node;
              return;
            }
            for (const child of steppedChildren(node)) visit(child);
          };
          visit(root);
          return best ?? root;
        }
        // max-reward: depth-first over stepped nodes, the terminal path of the highest summed reward.
        let best: Node<S, A> | undefined;
        let bestReward = -Infinity;
        const visit = (node: Node<S, A>, sum: number) => {
          if (node.done) {
            if (sum > bestReward) {
              best = node;
              bestReward = sum;
            }
            return;
          }
          for (const child of steppedChildren(node)) visit(child, sum + child.reward);
        };
        visit(root, 0);
        return best ?? root;
      };
      budget.reportAnswer(() => {
        const chosen = answer();
        return answerOf(chosen.reached!, chosen.done);
      });

      let stop: "budget" | "exhausted-frontier" | "limit" = "limit";
      let idle = 0;
      for (let iteration = 0; iteration < iterations; iteration++) {
        if (budget.exhausted()) {
          stop = "budget";
          break;
        }
        if (idle >= IDLE_ITERATIONS) {
          stop = "exhausted-frontier";
          break;
        }
        const steppedBefore = stepped;
        // Selection, with progressive widening where a node has earned more children.
        const path: Node<S, A>[] = [root];
        let node = root;
        let out: "budget" | undefined;
        for (;;) {
          if (node.children === undefined || terminalOrDeep(node)) break;
          if (options.widening && (node.dry ?? 0) < 3) {
            const room = Math.max(k, Math.ceil(options.widening.coefficient * Math.pow(node.visits, options.widening.exponent)));
            if (node.children.length < room) {
              const added = await addChildren(node, room);
              if (added === "budget") {
                out = "budget";
                break;
              }
              node.dry = added === 0 ? (node.dry ?? 0) + 1 : 0;
            }
          }
          if (node.children.length === 0) break;
          node = select(node);
          path.push(node);
          if (node.reached === undefined) break;
        }
        if (out === undefined && node.reached === undefined) out = await stepNode(node);
        if (out === undefined && !terminalOrDeep(node)) out = await expand(node);
        if (out === undefined && !terminalOrDeep(node) && simulateMode !== "none") out = await simulate(path);
        if (out === "budget") {
          stop = "budget";
          break;
        }
        if (node.reached === undefined) {
          // A node whose step failed: nothing to back up.
          idle++;
          continue;
        }
        backPropagate(path.filter((n) => n.reached !== undefined));
        idle = stepped === steppedBefore ? idle + 1 : 0;
      }
      const chosen = answer();
      await stepper.settle(chosen.reached!);
      return result(chosen.reached!, chosen.done, chosen.done ? "done" : stop, tree, budget, stepper, `iterations = ${iterations}`);
    },
  };
}
