import { inspectGguf, ModelFileError } from "../models/gguf-reader.js";
import { buildVocabulary, buildVocabularyFromTokenizerJson, type TokenizerJson, type TokenizerKind, type Vocabulary } from "./vocabulary.js";

/**
 * The token texts llama.cpp treats as end of generation whatever their type (its `llama_vocab`
 * load: EOT, EOM, the fill-in-the-middle pad and separators, `</s>`), besides the ids the file
 * names explicitly.
 */
const END_OF_GENERATION_TEXTS = new Set([
  "</s>",
  "<|fim_pad|>",
  "<|repo_name|>",
  "<|file_sep|>",
  "<end_of_utterance>",
  "<|eot_id|>",
  "<|eom_id|>",
  "<|im_end|>",
  "<|end|>",
  "<end_of_turn>",
  "<|endoftext|>",
  "<|end_of_text|>",
  "<EOT>",
  "_<EOT>",
  "<｜end▁of▁sentence｜>",
  "<|return|>",
  "<|call|>",
]);

export interface FromTokenizerJsonOptions {
  /** Every token id that ends generation (e.g. Llama 3's 128001 and 128009, Qwen3's 151645 and 151643). */
  readonly endOfGeneration: readonly number[];
  /** The model's logit count, when it exceeds the tokenizer's ids (padding rows, never generated). */
  readonly size?: number;
}

/**
 * Vocabulary factories for outside code (a server, a transformers.js or WebLLM loop): a token
 * id → bytes table from a Hugging Face `tokenizer.json`, or from a GGUF file's metadata without
 * loading the model. Compile constraints against it with `compileConstraint`.
 */
export const VocabularyFactory = {
  /** From a parsed `tokenizer.json` (byte-level BPE or SentencePiece-style); `endOfGeneration` from the model's config. */
  fromTokenizerJson(json: unknown, options: FromTokenizerJsonOptions): Vocabulary {
    if (typeof json !== "object" || json === null || typeof (json as { model?: unknown }).model !== "object") {
      throw new TypeError("Vocabulary.fromTokenizerJson: expected a parsed tokenizer.json (an object with a 'model')");
    }
    if (!Array.isArray(options?.endOfGeneration) || options.endOfGeneration.some((t) => !Number.isInteger(t) || t < 0)) {
      throw new TypeError("Vocabulary.fromTokenizerJson: options.endOfGeneration must list the token ids that end generation");
    }
    return buildVocabularyFromTokenizerJson(json as TokenizerJson, { endOfGeneration: options.endOfGeneration, size: options.size });
  },

  /**
   * From a GGUF file's tokenizer metadata (checked first; the weights are not read). End of
   * generation: the file's EOS/EOT/EOM ids and the tokens llama.cpp treats as such by their text.
   * `LlamaBackend.load(…).vocabulary` gives the same table with llama.cpp's own answer.
   */
  fromGguf(path: string): Vocabulary {
    const info = inspectGguf(path);
    const tokens = info.metadata.get("tokenizer.ggml.tokens");
    if (tokens?.type !== "array" || tokens.itemType !== "string") throw new ModelFileError(path, "the model has no tokenizer.ggml.tokens list");
    const pieces = Array.from(tokens.value as ArrayLike<string>);
    let kind: TokenizerKind;
    if (info.tokenizerModel === "gpt2") kind = "byte-level-bpe";
    else if (info.tokenizerModel === "llama") kind = "sentencepiece";
    else throw new ModelFileError(path, `tokenizer.ggml.model is ${JSON.stringify(info.tokenizerModel)}; ltlguard supports "gpt2" (byte-level BPE) and "llama" (SentencePiece)`);
    const typeValue = info.metadata.get("tokenizer.ggml.token_type");
    const types = typeValue?.type === "array" && typeValue.itemType !== "string" ? Array.from(typeValue.value as ArrayLike<number>, Number) : undefined;
    const endOfGeneration = new Set<number>();
    for (const key of ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"]) {
      const id = info.getNumber(key);
      if (id !== undefined && id >= 0 && id < pieces.length) endOfGeneration.add(id);
    }
    pieces.forEach((piece, id) => {
      if (END_OF_GENERATION_TEXTS.has(piece)) endOfGeneration.add(id);
    });
    return buildVocabulary({ kind, pieces, types, endOfGeneration: [...endOfGeneration] });
  },
};
