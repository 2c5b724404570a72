import { UsageError } from "./io.js";

/** One strategy option settable with `--param`: its name in the options type, the papers' short names, its type. */
interface ParamSpec {
  readonly option: string;
  readonly aliases?: readonly string[];
  /** `int` (0 or more, or `inf`), `number`, `boolean`, or the allowed words. */
  readonly type: "int" | "number" | "boolean" | readonly string[];
  readonly doc: string;
}

const k: ParamSpec = { option: "k", type: "int", doc: "candidate actions kept per expansion" };
const samples: ParamSpec = { option: "samples", type: "int", doc: "policy samples per expansion" };
const maxDepth: ParamSpec = { option: "maxDepth", aliases: ["d"], type: "int", doc: "depth limit" };
const maxExpansions: ParamSpec = { option: "maxExpansions", type: "int", doc: "most expansions" };

/**
 * The options of the built-in strategies that `--param` sets, with the short names their papers
 * use (Koh et al.'s b, c, d, n; MCTS's exploration constant c). Each is the strategy factory's own
 * option (see its options type in src/search for the defaults).
 */
export const STRATEGY_PARAMS: Readonly<Record<string, readonly ParamSpec[]>> = {
  greedy: [
    { option: "samples", aliases: ["n"], type: "int", doc: "policy samples per step" },
    { option: "maxSteps", aliases: ["steps"], type: "int", doc: "most steps" },
    { option: "retries", type: "int", doc: "further attempts when a proposal fails" },
  ],
  bfs: [k, samples, maxDepth, maxExpansions, { option: "dedupe", type: "boolean", doc: "skip states seen before" }],
  dfs: [k, samples, maxDepth, maxExpansions, { option: "dedupe", type: "boolean", doc: "skip states seen before" }],
  beam: [{ option: "width", aliases: ["w"], type: "int", doc: "beam width" }, k, maxDepth],
  astar: [k, samples, maxExpansions, maxDepth, { option: "goalTest", type: ["generation", "expansion"], doc: "when a node is tested for the goal" }],
  "best-first": [
    { option: "branching", aliases: ["b"], type: "int", doc: "candidates kept per expansion (b)" },
    { option: "candidateSamples", type: "int", doc: "policy samples per expansion (default max(2b, 20))" },
    { option: "valueSamples", aliases: ["n"], type: "int", doc: "value samples averaged per trajectory (n)" },
    { option: "maxDepth", aliases: ["d"], type: "int", doc: "depth limit (d)" },
    { option: "valueBudget", aliases: ["c"], type: "int", doc: "value evaluations per search (c)" },
    { option: "threshold", type: "number", doc: "a trajectory valued at least this ends the search" },
    { option: "maxSteps", type: "int", doc: "most committed actions" },
    { option: "commit", type: ["trajectory", "first-action"], doc: "what is committed after a search" },
    { option: "values", type: ["lazy", "eager"], doc: "when children are judged" },
    { option: "loop", type: ["replan", "single"], doc: "search again after committing, or once" },
  ],
  mcts: [
    { option: "iterations", type: "int", doc: "iterations (inf: until the budget is spent)" },
    { option: "exploration", aliases: ["c"], type: "number", doc: "UCT exploration constant" },
    k,
    samples,
    { option: "valueSamples", aliases: ["n"], type: "int", doc: "value samples per evaluation" },
    { option: "prior", type: "boolean", doc: "PUCT with the proposals' frequencies as priors" },
    maxDepth,
    { option: "expansion", type: ["lazy", "eager"], doc: "how children are expanded" },
    { option: "simulate", type: ["max", "sample", "none"], doc: "simulation policy" },
    { option: "backup", type: ["path", "leaf"], doc: "what is backed up" },
    { option: "answer", type: ["max-reward", "visits", "best-terminal"], doc: "which path is the answer" },
  ],
  simura: [
    { option: "samples", aliases: ["n"], type: "int", doc: "intents sampled per step" },
    { option: "keep", aliases: ["k"], type: "int", doc: "intents simulated per step" },
    { option: "criticSamples", type: "int", doc: "critic samples per simulated outcome" },
    { option: "maxSteps", type: "int", doc: "most steps" },
    { option: "skipSingle", type: "boolean", doc: "act without simulating when one intent remains" },
  ],
};

/** The built-in strategy whose options an environment's variant takes (`mcts-puct` → `mcts`, `astar-noimagine` → `astar`). */
export function paramBase(strategy: string): string | undefined {
  if (strategy in STRATEGY_PARAMS) return strategy;
  const base = strategy.split("-")[0]!;
  return base in STRATEGY_PARAMS && base !== strategy ? base : undefined;
}

/** What `--help` says about `--param`. */
export function paramsHelp(): string {
  const lines = Object.entries(STRATEGY_PARAMS).map(
    ([name, specs]) => `  ${name}: ${specs.map((s) => `${s.option}${s.aliases !== undefined ? ` (${s.aliases.join(", ")})` : ""}`).join(", ")}`,
  );
  return `Strategy parameters for --param (name or short name = value; "strategy.name=value" for one strategy only):\n${lines.join("\n")}\n`;
}

/**
 * Parses `--param b=5,c=20,mcts.c=1.4`: each unqualified key goes to every chosen strategy that has
 * it (by option name or short name), a qualified one to that strategy only. User strategies (from
 * `--strategy-module`) get every unqualified key and their own qualified ones, as given (their
 * factory checks them). A key no chosen strategy takes, or a value of the wrong type, is an error.
 */
export function parseParams(text: string | undefined, strategies: readonly string[], userStrategies: readonly string[] = []): Record<string, Record<string, number | string | boolean>> {
  const out: Record<string, Record<string, number | string | boolean>> = {};
  if (text === undefined || text.trim() === "") return out;
  for (const item of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param expects name=value items separated by commas, got '${item}'`);
    const key = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const dot = key.lastIndexOf(".");
    const only = dot > 0 ? key.slice(0, dot) : undefined;
    const name = dot > 0 ? key.slice(dot + 1) : key;
    if (only !== undefined && !strategies.includes(only) && !userStrategies.includes(only)) {
      throw new UsageError(`--param ${key}: '${only}' is not among the strategies run (${[...strategies, ...userStrategies].join(", ")})`);
    }
    let taken = false;
    for (const strategy of [...strategies, ...userStrategies]) {
      if (only !== undefined && strategy !== only) continue;
      if (userStrategies.includes(strategy)) {
        (out[strategy] ??= {})[name] = parseLoose(raw);
        taken = true;
        continue;
      }
      const base = paramBase(strategy);
      const spec = base === undefined ? undefined : STRATEGY_PARAMS[base]!.find((s) => s.option === name || (s.aliases ?? []).includes(name));
      if (spec === undefined) continue;
      (out[strategy] ??= {})[spec.option] = parseValue(raw, spec, key);
      taken = true;
    }
    if (!taken) {
      const known = [...new Set(strategies.flatMap((s) => STRATEGY_PARAMS[paramBase(s) ?? ""] ?? []).flatMap((s) => [s.option, ...(s.aliases ?? [])]))];
      throw new UsageError(`--param ${key}: no chosen strategy takes '${name}'${known.length > 0 ? `; they take: ${known.join(", ")}` : ""} (see ltlguard bench --help)`);
    }
  }
  return out;
}

function parseValue(raw: string, spec: ParamSpec, key: string): number | string | boolean {
  if (spec.type === "int") {
    if (raw === "inf" || raw === "Infinity") return Infinity;
    if (!/^\d+$/.test(raw)) throw new UsageError(`--param ${key} expects a whole number (or inf), got '${raw}'`);
    return Number(raw);
  }
  if (spec.type === "number") {
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value)) throw new UsageError(`--param ${key} expects a number, got '${raw}'`);
    return value;
  }
  if (spec.type === "boolean") {
    if (raw !== "true" && raw !== "false") throw new UsageError(`--param ${key} expects true or false, got '${raw}'`);
    return raw === "true";
  }
  if (!spec.type.includes(raw)) throw new UsageError(`--param ${key} expects one of ${spec.type.join(", ")}, got '${raw}'`);
  return raw;
}

/** A value for a user strategy: a number, true/false, or the text. */
function parseLoose(raw: string): number | string | boolean {
  if (raw === "true" || raw === "false") return raw === "true";
  const value = Number(raw);
  return raw !== "" && Number.isFinite(value) ? value : raw;
}
