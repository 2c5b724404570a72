/** The decoder benchmark's settings, samplings, spec files and shared helpers (logging, the environment's fixed text). */
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { LlamaGrammarEvaluationState, TokenBias, type Token } from "node-llama-cpp";
import { LlamaBackend, PrebuiltBias } from "../../src/decoder/llama.js";
import { compileSpec } from "../../src/ltl/analysis.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { usesTools, type ToolSignature } from "../../src/ltl/tool-calls.js";
import { bindToolRegistry } from "../../src/grammars/tools.js";
import { exampleTools } from "../../src/agents/example-tools.js";
import { seededRandom } from "../../src/search/random.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const USAGE = "usage: tsx benchmarks/decoder.ts [--quick] [--out DIR]";

export interface Options {
  quick: boolean;
  out: string;
}

export function parseArgs(argv: readonly string[]): Options {
  const options: Options = { quick: false, out: join(ROOT, "benchmarks", "results") };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    if (name === "--help" || name === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (name === "--quick") {
      options.quick = true;
    } else if (name === "--out") {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new Error(`--out needs a folder\n${USAGE}`);
      options.out = resolve(value);
    } else {
      throw new Error(`unknown option '${arg}'\n${USAGE}`);
    }
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Settings

export interface Sampling {
  readonly name: string;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
}

export const GREEDY: Sampling = { name: "greedy", temperature: 0, topK: 0, topP: 1 };
export const PLAIN: Sampling = { name: "t=0.7", temperature: 0.7, topK: 0, topP: 1 };
export const TRUNCATED: Sampling = { name: "t=0.7 top-k 40 top-p 0.95", temperature: 0.7, topK: 40, topP: 0.95 };
/** The sampling whose tokens/s is the headline (`tokens_per_s` in the JSON). */
export const HEADLINE = TRUNCATED;

export interface Settings {
  /** Spec names (files specs/NAME.ltl) measured in part 1. */
  specs: readonly string[] | "all";
  /** Part 1: generations per decoder. */
  maskRuns: readonly { seed: number; temperature: number }[];
  maskMaxTokens: number;
  /** Part 2: sampled tokens per mode per round, rounds, samplings. */
  speedTokens: number;
  speedRounds: number;
  speedSamplings: readonly Sampling[];
  randomTokens: number;
  randomRounds: number;
  randomSamplings: readonly Sampling[];
  /** Part 3: recorded trajectories, rounds, samplings. */
  replaySeeds: readonly number[];
  replayMaxTokens: number;
  replayRounds: number;
  replaySamplings: readonly Sampling[];
  /** Filtered logits are far slower; they run this many rounds on this many trajectories. */
  filteredRounds: number;
  filteredTrajectories: number;
}

export const FULL: Settings = {
  specs: "all",
  maskRuns: [
    { seed: 1, temperature: 0.7 },
    { seed: 2, temperature: 0.7 },
    { seed: 3, temperature: 0.7 },
    { seed: 1, temperature: 0 },
  ],
  maskMaxTokens: 160,
  speedTokens: 384,
  speedRounds: 7,
  speedSamplings: [GREEDY, PLAIN, TRUNCATED],
  randomTokens: 192,
  randomRounds: 5,
  randomSamplings: [GREEDY, PLAIN, TRUNCATED],
  replaySeeds: [21, 22, 23, 24, 25],
  replayMaxTokens: 160,
  replayRounds: 7,
  replaySamplings: [GREEDY, PLAIN, TRUNCATED],
  filteredRounds: 1,
  filteredTrajectories: 1,
};

export const QUICK: Settings = {
  specs: ["direct", "react"],
  maskRuns: [
    { seed: 1, temperature: 0.7 },
    { seed: 1, temperature: 0 },
  ],
  maskMaxTokens: 48,
  speedTokens: 48,
  speedRounds: 1,
  speedSamplings: [TRUNCATED],
  randomTokens: 24,
  randomRounds: 1,
  randomSamplings: [TRUNCATED],
  replaySeeds: [21],
  replayMaxTokens: 40,
  replayRounds: 1,
  replaySamplings: [TRUNCATED],
  filteredRounds: 1,
  filteredTrajectories: 1,
};

/** What the environment writes, by event name (plausible fixed text for "What is 17 times 23?"). */
export const ENVIRONMENT_TEXT: Readonly<Record<string, string>> = {
  question: "What is 17 times 23?",
  user_problem: "What is 17 times 23?",
  observation: "391",
  evaluator: "The answer 391 is correct.",
  solver: "17 times 23 is 391.",
};
export const MAX_ENVIRONMENT_ROUNDS = 16;
/** Filtered logits ask llama.cpp for the allowed tokens' logits when there are at most this many (its filter is a linear search per vocabulary entry); else for all logits. */
export const FILTER_MAX_TOKENS = 32;

// ---------------------------------------------------------------------------------------------
// Small helpers

export const log = (message: string): void => {
  process.stderr.write(`[bench:decoder ${((performance.now() - STARTED) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
};
export const STARTED = performance.now();

export const mulberry32 = seededRandom;
export { quantile, median, maxOf, sum, r3, fmt } from "./stats.js";

export function environmentText(event: string): string {
  return ENVIRONMENT_TEXT[event] ?? "391";
}

export function evaluateOptions(sampling: Sampling, seed: number) {
  return { temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP, minP: 0, seed, yieldEogToken: true };
}

export type TokenIterator = AsyncIterator<Token, void, Token[] | undefined>;
export type AnyBias = TokenBias | PrebuiltBias;
/** How the decoder hands a mask to llama.cpp: typed arrays built once per mask, or a TokenBias map that node-llama-cpp copies at every step. */
export type BiasTransport = "prebuilt" | "map";

/** Accepts a token into a grammar state, as llama.cpp does for sampled tokens (internal binding of node-llama-cpp 3.22). */
export function acceptIntoGrammar(backend: LlamaBackend, state: LlamaGrammarEvaluationState, token: number): void {
  const bindings = (backend.llama as unknown as { _bindings: { AddonSampler: { acceptGrammarEvaluationStateToken(state: unknown, token: number): void } } })
    ._bindings;
  bindings.AddonSampler.acceptGrammarEvaluationStateToken((state as unknown as { _state: unknown })._state, token);
}

/** The map node-llama-cpp reads from a TokenBias (the decoder fills it the same way). */
export function biasEntries(bias: TokenBias): Map<Token, number> {
  return (bias as unknown as { _biases: Map<Token, number> })._biases;
}

export function specFiles(settings: Settings): string[] {
  const dir = join(ROOT, "specs");
  const all = readdirSync(dir)
    .filter((f) => f.endsWith(".ltl"))
    .map((f) => basename(f, ".ltl"));
  const order = ["direct", "cot", "react", "reflexion", "rewoo", "pass", "chat"];
  // The seven agent specs (others in specs/, e.g. protocol specs without segments, are not outputs to decode).
  const names = settings.specs === "all" ? all.filter((n) => order.includes(n)).sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99)) : [...settings.specs];
  return names.map((n) => join(dir, `${n}.ltl`));
}

/** Agent specs with tool segments get the example tools (or the given ones) bound, as `ltlguard run` does. */
export function loadCompiled(file: string, tools: readonly ToolSignature[] = EXAMPLE_SIGNATURES) {
  const spec = parseSpec(readFileSync(file, "utf8"), { file: relative(ROOT, file) });
  return compileSpec(usesTools(spec) ? bindToolRegistry(spec, tools) : spec);
}

export const EXAMPLE_SIGNATURES: readonly ToolSignature[] = exampleTools().map((t) => ({ name: t.name, parameters: t.parameters }));
