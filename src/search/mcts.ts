/**
 * Monte Carlo tree search (UCT) over policy proposals: selection by UCB1 (or PUCT with the
 * proposals' frequencies as priors), expansion by the policy's proposals, simulation by a policy
 * rollout or the value's estimate, backpropagation of the mean value; the answer is the most
 * visited path. The environment defines the operations (thought-graph operations, bandit arms).
 */
import { describe, keyOf, propose, result, score, Stepper, TreeRecorder, type Reached } from "./common.js";
import type { Budget, SearchProblem, SearchResult, Strategy } from "./types.js";

export interface MctsOptions {
  /** Iterations (selection → expansion → simulation → backpropagation). Default 100. */
  readonly iterations?: number;
  /** Exploration constant c. Default √2. */
  readonly exploration?: number;
  /** Proposals per expansion. Default 3. */
  readonly k?: number;
  /** PUCT: weight exploration by each proposal's frequency (normalized among siblings). Default false. */
  readonly prior?: boolean;
  /**
   * How a new leaf is evaluated: "value" scores it with problem.value; "policy" rolls out from it
   * with the policy (sampling proposals by frequency with problem.random) up to `rolloutDepth`
   * steps, then scores the end (problem.value, or 1/0 for terminal/not without one). Default "value"
   * when problem.value exists, "policy" otherwise.
   */
  readonly rollout?: "value" | "policy";
  /** Most steps of a policy rollout. Default 5. */
  readonly rolloutDepth?: number;
  /** Nodes this deep are not expanded. Default 10. */
  readonly maxDepth?: number;
  /**
   * Progressive widening: a node visited N times may have up to ⌈coefficient · N^exponent⌉
   * children (at least k); when it is selected with room for more, the policy is asked again and
   * new actions join its children. Off by default (a node keeps its first k proposals).
   */
  readonly widening?: { readonly coefficient: number; readonly exponent: number };
  /**
   * What the search answers with: "visits" — the most visited path (classic MCTS; it may stop
   * short of a terminal state); "best-terminal" — the terminal node of highest reward the search
   * reached (ties: the most visited), else the most visited path. The second is meaningful where
   * the environment is deterministic, so a terminal state found in the tree is really reachable.
   * Default "visits".
   */
  readonly answer?: "visits" | "best-terminal";
}

interface Node<S, A> extends Reached<S, A> {
  readonly id: number;
  readonly parent: Node<S, A> | undefined;
  readonly done: boolean;
  readonly prior: number;
  readonly depth: number;
  children: Node<S, A>[] | undefined;
  visits: number;
  total: number;
  /** The reward the node got when it was simulated (terminal nodes: their value). */
  reward?: number;
  /** Progressive widening's re-queries in a row that brought nothing new; at 3 the node is not asked again (a sampling policy may simply have repeated itself once). */
  dry?: number;
}

/** Consecutive iterations that add no node after which the search stops (the tree cannot grow). */
const IDLE_ITERATIONS = 1000;

const mean = <S, A>(node: Node<S, A>) => (node.visits > 0 ? node.total / node.visits : 0);

export function mcts(options: MctsOptions = {}): Strategy {
  const iterations = options.iterations ?? 100;
  const c = options.exploration ?? Math.SQRT2;
  const k = options.k ?? 3;
  const rolloutDepth = options.rolloutDepth ?? 5;
  const maxDepth = options.maxDepth ?? 10;
  return {
    name: "mcts",
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const env = problem.environment;
      const value = problem.value;
      const rollout = options.rollout ?? (value ? "value" : "policy");
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      const state0 = await stepper.start();
      const root: Node<S, A> = {
        id: tree.add(undefined, undefined, keyOf(env, state0), { visits: 0, value: 0 }),
        parent: undefined,
        state: state0,
        path: [],
        done: false,
        prior: 1,
        depth: 0,
        children: undefined,
        visits: 0,
        total: 0,
      };

      let grown = 0;
      const select = (node: Node<S, A>): Node<S, A> => {
        const children = node.children ?? [];
        let chosen: Node<S, A> | undefined;
        let chosenScore = -Infinity;
        const priorTotal = children.reduce((sum, child) => sum + child.prior, 0) || 1;
        for (const child of children) {
          let ucb: number;
          if (options.prior) {
            ucb = mean(child) + (c * (child.prior / priorTotal) * Math.sqrt(node.visits)) / (1 + child.visits);
          } else {
            ucb = child.visits === 0 ? Infinity : mean(child) + c * Math.sqrt(Math.log(node.visits) / child.visits);
          }
          if (ucb > chosenScore) {
            chosen = child;
            chosenScore = ucb;
          }
        }
        return chosen ?? node;
      };

      /** Adds children from the policy's proposals (new actions only); a failed proposal leaves the node as it was, to retry later. */
      const expand = async (node: Node<S, A>, want: number): Promise<number> => {
        const proposals = await propose(problem, node.state, want, budget);
        if (!proposals.ok || proposals.value.length === 0) return 0;
        tree.expand(node.id);
        const seen = new Set((node.children ?? []).map((child) => env.actionKey(child.path[child.path.length - 1]!)));
        const children: Node<S, A>[] = [];
        for (const proposal of proposals.value) {
          if (seen.has(env.actionKey(proposal.action))) continue;
          const outcome = await stepper.step(node, proposal.action);
          if (!outcome.ok) {
            if (outcome.reason === "budget") break;
            continue;
          }
          children.push({
            id: tree.add(node.id, describe(env, proposal.action), keyOf(env, outcome.value.state), {
              visits: 0,
              value: 0,
              prior: proposal.frequency,
            }),
            parent: node,
            state: outcome.value.state,
            path: [...node.path, proposal.action],
            done: outcome.value.done,
            prior: proposal.frequency,
            depth: node.depth + 1,
            children: undefined,
            visits: 0,
            total: 0,
          });
        }
        if (children.length > 0) node.children = [...(node.children ?? []), ...children];
        grown += children.length;
        return children.length;
      };

      /** How many children progressive widening allows a node now. */
      const room = (node: Node<S, A>): number =>
        options.widening ? Math.max(k, Math.ceil(options.widening.coefficient * Math.pow(node.visits, options.widening.exponent))) : k;

      /** The reward of a leaf in [0, 1], or undefined when the budget ran out before any was had. */
      const simulate = async (node: Node<S, A>): Promise<number | undefined> => {
        if (rollout === "value" || node.done) {
          if (!value) return node.done ? 1 : 0;
          const scored = await score(value, node.state, budget);
          if (scored.ok) return scored.value;
          return scored.reason === "budget" ? undefined : 0;
        }
        let at: Reached<S, A> = node;
        let done: boolean = node.done;
        for (let depth = 0; depth < rolloutDepth && !done; depth++) {
          const proposals = await propose(problem, at.state, k, budget);
          if (!proposals.ok || proposals.value.length === 0) break;
          const options = proposals.value;
          const total = options.reduce((sum, p) => sum + p.frequency, 0);
          let draw = problem.random() * total;
          let pick = options[0];
          for (const option of options) {
            draw -= option.frequency;
            pick = option;
            if (draw < 0) break;
          }
          if (!pick) break;
          const outcome = await stepper.step(at, pick.action);
          if (!outcome.ok) break;
          at = { state: outcome.value.state, path: [...at.path, pick.action] };
          done = outcome.value.done;
        }
        if (!value) return done ? 1 : 0;
        const scored = await score(value, at.state, budget);
        return scored.ok ? scored.value : 0;
      };

      const terminals: Node<S, A>[] = [];
      let stop: "budget" | "exhausted-frontier" = "budget";
      // Without an iteration limit, a tree that can no longer grow (every leaf terminal, at the
      // depth limit, or refused by the policy) would loop on a budget it no longer spends.
      let idle = 0;
      for (let iteration = 0; iteration < iterations; iteration++) {
        if (budget.exhausted()) break;
        if (idle >= IDLE_ITERATIONS) {
          stop = "exhausted-frontier";
          break;
        }
        const grownBefore = grown;
        let node = root;
        let widened = false;
        for (;;) {
          if (!node.children || node.done) break;
          const children: Node<S, A>[] = node.children;
          // Progressive widening: a node that has earned more children asks the policy again;
          // a newly added child is then simulated like any new leaf.
          if (options.widening && (node.dry ?? 0) < 3 && children.length < room(node)) {
            const before = children.length;
            // Asked for as many as the node may hold: the most frequent proposals are often ones it already has.
            const added = await expand(node, room(node));
            node.dry = added === 0 ? (node.dry ?? 0) + 1 : 0;
            if (added > 0) {
              node = node.children![before]!;
              widened = true;
              break;
            }
          }
          node = select(node);
        }
        if (!widened && !node.done && node.depth < maxDepth && !node.children) {
          await expand(node, k);
          if (node.children) node = select(node);
        }
        const reward = await simulate(node);
        if (reward === undefined) break;
        if (node.done && node.reward === undefined) terminals.push(node);
        node.reward ??= reward;
        idle = grown === grownBefore ? idle + 1 : 0;
        for (let at: Node<S, A> | undefined = node; at; at = at.parent) {
          at.visits++;
          at.total += reward;
          tree.setScores(at.id, { visits: at.visits, value: mean(at) });
        }
      }
      if (!budget.exhausted() && root.children === undefined) stop = "exhausted-frontier";
      if (stop === "exhausted-frontier" && budget.exhausted()) stop = "budget";

      let chosen = root;
      if (options.answer === "best-terminal") {
        let best: Node<S, A> | undefined;
        for (const node of terminals) {
          if (best === undefined || node.reward! > best.reward! || (node.reward === best.reward && node.visits > best.visits)) best = node;
        }
        chosen = best ?? root;
      }
      while (chosen.children && !chosen.done) {
        let next: Node<S, A> | undefined;
        for (const child of chosen.children) if (child.visits > (next?.visits ?? 0)) next = child;
        if (!next) break;
        chosen = next;
      }
      await stepper.settle(chosen);
      return result(chosen, chosen.done, chosen.done ? "done" : stop, tree, budget, stepper);
    },
  };
}
