/** Test stand-ins: tiny environments, policies and values with hand-checkable answers. */
import type { Budget, Environment, Policy, Prediction, Proposal, ProposeContext, StepOutcome, Trajectory, Value, WorldModel } from "../../src/search/types.js";

/** A weighted directed graph; the episode ends at the goal. Counts its steps. */
/** Test environments whose states and actions are their own keys and descriptions. */
export abstract class StringKeyed {
  stateKey(state: string): string {
    return state;
  }
  actionKey(action: string): string {
    return action;
  }
  describe(action: string): string {
    return action;
  }
}

export class StandInGraph extends StringKeyed implements Environment<string, string> {
  readonly name = "stand-in graph";
  readonly reversible = true;
  steps = 0;
  constructor(
    readonly edges: Readonly<Record<string, Readonly<Record<string, number>>>>,
    readonly start: string,
    readonly goal: string,
  ) {
    super();
  }
  initial(): string {
    return this.start;
  }
  legalActions(state: string): readonly string[] {
    return Object.keys(this.edges[state] ?? {});
  }
  async step(state: string, action: string): Promise<StepOutcome<string>> {
    this.steps++;
    if (!(action in (this.edges[state] ?? {}))) throw new Error(`no edge ${state}→${action}`);
    return { state: action, done: action === this.goal };
  }
  weight(from: string, to: string): number {
    const weight = this.edges[from]?.[to];
    if (weight === undefined) throw new Error(`no edge ${from}→${to}`);
    return weight;
  }
  override describe(action: string): string {
    return `go ${action}`;
  }
}

/** A w×h grid with 4-neighbour moves (up, down, left, right, in that order); ends at the goal. */
export class StandInGrid extends StringKeyed implements Environment<string, string> {
  readonly name = "stand-in grid";
  readonly reversible = true;
  steps = 0;
  constructor(
    readonly width: number,
    readonly height: number,
    readonly start: readonly [number, number],
    readonly goal: readonly [number, number],
  ) {
    super();
  }
  initial(): string {
    return this.start.join(",");
  }
  private static moves: Record<string, readonly [number, number]> = {
    up: [0, -1],
    down: [0, 1],
    left: [-1, 0],
    right: [1, 0],
  };
  legalActions(state: string): readonly string[] {
    const [x, y] = state.split(",").map(Number) as [number, number];
    return Object.entries(StandInGrid.moves)
      .filter(([, [dx, dy]]) => x + dx >= 0 && x + dx < this.width && y + dy >= 0 && y + dy < this.height)
      .map(([name]) => name);
  }
  async step(state: string, action: string): Promise<StepOutcome<string>> {
    this.steps++;
    const [x, y] = state.split(",").map(Number) as [number, number];
    const [dx, dy] = StandInGrid.moves[action] ?? [0, 0];
    const next = `${x + dx},${y + dy}`;
    return { state: next, done: next === this.goal.join(",") };
  }
  manhattan(state: string): number {
    const [x, y] = state.split(",").map(Number) as [number, number];
    return Math.abs(x - this.goal[0]) + Math.abs(y - this.goal[1]);
  }
}

/**
 * Words over an alphabet: a state is the word of the actions taken, the episode ends at `length`.
 * The reversible twin branches freely; the irreversible one only steps where its real position
 * is (it throws otherwise), is reset by `initial()`, and may offer snapshots.
 */
export class StandInWords extends StringKeyed implements Environment<string, string> {
  readonly name = "stand-in words";
  steps = 0;
  private position = "";
  snapshot?: () => Promise<unknown>;
  restore?: (snapshot: unknown) => Promise<void>;
  constructor(
    readonly reversible: boolean,
    readonly alphabet: readonly string[] = ["a", "b", "c"],
    readonly length = 3,
    snapshots = false,
  ) {
    super();
    if (snapshots) {
      this.snapshot = async () => this.position;
      this.restore = async (snapshot) => {
        this.position = String(snapshot);
      };
    }
  }
  initial(): string {
    this.position = "";
    return "";
  }
  legalActions(state: string): readonly string[] {
    return state.length >= this.length ? [] : this.alphabet;
  }
  async step(state: string, action: string): Promise<StepOutcome<string>> {
    this.steps++;
    if (!this.reversible && state !== this.position) throw new Error(`the real environment is at "${this.position}", not "${state}"`);
    const next = state + action;
    this.position = next;
    return { state: next, done: next.length >= this.length };
  }
  get realPosition(): string {
    return this.position;
  }
}

/** Proposes every legal action, in order, each with frequency 1/n; one model call each time (whatever the samples asked). */
export class StandInAllLegal<S> implements Policy<S, string> {
  readonly name = "stand-in all-legal";
  calls = 0;
  constructor(private readonly environment: Environment<S, string>) {}
  async propose(state: S, k: number, budget: Budget): Promise<readonly Proposal<string>[]> {
    this.calls++;
    budget.charge("policy", { calls: 1 });
    const legal = this.environment.legalActions(state);
    return legal.slice(0, k).map((action) => ({ action, frequency: 1 / legal.length }));
  }
}

/**
 * Samples legal actions with the given random source (the strategy's count, default 8), one model
 * call and 10 tokens per sample, checking the budget before each; reports the distinct ones with their shares.
 */
export class StandInSampler<S> implements Policy<S, string> {
  readonly name = "stand-in sampler";
  /** Samples drawn in all. */
  calls = 0;
  /** Proposals asked for. */
  proposals = 0;
  constructor(
    private readonly environment: Environment<S, string>,
    private readonly random: () => number,
  ) {}
  async propose(state: S, k: number, budget: Budget, context: ProposeContext = {}): Promise<readonly Proposal<string>[]> {
    this.proposals++;
    const legal = this.environment.legalActions(state);
    if (legal.length === 0) return [];
    const counts = new Map<string, number>();
    let drawn = 0;
    for (let i = 0; i < (context.samples ?? 8) && !budget.exhausted("model"); i++) {
      this.calls++;
      drawn++;
      budget.charge("policy", { calls: 1, generatedTokens: 10 });
      const action = legal[Math.floor(this.random() * legal.length)] ?? legal[0]!;
      counts.set(action, (counts.get(action) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([action, count]) => ({ action, frequency: count / Math.max(1, drawn) }));
  }
}

export class StandInThrowingPolicy implements Policy<string, string> {
  readonly name = "stand-in throwing";
  calls = 0;
  async propose(): Promise<readonly Proposal<string>[]> {
    this.calls++;
    throw new Error("the model fell over");
  }
}

export class StandInEmptyPolicy implements Policy<string, string> {
  readonly name = "stand-in empty";
  calls = 0;
  async propose(): Promise<readonly Proposal<string>[]> {
    this.calls++;
    return [];
  }
}

/** A value read off a table by the trajectory's last state (default for states not in it); one model call each time. */
export class StandInTableValue implements Value<string> {
  readonly name = "stand-in table value";
  calls = 0;
  constructor(
    private readonly table: Readonly<Record<string, number>>,
    private readonly fallback = 0,
  ) {}
  async score(trajectory: Trajectory<string, unknown>, budget: Budget): Promise<number> {
    this.calls++;
    budget.charge("value", { calls: 1 });
    return this.table[trajectory.states[trajectory.states.length - 1]!] ?? this.fallback;
  }
}

/** A value function of the last state: one model call each time. */
export class StandInValue<S> implements Value<S> {
  readonly name = "stand-in value";
  calls = 0;
  constructor(private readonly f: (state: S) => number) {}
  async score(trajectory: Trajectory<S, unknown>, budget: Budget): Promise<number> {
    this.calls++;
    budget.charge("value", { calls: 1 });
    return this.f(trajectory.states[trajectory.states.length - 1]!);
  }
}

/** A world model from a function: one model call each time. */
export class StandInWorldModel<S, A> implements WorldModel<S, A> {
  readonly name = "stand-in world model";
  calls = 0;
  constructor(private readonly f: (state: S, action: A) => S) {}
  async predict(trajectory: Trajectory<S, A>, action: A, budget: Budget): Promise<Prediction<S>> {
    this.calls++;
    budget.charge("world-model", { calls: 1 });
    const state = this.f(trajectory.states[trajectory.states.length - 1]!, action);
    return { description: String(state), state };
  }
}
