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
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { type LlamaGrammar } from "node-llama-cpp";
import { ConstrainedDecoder } from "../src/decoder/decoder.js";
import { ALLOW_LIST_LOGIT, LlamaBackend, PrebuiltBias } from "../src/decoder/llama.js";
import { MaskIndex } from "../src/decoder/mask.js";
import { composeOutput } from "../src/grammars/output.js";
import { FUNCTION_CALLING_TOOLS } from "./function-tools.js";
import { ensureModel, type ModelName } from "../src/models/build.js";
import { Replayer, ShiftCheck, Trajectory, measureFeeding, recordTrajectory, samplerShiftCheck } from "./decoder-feeding.js";
import { MaskSeries, SpecResult, maskStats, measureSpec } from "./decoder-masks.js";
import { buildReport } from "./decoder-report.js";
import { firstEnvironmentSegment, measureSpeed } from "./decoder-speed.js";
import { BiasLog } from "./support/decoder-drive.js";
import { GrammarInfo, grammarFor, machine } from "./support/decoder-machine.js";
import { BiasTransport, FULL, PLAIN, QUICK, ROOT, STARTED, fmt, loadCompiled, log, parseArgs, specFiles } from "./support/decoder-settings.js";

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

await main();
