import type { Command } from "commander";
import { findSuite, SUITES } from "../envs/suites.js";
import { dotToSvg } from "../ltl/export/svg.js";
import { Budget } from "../search/types.js";
import { treeToDot, treeToText } from "../search/tree-render.js";
import { parsePolicy, parseSimulation, pickStrategies } from "./bench.js";
import { parsePositiveInt, UsageError, writeFileAtomically, type CliContext } from "./io.js";

interface PlanCommandOptions {
  env: string;
  task?: string;
  listTasks?: boolean;
  strategy: string;
  budget: string;
  seed: string;
  policy: string;
  svg?: string;
  json?: string;
  finishRate?: string;
  scoreNoise?: string;
}

export function registerPlan(program: Command, context: CliContext): void {
  program
    .command("plan")
    .description("run one search episode and print its tree (optionally as SVG or JSON)")
    .requiredOption("--env <name>", "environment")
    .option("--task <id>", "task id (see --list-tasks)")
    .option("--list-tasks", "list the environment's task ids, each with its goal in one line, and stop")
    .option("--strategy <name>", "search strategy", "astar")
    .option("--budget <n>", "budget in the environment's unit", "16")
    .option("--seed <n>", "seed", "1")
    .option("--policy <kind>", "simulated or llama", "simulated")
    .option("--svg <file>", "also draw the tree as SVG")
    .option("--json <file>", "also write the tree and the episode as JSON")
    .option("--finish-rate <p>", "simulated tool-planning policy: probability of a premature finish off the plan (default 0.05)")
    .option("--score-noise <sd>", "simulated thought operator: score noise (default 1)")
    .action(async (options: PlanCommandOptions) => {
      const factory = findSuite(options.env);
      if (factory === undefined) throw new UsageError(`unknown environment '${options.env}'; known: ${SUITES.map((s) => s.name).join(", ")}`);
      const policy = parsePolicy(options.policy);
      if (options.listTasks) {
        // Listing needs no model: the simulated suite has the same tasks.
        const listed = await factory.create("simulated");
        for (const t of listed.tasks()) context.stdout(`${t.id}\t${oneLine(t.statement ?? t.environment.name)}\n`);
        await listed.close?.();
        return;
      }
      if (options.task === undefined) throw new UsageError("plan needs --task <id> (or --list-tasks to see them)");
      const suite = await factory.create(policy, parseSimulation(options));
      const task = suite.tasks().find((t) => t.id === options.task);
      if (task === undefined) {
        const ids = suite.tasks().map((t) => t.id);
        await suite.close?.();
        throw new UsageError(`environment '${options.env}' has no task '${options.task}' (tasks: ${ids.slice(0, 8).join(", ")}${ids.length > 8 ? `, … ${ids.length} in all; --list-tasks lists them` : ""})`);
      }
      const [name, strategy] = Object.entries(pickStrategies(options.strategy))[0]!;
      const amount = parsePositiveInt(options.budget, "--budget");
      const budget = new Budget(suite.limits(amount));
      const seed = parsePositiveInt(options.seed, "--seed");
      const problem = suite.problem(task, seed);
      // A strategy that learns across tasks (A* with a growing memory) starts from its cell's
      // initial state here: one episode is a cell of one task.
      const chosenStrategy = suite.cell?.(name, amount, seed)?.strategy(task) ?? suite.taskStrategy?.(name, task) ?? suite.strategy?.(name) ?? strategy;
      const result = await chosenStrategy.search(problem, budget).finally(async () => {
        await suite.release?.(problem);
        await suite.close?.();
      });
      const verdict = result.done ? task.judge(result.finalState) : { success: false, score: 0 };
      const environment = task.environment;
      // The chosen path through the tree: follow the actions from the root.
      const chosen = new Set<number>();
      let node = result.tree.find((n) => n.parent === undefined);
      if (node !== undefined) chosen.add(node.id);
      for (const action of result.actions) {
        const label = environment.describe(action);
        node = node === undefined ? undefined : result.tree.find((n) => n.parent === node!.id && n.action === label);
        if (node === undefined) break;
        chosen.add(node.id);
      }
      context.stdout(treeToText(result.tree, { chosen }));
      context.stdout(
        `\n${name} on ${options.env}/${task.id}: ${verdict.success ? "success" : "failure"} (score ${verdict.score.toFixed(3)}), stop: ${result.stop}${result.limit !== undefined ? ` (${result.limit})` : result.stop === "budget" ? ` (${budgetLimitReached(budget)})` : ""}\n` +
          `plan: ${result.actions.map((a) => environment.describe(a)).join(" → ") || "(none)"}\n` +
          `spent: ${result.spent.modelCalls} model calls, ${result.spent.tokens} tokens, ${result.spent.envSteps} environment steps, ${result.spent.wallMs.toFixed(0)} ms\n`,
      );
      if (options.svg !== undefined) writeFileAtomically(options.svg, await dotToSvg(treeToDot(result.tree, { chosen })));
      if (options.json !== undefined) {
        const episode = { env: options.env, task: task.id, strategy: name, seed, verdict, stop: result.stop, actions: result.actions.map((a) => environment.describe(a)), spent: result.spent, tree: result.tree };
        writeFileAtomically(options.json, JSON.stringify(episode, null, 1) + "\n");
      }
    });
}

/** A task statement on one line (tabs and newlines become spaces). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Which limit of the budget was reached, in words. */
function budgetLimitReached(budget: Budget): string {
  const { modelCalls, tokens, envSteps, wallMs } = budget.limits;
  const reached: string[] = [];
  if (modelCalls !== undefined && budget.used.modelCalls >= modelCalls) reached.push(`${modelCalls} model calls`);
  if (tokens !== undefined && budget.used.tokens >= tokens) reached.push(`${tokens} tokens`);
  if (envSteps !== undefined && budget.used.envSteps >= envSteps) reached.push(`${envSteps} environment steps`);
  if (wallMs !== undefined && budget.wallMs >= wallMs) reached.push(`${wallMs} ms`);
  return reached.length > 0 ? `reached: ${reached.join(", ")}` : "a limit was reached";
}
