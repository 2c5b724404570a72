import type { Command } from "commander";
import { findSuite, SUITES } from "../envs/suites.js";
import { dotToSvg } from "../ltl/export/svg.js";
import { Budget } from "../search/types.js";
import { treeToDot, treeToText } from "../search/tree-render.js";
import { parsePolicy, pickStrategies } from "./bench.js";
import { parsePositiveInt, UsageError, writeFileAtomically, type CliContext } from "./io.js";

interface PlanCommandOptions {
  env: string;
  task: string;
  strategy: string;
  budget: string;
  seed: string;
  policy: string;
  svg?: string;
  json?: string;
}

export function registerPlan(program: Command, context: CliContext): void {
  program
    .command("plan")
    .description("run one search episode and print its tree (optionally as SVG or JSON)")
    .requiredOption("--env <name>", "environment")
    .requiredOption("--task <id>", "task id (see search.json, or any id the environment lists)")
    .option("--strategy <name>", "search strategy", "astar")
    .option("--budget <n>", "budget in the environment's unit", "16")
    .option("--seed <n>", "seed", "1")
    .option("--policy <kind>", "simulated or llama", "simulated")
    .option("--svg <file>", "also draw the tree as SVG")
    .option("--json <file>", "also write the tree and the episode as JSON")
    .action(async (options: PlanCommandOptions) => {
      const factory = findSuite(options.env);
      if (factory === undefined) throw new UsageError(`unknown environment '${options.env}'; known: ${SUITES.map((s) => s.name).join(", ")}`);
      const suite = await factory.create(parsePolicy(options.policy));
      const task = suite.tasks().find((t) => t.id === options.task);
      if (task === undefined) {
        const ids = suite.tasks().map((t) => t.id);
        throw new UsageError(`environment '${options.env}' has no task '${options.task}' (tasks: ${ids.slice(0, 8).join(", ")}${ids.length > 8 ? `, … ${ids.length} in all` : ""})`);
      }
      const [name, strategy] = Object.entries(pickStrategies(options.strategy))[0]!;
      const amount = parsePositiveInt(options.budget, "--budget");
      const budget = new Budget(suite.limits(amount));
      const seed = parsePositiveInt(options.seed, "--seed");
      const problem = suite.problem(task, seed);
      // A strategy that learns across tasks (A* with a growing memory) starts from its cell's
      // initial state here: one episode is a cell of one task.
      const chosenStrategy = suite.cell?.(name, amount, seed)?.strategy(task) ?? suite.strategy?.(name) ?? strategy;
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
        `\n${name} on ${options.env}/${task.id}: ${verdict.success ? "success" : "failure"} (score ${verdict.score.toFixed(3)}), stop: ${result.stop}\n` +
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
