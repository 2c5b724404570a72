import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { BenchSuite, StrategyParameters } from "./bench.js";

export type { StrategyParameters };
import { STRATEGIES } from "./index.js";
import { seededRandom } from "./random.js";
import type { ModelRoles } from "./roles/model-roles.js";
import { ROLE_NAMES, type BudgetLimits, type Policy, type SearchProblem, type Strategy, type Task, type Value, type WorldModel } from "./types.js";

/**
 * A user's own environment for `ltlguard bench` and `plan` (`--env-module <file>`): its tasks, and
 * the roles it brings itself where the model does not play them. Model-backed roles read the
 * environment as text: each task's environment should have `text` (see docs/search-api.md).
 */
export interface EnvironmentModule<S = unknown, A = unknown> {
  /** The environment's name, as `--env` and the result tables show it. */
  readonly name: string;
  /** One line for `--help` and the result header. */
  readonly description?: string;
  /** The tasks a run draws from (each: `{ id, environment, judge }`). */
  tasks(): readonly Task<S, A>[];
  /** A policy for runs where the model does not play the policy (e.g. a rule-based or simulated one). */
  policy?(task: Task<S, A>, seed: number): Policy<S, A>;
  /** A value for runs where the model does not play the value. */
  value?(task: Task<S, A>, seed: number): Value<S, A>;
  /** A world model for runs where the model does not play it. */
  worldModel?(task: Task<S, A>, seed: number): WorldModel<S, A>;
  /** What a budget amount limits. Defaults to model calls. */
  limits?(amount: number): BudgetLimits;
  /** The unit of a budget amount. Defaults to "model calls". */
  readonly budgetUnit?: string;
  /** The strategies that make sense here. Defaults to all of them. */
  readonly strategies?: readonly string[];
}


/** A user's own strategy (`--strategy-module <file>`): a strategy, or a factory taking the `--param` values. */
export type StrategyModuleExport = Strategy | ((parameters: StrategyParameters) => Strategy);

/** A user module that cannot be loaded or does not have the expected shape. */
export class ModuleShapeError extends Error {
  override readonly name = "ModuleShapeError";
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/**
 * Imports a JavaScript or TypeScript module (TypeScript through tsx, so no build step). A module
 * that throws while loading is reported with its file and the first line of the error.
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new ModuleShapeError(file, "no such file");
  try {
    if (/\.(c|m)?tsx?$/.test(path)) {
      const { tsImport } = await import("tsx/esm/api");
      return (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleShapeError(file, `could not load the module: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
}

/** The named export, or the default one; a TypeScript file loaded as CommonJS wraps its exports once more. */
function exported(module: Record<string, unknown>, name: string): unknown {
  let value = module[name] ?? module["default"];
  for (const key of [name, "default"]) {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && key in value && !("name" in value)) value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const ENVIRONMENT_METHODS = ["initial", "legalActions", "step", "stateKey", "actionKey", "describe"] as const;
const TEXT_METHODS = ["task", "state", "action"] as const;

/**
 * Loads `--env-module <file>`: `export default environmentModule` or `export const environment =
 * …` (an object, or a function returning one, possibly async). Its shape is checked, every task
 * included, and each problem is named with the file and where it is.
 */
export async function loadEnvironmentModule(file: string): Promise<EnvironmentModule> {
  let value = exported(await importUserModule(file), "environment");
  if (typeof value === "function") {
    try {
      value = await (value as () => unknown)();
    } catch (error) {
      throw new ModuleShapeError(file, `the exported function threw: ${(error as Error).message?.split("\n")[0] ?? String(error)}`);
    }
  }
  const expected = "expected `export default { name, tasks(), … }` or `export const environment = { … }` (see docs/search-api.md)";
  if (value === null || typeof value !== "object") throw new ModuleShapeError(file, expected);
  const module = value as Record<string, unknown>;
  if (typeof module["name"] !== "string" || !/^[A-Za-z0-9._-]+$/.test(module["name"])) {
    throw new ModuleShapeError(file, `'name' must be a plain name (letters, digits, '.', '_', '-'); ${expected}`);
  }
  if (typeof module["tasks"] !== "function") throw new ModuleShapeError(file, `'tasks' must be a function returning the tasks; ${expected}`);
  for (const optional of ["policy", "value", "worldModel", "limits"]) {
    if (module[optional] !== undefined && typeof module[optional] !== "function") throw new ModuleShapeError(file, `'${optional}' must be a function (task, seed) => role`);
  }
  if (module["strategies"] !== undefined && !(Array.isArray(module["strategies"]) && module["strategies"].every((s) => typeof s === "string"))) {
    throw new ModuleShapeError(file, "'strategies' must be an array of strategy names");
  }
  let tasks: unknown;
  try {
    tasks = (module["tasks"] as () => unknown).call(module);
  } catch (error) {
    throw new ModuleShapeError(file, `tasks() threw: ${(error as Error).message?.split("\n")[0] ?? String(error)}`);
  }
  if (!Array.isArray(tasks) || tasks.length === 0) throw new ModuleShapeError(file, "tasks() must return a non-empty array of tasks { id, environment, judge }");
  const ids = new Set<string>();
  for (const [i, task] of tasks.entries()) checkTask(file, task, i, ids);
  const fixed = tasks as Task<unknown, unknown>[];
  return { ...(module as unknown as EnvironmentModule), tasks: () => fixed };
}

function checkTask(file: string, task: unknown, i: number, ids: Set<string>): void {
  const where = `task ${i}`;
  if (task === null || typeof task !== "object") throw new ModuleShapeError(file, `${where} is not an object { id, environment, judge }`);
  const t = task as Record<string, unknown>;
  if (typeof t["id"] !== "string" || t["id"] === "") throw new ModuleShapeError(file, `${where}: 'id' must be a non-empty string`);
  if (ids.has(t["id"])) throw new ModuleShapeError(file, `two tasks have the id '${t["id"]}'`);
  ids.add(t["id"]);
  if (typeof t["judge"] !== "function") throw new ModuleShapeError(file, `task '${t["id"]}': 'judge' must be a function (finalState) => { success, score }`);
  const environment = t["environment"] as Record<string, unknown> | undefined;
  if (environment === null || typeof environment !== "object") throw new ModuleShapeError(file, `task '${t["id"]}': 'environment' must be an object`);
  if (typeof environment["name"] !== "string") throw new ModuleShapeError(file, `task '${t["id"]}': the environment's 'name' must be a string`);
  if (typeof environment["reversible"] !== "boolean") throw new ModuleShapeError(file, `task '${t["id"]}': the environment's 'reversible' must be true or false`);
  for (const method of ENVIRONMENT_METHODS) {
    if (typeof environment[method] !== "function") throw new ModuleShapeError(file, `task '${t["id"]}': the environment has no method '${method}'`);
  }
  for (const method of ["snapshot", "restore"]) {
    if (environment[method] !== undefined && typeof environment[method] !== "function") throw new ModuleShapeError(file, `task '${t["id"]}': the environment's '${method}' must be a method`);
  }
  const text = environment["text"] as Record<string, unknown> | undefined;
  if (text !== undefined) {
    if (text === null || typeof text !== "object") throw new ModuleShapeError(file, `task '${t["id"]}': the environment's 'text' must be an object { task, state, action }`);
    for (const method of TEXT_METHODS) {
      if (typeof text[method] !== "function") throw new ModuleShapeError(file, `task '${t["id"]}': the environment's text has no method '${method}'`);
    }
    for (const method of ["parseState", "actionSpec"]) {
      if (text[method] !== undefined && typeof text[method] !== "function") throw new ModuleShapeError(file, `task '${t["id"]}': the environment's text.${method} must be a method`);
    }
  }
}

/**
 * Loads `--strategy-module <file>`: `export default` (or `export const strategy =`) a strategy
 * `{ name, search(problem, budget) }` or a factory `(parameters) => strategy` given the `--param`
 * values. The strategy's name is how `--strategy` and the result tables call it.
 */
export async function loadStrategyModule(file: string, parameters: StrategyParameters = {}): Promise<Strategy> {
  let value = exported(await importUserModule(file), "strategy");
  if (typeof value === "function" && !("search" in value)) {
    try {
      value = (value as (p: StrategyParameters) => unknown)(parameters);
    } catch (error) {
      throw new ModuleShapeError(file, `the strategy factory threw: ${(error as Error).message?.split("\n")[0] ?? String(error)}`);
    }
  }
  const expected = "expected `export default { name, search(problem, budget) }`, or a function (parameters) => such a strategy";
  if (value === null || typeof value !== "object") throw new ModuleShapeError(file, expected);
  const strategy = value as Record<string, unknown>;
  if (typeof strategy["name"] !== "string" || !/^[A-Za-z0-9._-]+$/.test(strategy["name"])) throw new ModuleShapeError(file, `'name' must be a plain name (letters, digits, '.', '_', '-'); ${expected}`);
  if (typeof strategy["search"] !== "function") throw new ModuleShapeError(file, `'search' must be a function (problem, budget) => Promise<SearchResult>; ${expected}`);
  return value as Strategy;
}

/** Seeds for a module environment's roles: distinct per task, seed and role, the same on every run. */
function moduleRandom(taskId: string, seed: number, role: number): () => number {
  let h = 2166136261;
  for (const ch of `${taskId}#${seed}#${role}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return seededRandom(h >>> 0);
}

/**
 * A user's environment module as a benchmark suite. The model (when the run has one) plays the
 * roles it is given, reading each task's environment as text; the module's own roles play the
 * rest. A role the run needs that neither provides, and a model role on an environment without
 * `text`, are errors naming the module file.
 */
export function moduleSuite(module: EnvironmentModule, file: string, model?: ModelRoles): BenchSuite {
  const tasks = module.tasks();
  const needsText = model !== undefined && ROLE_NAMES.some((role) => model.plays(role));
  if (needsText) {
    const without = tasks.find((t) => t.environment.text === undefined);
    if (without !== undefined) {
      throw new ModuleShapeError(file, `task '${without.id}': its environment has no 'text' ({ task, state, action }), so the model cannot play ${ROLE_NAMES.filter((r) => model.plays(r)).join(", ")} on it`);
    }
  }
  if (module.policy === undefined && !(model?.plays("policy") ?? false)) {
    throw new ModuleShapeError(file, "the environment brings no policy: export `policy(task, seed)`, or let the model play it (--roles policy)");
  }
  const limits: (amount: number) => BudgetLimits = module.limits ?? ((amount) => ({ modelCalls: amount }));
  const probe = limits(1);
  const budgetResource = probe.modelCalls === undefined && probe.envSteps !== undefined ? "envSteps" : "modelCalls";
  return {
    name: module.name,
    tasks: () => tasks,
    problem: (task, seed) => {
      const problem: SearchProblem<unknown, unknown> = {
        environment: task.environment,
        // With the model in the policy's role, `apply` replaces this placeholder.
        policy: module.policy?.(task, seed) ?? { name: "none", propose: () => Promise.resolve([]) },
        ...(module.value !== undefined ? { value: module.value(task, seed) } : {}),
        ...(module.worldModel !== undefined ? { worldModel: module.worldModel(task, seed) } : {}),
        random: moduleRandom(task.id, seed, 4),
      };
      return model === undefined ? problem : model.apply(problem);
    },
    limits,
    budgetResource,
    budgetUnit: module.budgetUnit ?? (budgetResource === "envSteps" ? "environment steps" : "model calls (one sampled completion of any role)"),
    strategies: module.strategies ?? Object.keys(STRATEGIES),
    ...(model !== undefined ? { evaluatedTokens: () => model.backend.evaluatedTokens } : {}),
  };
}
