/**
 * Simulated roles for the Game of 24 — the object of study of the search benchmark, so their
 * error models are known exactly. Every role draws from a seeded `() => number` random source
 * (same seed, same calls → same answers). Each sample is one model call (the benchmark's unit):
 * a role checks the budget before each sample and stops drawing when it is spent.
 *
 * Error models (ground truth reaches the search only through these, with the stated errors):
 * - `SimulatedPolicy` (propose k actions): draws `samples` samples (the strategy's count, else its
 *   default); each sample is, with probability pGood, a uniformly chosen "good" action — one after
 *   which the puzzle is still solvable, as the exact solver (its oracle) says — or otherwise (or
 *   when no good action exists) a uniformly chosen legal action. The distinct actions are ranked by
 *   how many samples proposed them (ties: first drawn first); the top k are returned with
 *   frequency = count / samples drawn. Cost: one call and `tokensPerSample` tokens per sample.
 * - `SimulatedValue` (Koh et al.'s value, one sample per call): the true verdict of the trajectory's
 *   last state is success (one number left, 24) = 1, on track (still solvable) = 0.5, or neither =
 *   0; with probability q it answers the true verdict, otherwise one of the two others, uniformly.
 *   `scale: "continuous"` is the earlier form (solvable or not, right with probability q, reported
 *   as a uniform draw in [0.6, 1] or [0, 0.4]). Cost: one call, `tokens` tokens.
 * - `SimulatedWorldModel` (next-state prediction): with probability 1 − r the true next state;
 *   otherwise the same step with a wrong result: the result of another operation on the same two
 *   numbers when that differs, else the true result ± 1..3. Cost: one call, `tokens` tokens.
 * - `SimulatedCritic` (SimuRA's critic, one sample per call): the value's error model applied to
 *   the *predicted* state (it cannot see the real one).
 */
import type { Budget, Critic, Policy, Prediction, Proposal, ProposeContext, Trajectory, Value, WorldModel } from "../search/types.js";
import {
  applyGame24Action,
  applyOp,
  fracEquals,
  frac,
  fracToString,
  game24ActionKey,
  game24LegalActions,
  isSolvable,
  type Frac,
  type Game24Action,
  type Game24Item,
  type Game24State,
  type Op,
} from "./game24.js";

function pickIndex(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

function values(state: Game24State): Frac[] {
  return state.items.map((it) => it.value);
}

export interface SimulatedPolicyOptions {
  /** Probability that a sample is an action keeping the puzzle solvable. Default 0.7. */
  readonly pGood?: number;
  /** Samples per call (self-consistency). Default 10. */
  readonly samples?: number;
  /** Tokens charged per sample. Default 30. */
  readonly tokensPerSample?: number;
}

export class SimulatedPolicy implements Policy<Game24State, Game24Action> {
  readonly name: string;
  readonly pGood: number;
  readonly samples: number;
  readonly tokensPerSample: number;

  constructor(
    private readonly random: () => number,
    options: SimulatedPolicyOptions = {},
  ) {
    this.pGood = options.pGood ?? 0.7;
    this.samples = Math.max(1, options.samples ?? 10);
    this.tokensPerSample = options.tokensPerSample ?? 30;
    this.name = `simulated-policy(pGood=${this.pGood},s=${this.samples})`;
  }

  async propose(state: Game24State, k: number, budget: Budget, context: ProposeContext = {}): Promise<readonly Proposal<Game24Action>[]> {
    const samples = Math.max(1, context.samples ?? this.samples);
    if (state.items.length <= 1 || k <= 0) return [];
    const legal = game24LegalActions(values(state));
    if (legal.length === 0) return [];
    const good = legal.filter((a) => isSolvable(values(applyGame24Action(state, a))));
    const counts = new Map<string, { action: Game24Action; count: number; first: number }>();
    let drawn = 0;
    for (let i = 0; i < samples && !budget.exhausted("model"); i++) {
      budget.charge("policy", { calls: 1, generatedTokens: this.tokensPerSample });
      drawn++;
      const useGood = good.length > 0 && this.random() < this.pGood;
      const pool = useGood ? good : legal;
      const action = pool[pickIndex(this.random, pool.length)] as Game24Action;
      const key = game24ActionKey(action);
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { action, count: 1, first: i });
      else entry.count++;
    }
    return [...counts.values()]
      .sort((a, b) => b.count - a.count || a.first - b.first)
      .slice(0, k)
      .map((e) => ({ action: e.action, frequency: e.count / Math.max(1, drawn) }));
  }
}

/** The true verdict on Koh et al.'s scale: 1 success (24 reached), 0.5 on track (solvable), 0 neither. */
export function game24Verdict(state: Game24State): number {
  if (state.items.length === 1) return fracEquals(state.items[0]!.value, frac(24)) ? 1 : 0;
  return isSolvable(values(state)) ? 0.5 : 0;
}

/** With probability q the true verdict, else one of the two other verdicts (uniformly). */
function noisyVerdict(random: () => number, q: number, truth: number): number {
  if (random() < q) return truth;
  const others = [0, 0.5, 1].filter((v) => v !== truth);
  return others[pickIndex(random, others.length)]!;
}

export interface SimulatedValueOptions {
  /** Probability of the true verdict. Default 0.8. */
  readonly q?: number;
  /** Tokens charged per call. Default 20. */
  readonly tokens?: number;
  /** "koh" (default): 1 / 0.5 / 0; "continuous": the earlier solvability score in [0, 1]. */
  readonly scale?: "koh" | "continuous";
}

export class SimulatedValue implements Value<Game24State, Game24Action> {
  readonly name: string;
  readonly q: number;
  readonly tokens: number;
  readonly scale: "koh" | "continuous";

  constructor(
    private readonly random: () => number,
    options: SimulatedValueOptions = {},
  ) {
    this.q = options.q ?? 0.8;
    this.tokens = options.tokens ?? 20;
    this.scale = options.scale ?? "koh";
    this.name = `simulated-value(q=${this.q})`;
  }

  async score(trajectory: Trajectory<Game24State, Game24Action>, budget: Budget): Promise<number> {
    budget.charge("value", { calls: 1, generatedTokens: this.tokens });
    return this.judge(trajectory.states[trajectory.states.length - 1]!);
  }

  /** One verdict on a state (the error model above). */
  judge(state: Game24State): number {
    if (this.scale === "koh") return noisyVerdict(this.random, this.q, game24Verdict(state));
    const truth = isSolvable(values(state));
    const correct = this.random() < this.q;
    const says = correct ? truth : !truth;
    const u = this.random();
    return says ? 0.6 + 0.4 * u : 0.4 * u;
  }
}

/** SimuRA's critic for the Game of 24: the value's error model on the predicted state. */
export class SimulatedCritic implements Critic<Game24State, Game24Action> {
  readonly name: string;
  private readonly verdicts: SimulatedValue;

  constructor(random: () => number, options: SimulatedValueOptions = {}) {
    this.verdicts = new SimulatedValue(random, options);
    this.name = `simulated-critic(q=${this.verdicts.q})`;
  }

  async score(_trajectory: Trajectory<Game24State, Game24Action>, _action: Game24Action, prediction: Prediction<Game24State>, budget: Budget): Promise<number> {
    budget.charge("critic", { calls: 1, generatedTokens: this.verdicts.tokens });
    if (prediction.state === undefined) return 0;
    return this.verdicts.judge(prediction.state);
  }
}

export interface SimulatedWorldModelOptions {
  /** Probability of predicting a wrong next state. Default 0.1. */
  readonly r?: number;
  /** Tokens charged per call. Default 30. */
  readonly tokens?: number;
}

const OPS: readonly Op[] = ["+", "-", "*", "/"];

export class SimulatedWorldModel implements WorldModel<Game24State, Game24Action> {
  readonly name: string;
  readonly r: number;
  readonly tokens: number;

  constructor(
    private readonly random: () => number,
    options: SimulatedWorldModelOptions = {},
  ) {
    this.r = options.r ?? 0.1;
    this.tokens = options.tokens ?? 30;
    this.name = `simulated-world-model(r=${this.r})`;
  }

  async predict(trajectory: Trajectory<Game24State, Game24Action>, action: Game24Action, budget: Budget): Promise<Prediction<Game24State>> {
    budget.charge("world-model", { calls: 1, generatedTokens: this.tokens });
    const state = this.predictState(trajectory.states[trajectory.states.length - 1]!, action);
    const left = state.items.map((it) => fracToString(it.value)).join(" ");
    return { description: `left: ${left}`, state, done: state.items.length === 1 && fracEquals(state.items[0]!.value, frac(24)) };
  }

  /** The predicted next state (the error model above). */
  predictState(state: Game24State, action: Game24Action): Game24State {
    const truth = applyGame24Action(state, action);
    if (this.random() >= this.r) return truth;
    const right = applyOp(action.a, action.op, action.b) as Frac;
    const alternatives: Frac[] = [];
    for (const op of OPS) {
      if (op === action.op) continue;
      const v = applyOp(action.a, op, action.b);
      if (v !== undefined && !fracEquals(v, right) && !alternatives.some((x) => fracEquals(x, v))) alternatives.push(v);
    }
    let wrong: Frac;
    if (alternatives.length > 0) {
      wrong = alternatives[pickIndex(this.random, alternatives.length)] as Frac;
    } else {
      const delta = 1 + pickIndex(this.random, 3);
      wrong = frac(right.n + (this.random() < 0.5 ? -delta : delta) * right.d, right.d);
    }
    // Replace the produced item's value (the last step's result) by the wrong one.
    const last = truth.history[truth.history.length - 1];
    if (last === undefined) return truth;
    // The produced item is the one object that was not on the table before.
    const before = new Set<Game24Item>(state.items);
    const items: Game24Item[] = truth.items.map((it) => (before.has(it) ? it : { value: wrong, expr: it.expr }));
    items.sort((x, y) => x.value.n * y.value.d - y.value.n * x.value.d);
    return {
      items,
      history: [...truth.history.slice(0, -1), { ...last, result: wrong }],
    };
  }
}
