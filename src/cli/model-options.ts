import type { Command } from "commander";
import { findSuite, SUITES, type PolicyKind, type SimulationOptions } from "../envs/suites.js";
import { ensureModel } from "../models/build.js";
import type { BenchSuite } from "../search/bench.js";
import { loadEnvironmentModule, loadStrategyModule, moduleSuite } from "../search/modules.js";
import { ModelRoles, roleNames, type ModelRolesOptions } from "../search/roles/model-roles.js";
import { ROLE_NAMES, type RoleName, type Strategy } from "../search/types.js";
import { addChatOptions, parseChatTemplate } from "./chat-options.js";
import { DEFAULT_MODEL, parseGpu } from "./generate.js";
import { parsePositiveInt, UsageError, type CliContext } from "./io.js";
import { paramBase, paramsHelp, parseParams, STRATEGY_PARAMS } from "./strategy-params.js";

/** The options `bench` and `plan` share for models, roles, parameters and user modules. */
export interface ModelCommandOptions {
  model?: string;
  gpu: string;
  threads: string;
  context: string;
  roles?: string;
  scoring: string;
  chatTemplate: string;
  system?: string;
  param?: string;
  envModule: string[];
  strategyModule: string[];
}

const collect = (value: string, list: string[]) => [...list, value];

/** Adds the model, role, parameter and module options to `bench` or `plan`. */
export function addModelOptions(command: Command): Command {
  command
    .option("-m, --model <gguf>", `GGUF model for the roles --roles names (default: the project's tiny '${DEFAULT_MODEL}' model)`)
    .option("--gpu <kind>", "llama.cpp backend: auto, cuda, vulkan, metal, off (the CPU)", "off")
    .option("--threads <n>", "CPU threads for llama.cpp", "1")
    .option("--context <n>", "tokens of context per llama.cpp sequence", "2048")
    .option(
      "--roles <list>",
      `the roles the model plays, comma-separated (${ROLE_NAMES.join(", ")}; "all"); the others stay as each environment gives them (simulated ones are named so). Default with --model or --policy llama: policy`,
    )
    .option("--scoring <how>", "how a model value or critic scores: sampled (one verdict per call, Koh et al.) or probabilities (the expected verdict from one forward pass)", "sampled")
    .option("--param <list>", "strategy parameters, e.g. b=5,c=20,d=4,n=20 or mcts.c=1.4 (see below)")
    .option("--env-module <file>", "a JavaScript/TypeScript module with your own environment (repeatable; see docs/search-api.md)", collect, [] as string[])
    .option("--strategy-module <file>", "a JavaScript/TypeScript module with your own strategy (repeatable)", collect, [] as string[]);
  addChatOptions(command, false);
  command.addHelpText("after", `\n${paramsHelp()}`);
  return command;
}

/** The roles the model plays, from `--roles` and `--policy llama` (which is `--roles policy`); a `--model` alone plays the policy. */
export function parseRoles(options: ModelCommandOptions, policy: PolicyKind): RoleName[] {
  let roles: RoleName[] = [];
  if (options.roles !== undefined) {
    const names = options.roles === "all" ? [...ROLE_NAMES] : options.roles.split(",").map((s) => s.trim()).filter((s) => s !== "" && s !== "none");
    for (const name of names) if (!(ROLE_NAMES as readonly string[]).includes(name)) throw new UsageError(`--roles: unknown role '${name}'; roles: ${ROLE_NAMES.join(", ")}`);
    roles = names as RoleName[];
  } else if (options.model !== undefined) {
    roles = ["policy"];
  }
  if (policy === "llama" && !roles.includes("policy")) roles.push("policy");
  return ROLE_NAMES.filter((r) => roles.includes(r));
}

/** Checks the model options before anything is loaded. */
export function checkModelOptions(options: ModelCommandOptions): void {
  parseGpu(options.gpu);
  parsePositiveInt(options.threads, "--threads");
  parsePositiveInt(options.context, "--context");
  parseChatTemplate(options.chatTemplate);
  if (options.scoring !== "sampled" && options.scoring !== "probabilities") throw new UsageError(`--scoring expects sampled or probabilities, got '${options.scoring}'`);
}

/** Loads the run's model into the roles it plays (none: undefined). */
export async function loadModelRoles(options: ModelCommandOptions, roles: readonly RoleName[], context: CliContext): Promise<ModelRoles | undefined> {
  if (roles.length === 0) {
    if (options.model !== undefined) throw new UsageError("--model is given but --roles names no role for it");
    return undefined;
  }
  const modelPath = options.model ?? (await ensureModel(DEFAULT_MODEL, { onProgress: (m: string) => context.stderr(`ltlguard: ${m}\n`) }));
  const settings: ModelRolesOptions = {
    modelPath,
    roles,
    gpu: parseGpu(options.gpu),
    threads: parsePositiveInt(options.threads, "--threads"),
    contextSize: parsePositiveInt(options.context, "--context"),
    chatTemplate: parseChatTemplate(options.chatTemplate),
    ...(options.system !== undefined ? { system: options.system } : {}),
    scoring: options.scoring as "sampled" | "probabilities",
  };
  return ModelRoles.load(settings);
}

/** The run's suites: the built-in environments named, then the user's environment modules. */
export async function loadSuites(
  names: readonly string[],
  options: ModelCommandOptions,
  policy: PolicyKind,
  simulation: SimulationOptions,
  model: ModelRoles | undefined,
): Promise<BenchSuite[]> {
  const factories = names.map((name) => {
    const factory = findSuite(name);
    if (factory === undefined) throw new UsageError(`unknown environment '${name}'; known: ${SUITES.map((s) => s.name).join(", ")} (or give --env-module <file>)`);
    if (!factory.policies.includes(policy)) throw new UsageError(`environment '${name}' has no ${policy} policy (it has: ${factory.policies.join(", ")})`);
    return factory;
  });
  const suites: BenchSuite[] = [];
  for (const factory of factories) suites.push(await factory.create(policy, simulation, model));
  for (const file of options.envModule) {
    const module = await loadEnvironmentModule(file);
    if (suites.some((s) => s.name === module.name)) throw new UsageError(`${file}: an environment named '${module.name}' is already in the run`);
    suites.push(moduleSuite(module, file, model));
  }
  return suites;
}

/** The user's strategy modules, each given the `--param` values meant for it (unqualified ones, and those qualified with a name no built-in strategy has). */
export async function loadUserStrategies(options: ModelCommandOptions): Promise<Record<string, Strategy>> {
  const out: Record<string, Strategy> = {};
  const raw: Record<string, number | string | boolean> = {};
  for (const item of (options.param ?? "").split(",").map((s) => s.trim()).filter((s) => s.includes("="))) {
    const key = item.slice(0, item.indexOf("="));
    const dot = key.lastIndexOf(".");
    if (dot > 0 && paramBase(key.slice(0, dot)) !== undefined) continue;
    const value = item.slice(item.indexOf("=") + 1).trim();
    const number = Number(value);
    raw[dot > 0 ? key.slice(dot + 1) : key] = value === "true" || value === "false" ? value === "true" : value !== "" && Number.isFinite(number) ? number : value;
  }
  for (const file of options.strategyModule) {
    const strategy = await loadStrategyModule(file, raw);
    if (strategy.name in STRATEGY_PARAMS || strategy.name in out) throw new UsageError(`${file}: the strategy name '${strategy.name}' is taken; give it another name`);
    out[strategy.name] = strategy;
  }
  return out;
}

/** The `--param` values per strategy, checked against the chosen strategies. */
export function strategyParameters(options: ModelCommandOptions, builtIn: readonly string[], user: readonly string[]) {
  return parseParams(options.param, builtIn, user);
}

/** Who plays each role in each suite (one problem built and released per suite), for the result header. */
export async function suiteRoles(suites: readonly BenchSuite[]): Promise<Record<string, Record<RoleName, string>>> {
  const out: Record<string, Record<RoleName, string>> = {};
  for (const suite of suites) {
    const task = suite.tasks()[0];
    if (task === undefined) continue;
    const problem = suite.problem(task, 1);
    out[suite.name] = roleNames(problem);
    await suite.release?.(problem);
  }
  return out;
}

/** The options as they appear in the recorded command (only those that differ from their defaults). */
export function modelCommandSuffix(options: ModelCommandOptions, roles: readonly RoleName[]): string {
  const quote = (text: string): string => (/^[A-Za-z0-9._,=/:+-]+$/.test(text) ? text : JSON.stringify(text));
  const parts: string[] = [];
  if (options.model !== undefined) parts.push(`--model ${quote(options.model)}`);
  if (roles.length > 0) parts.push(`--roles ${roles.join(",")}`);
  if (options.gpu !== "off") parts.push(`--gpu ${options.gpu}`);
  if (options.threads !== "1") parts.push(`--threads ${options.threads}`);
  if (options.context !== "2048") parts.push(`--context ${options.context}`);
  if (options.scoring !== "sampled") parts.push(`--scoring ${options.scoring}`);
  if (options.chatTemplate !== "auto") parts.push(`--chat-template ${quote(options.chatTemplate)}`);
  if (options.system !== undefined) parts.push(`--system ${quote(options.system)}`);
  if (options.param !== undefined) parts.push(`--param ${quote(options.param)}`);
  for (const file of options.envModule) parts.push(`--env-module ${quote(file)}`);
  for (const file of options.strategyModule) parts.push(`--strategy-module ${quote(file)}`);
  return parts.length > 0 ? ` ${parts.join(" ")}` : "";
}
