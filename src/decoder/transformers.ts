/**
 * Constrained decoding on transformers.js (ONNX Runtime in Node): the same masks as the llama.cpp
 * backend (a `MaskIndex` over the composed output automaton), applied by a transformers.js
 * `LogitsProcessor` inside `model.generate()`.
 *
 * Environment-written segments: when the spec says the environment writes next, generation stops
 * with reason "environment", unless the caller passes an `environment` callback, which is asked
 * for the content; it is checked against the segment's format, appended, and generation goes on
 * (re-running the whole sequence through the model: this backend keeps no cache between rounds).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { AutoModelForCausalLM, AutoTokenizer, env, LogitsProcessorList, StoppingCriteriaList, Tensor } from "@huggingface/transformers";
import { runBytes } from "../grammars/byte-dfa.js";
import { composeOutput, type OutputAutomaton } from "../grammars/output.js";
import type { CompiledSpec } from "../ltl/analysis.js";
import { rejectDeadEnds } from "./decoder.js";
import { ModelFileError } from "../models/gguf-reader.js";
import { SegmentContentError, type Awaiting, type StopReason } from "./generation.js";
import { MaskIndex } from "./mask.js";
import { OutputTracker, SeededSamplingProcessor, SpecMaskLogitsProcessor, SpecStoppingCriteria } from "./transformers-processors.js";
import { buildVocabularyFromTokenizerJson, tokensToBytes, type TokenizerJson, type Vocabulary } from "./vocabulary.js";

/** ONNX weight variants transformers.js knows, and the file name suffix of each (`onnx/model<suffix>.onnx`). */
export const ONNX_DTYPE_SUFFIX = {
  fp32: "",
  fp16: "_fp16",
  q8: "_quantized",
  int8: "_int8",
  uint8: "_uint8",
  q4: "_q4",
  q4f16: "_q4f16",
  bnb4: "_bnb4",
} as const;
export type OnnxDtype = keyof typeof ONNX_DTYPE_SUFFIX;

export interface TransformersBackendOptions {
  /** A folder with config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx (or the variant of `dtype`). */
  readonly modelDir: string;
  /** Which ONNX file to run (default fp32: onnx/model.onnx). */
  readonly dtype?: OnnxDtype;
  /** ONNX Runtime intra-op threads (default 1: small models run fastest single-threaded on small machines). */
  readonly threads?: number;
}

export interface TransformersGenerateOptions {
  /** Seeds the sampler: the same seed, model, spec and prompt give the same output. */
  readonly seed?: number;
  /** 0 (the default) is greedy: the most likely allowed token. */
  readonly temperature?: number;
  /** Most tokens the model writes (environment text not counted); default 256. */
  readonly maxTokens?: number;
  /**
   * Writes environment segments. Without it, generation stops with reason "environment" where the
   * environment must write. Return undefined to stop there as well.
   */
  readonly environment?: (request: Awaiting) => EnvironmentText | undefined | Promise<EnvironmentText | undefined>;
}

/** Content for an environment segment; `event` may be left out when only one is possible. */
export interface EnvironmentText {
  readonly event?: string;
  readonly content: string;
}

export interface TransformersOutput {
  /** The output (model and environment text; no prompt). */
  readonly text: string;
  readonly stop: StopReason;
  /** The output's tokens. */
  readonly tokens: readonly number[];
  /** How many of them the model chose. */
  readonly modelTokens: number;
  /** Set when stopped for the environment: what it must write. */
  readonly awaiting?: Awaiting;
}

/** The minimal surface of a transformers.js causal LM used here. */
interface CausalLm {
  generate(options: Record<string, unknown>): Promise<unknown>;
  dispose(): Promise<unknown>;
}

interface Tokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  readonly bos_token_id?: number | null;
  readonly eos_token_id?: number | null;
}

/** transformers.js reads its settings from one global `env`: loads are serialized so that they do not see each other's. */
let loadChain: Promise<unknown> = Promise.resolve();

/**
 * A causal LM loaded by transformers.js from a local folder, with its vocabulary as exact bytes.
 * Nothing is downloaded: remote models are switched off, and a missing file is reported by name
 * before transformers.js is asked (its own errors for missing files are hard to read).
 */
export class TransformersBackend {
  private readonly indexes = new WeakMap<OutputAutomaton, MaskIndex>();
  private readonly automata = new WeakMap<CompiledSpec, OutputAutomaton>();
  private byFirstByte: Map<number, number[]> | undefined;

  private constructor(
    readonly modelDir: string,
    readonly model: CausalLm,
    readonly tokenizer: Tokenizer,
    readonly vocabulary: Vocabulary,
    private readonly bosToken: number | undefined,
  ) {}

  static async load(options: TransformersBackendOptions): Promise<TransformersBackend> {
    const dir = resolve(options.modelDir);
    const dtype = options.dtype ?? "fp32";
    const files = checkModelFolder(dir, dtype);
    const config = readJson(files.config) as ModelConfig;
    const tokenizerJson = readJson(files.tokenizer) as TokenizerJson;
    if (typeof tokenizerJson?.model !== "object" || tokenizerJson.model === null || typeof tokenizerJson.model.vocab !== "object") {
      throw new ModelFileError(files.tokenizer, "has no model.vocab: not a Hugging Face tokenizer.json");
    }
    const generationConfig = existsSync(join(dir, "generation_config.json")) ? (readJson(join(dir, "generation_config.json")) as ModelConfig) : {};

    const load = async (): Promise<[Tokenizer, CausalLm]> => {
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = dirname(dir) + sep;
      const id = basename(dir);
      const tokenizer = (await AutoTokenizer.from_pretrained(id, { local_files_only: true })) as unknown as Tokenizer;
      const model = (await AutoModelForCausalLM.from_pretrained(id, {
        local_files_only: true,
        device: "cpu",
        dtype,
        session_options: { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 },
      })) as unknown as CausalLm;
      return [tokenizer, model];
    };
    const loading = loadChain.then(load);
    loadChain = loading.catch(() => undefined);
    let tokenizer: Tokenizer, model: CausalLm;
    try {
      [tokenizer, model] = await loading;
    } catch (error) {
      throw new ModelFileError(dir, `transformers.js could not load the model: ${error instanceof Error ? error.message : String(error)}`);
    }

    // Generation ends at any of the ids the configuration names as end of sequence.
    const eog = new Set<number>();
    for (const source of [generationConfig.eos_token_id, config.eos_token_id, tokenizer.eos_token_id]) {
      for (const id of Array.isArray(source) ? source : [source]) if (typeof id === "number") eog.add(id);
    }
    if (eog.size === 0) throw new ModelFileError(files.config, "names no end-of-sequence token (eos_token_id), so no output could end");
    let vocabulary: Vocabulary;
    try {
      vocabulary = buildVocabularyFromTokenizerJson(tokenizerJson, {
        ...(typeof config.vocab_size === "number" ? { size: config.vocab_size } : {}),
        endOfGeneration: [...eog],
      });
    } catch (error) {
      throw new ModelFileError(files.tokenizer, error instanceof Error ? error.message : String(error));
    }
    const bos = [tokenizer.bos_token_id, generationConfig.bos_token_id, config.bos_token_id].find((id): id is number => typeof id === "number");
    return new TransformersBackend(dir, model, tokenizer, vocabulary, bos);
  }

  /** The output automaton of a spec (composed once per compiled spec). */
  automatonFor(spec: CompiledSpec | OutputAutomaton): OutputAutomaton {
    if (isOutputAutomaton(spec)) return spec;
    let automaton = this.automata.get(spec);
    if (automaton === undefined) {
      automaton = composeOutput(spec);
      this.automata.set(spec, automaton);
    }
    return automaton;
  }

  /**
   * The masks of a spec for this model's vocabulary (built once per automaton). A spec that could
   * leave generation stuck with this vocabulary is rejected, as `ConstrainedDecoder.create` does.
   */
  maskIndexFor(spec: CompiledSpec | OutputAutomaton): MaskIndex {
    const automaton = this.automatonFor(spec);
    let index = this.indexes.get(automaton);
    if (index === undefined) {
      index = new MaskIndex(automaton, this.vocabulary);
      rejectDeadEnds(index, this.modelDir);
      this.indexes.set(automaton, index);
    }
    return index;
  }

  /**
   * Generates one output under the spec after `prompt` (plain text, special tokens recognized; an
   * empty prompt starts from the model's BOS token). Tokens are sampled from the model's
   * distribution restricted to the tokens the spec allows, renormalized.
   */
  async generateConstrained(spec: CompiledSpec | OutputAutomaton, prompt: string, options: TransformersGenerateOptions = {}): Promise<TransformersOutput> {
    const index = this.maskIndexFor(spec);
    const maxTokens = options.maxTokens ?? 256;
    let promptTokens = prompt.length > 0 ? this.tokenizePrompt(prompt) : [];
    if (promptTokens.length === 0) promptTokens = [this.documentStartToken()];
    const tracker = new OutputTracker(index, promptTokens.length);
    const processors = new LogitsProcessorList();
    processors.push(new SpecMaskLogitsProcessor(tracker));
    // The mask processor runs first and brings the tracker up to date, so its mask is this step's.
    processors.push(new SeededSamplingProcessor(options.temperature ?? 0, options.seed ?? 0, () => tracker.mask().allowed));
    const stopping = new StoppingCriteriaList();
    stopping.push(new SpecStoppingCriteria(tracker, maxTokens));
    const result = (stop: StopReason, awaiting?: Awaiting): TransformersOutput => ({
      text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(tracker.output),
      stop,
      tokens: [...tracker.tokens],
      modelTokens: tracker.modelTokens,
      ...(awaiting !== undefined ? { awaiting } : {}),
    });

    for (;;) {
      if (tracker.ended) return result("end");
      const waiting = tracker.awaiting();
      if (waiting !== undefined) {
        const reply = options.environment === undefined ? undefined : await options.environment(waiting);
        if (reply === undefined) return result("environment", waiting);
        this.supply(tracker, waiting, reply);
        continue;
      }
      if (tracker.modelTokens >= maxTokens) return result("max-tokens");
      const sequence = [...promptTokens, ...tracker.tokens];
      const before = tracker.modelTokens;
      await this.model.generate({
        input_ids: new Tensor("int64", BigInt64Array.from(sequence, (t) => BigInt(t)), [1, sequence.length]),
        attention_mask: new Tensor("int64", new BigInt64Array(sequence.length).fill(1n), [1, sequence.length]),
        max_new_tokens: maxTokens - tracker.modelTokens,
        // Our processors choose the token; transformers.js only takes the one finite logit. Every
        // other built-in processor is switched off, whatever the model's generation_config.json says.
        do_sample: false,
        num_beams: 1,
        num_return_sequences: 1,
        repetition_penalty: 1,
        no_repeat_ngram_size: 0,
        bad_words_ids: null,
        min_length: 0,
        min_new_tokens: null,
        forced_bos_token_id: null,
        forced_eos_token_id: null,
        suppress_tokens: null,
        begin_suppress_tokens: null,
        guidance_scale: null,
        eos_token_id: [...this.vocabulary.endOfGeneration],
        logits_processor: processors,
        stopping_criteria: stopping,
      });
      // generate() may only stop for our reasons; anything else (a length limit of the model's
      // configuration) would otherwise loop here forever.
      if (tracker.modelTokens === before && !tracker.ended) throw new Error(`transformers.js stopped generating without choosing a token (sequence of ${sequence.length} tokens)`);
    }
  }

  /** Text → tokens, exactly: the tokens' bytes are the text's bytes (special-token text is spelled with ordinary tokens). */
  tokenize(text: string): number[] {
    const normalized = text.normalize("NFC");
    const tokens = this.tokenizer.encode(normalized, { add_special_tokens: false });
    const expected = new TextEncoder().encode(normalized);
    if (bytesEqual(tokensToBytes(this.vocabulary, tokens), expected)) return tokens;
    return this.longestMatchTokenize(expected);
  }

  /** Tokens for a prompt: the tokenizer's own, special tokens such as `<|im_start|>` recognized. */
  tokenizePrompt(text: string): number[] {
    return this.tokenizer.encode(text.normalize("NFC"), { add_special_tokens: true });
  }

  /** The token an output with an empty prompt starts from: BOS, else the first end-of-sequence token (as documents are separated in training). */
  documentStartToken(): number {
    return this.bosToken ?? this.vocabulary.endOfGeneration[0]!;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }

  /** Appends environment text after checking it, as `Generation.supply` does. */
  private supply(tracker: OutputTracker, waiting: Awaiting, reply: EnvironmentText): void {
    const a = tracker.index.automaton;
    const name = reply.event ?? (waiting.events.length === 1 ? waiting.events[0]! : undefined);
    if (name === undefined) throw new SegmentContentError("?", `say which segment is supplied: one of ${waiting.events.join(", ")}`);
    if (!waiting.events.includes(name)) throw new SegmentContentError(name, `the spec does not allow this segment here; it allows ${waiting.events.join(", ")}`);
    const e = a.formats.findIndex((f) => f.event === name);
    const format = a.formats[e]!;
    const encoder = new TextEncoder();
    const body = encoder.encode(reply.content.normalize("NFC") + format.end);
    const end = runBytes(a.segments[e]!, body);
    if (end < 0 || a.segments[e]!.accepting[end] !== 1) throw new SegmentContentError(name, `${JSON.stringify(reply.content)} does not fit the segment's format`);
    const q = a.eventState[tracker.automatonState]!;
    const tag = waiting.tagWritten ? new Uint8Array(0) : encoder.encode(format.tag);
    let s = tracker.automatonState;
    for (const byte of tag) {
      s = a.transitions[s * 256 + byte]!;
      if (s < 0) throw new Error(`internal error: the tag of '${name}' leaves the language`);
    }
    const bytes = new Uint8Array(tag.length + body.length);
    bytes.set(tag, 0);
    bytes.set(body, tag.length);
    tracker.appendEnvironment(bytes, this.tokenize(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes)), a.boundaryAfter(q, e));
  }

  /** Longest-match tokenization over the vocabulary's bytes (exact whenever single bytes are tokens). */
  private longestMatchTokenize(bytes: Uint8Array): number[] {
    if (this.byFirstByte === undefined) {
      this.byFirstByte = new Map();
      this.vocabulary.bytes.forEach((b, id) => {
        if (b === undefined) return;
        const list = this.byFirstByte!.get(b[0]!) ?? [];
        list.push(id);
        this.byFirstByte!.set(b[0]!, list);
      });
    }
    const out: number[] = [];
    for (let i = 0; i < bytes.length; ) {
      let best = -1;
      let length = 0;
      for (const id of this.byFirstByte.get(bytes[i]!) ?? []) {
        const piece = this.vocabulary.bytes[id]!;
        if (piece.length <= length || i + piece.length > bytes.length) continue;
        let match = true;
        for (let j = 1; j < piece.length && match; j++) match = piece[j] === bytes[i + j];
        if (match) {
          best = id;
          length = piece.length;
        }
      }
      if (best < 0) throw new Error(`the vocabulary of ${this.modelDir} cannot spell byte 0x${bytes[i]!.toString(16)}`);
      out.push(best);
      i += length;
    }
    return out;
  }
}

interface ModelConfig {
  readonly vocab_size?: unknown;
  readonly eos_token_id?: unknown;
  readonly bos_token_id?: unknown;
}

/** Checks the files transformers.js will read, naming the first one missing or unreadable. */
export function checkModelFolder(dir: string, dtype: OnnxDtype = "fp32"): { config: string; tokenizer: string; onnx: string } {
  if (!existsSync(dir)) throw new ModelFileError(dir, "no such model folder");
  if (!statSync(dir).isDirectory()) throw new ModelFileError(dir, "is not a folder (a transformers.js model is a folder with config.json, tokenizer.json and onnx/model.onnx)");
  const suffix = ONNX_DTYPE_SUFFIX[dtype];
  if (suffix === undefined) throw new Error(`unknown dtype ${String(dtype)} (known: ${Object.keys(ONNX_DTYPE_SUFFIX).join(", ")})`);
  const files = {
    config: join(dir, "config.json"),
    tokenizer: join(dir, "tokenizer.json"),
    tokenizerConfig: join(dir, "tokenizer_config.json"),
    onnx: join(dir, "onnx", `model${suffix}.onnx`),
  };
  for (const [what, path] of [
    ["the model configuration", files.config],
    ["the tokenizer", files.tokenizer],
    ["the tokenizer configuration", files.tokenizerConfig],
    [`the ONNX weights (${dtype})`, files.onnx],
  ] as const) {
    if (!existsSync(path)) throw new ModelFileError(path, `missing: ${what} (transformers.js model folders hold config.json, tokenizer.json, tokenizer_config.json and onnx/model${suffix}.onnx)`);
  }
  const config = readJson(files.config);
  if (typeof config !== "object" || config === null || typeof (config as { model_type?: unknown }).model_type !== "string") {
    throw new ModelFileError(files.config, "has no model_type (transformers.js picks the model class from it)");
  }
  return files;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ModelFileError(path, `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isOutputAutomaton(value: CompiledSpec | OutputAutomaton): value is OutputAutomaton {
  return (value as OutputAutomaton).transitions instanceof Int32Array;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
