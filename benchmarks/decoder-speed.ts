/** Decoder benchmark, part 2: tokens per second, unconstrained vs ltlguard vs llama.cpp's GBNF engine. */
import { performance } from "node:perf_hooks";
import { LlamaGrammarEvaluationState, type LlamaGrammar, type Token } from "node-llama-cpp";
import { ConstrainedDecoder } from "../src/decoder/decoder.js";
import { LlamaBackend } from "../src/decoder/llama.js";
import { eventsAllowedAt, type OutputAutomaton } from "../src/grammars/output.js";
import { countSamples, drive } from "./support/decoder-drive.js";
import { Sampling, acceptIntoGrammar, environmentText, evaluateOptions, fmt, log, maxOf, median, r3, sum } from "./support/decoder-settings.js";

// ---------------------------------------------------------------------------------------------
// Part 2: tokens per second

export type SpeedMode = "unconstrained" | "ltlguard" | "gbnf";

export interface SpeedSample {
  tokens: number;
  outputTokens: number;
  ms: number;
}

export interface SpeedContext {
  readonly backend: LlamaBackend;
  readonly decoder: ConstrainedDecoder;
  readonly grammar: LlamaGrammar | undefined;
  /** The output's first segment as the environment writes it, and its tokens. */
  readonly promptTokens: readonly number[];
}

export function firstEnvironmentSegment(automaton: OutputAutomaton): string {
  const allowed = eventsAllowedAt(automaton, automaton.eventState[automaton.initial]!);
  const format = automaton.formats[allowed[0]!]!;
  if (format.writer !== "environment") throw new Error("the speed benchmark expects a spec that opens with an environment segment");
  return format.tag + environmentText(format.event) + format.end;
}

export async function speedUnconstrained(ctx: SpeedContext, sampling: Sampling, seed: number, tokens: number): Promise<SpeedSample> {
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

export async function speedLtlguard(ctx: SpeedContext, sampling: Sampling, seed: number, tokens: number): Promise<SpeedSample> {
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

export async function speedGbnf(ctx: SpeedContext, sampling: Sampling, seed: number, tokens: number): Promise<SpeedSample> {
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

export interface SpeedRow {
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

export async function measureSpeed(ctx: SpeedContext, label: string, samplings: readonly Sampling[], tokens: number, rounds: number): Promise<SpeedRow[]> {
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
