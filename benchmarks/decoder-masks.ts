/** Decoder benchmark, part 1: one-time compile costs and the time to get each step's mask, per agent spec; masks inside JSON-arguments segments through the public engine API. */
import { basename } from "node:path";
import { performance } from "node:perf_hooks";
import { ConstrainedDecoder } from "../src/decoder/decoder.js";
import { constraintFromOutput } from "../src/decoder/engine.js";
import { LlamaBackend } from "../src/decoder/llama.js";
import { STATE_CONTENT, STATE_TAG } from "../src/grammars/output.js";
import { type ToolSignature } from "../src/ltl/tool-calls.js";
import { BiasLog, drive } from "./support/decoder-drive.js";
import { Settings, fmt, loadCompiled, log, maxOf, median, quantile, r3, sum } from "./support/decoder-settings.js";

// ---------------------------------------------------------------------------------------------
// Part 1: compile and mask time per spec

export interface MaskRun {
  seed: number;
  temperature: number;
  stop: string;
  outputTokens: number;
  steps: number;
}

export interface MaskSeries {
  readonly runs: MaskRun[];
  readonly micros: number[];
  readonly firstUse: boolean[];
  /** Part of `micros` spent building the bias object (biasFor). */
  readonly biasMicros: number[];
  readonly listed: number[];
}

export interface MaskStats {
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

export function maskStats(series: MaskSeries): MaskStats {
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

export async function maskSeries(decoder: ConstrainedDecoder, biasLog: BiasLog, settings: Settings): Promise<MaskSeries> {
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

export interface SpecResult {
  spec: string;
  ltl_compile_ms: number;
  event_dfa_states: number;
  compose_ms: number;
  index_ms: number;
  automaton_states: number;
  vocabulary: number;
  /** Distinct masks over the tag and content states, after precompute (equal masks stored once). */
  mask_keys: number;
  masks_used: number;
  /** maskFor + biasFor over every tag/content state in a tight loop (masks and biases already built): the lookup without the decode around it. */
  hot_lookup_us_median: number;
  /** Masks of the states inside JSON-arguments segments (null for specs without them). */
  arguments: ArgumentsMaskTimes | null;
  runs: MaskRun[];
  warm: MaskStats;
  cold: MaskStats & { index_ms: number; compose_ms: number; runs: MaskRun[] };
}

export interface ArgumentsMaskTimes {
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
  /** The public engine API on the same states (constraintFromOutput, nothing precomputed): the bitmask computed on demand, then cached. */
  engine_computed_median_us: number;
  engine_computed_p99_us: number;
  engine_computed_max_us: number;
  engine_cached_median_us: number;
}

/** Mask times restricted to the JSON-arguments segments, on demand and cached. */
export function argumentsMaskTimes(compiled: ReturnType<typeof loadCompiled>, decoder: ConstrainedDecoder, backend: LlamaBackend): ArgumentsMaskTimes | null {
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
  // The same states through the public engine API, as MaskBench measures it: the mask as a bitmask
  // (fillBitmask's work: the state's bits copied out), on a constraint with nothing precomputed.
  const engine = constraintFromOutput(a, backend.vocabulary, { precomputeMs: 0 });
  const bitmask = new Uint32Array(engine.bitmaskWords);
  const engineTime = (state: number): number => {
    const t = performance.now();
    bitmask.set(engine.bitsOf(state));
    return (performance.now() - t) * 1000;
  };
  const engineComputed = sample.map(engineTime);
  const engineCached = sample.map(engineTime);
  return {
    states: states.length,
    sampled: sample.length,
    computed_median_us: r3(median(computed)),
    computed_p99_us: r3(quantile(computed, 0.99)),
    cached_median_us: r3(median(cached)),
    cached_p99_us: r3(quantile(cached, 0.99)),
    engine_computed_median_us: r3(median(engineComputed)),
    engine_computed_p99_us: r3(quantile(engineComputed, 0.99)),
    engine_computed_max_us: r3(maxOf(engineComputed)),
    engine_cached_median_us: r3(median(engineCached)),
  };
}

/** Distinct masks among the decoder's states (after `prepare`: every tag and content state). */
export function distinctMaskKeys(decoder: ConstrainedDecoder): number {
  return decoder.index.stats().distinctMasks;
}

export interface MeasuredSpec {
  result: SpecResult;
  decoder: ConstrainedDecoder;
  warm: MaskSeries;
  cold: MaskSeries;
}

export async function measureSpec(
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
  if (args !== null) log(`${name}: JSON-arguments states: ${args.states}; mask µs computed on demand median ${fmt(args.computed_median_us)} p99 ${fmt(args.computed_p99_us)}; cached median ${fmt(args.cached_median_us)}; engine bitmask on demand median ${fmt(args.engine_computed_median_us)} p99 ${fmt(args.engine_computed_p99_us)}`);
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
      masks_used: warmStats.first_use_steps,
      hot_lookup_us_median: r3(median(hot)),
      arguments: args,
      runs: warm.runs,
      warm: warmStats,
      cold: { ...coldStats, index_ms: r3(cold.timings.indexMs), compose_ms: r3(cold.timings.composeMs), runs: coldSeries.runs },
    },
  };
}
