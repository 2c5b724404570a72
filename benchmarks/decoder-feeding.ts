/** Decoder benchmark, part 3: ways to feed a mask to llama.cpp, replayed on recorded trajectories. */
import { performance } from "node:perf_hooks";
import { LlamaGrammarEvaluationState, TokenBias, type LlamaContextSequence, type LlamaGrammar, type Token } from "node-llama-cpp";
import { ConstrainedDecoder } from "../src/decoder/decoder.js";
import { ALLOW_LIST_LOGIT, PrebuiltBias } from "../src/decoder/llama.js";
import { type TokenMask } from "../src/decoder/mask.js";
import { STATE_CONTENT, stepOutput } from "../src/grammars/output.js";
import { drive } from "./support/decoder-drive.js";
import { AnyBias, BiasTransport, FILTER_MAX_TOKENS, Sampling, Settings, TokenIterator, acceptIntoGrammar, biasEntries, evaluateOptions, fmt, log, median, mulberry32, r3, sum } from "./support/decoder-settings.js";

// ---------------------------------------------------------------------------------------------
// Part 3: ways to feed a mask, replayed on recorded trajectories

export type Step = { readonly kind: "model"; readonly state: number; readonly token: number } | { readonly kind: "environment"; readonly tokens: readonly number[] };

export interface Trajectory {
  readonly seed: number;
  readonly steps: readonly Step[];
  readonly modelTokens: number;
  readonly environmentTokens: number;
  readonly text: string;
}

export async function recordTrajectory(decoder: ConstrainedDecoder, seed: number, maxTokens: number): Promise<Trajectory> {
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

export type FeedMode = "none" | "hybrid" | "allow" | "ban" | "sample-first" | "filtered" | "gbnf";

export const FEED_MODES: readonly FeedMode[] = ["none", "hybrid", "allow", "ban", "sample-first", "filtered", "gbnf"];

export const FEED_LABEL: Record<FeedMode, string> = {
  none: "no mask (floor: same steps, nothing enforced)",
  hybrid: "allow-list ≤ half the vocabulary, else ban-list (the decoder)",
  allow: "allow-list always (logit +1000)",
  ban: "ban-list always (-∞)",
  "sample-first": "sample first, exact fallback (erase + re-decode with the mask) if not allowed",
  filtered: `filtered logits (controlledEvaluate; ≤ ${FILTER_MAX_TOKENS} allowed: filter, else all logits), sampled in JS`,
  gbnf: "GBNF grammar (node-llama-cpp), grammar state cloned per step",
};

export function exactness(mode: FeedMode, sampling: Sampling): string {
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

export class Replayer {
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
export function sampleInJs(ids: readonly number[], logits: readonly number[], sampling: Sampling, rng: () => number): number {
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

export interface ReplaySample {
  ms: number;
  /** Wall ms of each sampling step (decode of the pending tokens, mask, sampling). */
  stepMs: number[];
  outputTokens: number;
  samplingSteps: number;
  fallbacks: number;
  violations: number;
  cloneMs: number;
}

export interface FeedRow {
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

export interface StepBucket {
  bucket: string;
  steps: number;
  floor_ms_median: number;
  decoder_ms_median: number;
  /** Median over the bucket's steps of (decoder − floor), each step's times being medians over rounds. */
  extra_ms_median: number;
  /** The bucket's extra time summed over its steps: ms per replay of all trajectories. */
  extra_ms_sum: number;
}

export interface FeedingResult {
  sampling: string;
  rows: FeedRow[];
  /** The decoder's extra time per sampling step, by the size of the list it passes to llama.cpp. */
  steps_by_mask: StepBucket[];
}

export function bucketOf(mask: TokenMask): string {
  if (mask.allowed !== undefined) {
    const n = mask.allowed.length;
    return n <= 100 ? "allow-list of 2–100 tokens" : n <= 10_000 ? "allow-list of 101–10,000 tokens" : "allow-list of > 10,000 tokens";
  }
  return mask.banned!.length <= 2000 ? "ban-list of ≤ 2,000 tokens" : "ban-list of > 2,000 tokens";
}

export function stepBreakdown(decoder: ConstrainedDecoder, trajectories: readonly Trajectory[], floor: number[][][], hybrid: number[][][]): StepBucket[] {
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

export async function measureFeeding(replayer: Replayer, trajectories: readonly Trajectory[], samplings: readonly Sampling[], settings: Settings): Promise<FeedingResult[]> {
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
export interface ShiftCheck {
  sampling: string;
  tokens: number;
  rounds: number;
  no_bias_ms_per_token: number;
  uniform_shift_ms_per_token: number;
  free_text_allow_list_ms_per_token: number;
  free_text_allowed_tokens: number;
}

export async function samplerShiftCheck(decoder: ConstrainedDecoder, promptTokens: readonly number[], sampling: Sampling, tokens: number, rounds: number): Promise<ShiftCheck | null> {
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
