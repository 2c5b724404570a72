import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { ASTAR_VARIANTS, MCTS_VARIANTS, SUITES, type PolicyKind, type SimulationOptions } from "../envs/suites.js";
import { BenchPlanError, countRuns, MAX_RUNS, runBench, type BenchSuite } from "../search/bench.js";
import { analysisMarkdown, benchMarkdown, benchSvg, costSvg, statisticsJson, statisticsMarkdown, type ComparisonRequest } from "../search/bench-report.js";
import { STRATEGIES, type StrategyName } from "../search/index.js";
import type { Strategy } from "../search/types.js";
import { parsePositiveInt, UsageError, writeFileAtomically, type CliContext } from "./io.js";
import { modelHeaderMarkdown, roleCostMarkdown } from "../search/roles/role-report.js";
import {
  addModelOptions,
  checkModelOptions,
  loadModelRoles,
  loadSuites,
  loadUserStrategies,
  modelCommandSuffix,
  parseRoles,
  strategyParameters,
  suiteRoles,
  type ModelCommandOptions,
} from "./model-options.js";

interface BenchCommandOptions extends ModelCommandOptions {
  env: string;
  strategy: string;
  budget: string;
  seeds: string;
  tasks: string;
  policy: string;
  out?: string;
  name: string;
  analysis?: boolean;
  reach: string;
  compare?: string;
  resamples: string;
  finishRate?: string;
  scoreNoise?: string;
}

/** Where results go unless `--out` says otherwise: a new folder per run (git-ignored), never the checked-in results. */
export function defaultOutDir(now = new Date()): string {
  return join("bench-results", now.toISOString().replace(/[:.]/g, "-"));
}

export function registerBench(program: Command, context: CliContext): void {
  const benchCommand = program
    .command("bench")
    .description("run search strategies on environments at several budgets and seeds; write results, tables, statistics and plots")
    .option("--env <names>", `environments, comma-separated, or "all"`, "all")
    .option("--strategy <names>", `strategies, comma-separated, or "all" (${[...Object.keys(STRATEGIES), ...ENVIRONMENT_STRATEGIES].join(", ")})`, "all")
    .option("--budget <list>", "budgets (in each environment's unit: model calls, or operations on thought graphs), comma-separated", "4,8,16,32")
    .option("--seeds <n>", "seeds (independent repetitions)", "5")
    .option("--tasks <n>", "tasks per seed and environment", "10")
    .option("--policy <kind>", "simulated (seeded error model) or llama (the constrained decoder)", "simulated")
    .option("-o, --out <dir>", "where to write the results (default: a new folder bench-results/<time>/; the checked-in results are written only when asked: --out benchmarks/results)")
    .option("--name <base>", "base name of the result files", "search")
    .option("--reach <levels>", "success levels for the budget-to-reach statistics, comma-separated", "0.5")
    .option("--compare <pairs>", "paired comparisons, e.g. astar:bfs,best-first:greedy")
    .option("--resamples <n>", "bootstrap resamples", "2000")
    .option("--analysis", "also record which operations each strategy chose (path and tree) and add a table of them")
    .option("--finish-rate <p>", "simulated tool-planning policy: probability that a sample off the plan is a premature finish (default 0.05)")
    .option("--score-noise <sd>", "simulated thought operator: standard deviation of its score noise (default 1; 0 = exact scores)");
  addModelOptions(benchCommand).action(async (options: BenchCommandOptions) => {
      checkModelOptions(options);
      const roles = parseRoles(options, parsePolicy(options.policy));
      const policy: PolicyKind = roles.includes("policy") ? "llama" : "simulated";
      // With --env-module / --strategy-module, the user's environments and strategies run, and the
      // built-in ones only where --env / --strategy name them.
      const envDefault = benchCommand.getOptionValueSource("env") === "default" && options.envModule.length > 0;
      const envNames = envDefault ? [] : options.env === "all" ? SUITES.map((s) => s.name) : splitList(options.env);
      const userStrategies = await loadUserStrategies(options);
      const strategyDefault = benchCommand.getOptionValueSource("strategy") === "default" && options.strategyModule.length > 0;
      const builtIn = strategyDefault ? {} : pickStrategies(options.strategy);
      const parameters = strategyParameters(options, Object.keys(builtIn), Object.keys(userStrategies));
      const strategies: Record<string, Strategy> = { ...withParameters(builtIn, parameters), ...userStrategies };
      const budgets = splitList(options.budget).map((b) => parsePositiveInt(b, "--budget"));
      if (budgets.length === 0) throw new UsageError("--budget expects at least one budget");
      const seeds = parsePositiveInt(options.seeds, "--seeds");
      const tasks = parsePositiveInt(options.tasks, "--tasks");
      const resamples = parsePositiveInt(options.resamples, "--resamples");
      const levels = splitList(options.reach).map((text) => {
        const level = Number(text);
        if (!(level > 0 && level <= 1)) throw new UsageError(`--reach expects success levels in (0, 1], got '${text}'`);
        return level;
      });
      const comparisons = parseComparisons(options.compare, strategies);
      if (!/^[A-Za-z0-9._-]+$/.test(options.name)) throw new UsageError(`--name expects a plain file name, got '${options.name}'`);
      // Sizes are checked before anything is loaded or run: a grid too large to hold is refused.
      if (seeds > MAX_RUNS || tasks > MAX_RUNS) throw new UsageError(`--seeds and --tasks may be at most ${MAX_RUNS.toLocaleString("en")} (the grid is held in memory)`);
      const simulation = parseSimulation(options);
      const model = await loadModelRoles(options, roles, context);
      let suites: BenchSuite[] = [];
      let roleTable: Awaited<ReturnType<typeof suiteRoles>>;
      try {
        suites = (await loadSuites(envNames, options, policy, simulation, model)).map((suite) => ({ ...suite, strategies: [...suite.strategies, ...Object.keys(userStrategies)] }));
        roleTable = await suiteRoles(suites);
      } catch (error) {
        for (const suite of suites) await suite.close?.();
        await model?.close();
        throw error;
      }
      const out = options.out ?? defaultOutDir();
      const started = performance.now();
      let lastDraw = 0;
      let report;
      try {
        const runs = countRuns({ suites, strategies, budgets, seeds, tasksPerSeed: tasks });
        context.stderr(`${runs.toLocaleString("en")} searches to run\n`);
        report = await runBench({
          suites,
          strategies,
          parameters,
          budgets,
          seeds,
          tasksPerSeed: tasks,
          analysis: options.analysis === true,
          onProgress: (done, total, label) => {
            const now = performance.now();
            if (now - lastDraw < 250 && done < total) return;
            lastDraw = now;
            context.stderr(progressLine(done, total, label, now - started));
          },
        });
      } catch (error) {
        if (error instanceof BenchPlanError) throw new UsageError(error.message);
        throw error;
      } finally {
        for (const suite of suites) await suite.close?.();
        await model?.close();
      }
      const wallSeconds = (performance.now() - started) / 1000;
      mkdirSync(out, { recursive: true });
      const command =
        `ltlguard bench --env ${envNames.join(",")} --strategy ${Object.keys(strategies).join(",")} --budget ${budgets.join(",")} --seeds ${seeds} --tasks ${tasks} --policy ${policy}` +
        (options.reach !== "0.5" ? ` --reach ${levels.join(",")}` : "") +
        (comparisons.length > 0 ? ` --compare ${comparisons.map((c) => `${c.a}:${c.b}`).join(",")}` : "") +
        (options.name !== "search" ? ` --name ${options.name}` : "") +
        (options.analysis === true ? " --analysis" : "") +
        (simulation.finishRate !== undefined ? ` --finish-rate ${simulation.finishRate}` : "") +
        (simulation.scoreNoise !== undefined ? ` --score-noise ${simulation.scoreNoise}` : "") +
        modelCommandSuffix(options, roles);
      const statistics = statisticsJson(report, levels, comparisons, resamples);
      const json = {
        command,
        wallSeconds,
        ...(model !== undefined ? { model: model.info } : {}),
        roles: roleTable,
        parameters,
        units: Object.fromEntries(suites.map((s) => [s.name, s.budgetUnit])),
        ...report,
        statistics,
      };
      const base = join(out, options.name);
      writeFileAtomically(`${base}.json`, JSON.stringify(json) + "\n");
      const analysis = options.analysis === true ? `\n${analysisMarkdown(report, suites)}` : "";
      const tables = benchMarkdown(report, suites);
      const stats = statisticsMarkdown(report, suites, levels, comparisons, resamples);
      const roleCosts = roleCostMarkdown(report);
      const header = `${modelHeaderMarkdown(model?.info, roleTable)}${Object.keys(parameters).length > 0 ? `Strategy parameters: ${JSON.stringify(parameters)}.\n\n` : ""}`;
      const md =
        `# Search strategies: success versus budget\n\nReproduce with \`${command}\` (${wallSeconds.toFixed(0)} s on the machine that wrote it).\n\n${header}${tables}\n## Statistics\n\n${stats}${analysis}` +
        (roleCosts !== "" ? `\n## Cost per role\n\n${roleCosts}` : "");
      writeFileAtomically(`${base}.md`, md);
      writeFileAtomically(`${base}.svg`, benchSvg(report, suites, report.budgets));
      writeFileAtomically(`${base}-costs.svg`, costSvg(report, suites));
      context.stdout(`${tables}\n${stats}${analysis}${roleCosts !== "" ? `\n${roleCosts}` : ""}`);
      context.stderr(`wrote ${base}.{json,md,svg} and ${base}-costs.svg (${wallSeconds.toFixed(1)} s)\n`);
    });
}

function progressLine(done: number, total: number, label: string, elapsedMs: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const eta = done === 0 ? "" : `, ~${Math.round(((total - done) * elapsedMs) / done / 1000)} s left`;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} searches${eta}  ${label}\n`;
}

/** The simulated roles' adjustable parts from the command line (unset: each suite's default). */
export function parseSimulation(options: { finishRate?: string; scoreNoise?: string }): SimulationOptions {
  const number = (text: string | undefined, option: string, max: number): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > max) throw new UsageError(`${option} expects a number from 0 to ${max}, got '${text}'`);
    return value;
  };
  const finishRate = number(options.finishRate, "--finish-rate", 1);
  const scoreNoise = number(options.scoreNoise, "--score-noise", 1000);
  return { ...(finishRate !== undefined ? { finishRate } : {}), ...(scoreNoise !== undefined ? { scoreNoise } : {}) };
}

export function parsePolicy(text: string): PolicyKind {
  if (text !== "simulated" && text !== "llama") throw new UsageError(`--policy expects simulated or llama, got '${text}'`);
  return text;
}

function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function parseComparisons(text: string | undefined, strategies: Readonly<Record<string, Strategy>>): ComparisonRequest[] {
  if (text === undefined) return [];
  return splitList(text).map((pair) => {
    const [a, b, extra] = pair.split(":");
    if (a === undefined || b === undefined || extra !== undefined || a === "" || b === "") throw new UsageError(`--compare expects pairs a:b, got '${pair}'`);
    for (const name of [a, b]) if (!(name in strategies)) throw new UsageError(`--compare names '${name}', which is not among the strategies run`);
    return { a, b };
  });
}

/**
 * Strategies only some environments provide: GoT's static schedule and the MCTS variants on
 * thought graphs; the A* variants on tool planning (literal memory, no imagination, the earlier
 * form, memory grown during a run).
 */
const ENVIRONMENT_STRATEGIES = ["got", ...Object.keys(MCTS_VARIANTS), ...ASTAR_VARIANTS.filter((name) => name !== "astar"), "astar-grow", "astar-grow-self"];

export function pickStrategies(text: string): Record<string, Strategy> {
  const known = [...Object.keys(STRATEGIES), ...ENVIRONMENT_STRATEGIES];
  const names = text === "all" ? known : splitList(text);
  const out: Record<string, Strategy> = {};
  for (const name of names) {
    if (ENVIRONMENT_STRATEGIES.includes(name)) {
      out[name] = {
        name,
        search: () => Promise.reject(new Error(`'${name}' runs only on environments that provide it`)),
      };
      continue;
    }
    const make = STRATEGIES[name as StrategyName] as ((options?: never) => Strategy) | undefined;
    if (make === undefined) throw new UsageError(`unknown strategy '${name}'; known: ${known.join(", ")}`);
    out[name] = make();
  }
  if (Object.keys(out).length === 0) throw new UsageError("--strategy names no strategy");
  return out;
}

/** The built-in strategies with their `--param` options (an environment's variants get theirs through the suite). */
export function withParameters(strategies: Readonly<Record<string, Strategy>>, parameters: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Record<string, Strategy> {
  const out: Record<string, Strategy> = { ...strategies };
  for (const [name, options] of Object.entries(parameters)) {
    const make = STRATEGIES[name as StrategyName] as ((options?: unknown) => Strategy) | undefined;
    if (make !== undefined && name in out) out[name] = make(options);
  }
  return out;
}
