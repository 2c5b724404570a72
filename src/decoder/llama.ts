import { existsSync } from "node:fs";
import { getLlama, TokenBias, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { inspectGguf, ModelFileError } from "../models/gguf-reader.js";
import type { TokenMask } from "./mask.js";
import { buildVocabulary, tokensToBytes, type TokenizerKind, type Vocabulary } from "./vocabulary.js";

/** Which accelerator llama.cpp may use. `auto` takes CUDA, Vulkan or Metal when a build for it loads, else the CPU. */
export type GpuChoice = "auto" | "cuda" | "vulkan" | "metal" | "off";

export interface LlamaBackendOptions {
  readonly modelPath: string;
  readonly gpu?: GpuChoice;
  /** CPU threads. On small machines 1–2 is much faster than llama.cpp's default of 4. Defaults to 1. */
  readonly threads?: number;
  /** Tokens of context per sequence. Defaults to 2048. */
  readonly contextSize?: number;
  /** How many generations may be alive at once (each holds a sequence of the context). Defaults to 1. */
  readonly sequences?: number;
}

/**
 * The logit added to allowed tokens when a mask is given as an allow-list. Disallowed tokens are
 * then at least this far below every allowed one, so their probability is below e^-900 at any
 * temperature up to 1 (and e^-450 at 2); float32 rounding of the shifted logits moves allowed
 * tokens' probabilities by at most ~1e-4 relative. Ban-lists use -Infinity and are exact.
 */
export const ALLOW_LIST_LOGIT = 1000;

/** llama.cpp itself could not start (e.g. no build for the requested accelerator). */
export class BackendStartError extends Error {
  override readonly name = "BackendStartError";
}

/**
 * A GGUF model loaded in llama.cpp through node-llama-cpp: the vocabulary as exact bytes, and
 * sequences for generations. The model file is checked before llama.cpp sees it, so a corrupt or
 * wrong file is an error naming the file and the problem.
 */
export class LlamaBackend {
  readonly vocabulary: Vocabulary;
  private readonly free: LlamaContextSequence[] = [];
  /** Tokens run through the model (prompt, sampled and supplied), to show what prefix sharing saves. */
  evaluatedTokens = 0;

  private constructor(
    readonly llama: Llama,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    readonly modelPath: string,
  ) {
    this.vocabulary = vocabularyOf(model, modelPath);
  }

  static async load(options: LlamaBackendOptions): Promise<LlamaBackend> {
    const { modelPath } = options;
    if (!existsSync(modelPath)) throw new ModelFileError(modelPath, "no such file");
    inspectGguf(modelPath);
    const gpu = options.gpu ?? "off";
    const llama = await getLlama({
      gpu: gpu === "off" ? false : gpu,
      build: "never",
      maxThreads: options.threads ?? 1,
      logLevel: "error" as never,
      progressLogs: false,
    }).catch((error: unknown) => {
      throw new BackendStartError(
        `llama.cpp could not start with --gpu ${gpu}: ${messageOf(error)}` +
          (gpu === "off" ? "" : "; no build for that accelerator works on this machine (use --gpu auto to fall back to the CPU)"),
      );
    });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath });
    } catch (error) {
      throw new ModelFileError(modelPath, `llama.cpp could not load it: ${messageOf(error)}`);
    }
    const context = await model.createContext({
      contextSize: options.contextSize ?? 2048,
      sequences: options.sequences ?? 1,
      threads: options.threads ?? 1,
      batchSize: 512,
    });
    return new LlamaBackend(llama, model, context, modelPath);
  }

  /** Text → tokens, exactly: the tokens' bytes are the text's bytes (no added space or BOS). */
  tokenize(text: string): number[] {
    const tokens = this.model.tokenize(text.normalize("NFC"), false, "trimLeadingSpace") as number[];
    const expected = new TextEncoder().encode(text.normalize("NFC"));
    const got = tokensToBytes(this.vocabulary, tokens);
    if (bytesEqual(got, expected)) return tokens;
    return greedyTokenize(this.vocabulary, expected);
  }

  /** Tokens for a prompt: the tokenizer's own (special tokens such as `<|im_start|>` recognized), with BOS where the model wants one. */
  tokenizePrompt(text: string): number[] {
    const tokens = this.model.tokenize(text.normalize("NFC"), true) as number[];
    const bos = this.model.tokens.bos;
    if (bos !== null && this.model.tokens.shouldPrependBosToken && tokens[0] !== bos) tokens.unshift(bos);
    return tokens;
  }

  /**
   * The token a generation with an empty prompt starts from: BOS where the model has one, else
   * its end-of-text token, which byte-level BPE models are trained to see between documents.
   */
  documentStartToken(): number {
    const bos = this.model.tokens.bos;
    if (bos !== null) return bos;
    const pieces = this.vocabulary.endOfGeneration;
    const endOfText = this.model.tokenize("<|endoftext|>", true);
    if (endOfText.length === 1 && pieces.includes(endOfText[0]!)) return endOfText[0]!;
    const eos = this.model.tokens.eos;
    if (eos !== null) return eos;
    throw new Error(`${this.modelPath}: the model has neither a BOS nor an EOS token; give a non-empty prompt`);
  }

  acquireSequence(): LlamaContextSequence {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.context.sequencesLeft === 0) {
      throw new Error(`all ${this.context.totalSequences} sequences of the context are in use; load the backend with more 'sequences'`);
    }
    const sequence = this.context.getSequence();
    acceptPrebuiltBiases(sequence);
    return sequence;
  }

  async releaseSequence(sequence: LlamaContextSequence): Promise<void> {
    await sequence.clearHistory();
    this.free.push(sequence);
  }

  /**
   * The bias for a mask, built once per mask: token ids and logits as the typed arrays llama.cpp's
   * sampler takes (see `acceptPrebuiltBiases`), or a `TokenBias` where that is not possible.
   */
  biasFor(mask: TokenMask): TokenBias | PrebuiltBias {
    const cached = mask.backendCache;
    if (cached instanceof TokenBias || cached instanceof PrebuiltBias) return cached;
    if (prebuiltBiasesWork) {
      const list = mask.allowed ?? mask.banned!;
      const logit = mask.allowed !== undefined ? ALLOW_LIST_LOGIT : -Infinity;
      const prebuilt = new PrebuiltBias(Uint32Array.from(list), this.constantLogits(logit, list.length));
      mask.backendCache = prebuilt;
      return prebuilt;
    }
    const bias = new TokenBias(this.model.tokenizer);
    // TokenBias.set() skips end-of-generation tokens and re-tokenizes its input; a mask needs
    // every token, EOG included, so the entries go straight into the map node-llama-cpp reads.
    const entries = (bias as unknown as { _biases: Map<Token, number> })._biases;
    if (!(entries instanceof Map)) throw new Error("this node-llama-cpp version keeps token biases differently; ltlguard needs 3.22.x");
    if (mask.allowed !== undefined) for (const token of mask.allowed) entries.set(token as Token, ALLOW_LIST_LOGIT);
    else for (const token of mask.banned!) entries.set(token as Token, -Infinity);
    mask.backendCache = bias;
    return bias;
  }

  private readonly logitRuns = new Map<number, Float32Array>();

  /** A view of `length` copies of `logit`, shared by all masks. */
  private constantLogits(logit: number, length: number): Float32Array {
    let run = this.logitRuns.get(logit);
    if (run === undefined || run.length < length) {
      run = new Float32Array(Math.max(length, this.vocabulary.size)).fill(logit);
      this.logitRuns.set(logit, run);
    }
    return run.subarray(0, length);
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}

/** A mask as llama.cpp's logit-bias sampler takes it: token ids and the logit added to each. */
export class PrebuiltBias {
  constructor(
    readonly keys: Uint32Array,
    readonly values: Float32Array,
  ) {}
}

interface SamplerConfigSource {
  _resolveSamplerConfig?: (options: { tokenBias?: unknown }) => Record<string, unknown>;
}

/** Whether this node-llama-cpp keeps the internal hook below (checked on the first sequence). */
let prebuiltBiasesWork = true;

/**
 * node-llama-cpp copies a `TokenBias` map into two typed arrays at every sampling step, which costs
 * in proportion to the listed tokens (tens of thousands right after a tag). A sequence patched here
 * hands a `PrebuiltBias`'s arrays, built once per mask, straight to the native sampler instead.
 * It relies on an internal method of node-llama-cpp 3.22 (`_resolveSamplerConfig`); where that is
 * missing, masks go through the public `TokenBias` and only get slower.
 */
function acceptPrebuiltBiases(sequence: LlamaContextSequence): void {
  const target = sequence as unknown as SamplerConfigSource;
  const resolve = target._resolveSamplerConfig;
  if (typeof resolve !== "function") {
    prebuiltBiasesWork = false;
    return;
  }
  target._resolveSamplerConfig = function (this: unknown, options: { tokenBias?: unknown }) {
    const bias = typeof options.tokenBias === "function" ? (options.tokenBias as () => unknown)() : options.tokenBias;
    if (!(bias instanceof PrebuiltBias)) return resolve.call(this, options);
    const config = resolve.call(this, { ...options, tokenBias: undefined });
    if (bias.keys.length > 0) {
      config["tokenBiasKeys"] = bias.keys;
      config["tokenBiasValues"] = bias.values;
    }
    return config;
  };
}

function vocabularyOf(model: LlamaModel, file: string): Vocabulary {
  const tokenizer = (model.fileInfo.metadata as { tokenizer?: { ggml?: Record<string, unknown> } }).tokenizer?.ggml;
  const pieces = tokenizer?.["tokens"];
  if (!Array.isArray(pieces)) throw new ModelFileError(file, "the model has no tokenizer.ggml.tokens list");
  const modelKind = tokenizer?.["model"];
  let kind: TokenizerKind;
  if (modelKind === "gpt2") kind = "byte-level-bpe";
  else if (modelKind === "llama") kind = "sentencepiece";
  else throw new ModelFileError(file, `tokenizer.ggml.model is ${JSON.stringify(modelKind)}; ltlguard supports "gpt2" (byte-level BPE) and "llama" (SentencePiece)`);
  const types = tokenizer?.["token_type"];
  const endOfGeneration: number[] = [];
  for (let id = 0; id < pieces.length; id++) if (model.isEogToken(id as Token)) endOfGeneration.push(id);
  return buildVocabulary({
    kind,
    pieces: pieces as string[],
    types: Array.isArray(types) || ArrayBuffer.isView(types) ? (types as ArrayLike<number>) : undefined,
    endOfGeneration,
  });
}

/** Longest-match tokenization over the vocabulary's bytes: always exact when single bytes are tokens. */
function greedyTokenize(vocabulary: Vocabulary, bytes: Uint8Array): number[] {
  const byFirst = new Map<number, number[]>();
  vocabulary.bytes.forEach((b, id) => {
    if (b === undefined) return;
    const list = byFirst.get(b[0]!) ?? [];
    list.push(id);
    byFirst.set(b[0]!, list);
  });
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let best = -1;
    let bestLength = 0;
    for (const id of byFirst.get(bytes[i]!) ?? []) {
      const piece = vocabulary.bytes[id]!;
      if (piece.length <= bestLength || i + piece.length > bytes.length) continue;
      let match = true;
      for (let j = 0; j < piece.length && match; j++) match = piece[j] === bytes[i + j];
      if (match) {
        best = id;
        bestLength = piece.length;
      }
    }
    if (best < 0) throw new Error(`the vocabulary cannot spell byte 0x${bytes[i]!.toString(16)} at offset ${i}`);
    out.push(best);
    i += bestLength;
  }
  return out;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message !== "" ? error.message : error.name;
}
