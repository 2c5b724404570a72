import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { findSuite, MCTS_VARIANTS, SUITES, type PolicyKind } from "../envs/suites.js";
import { analysisMarkdown, benchMarkdown, benchSvg, runBench, type BenchSuite } from "../search/bench.js";
import { STRATEGIES, type StrategyName } from "../search/index.js";
import type { Strategy } from "../search/types.js";
import { parsePositiveInt, UsageError, writeFileAtomically, type CliContext } from "./io.js";

interface BenchCommandOptions {
  env: string;
  strategy: string;
  budget: string;
  seeds: string;
  tasks: string;
  policy: string;
  out: string;
  name: string;
  analysis?: boolean;
}

export function registerBench(program: Command, context: CliContext): void {
  program
    .command("bench")
    .description("run search strategies on environments at several budgets and seeds; write results, a table and success-vs-budget plots")
    .option("--env <names>", `environments, comma-separated, or "all"`, "all")
    .option("--strategy <names>", `strategies, comma-separated, or "all" (${[...Object.keys(STRATEGIES), ...ENVIRONMENT_STRATEGIES].join(", ")})`, "all")
    .option("--budget <list>", "budgets (in each environment's unit, e.g. model calls), comma-separated", "4,8,16,32")
    .option("--seeds <n>", "seeds (independent repetitions)", "5")
    .option("--tasks <n>", "tasks per seed and environment", "10")
    .option("--policy <kind>", "simulated (seeded error model) or llama (the constrained decoder)", "simulated")
    .option("-o, --out <dir>", "where to write the results (<name>.json, <name>.md, <name>.svg)", "benchmarks/results")
    .option("--name <base>", "base name of the result files", "search")
    .option("--analysis", "also record which operations each strategy chose (path and tree) and add a table of them")
    .action(async (options: BenchCommandOptions) => {
      const policy = parsePolicy(options.policy);
      const envNames = options.env === "all" ? SUITES.map((s) => s.name) : splitList(options.env);
      const suites: BenchSuite[] = [];
      for (const name of envNames) {
        const factory = findSuite(name);
        if (factory === undefined) throw new UsageError(`unknown environment '${name}'; known: ${SUITES.map((s) => s.name).join(", ")}`);
        if (!factory.policies.includes(policy)) throw new UsageError(`environment '${name}' has no ${policy} policy (it has: ${factory.policies.join(", ")})`);
        suites.push(await factory.create(policy));
      }
      const strategies = pickStrategies(options.strategy);
      const budgets = splitList(options.budget).map((b) => parsePositiveInt(b, "--budget"));
      const seeds = parsePositiveInt(options.seeds, "--seeds");
      const tasks = parsePositiveInt(options.tasks, "--tasks");
      const started = performance.now();
      let lastDraw = 0;
      const report = await runBench({
        suites,
        strategies,
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
      for (const suite of suites) await suite.close?.();
      mkdirSync(options.out, { recursive: true });
      if (!/^[A-Za-z0-9._-]+$/.test(options.name)) throw new UsageError(`--name expects a plain file name, got '${options.name}'`);
      const command =
        `ltlguard bench --env ${envNames.join(",")} --strategy ${Object.keys(strategies).join(",")} --budget ${budgets.join(",")} --seeds ${seeds} --tasks ${tasks} --policy ${policy}` +
        (options.name !== "search" ? ` --name ${options.name}` : "") +
        (options.analysis === true ? " --analysis" : "");
      const json = { command, budgets, ...report };
      const base = join(options.out, options.name);
      writeFileAtomically(`${base}.json`, JSON.stringify(json) + "\n");
      const analysis = options.analysis === true ? `\n${analysisMarkdown(report, suites)}` : "";
      const md = `# Search strategies: success versus budget\n\nReproduce with \`${json.command}\`.\n\n${benchMarkdown(report, suites)}${analysis}`;
      writeFileAtomically(`${base}.md`, md);
      writeFileAtomically(`${base}.svg`, benchSvg(report, suites, budgets));
      context.stdout(benchMarkdown(report, suites) + analysis);
      context.stderr(`wrote ${base}.{json,md,svg}\n`);
    });
}

function progressLine(done: number, total: number, label: string, elapsedMs: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const eta = done === 0 ? "" : `, ~${Math.round(((total - done) * elapsedMs) / done / 1000)} s left`;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} episodes${eta}  ${label}\n`;
}

export function parsePolicy(text: string): PolicyKind {
  if (text !== "simulated" && text !== "llama") throw new UsageError(`--policy expects simulated or llama, got '${text}'`);
  return text;
}

function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Strategies only some environments provide: GoT's static schedule and the MCTS variants on
 * thought graphs; A* with ToolChain*'s memory grown during a run, on tool planning.
 */
const ENVIRONMENT_STRATEGIES = ["got", ...Object.keys(MCTS_VARIANTS), "astar-grow", "astar-grow-self"];

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
  return out;
}
