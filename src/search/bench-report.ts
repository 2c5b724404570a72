/**
 * What a benchmark run reads as: a table per environment (success with its Wilson interval, the
 * "finished but failed" share, cost medians), the budget each strategy needs to reach a success
 * level with a task-level bootstrap interval, paired comparisons, and plots of success versus
 * model calls (the budget), tokens and wall time.
 */
import { budgetToReachInterval, pairedComparison, type Interval, type StepCurve } from "./bench-stats.js";
import { numericCurvesSvg, successCurvesSvg, type NumericPanel } from "./bench-svg.js";
import type { BenchReport, BenchSuite, EpisodeCurve, EpisodeRecord } from "./bench.js";

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "–");
const amount = (x: number, max: number): string => (x === Infinity ? `> ${max}` : Number.isNaN(x) ? "–" : String(Math.round(x * 100) / 100));
const ratioText = (x: number): string => (Number.isNaN(x) ? "–" : x === Infinity ? "∞" : x === 0 ? "0" : x.toFixed(2));
const interval = (i: Interval, max: number): string => `${amount(i.estimate, max)} [${amount(i.low, max)}, ${amount(i.high, max)}]`;

/** A Markdown table per environment: success with its 95% interval, the finished-but-failed share, and the cost columns (medians). */
export function benchMarkdown(report: BenchReport, suites: readonly BenchSuite[]): string {
  const lines: string[] = [];
  for (const suite of suites) {
    const cells = report.cells.filter((c) => c.env === suite.name);
    if (cells.length === 0) continue;
    lines.push(`### ${suite.name}`, "", `Budget unit: ${suite.budgetUnit}.`, "");
    const evaluated = cells.every((c) => c.evaluatedTokens !== undefined);
    const replay = cells.some((c) => c.replaySteps !== undefined);
    lines.push(
      `| strategy | budget | episodes | success [95% CI] | finished but failed | mean score | model calls | tokens |${evaluated ? " evaluated tokens |" : ""} env steps |${replay ? " replayed steps |" : ""} expansions | wall ms |`,
    );
    lines.push(`| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |${evaluated ? " ---: |" : ""} ---: |${replay ? " ---: |" : ""} ---: | ---: |`);
    for (const c of [...cells].sort((a, b) => a.strategy.localeCompare(b.strategy) || a.budget - b.budget)) {
      lines.push(
        `| ${c.strategy} | ${c.budget} | ${c.episodes} | ${pct(c.success.estimate)} [${pct(c.success.low)}, ${pct(c.success.high)}] | ${pct(c.terminalFailed)} | ${c.score.estimate.toFixed(3)} | ${c.modelCalls} | ${c.tokens} |${evaluated ? ` ${c.evaluatedTokens} |` : ""} ${c.envSteps} |${replay ? ` ${c.replaySteps ?? 0} |` : ""} ${c.expansions} | ${c.wallMs.toFixed(1)} |`,
      );
    }
    lines.push("");
  }
  const perBudget = report.perBudget.filter((p) => report.cells.some((c) => p.endsWith(` on ${c.env}`)));
  lines.push(
    "Model calls, tokens, env steps and wall time are medians of what each episode spent; expansions count the whole run for strategies read off one run at the largest budget (every strategy but those run once per budget" +
      (perBudget.length > 0 ? `: ${perBudget.join(", ")}` : "") +
      ").",
    "",
  );
  if (report.skipped.length > 0) lines.push(`Not run (not meaningful for the environment): ${report.skipped.join(", ")}.`, "");
  const errors = report.episodes.filter((e) => e.error !== undefined);
  if (errors.length > 0) lines.push(`${errors.length} episodes ended in an error (counted as failures); first: ${errors[0]!.error}`, "");
  return lines.join("\n");
}

const stepCurve = (c: EpisodeCurve): StepCurve & { key: string } => ({
  unit: c.task,
  key: `${c.seed}\u0000${c.task}`,
  points: c.points.map(([from, success]) => [from, success] as const),
});

export interface ComparisonRequest {
  readonly a: string;
  readonly b: string;
}

/**
 * The budget each strategy needs to reach each level of success (task-level bootstrap 95%
 * intervals; "> max" when the runs never reach it), and the paired comparisons asked for.
 */
export function statisticsMarkdown(report: BenchReport, suites: readonly BenchSuite[], levels: readonly number[], comparisons: readonly ComparisonRequest[] = [], resamples = 2000): string {
  const lines: string[] = [];
  const max = report.budgets[report.budgets.length - 1] ?? 0;
  for (const suite of suites) {
    const curves = report.curves.filter((c) => c.env === suite.name);
    if (curves.length === 0) continue;
    const strategies = [...new Set(curves.map((c) => c.strategy))].sort();
    lines.push(`### ${suite.name}: budget needed to reach a success level`, "");
    lines.push(`Budget unit: ${suite.budgetUnit}. Task-level bootstrap, ${resamples} resamples, 95% percentile intervals. Integer resolution for strategies read off one run; the budget grid for those run once per budget (marked *).`, "");
    lines.push(`| strategy | ${levels.map((l) => `${pct(l)} success`).join(" | ")} |`);
    lines.push(`| --- | ${levels.map(() => "---").join(" | ")} |`);
    for (const strategy of strategies) {
      const mine = curves.filter((c) => c.strategy === strategy);
      const mark = mine.some((c) => !c.prefix) ? " *" : "";
      lines.push(`| ${strategy}${mark} | ${levels.map((level) => interval(budgetToReachInterval(mine.map(stepCurve), level, { resamples }), max)).join(" | ")} |`);
    }
    lines.push("");
    const mineComparisons = comparisons.filter((r) => strategies.includes(r.a) && strategies.includes(r.b));
    if (mineComparisons.length > 0) {
      lines.push(
        `Paired comparisons (the same tasks and seeds under both strategies, resampled together; ratio = budget A needs / budget B needs — 0 where only A reaches the level within ${max}, ∞ where only B does, – where neither; difference = success A − B at budget ${max}):`,
        "",
      );
      lines.push("| A vs B | level | episodes | budget A | budget B | ratio A/B | success difference |");
      lines.push("| --- | ---: | ---: | --- | --- | --- | --- |");
      for (const { a, b } of mineComparisons) {
        for (const level of levels) {
          const cmp = pairedComparison(
            curves.filter((c) => c.strategy === a).map(stepCurve),
            curves.filter((c) => c.strategy === b).map(stepCurve),
            level,
            max,
            { resamples },
          );
          const ratio = `${ratioText(cmp.ratio.estimate)} [${ratioText(cmp.ratio.low)}, ${ratioText(cmp.ratio.high)}]`;
          const diff = `${pct(cmp.successDifference.estimate)} [${pct(cmp.successDifference.low)}, ${pct(cmp.successDifference.high)}]`;
          lines.push(`| ${a} vs ${b} | ${pct(level)} | ${cmp.pairs} | ${interval(cmp.a, max)} | ${interval(cmp.b, max)} | ${ratio} | ${diff} |`);
        }
      }
      lines.push("");
    }
  }
  return lines.join("\n");
}

/** The statistics as data (for the JSON results). */
export function statisticsJson(report: BenchReport, levels: readonly number[], comparisons: readonly ComparisonRequest[] = [], resamples = 2000): unknown {
  const max = report.budgets[report.budgets.length - 1] ?? 0;
  const envs = [...new Set(report.curves.map((c) => c.env))];
  return envs.map((env) => {
    const curves = report.curves.filter((c) => c.env === env);
    const strategies = [...new Set(curves.map((c) => c.strategy))].sort();
    return {
      env,
      budgetToReach: strategies.map((strategy) => ({
        strategy,
        levels: levels.map((level) => ({ level, ...budgetToReachInterval(curves.filter((c) => c.strategy === strategy).map(stepCurve), level, { resamples }) })),
      })),
      comparisons: comparisons
        .filter((r) => strategies.includes(r.a) && strategies.includes(r.b))
        .flatMap(({ a, b }) =>
          levels.map((level) => ({ strategies: [a, b], level, ...pairedComparison(curves.filter((c) => c.strategy === a).map(stepCurve), curves.filter((c) => c.strategy === b).map(stepCurve), level, max, { resamples }) })),
        ),
    };
  });
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
    lines.push("The operation counts are those of the run at the largest budget for strategies read off one run.", "");
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

/** Success versus budget, one panel per environment (the budget grid evenly spaced). */
export function benchSvg(report: BenchReport, suites: readonly BenchSuite[], budgets: readonly number[]): string {
  const panels = suites
    .filter((suite) => report.cells.some((c) => c.env === suite.name))
    .map((suite) => {
      const strategies = [...new Set(report.cells.filter((c) => c.env === suite.name).map((c) => c.strategy))];
      return {
        title: suite.name,
        xLabel: `budget: ${shortUnit(suite.budgetUnit)}`,
        budgets: budgets.map(String),
        curves: strategies.map((strategy) => ({
          strategy,
          points: budgets.map((b) => report.cells.find((c) => c.env === suite.name && c.strategy === strategy && c.budget === b)?.success),
        })),
      };
    });
  return successCurvesSvg(panels, { title: "Success versus budget (95% intervals over seeds and tasks)", xLabel: "budget", yLabel: "success" });
}

const shortUnit = (unit: string): string => unit.split(" (")[0]!;

/**
 * Success versus what was spent, per environment: against the budget (model calls or
 * operations), the median tokens and the median wall time spent at each budget (log scales).
 */
export function costSvg(report: BenchReport, suites: readonly BenchSuite[]): string {
  const panels: NumericPanel[] = [];
  for (const suite of suites) {
    const cells = report.cells.filter((c) => c.env === suite.name);
    if (cells.length === 0) continue;
    const strategies = [...new Set(cells.map((c) => c.strategy))];
    const of = (x: (c: (typeof cells)[number]) => number) =>
      strategies.map((strategy) => ({
        strategy,
        points: cells.filter((c) => c.strategy === strategy).sort((a, b) => a.budget - b.budget).map((c) => ({ x: x(c), y: c.success })),
      }));
    panels.push({ title: `${suite.name}: vs ${shortUnit(suite.budgetUnit)}`, xLabel: `${shortUnit(suite.budgetUnit)} (budget)`, curves: of((c) => c.budget) });
    panels.push({ title: `${suite.name}: vs tokens`, xLabel: "generated tokens spent (median)", curves: of((c) => c.tokens) });
    panels.push({ title: `${suite.name}: vs wall time`, xLabel: "wall ms spent (median)", curves: of((c) => c.wallMs) });
  }
  return numericCurvesSvg(panels, { title: "Success versus model calls, tokens and wall time (95% intervals)", yLabel: "success", columns: 3 });
}
