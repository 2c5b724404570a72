/**
 * A model's vocabulary as exact bytes: what text each token id stands for. Masks are computed on
 * these bytes, so they must be exact: byte-level BPE pieces are mapped back through GPT-2's
 * byte↔character table, SentencePiece pieces turn `▁` into a space and `<0xNN>` into one byte.
 */
export type TokenizerKind = "byte-level-bpe" | "sentencepiece";

/** llama.cpp's token types (GGUF `tokenizer.ggml.token_type`). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

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
