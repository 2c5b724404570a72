import { compileSpec } from "../ltl/analysis.js";
import { parseSpec } from "../ltl/spec.js";
import type { RenderedPrompt, ThinkingBlock } from "./chat-template.js";
import { ConstrainedDecoder, type PromptTokens } from "./decoder.js";
import type { Generation, GenerationLimits, GenerationListener, SamplingOptions } from "./generation.js";
import type { LlamaBackend } from "./llama.js";

/** What a reasoning model thought before the spec's output. */
export interface Thought {
  /** The block's content, without its markers. */
  readonly text: string;
  /** Model tokens it took (markers included). */
  readonly tokens: number;
  /** False when the token limit cut it: the spec's output has not started. */
  readonly complete: boolean;
}

export interface StartedOutput {
  /**
   * The generation at the start of the spec's output (after the thinking block, if any); when the
   * thinking was cut by the token limit, the thinking's own generation, stopped at `max-tokens`.
   */
  readonly generation: Generation;
  /** Set when the prompt allows thinking. */
  readonly thought?: Thought;
}

/**
 * Starts the spec's output after a prompt. Where the prompt allows thinking, the model first
 * writes its thinking block under a spec of its own (the opening marker, free text that cannot
 * contain the closing marker and is at most `maxBytes` long, the closing marker), and the spec's
 * output follows on the same llama.cpp sequence, nothing evaluated twice. Without thinking this is
 * `decoder.start(prompt, sampling)`.
 */
export async function startOutput(
  decoder: ConstrainedDecoder,
  prompt: string | PromptTokens | RenderedPrompt,
  sampling: SamplingOptions = {},
  limits: Pick<GenerationLimits, "maxTokens"> = {},
  listener: Pick<GenerationListener, "onText"> = {},
): Promise<StartedOutput> {
  const block = typeof prompt === "object" && "thinking" in prompt ? prompt.thinking : undefined;
  if (block === undefined) return { generation: decoder.start(prompt, sampling) };
  const thinking = thinkingDecoder(decoder.backend, block).start(prompt, sampling);
  const stop = await thinking.run(limits, listener);
  const segment = thinking.segments[0];
  const thought = { text: segment?.content ?? "", tokens: thinking.tokens.length };
  if (stop !== "end") return { generation: thinking, thought: { ...thought, complete: false } };
  return { generation: await thinking.continueUnder(decoder.index, sampling), thought: { ...thought, complete: true } };
}

const decoders = new WeakMap<LlamaBackend, Map<string, ConstrainedDecoder>>();

/** The decoder for a thinking block on one model, built once per block shape. */
function thinkingDecoder(backend: LlamaBackend, block: ThinkingBlock): ConstrainedDecoder {
  const source = thinkingSpec(block);
  let byBlock = decoders.get(backend);
  if (byBlock === undefined) decoders.set(backend, (byBlock = new Map()));
  let decoder = byBlock.get(source);
  if (decoder === undefined) {
    decoder = ConstrainedDecoder.create(compileSpec(parseSpec(source, { file: "<thinking block>" })), backend, { precompute: false });
    byBlock.set(source, decoder);
  }
  return decoder;
}

/** The thinking block as a one-segment spec. */
export function thinkingSpec(block: ThinkingBlock): string {
  const limit = block.maxBytes !== undefined ? ` max ${block.maxBytes}` : "";
  return [
    "events think",
    `segment think ${JSON.stringify(block.open)} text until ${JSON.stringify(block.close)}${limit}`,
    "think & last",
    "",
  ].join("\n");
}
