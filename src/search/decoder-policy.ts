import type { ConstrainedDecoder, PromptTokens } from "../decoder/decoder.js";
import type { GeneratedSegment, Generation, SamplingOptions } from "../decoder/generation.js";
import type { Budget, Policy, Proposal, ProposeContext } from "./types.js";

/**
 * How a search state reads as a transcript under the policy's spec, and how a model-written
 * segment reads as an action.
 */
export interface TranscriptCodec<S, A> {
  /** The segments so far, in order (model-written ones are replayed as written, environment ones supplied). */
  history(state: S): readonly { readonly event: string; readonly content: string }[];
  /** The action a model-written segment stands for in this state, or undefined if it names none. */
  parse(state: S, event: string, content: string): A | undefined;
  /** A key for de-duplicating actions (the environment's `actionKey`). */
  actionKey(action: A): string;
}

/** Turns a policy's prompt text into what the model reads: the text itself, or its tokens through a chat template. */
export type PromptRenderer = (text: string) => string | PromptTokens;

/** The prompt as plain text (no chat template). */
export const plainPrompt: PromptRenderer = (text) => text;

export interface DecoderPolicyOptions {
  /** Text before the transcript (instructions, the task), or its tokens through a chat template (`renderPrompt`); evaluated once for the whole search. */
  readonly prompt: string | PromptTokens;
  /** Samples drawn per proposal call (at least k); their frequencies are the self-consistency signal. */
  readonly samples?: number;
  readonly sampling?: Omit<SamplingOptions, "seed">;
  readonly seed?: number;
  /** Most tokens one sample may write. */
  readonly maxTokens?: number;
  /** Generations kept alive as branch points (each holds a llama.cpp sequence). */
  readonly cachedPrefixes?: number;
  /** Most tokens of an imagined plan (`imagine`). Default 4 × maxTokens. */
  readonly imagineTokens?: number;
}

/** Thrown from a generation listener to stop a sample once it has written its action. */
class ActionWritten extends Error {
  constructor(readonly segment: GeneratedSegment) {
    super("the sample wrote its action");
  }
}

/**
 * The real policy: the constrained decoder on llama.cpp proposes actions that satisfy the spec.
 * Every search state is a transcript prefix; the generation at a prefix is kept and cloned (the
 * KV cache is copied, not re-evaluated) to draw samples and to extend to children, so an
 * expansion evaluates only the new tokens. `evaluatedTokens` on the backend shows the saving.
 */
export class DecoderPolicy<S, A> implements Policy<S, A> {
  readonly name = "llama";
  private readonly prefixes = new Map<string, Generation>();
  private root: Generation | undefined;
  private draws = 0;

  constructor(
    private readonly decoder: ConstrainedDecoder,
    private readonly codec: TranscriptCodec<S, A>,
    private readonly options: DecoderPolicyOptions,
  ) {}

  async propose(state: S, k: number, budget: Budget, context: ProposeContext<S, A> = {}): Promise<readonly Proposal<A>[]> {
    const evaluated = this.evaluatedSince();
    const base = await this.generationAt(this.codec.history(state));
    const samples = Math.max(1, context.samples ?? Math.max(k, this.options.samples ?? k));
    const counts = new Map<string, { action: A; count: number }>();
    let drawn = 0;
    for (let i = 0; i < samples && !budget.exhausted("model"); i++) {
      const started = performance.now();
      const branch = await base.clone({ ...this.options.sampling, seed: (this.options.seed ?? 0) * 1_000_003 + this.draws++ });
      try {
        const before = branch.segments.filter((s) => s.complete).length;
        const tokensBefore = branch.tokens.length;
        // A proposal is the first segment the model writes; a spec whose model segments follow
        // one another (tool calls with no environment segment between them) would otherwise go
        // on writing the rest of a plan up to maxTokens. Generation.run has no stop-after-segment
        // limit, so the listener ends the run by throwing once the segment is complete.
        let written: GeneratedSegment | undefined;
        try {
          await branch.run(
            { maxTokens: this.options.maxTokens ?? 64 },
            {
              onSegmentEnd: (segment) => {
                if (segment.writer === "model") throw new ActionWritten(segment);
              },
            },
          );
        } catch (error) {
          if (!(error instanceof ActionWritten)) throw error;
          written = error.segment;
        }
        budget.charge("policy", { calls: 1, generatedTokens: branch.tokens.length - tokensBefore, evaluatedTokens: evaluated(), ms: performance.now() - started });
        drawn++;
        written ??= branch.segments.slice(before).find((s) => s.complete && s.writer === "model");
        const action = written === undefined ? undefined : this.codec.parse(state, written.event, written.content);
        if (action === undefined) continue;
        const key = this.codec.actionKey(action);
        const entry = counts.get(key);
        if (entry === undefined) counts.set(key, { action, count: 1 });
        else entry.count++;
      } finally {
        await branch.dispose();
      }
    }
    return [...counts.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, k)
      .map(({ action, count }) => ({ action, frequency: count / Math.max(1, drawn) }));
  }

  /**
   * ToolChain*'s imagination: one sample that goes on writing after its first action, up to
   * `imagineTokens` tokens; the model-written segments are the imagined steps (one model call).
   */
  async imagine(state: S, budget: Budget): Promise<readonly string[]> {
    if (budget.exhausted("model")) return [];
    const evaluated = this.evaluatedSince();
    const base = await this.generationAt(this.codec.history(state));
    const branch = await base.clone({ ...this.options.sampling, seed: (this.options.seed ?? 0) * 1_000_003 + this.draws++ });
    const started = performance.now();
    try {
      const before = branch.segments.length;
      const tokensBefore = branch.tokens.length;
      await branch.run({ maxTokens: this.options.imagineTokens ?? 4 * (this.options.maxTokens ?? 64) });
      budget.charge("policy", { calls: 1, generatedTokens: branch.tokens.length - tokensBefore, evaluatedTokens: evaluated(), ms: performance.now() - started });
      return branch.segments.slice(before).filter((s) => s.complete && s.writer === "model").map((s) => `${s.event}: ${s.content}`);
    } finally {
      await branch.dispose();
    }
  }

  /** Tokens the model evaluated since the last call of the returned function (the first call: since now), for the per-role table. */
  private evaluatedSince(): () => number {
    const backend = this.decoder.backend;
    let mark = backend.evaluatedTokens;
    return () => {
      const now = backend.evaluatedTokens;
      const delta = now - mark;
      mark = now;
      return delta;
    };
  }

  /** Releases every kept generation. */
  async dispose(): Promise<void> {
    for (const generation of this.prefixes.values()) await generation.dispose();
    this.prefixes.clear();
    await this.root?.dispose();
    this.root = undefined;
  }

  /** The generation paused at the end of `history`: from the longest kept prefix, cloned and extended. */
  private async generationAt(history: readonly { event: string; content: string }[]): Promise<Generation> {
    if (this.root === undefined) {
      this.root = this.decoder.start(this.options.prompt, { ...this.options.sampling, seed: this.options.seed ?? 0 });
      await this.root.prefill();
    }
    const keys = history.map((_, i) => JSON.stringify(history.slice(0, i + 1)));
    let start = history.length;
    while (start > 0 && !this.prefixes.has(keys[start - 1]!)) start--;
    const found = start === 0 ? this.root : this.prefixes.get(keys[start - 1]!)!;
    if (start === history.length && start > 0) return found;
    let generation = await found.clone();
    const formats = this.decoder.automaton.formats;
    for (let i = start; i < history.length; i++) {
      const { event, content } = history[i]!;
      const format = formats.find((f) => f.event === event);
      if (format === undefined) throw new Error(`the policy's spec has no segment '${event}'`);
      if (format.writer === "environment") generation.supply(content, event);
      else generation.write(format.tag + content + format.end);
    }
    if (history.length > 0) {
      await generation.prefill();
      this.prefixes.set(keys[history.length - 1]!, generation);
      await this.evictBeyond(this.options.cachedPrefixes ?? 8);
    } else {
      // The root itself is the branch point for the empty history; the clone is not needed.
      await generation.dispose();
      generation = this.root;
    }
    return generation;
  }

  private async evictBeyond(limit: number): Promise<void> {
    while (this.prefixes.size > limit) {
      const oldest = this.prefixes.keys().next().value as string;
      await this.prefixes.get(oldest)!.dispose();
      this.prefixes.delete(oldest);
    }
  }
}
