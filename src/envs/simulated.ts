/**
 * Simulated roles for the Game of 24 — the object of study of the search benchmark, so their
 * error models are known exactly. Every role draws from a seeded `() => number` random source
 * (same seed, same calls → same answers) and spends budget on every call.
 *
 * Error models:
 * - `SimulatedPolicy` (propose k actions): draws `samples` samples (s); each sample is, with
 *   probability pGood, a uniformly chosen "good" action — one after which the puzzle is still
 *   solvable, as the exact solver (its oracle) says — or otherwise (or when no good action exists)
 *   a uniformly chosen legal action. The distinct actions are ranked by how many samples proposed
 *   them (ties: first drawn first); the top k are returned with frequency = count / s.
 *   Cost: 1 model call and tokensPerSample · s tokens (default 30 per sample).
 * - `SimulatedValue` (solvability critic): with probability q it judges solvability correctly,
 *   otherwise the opposite; it reports a uniform draw in [0.6, 1] for "solvable" and in [0, 0.4]
 *   for "unsolvable" (a finished state counts as solvable iff its number is exactly 24).
 *   Cost: 1 model call and `tokens` tokens (default 20).
 * - `SimulatedWorldModel` (next-state prediction): with probability 1 − r the true next state;
 *   otherwise the same step with a wrong result: the result of another operation on the same two
 *   numbers when that differs, else the true result ± 1..3. Cost: 1 model call, `tokens` (30).
 */
import type { Budget, Policy, Proposal, Value, WorldModel } from "../search/types.js";
import {
  applyGame24Action,
  applyOp,
  fracEquals,
  frac,
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

  async propose(state: Game24State, k: number, budget: Budget): Promise<readonly Proposal<Game24Action>[]> {
    budget.spend("modelCalls");
    budget.spend("tokens", this.tokensPerSample * this.samples);
    if (state.items.length <= 1 || k <= 0) return [];
    const legal = game24LegalActions(values(state));
    if (legal.length === 0) return [];
    const good = legal.filter((a) => isSolvable(values(applyGame24Action(state, a))));
    const counts = new Map<string, { action: Game24Action; count: number; first: number }>();
    for (let i = 0; i < this.samples; i++) {
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
      .map((e) => ({ action: e.action, frequency: e.count / this.samples }));
  }
}

export interface SimulatedValueOptions {
  /** Probability of judging solvability correctly. Default 0.8. */
  readonly q?: number;
  /** Tokens charged per call. Default 20. */
  readonly tokens?: number;
}

export class SimulatedValue implements Value<Game24State> {
  readonly name: string;
  readonly q: number;
  readonly tokens: number;

  constructor(
    private readonly random: () => number,
    options: SimulatedValueOptions = {},
  ) {
    this.q = options.q ?? 0.8;
    this.tokens = options.tokens ?? 20;
    this.name = `simulated-value(q=${this.q})`;
  }

  async score(state: Game24State, budget: Budget): Promise<number> {
    budget.spend("modelCalls");
    budget.spend("tokens", this.tokens);
    const truth = isSolvable(values(state));
    const correct = this.random() < this.q;
    const says = correct ? truth : !truth;
    const u = this.random();
    return says ? 0.6 + 0.4 * u : 0.4 * u;
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

  async predict(state: Game24State, action: Game24Action, budget: Budget): Promise<Game24State> {
    budget.spend("modelCalls");
    budget.spend("tokens", this.tokens);
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
