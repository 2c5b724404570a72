import { meanInterval, median, wilsonInterval, type Interval } from "./bench-stats.js";
import { successCurvesSvg } from "./bench-svg.js";
import { Budget, type BudgetLimits, type Judgement, type SearchProblem, type SearchResult, type Strategy, type Task } from "./types.js";

/**
 * The search benchmark: every strategy on every environment it is meaningful for, at several
 * budgets, over seeds. Ground truth (`task.judge`) is consulted only after an episode ends.
 */
export interface BenchSuite<S = unknown, A = unknown> {
  /** The environment's name (`--env`). */
  readonly name: string;
  /** The tasks a run draws from (the test split). */
  tasks(): readonly Task<S, A>[];
  /** The roles for one episode, seeded (simulated roles' errors depend on the seed). */
  problem(task: Task<S, A>, seed: number): SearchProblem<S, A>;
  /** What a budget amount limits (e.g. model calls). */
  limits(amount: number): BudgetLimits;
  /** The unit of a budget amount, for tables and plots. */
  readonly budgetUnit: string;
  /** Strategies that make sense here (others are skipped, and said so). */
  readonly strategies: readonly string[];
  /** A strategy configured for this environment (e.g. A* with memory from the train split), if it needs one. */
  strategy?(name: string): Strategy | undefined;
  /**
   * State that learns across the tasks of one cell (strategy, budget, seed), which run in order:
   * e.g. ToolChain*'s memory growing with successes. Called once per cell, so every cell starts
   * afresh and cells cannot inform one another (the grid reruns the same tasks at every budget).
   */
  cell?(strategy: string, budget: number, seed: number): BenchCell | undefined;
  /** Frees what an episode's roles hold (a llama.cpp policy's sequences). */
  release?(problem: SearchProblem<S, A>): Promise<void>;
  /** Tokens the model has evaluated so far (llama.cpp policies: prompt, replayed and generated tokens), to meter prefix reuse. */
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

export interface EpisodeRecord {
  readonly env: string;
  readonly strategy: string;
  readonly budget: number;
  readonly seed: number;
  readonly task: string;
  readonly success: boolean;
  readonly score: number;
  readonly stop: string;
  readonly modelCalls: number;
  readonly tokens: number;
  readonly envSteps: number;
  readonly wallMs: number;
  /** Nodes expanded (the strategy's own count of expansions). */
  readonly expansions: number;
  /** Tokens the model evaluated during the episode (suites with a real model only). */
  readonly evaluatedTokens?: number;
  /** Whether the strategy's chosen episode reached a terminal state (only those are judged). */
  readonly answered: boolean;
  /** Actions in the chosen episode. */
  readonly pathLength: number;
  /** With `analysis`: how often each operation (an action's description up to its first "(" or "[") occurs on the chosen path … */
  readonly pathOps?: Readonly<Record<string, number>>;
  /** … and among all nodes of the search tree. */
  readonly treeOps?: Readonly<Record<string, number>>;
  /** Set when the strategy threw: the episode counts as a failure. */
  readonly error?: string;
}

export interface CellSummary {
  readonly env: string;
  readonly strategy: string;
  readonly budget: number;
  readonly episodes: number;
  readonly success: Interval;
  readonly score: Interval;
  readonly modelCalls: number;
  readonly tokens: number;
  readonly envSteps: number;
  readonly wallMs: number;
  readonly expansions: number;
  /** Median evaluated tokens (suites with a real model only). */
  readonly evaluatedTokens?: number;
}

export interface BenchReport {
  readonly seeds: number;
  readonly tasksPerSeed: number;
  readonly episodes: readonly EpisodeRecord[];
  readonly cells: readonly CellSummary[];
  readonly skipped: readonly string[];
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
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const episodes: EpisodeRecord[] = [];
  const skipped: string[] = [];
  const plan: { suite: BenchSuite; strategy: string; budget: number; seed: number; task: Task<unknown, unknown> }[] = [];
  for (const suite of options.suites) {
    const tasks = suite.tasks();
    for (const strategy of Object.keys(options.strategies)) {
      if (!suite.strategies.includes(strategy)) {
        skipped.push(`${strategy} on ${suite.name}`);
        continue;
      }
      for (const budget of options.budgets) {
        for (let seed = 1; seed <= options.seeds; seed++) {
          for (const task of pickTasks(tasks, options.tasksPerSeed, seed)) plan.push({ suite, strategy, budget, seed, task });
        }
      }
    }
  }
  let done = 0;
  // The plan lists each cell's tasks consecutively, so one cell object at a time suffices.
  let cellKey: string | undefined;
  let cell: BenchCell | undefined;
  for (const { suite, strategy, budget, seed, task } of plan) {
    options.onProgress?.(done, plan.length, `${suite.name} ${strategy} @${budget} seed ${seed}`);
    const key = `${suite.name}\u0000${strategy}\u0000${budget}\u0000${seed}`;
    if (key !== cellKey) {
      cellKey = key;
      cell = suite.cell?.(strategy, budget, seed);
    }
    const chosen = cell?.strategy(task) ?? suite.strategy?.(strategy) ?? options.strategies[strategy]!;
    episodes.push(await runEpisode(suite, chosen, strategy, budget, seed, task, cell, options.analysis ?? false));
    done++;
  }
  options.onProgress?.(done, plan.length, "done");
  return { seeds: options.seeds, tasksPerSeed: options.tasksPerSeed, episodes, cells: summarize(episodes), skipped };
}

async function runEpisode(
  suite: BenchSuite,
  strategy: Strategy,
  name: string,
  budgetAmount: number,
  seed: number,
  task: Task<unknown, unknown>,
  cell?: BenchCell,
  analysis = false,
): Promise<EpisodeRecord> {
  const budget = new Budget(suite.limits(budgetAmount));
  const base = { env: suite.name, strategy: name, budget: budgetAmount, seed, task: task.id };
  const problem = suite.problem(task, seed);
  const evaluatedBefore = suite.evaluatedTokens?.();
  const evaluated = (): { evaluatedTokens?: number } =>
    evaluatedBefore === undefined ? {} : { evaluatedTokens: suite.evaluatedTokens!() - evaluatedBefore };
  try {
    const result = await strategy.search(problem, budget);
    const verdict = result.done ? task.judge(result.finalState) : { success: false, score: 0 };
    // Only after the episode is over and judged: what the cell learns serves its later tasks.
    cell?.learn?.(task, result, verdict);
    const spent = result.spent;
    return {
      ...base,
      success: verdict.success,
      score: verdict.score,
      stop: result.stop,
      modelCalls: spent.modelCalls,
      tokens: spent.tokens,
      envSteps: spent.envSteps,
      wallMs: spent.wallMs,
      expansions: result.tree.filter((n) => n.expandedAt !== undefined).length,
      answered: result.done,
      pathLength: result.actions.length,
      ...evaluated(),
      ...(analysis
        ? {
            pathOps: histogram(result.actions.map((a) => task.environment.describe(a))),
            treeOps: histogram(result.tree.flatMap((n) => (n.action === undefined ? [] : [n.action]))),
          }
        : {}),
    };
  } catch (error) {
    const spent = budget.snapshot();
    return {
      ...base,
      success: false,
      score: 0,
      stop: "error",
      ...spent,
      expansions: 0,
      answered: false,
      pathLength: 0,
      ...evaluated(),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await suite.release?.(problem);
  }
}

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
function pickTasks<T>(tasks: readonly T[], count: number, seed: number): T[] {
  const order = tasks.map((_, i) => i);
  let state = (seed * 2654435761) >>> 0;
  for (let i = order.length - 1; i > 0; i--) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, Math.min(count, order.length)).map((i) => tasks[i]!);
}

export function summarize(episodes: readonly EpisodeRecord[]): CellSummary[] {
  const groups = new Map<string, EpisodeRecord[]>();
  for (const e of episodes) {
    const key = `${e.env}\u0000${e.strategy}\u0000${e.budget}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  return [...groups.values()].map((list) => {
    const first = list[0]!;
    return {
      env: first.env,
      strategy: first.strategy,
      budget: first.budget,
      episodes: list.length,
      success: wilsonInterval(list.filter((e) => e.success).length, list.length),
      score: meanInterval(list.map((e) => e.score)),
      modelCalls: median(list.map((e) => e.modelCalls)),
      tokens: median(list.map((e) => e.tokens)),
      envSteps: median(list.map((e) => e.envSteps)),
      wallMs: median(list.map((e) => e.wallMs)),
      expansions: median(list.map((e) => e.expansions)),
      ...(list.every((e) => e.evaluatedTokens !== undefined) ? { evaluatedTokens: median(list.map((e) => e.evaluatedTokens!)) } : {}),
    };
  });
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A Markdown table per environment: success with its 95% interval, and the cost columns (medians). */
export function benchMarkdown(report: BenchReport, suites: readonly BenchSuite[]): string {
  const lines: string[] = [];
  for (const suite of suites) {
    const cells = report.cells.filter((c) => c.env === suite.name);
    if (cells.length === 0) continue;
    lines.push(`### ${suite.name}`, "");
    // Evaluated tokens (prompt, replayed and generated) only mean something with a real model.
    const evaluated = cells.every((c) => c.evaluatedTokens !== undefined);
    lines.push(`| strategy | budget (${suite.budgetUnit}) | episodes | success [95% CI] | mean score | model calls | tokens |${evaluated ? " evaluated tokens |" : ""} env steps | expansions | wall ms |`);
    lines.push(`| --- | ---: | ---: | --- | ---: | ---: | ---: |${evaluated ? " ---: |" : ""} ---: | ---: | ---: |`);
    for (const c of [...cells].sort((a, b) => a.strategy.localeCompare(b.strategy) || a.budget - b.budget)) {
      lines.push(
        `| ${c.strategy} | ${c.budget} | ${c.episodes} | ${pct(c.success.estimate)} [${pct(c.success.low)}, ${pct(c.success.high)}] | ${c.score.estimate.toFixed(3)} | ${c.modelCalls} | ${c.tokens} |${evaluated ? ` ${c.evaluatedTokens} |` : ""} ${c.envSteps} | ${c.expansions} | ${c.wallMs.toFixed(1)} |`,
      );
    }
    lines.push("");
  }
  if (report.skipped.length > 0) lines.push(`Not run (not meaningful for the environment): ${report.skipped.join(", ")}.`, "");
  const errors = report.episodes.filter((e) => e.error !== undefined);
  if (errors.length > 0) lines.push(`${errors.length} episodes ended in an error (counted as failures); first: ${errors[0]!.error}`, "");
  return lines.join("\n");
}

/**
 * Where each strategy's effort goes (from a run with `analysis`): per environment, strategy and
 * budget, the share of episodes that reached a terminal state, the mean path length, and the mean
 * count per episode of each operation on the chosen path and in the whole search tree.
 */
export function analysisMarkdown(report: BenchReport, suites: readonly BenchSuite[]): string {
  const lines: string[] = [];
  const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const ops = (list: readonly EpisodeRecord[], pick: (e: EpisodeRecord) => Readonly<Record<string, number>> | undefined): string => {
    const names = [...new Set(list.flatMap((e) => Object.keys(pick(e) ?? {})))].sort();
    return names.map((name) => `${name} ${mean(list.map((e) => pick(e)?.[name] ?? 0)).toFixed(1)}`).join(", ") || "–";
  };
  for (const suite of suites) {
    const mine = report.episodes.filter((e) => e.env === suite.name && e.pathOps !== undefined);
    if (mine.length === 0) continue;
    lines.push(`### ${suite.name}: where the operations go`, "");
    lines.push(`| strategy | budget | answered | mean score | path length | operations on the chosen path (mean per episode) | operations in the tree (mean per episode) |`);
    lines.push("| --- | ---: | ---: | ---: | ---: | --- | --- |");
    const cells = [...new Set(mine.map((e) => `${e.strategy}\u0000${e.budget}`))]
      .map((key) => key.split("\u0000") as [string, string])
      .sort(([a, x], [b, y]) => a.localeCompare(b) || Number(x) - Number(y));
    for (const [strategy, budget] of cells) {
      const list = mine.filter((e) => e.strategy === strategy && e.budget === Number(budget));
      lines.push(
        `| ${strategy} | ${budget} | ${pct(mean(list.map((e) => (e.answered ? 1 : 0))))} | ${mean(list.map((e) => e.score)).toFixed(3)} | ${mean(list.map((e) => e.pathLength)).toFixed(1)} | ${ops(list, (e) => e.pathOps)} | ${ops(list, (e) => e.treeOps)} |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** Success versus budget, one panel per environment. */
export function benchSvg(report: BenchReport, suites: readonly BenchSuite[], budgets: readonly number[]): string {
  const panels = suites
    .filter((suite) => report.cells.some((c) => c.env === suite.name))
    .map((suite) => {
      const strategies = [...new Set(report.cells.filter((c) => c.env === suite.name).map((c) => c.strategy))];
      return {
        title: suite.name,
        xLabel: `budget: ${suite.budgetUnit}`,
        budgets: budgets.map(String),
        curves: strategies.map((strategy) => ({
          strategy,
          points: budgets.map((b) => report.cells.find((c) => c.env === suite.name && c.strategy === strategy && c.budget === b)?.success),
        })),
      };
    });
  return successCurvesSvg(panels, { title: "Success versus budget (95% intervals over seeds and tasks)", xLabel: "budget", yLabel: "success" });
}
