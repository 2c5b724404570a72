import type { Command } from "commander";
import { findSuite, SUITES } from "../envs/suites.js";
import { dotToSvg } from "../ltl/export/svg.js";
import { Budget } from "../search/types.js";
import { treeToDot, treeToText } from "../search/tree-render.js";
import { parsePolicy, parseSimulation, pickStrategies, withParameters } from "./bench.js";
import type { PolicyKind } from "../envs/suites.js";
import type { BenchSuite } from "../search/bench.js";
import { loadEnvironmentModule, type EnvironmentModule } from "../search/modules.js";
import type { RoleCost, RoleName } from "../search/types.js";
import {
  addModelOptions,
  checkModelOptions,
  loadModelRoles,
  loadSuites,
  loadUserStrategies,
  parseRoles,
  strategyParameters,
  type ModelCommandOptions,
} from "./model-options.js";
import { parsePositiveInt, UsageError, writeFileAtomically, type CliContext } from "./io.js";

interface PlanCommandOptions extends ModelCommandOptions {
  env?: string;
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
  const planCommand = program
    .command("plan")
    .description("run one search episode and print its tree (optionally as SVG or JSON)")
    .option("--env <name>", "environment (or --env-module <file>)")
    .option("--task <id>", "task id (see --list-tasks)")
    .option("--list-tasks", "list the environment's task ids, each with its goal in one line, and stop")
    .option("--strategy <name>", "search strategy", "astar")
    .option("--budget <n>", "budget in the environment's unit", "16")
    .option("--seed <n>", "seed", "1")
    .option("--policy <kind>", "simulated or llama", "simulated")
    .option("--svg <file>", "also draw the tree as SVG")
    .option("--json <file>", "also write the tree and the episode as JSON")
    .option("--finish-rate <p>", "simulated tool-planning policy: probability of a premature finish off the plan (default 0.05)")
    .option("--score-noise <sd>", "simulated thought operator: score noise (default 1)");
  addModelOptions(planCommand).action(async (options: PlanCommandOptions) => {
      checkModelOptions(options);
      if ((options.env === undefined) === (options.envModule.length === 0) || options.envModule.length > 1) {
        throw new UsageError("plan runs on one environment: give --env <name> or one --env-module <file>");
      }
      const envName = options.env;
      if (envName !== undefined && findSuite(envName) === undefined) throw new UsageError(`unknown environment '${envName}'; known: ${SUITES.map((s) => s.name).join(", ")}`);
      const roles = parseRoles(options, parsePolicy(options.policy));
      const policy: PolicyKind = roles.includes("policy") ? "llama" : "simulated";
      if (options.listTasks) {
        // Listing needs no model: the simulated suite (or the module) has the same tasks.
        const [listed] = await loadSuites(envName !== undefined ? [envName] : [], options, "simulated", {}, undefined).catch(async (error: unknown) => {
          if (envName === undefined) return [moduleTasksOnly(await loadEnvironmentModule(options.envModule[0]!))];
          throw error;
        });
        for (const t of listed!.tasks()) context.stdout(`${t.id}\t${oneLine(t.statement ?? t.environment.name)}\n`);
        await listed!.close?.();
        return;
      }
      if (options.task === undefined) throw new UsageError("plan needs --task <id> (or --list-tasks to see them)");
      const userStrategies = await loadUserStrategies(options);
      const strategyDefault = planCommand.getOptionValueSource("strategy") === "default" && options.strategyModule.length > 0;
      const builtIn = strategyDefault ? {} : pickStrategies(options.strategy);
      const parameters = strategyParameters(options, Object.keys(builtIn), Object.keys(userStrategies));
      const [name, strategy] = Object.entries({ ...withParameters(builtIn, parameters), ...userStrategies })[0]!;
      const model = await loadModelRoles(options, roles, context);
      let suite: BenchSuite;
      try {
        [suite] = (await loadSuites(envName !== undefined ? [envName] : [], options, policy, parseSimulation(options), model)) as [BenchSuite];
      } catch (error) {
        await model?.close();
        throw error;
      }
      const task = suite.tasks().find((t) => t.id === options.task);
      if (task === undefined) {
        const ids = suite.tasks().map((t) => t.id);
        await suite.close?.();
        await model?.close();
        throw new UsageError(`environment '${suite.name}' has no task '${options.task}' (tasks: ${ids.slice(0, 8).join(", ")}${ids.length > 8 ? `, … ${ids.length} in all; --list-tasks lists them` : ""})`);
      }
      const amount = parsePositiveInt(options.budget, "--budget");
      const budget = new Budget(suite.limits(amount));
      const seed = parsePositiveInt(options.seed, "--seed");
      const problem = suite.problem(task, seed);
      // A strategy that learns across tasks (A* with a growing memory) starts from its cell's
      // initial state here: one episode is a cell of one task.
      const own = parameters[name];
      const chosenStrategy = suite.cell?.(name, amount, seed, own)?.strategy(task) ?? suite.taskStrategy?.(name, task, own) ?? suite.strategy?.(name, own) ?? strategy;
      const result = await chosenStrategy.search(problem, budget).finally(async () => {
        await suite.release?.(problem);
        await suite.close?.();
        await model?.close();
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
        `\n${name} on ${suite.name}/${task.id}: ${verdict.success ? "success" : "failure"} (score ${verdict.score.toFixed(3)}), stop: ${result.stop}${result.limit !== undefined ? ` (${result.limit})` : result.stop === "budget" ? ` (${budgetLimitReached(budget)})` : ""}\n` +
          `plan: ${result.actions.map((a) => environment.describe(a)).join(" → ") || "(none)"}\n` +
          `spent: ${result.spent.modelCalls} model calls, ${result.spent.tokens} tokens, ${result.spent.envSteps} environment steps${result.replaySteps ? ` (${result.replaySteps} replayed after resets, ${(result.replayMs ?? 0).toFixed(0)} ms)` : ""}, ${result.spent.wallMs.toFixed(0)} ms\n` +
          rolesLine(result.spent.byRole),
      );
      if (options.svg !== undefined) writeFileAtomically(options.svg, await dotToSvg(treeToDot(result.tree, { chosen })));
      if (options.json !== undefined) {
        const episode = { env: suite.name, ...(model !== undefined ? { model: model.info } : {}), parameters: own ?? {}, task: task.id, strategy: name, seed, verdict, stop: result.stop, actions: result.actions.map((a) => environment.describe(a)), spent: result.spent, tree: result.tree };
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

/** What each role that made calls spent, on one line (nothing when no role did). */
function rolesLine(byRole: Readonly<Record<RoleName, RoleCost>>): string {
  const parts = Object.entries(byRole)
    .filter(([, cost]) => cost.calls > 0)
    .map(([role, cost]) => `${role} ${cost.calls} calls, ${cost.generatedTokens} generated / ${cost.evaluatedTokens} evaluated tokens, ${cost.ms.toFixed(0)} ms`);
  return parts.length > 0 ? `by role: ${parts.join("; ")}\n` : "";
}

/** A module's tasks, for --list-tasks (no policy needed to list them). */
function moduleTasksOnly(module: EnvironmentModule): Pick<BenchSuite, "tasks" | "close"> {
  return { tasks: () => module.tasks() };
}
