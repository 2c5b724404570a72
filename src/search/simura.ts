/**
 * SimuRA planning with a world model (Deng et al. 2025; the planner of llm-reasoners'
 * `reasoners/agent`, whose world-model configuration this follows): at each real step
 *
 * 1. the policy draws `samples` intents (20);
 * 2. intents meaning the same are merged by clustering — `problem.clusterer` when given (an LLM
 *    clusterer, one model call), else `similarityClusterer` (documented below, no model call) —
 *    and each cluster's frequency is the sum of its members';
 * 3. the `keep` most frequent clusters (5) are simulated: the world model predicts the outcome of
 *    each cluster's representative action (its most frequent member);
 * 4. the critic scores each predicted outcome, averaged over `criticSamples` samples (20) on the
 *    success / on track / neither = 1 / 0.5 / 0 scale (`problem.critic`; without one,
 *    `problem.value` judges the predicted trajectory, where the prediction carries a state);
 * 5. the agent acts on the best (ties: the more frequent), for real, and repeats.
 *
 * As in the reference planner, a step with a single cluster is acted on without simulation.
 */
import { cluster, critique, describe, keyOf, meanScore, predict, propose, result, answerOf, Stepper, TreeRecorder, type Reached, type Guarded } from "./common.js";
import { extendTrajectory } from "./text.js";
import type { Budget, Environment, IntentClusterer, Prediction, Proposal, SearchProblem, SearchResult, Strategy, Trajectory } from "./types.js";

export interface SimuraOptions {
  /** Intents sampled per step (policy samples). Default 20. */
  readonly samples?: number;
  /** Clusters simulated per step, the most frequent. Default 5. */
  readonly keep?: number;
  /** Critic samples averaged per simulated outcome. Default 20. */
  readonly criticSamples?: number;
  /** Most real steps. Default 20. */
  readonly maxSteps?: number;
  /** Act on a single cluster without simulating it (the reference planner does). Default true. */
  readonly skipSingle?: boolean;
}

/** Word tokens of a description: letters, digits and the operators +−×÷*∕/ (case-folded). */
export function intentTokens(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}._-]+|[+*/×÷−]/gu) ?? []);
}

/**
 * The default intent clusterer, without a model: two intents are the same when their action keys
 * are equal or the sets of word tokens of their descriptions (`environment.describe`, split by
 * `intentTokens`) have a Jaccard similarity of at least `threshold` (default 1: the same words in
 * any order — "3 + 5 = 8" and "5 + 3 = 8" — while "8 - 3 = 5" and "3 - 8 = -5" stay apart).
 * Clusters grow greedily in proposal order (most frequent first); no model call is charged.
 */
export function similarityClusterer<S, A>(environment: Environment<S, A>, threshold = 1): IntentClusterer<S, A> {
  return {
    name: `similarity-clusterer(jaccard≥${threshold})`,
    async cluster(_trajectory, proposals) {
      const keys = proposals.map((p) => environment.actionKey(p.action));
      const tokens = proposals.map((p) => intentTokens(environment.describe(p.action)));
      const groups: number[][] = [];
      for (let i = 0; i < proposals.length; i++) {
        const home = groups.find((group) => {
          const j = group[0]!;
          if (keys[i] === keys[j]) return true;
          const a = tokens[i]!;
          const b = tokens[j]!;
          let both = 0;
          for (const t of a) if (b.has(t)) both++;
          const union = a.size + b.size - both;
          return union > 0 && both / union >= threshold;
        });
        if (home) home.push(i);
        else groups.push([i]);
      }
      return groups;
    },
  };
}

interface Intent<A> {
  readonly action: A;
  readonly frequency: number;
}

export function simura(options: SimuraOptions = {}): Strategy {
  const samples = Math.max(1, options.samples ?? 20);
  const keep = Math.max(1, options.keep ?? 5);
  const criticSamples = Math.max(1, options.criticSamples ?? 20);
  const maxSteps = options.maxSteps ?? 20;
  const skipSingle = options.skipSingle ?? true;
  return {
    name: "simura",
    prefixMonotone: true,
    async search<S, A>(problem: SearchProblem<S, A>, budget: Budget): Promise<SearchResult<S, A>> {
      const { worldModel, critic, value } = problem;
      if (!worldModel || (!critic && !value)) throw new Error("SimuRA planning needs problem.worldModel and problem.critic (or problem.value)");
      const env = problem.environment;
      // The similarity clusterer is arithmetic, not a model: it is called directly and costs nothing.
      const freeClusterer = similarityClusterer(env);
      const tree = new TreeRecorder();
      const stepper = new Stepper(env, budget);
      let at: Reached<S, A> = await stepper.startReached();
      budget.reportAnswer(() => answerOf(at, false));
      let id = tree.add(undefined, undefined, keyOf(env, at.state), { depth: 0, real: 1 });
      const stop = (reason: "budget" | "exhausted-frontier") => result(at, false, reason, tree, budget, stepper);

      /** The critic's (or value's) mean over its samples for a simulated outcome. */
      const judge = async (trajectory: Trajectory<S, A>, action: A, prediction: Prediction<S>): Promise<Guarded<number>> => {
        if (critic) {
          let total = 0;
          let count = 0;
          for (let i = 0; i < criticSamples; i++) {
            const sample = await critique(critic, trajectory, action, prediction, budget);
            if (sample.ok) {
              total += sample.value;
              count++;
            } else if (sample.reason === "budget") return sample;
          }
          return count > 0 ? { ok: true, value: total / count } : { ok: false, reason: "error" };
        }
        if (prediction.state === undefined) return { ok: false, reason: "error" };
        return meanScore(value!, extendTrajectory(trajectory, action, prediction.state, prediction.description), criticSamples, budget);
      };

      for (let depth = 0; depth < maxSteps; depth++) {
        const proposals = await propose(problem, at.state, samples, budget, { samples, trajectory: at.trajectory });
        if (!proposals.ok) return stop(proposals.reason === "budget" ? "budget" : "exhausted-frontier");
        if (proposals.value.length === 0) return stop(budget.exhausted() ? "budget" : "exhausted-frontier");
        tree.expand(id);
        const intents = await clustered(proposals.value);
        if (intents === "budget") return stop("budget");
        let best: { intent: Intent<A>; value: number } | undefined;
        if (intents.length === 1 && skipSingle) {
          best = { intent: intents[0]!, value: NaN };
        } else {
          for (const intent of intents.slice(0, keep)) {
            const predicted = await predict(worldModel, at.trajectory, intent.action, budget);
            if (!predicted.ok) {
              if (predicted.reason === "budget") return stop("budget");
              continue;
            }
            const scored = await judge(at.trajectory, intent.action, predicted.value);
            if (!scored.ok && scored.reason === "budget") return stop("budget");
            const v = scored.ok ? scored.value : 0;
            const stateKey = predicted.value.state === undefined ? `predicted: ${predicted.value.description}` : keyOf(env, predicted.value.state);
            tree.add(id, describe(env, intent.action), stateKey, { depth: depth + 1, frequency: intent.frequency, value: v, predicted: 1 });
            // Ties keep the earlier (more frequent) intent.
            if (!best || v > best.value) best = { intent, value: v };
          }
        }
        if (!best) return stop(budget.exhausted() ? "budget" : "exhausted-frontier");
        const next = await stepper.advance(at, best.intent.action);
        if (!next.ok) return stop(next.reason === "budget" ? "budget" : "exhausted-frontier");
        at = next.value.reached;
        id = tree.add(id, describe(env, best.intent.action), keyOf(env, at.state), {
          depth: depth + 1,
          frequency: best.intent.frequency,
          ...(Number.isNaN(best.value) ? {} : { value: best.value }),
          real: 1,
        });
        if (next.value.done) return result(at, true, "done", tree, budget, stepper);
      }
      return budget.exhausted() ? stop("budget") : result(at, false, "limit", tree, budget, stepper, `maxSteps = ${maxSteps}`);

      /** Proposals merged by the clusterer, most frequent cluster first (a failed clustering keeps them apart). */
      async function clustered(proposals: readonly Proposal<A>[]): Promise<Intent<A>[] | "budget"> {
        const groups = problem.clusterer
          ? await cluster(problem.clusterer, at.trajectory, proposals, budget)
          : ({ ok: true, value: (await freeClusterer.cluster(at.trajectory, proposals, budget)).map((g) => [...g]) } as const);
        if (!groups.ok && groups.reason === "budget") return "budget";
        const partition = groups.ok ? groups.value : proposals.map((_, i) => [i]);
        return partition
          .map((members, order) => {
            const representative = members.reduce((a, b) => (proposals[b]!.frequency > proposals[a]!.frequency ? b : a));
            return { action: proposals[representative]!.action, frequency: members.reduce((sum, i) => sum + proposals[i]!.frequency, 0), order };
          })
          .sort((a, b) => b.frequency - a.frequency || a.order - b.order)
          .map(({ action, frequency }) => ({ action, frequency }));
      }
    },
  };
}
