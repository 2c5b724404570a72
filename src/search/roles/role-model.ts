import { renderPrompt, type ChatTemplateChoice, type RenderedPrompt } from "../../decoder/chat-template.js";
import { ConstrainedDecoder } from "../../decoder/decoder.js";
import type { GeneratedSegment, SamplingOptions } from "../../decoder/generation.js";
import type { LlamaBackend } from "../../decoder/llama.js";
import { compileSpec } from "../../ltl/analysis.js";
import { parseSpec } from "../../ltl/spec.js";
import type { ToolSignature } from "../../ltl/tool-calls.js";
import { bindToolRegistry } from "../../grammars/tools.js";
import type { Budget, RoleName } from "../types.js";
import { PromptCache } from "./prompt-cache.js";

export interface RoleModelOptions {
  /** How prompts are rendered: the model's own chat template (`auto`, the default), `none`, or a Jinja file. */
  readonly chatTemplate?: ChatTemplateChoice;
  /** A system message for every role's prompt (default: none). */
  readonly system?: string;
  /** Sampling for the roles' answers. Defaults to temperature 1 (the model's own distribution under the mask). */
  readonly sampling?: Omit<SamplingOptions, "seed">;
  /** Seeds the roles' samples (each sample gets its own seed from it). Defaults to 0. */
  readonly seed?: number;
  /** Prompt prefixes kept evaluated, each holding a llama.cpp sequence. Defaults to 6. */
  readonly cachedPrefixes?: number;
}

/** A role's answer that does not fit its spec (cut by the token limit): the call failed. */
export class RoleAnswerError extends Error {
  override readonly name = "RoleAnswerError";
}

/** Where a model call is charged: the budget, and the role's row. */
export interface RoleCharge {
  readonly budget: Budget;
  readonly role: RoleName;
}

/** One sampled answer: its complete segments by event. */
export interface RoleAnswer {
  readonly segments: readonly GeneratedSegment[];
  /** The whole answer as text (tags and end strings included). */
  readonly text: string;
  /** The content of a segment by event (the first one). */
  content(event: string): string | undefined;
}

/**
 * One loaded model shared by every model-backed role (and the policy, which uses the same
 * backend): the roles' specs compiled once each, their prompts rendered through the model's chat
 * template with thinking forbidden, evaluated prefixes shared through one `PromptCache`, and each
 * call metered on the budget under its role's name (model calls, generated and evaluated tokens,
 * wall time), each sample as it is drawn.
 */
export class RoleModel {
  readonly cache: PromptCache;
  private readonly decoders = new Map<string, ConstrainedDecoder>();
  private draws = 0;

  constructor(
    readonly backend: LlamaBackend,
    readonly options: RoleModelOptions = {},
  ) {
    this.cache = new PromptCache(options.cachedPrefixes ?? 6);
  }

  /**
   * The decoder for a role's spec, with `tools` bound where its segments name tools (compiled
   * once; masks computed on first use; the least recently used beyond 64 are dropped).
   */
  decoder(source: string, file: string, tools?: readonly ToolSignature[]): ConstrainedDecoder {
    const key = tools === undefined ? source : `${source}\u0000${JSON.stringify(tools)}`;
    let decoder = this.decoders.get(key);
    if (decoder === undefined) {
      let spec = parseSpec(source, { file });
      if (tools !== undefined) spec = bindToolRegistry(spec, tools);
      decoder = ConstrainedDecoder.create(compileSpec(spec), this.backend, { precompute: false });
    }
    this.decoders.delete(key);
    this.decoders.set(key, decoder);
    if (this.decoders.size > 64) this.decoders.delete(this.decoders.keys().next().value as string);
    return decoder;
  }

  /** A role's prompt from the pieces of the user's message (pieces shared between prompts share evaluated prefixes). */
  prompt(pieces: readonly string[]): RenderedPrompt {
    return renderPrompt(this.backend, this.options.chatTemplate ?? "auto", { ...(this.options.system !== undefined ? { system: this.options.system } : {}), user: pieces });
  }

  /**
   * Samples one answer under `decoder` after `prompt`, its first tag written as text (the tag is
   * fixed; sampling how to spell it would only add noise), and charges it to `role` on the budget
   * at once: one call, the tokens sampled, the tokens the model evaluated for it (the part of the
   * prompt not found in the cache, the tag, the answer) and its wall time. An answer cut by
   * `maxTokens` is a failed call (charged all the same).
   */
  async sample(decoder: ConstrainedDecoder, prompt: RenderedPrompt, tag: string, maxTokens: number, charge: RoleCharge): Promise<RoleAnswer> {
    const started = performance.now();
    const evaluatedBefore = this.backend.evaluatedTokens;
    let generatedTokens = 0;
    const base = await this.branchPoint(decoder, prompt);
    const branch = await base.clone({ temperature: 1, ...this.options.sampling, seed: this.nextSeed() });
    try {
      branch.write(tag);
      const written = branch.tokens.length;
      const stop = await branch.run({ maxTokens });
      generatedTokens = branch.tokens.length - written;
      if (stop !== "end") throw new RoleAnswerError(`the answer did not end within ${maxTokens} tokens`);
      const segments = branch.segments.filter((s) => s.complete);
      return { segments, text: branch.text, content: (event) => segments.find((s) => s.event === event)?.content };
    } finally {
      await branch.dispose();
      this.charge(charge, generatedTokens, evaluatedBefore, started);
    }
  }

  /**
   * The probability of each option of a choice segment, from one forward pass: the tag is written,
   * and the masked next-token distribution is grouped by the option each token begins (the options
   * must begin with different bytes). No sampling; charged as one call that generates nothing.
   */
  async choiceProbabilities(decoder: ConstrainedDecoder, prompt: RenderedPrompt, tag: string, options: readonly string[], charge: RoleCharge): Promise<Map<string, number>> {
    const firstBytes = options.map((o) => new TextEncoder().encode(o)[0]);
    if (new Set(firstBytes).size !== options.length) throw new Error(`choice options must begin with different bytes: ${options.join(", ")}`);
    const started = performance.now();
    const evaluatedBefore = this.backend.evaluatedTokens;
    const base = await this.branchPoint(decoder, prompt);
    const branch = await base.clone();
    try {
      branch.write(tag);
      const distribution = await branch.nextTokenDistribution();
      const byOption = new Map<string, number>(options.map((o) => [o, 0]));
      for (const [token, p] of distribution) {
        const bytes = decoder.index.bytesOf(token);
        const option = bytes === undefined ? undefined : options[firstBytes.indexOf(bytes[0]!)];
        if (option !== undefined) byOption.set(option, byOption.get(option)! + p);
      }
      return byOption;
    } finally {
      await branch.dispose();
      this.charge(charge, 0, evaluatedBefore, started);
    }
  }

  private charge(charge: RoleCharge, generatedTokens: number, evaluatedBefore: number, started: number): void {
    charge.budget.charge(charge.role, {
      calls: 1,
      generatedTokens,
      evaluatedTokens: this.backend.evaluatedTokens - evaluatedBefore,
      ms: performance.now() - started,
    });
  }

  /** The prompt's evaluated branch point; the prefix before its last piece (the role's question) is kept for later prompts. */
  private branchPoint(decoder: ConstrainedDecoder, prompt: RenderedPrompt) {
    const breaks = prompt.breaks ?? [];
    return this.cache.at(decoder, prompt.tokens, breaks, breaks.at(-2));
  }

  /** Releases the kept prefixes (the backend stays loaded: whoever loaded it disposes it). */
  async dispose(): Promise<void> {
    await this.cache.dispose();
  }

  private nextSeed(): number {
    return (this.options.seed ?? 0) * 1_000_003 + this.draws++;
  }
}
