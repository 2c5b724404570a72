/**
 * The decoder on llama.cpp (node-llama-cpp), on the Qwen3-vocabulary models the project builds:
 *
 *   npm run bench:decoder -- [--quick] [--out DIR]
 *
 * 1. Per shipped agent spec (specs/*.ltl): one-time costs (LTL compile; ConstrainedDecoder.create:
 *    compose + mask index with precompute), automaton size, distinct masks; then the time to get
 *    each step's mask ready (`Generation.maskMicros`) over real generations on `qwen3-fitted`
 *    (seeds × temperatures, the environment played with fixed text), with precomputed masks and
 *    with a cold cache (`precompute: false`).
 * 2. Tokens per second on the same model, prompt and token count, the three modes alternating in
 *    each round: unconstrained `sequence.evaluate`, ltlguard (a Generation on specs/react.ltl),
 *    and node-llama-cpp's GBNF engine with `outputToGbnf` of the same automaton. Then the same on
 *    `qwen3-random`, whose samples are almost never valid (the grammar engine's worst case).
 * 3. Ways to feed a mask to llama.cpp, replayed on the very same states: recorded react
 *    trajectories are teacher-forced token by token (each step samples under the mode, then the
 *    recorded token is fed), so every mode sees the same contexts and masks.
 *
 * Writes DIR/decoder.json and DIR/decoder.md (DIR defaults to benchmarks/results); progress goes to
 * stderr. llama.cpp runs on 1 CPU thread.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { LlamaGrammarEvaluationState, TokenBias, type LlamaContextSequence, type LlamaGrammar, type Token } from "node-llama-cpp";
import { ConstrainedDecoder } from "../src/decoder/decoder.js";
import type { Generation, StopReason } from "../src/decoder/generation.js";
import { ALLOW_LIST_LOGIT, LlamaBackend, PrebuiltBias } from "../src/decoder/llama.js";
import { MaskIndex, type TokenMask } from "../src/decoder/mask.js";
import { outputToGbnf } from "../src/grammars/output-gbnf.js";
import { composeOutput, eventsAllowedAt, STATE_CONTENT, STATE_TAG, stepOutput, type OutputAutomaton } from "../src/grammars/output.js";
import { compileSpec } from "../src/ltl/analysis.js";
import { parseSpec } from "../src/ltl/spec.js";
import { usesTools, type ToolSignature } from "../src/ltl/tool-calls.js";
import { bindToolRegistry } from "../src/grammars/tools.js";
import { exampleTools } from "../src/agents/example-tools.js";
import { FUNCTION_CALLING_TOOLS } from "./function-tools.js";
import { ensureModel, type ModelName } from "../src/models/build.js";
import { seededRandom } from "../src/search/random.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "usage: tsx benchmarks/decoder.ts [--quick] [--out DIR]";

interface Options {
  quick: boolean;
  out: string;
}

function parseArgs(argv: readonly string[]): Options {
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

interface Sampling {
  readonly name: string;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
}

const GREEDY: Sampling = { name: "greedy", temperature: 0, topK: 0, topP: 1 };
const PLAIN: Sampling = { name: "t=0.7", temperature: 0.7, topK: 0, topP: 1 };
const TRUNCATED: Sampling = { name: "t=0.7 top-k 40 top-p 0.95", temperature: 0.7, topK: 40, topP: 0.95 };
/** The sampling whose tokens/s is the headline (`tokens_per_s` in the JSON). */
const HEADLINE = TRUNCATED;

interface Settings {
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

const FULL: Settings = {
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

const QUICK: Settings = {
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
const ENVIRONMENT_TEXT: Readonly<Record<string, string>> = {
  question: "What is 17 times 23?",
  user_problem: "What is 17 times 23?",
  observation: "391",
  evaluator: "The answer 391 is correct.",
  solver: "17 times 23 is 391.",
};
const MAX_ENVIRONMENT_ROUNDS = 16;
/** Filtered logits ask llama.cpp for the allowed tokens' logits when there are at most this many (its filter is a linear search per vocabulary entry); else for all logits. */
const FILTER_MAX_TOKENS = 32;

// ---------------------------------------------------------------------------------------------
// Small helpers

const log = (message: string): void => {
  process.stderr.write(`[bench:decoder ${((performance.now() - STARTED) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
};
const STARTED = performance.now();

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const maxOf = (values: readonly number[]): number => values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Rounds to 3 significant digits (at least 0 decimals for big numbers), for JSON and tables. */
function r3(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return Number(x.toFixed(Math.min(digits, 6)));
}
const fmt = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? "—" : r3(x).toLocaleString("en-US", { maximumFractionDigits: 6 }));

const mulberry32 = seededRandom;

function environmentText(event: string): string {
  return ENVIRONMENT_TEXT[event] ?? "391";
}

function evaluateOptions(sampling: Sampling, seed: number) {
  return { temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP, minP: 0, seed, yieldEogToken: true };
}

type TokenIterator = AsyncIterator<Token, void, Token[] | undefined>;
type AnyBias = TokenBias | PrebuiltBias;
/** How the decoder hands a mask to llama.cpp: typed arrays built once per mask, or a TokenBias map that node-llama-cpp copies at every step. */
type BiasTransport = "prebuilt" | "map";

/** Accepts a token into a grammar state, as llama.cpp does for sampled tokens (internal binding of node-llama-cpp 3.22). */
function acceptIntoGrammar(backend: LlamaBackend, state: LlamaGrammarEvaluationState, token: number): void {
  const bindings = (backend.llama as unknown as { _bindings: { AddonSampler: { acceptGrammarEvaluationStateToken(state: unknown, token: number): void } } })
    ._bindings;
  bindings.AddonSampler.acceptGrammarEvaluationStateToken((state as unknown as { _state: unknown })._state, token);
}

/** The map node-llama-cpp reads from a TokenBias (the decoder fills it the same way). */
function biasEntries(bias: TokenBias): Map<Token, number> {
  return (bias as unknown as { _biases: Map<Token, number> })._biases;
}

function specFiles(settings: Settings): string[] {
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
function loadCompiled(file: string, tools: readonly ToolSignature[] = EXAMPLE_SIGNATURES) {
  const spec = parseSpec(readFileSync(file, "utf8"), { file: relative(ROOT, file) });
  return compileSpec(usesTools(spec) ? bindToolRegistry(spec, tools) : spec);
}

const EXAMPLE_SIGNATURES: readonly ToolSignature[] = exampleTools().map((t) => ({ name: t.name, parameters: t.parameters }));

// ---------------------------------------------------------------------------------------------
// Driving generations

interface EnvironmentChunk {
  readonly from: number;
  readonly to: number;
  readonly event: string;
}

interface Drive {
  readonly stop: StopReason | "rounds";
  readonly runMs: number;
  readonly environment: readonly EnvironmentChunk[];
}

/** Runs a generation to its end, writing the environment's segments with fixed text. */
async function drive(generation: Generation, maxTokens: number): Promise<Drive> {
  const environment: EnvironmentChunk[] = [];
  let runMs = 0;
  let stop: StopReason | "rounds" = "rounds";
  for (let round = 0; round <= MAX_ENVIRONMENT_ROUNDS; round++) {
    const t0 = performance.now();
    stop = await generation.run({ maxTokens });
    runMs += performance.now() - t0;
    if (stop !== "environment") break;
    if (round === MAX_ENVIRONMENT_ROUNDS) {
      stop = "rounds";
      break;
    }
    const event = generation.awaiting()!.events[0]!;
    const from = generation.tokens.length;
    generation.supply(environmentText(event), event);
    environment.push({ from, to: generation.tokens.length, event });
  }
  return { stop, runMs, environment };
}

/** Counts the generation's sampling steps (calls into llama.cpp's sampler; forced tokens take none). */
function countSamples(generation: Generation): { count: number } {
  const counter = { count: 0 };
  const target = generation as unknown as { sample: (bias: unknown) => Promise<number> };
  const original = target.sample.bind(generation);
  target.sample = async (bias: unknown) => {
    counter.count++;
    return original(bias);
  };
  return counter;
}

/** Records, per call of `biasFor`, whether the mask was used for the first time (its bias object built now). */
class BiasLog {
  entries: boolean[] | undefined;
  /** Microseconds spent in biasFor, per call (the bias object's construction on first use). */
  micros: number[] | undefined;
  /** Tokens listed by each call's mask (allowed or banned, whichever it lists). */
  listed: number[] | undefined;
  constructor(backend: LlamaBackend) {
    const original = backend.biasFor.bind(backend);
    backend.biasFor = (mask: TokenMask) => {
      if (this.entries === undefined) return original(mask);
      this.entries.push(mask.backendCache === undefined);
      this.listed?.push((mask.allowed ?? mask.banned!).length);
      const t0 = performance.now();
      const bias = original(mask);
      this.micros?.push((performance.now() - t0) * 1000);
      return bias;
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Part 1: compile and mask time per spec

interface MaskRun {
  seed: number;
  temperature: number;
  stop: string;
  outputTokens: number;
  steps: number;
}

interface MaskSeries {
  readonly runs: MaskRun[];
  readonly micros: number[];
  readonly firstUse: boolean[];
  /** Part of `micros` spent building the bias object (biasFor). */
  readonly biasMicros: number[];
  readonly listed: number[];
}

interface MaskStats {
  steps: number;
  median_us: number;
  p99_us: number;
  max_us: number;
  first_use_steps: number;
  first_use_median_us: number;
  /** Of a first use: building the TokenBias map (the rest is assembling the mask: long tokens, union, token list). */
  first_use_bias_median_us: number;
  first_use_mask_median_us: number;
  /** First uses of masks that list more than 10,000 tokens (the allow-lists right after a tag's colon). */
  big_first_use_steps: number;
  big_first_use_median_us: number;
  /** Steps whose mask lists more than 2,000 tokens (what llama.cpp's logit-bias stage then handles per step). */
  steps_listing_over_2000: number;
  steps_listing_over_10000: number;
  reused_median_us: number;
  reused_p99_us: number;
}

function maskStats(series: MaskSeries): MaskStats {
  const reused = series.micros.filter((_, i) => series.firstUse[i] === false);
  const first = series.micros.filter((_, i) => series.firstUse[i] === true);
  const firstBias = series.biasMicros.filter((_, i) => series.firstUse[i] === true);
  const big = series.micros.filter((_, i) => series.firstUse[i] === true && series.listed[i]! > 10_000);
  const firstMask = series.micros.map((m, i) => m - series.biasMicros[i]!).filter((_, i) => series.firstUse[i] === true);
  return {
    steps: series.micros.length,
    median_us: r3(median(series.micros)),
    p99_us: r3(quantile(series.micros, 0.99)),
    max_us: r3(maxOf(series.micros)),
    first_use_steps: first.length,
    first_use_median_us: r3(median(first)),
    first_use_bias_median_us: r3(median(firstBias)),
    first_use_mask_median_us: r3(median(firstMask)),
    big_first_use_steps: big.length,
    big_first_use_median_us: r3(median(big)),
    steps_listing_over_2000: series.listed.filter((n) => n > 2000).length,
    steps_listing_over_10000: series.listed.filter((n) => n > 10_000).length,
    reused_median_us: r3(median(reused)),
    reused_p99_us: r3(quantile(reused, 0.99)),
  };
}

async function maskSeries(decoder: ConstrainedDecoder, biasLog: BiasLog, settings: Settings): Promise<MaskSeries> {
  const series: MaskSeries = { runs: [], micros: [], firstUse: [], biasMicros: [], listed: [] };
  for (const { seed, temperature } of settings.maskRuns) {
    const generation = decoder.start("", { seed, temperature });
    generation.maskMicros = [];
    biasLog.entries = [];
    biasLog.micros = [];
    biasLog.listed = [];
    const result = await drive(generation, settings.maskMaxTokens);
    const micros = generation.maskMicros;
    const firstUse = biasLog.entries;
    series.biasMicros.push(...biasLog.micros);
    series.listed.push(...biasLog.listed);
    biasLog.listed = undefined;
    biasLog.entries = undefined;
    biasLog.micros = undefined;
    if (micros.length !== firstUse.length) throw new Error(`internal: ${micros.length} mask times but ${firstUse.length} biasFor calls`);
    series.micros.push(...micros);
    series.firstUse.push(...firstUse);
    const environmentTokens = sum(result.environment.map((c) => c.to - c.from));
    series.runs.push({ seed, temperature, stop: result.stop, outputTokens: generation.tokens.length - environmentTokens, steps: micros.length });
    await generation.dispose();
  }
  return series;
}

interface SpecResult {
  spec: string;
  ltl_compile_ms: number;
  event_dfa_states: number;
  compose_ms: number;
  index_ms: number;
  automaton_states: number;
  vocabulary: number;
  /** Distinct mask keys over the tag and content states: an upper bound on the distinct masks. */
  mask_keys: number;
  /** Distinct complete masks the index holds right after precompute (its `masksBuilt` stat), when it reports one. */
  distinct_masks: number | null;
  /** Distinct short-token masks right after precompute (its `shortMasksComputed` stat). */
  short_token_masks: number | null;
  masks_used: number;
  /** maskFor + biasFor over every tag/content state in a tight loop (masks and biases already built): the lookup without the decode around it. */
  hot_lookup_us_median: number;
  /** Masks of the states inside JSON-arguments segments (null for specs without them). */
  arguments: ArgumentsMaskTimes | null;
  runs: MaskRun[];
  warm: MaskStats;
  cold: MaskStats & { index_ms: number; compose_ms: number; runs: MaskRun[] };
}

interface ArgumentsMaskTimes {
  /** Content states inside `json args` segments. */
  states: number;
  /** States sampled (evenly) for the timings. */
  sampled: number;
  /** maskFor + biasFor on a fresh index (precompute off): the mask computed on demand, as MaskBench measures engines. */
  computed_median_us: number;
  computed_p99_us: number;
  /** The same lookups again, masks cached: what a generation pays in steady state. */
  cached_median_us: number;
  cached_p99_us: number;
}

/** Mask times restricted to the JSON-arguments segments, on demand and cached. */
function argumentsMaskTimes(compiled: ReturnType<typeof loadCompiled>, decoder: ConstrainedDecoder, backend: LlamaBackend): ArgumentsMaskTimes | null {
  const a = decoder.automaton;
  const states: number[] = [];
  for (let s = 0; s < a.stateCount; s++) if (a.kind[s] === STATE_CONTENT && a.formats[a.event[s]!]!.content.kind === "arguments") states.push(s);
  if (states.length === 0) return null;
  const step = Math.max(1, Math.floor(states.length / 600));
  const sample = states.filter((_, i) => i % step === 0);
  const fresh = ConstrainedDecoder.create(compiled, backend, { precompute: false });
  const time = (state: number): number => {
    const t = performance.now();
    backend.biasFor(fresh.index.maskFor(state));
    return (performance.now() - t) * 1000;
  };
  const computed = sample.map(time);
  const cached = sample.map(time);
  return {
    states: states.length,
    sampled: sample.length,
    computed_median_us: r3(median(computed)),
    computed_p99_us: r3(quantile(computed, 0.99)),
    cached_median_us: r3(median(cached)),
    cached_p99_us: r3(quantile(cached, 0.99)),
  };
}

/** Distinct masks among the decoder's states (after `prepare`: every tag and content state). */
function distinctMaskKeys(decoder: ConstrainedDecoder): number {
  return decoder.index.stats().distinctMasks;
}

interface MeasuredSpec {
  result: SpecResult;
  decoder: ConstrainedDecoder;
  warm: MaskSeries;
  cold: MaskSeries;
}

async function measureSpec(
  file: string,
  backend: LlamaBackend,
  biasLog: BiasLog,
  settings: Settings,
  tools?: { readonly label: string; readonly signatures: readonly ToolSignature[] },
): Promise<MeasuredSpec> {
  const name = basename(file, ".ltl") + (tools === undefined ? "" : ` + ${tools.label}`);
  const t0 = performance.now();
  const compiled = loadCompiled(file, tools?.signatures);
  const compileMs = performance.now() - t0;
  log(`${name}: LTL compiled in ${compileMs.toFixed(1)} ms; building the decoder (precompute)…`);
  let lastReport = performance.now();
  const decoder = ConstrainedDecoder.create(compiled, backend, {
    onProgress: (done, total) => {
      if (performance.now() - lastReport < 2000) return;
      lastReport = performance.now();
      log(`${name}: precomputing masks ${done}/${total}`);
    },
  });
  const stats = decoder.index.stats();
  // Read loosely: the index's stats are still evolving.
  const loose = stats as unknown as Record<string, unknown>;
  log(`${name}: decoder ready (compose ${decoder.timings.composeMs.toFixed(0)} ms, index ${decoder.timings.indexMs.toFixed(0)} ms, ${decoder.automaton.stateCount} states); generating`);
  const warm = await maskSeries(decoder, biasLog, settings);
  const distinct = distinctMaskKeys(decoder);
  const warmStats = maskStats(warm);
  const hot: number[] = [];
  {
    const a = decoder.automaton;
    for (let pass = 0; pass < 2; pass++) {
      for (let state = 0; state < a.stateCount; state++) {
        if (a.kind[state] !== STATE_TAG && a.kind[state] !== STATE_CONTENT) continue;
        const t = performance.now();
        backend.biasFor(decoder.index.maskFor(state));
        if (pass === 1) hot.push((performance.now() - t) * 1000);
      }
    }
  }
  log(`${name}: mask µs median ${fmt(warmStats.median_us)} p99 ${fmt(warmStats.p99_us)} over ${warmStats.steps} steps; cold decoder…`);

  const cold = ConstrainedDecoder.create(compiled, backend, { precompute: false });
  const coldSeries = await maskSeries(cold, biasLog, settings);
  const coldStats = maskStats(coldSeries);
  log(`${name}: cold mask µs median ${fmt(coldStats.median_us)} p99 ${fmt(coldStats.p99_us)} max ${fmt(coldStats.max_us)}`);
  const args = argumentsMaskTimes(compiled, decoder, backend);
  if (args !== null) log(`${name}: JSON-arguments states: ${args.states}; mask µs computed on demand median ${fmt(args.computed_median_us)} p99 ${fmt(args.computed_p99_us)}; cached median ${fmt(args.cached_median_us)}`);
  return {
    decoder,
    warm,
    cold: coldSeries,
    result: {
      spec: name,
      ltl_compile_ms: r3(compileMs),
      event_dfa_states: compiled.dfa.stateCount,
      compose_ms: r3(decoder.timings.composeMs),
      index_ms: r3(decoder.timings.indexMs),
      automaton_states: decoder.automaton.stateCount,
      vocabulary: stats.vocabularySize,
      mask_keys: distinct,
      distinct_masks: typeof loose["masksBuilt"] === "number" ? loose["masksBuilt"] : null,
      short_token_masks: typeof loose["shortMasksComputed"] === "number" ? loose["shortMasksComputed"] : null,
      masks_used: warmStats.first_use_steps,
      hot_lookup_us_median: r3(median(hot)),
      arguments: args,
      runs: warm.runs,
      warm: warmStats,
      cold: { ...coldStats, index_ms: r3(cold.timings.indexMs), compose_ms: r3(cold.timings.composeMs), runs: coldSeries.runs },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: tokens per second

type SpeedMode = "unconstrained" | "ltlguard" | "gbnf";

interface SpeedSample {
  tokens: number;
  outputTokens: number;
  ms: number;
}

interface SpeedContext {
  readonly backend: LlamaBackend;
  readonly decoder: ConstrainedDecoder;
  readonly grammar: LlamaGrammar | undefined;
  /** The output's first segment as the environment writes it, and its tokens. */
  readonly promptTokens: readonly number[];
}

function firstEnvironmentSegment(automaton: OutputAutomaton): string {
  const allowed = eventsAllowedAt(automaton, automaton.eventState[automaton.initial]!);
  const format = automaton.formats[allowed[0]!]!;
  if (format.writer !== "environment") throw new Error("the speed benchmark expects a spec that opens with an environment segment");
  return format.tag + environmentText(format.event) + format.end;
}

async function speedUnconstrained(ctx: SpeedContext, sampling: Sampling, seed: number, tokens: number): Promise<SpeedSample> {
  const { backend } = ctx;
  const sequence = backend.acquireSequence();
  const eog = new Set(backend.vocabulary.endOfGeneration);
  let count = 0;
  let ms = 0;
  for (let episode = 0; count < tokens; episode++) {
    await sequence.clearHistory();
    const t0 = performance.now();
    const input = [backend.documentStartToken(), ...ctx.promptTokens] as Token[];
    for await (const token of sequence.evaluate(input, evaluateOptions(sampling, seed + 1000 * episode))) {
      count++;
      if (eog.has(token) || count >= tokens) break;
    }
    ms += performance.now() - t0;
  }
  await backend.releaseSequence(sequence);
  return { tokens: count, outputTokens: count, ms };
}

async function speedLtlguard(ctx: SpeedContext, sampling: Sampling, seed: number, tokens: number): Promise<SpeedSample> {
  let sampled = 0;
  let output = 0;
  let ms = 0;
  for (let episode = 0; sampled < tokens; episode++) {
    const generation = ctx.decoder.start("", { seed: seed + 1000 * episode, temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP });
    const counter = countSamples(generation);
    // maxTokens counts forced tokens too, so an episode may stop a little before `tokens` samples.
    const result = await drive(generation, tokens - sampled);
    ms += result.runMs;
    sampled += counter.count;
    output += generation.tokens.length - sum(result.environment.map((c) => c.to - c.from));
    await generation.dispose();
    if (counter.count === 0) break;
  }
  return { tokens: sampled, outputTokens: output, ms };
}

async function speedGbnf(ctx: SpeedContext, sampling: Sampling, seed: number, tokens: number): Promise<SpeedSample> {
  const { backend, grammar } = ctx;
  if (grammar === undefined) throw new Error("no grammar");
  const sequence = backend.acquireSequence();
  const eog = new Set(backend.vocabulary.endOfGeneration);
  let count = 0;
  let ms = 0;
  for (let episode = 0; count < tokens; episode++) {
    await sequence.clearHistory();
    const t0 = performance.now();
    const state = new LlamaGrammarEvaluationState({ model: backend.model, grammar });
    for (const token of ctx.promptTokens) acceptIntoGrammar(backend, state, token);
    const input = [backend.documentStartToken(), ...ctx.promptTokens] as Token[];
    for await (const token of sequence.evaluate(input, { ...evaluateOptions(sampling, seed + 1000 * episode), grammarEvaluationState: state })) {
      count++;
      if (eog.has(token) || count >= tokens) break;
    }
    ms += performance.now() - t0;
  }
  await backend.releaseSequence(sequence);
  return { tokens: count, outputTokens: count, ms };
}

interface SpeedRow {
  sampling: string;
  rounds: number;
  tokens_per_round: number;
  tokens_per_s: { unconstrained: number; ltlguard: number; gbnf: number | null };
  /** ltlguard counting forced tokens too (they are written without a sampling step). */
  ltlguard_output_tokens_per_s: number;
  ms_per_token: { unconstrained: number; ltlguard: number; gbnf: number | null };
  /** Median over rounds of the same round's tokens/s ratio. */
  ltlguard_vs_unconstrained: number;
  ltlguard_vs_gbnf: number | null;
  /** Smallest and largest per-round ratio. */
  ltlguard_vs_unconstrained_range: [number, number];
  ltlguard_vs_gbnf_range: [number, number] | null;
  per_round: { mode: SpeedMode; tokens: number; output_tokens: number; ms: number }[];
}

async function measureSpeed(ctx: SpeedContext, label: string, samplings: readonly Sampling[], tokens: number, rounds: number): Promise<SpeedRow[]> {
  const rows: SpeedRow[] = [];
  const modes: SpeedMode[] = ctx.grammar !== undefined ? ["unconstrained", "ltlguard", "gbnf"] : ["unconstrained", "ltlguard"];
  const run = (mode: SpeedMode, sampling: Sampling, seed: number, n: number): Promise<SpeedSample> =>
    mode === "unconstrained" ? speedUnconstrained(ctx, sampling, seed, n) : mode === "ltlguard" ? speedLtlguard(ctx, sampling, seed, n) : speedGbnf(ctx, sampling, seed, n);
  for (const sampling of samplings) {
    // Warm-up: a short run of each mode (JIT, masks' bias objects, the grammar's first use).
    for (const mode of modes) await run(mode, sampling, 999, Math.min(32, tokens));
    const perRound: SpeedRow["per_round"] = [];
    const rates = new Map<SpeedMode, number[]>(modes.map((m) => [m, []]));
    const outputRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
      for (const mode of order) {
        const sample = await run(mode, sampling, 100 + round, tokens);
        rates.get(mode)!.push((sample.tokens / sample.ms) * 1000);
        if (mode === "ltlguard") outputRates.push((sample.outputTokens / sample.ms) * 1000);
        perRound.push({ mode, tokens: sample.tokens, output_tokens: sample.outputTokens, ms: r3(sample.ms) });
      }
    }
    const rate = (mode: SpeedMode): number | null => (rates.has(mode) ? r3(median(rates.get(mode)!)) : null);
    const u = rate("unconstrained")!;
    const l = rate("ltlguard")!;
    const g = rate("gbnf");
    // Ratios are paired per round (the modes alternate within a round), then the median is taken.
    const ratios = (a: SpeedMode, b: SpeedMode): number[] | null => {
      const x = rates.get(a);
      const y = rates.get(b);
      if (x === undefined || y === undefined) return null;
      return x.map((v, i) => v / y[i]!);
    };
    const paired = (a: SpeedMode, b: SpeedMode): number | null => {
      const list = ratios(a, b);
      return list === null ? null : r3(median(list));
    };
    const range = (a: SpeedMode, b: SpeedMode): [number, number] | null => {
      const list = ratios(a, b);
      return list === null ? null : [r3(Math.min(...list)), r3(maxOf(list))];
    };
    rows.push({
      sampling: sampling.name,
      rounds,
      tokens_per_round: tokens,
      tokens_per_s: { unconstrained: u, ltlguard: l, gbnf: g },
      ltlguard_output_tokens_per_s: r3(median(outputRates)),
      ms_per_token: { unconstrained: r3(1000 / u), ltlguard: r3(1000 / l), gbnf: g === null ? null : r3(1000 / g) },
      ltlguard_vs_unconstrained: paired("ltlguard", "unconstrained")!,
      ltlguard_vs_gbnf: paired("ltlguard", "gbnf"),
      ltlguard_vs_unconstrained_range: range("ltlguard", "unconstrained")!,
      ltlguard_vs_gbnf_range: range("ltlguard", "gbnf"),
      per_round: perRound,
    });
    log(`${label} ${sampling.name}: tokens/s unconstrained ${fmt(u)}, ltlguard ${fmt(l)}, gbnf ${fmt(g)}`);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Part 3: ways to feed a mask, replayed on recorded trajectories

type Step = { readonly kind: "model"; readonly state: number; readonly token: number } | { readonly kind: "environment"; readonly tokens: readonly number[] };

interface Trajectory {
  readonly seed: number;
  readonly steps: readonly Step[];
  readonly modelTokens: number;
  readonly environmentTokens: number;
  readonly text: string;
}

async function recordTrajectory(decoder: ConstrainedDecoder, seed: number, maxTokens: number): Promise<Trajectory> {
  const generation = decoder.start("", { seed, temperature: 0.7 });
  const result = await drive(generation, maxTokens);
  const tokens = [...generation.tokens];
  const text = generation.text;
  await generation.dispose();
  const a = decoder.automaton;
  const bytes = decoder.backend.vocabulary.bytes;
  const steps: Step[] = [];
  let state = a.initial;
  let i = 0;
  let modelTokens = 0;
  for (const chunk of result.environment) {
    for (; i < chunk.from; i++) {
      steps.push({ kind: "model", state, token: tokens[i]! });
      state = stepOutput(a, state, bytes[tokens[i]!]!);
      modelTokens++;
      if (state < 0) throw new Error(`internal: recorded token ${tokens[i]} leaves the language`);
    }
    const e = a.formats.findIndex((f) => f.event === chunk.event);
    state = a.boundaryAfter(a.eventState[state]!, e);
    steps.push({ kind: "environment", tokens: tokens.slice(chunk.from, chunk.to) });
    i = chunk.to;
  }
  for (; i < tokens.length; i++) {
    steps.push({ kind: "model", state, token: tokens[i]! });
    state = stepOutput(a, state, bytes[tokens[i]!]!);
    modelTokens++;
  }
  return { seed, steps, modelTokens, environmentTokens: tokens.length - modelTokens, text };
}

type FeedMode = "none" | "hybrid" | "allow" | "ban" | "sample-first" | "filtered" | "gbnf";

const FEED_MODES: readonly FeedMode[] = ["none", "hybrid", "allow", "ban", "sample-first", "filtered", "gbnf"];

const FEED_LABEL: Record<FeedMode, string> = {
  none: "no mask (floor: same steps, nothing enforced)",
  hybrid: "allow-list ≤ half the vocabulary, else ban-list (the decoder)",
  allow: "allow-list always (logit +1000)",
  ban: "ban-list always (-∞)",
  "sample-first": "sample first, exact fallback (erase + re-decode with the mask) if not allowed",
  filtered: `filtered logits (controlledEvaluate; ≤ ${FILTER_MAX_TOKENS} allowed: filter, else all logits), sampled in JS`,
  gbnf: "GBNF grammar (node-llama-cpp), grammar state cloned per step",
};

function exactness(mode: FeedMode, sampling: Sampling): string {
  switch (mode) {
    case "none":
      return "not enforced";
    case "hybrid":
    case "allow":
      return "exact (allowed tokens shifted by +1000: others < e^-900 relative)";
    case "ban":
    case "filtered":
      return "exact";
    case "sample-first":
      return sampling.topK > 0 || sampling.topP < 1 ? "not exact with top-k/top-p" : "exact";
    case "gbnf":
      return sampling.topK > 0 || sampling.topP < 1
        ? "not exact with top-k/top-p (llama.cpp also samples first, then re-samples under the grammar)"
        : "exact (samples first, re-samples under the grammar)";
  }
}

class Replayer {
  private readonly allowBiases = new Map<TokenMask, AnyBias>();
  private readonly banBiases = new Map<TokenMask, AnyBias>();
  private readonly allowedFlags = new Map<TokenMask, Uint8Array>();
  private readonly allowedArrays = new Map<TokenMask, Token[]>();
  readonly emptyBias: TokenBias;

  constructor(
    readonly decoder: ConstrainedDecoder,
    readonly grammar: LlamaGrammar | undefined,
    /** Pass lists the way the decoder does (prebuilt typed arrays, or a TokenBias map). */
    readonly transport: BiasTransport,
  ) {
    this.emptyBias = new TokenBias(decoder.backend.model.tokenizer);
  }

  private flags(mask: TokenMask): Uint8Array {
    let flags = this.allowedFlags.get(mask);
    if (flags === undefined) {
      const size = this.decoder.backend.vocabulary.size;
      flags = new Uint8Array(size);
      if (mask.allowed !== undefined) for (const t of mask.allowed) flags[t] = 1;
      else {
        flags.fill(1);
        for (const t of mask.banned!) flags[t] = 0;
      }
      this.allowedFlags.set(mask, flags);
    }
    return flags;
  }

  biasFor(mode: "allow" | "ban", mask: TokenMask): AnyBias {
    const cache = mode === "allow" ? this.allowBiases : this.banBiases;
    let bias = cache.get(mask);
    if (bias === undefined) {
      const flags = this.flags(mask);
      const want = mode === "allow" ? 1 : 0;
      const ids: number[] = [];
      for (let t = 0; t < flags.length; t++) if (flags[t] === want) ids.push(t);
      const logit = mode === "allow" ? ALLOW_LIST_LOGIT : Number.NEGATIVE_INFINITY;
      if (this.transport === "prebuilt") {
        bias = new PrebuiltBias(Uint32Array.from(ids), new Float32Array(ids.length).fill(logit));
      } else {
        const map = new TokenBias(this.decoder.backend.model.tokenizer);
        const entries = biasEntries(map);
        for (const t of ids) entries.set(t as Token, logit);
        bias = map;
      }
      cache.set(mask, bias);
    }
    return bias;
  }

  private allowedArray(mask: TokenMask): Token[] {
    let list = this.allowedArrays.get(mask);
    if (list === undefined) {
      list = Array.from(mask.allowed!) as Token[];
      this.allowedArrays.set(mask, list);
    }
    return list;
  }

  /** Replays a trajectory under a mode; returns wall ms and counters. */
  async replay(mode: FeedMode, trajectory: Trajectory, sampling: Sampling, seed: number): Promise<ReplaySample> {
    const { backend, index } = this.decoder;
    const sequence = backend.acquireSequence();
    await sequence.clearHistory();
    const out: ReplaySample = { ms: 0, stepMs: [], outputTokens: trajectory.modelTokens, samplingSteps: 0, fallbacks: 0, violations: 0, cloneMs: 0 };
    const skipForced = mode !== "gbnf";
    let pending: number[] = [backend.documentStartToken()];
    let iterator: TokenIterator | undefined;
    let currentBias: AnyBias = this.emptyBias;
    let grammarStep: LlamaGrammarEvaluationState | undefined;
    const tracking = mode === "gbnf" ? new LlamaGrammarEvaluationState({ model: backend.model, grammar: this.grammar! }) : undefined;
    const rng = mulberry32(seed);
    let fallbackSeed = seed * 7919;
    const options = () => ({
      ...evaluateOptions(sampling, seed),
      // A PrebuiltBias reaches llama.cpp through the sequence patch in src/decoder/llama.ts.
      ...(mode === "none" || mode === "gbnf" ? {} : { tokenBias: () => currentBias as TokenBias }),
      ...(mode === "gbnf" ? { grammarEvaluationState: () => grammarStep! } : {}),
    });
    const next = async (input: number[]): Promise<number> => {
      let result: IteratorResult<Token, void>;
      if (iterator === undefined) {
        iterator = sequence.evaluate(input as Token[], options())[Symbol.asyncIterator]() as TokenIterator;
        result = await iterator.next();
      } else {
        result = await iterator.next(input as Token[]);
      }
      if (result.done === true) throw new Error("llama.cpp stopped generating (context full?)");
      return result.value;
    };

    const t0 = performance.now();
    for (const step of trajectory.steps) {
      if (step.kind === "environment") {
        pending.push(...step.tokens);
        if (tracking !== undefined) for (const t of step.tokens) acceptIntoGrammar(backend, tracking, t);
        continue;
      }
      const mask = index.maskFor(step.state);
      if (skipForced && mask.allowed !== undefined && mask.allowedCount === 1) {
        pending.push(step.token);
        continue;
      }
      out.samplingSteps++;
      const stepStarted = performance.now();
      let token: number;
      switch (mode) {
        case "none":
          token = await next(pending);
          break;
        case "hybrid":
          currentBias = backend.biasFor(mask);
          token = await next(pending);
          break;
        case "allow":
        case "ban":
          currentBias = this.biasFor(mode, mask);
          token = await next(pending);
          break;
        case "sample-first": {
          currentBias = this.emptyBias;
          token = await next(pending);
          if (!index.allows(step.state, token)) {
            // Re-sample at the same position under the mask: erase the last evaluated token and decode it again.
            out.fallbacks++;
            await iterator!.return?.();
            iterator = undefined;
            const end = sequence.nextTokenIndex;
            const last = sequence.contextTokens[end - 1]!;
            await sequence.eraseContextTokenRanges([{ start: end - 1, end }]);
            currentBias = backend.biasFor(mask);
            iterator = sequence.evaluate([last], { ...options(), seed: ++fallbackSeed })[Symbol.asyncIterator]() as TokenIterator;
            const result = await iterator.next();
            if (result.done === true) throw new Error("llama.cpp stopped generating");
            token = result.value;
            currentBias = this.emptyBias;
          }
          break;
        }
        case "filtered":
          token = await this.filteredSample(sequence, pending, mask, sampling, rng);
          break;
        case "gbnf": {
          const c0 = performance.now();
          grammarStep = tracking!.clone();
          out.cloneMs += performance.now() - c0;
          token = await next(pending);
          break;
        }
      }
      out.stepMs.push(performance.now() - stepStarted);
      if (!index.allows(step.state, token)) out.violations++;
      pending = [step.token];
      if (tracking !== undefined) acceptIntoGrammar(backend, tracking, step.token);
    }
    out.ms = performance.now() - t0;
    await iterator?.return?.();
    await backend.releaseSequence(sequence);
    return out;
  }

  private async filteredSample(sequence: LlamaContextSequence, input: number[], mask: TokenMask, sampling: Sampling, rng: () => number): Promise<number> {
    const small = mask.allowed !== undefined && mask.allowedCount <= FILTER_MAX_TOKENS;
    const last = input[input.length - 1]! as Token;
    const items = [
      ...(input.slice(0, -1) as Token[]),
      [last, { generateNext: { logits: small ? { filter: { tokens: this.allowedArray(mask) } } : (true as const) } }] as const,
    ];
    const results = await sequence.controlledEvaluate(items as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]);
    const logits = results[items.length - 1]?.next?.logits;
    if (logits === undefined) throw new Error("controlledEvaluate returned no logits");
    const ids: number[] = [];
    const values: number[] = [];
    if (small) {
      for (const [t, v] of logits) {
        ids.push(t);
        values.push(v);
      }
    } else {
      const flags = this.flags(mask);
      for (const [t, v] of logits) {
        if (flags[t] === 1) {
          ids.push(t);
          values.push(v);
        }
      }
    }
    return sampleInJs(ids, values, sampling, rng);
  }
}

/** Greedy, or temperature with optional top-k / top-p, over the given candidates (the masked distribution). */
function sampleInJs(ids: readonly number[], logits: readonly number[], sampling: Sampling, rng: () => number): number {
  if (ids.length === 0) throw new Error("no allowed token");
  if (sampling.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < ids.length; i++) if (logits[i]! > logits[best]!) best = i;
    return ids[best]!;
  }
  let order = ids.map((_, i) => i);
  if (sampling.topK > 0 || sampling.topP < 1) {
    order.sort((x, y) => logits[y]! - logits[x]!);
    if (sampling.topK > 0) order = order.slice(0, sampling.topK);
  }
  let max = Number.NEGATIVE_INFINITY;
  for (const i of order) max = Math.max(max, logits[i]!);
  const weights = order.map((i) => Math.exp((logits[i]! - max) / sampling.temperature));
  let total = sum(weights);
  if (sampling.topP < 1) {
    let cumulative = 0;
    let keep = 0;
    while (keep < weights.length && cumulative < sampling.topP * total) cumulative += weights[keep++]!;
    order = order.slice(0, keep);
    weights.length = keep;
    total = cumulative;
  }
  let x = rng() * total;
  for (let i = 0; i < order.length; i++) {
    x -= weights[i]!;
    if (x <= 0) return ids[order[i]!]!;
  }
  return ids[order[order.length - 1]!]!;
}

interface ReplaySample {
  ms: number;
  /** Wall ms of each sampling step (decode of the pending tokens, mask, sampling). */
  stepMs: number[];
  outputTokens: number;
  samplingSteps: number;
  fallbacks: number;
  violations: number;
  cloneMs: number;
}

interface FeedRow {
  mode: FeedMode;
  label: string;
  exact: string;
  rounds: number;
  trajectories: number;
  ms_per_token: number;
  /** ms/token of each round (alternating with the other options). */
  ms_per_token_rounds: number[];
  vs_floor: number;
  /** For GBNF: without the per-step grammar clone the replay needs (a free-running GBNF generation has none). */
  ms_per_token_without_clone: number | null;
  output_tokens: number;
  sampling_steps: number;
  fallbacks: number;
  /** Sample-first: (its total time − the floor's) / fallbacks. */
  ms_per_fallback: number | null;
  violations: number;
}

interface StepBucket {
  bucket: string;
  steps: number;
  floor_ms_median: number;
  decoder_ms_median: number;
  /** Median over the bucket's steps of (decoder − floor), each step's times being medians over rounds. */
  extra_ms_median: number;
  /** The bucket's extra time summed over its steps: ms per replay of all trajectories. */
  extra_ms_sum: number;
}

interface FeedingResult {
  sampling: string;
  rows: FeedRow[];
  /** The decoder's extra time per sampling step, by the size of the list it passes to llama.cpp. */
  steps_by_mask: StepBucket[];
}

function bucketOf(mask: TokenMask): string {
  if (mask.allowed !== undefined) {
    const n = mask.allowed.length;
    return n <= 100 ? "allow-list of 2–100 tokens" : n <= 10_000 ? "allow-list of 101–10,000 tokens" : "allow-list of > 10,000 tokens";
  }
  return mask.banned!.length <= 2000 ? "ban-list of ≤ 2,000 tokens" : "ban-list of > 2,000 tokens";
}

function stepBreakdown(decoder: ConstrainedDecoder, trajectories: readonly Trajectory[], floor: number[][][], hybrid: number[][][]): StepBucket[] {
  const byBucket = new Map<string, { floor: number[]; decoder: number[]; extra: number[] }>();
  trajectories.forEach((trajectory, t) => {
    const masks = trajectory.steps
      .filter((step): step is Extract<Step, { kind: "model" }> => step.kind === "model")
      .map((step) => decoder.index.maskFor(step.state))
      .filter((mask) => !(mask.allowed !== undefined && mask.allowedCount === 1));
    masks.forEach((mask, j) => {
      const f = median(floor[t]!.map((round) => round[j]!));
      const h = median(hybrid[t]!.map((round) => round[j]!));
      const key = bucketOf(mask);
      const entry = byBucket.get(key) ?? { floor: [], decoder: [], extra: [] };
      entry.floor.push(f);
      entry.decoder.push(h);
      entry.extra.push(h - f);
      byBucket.set(key, entry);
    });
  });
  const order = ["allow-list of 2–100 tokens", "allow-list of 101–10,000 tokens", "allow-list of > 10,000 tokens", "ban-list of ≤ 2,000 tokens", "ban-list of > 2,000 tokens"];
  return order
    .filter((key) => byBucket.has(key))
    .map((key) => {
      const e = byBucket.get(key)!;
      return {
        bucket: key,
        steps: e.extra.length,
        floor_ms_median: r3(median(e.floor)),
        decoder_ms_median: r3(median(e.decoder)),
        extra_ms_median: r3(median(e.extra)),
        extra_ms_sum: r3(sum(e.extra)),
      };
    });
}

async function measureFeeding(replayer: Replayer, trajectories: readonly Trajectory[], samplings: readonly Sampling[], settings: Settings): Promise<FeedingResult[]> {
  const results: FeedingResult[] = [];
  const modes = FEED_MODES.filter((m) => m !== "gbnf" || replayer.grammar !== undefined);
  for (const sampling of samplings) {
    // Warm-up: one replay per mode on the first trajectory (bias objects, JIT).
    for (const mode of modes) if (mode !== "filtered") await replayer.replay(mode, trajectories[0]!, sampling, 1);
    const perRound = new Map<FeedMode, { msPerToken: number[]; msPerTokenNoClone: number[]; totals: ReplaySample; trajectories: number; rounds: number }>();
    /** [trajectory][round][sampling step] wall ms, for the floor and the decoder's option. */
    const stepTimes = new Map<FeedMode, number[][][]>([
      ["none", trajectories.map(() => [])],
      ["hybrid", trajectories.map(() => [])],
    ]);
    for (const mode of modes) {
      perRound.set(mode, { msPerToken: [], msPerTokenNoClone: [], totals: { ms: 0, stepMs: [], outputTokens: 0, samplingSteps: 0, fallbacks: 0, violations: 0, cloneMs: 0 }, trajectories: 0, rounds: 0 });
    }
    for (let round = 0; round < settings.replayRounds; round++) {
      const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
      for (const mode of order) {
        if (mode === "filtered" && round >= settings.filteredRounds) continue;
        const list = mode === "filtered" ? trajectories.slice(0, settings.filteredTrajectories) : trajectories;
        const entry = perRound.get(mode)!;
        let ms = 0;
        let cloneMs = 0;
        let tokens = 0;
        for (const [i, trajectory] of list.entries()) {
          const sample = await replayer.replay(mode, trajectory, sampling, 1 + round * 31 + i);
          stepTimes.get(mode)?.[i]!.push(sample.stepMs);
          ms += sample.ms;
          cloneMs += sample.cloneMs;
          tokens += sample.outputTokens;
          const t = entry.totals;
          t.ms += sample.ms;
          t.outputTokens += sample.outputTokens;
          t.samplingSteps += sample.samplingSteps;
          t.fallbacks += sample.fallbacks;
          t.violations += sample.violations;
          t.cloneMs += sample.cloneMs;
        }
        entry.msPerToken.push(ms / tokens);
        entry.msPerTokenNoClone.push((ms - cloneMs) / tokens);
        entry.trajectories = list.length;
        entry.rounds++;
      }
    }
    const floor = median(perRound.get("none")!.msPerToken);
    const floorTotals = perRound.get("none")!.totals;
    const rows: FeedRow[] = modes.map((mode) => {
      const e = perRound.get(mode)!;
      const ms = median(e.msPerToken);
      return {
        ms_per_fallback: mode === "sample-first" && e.totals.fallbacks > 0 ? r3((e.totals.ms - floorTotals.ms) / e.totals.fallbacks) : null,
        mode,
        label: FEED_LABEL[mode],
        exact: exactness(mode, sampling),
        rounds: e.rounds,
        trajectories: e.trajectories,
        ms_per_token: r3(ms),
        ms_per_token_rounds: e.msPerToken.map(r3),
        vs_floor: r3(ms / floor),
        ms_per_token_without_clone: mode === "gbnf" ? r3(median(e.msPerTokenNoClone)) : null,
        output_tokens: e.totals.outputTokens,
        sampling_steps: e.totals.samplingSteps,
        fallbacks: e.totals.fallbacks,
        violations: e.totals.violations,
      };
    });
    results.push({ sampling: sampling.name, rows, steps_by_mask: stepBreakdown(replayer.decoder, trajectories, stepTimes.get("none")!, stepTimes.get("hybrid")!) });
    log(`feeding ${sampling.name}: ${rows.map((r) => `${r.mode} ${fmt(r.ms_per_token)}`).join(", ")} ms/token`);
  }
  return results;
}

/**
 * Whether llama.cpp's sampler itself runs at a different speed depending on the bias values,
 * unconstrained (no mask enforced on the sequence of tokens fed): no bias; +1000 on every token
 * (the same distribution up to float32 rounding); +1000 on exactly the tokens a free-text mask of
 * the spec allows (the value pattern an allow-list produces in free text). Alternating rounds.
 */
interface ShiftCheck {
  sampling: string;
  tokens: number;
  rounds: number;
  no_bias_ms_per_token: number;
  uniform_shift_ms_per_token: number;
  free_text_allow_list_ms_per_token: number;
  free_text_allowed_tokens: number;
}

async function samplerShiftCheck(decoder: ConstrainedDecoder, promptTokens: readonly number[], sampling: Sampling, tokens: number, rounds: number): Promise<ShiftCheck | null> {
  const { backend, automaton } = decoder;
  const size = backend.vocabulary.size;
  let freeText: TokenMask | undefined;
  for (let state = 0; state < automaton.stateCount && freeText === undefined; state++) {
    if (automaton.kind[state] !== STATE_CONTENT) continue;
    const mask = decoder.index.maskFor(state);
    if (mask.banned !== undefined) freeText = mask;
  }
  if (freeText === undefined) return null;
  const banned = new Uint8Array(size);
  for (const t of freeText.banned!) banned[t] = 1;
  const allowedIds = Uint32Array.from({ length: size }, (_, i) => i).filter((t) => banned[t] === 0);
  const variants = {
    none: undefined,
    uniform: new PrebuiltBias(Uint32Array.from({ length: size }, (_, i) => i), new Float32Array(size).fill(ALLOW_LIST_LOGIT)),
    pattern: new PrebuiltBias(allowedIds, new Float32Array(allowedIds.length).fill(ALLOW_LIST_LOGIT)),
  } as const;
  const names = Object.keys(variants) as (keyof typeof variants)[];
  const times: Record<keyof typeof variants, number[]> = { none: [], uniform: [], pattern: [] };
  const sequence = backend.acquireSequence();
  for (let round = 0; round < rounds + 1; round++) {
    for (const which of names.map((_, i) => names[(i + round) % names.length]!)) {
      await sequence.clearHistory();
      const bias = variants[which];
      const input = [backend.documentStartToken(), ...promptTokens] as Token[];
      const options = { ...evaluateOptions(sampling, 7), yieldEogToken: false, ...(bias === undefined ? {} : { tokenBias: () => bias as unknown as TokenBias }) };
      let count = 0;
      const t0 = performance.now();
      for await (const token of sequence.evaluate(input, options)) {
        void token;
        if (++count >= tokens) break;
      }
      if (round > 0) times[which].push((performance.now() - t0) / Math.max(1, count));
    }
  }
  await backend.releaseSequence(sequence);
  return {
    sampling: sampling.name,
    tokens,
    rounds,
    no_bias_ms_per_token: r3(median(times.none)),
    uniform_shift_ms_per_token: r3(median(times.uniform)),
    free_text_allow_list_ms_per_token: r3(median(times.pattern)),
    free_text_allowed_tokens: allowedIds.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Main

interface GrammarInfo {
  chars: number;
  rules: number;
  build_ms: number;
  create_ms: number;
  /** The first LlamaGrammarEvaluationState (llama.cpp parses the grammar here). */
  first_state_ms: number;
}

async function grammarFor(backend: LlamaBackend, decoder: ConstrainedDecoder): Promise<{ grammar: LlamaGrammar; info: GrammarInfo }> {
  const t0 = performance.now();
  const text = outputToGbnf(decoder.automaton);
  const t1 = performance.now();
  const grammar = await backend.llama.createGrammar({ grammar: text });
  const t2 = performance.now();
  new LlamaGrammarEvaluationState({ model: backend.model, grammar });
  const t3 = performance.now();
  const rules = text.split("\n").filter((line) => /^[A-Za-z0-9-]+\s*::=/.test(line)).length;
  return { grammar, info: { chars: text.length, rules, build_ms: r3(t1 - t0), create_ms: r3(t2 - t1), first_state_ms: r3(t3 - t2) } };
}

function machine(): Record<string, string | number> {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line !== undefined) cpu = line.split(":")[1]!.trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  const version = (file: string): string => {
    try {
      return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
      return "unknown";
    }
  };
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    if (dirty) commit += " (src/ with uncommitted changes)";
  } catch {
    // not a git checkout
  }
  return {
    cpu,
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    node_llama_cpp: version(join(ROOT, "node_modules", "node-llama-cpp", "package.json")),
    platform: `${process.platform} ${process.arch}`,
    commit,
    llama_threads: 1,
    load_average_at_start: loadavg().map((x) => x.toFixed(2)).join(" "),
    date: new Date().toISOString().slice(0, 10),
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const settings = options.quick ? QUICK : FULL;
  const info = machine();
  log(`${options.quick ? "quick" : "full"} run on ${info.cpu} (${info.cores} cores), node ${info.node}, node-llama-cpp ${info.node_llama_cpp}`);

  const modelPaths: Partial<Record<ModelName, string>> = {};
  for (const name of ["qwen3-fitted", "qwen3-random"] as const) {
    modelPaths[name] = await ensureModel(name, { onProgress: (m) => log(`models: ${m}`) });
  }
  const t0 = performance.now();
  const fitted = await LlamaBackend.load({ modelPath: modelPaths["qwen3-fitted"]!, threads: 1, sequences: 2 });
  const loadMs = performance.now() - t0;
  log(`qwen3-fitted loaded in ${loadMs.toFixed(0)} ms (vocabulary ${fitted.vocabulary.size})`);
  const biasLog = new BiasLog(fitted);
  // The token tries depend only on the vocabulary and are cached across specs: build them once up front.
  const trieStarted = performance.now();
  new MaskIndex(composeOutput(loadCompiled(join(ROOT, "specs", "direct.ltl"))), fitted.vocabulary);
  const trieMs = performance.now() - trieStarted;
  log(`token tries for the vocabulary built in ${trieMs.toFixed(0)} ms`);

  // Part 1.
  const specs: SpecResult[] = [];
  const pooledWarm: MaskSeries = { runs: [], micros: [], firstUse: [], biasMicros: [], listed: [] };
  const pooledCold: MaskSeries = { runs: [], micros: [], firstUse: [], biasMicros: [], listed: [] };
  let react: ConstrainedDecoder | undefined;
  for (const file of specFiles(settings)) {
    const measured = await measureSpec(file, fitted, biasLog, settings);
    specs.push(measured.result);
    for (const [pool, series] of [[pooledWarm, measured.warm], [pooledCold, measured.cold]] as const) {
      pool.micros.push(...series.micros);
      pool.firstUse.push(...series.firstUse);
      pool.biasMicros.push(...series.biasMicros);
      pool.listed.push(...series.listed);
    }
    if (measured.result.spec === "react") react = measured.decoder;
  }
  // JSON-Schema arguments at function-calling size: ReAct with six richer tools.
  if (!options.quick) {
    const measured = await measureSpec(join(ROOT, "specs", "react.ltl"), fitted, biasLog, settings, { label: "function-calling tools", signatures: FUNCTION_CALLING_TOOLS });
    specs.push(measured.result);
  }
  if (react === undefined) react = ConstrainedDecoder.create(loadCompiled(join(ROOT, "specs", "react.ltl")), fitted);
  const overallWarm = maskStats(pooledWarm);
  const overallCold = maskStats(pooledCold);
  log(`all specs: mask µs median ${fmt(overallWarm.median_us)} p99 ${fmt(overallWarm.p99_us)}; cold median ${fmt(overallCold.median_us)} p99 ${fmt(overallCold.p99_us)}`);

  const transport: BiasTransport = fitted.biasFor(react.index.maskFor(react.automaton.initial)) instanceof PrebuiltBias ? "prebuilt" : "map";
  log(`the decoder hands masks to llama.cpp as ${transport === "prebuilt" ? "prebuilt typed arrays" : "TokenBias maps"}`);

  // GBNF grammar of react.
  let grammar: LlamaGrammar | undefined;
  let grammarInfo: GrammarInfo | null = null;
  let grammarError: string | null = null;
  try {
    const g = await grammarFor(fitted, react);
    grammar = g.grammar;
    grammarInfo = g.info;
    log(`react GBNF: ${g.info.chars} chars, ${g.info.rules} rules; outputToGbnf ${g.info.build_ms} ms, llama.createGrammar ${g.info.create_ms} ms, first state ${g.info.first_state_ms} ms`);
  } catch (error) {
    grammarError = error instanceof Error ? error.message : String(error);
    log(`GBNF unavailable: ${grammarError}`);
  }

  // Part 3 (before part 2 so that the fitted model is loaded once).
  log("recording react trajectories for the replay…");
  const trajectories: Trajectory[] = [];
  for (const seed of settings.replaySeeds) trajectories.push(await recordTrajectory(react, seed, settings.replayMaxTokens));
  log(`trajectories: ${trajectories.map((t) => `${t.modelTokens}+${t.environmentTokens} tokens`).join(", ")}`);
  const replayer = new Replayer(react, grammar, transport);
  const feeding = await measureFeeding(replayer, trajectories, settings.replaySamplings, settings);
  let shiftCheck: ShiftCheck | null = null;
  if (transport === "prebuilt" && settings.replaySamplings.includes(PLAIN)) {
    shiftCheck = await samplerShiftCheck(react, fitted.tokenize(firstEnvironmentSegment(react.automaton)), PLAIN, 120, options.quick ? 1 : 5);
    log(
      `sampler check at ${PLAIN.name}: no bias ${fmt(shiftCheck?.no_bias_ms_per_token)} ms/token, +${ALLOW_LIST_LOGIT} on every token ${fmt(shiftCheck?.uniform_shift_ms_per_token)}, ` +
        `+${ALLOW_LIST_LOGIT} on a free-text mask's allowed tokens ${fmt(shiftCheck?.free_text_allow_list_ms_per_token)}`,
    );
  }

  // Part 2 on the fitted model.
  const promptText = firstEnvironmentSegment(react.automaton);
  const fittedSpeed = await measureSpeed(
    { backend: fitted, decoder: react, grammar, promptTokens: fitted.tokenize(promptText) },
    "qwen3-fitted",
    settings.speedSamplings,
    settings.speedTokens,
    settings.speedRounds,
  );
  await fitted.dispose();

  // Part 2 on the random model.
  log("loading qwen3-random…");
  const random = await LlamaBackend.load({ modelPath: modelPaths["qwen3-random"]!, threads: 1, sequences: 2 });
  const randomDecoder = ConstrainedDecoder.create(loadCompiled(join(ROOT, "specs", "react.ltl")), random);
  let randomGrammar: LlamaGrammar | undefined;
  if (grammar !== undefined) randomGrammar = (await grammarFor(random, randomDecoder)).grammar;
  const randomSpeed = await measureSpeed(
    { backend: random, decoder: randomDecoder, grammar: randomGrammar, promptTokens: random.tokenize(promptText) },
    "qwen3-random",
    settings.randomSamplings,
    settings.randomTokens,
    settings.randomRounds,
  );
  await random.dispose();

  const totalS = (performance.now() - STARTED) / 1000;
  info["load_average_at_end"] = loadavg().map((x) => x.toFixed(2)).join(" ");
  const report = buildReport({ options, settings, info, trieMs, transport, shiftCheck, specs, overallWarm, overallCold, fittedSpeed, randomSpeed, feeding, trajectories, grammarInfo, grammarError, totalS, loadMs });
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, "decoder.json"), JSON.stringify(report.json, null, 2) + "\n");
  writeFileSync(join(options.out, "decoder.md"), report.markdown);
  log(`wrote ${relative(process.cwd(), join(options.out, "decoder.json"))} and decoder.md (${totalS.toFixed(0)} s)`);
}

// ---------------------------------------------------------------------------------------------
// Report

interface ReportInput {
  options: Options;
  settings: Settings;
  info: Record<string, string | number>;
  trieMs: number;
  transport: BiasTransport;
  shiftCheck: ShiftCheck | null;
  specs: SpecResult[];
  overallWarm: MaskStats;
  overallCold: MaskStats;
  fittedSpeed: SpeedRow[];
  randomSpeed: SpeedRow[];
  feeding: FeedingResult[];
  trajectories: Trajectory[];
  grammarInfo: GrammarInfo | null;
  grammarError: string | null;
  totalS: number;
  loadMs: number;
}

function buildReport(input: ReportInput): { json: unknown; markdown: string } {
  const { settings, info, specs, overallWarm, overallCold, fittedSpeed, randomSpeed, feeding, trajectories, grammarInfo, grammarError } = input;
  void info;
  const headline = fittedSpeed.find((r) => r.sampling === HEADLINE.name) ?? fittedSpeed[0]!;
  const goals = {
    mask_us_median_le_20: overallWarm.median_us <= 20,
    mask_us_p99_le_200: overallWarm.p99_us <= 200,
    ltlguard_ge_0_9x_unconstrained: headline.ltlguard_vs_unconstrained >= 0.9,
    ltlguard_ge_3x_gbnf: headline.ltlguard_vs_gbnf === null ? null : headline.ltlguard_vs_gbnf >= 3,
  };
  const json = {
    benchmark: "decoder",
    quick: input.options.quick,
    machine: info,
    total_s: r3(input.totalS),
    model_load_ms: r3(input.loadMs),
    token_tries_ms: r3(input.trieMs),
    bias_transport: input.transport === "prebuilt" ? "PrebuiltBias: typed arrays built once per mask, handed to the sampler" : "TokenBias map, copied by node-llama-cpp at every sampling step",
    mask_us_median: overallWarm.median_us,
    mask_us_p99: overallWarm.p99_us,
    mask_us_max: overallWarm.max_us,
    mask_steps: overallWarm.steps,
    mask_cold: overallCold,
    mask_warm: overallWarm,
    tokens_per_s: headline.tokens_per_s,
    tokens_per_s_sampling: headline.sampling,
    goals,
    specs,
    throughput: { "qwen3-fitted": fittedSpeed, "qwen3-random": randomSpeed },
    gbnf: grammarInfo === null ? { available: false, error: grammarError } : { available: true, spec: "react", ...grammarInfo },
    feeding: {
      spec: "react",
      model: "qwen3-fitted",
      trajectories: trajectories.map((t) => ({ seed: t.seed, model_tokens: t.modelTokens, environment_tokens: t.environmentTokens })),
      by_sampling: feeding,
      sampler_shift_check: input.shiftCheck,
    },
    settings,
  };
  return { json, markdown: markdown(input, headline, goals) };
}

function table(header: readonly string[], align: readonly ("l" | "r")[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.join(" | ")} |`, `| ${align.map((a) => (a === "r" ? "---:" : "---")).join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

const yes = (b: boolean | null): string => (b === null ? "n/a" : b ? "**met**" : "**not met**");

function markdown(input: ReportInput, headline: SpeedRow, goals: Record<string, boolean | null>): string {
  const { settings, info, specs, overallWarm, overallCold, fittedSpeed, randomSpeed, feeding, trajectories, grammarInfo, grammarError } = input;
  void overallCold;
  const out: string[] = [];
  const runs = settings.maskRuns.map((r) => `seed ${r.seed} at temperature ${r.temperature}`).join(", ");
  out.push("# Decoder: mask time, tokens per second, and how the mask reaches llama.cpp");
  out.push("");
  out.push(
    `Reproduce with \`npm run bench:decoder\`${input.options.quick ? " (this was a \`--quick\` smoke run: fewer specs, runs and tokens)" : ""} (${input.totalS.toFixed(0)} s for this run). ` +
      `${info.cpu} (${info.cores} cores), ${info.memory_gib} GiB, ${info.platform}; Node ${info.node}, node-llama-cpp ${info.node_llama_cpp} (llama.cpp on 1 CPU thread); ltlguard at ${info.commit}; ${info.date}.`,
  );
  out.push("");
  out.push(
    "Models: the project's tiny llama-architecture GGUFs with the real Qwen3 vocabulary (151,936 token ids): `qwen3-fitted` (weights fitted to agent traces, so samples look like traces) and `qwen3-random` (random weights: samples spread over the whole vocabulary). " +
      "The network is tiny (2 layers, 64 dimensions), so a forward pass costs little and fixed per-token costs (sampling over 152k candidates, passing the mask) weigh far more than they would on a real model.",
  );
  out.push("");
  out.push("## 1. One-time compile cost and mask time per spec");
  out.push("");
  out.push(
    `For each spec: the LTL compile (\`compileSpec\`, measured once), then \`ConstrainedDecoder.create\` (compose the byte-level output automaton; build the mask index and precompute its masks). ` +
      `Then generations on \`qwen3-fitted\` (${runs}; at most ${settings.maskMaxTokens} model tokens each; the environment writes fixed text: question "${ENVIRONMENT_TEXT["question"]}", observation "${ENVIRONMENT_TEXT["observation"]}", evaluator "${ENVIRONMENT_TEXT["evaluator"]}", solver "${ENVIRONMENT_TEXT["solver"]}"). ` +
      "*Mask time* is `Generation.maskMicros`: per decoding step, the time to get the step's mask ready for llama.cpp (mask lookup, plus the bias object the first time a mask is used). " +
      `Masks reach llama.cpp as ${input.transport === "prebuilt" ? "`PrebuiltBias` typed arrays (built once per mask)" : "`TokenBias` maps"}. ` +
      "The *cold* columns repeat the same generations on a decoder created with `precompute: false`, so masks are computed by walking the token trie when first met.",
  );
  out.push("");
  out.push(
    table(
      ["spec", "LTL compile ms", "event DFA states", "compose ms", "index + precompute ms", "automaton states", "mask keys", "distinct masks", "steps", "masks first used", "mask µs median", "p99", "max", "reused: median / p99", "cold index ms", "cold µs median", "cold p99", "cold max"],
      ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
      [
        ...specs.map((s) => [
          s.spec,
          fmt(s.ltl_compile_ms),
          String(s.event_dfa_states),
          fmt(s.compose_ms),
          fmt(s.index_ms),
          s.automaton_states.toLocaleString("en-US"),
          s.mask_keys.toLocaleString("en-US"),
          s.distinct_masks === null ? "—" : s.distinct_masks.toLocaleString("en-US"),
          String(s.warm.steps),
          String(s.warm.first_use_steps),
          fmt(s.warm.median_us),
          fmt(s.warm.p99_us),
          fmt(s.warm.max_us),
          `${fmt(s.warm.reused_median_us)} / ${fmt(s.warm.reused_p99_us)}`,
          fmt(s.cold.index_ms),
          fmt(s.cold.median_us),
          fmt(s.cold.p99_us),
          fmt(s.cold.max_us),
        ]),
        [
          "**all**",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          String(overallWarm.steps),
          String(overallWarm.first_use_steps),
          `**${fmt(overallWarm.median_us)}**`,
          `**${fmt(overallWarm.p99_us)}**`,
          fmt(overallWarm.max_us),
          `${fmt(overallWarm.reused_median_us)} / ${fmt(overallWarm.reused_p99_us)}`,
          "",
          fmt(overallCold.median_us),
          fmt(overallCold.p99_us),
          fmt(overallCold.max_us),
        ],
      ],
    ),
  );
  out.push("");
  out.push(
    `Goals, over all steps: median ≤ 20 µs: ${yes(goals["mask_us_median_le_20"]!)} (${fmt(overallWarm.median_us)} µs); p99 ≤ 200 µs: ${yes(goals["mask_us_p99_le_200"]!)} (${fmt(overallWarm.p99_us)} µs). ` +
      `Over the steps whose mask had been used before (steady state, ${overallWarm.steps - overallWarm.first_use_steps} of ${overallWarm.steps} steps): median ${fmt(overallWarm.reused_median_us)} µs, p99 ${fmt(overallWarm.reused_p99_us)} µs. ` +
      `A first use costs ${fmt(overallWarm.first_use_median_us)} µs (median): ${fmt(overallWarm.first_use_mask_median_us)} µs in \`maskFor\` and ${fmt(overallWarm.first_use_bias_median_us)} µs building the mask's bias object; the ${overallWarm.big_first_use_steps} first uses of masks listing more than 10,000 tokens (the ≈53k-token allow-lists right after a tag's colon, and lists near a text segment's byte limit; see the notes) took ${fmt(overallWarm.big_first_use_median_us)} µs each (median).`,
  );
  out.push("");
  out.push(
    `The token tries over the vocabulary (shared by every spec, cached per vocabulary) were built once before this table, in ${fmt(input.trieMs)} ms; the first spec's LTL compile includes warming up the JIT.`,
  );
  out.push("");
  out.push(
    "*mask keys*: distinct keys over the automaton's tag and content states (two states with one key allow exactly the same tokens: an upper bound on the distinct masks); " +
      "*distinct masks*: the masks the index holds right after precompute (equal parts shared), as its `stats()` reports; " +
      "*masks first used*: steps whose mask had not been used before on this decoder (its bias object is built then); *reused*: all other steps.",
  );
  out.push("");
  const withArguments = specs.filter((s) => s.arguments !== null);
  if (withArguments.length > 0) {
    out.push("### JSON-Schema arguments");
    out.push("");
    out.push(
      "The states inside `json args(action)` segments, evenly sampled: *computed* is `maskFor` + `biasFor` on a fresh index (`precompute: false`), so the mask is computed on demand by the token-trie walk, as MaskBench measures engines (states visited in the sampled order; a state whose mask key an earlier state already computed reuses that mask, which is what the keys are for, so the median mostly reflects that sharing and the p99 a full walk of the 151,936-token trie) (llguidance 36 µs median, XGrammar 8 µs, on a 128k vocabulary; see the notes); *cached* is the same lookup once the mask exists, what a generation pays in steady state. " +
        "The specs bind the example tools (calculator, search, clock), or six function-calling tools with nested objects, enums, patterns, bounded arrays and integer ranges (`benchmarks/function-tools.ts`). Goal: median ≤ 50 µs.",
    );
    out.push("");
    out.push(
      table(
        ["spec", "argument states", "sampled", "computed µs median", "computed p99", "cached µs median", "cached p99"],
        ["l", "r", "r", "r", "r", "r", "r"],
        withArguments.map((s) => [
          s.spec,
          s.arguments!.states.toLocaleString("en-US"),
          String(s.arguments!.sampled),
          fmt(s.arguments!.computed_median_us),
          fmt(s.arguments!.computed_p99_us),
          fmt(s.arguments!.cached_median_us),
          fmt(s.arguments!.cached_p99_us),
        ]),
      ),
    );
    out.push("");
  }

  out.push("## 2. Tokens per second");
  out.push("");
  out.push(
    `Same model, same prompt, same number of sampled tokens (${settings.speedTokens} per mode per round on \`qwen3-fitted\`, ${settings.randomTokens} on \`qwen3-random\`), the modes alternating within each round (the order rotates each round); median over ${settings.speedRounds} rounds (${settings.randomRounds} on the random model), after a warm-up run of each mode; the ratios are medians of the same round's ratios, with the smallest and largest round in parentheses:`,
  );
  out.push("");
  out.push(
    `- **unconstrained**: \`sequence.evaluate\` after the prompt \`<|endoftext|>Question: ${ENVIRONMENT_TEXT["question"]}\\n\` (the question segment), no bias; a generation that ends starts over (new seed) until the token count is reached.`,
  );
  out.push(
    "- **ltlguard**: a `Generation` on specs/react.ltl, the environment writing the question and the observations; only tokens sampled by llama.cpp are counted (not the environment's, not the tokens the spec forces, which are appended without a sampling step); time is the time spent in `Generation.run`. " +
      "*ltlguard output tok/s* counts the forced tokens too.",
  );
  out.push(
    "- **GBNF**: `llama.createGrammar({grammar: outputToGbnf(automaton)})` for the same react automaton, `LlamaGrammarEvaluationState` passed to `sequence.evaluate`, same prompt (its tokens accepted into the grammar state first). " +
      "A grammar cannot pause for the environment, so here the model also writes the observation segments (the grammar's default `environment: \"include\"`).",
  );
  out.push("");
  const speedTable = (rows: readonly SpeedRow[]): string =>
    table(
      ["sampling", "unconstrained tok/s", "ltlguard tok/s", "GBNF tok/s", "ltlguard / unconstrained", "ltlguard / GBNF", "ltlguard output tok/s", "ms/token: unconstrained / ltlguard / GBNF"],
      ["l", "r", "r", "r", "r", "r", "r", "r"],
      rows.map((r) => [
        r.sampling,
        fmt(r.tokens_per_s.unconstrained),
        fmt(r.tokens_per_s.ltlguard),
        fmt(r.tokens_per_s.gbnf),
        `**${fmt(r.ltlguard_vs_unconstrained)}×** (${fmt(r.ltlguard_vs_unconstrained_range[0])}–${fmt(r.ltlguard_vs_unconstrained_range[1])})`,
        r.ltlguard_vs_gbnf === null || r.ltlguard_vs_gbnf_range === null ? "—" : `**${fmt(r.ltlguard_vs_gbnf)}×** (${fmt(r.ltlguard_vs_gbnf_range[0])}–${fmt(r.ltlguard_vs_gbnf_range[1])})`,
        fmt(r.ltlguard_output_tokens_per_s),
        `${fmt(r.ms_per_token.unconstrained)} / ${fmt(r.ms_per_token.ltlguard)} / ${fmt(r.ms_per_token.gbnf)}`,
      ]),
    );
  out.push("### qwen3-fitted");
  out.push("");
  out.push(speedTable(fittedSpeed));
  out.push("");
  out.push(
    `Headline (${headline.sampling}): ltlguard ≥ 0.9× unconstrained: ${yes(goals["ltlguard_ge_0_9x_unconstrained"]!)} (${fmt(headline.ltlguard_vs_unconstrained)}×, rounds ${fmt(headline.ltlguard_vs_unconstrained_range[0])}–${fmt(headline.ltlguard_vs_unconstrained_range[1])}; counting the forced tokens too, ${fmt(headline.ltlguard_output_tokens_per_s / headline.tokens_per_s.unconstrained)}×); ≥ 3× GBNF: ${yes(goals["ltlguard_ge_3x_gbnf"]!)}${headline.ltlguard_vs_gbnf === null ? "" : ` (${fmt(headline.ltlguard_vs_gbnf)}× on this model, whose samples are mostly valid; see the random model below)`}.`,
  );
  out.push("");
  const sameStates = feeding.find((g) => g.sampling === headline.sampling)?.rows.find((r) => r.mode === "hybrid");
  if (sameStates !== undefined) {
    out.push(
      `On identical states (section 3, ${headline.sampling}), the decoder's cost over sampling with no mask at all is ${fmt(sameStates.vs_floor)}× per token, i.e. ${fmt(1 / sameStates.vs_floor)}× the unconstrained speed; the free-running ratio above also differs because the texts differ (unconstrained, the model writes whatever it likes, including observations) and ltlguard's time includes evaluating the environment's and the forced tokens, which are not counted.`,
    );
    out.push("");
  }
  out.push("### qwen3-random (samples almost never valid: the grammar engine's worst case)");
  out.push("");
  out.push(speedTable(randomSpeed));
  out.push("");
  if (grammarInfo !== null) {
    out.push(
      `The react grammar: ${grammarInfo.chars.toLocaleString("en-US")} characters, ${grammarInfo.rules} rules; \`outputToGbnf\` took ${fmt(grammarInfo.build_ms)} ms, \`llama.createGrammar\` ${fmt(grammarInfo.create_ms)} ms and the first \`LlamaGrammarEvaluationState\` ${fmt(grammarInfo.first_state_ms)} ms (compare ltlguard's compose + index + precompute for react in section 1).`,
    );
  } else {
    out.push(`GBNF was not measured: ${grammarError ?? "outputToGbnf is not available"}.`);
  }
  out.push("");

  out.push("## 3. How the mask reaches llama.cpp");
  out.push("");
  out.push(
    `The same states for every option: ${trajectories.length} react trajectories recorded on \`qwen3-fitted\` (temperature 0.7; ${trajectories.map((t) => `${t.modelTokens} model + ${t.environmentTokens} environment tokens`).join(", ")}) are replayed token by token: ` +
      "at each model step the option feeds the step's mask and llama.cpp samples, then the recorded token is fed instead of the sample, so every option sees the same contexts and masks. " +
      "Steps the spec forces (one allowed token) are appended without sampling, as the decoder does, except under GBNF, which has no such shortcut and samples every token. " +
      `ms/token = wall time / model-written tokens; median over ${settings.replayRounds} rounds, options alternating (filtered logits: ${settings.filteredRounds} round on ${settings.filteredTrajectories} trajectory, it is far slower). ` +
      "*violations*: sampled tokens the mask forbids (for the floor: how often an unconstrained sample would be invalid); *fallbacks*: re-samples after a rejected first sample.",
  );
  out.push("");
  for (const group of feeding) {
    out.push(`### ${group.sampling}`);
    out.push("");
    out.push(
      table(
        ["option", "exact?", "ms/token", "vs floor", "ms/token per round", "sampling steps (all rounds)", "fallbacks", "violations"],
        ["l", "l", "r", "r", "r", "r", "r", "r"],
        group.rows.map((r) => [
          r.label,
          r.exact,
          r.ms_per_token_without_clone === null ? fmt(r.ms_per_token) : `${fmt(r.ms_per_token)} (${fmt(r.ms_per_token_without_clone)} without the clone)`,
          `${fmt(r.vs_floor)}×`,
          r.ms_per_token_rounds.map(fmt).join(", "),
          String(r.sampling_steps),
          r.ms_per_fallback === null ? String(r.fallbacks) : `${r.fallbacks} (≈${fmt(r.ms_per_fallback)} ms each)`,
          String(r.violations),
        ]),
      ),
    );
    out.push("");
    out.push(`Where the decoder's extra time goes under ${group.sampling} (per sampling step, paired with the floor on the same step; medians over rounds):`);
    out.push("");
    out.push(
      table(
        ["list passed to llama.cpp", "sampling steps", "floor ms (median)", "decoder ms (median)", "extra ms (median of pairs)", "extra ms (sum over the steps)"],
        ["l", "r", "r", "r", "r", "r"],
        group.steps_by_mask.map((b) => [b.bucket, String(b.steps), fmt(b.floor_ms_median), fmt(b.decoder_ms_median), fmt(b.extra_ms_median), fmt(b.extra_ms_sum)]),
      ),
    );
    out.push("");
  }
  out.push(...feedingConclusion(feeding, input.shiftCheck));
  out.push("");
  out.push("## Notes");
  out.push("");
  out.push(...notes(input));
  out.push("");
  return out.join("\n");
}

const isExact = (row: FeedRow): boolean => row.exact.startsWith("exact");
/** Differences below this fraction are treated as noise in the written conclusions. */
const NOISE = 0.1;

function feedingConclusion(feeding: ReportInput["feeding"], shiftCheck: ShiftCheck | null): string[] {
  const lines: string[] = ["**Which option wins.**", ""];
  for (const group of feeding) {
    const exact = group.rows.filter(isExact).sort((a, b) => a.ms_per_token - b.ms_per_token);
    const hybrid = group.rows.find((r) => r.mode === "hybrid");
    const best = exact[0];
    if (best === undefined || hybrid === undefined) continue;
    const others = exact
      .filter((r) => r !== best)
      .map((r) => `${r.mode} ${fmt(r.ms_per_token)}`)
      .join(", ");
    const floorRow = group.rows.find((r) => r.mode === "none");
    // Paired per round: the options alternate within a round, so same-round pairs cancel slow drifts in load.
    const pair = (a: FeedRow, b: FeedRow) => {
      const n = Math.min(a.ms_per_token_rounds.length, b.ms_per_token_rounds.length);
      const ratios = Array.from({ length: n }, (_, i) => b.ms_per_token_rounds[i]! / a.ms_per_token_rounds[i]!);
      return { n, aFaster: ratios.filter((x) => x > 1).length, ratio: median(ratios) };
    };
    /** Whether `a` is faster than `b` beyond noise: in at least 80% of the paired rounds, and by more than NOISE/2 in the median ratio. */
    const clearlyFaster = (a: FeedRow, b: FeedRow): boolean => {
      const p = pair(a, b);
      return p.n >= 3 && p.aFaster >= Math.ceil(0.8 * p.n) && p.ratio > 1 + NOISE / 2;
    };
    const describe = (a: FeedRow, b: FeedRow): string => {
      const p = pair(a, b);
      return `${a.mode} faster in ${p.aFaster} of ${p.n} paired rounds, median ratio ${fmt(p.ratio)}`;
    };
    let verdict: string;
    if (best.mode === "hybrid") {
      const second = exact[1];
      verdict =
        second === undefined
          ? "the decoder's allow-or-ban list is the fastest exact option"
          : clearlyFaster(best, second)
            ? `the decoder's allow-or-ban list is the fastest exact option (vs ${second.mode}: ${describe(best, second)})`
            : `the decoder's allow-or-ban list is the fastest exact option by the medians, with ${second.mode} within noise of it (${describe(best, second)})`;
    } else {
      verdict = clearlyFaster(best, hybrid)
        ? `**${best.mode} is faster than the decoder's allow-or-ban list** (${fmt(best.ms_per_token)} vs ${fmt(hybrid.ms_per_token)} ms/token; ${describe(best, hybrid)}) and exact under this sampling`
        : `${best.mode} (${fmt(best.ms_per_token)} ms/token) and the decoder's allow-or-ban list (${fmt(hybrid.ms_per_token)}) are within noise of each other (${describe(best, hybrid)})`;
    }
    lines.push(`- ${group.sampling}: ${verdict}; exact options, ms/token: ${best.mode} ${fmt(best.ms_per_token)}${others === "" ? "" : `, ${others}`}.`);
    const belowFloor = floorRow === undefined ? [] : group.rows.filter((r) => r.mode !== "none" && pair(r, floorRow).aFaster > pair(r, floorRow).n / 2);
    if (belowFloor.length > 0 && shiftCheck !== null && shiftCheck.sampling === group.sampling) {
      lines.push(
        `  ${belowFloor.map((r) => `${r.mode} (${describe(r, floorRow!)})`).join(", ")} ran faster than the floor in most rounds: passing a list cannot save time by itself, so llama.cpp's sampler must run faster on the biased logits. ` +
          `Sampler check (unconstrained generation, ${shiftCheck.sampling}, ${shiftCheck.tokens} tokens, median of ${shiftCheck.rounds} alternating rounds): no bias ${fmt(shiftCheck.no_bias_ms_per_token)} ms/token; +${ALLOW_LIST_LOGIT} on every token ${fmt(shiftCheck.uniform_shift_ms_per_token)}; +${ALLOW_LIST_LOGIT} on the ${shiftCheck.free_text_allowed_tokens.toLocaleString("en-US")} tokens a free-text mask allows ${fmt(shiftCheck.free_text_allow_list_ms_per_token)}. ` +
          "With top-k off, node-llama-cpp gives llama.cpp a top-k stage with k = the whole vocabulary, which orders all 151,936 candidates at every step; its cost depends on the values, and lifting most tokens 1000 above the rest changes it (we measured this, we did not trace why). " +
          "An allow-list in free text is exact like the decoder's ban-list there, so under plain temperature sampling the decoder could take this gain by listing the allowed side in free text, at the price of passing ~150k entries per step (prebuilt once per mask).",
      );
    }
  }
  lines.push("");
  lines.push(
    "Why the decoder passes the mask as a token bias listing the smaller side: it is exact under every sampling setting (temperature, top-k and top-p then act on the masked distribution), needs one forward pass per token, and costs in proportion to the tokens listed at every sampling step. " +
      "Always listing the allowed tokens pays for ~150k entries in free text, always banning pays for ~150k entries where only a few tokens are allowed (tags, tool names); " +
      "filtered logits move a whole-vocabulary map (or a linear-search filter) into JavaScript per token; sampling first needs a second forward pass (erase and re-decode) at every rejection and is not exact with top-k/top-p; " +
      "node-llama-cpp's GBNF engine also samples first and applies the grammar to all 152k candidates on a rejection (the same exactness caveat), which is cheap while the model's samples are valid and expensive when they are not (section 2, random model).",
  );
  return lines;
}

function notes(input: ReportInput): string[] {
  const { specs, overallWarm, fittedSpeed, feeding } = input;
  const lines: string[] = [];
  const plain = fittedSpeed.find((r) => r.sampling === PLAIN.name);
  const truncated = fittedSpeed.find((r) => r.sampling === TRUNCATED.name);
  const greedy = fittedSpeed.find((r) => r.sampling === GREEDY.name);
  lines.push(
    "- **The model is tiny.** Its forward pass is about a millisecond on one thread; a real 0.5–8B model takes 10–100× longer per token, while the costs measured here (mask lookup, passing the bias, sampling over 152k candidates, the grammar engine) do not grow with the model. Ratios against unconstrained decoding are therefore pessimistic for every constrained mode, and absolute differences in ms/token are what carries over.",
  );
  if (plain !== undefined && (truncated !== undefined || greedy !== undefined)) {
    const other = truncated ?? greedy!;
    lines.push(
      `- **Plain temperature sampling is expensive on a 152k vocabulary.** Unconstrained, ${fmt(plain.ms_per_token.unconstrained)} ms/token at ${plain.sampling} vs ${fmt(other.ms_per_token.unconstrained)} ms/token at ${other.sampling}: with top-k off, node-llama-cpp 3.22.1 still gives llama.cpp a top-k stage, with k = the whole vocabulary, which orders all 151,936 candidates at every step; that dominates the step on this model and hides the other costs.`,
    );
  }
  const firstUse = overallWarm.first_use_median_us;
  const react = specs.find((s) => s.spec === "react");
  lines.push(
    `- **Where mask time goes.** A step whose mask was used before costs ${fmt(overallWarm.reused_median_us)} µs (median: the mask lookup and the cached bias object). ` +
      `The first use of a mask in a generation costs ${fmt(firstUse)} µs (median), of which ${fmt(overallWarm.first_use_mask_median_us)} µs is \`maskFor\` and ${fmt(overallWarm.first_use_bias_median_us)} µs building the bias object for llama.cpp (built lazily, once per mask); ` +
      `the ${overallWarm.big_first_use_steps} first uses of masks listing more than 10,000 tokens took ${fmt(overallWarm.big_first_use_median_us)} µs (median). ` +
      (react !== undefined && react.distinct_masks !== null
        ? `react's ${react.automaton_states.toLocaleString("en-US")} automaton states have ${react.mask_keys.toLocaleString("en-US")} mask keys but only ${react.distinct_masks.toLocaleString("en-US")} distinct masks after precompute (equal masks shared). `
        : "") +
      `The same lookup in a tight loop over all states takes ${fmt(median(specs.map((s) => s.hot_lookup_us_median)))} µs (median over specs, timer included): inside a generation it runs right after llama.cpp's decode and sampling, with the JavaScript data out of the CPU caches, and that is most of its cost. ` +
      `${overallWarm.first_use_steps} of ${overallWarm.steps} steps here were first uses; longer or repeated generations on one decoder reuse more. ` +
      `Cold (no precompute), the first use of a mask walks the token trie: ${fmt(input.overallCold.first_use_median_us)} µs median, ${fmt(input.overallCold.max_us)} µs at most.`,
  );
  const sizes =
    "≈1.2k banned tokens inside free text (tokens with a newline inside, unused ids, bytes that cannot start a character), but ≈53k allowed tokens right after a tag's colon, where the next byte must be the tag's space (every token that starts with a space), " +
    "and growing lists near a text segment's byte limit, where long tokens no longer fit (the banned side grows to tens of thousands, then the mask flips to a shrinking allow-list). " +
    `In section 1, ${overallWarm.steps_listing_over_2000} of ${overallWarm.steps} steps listed more than 2,000 tokens and ${overallWarm.steps_listing_over_10000} more than 10,000`;
  lines.push(
    input.transport === "prebuilt"
      ? `- **Not in the mask time:** what llama.cpp does with the list at each sampling step. The decoder hands it prebuilt typed arrays (\`PrebuiltBias\`, built once per mask, through a patch of node-llama-cpp's internal \`_resolveSamplerConfig\`), so JavaScript no longer copies the list per step; the native sampler still compares the list with the previous step's, rebuilds its logit-bias stage when it changed, and applies it, all in proportion to the listed tokens: ${sizes}. That cost shows in sections 2 and 3 (allow-always and ban-always use the same transport).`
      : `- **Not in the mask time:** node-llama-cpp converts the TokenBias map to typed arrays at every sampling step, in proportion to the listed tokens: ${sizes}. That cost shows in sections 2 and 3.`,
  );
  const truncatedFeeding = feeding.find((g) => g.sampling === TRUNCATED.name) ?? feeding[0];
  const sampleFirst = truncatedFeeding?.rows.find((r) => r.mode === "sample-first");
  const floor = truncatedFeeding?.rows.find((r) => r.mode === "none");
  if (sampleFirst !== undefined && floor !== undefined) {
    lines.push(
      `- **How often the fitted model's own sample is invalid:** ${floor.violations} of ${floor.sampling_steps} sampling steps (${fmt((100 * floor.violations) / Math.max(1, floor.sampling_steps))}%) under ${truncatedFeeding!.sampling}; sample-first fell back ${sampleFirst.fallbacks} times. Each fallback costs a second forward pass, as node-llama-cpp only gives logits again by erasing and re-decoding the last token.`,
    );
  }
  lines.push(
    "- **GBNF runs differ in shape, not language.** Free-running (section 2), the grammar cannot pause for the environment, so the model writes the observations itself; in the replay (section 3) the recorded environment tokens are accepted into the grammar state, and a grammar state is cloned per step so that the recorded token (not the sample) can be accepted: the clone time is shown separately.",
  );
  lines.push(
    `- **Noise.** Two cores shared with other work (load average ${input.info["load_average_at_start"]} at the start of this run, ${input.info["load_average_at_end"]} at the end: 1, 5, 15 minutes), 1 llama.cpp thread. Modes alternate within each round and the tables give medians over rounds; the written verdicts compare options round by round (a win needs at least 80% of the paired rounds and a median ratio above ${1 + NOISE / 2}). Plain temperature sampling (sort-dominated) is the noisiest.`,
  );
  return lines;
}

await main();
