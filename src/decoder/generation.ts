import type { LlamaContextSequence, Token, TokenBias } from "node-llama-cpp";
import { environmentAwaited, eventsAllowedAt, STATE_CONTENT, STATE_PAUSE, STATE_TAG, type OutputAutomaton } from "../grammars/output.js";
import { runBytes } from "../grammars/byte-dfa.js";
import type { SegmentWriter } from "../ltl/segments.js";
import type { LlamaBackend } from "./llama.js";
import type { MaskIndex } from "./mask.js";

export interface SamplingOptions {
  /** 0 (the default) is greedy: the most likely allowed token. */
  readonly temperature?: number;
  /** Keep only the k most likely allowed tokens (0 or absent: all). */
  readonly topK?: number;
  /** Keep the smallest set of allowed tokens whose probability reaches p (1 or absent: all). */
  readonly topP?: number;
  /** Seeds the sampler: the same seed, model, spec and prompt give the same output. */
  readonly seed?: number;
}

export interface GenerationLimits {
  /** Most tokens the model writes in this output (environment text not counted). */
  readonly maxTokens?: number;
  /** Most tokens the model writes within one segment. */
  readonly maxSegmentTokens?: number;
}

/**
 * Why generation stopped: `end` — the model ended the output where the spec allows it;
 * `environment` — an environment-written segment is next (see `awaiting`); `max-tokens` /
 * `max-segment-tokens` — a limit was reached, and the output is incomplete.
 */
export type StopReason = "end" | "environment" | "max-tokens" | "max-segment-tokens";

export interface GeneratedSegment {
  readonly event: string;
  readonly writer: SegmentWriter;
  readonly content: string;
  /** False only for the last segment of an output cut off by a limit. */
  readonly complete: boolean;
}

export interface GenerationListener {
  /** Text as it is produced (UTF-8 characters are never split). */
  onText?(text: string): void;
  onSegmentStart?(event: string, writer: SegmentWriter): void;
  onSegmentEnd?(segment: GeneratedSegment): void;
}

/** Something the environment must write next: the events it may choose from, and whether their tag is already written. */
export interface Awaiting {
  readonly events: readonly string[];
  /** True when the model already wrote the tag (so only the content is supplied). */
  readonly tagWritten: boolean;
}

/** An error in what the caller supplied for an environment-written segment. */
export class SegmentContentError extends Error {
  override readonly name = "SegmentContentError";
  constructor(
    readonly event: string,
    message: string,
  ) {
    super(`segment '${event}': ${message}`);
  }
}

interface SegmentInProgress {
  event: number;
  contentStart: number;
  tokensAtStart: number;
}

/**
 * One output being decoded under the spec: the automaton state, the tokens, the segments, and a
 * llama.cpp sequence holding the evaluated prefix. Tokens are sampled by llama.cpp with the
 * state's mask applied as a logit bias, so temperature, top-k and top-p act on the masked
 * distribution. Tokens the spec forces (the only one allowed) are appended without sampling.
 */
export class Generation {
  private iterator: AsyncIterator<Token, void, Token[] | undefined> | undefined;
  /** Tokens decided but not yet evaluated by llama.cpp. */
  private pending: number[];
  private readonly outputBytes: number[] = [];
  private readonly outputTokens: number[] = [];
  private readonly finished: GeneratedSegment[] = [];
  private current: SegmentInProgress | undefined;
  private state: number;
  private stopReason: StopReason | undefined;
  private modelTokens = 0;
  private readonly textDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  /**
   * When set (to an array), the time in microseconds to get each step's mask ready for llama.cpp
   * (mask lookup plus its bias object) is appended: what the decoder benchmark reports.
   */
  maskMicros: number[] | undefined;

  constructor(
    private readonly backend: LlamaBackend,
    private readonly index: MaskIndex,
    private sequence: LlamaContextSequence | undefined,
    prefixTokens: readonly number[],
    private readonly sampling: SamplingOptions,
    state?: number,
  ) {
    this.pending = [...prefixTokens];
    this.state = state ?? index.automaton.initial;
  }

  get automaton(): OutputAutomaton {
    return this.index.automaton;
  }

  /** The output so far, as text. */
  get text(): string {
    return utf8Text(Uint8Array.from(this.outputBytes));
  }

  get tokens(): readonly number[] {
    return this.outputTokens;
  }

  get automatonState(): number {
    return this.state;
  }

  get stop(): StopReason | undefined {
    return this.stopReason;
  }

  /** The segments so far; the last may be incomplete. */
  get segments(): GeneratedSegment[] {
    const list = [...this.finished];
    if (this.current !== undefined) {
      const format = this.automaton.formats[this.current.event]!;
      list.push({
        event: format.event,
        writer: format.writer,
        content: utf8Text(Uint8Array.from(this.outputBytes.slice(this.current.contentStart))),
        complete: false,
      });
    }
    return list;
  }

  /** What the environment must supply now, if generation is paused for it. */
  awaiting(): Awaiting | undefined {
    return environmentAwaited(this.automaton, this.state);
  }

  /**
   * The environment segments that may be written now: after the model wrote an environment
   * segment's tag, that one; at a segment boundary, every environment segment the spec allows
   * next (even where the model could also go on or end).
   */
  private environmentMayWrite(): Awaiting | undefined {
    const a = this.automaton;
    if (a.kind[this.state] === STATE_PAUSE) return { events: [a.formats[a.event[this.state]!]!.event], tagWritten: true };
    if (a.boundary[this.state] !== 1) return undefined;
    const allowed = eventsAllowedAt(a, a.eventState[this.state]!).filter((e) => a.formats[e]!.writer === "environment");
    return allowed.length > 0 ? { events: allowed.map((e) => a.formats[e]!.event), tagWritten: false } : undefined;
  }

  /**
   * Generates until the output ends, the environment must write, or a limit is reached.
   * Calls on different generations of one backend that run concurrently are decoded together
   * in one llama.cpp batch.
   */
  async run(limits: GenerationLimits = {}, listener: GenerationListener = {}): Promise<StopReason> {
    this.stopReason = undefined;
    for (;;) {
      if (this.awaiting() !== undefined) return (this.stopReason = "environment");
      if (limits.maxTokens !== undefined && this.modelTokens >= limits.maxTokens) return (this.stopReason = "max-tokens");
      if (
        limits.maxSegmentTokens !== undefined &&
        this.current !== undefined &&
        this.modelTokens - this.current.tokensAtStart >= limits.maxSegmentTokens
      ) {
        return (this.stopReason = "max-segment-tokens");
      }
      const maskStarted = this.maskMicros !== undefined ? performance.now() : 0;
      const mask = this.index.maskFor(this.state);
      const bias = this.backend.biasFor(mask);
      if (this.maskMicros !== undefined) this.maskMicros.push((performance.now() - maskStarted) * 1000);
      const eog = this.backend.vocabulary.endOfGeneration;
      const onlyEnd = mask.mayEnd && mask.allowedCount === eog.length;
      if (onlyEnd) return this.finish(listener);
      let token: number;
      if (mask.allowed !== undefined && mask.allowedCount === 1) {
        token = mask.allowed[0]!; // forced: no sampling needed, the distribution is a point
      } else {
        token = await this.sample(bias);
      }
      if (eog.includes(token)) {
        if (!mask.mayEnd) throw new Error(`internal error: end of generation was sampled where the spec forbids it (state ${this.state})`);
        return this.finish(listener);
      }
      if (!this.index.allows(this.state, token)) {
        throw new Error(`internal error: llama.cpp sampled token ${token}, which the mask of state ${this.state} forbids`);
      }
      this.modelTokens++;
      this.pending.push(token);
      this.outputTokens.push(token);
      this.advance(this.index.bytesOf(token)!, listener);
    }
  }

  /**
   * Writes an environment segment: its content (and its tag, unless the model already wrote it).
   * The content is checked against the segment's format and the spec before anything is appended.
   */
  supply(content: string, event?: string, listener: GenerationListener = {}): void {
    const waiting = this.environmentMayWrite();
    if (waiting === undefined) throw new SegmentContentError(event ?? "?", "the spec does not let the environment write here");
    const name = event ?? (waiting.events.length === 1 ? waiting.events[0]! : undefined);
    if (name === undefined) throw new SegmentContentError("?", `say which segment is supplied: one of ${waiting.events.join(", ")}`);
    if (!waiting.events.includes(name)) {
      throw new SegmentContentError(name, `the spec does not allow this segment here; it allows ${waiting.events.join(", ")}`);
    }
    const a = this.automaton;
    const e = a.formats.findIndex((f) => f.event === name);
    const format = a.formats[e]!;
    const encoder = new TextEncoder();
    const body = encoder.encode(content.normalize("NFC") + format.end);
    const segmentEnd = runBytes(a.segments[e]!, body);
    if (segmentEnd < 0 || a.segments[e]!.accepting[segmentEnd] !== 1) {
      const what = format.content.kind === "text"
        ? `text without ${JSON.stringify(format.content.until)}${format.content.maxBytes !== undefined ? ` of at most ${format.content.maxBytes} bytes` : ""}`
        : format.content.kind === "choice"
          ? `one of ${format.content.options.map((o) => JSON.stringify(o)).join(", ")}`
          : format.content.kind === "regex"
            ? `a match of /${format.content.source}/`
            : "a valid tool call for this point of the spec";
      throw new SegmentContentError(name, `${JSON.stringify(content)} is not ${what}`);
    }
    const q = a.eventState[this.state]!;
    const tag = waiting.tagWritten ? new Uint8Array(0) : encoder.encode(format.tag);
    // The tag (when the model has not written it) goes through the automaton, so the segment
    // bookkeeping sees the segment start; the content is checked above and appended as it is.
    this.advance(tag, listener);
    this.current ??= { event: e, contentStart: this.outputBytes.length, tokensAtStart: this.modelTokens };
    for (const byte of body) this.outputBytes.push(byte);
    listener.onText?.(this.textDecoder.decode(body, { stream: true }));
    this.state = a.boundaryAfter(q, e);
    this.endSegment(listener);
    const tokens = this.backend.tokenize(utf8Text(concatBytes(tag, body)));
    this.pending.push(...tokens);
    this.outputTokens.push(...tokens);
  }

  /**
   * Appends text as if the model had written it (teacher forcing: replaying a known history, a
   * few-shot example). It must keep the output in the spec's language and may not run into an
   * environment segment's content (use `supply` for that); otherwise nothing is appended.
   */
  write(text: string, listener: GenerationListener = {}): void {
    const bytes = new TextEncoder().encode(text.normalize("NFC"));
    const a = this.automaton;
    let state = this.state;
    for (let i = 0; i < bytes.length; i++) {
      state = state < 0 ? -1 : a.transitions[state * 256 + bytes[i]!]!;
      if (state < 0) {
        throw new SegmentContentError(
          this.current !== undefined ? a.formats[this.current.event]!.event : "?",
          `${JSON.stringify(text)} leaves the spec's language at byte ${i} (${JSON.stringify(utf8Text(bytes.slice(0, i)))} is as far as it goes)`,
        );
      }
    }
    this.advance(bytes, listener);
    const tokens = this.backend.tokenize(utf8Text(bytes));
    this.pending.push(...tokens);
    this.outputTokens.push(...tokens);
  }

  /**
   * Evaluates what is written so far (all but the last token, whose logits the next sample
   * needs), so that clones made afterwards copy it instead of each evaluating it: call it on a
   * generation before branching from it.
   */
  async prefill(): Promise<void> {
    if (this.iterator !== undefined || this.pending.length <= 1) return;
    this.sequence ??= this.backend.acquireSequence();
    const input = this.pending.slice(0, -1);
    await this.sequence.evaluateWithoutGeneratingNewTokens(input as Token[]);
    this.backend.evaluatedTokens += input.length;
    this.pending = this.pending.slice(-1);
  }

  /**
   * An independent copy that shares the evaluated prefix: llama.cpp copies the sequence's KV
   * cache (no re-evaluation) when the backend has a free sequence.
   */
  async clone(sampling: SamplingOptions = this.sampling): Promise<Generation> {
    const sequence = this.backend.acquireSequence();
    let prefix = [...this.pending];
    const source = this.sequence;
    const copy = (sequence as unknown as { _copyStateFromOtherSequence?: (other: LlamaContextSequence, upTo: number) => Promise<boolean> })
      ._copyStateFromOtherSequence;
    let copied = false;
    if (source !== undefined && copy !== undefined) {
      copied = await copy.call(sequence, source, source.nextTokenIndex);
    }
    if (!copied) {
      await sequence.clearHistory();
      prefix = [...(source?.contextTokens ?? []), ...this.pending];
    }
    const twin = new Generation(this.backend, this.index, sequence, prefix, sampling, this.state);
    twin.outputBytes.push(...this.outputBytes);
    twin.outputTokens.push(...this.outputTokens);
    twin.finished.push(...this.finished);
    twin.current = this.current === undefined ? undefined : { ...this.current };
    twin.modelTokens = this.modelTokens;
    return twin;
  }

  /**
   * Ends this output and goes on, on the same llama.cpp sequence, with a new output under another
   * decoder's automaton: what was written stays in the model's context and nothing is evaluated
   * again (a thinking block, then the spec's output). This generation is spent afterwards.
   */
  async continueUnder(index: MaskIndex, sampling: SamplingOptions = this.sampling): Promise<Generation> {
    await this.iterator?.return?.();
    this.iterator = undefined;
    const next = new Generation(this.backend, index, this.sequence, this.pending, sampling);
    this.sequence = undefined;
    this.pending = [];
    return next;
  }

  /**
   * Appends tokens to the prompt, before the output starts (a longer prompt that shares its
   * beginning with a kept generation: clone that one, then append the rest).
   */
  appendPrompt(tokens: readonly number[]): void {
    if (this.outputTokens.length > 0 || this.iterator !== undefined) throw new Error("the prompt can only grow before the output starts");
    this.pending.push(...tokens);
  }

  /**
   * The distribution of the next token under the mask, from one forward pass: each allowed
   * token's probability under the model (temperature 1, no top-k or top-p), renormalized over the
   * allowed tokens. Nothing is sampled or appended; scoring a choice without sampling it reads
   * this. End-of-generation tokens count where the output may end.
   */
  async nextTokenDistribution(): Promise<Map<number, number>> {
    if (this.iterator !== undefined) throw new Error("read the next-token distribution before sampling from this generation");
    if (this.pending.length === 0) throw new Error("internal error: no token to evaluate");
    this.sequence ??= this.backend.acquireSequence();
    const mask = this.index.maskFor(this.state);
    const input = this.pending;
    const last = input.at(-1)! as Token;
    const filter = mask.allowed !== undefined ? (Array.from(mask.allowed) as Token[]) : undefined;
    const evaluated = await this.sequence.controlledEvaluate([
      ...(input.slice(0, -1) as Token[]),
      [last, { generateNext: { logits: filter !== undefined ? { filter: { tokens: filter } } : true, options: { temperature: 0 } } }],
    ]);
    this.backend.evaluatedTokens += input.length;
    const logits = evaluated.at(-1)?.next.logits;
    if (logits === undefined) throw new Error("llama.cpp returned no logits");
    const banned = mask.banned !== undefined ? new Set(mask.banned) : undefined;
    let top = -Infinity;
    const kept: [number, number][] = [];
    for (const [token, logit] of logits) {
      if (banned?.has(token) === true) continue;
      kept.push([token, logit]);
      if (logit > top) top = logit;
    }
    let total = 0;
    for (const entry of kept) total += entry[1] = Math.exp(entry[1] - top);
    // The last token goes back to be evaluated again when the generation goes on: its logits are gone.
    await this.sequence.eraseContextTokenRanges([{ start: this.sequence.nextTokenIndex - 1, end: this.sequence.nextTokenIndex }]);
    this.pending = [last];
    return new Map(kept.map(([token, weight]) => [token, weight / total]));
  }

  /** Every token the model has been given so far: the prompt, then the output (evaluated or about to be). */
  get contextTokens(): readonly number[] {
    return [...(this.sequence?.contextTokens ?? []), ...this.pending];
  }

  /** Gives the llama.cpp sequence back to the backend. */
  async dispose(): Promise<void> {
    await this.iterator?.return?.();
    this.iterator = undefined;
    if (this.sequence !== undefined) await this.backend.releaseSequence(this.sequence);
    this.sequence = undefined;
  }

  private async sample(bias: ReturnType<LlamaBackend["biasFor"]>): Promise<number> {
    this.currentBias = bias;
    const input = this.pending;
    this.pending = [];
    this.backend.evaluatedTokens += input.length;
    let result: IteratorResult<Token, void>;
    if (this.iterator === undefined) {
      if (this.sequence === undefined) this.sequence = this.backend.acquireSequence();
      const temperature = this.sampling.temperature ?? 0;
      this.iterator = this.sequence
        .evaluate(input as Token[], {
          temperature,
          topK: this.sampling.topK ?? 0,
          topP: this.sampling.topP ?? 1,
          minP: 0,
          seed: this.sampling.seed ?? 0,
          // A PrebuiltBias is handed to llama.cpp by the sequence patch in llama.ts.
          tokenBias: () => this.currentBias as TokenBias,
          yieldEogToken: true,
        })
        [Symbol.asyncIterator]() as AsyncIterator<Token, void, Token[] | undefined>;
      result = await this.iterator.next();
    } else {
      result = await this.iterator.next(input as Token[]);
    }
    if (result.done === true) throw new Error("llama.cpp stopped generating unexpectedly (the context may be full)");
    return result.value;
  }

  private currentBias: ReturnType<LlamaBackend["biasFor"]> | undefined;

  private finish(listener: GenerationListener): StopReason {
    listener.onText?.(this.textDecoder.decode());
    return (this.stopReason = "end");
  }

  /** Steps the automaton over appended bytes, keeping track of where segments start and end. */
  private advance(bytes: Uint8Array, listener: GenerationListener): void {
    const a = this.automaton;
    for (const byte of bytes) {
      const from = this.state;
      const to = a.transitions[from * 256 + byte]!;
      if (to < 0) throw new Error(`internal error: byte 0x${byte.toString(16)} leaves the language at state ${from}`);
      this.outputBytes.push(byte);
      if (a.kind[from] === STATE_TAG && (a.kind[to] === STATE_CONTENT || a.kind[to] === STATE_PAUSE)) {
        const e = a.event[to]!;
        this.current = { event: e, contentStart: this.outputBytes.length, tokensAtStart: this.modelTokens };
        listener.onSegmentStart?.(a.formats[e]!.event, a.formats[e]!.writer);
      }
      this.state = to;
      if (a.kind[from] === STATE_CONTENT && a.kind[to] === STATE_TAG) this.endSegment(listener);
    }
    listener.onText?.(this.textDecoder.decode(bytes, { stream: true }));
  }

  private endSegment(listener: GenerationListener): void {
    if (this.current === undefined) return;
    const format = this.automaton.formats[this.current.event]!;
    const contentBytes = this.outputBytes.slice(this.current.contentStart, this.outputBytes.length - new TextEncoder().encode(format.end).length);
    const segment: GeneratedSegment = {
      event: format.event,
      writer: format.writer,
      content: utf8Text(Uint8Array.from(contentBytes)),
      complete: true,
    };
    this.finished.push(segment);
    this.current = undefined;
    listener.onSegmentEnd?.(segment);
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Decodes UTF-8 keeping a leading U+FEFF (the default TextDecoder drops it, which would lose text the model wrote). */
function utf8Text(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
}
