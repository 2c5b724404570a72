/**
 * The search benchmark: every strategy on every environment it is meaningful for, at several
 * budgets, over seeds. Ground truth (`task.judge`) is consulted only after an episode ends.
 *
 * Prefix runs. A strategy whose decisions never read the budget's limits (`prefixMonotone`) is
 * run once per (seed, task) at the largest budget, with the budget watched (`Budget.watch`): the
 * episode at each smaller budget B is the large run cut at the first check that sees B reached,
 * and its answer is what the strategy reported then. So one run gives the whole success-versus-
 * budget curve, at every integer budget (`EpisodeCurve`). Strategies that plan from the limit
 * (GoT's densest schedule) and cells that learn across tasks (their memory depends on earlier
 * results at the same budget) are run once per budget.
 */
import { medianOf, summarize, type CellSummary, type EpisodeRecord } from "./bench-summary.js";
import { Budget, type BudgetLimits, type BudgetSnapshot, type Judgement, type RoleCost, type RoleName, type SearchProblem, type SearchResult, type Strategy, type Task } from "./types.js";

export { summarize, type CellSummary, type EpisodeRecord };

/** Options for a strategy from the command line (`--param b=5,c=20`), by option name. */
export type StrategyParameters = Readonly<Record<string, number | string | boolean>>;

export interface BenchSuite<S = unknown, A = unknown> {
  /** The environment's name (`--env`). */
  readonly name: string;
  /** The tasks a run draws from (the test split). */
  tasks(): readonly Task<S, A>[];
  /** The roles for one episode, seeded (simulated roles' errors depend on the seed). */
  problem(task: Task<S, A>, seed: number): SearchProblem<S, A>;
  /** What a budget amount limits (e.g. model calls). */
  limits(amount: number): BudgetLimits;
  /** The resource a budget amount limits (what prefix runs watch). Default "modelCalls". */
  readonly budgetResource?: "modelCalls" | "envSteps";
  /** The unit of a budget amount, for tables and plots. */
  readonly budgetUnit: string;
  /** Strategies that make sense here (others are skipped, and said so). */
  readonly strategies: readonly string[];
  /**
   * A strategy configured for this environment (e.g. MCTS until the budget is spent), if it needs
   * one; `parameters` are the run's options for it (`--param`), which take precedence.
   */
  strategy?(name: string, parameters?: StrategyParameters): Strategy | undefined;
  /** A strategy configured for one task (e.g. A* with the memory that excludes the task's own plan). */
  taskStrategy?(name: string, task: Task<S, A>, parameters?: StrategyParameters): Strategy | undefined;
  /**
   * State that learns across the tasks of one cell (strategy, budget, seed), which run in order:
   * e.g. ToolChain*'s memory growing with successes. Called once per cell, so every cell starts
   * afresh and cells cannot inform one another.
   */
  cell?(strategy: string, budget: number, seed: number, parameters?: StrategyParameters): BenchCell | undefined;
  /** Whether `cell` gives this strategy state that learns across tasks (then it is run once per budget). Default: every strategy, when `cell` exists. */
  learns?(strategy: string): boolean;
  /** Frees what an episode's roles hold (a llama.cpp policy's sequences). */
  release?(problem: SearchProblem<S, A>): Promise<void>;
  /** Tokens the model has evaluated so far (llama.cpp policies), to meter prefix reuse. */
  evaluatedTokens?(): number;
  /** Frees what the suite holds (a loaded model). */
  close?(): Promise<void>;
}

/** What one benchmark cell keeps between its episodes. */
export interface BenchCell {
  /** The strategy for the next task of the cell. */
  strategy(task: Task<unknown, unknown>): Strategy;
  /** Told each finished episode of the cell (its verdict included), after it is judged. */
  learn?(task: Task<unknown, unknown>, result: SearchResult<unknown, unknown>, verdict: Judgement): void;
}

/** One run's success as a step function of the budget: `points[i] = [from, success, answered]` holds from budget `from` until the next point. */
export interface EpisodeCurve {
  readonly env: string;
  readonly strategy: string;
  readonly seed: number;
  readonly task: string;
  /** Whether it was read off one prefix run (integer resolution) or assembled from per-budget runs (grid resolution). */
  readonly prefix: boolean;
  readonly points: readonly (readonly [number, 0 | 1, 0 | 1])[];
}

export interface BenchReport {
  readonly seeds: number;
  readonly tasksPerSeed: number;
  readonly budgets: readonly number[];
  readonly episodes: readonly EpisodeRecord[];
  readonly curves: readonly EpisodeCurve[];
  readonly cells: readonly CellSummary[];
  readonly skipped: readonly string[];
  /** Strategies run once per budget (not prefix-monotone, or learning across a cell's tasks), per environment. */
  readonly perBudget: readonly string[];
}

export interface BenchOptions {
  readonly suites: readonly BenchSuite[];
  readonly strategies: Readonly<Record<string, Strategy>>;
  readonly budgets: readonly number[];
  readonly seeds: number;
  /** Tasks drawn per seed and environment (deterministically, by seed). */
  readonly tasksPerSeed: number;
  /** Record operation histograms per episode (path and tree), for `analysisMarkdown`. */
  readonly analysis?: boolean;
  /** Run every strategy once per budget, even those whose runs are prefixes of one another (for checking). */
  readonly noPrefix?: boolean;
  /** Options per strategy name (`--param`), handed to the suites that configure the strategy themselves. */
  readonly parameters?: Readonly<Record<string, StrategyParameters>>;
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

/** Most searches one `runBench` may plan (each holds its records in memory). */
export const MAX_RUNS = 200_000;

/** Refused grids and grids where nothing can run, with the reason. */
export class BenchPlanError extends Error {}

interface PlannedRun {
  readonly suite: BenchSuite;
  readonly strategy: string;
  readonly seed: number;
  readonly task: Task<unknown, unknown>;
  /** Budgets read off this run (one for per-budget runs). */
  readonly budgets: readonly number[];
  readonly prefix: boolean;
}

/** How many searches a grid would run, computed without building it (for sizes given on a command line). */
export function countRuns(options: Pick<BenchOptions, "suites" | "strategies" | "budgets" | "seeds" | "tasksPerSeed" | "parameters">): number {
  let runs = 0;
  for (const suite of options.suites) {
    const tasks = Math.min(options.tasksPerSeed, suite.tasks().length);
    for (const name of Object.keys(options.strategies)) {
      if (!suite.strategies.includes(name)) continue;
      runs += options.seeds * tasks * (isPrefix(suite, name, options.strategies[name]!, suite.tasks()[0], options.parameters?.[name]) ? 1 : new Set(options.budgets).size);
    }
  }
  return runs;
}

function isPrefix(suite: BenchSuite, name: string, fallback: Strategy, task?: Task<unknown, unknown>, parameters?: StrategyParameters): boolean {
  if (suite.cell !== undefined && (suite.learns?.(name) ?? true)) return false;
  const strategy = (task && suite.taskStrategy?.(name, task, parameters)) ?? suite.strategy?.(name, parameters) ?? fallback;
  return strategy.prefixMonotone === true;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const budgets = [...new Set(options.budgets)].sort((a, b) => a - b);
  if (budgets.length === 0) throw new BenchPlanError("no budgets given");
  const total = countRuns(options);
  if (total > MAX_RUNS) {
    throw new BenchPlanError(`the grid would run ${total.toLocaleString("en")} searches (at most ${MAX_RUNS.toLocaleString("en")}); lower --seeds, --tasks or the number of budgets`);
  }
  const skipped: string[] = [];
  const perBudget: string[] = [];
  const plan: PlannedRun[] = [];
  for (const suite of options.suites) {
    const tasks = suite.tasks();
    for (const name of Object.keys(options.strategies)) {
      if (!suite.strategies.includes(name)) {
        skipped.push(`${name} on ${suite.name}`);
        continue;
      }
      const prefix = !options.noPrefix && isPrefix(suite, name, options.strategies[name]!, tasks[0], options.parameters?.[name]);
      if (!prefix) perBudget.push(`${name} on ${suite.name}`);
      if (prefix) {
        for (let seed = 1; seed <= options.seeds; seed++) {
          for (const task of pickTasks(tasks, options.tasksPerSeed, seed)) plan.push({ suite, strategy: name, seed, task, budgets, prefix });
        }
      } else {
        // Per-budget runs, cell by cell: a cell (strategy, budget, seed) sees its tasks in order.
        for (const budget of budgets) {
          for (let seed = 1; seed <= options.seeds; seed++) {
            for (const task of pickTasks(tasks, options.tasksPerSeed, seed)) plan.push({ suite, strategy: name, seed, task, budgets: [budget], prefix });
          }
        }
      }
    }
  }
  if (plan.length === 0) {
    const why = skipped.length > 0 ? `no strategy given is meaningful for the environments given (${skipped.join(", ")})` : "no tasks to run";
    throw new BenchPlanError(`nothing to run: ${why}`);
  }
  const episodes: EpisodeRecord[] = [];
  const curves = new Map<string, { curve: EpisodeCurve; points: [number, 0 | 1, 0 | 1][] }>();
  let done = 0;
  let cellKey: string | undefined;
  let cell: BenchCell | undefined;
  for (const run of plan) {
    const { suite, strategy, seed, task } = run;
    options.onProgress?.(done, plan.length, `${suite.name} ${strategy}${run.prefix ? "" : ` @${run.budgets[0]}`} seed ${seed}`);
    const key = `${suite.name}\u0000${strategy}\u0000${run.budgets.join(",")}\u0000${seed}`;
    if (key !== cellKey) {
      cellKey = key;
      cell = run.prefix ? undefined : suite.cell?.(strategy, run.budgets[0]!, seed, options.parameters?.[strategy]);
    }
    const parameters = options.parameters?.[strategy];
    const chosen = cell?.strategy(task) ?? suite.taskStrategy?.(strategy, task, parameters) ?? suite.strategy?.(strategy, parameters) ?? options.strategies[strategy]!;
    const records = await runEpisode(suite, chosen, strategy, run, cell, options.analysis ?? false);
    episodes.push(...records);
    const curveKey = `${suite.name}\u0000${strategy}\u0000${seed}\u0000${task.id}`;
    const entry = curves.get(curveKey) ?? { curve: { env: suite.name, strategy, seed, task: task.id, prefix: run.prefix, points: [] }, points: [] };
    if (run.prefix) entry.points.push(...(records as RecordWithCurve[])[0]!.curvePoints);
    else for (const r of records) entry.points.push([r.budget, r.success ? 1 : 0, r.answered ? 1 : 0]);
    curves.set(curveKey, entry);
    done++;
  }
  options.onProgress?.(done, plan.length, "done");
  const curveList = [...curves.values()].map(({ curve, points }) => ({ ...curve, points: compress(points.sort((a, b) => a[0] - b[0])) }));
  for (const e of episodes) delete (e as Partial<RecordWithCurve>).curvePoints;
  return { seeds: options.seeds, tasksPerSeed: options.tasksPerSeed, budgets, episodes, curves: curveList, cells: summarize(episodes), skipped, perBudget };
}

function compress(points: readonly [number, 0 | 1, 0 | 1][]): [number, 0 | 1, 0 | 1][] {
  const out: [number, 0 | 1, 0 | 1][] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === p[1] && last[2] === p[2]) continue;
    out.push(p);
  }
  return out;
}

type RecordWithCurve = EpisodeRecord & { curvePoints: [number, 0 | 1, 0 | 1][] };

interface Cut {
  readonly from: number;
  readonly to: number;
  readonly verdict: Judgement;
  readonly answered: boolean;
  readonly pathLength: number;
  readonly spent: BudgetSnapshot;
}

async function runEpisode(suite: BenchSuite, strategy: Strategy, name: string, run: PlannedRun, cell: BenchCell | undefined, analysis: boolean): Promise<EpisodeRecord[]> {
  const { seed, task } = run;
  const max = run.budgets[run.budgets.length - 1]!;
  const budget = new Budget(suite.limits(max));
  const judge = (answered: boolean, finalState: unknown): Judgement => (answered ? task.judge(finalState) : { success: false, score: 0 });
  const cuts: Cut[] = [];
  if (run.prefix) {
    budget.watch(suite.budgetResource ?? "modelCalls", max, ({ from, to }, answer, spent) => {
      const answered = answer?.done === true;
      let verdict: Judgement;
      try {
        verdict = judge(answered, answer?.finalState);
      } catch {
        verdict = { success: false, score: 0 };
      }
      cuts.push({ from, to, verdict, answered, pathLength: answer?.actions.length ?? 0, spent });
    });
  }
  const problem = suite.problem(task, seed);
  const evaluatedBefore = suite.evaluatedTokens?.();
  const evaluated = (): { evaluatedTokens?: number } =>
    evaluatedBefore === undefined ? {} : { evaluatedTokens: suite.evaluatedTokens!() - evaluatedBefore };
  const base = { env: suite.name, strategy: name, seed, task: task.id, prefix: run.prefix };
  let final: Omit<EpisodeRecord, "budget" | keyof typeof base>;
  try {
    const result = await strategy.search(problem, budget);
    const verdict = judge(result.done, result.finalState);
    // Only after the episode is over and judged: what the cell learns serves its later tasks.
    cell?.learn?.(task, result, verdict);
    const spent = result.spent;
    final = {
      success: verdict.success,
      score: verdict.score,
      stop: result.stop,
      modelCalls: spent.modelCalls,
      tokens: spent.tokens,
      envSteps: spent.envSteps,
      wallMs: roundMs(spent.wallMs),
      expansions: result.tree.filter((n) => n.expandedAt !== undefined).length,
      answered: result.done,
      pathLength: result.actions.length,
      ...(result.replaySteps !== undefined ? { replaySteps: result.replaySteps } : {}),
      ...evaluated(),
      ...activeRoles(spent),
      ...(analysis
        ? {
            pathOps: histogram(result.actions.map((a) => task.environment.describe(a))),
            treeOps: histogram(result.tree.flatMap((n) => (n.action === undefined ? [] : [n.action]))),
          }
        : {}),
    };
  } catch (error) {
    const spent = budget.snapshot();
    final = {
      success: false,
      score: 0,
      stop: "error",
      modelCalls: spent.modelCalls,
      tokens: spent.tokens,
      envSteps: spent.envSteps,
      wallMs: spent.wallMs,
      expansions: 0,
      answered: false,
      pathLength: 0,
      ...evaluated(),
      ...activeRoles(spent),
      error: error instanceof Error ? error.message : String(error),
    };
    // An episode that ended in an error counts as a failure at every budget.
    cuts.length = 0;
  } finally {
    await suite.release?.(problem);
  }
  const records: EpisodeRecord[] = run.budgets.map((b) => {
    const cut = cuts.find((c) => c.from <= b && b <= c.to);
    if (cut === undefined) return { ...base, budget: b, ...final };
    return {
      ...base,
      budget: b,
      ...final,
      success: cut.verdict.success,
      score: cut.verdict.score,
      stop: "budget",
      modelCalls: cut.spent.modelCalls,
      tokens: cut.spent.tokens,
      envSteps: cut.spent.envSteps,
      wallMs: roundMs(cut.spent.wallMs),
      answered: cut.answered,
      pathLength: cut.pathLength,
      // What the roles evaluated up to the cut (every model role charges its evaluated tokens).
      ...(final.evaluatedTokens !== undefined ? { evaluatedTokens: Object.values(cut.spent.byRole).reduce((n, c) => n + c.evaluatedTokens, 0) } : {}),
      ...activeRoles(cut.spent),
    };
  });
  if (run.prefix) {
    const points: [number, 0 | 1, 0 | 1][] = cuts.map((c) => [c.from, c.verdict.success ? 1 : 0, c.answered ? 1 : 0]);
    const after = (cuts[cuts.length - 1]?.to ?? 0) + 1;
    if (after <= max) points.push([after, final.success ? 1 : 0, final.answered ? 1 : 0]);
    (records[0] as RecordWithCurve).curvePoints = points;
  }
  return records;
}

/** The per-role costs of the roles that made calls (none: no field). */
function activeRoles(spent: BudgetSnapshot): { byRole?: Partial<Record<RoleName, RoleCost>> } {
  const active = Object.entries(spent.byRole)
    .filter(([, cost]) => cost.calls > 0)
    .map(([role, cost]) => [role, { ...cost, ms: roundMs(cost.ms) }]);
  return active.length === 0 ? {} : { byRole: Object.fromEntries(active) as Partial<Record<RoleName, RoleCost>> };
}

/** Wall times to a hundredth of a millisecond (finer is noise, and bloats the results). */
const roundMs = (ms: number): number => Math.round(ms * 100) / 100;

/** Counts of operations: an action's description up to its first "(" or "[" (`solve(#3)` → `solve`). */
function histogram(labels: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of labels) {
    const op = label.split(/[([]/, 1)[0]!.trim();
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

/** `count` tasks for a seed: a seeded shuffle, so seeds see different tasks and reruns the same. */
export function pickTasks<T>(tasks: readonly T[], count: number, seed: number): T[] {
  const order = tasks.map((_, i) => i);
  let state = (seed * 2654435761) >>> 0;
  for (let i = order.length - 1; i > 0; i--) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, Math.min(count, order.length)).map((i) => tasks[i]!);
}

export { medianOf };
