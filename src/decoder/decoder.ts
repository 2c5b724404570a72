import type { CompiledSpec } from "../ltl/analysis.js";
import { SpecError } from "../ltl/errors.js";
import { composeOutput, eventsAllowedAt, STATE_CONTENT, type OutputAutomaton } from "../grammars/output.js";
import { Generation, type SamplingOptions } from "./generation.js";
import type { LlamaBackend } from "./llama.js";
import { MaskIndex } from "./mask.js";

/** A prompt as tokens (what `renderPrompt` makes through a chat template). */
export interface PromptTokens {
  readonly tokens: readonly number[];
}

export interface DecoderOptions {
  /** Called while masks are precomputed: (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Precompute every mask up front (default), or compute them on first use. */
  precompute?: boolean;
}

export interface DecoderTimings {
  /** Building the byte-level automaton, ms. */
  readonly composeMs: number;
  /** Building the token tries and precomputing masks, ms. */
  readonly indexMs: number;
}

/**
 * A spec bound to a model: the output automaton, its masks for the model's vocabulary, and a
 * factory for generations. Creating it rejects, up front, a spec that could leave generation
 * stuck with this vocabulary (a state where no token continues and the output may not end).
 */
export class ConstrainedDecoder {
  private constructor(
    readonly backend: LlamaBackend,
    readonly automaton: OutputAutomaton,
    readonly index: MaskIndex,
    readonly timings: DecoderTimings,
  ) {}

  static create(compiled: CompiledSpec, backend: LlamaBackend, options: DecoderOptions = {}): ConstrainedDecoder {
    const t0 = performance.now();
    const automaton = composeOutput(compiled);
    const t1 = performance.now();
    const index = new MaskIndex(automaton, backend.vocabulary);
    if (options.precompute ?? true) index.prepare(options.onProgress);
    rejectDeadEnds(index, backend.modelPath);
    const t2 = performance.now();
    return new ConstrainedDecoder(backend, automaton, index, { composeMs: t1 - t0, indexMs: t2 - t1 });
  }

  /**
   * Starts an output after `prompt`: plain text given to the model as it is (special tokens such
   * as `<|im_start|>` recognized), or prompt tokens such as a chat template renders
   * (`renderPrompt`). An empty prompt starts from the model's BOS token.
   */
  start(prompt: string | PromptTokens, sampling: SamplingOptions = {}): Generation {
    let prefix = typeof prompt !== "string" ? [...prompt.tokens] : prompt.length > 0 ? this.backend.tokenizePrompt(prompt) : [];
    if (prefix.length === 0) prefix = [this.backend.documentStartToken()];
    return new Generation(this.backend, this.index, undefined, prefix, sampling);
  }

  /** Whether every output starts with an environment-written segment (so the caller writes first). */
  startsWithEnvironment(): boolean {
    const a = this.automaton;
    const allowed = eventsAllowedAt(a, a.eventState[a.initial]!);
    return allowed.length > 0 && allowed.every((e) => a.formats[e]!.writer === "environment");
  }
}

/** Refuses, up front, a spec that could leave generation stuck with this vocabulary, naming the segment and the bytes needed. */
export function rejectDeadEnds(index: MaskIndex, modelPath: string): void {
  const stuck = index.deadEnds();
  if (stuck.length === 0) return;
  const a = index.automaton;
  const state = stuck[0]!;
  const format = a.kind[state] === STATE_CONTENT ? a.formats[a.event[state]!] : undefined;
  const spec = a.spec.spec;
  const where = format !== undefined ? `inside segment '${format.event}'` : "between segments";
  const next: string[] = [];
  for (let b = 0; b < 256; b++) if (a.transitions[state * 256 + b]! >= 0) next.push(b < 0x80 ? JSON.stringify(String.fromCharCode(b)) : `0x${b.toString(16)}`);
  throw new SpecError(
    "segment",
    `with the vocabulary of ${modelPath}, generation could get stuck ${where}: the text must go on with one of ${next.slice(0, 12).join(", ")}` +
      `${next.length > 12 ? ", …" : ""}, and no token of the model spells such a continuation (${stuck.length} such state${stuck.length === 1 ? "" : "s"})`,
    format?.location ?? { file: spec.file, line: 1, column: 1, lineText: "" },
  );
}
