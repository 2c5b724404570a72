/**
 * A small SentencePiece-style vocabulary (llama.cpp tokenizer model "llama") with byte fallback:
 * <unk>, <s>, </s>, the 256 <0xNN> byte tokens, the characters common in the trace corpus, and
 * pieces learned by byte-pair merging over the corpus words (▁ marks a leading space, as in
 * SentencePiece). Every learned piece is the concatenation of two earlier pieces, so llama.cpp's
 * SPM tokenizer (which merges adjacent symbols whose concatenation is a piece, highest score first)
 * can reach it. Newlines have no piece: they are the byte token <0x0A>.
 */
import type { GgufValue } from "./gguf-format.js";
import { gv } from "./gguf-format.js";
import { TOKEN_TYPE } from "./qwen3-vocab.js";

export const SPM_SPACE = "\u2581";

export interface SpmVocabulary {
  tokens: string[];
  scores: Float32Array;
  tokenTypes: Int32Array;
  unkId: number;
  bosId: number;
  eosId: number;
}

export interface SpmVocabularyOptions {
  /** Number of merged pieces to learn. */
  merges: number;
  /** Characters seen fewer times than this are left to byte fallback. */
  minCharCount: number;
}

export const DEFAULT_SPM_OPTIONS: SpmVocabularyOptions = { merges: 160, minCharCount: 40 };

/** Words as SentencePiece sees them: spaces become ▁ attached to the following word. */
function corpusWords(texts: readonly string[]): Map<string, number> {
  const words = new Map<string, number>();
  for (const text of texts) {
    // llama.cpp prepends a space to the text (add_space_prefix) before escaping spaces.
    for (const line of (" " + text).split("\n")) {
      const escaped = line.replaceAll(" ", SPM_SPACE);
      for (const w of escaped.match(/\u2581*[^\u2581]+|\u2581+/gu) ?? []) words.set(w, (words.get(w) ?? 0) + 1);
    }
  }
  return words;
}

export function buildSpmVocabulary(texts: readonly string[], options: Partial<SpmVocabularyOptions> = {}): SpmVocabulary {
  const o = { ...DEFAULT_SPM_OPTIONS, ...options };
  const words = corpusWords(texts);

  const charCounts = new Map<string, number>();
  for (const [w, c] of words) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  const alphabet = [...charCounts.entries()]
    .filter(([, c]) => c >= o.minCharCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([ch]) => ch);
  const alphabetSet = new Set(alphabet);

  // Byte-pair merging over words; symbols outside the alphabet block merges across them.
  const entries = [...words.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const seqs = entries.map(([w]) => [...w]);
  const freq = entries.map(([, c]) => c);
  const pieces = new Set<string>(alphabet);
  const merged: string[] = [];
  for (let m = 0; m < o.merges; m++) {
    const pairCounts = new Map<string, number>();
    for (let i = 0; i < seqs.length; i++) {
      const s = seqs[i]!;
      for (let k = 0; k + 1 < s.length; k++) {
        if (!pieces.has(s[k]!) || !pieces.has(s[k + 1]!)) continue;
        const key = `${s[k]}\u0000${s[k + 1]}`;
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + freq[i]!);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, c] of pairCounts) {
      if (c > bestCount || (c === bestCount && best !== undefined && key < best)) { best = key; bestCount = c; }
    }
    if (best === undefined || bestCount < 2) break;
    const [left, right] = best.split("\u0000") as [string, string];
    const piece = left + right;
    merged.push(piece);
    pieces.add(piece);
    for (const s of seqs) {
      for (let k = 0; k + 1 < s.length; k++) {
        if (s[k] === left && s[k + 1] === right) s.splice(k, 2, piece);
      }
    }
  }

  const tokens: string[] = ["<unk>", "<s>", "</s>"];
  const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
  const scores: number[] = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TOKEN_TYPE.byte);
    scores.push(0);
  }
  // Learned pieces score by merge order (earlier merges first), single characters below them.
  merged.forEach((piece, i) => { tokens.push(piece); types.push(TOKEN_TYPE.normal); scores.push(-(i + 1)); });
  alphabet.forEach((ch, i) => {
    if (!alphabetSet.has(ch)) return;
    tokens.push(ch);
    types.push(TOKEN_TYPE.normal);
    scores.push(-(merged.length + 1 + i));
  });
  return {
    tokens,
    scores: Float32Array.from(scores),
    tokenTypes: Int32Array.from(types),
    unkId: 0,
    bosId: 1,
    eosId: 2,
  };
}

export function spmTokenizerMetadata(v: SpmVocabulary): [string, GgufValue][] {
  return [
    ["tokenizer.ggml.model", gv.str("llama")],
    ["tokenizer.ggml.tokens", gv.strings(v.tokens)],
    ["tokenizer.ggml.scores", gv.numbers("f32", v.scores)],
    ["tokenizer.ggml.token_type", gv.numbers("i32", v.tokenTypes)],
    ["tokenizer.ggml.bos_token_id", gv.u32(v.bosId)],
    ["tokenizer.ggml.eos_token_id", gv.u32(v.eosId)],
    ["tokenizer.ggml.unknown_token_id", gv.u32(v.unkId)],
    ["tokenizer.ggml.add_bos_token", gv.bool(true)],
    ["tokenizer.ggml.add_eos_token", gv.bool(false)],
    ["tokenizer.ggml.add_space_prefix", gv.bool(true)],
  ];
}
