/**
 * A model's vocabulary as exact bytes: what text each token id stands for. Masks are computed on
 * these bytes, so they must be exact: byte-level BPE pieces are mapped back through GPT-2's
 * byte↔character table, SentencePiece pieces turn `▁` into a space and `<0xNN>` into one byte.
 */
export type TokenizerKind = "byte-level-bpe" | "sentencepiece";

/** llama.cpp's token types (GGUF `tokenizer.ggml.token_type`). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** A vocabulary as bytes; `Vocabulary.fromTokenizerJson` / `Vocabulary.fromGguf` (vocabulary-sources.ts) build one. */
export interface Vocabulary {
  readonly kind: TokenizerKind;
  readonly size: number;
  /**
   * The bytes of each token, or undefined for tokens that are never generated as text: control
   * and special tokens, unknown and unused ones, user-defined markup (e.g. `<think>`) and the
   * end-of-generation tokens (which the mask handles separately).
   */
  readonly bytes: readonly (Uint8Array | undefined)[];
  /** Every token that ends generation (llama.cpp's notion, which can include ordinary-looking pieces). */
  readonly endOfGeneration: readonly number[];
  /** The longest token, in bytes. */
  readonly maxTokenBytes: number;
  /**
   * The text of control and user-defined tokens (e.g. `<think>`, `<|im_start|>`), which are never
   * generated as text unless a spec names them literally (in a tag, an end string or a choice).
   */
  readonly special: ReadonlyMap<number, Uint8Array>;
}

export interface VocabularySource {
  readonly kind: TokenizerKind;
  readonly pieces: readonly string[];
  /** Token types; a missing entry counts as normal. */
  readonly types?: ArrayLike<number>;
  readonly endOfGeneration: readonly number[];
}

/** The GPT-2 table: which character stands for each byte in byte-level BPE pieces. */
function byteLevelDecoder(): Map<number, number> {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const decoder = new Map<number, number>();
  for (const b of printable) decoder.set(b, b);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (!printable.includes(b)) decoder.set(256 + extra++, b);
  }
  return decoder;
}

const SPM_SPACE = "\u2581";
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

export function buildVocabulary(source: VocabularySource): Vocabulary {
  const encoder = new TextEncoder();
  const byteLevel = source.kind === "byte-level-bpe" ? byteLevelDecoder() : undefined;
  const eog = new Set(source.endOfGeneration);
  const bytes: (Uint8Array | undefined)[] = new Array(source.pieces.length);
  const special = new Map<number, Uint8Array>();
  let maxTokenBytes = 0;
  for (let id = 0; id < source.pieces.length; id++) {
    const piece = source.pieces[id]!;
    const type = source.types?.[id] ?? TOKEN_TYPE.normal;
    let value: Uint8Array | undefined;
    if (eog.has(id) || (type !== TOKEN_TYPE.normal && type !== TOKEN_TYPE.byte)) value = undefined;
    else if (byteLevel !== undefined) value = decodeByteLevel(piece, byteLevel);
    else {
      const byte = BYTE_PIECE.exec(piece);
      value = byte !== null && type === TOKEN_TYPE.byte ? Uint8Array.of(parseInt(byte[1]!, 16)) : encoder.encode(piece.replaceAll(SPM_SPACE, " "));
    }
    if (value !== undefined && value.length === 0) value = undefined;
    if ((type === TOKEN_TYPE.control || type === TOKEN_TYPE.userDefined) && !eog.has(id) && piece.length > 0) {
      special.set(id, encoder.encode(piece));
    }
    bytes[id] = value;
    if (value !== undefined && value.length > maxTokenBytes) maxTokenBytes = value.length;
  }
  return { kind: source.kind, size: source.pieces.length, bytes, endOfGeneration: [...eog].sort((a, b) => a - b), maxTokenBytes, special };
}

function decodeByteLevel(piece: string, decoder: Map<number, number>): Uint8Array | undefined {
  const out = new Uint8Array(piece.length * 2);
  let n = 0;
  for (const ch of piece) {
    const byte = decoder.get(ch.codePointAt(0)!);
    // A piece with a character outside the table is not a byte-level piece: never generate it.
    if (byte === undefined) return undefined;
    out[n++] = byte;
  }
  return out.slice(0, n);
}

/** The bytes a token sequence writes (tokens without text, such as control tokens, write nothing). */
export function tokensToBytes(vocabulary: Vocabulary, tokens: readonly number[]): Uint8Array {
  const parts = tokens.map((t) => vocabulary.bytes[t] ?? new Uint8Array(0));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The parts of a Hugging Face `tokenizer.json` that say what text each token id stands for. */
export interface TokenizerJson {
  readonly model: {
    readonly type?: string;
    /** BPE and WordPiece: piece → id. Unigram: [piece, score] pairs in id order. */
    readonly vocab: Readonly<Record<string, number>> | readonly (readonly [string, number])[];
    readonly unk_token?: string | null;
    readonly unk_id?: number | null;
    readonly byte_fallback?: boolean;
  };
  readonly added_tokens?: readonly { readonly id: number; readonly content: string; readonly special?: boolean }[];
  readonly decoder?: TokenizerJsonComponent | null;
  readonly pre_tokenizer?: TokenizerJsonComponent | null;
}

interface TokenizerJsonComponent {
  readonly type?: string;
  readonly decoders?: readonly TokenizerJsonComponent[];
  readonly pretokenizers?: readonly TokenizerJsonComponent[];
}

function componentTypes(component: TokenizerJsonComponent | null | undefined): string[] {
  if (component === null || component === undefined) return [];
  return [component.type ?? "", ...[...(component.decoders ?? []), ...(component.pretokenizers ?? [])].flatMap(componentTypes)];
}

/**
 * How a tokenizer.json's pieces spell bytes: GPT-2's byte-level table (a ByteLevel decoder or
 * pre-tokenizer), or SentencePiece's `▁` and `<0xNN>` (Metaspace, ByteFallback, or a Unigram model).
 */
export function tokenizerJsonKind(json: TokenizerJson): TokenizerKind {
  const types = [...componentTypes(json.decoder), ...componentTypes(json.pre_tokenizer)];
  if (types.includes("ByteLevel")) return "byte-level-bpe";
  if (types.includes("Metaspace") || types.includes("ByteFallback") || json.model.byte_fallback === true || json.model.type === "Unigram") return "sentencepiece";
  throw new Error(
    `unsupported tokenizer.json: model ${json.model.type ?? "?"} with decoder ${types.join("/") || "none"}; ltlguard reads byte-level BPE and SentencePiece-style vocabularies`,
  );
}

/**
 * A vocabulary from a Hugging Face `tokenizer.json` (what transformers.js tokenizes with), laid out
 * like the GGUF vocabularies: added special tokens count as control tokens, other added tokens
 * (`<think>`, …) as user-defined ones, `<0xNN>` pieces of a byte-fallback model as byte tokens.
 * `size` is the model's logit count, which may exceed the tokenizer's ids (padding rows, never
 * generated); `endOfGeneration` comes from the model's configuration.
 */
export function buildVocabularyFromTokenizerJson(json: TokenizerJson, options: { size?: number; endOfGeneration: readonly number[] }): Vocabulary {
  const kind = tokenizerJsonKind(json);
  const entries: [string, number][] = Array.isArray(json.model.vocab)
    ? (json.model.vocab as readonly (readonly [string, number])[]).map(([piece], id) => [piece, id])
    : Object.entries(json.model.vocab as Record<string, number>);
  const added = json.added_tokens ?? [];
  let count = options.size ?? 0;
  for (const [, id] of entries) count = Math.max(count, id + 1);
  for (const token of added) count = Math.max(count, token.id + 1);
  const pieces: string[] = new Array<string>(count).fill("");
  const types = new Uint8Array(count).fill(TOKEN_TYPE.unused);
  for (const [piece, id] of entries) {
    pieces[id] = piece;
    types[id] = kind === "sentencepiece" && BYTE_PIECE.test(piece) ? TOKEN_TYPE.byte : TOKEN_TYPE.normal;
  }
  const unkPiece = json.model.unk_token;
  const unknown = json.model.unk_id ?? (typeof unkPiece === "string" ? entries.find(([piece]) => piece === unkPiece)?.[1] : undefined);
  if (typeof unknown === "number" && unknown >= 0 && unknown < count) types[unknown] = TOKEN_TYPE.unknown;
  for (const token of added) {
    pieces[token.id] = token.content;
    types[token.id] = token.special === true ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined;
  }
  return buildVocabulary({ kind, pieces, types, endOfGeneration: options.endOfGeneration });
}
