/**
 * Reads and validates a GGUF file's header (metadata and tensor infos) without loading the tensor
 * data, so that a bad model file gets a one-line explanation naming the file and the problem
 * instead of a crash inside llama.cpp or a raw RangeError from a buffer read.
 *
 * Every problem is reported as a `ModelFileError`. Counts and lengths read from the file are
 * checked against what the rest of the file could possibly hold before anything is allocated.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import {
  alignUp,
  f16BitsToF32,
  GGML_MAX_DIMS,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_SCALAR_SIZES,
  GGUF_VALUE_TYPE_NAMES,
  type GgufArrayValue,
  type GgufValue,
  type GgufValueTypeName,
} from "./gguf-format.js";

/** A model file that cannot be used, with the file and the problem in plain words. */
export class ModelFileError extends Error {
  override name = "ModelFileError";
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the contiguous dimension. */
  dims: number[];
  /** ggml type code (0 F32, 1 F16, …) and its name. */
  type: number;
  typeName: string;
  /** Offset relative to the start of the data section, as stored. */
  offset: number;
  /** Absolute offset of the first byte in the file. */
  fileOffset: number;
  byteLength: number;
}

export interface GgufInfo {
  file: string;
  fileSize: number;
  version: number;
  alignment: number;
  /** Absolute offset where the tensor data section starts. */
  dataOffset: number;
  /** All metadata in file order. Numeric arrays come back as typed arrays. */
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  /** `general.architecture`. */
  architecture: string;
  /** `tokenizer.ggml.model` ("gpt2", "llama", …). */
  tokenizerModel: string;
  /** Number of entries in `tokenizer.ggml.tokens`. */
  vocabularySize: number;
  /** Convenience accessors. */
  getString(key: string): string | undefined;
  getNumber(key: string): number | undefined;
  tensor(name: string): GgufTensorInfo | undefined;
}

export interface InspectOptions {
  /**
   * Check only the container (magic, version, metadata, tensor extents), not the llama.cpp keys
   * and vocabulary. Default false.
   */
  containerOnly?: boolean;
}

/** Strings and arrays larger than this are refused outright (llama.cpp uses the same limits). */
const MAX_STRING_BYTES = 1 << 30;
const MAX_ARRAY_ITEMS = 1 << 30;
const MAX_NESTING = 8;
const WINDOW = 1 << 20;

class HeaderCursor {
  pos = 0;
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  /** What is being read, for error messages. */
  context = "the header";
  /** Index of the array element being read, if any. */
  element: number | undefined;

  private where(): string {
    return this.element === undefined ? this.context : `${this.context}, element ${this.element}`;
  }

  constructor(
    private readonly fd: number,
    readonly fileSize: number,
    private readonly fail: (problem: string) => never,
  ) {}

  get remaining(): number {
    return this.fileSize - this.pos;
  }

  private ensure(n: number): number {
    if (this.pos + n > this.fileSize) {
      this.fail(`truncated: the file ends at byte ${this.fileSize} while reading ${this.where()} (needs bytes ${this.pos}..${this.pos + n})`);
    }
    const rel = this.pos - this.bufStart;
    if (rel >= 0 && rel + n <= this.buf.length) return rel;
    const size = Math.min(Math.max(n, WINDOW), this.fileSize - this.pos);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const r = readSync(this.fd, buf, got, size - got, this.pos + got);
      if (r === 0) break;
      got += r;
    }
    if (got < n) this.fail(`truncated: could read only ${this.pos + got} of ${this.fileSize} bytes`);
    this.buf = buf.subarray(0, got);
    this.bufStart = this.pos;
    return 0;
  }

  u8(): number { const r = this.ensure(1); this.pos += 1; return this.buf.readUInt8(r); }
  i8(): number { const r = this.ensure(1); this.pos += 1; return this.buf.readInt8(r); }
  u16(): number { const r = this.ensure(2); this.pos += 2; return this.buf.readUInt16LE(r); }
  i16(): number { const r = this.ensure(2); this.pos += 2; return this.buf.readInt16LE(r); }
  u32(): number { const r = this.ensure(4); this.pos += 4; return this.buf.readUInt32LE(r); }
  i32(): number { const r = this.ensure(4); this.pos += 4; return this.buf.readInt32LE(r); }
  f32(): number { const r = this.ensure(4); this.pos += 4; return this.buf.readFloatLE(r); }
  f64(): number { const r = this.ensure(8); this.pos += 8; return this.buf.readDoubleLE(r); }
  u64(): bigint { const r = this.ensure(8); this.pos += 8; return this.buf.readBigUInt64LE(r); }
  i64(): bigint { const r = this.ensure(8); this.pos += 8; return this.buf.readBigInt64LE(r); }

  /** A u64 count or length that must fit in `limit` and in what is left of the file. */
  count(what: string, bytesPerItem: number, limit: number): number {
    const at = this.pos;
    const n = this.u64();
    const left = this.remaining;
    if (n > BigInt(limit)) {
      this.fail(`absurd ${what} ${n} at byte ${at} (in ${this.where()}): more than the limit of ${limit}`);
    }
    const num = Number(n);
    if (num * bytesPerItem > left) {
      this.fail(
        `truncated or corrupt: ${what} ${num} at byte ${at} (in ${this.where()}) needs at least ${num * bytesPerItem} bytes but only ${left} remain`,
      );
    }
    return num;
  }

  string(): string {
    const n = this.count("string length", 1, MAX_STRING_BYTES);
    if (n === 0) return "";
    const r = this.ensure(n);
    this.pos += n;
    return this.buf.toString("utf8", r, r + n);
  }

  skip(n: number): void {
    this.ensure(n);
    this.pos += n;
  }
}

function typeName(code: number): GgufValueTypeName | undefined {
  return GGUF_VALUE_TYPE_NAMES[code];
}

function readArray(c: HeaderCursor, depth: number, fail: (p: string) => never): GgufArrayValue {
  const at = c.pos;
  const code = c.u32();
  const itemType = typeName(code);
  if (itemType === undefined) fail(`unknown array item type ${code} at byte ${at} (in ${c.context})`);
  if (itemType === "array" && depth >= MAX_NESTING) fail(`arrays nested deeper than ${MAX_NESTING} levels (in ${c.context})`);
  const minSize = itemType === "string" ? 8 : itemType === "array" ? 12 : GGUF_SCALAR_SIZES[itemType];
  const n = c.count("array length", minSize, MAX_ARRAY_ITEMS);
  switch (itemType) {
    case "string": {
      const out: string[] = new Array(n);
      const outer = c.element;
      for (let i = 0; i < n; i++) {
        c.element = i;
        out[i] = c.string();
      }
      c.element = outer;
      return { type: "array", itemType, value: out };
    }
    case "array": {
      const out: GgufArrayValue[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = readArray(c, depth + 1, fail);
      return { type: "array", itemType, value: out };
    }
    case "bool": {
      const out: boolean[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = c.u8() !== 0;
      return { type: "array", itemType, value: out };
    }
    case "u8": { const out = new Uint8Array(n); for (let i = 0; i < n; i++) out[i] = c.u8(); return { type: "array", itemType, value: out }; }
    case "i8": { const out = new Int8Array(n); for (let i = 0; i < n; i++) out[i] = c.i8(); return { type: "array", itemType, value: out }; }
    case "u16": { const out = new Uint16Array(n); for (let i = 0; i < n; i++) out[i] = c.u16(); return { type: "array", itemType, value: out }; }
    case "i16": { const out = new Int16Array(n); for (let i = 0; i < n; i++) out[i] = c.i16(); return { type: "array", itemType, value: out }; }
    case "u32": { const out = new Uint32Array(n); for (let i = 0; i < n; i++) out[i] = c.u32(); return { type: "array", itemType, value: out }; }
    case "i32": { const out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = c.i32(); return { type: "array", itemType, value: out }; }
    case "f32": { const out = new Float32Array(n); for (let i = 0; i < n; i++) out[i] = c.f32(); return { type: "array", itemType, value: out }; }
    case "f64": { const out = new Float64Array(n); for (let i = 0; i < n; i++) out[i] = c.f64(); return { type: "array", itemType, value: out }; }
    case "u64": { const out = new BigUint64Array(n); for (let i = 0; i < n; i++) out[i] = c.u64(); return { type: "array", itemType, value: out }; }
    case "i64": { const out = new BigInt64Array(n); for (let i = 0; i < n; i++) out[i] = c.i64(); return { type: "array", itemType, value: out }; }
  }
}

function readValue(c: HeaderCursor, fail: (p: string) => never): GgufValue {
  const at = c.pos;
  const code = c.u32();
  const type = typeName(code);
  if (type === undefined) fail(`unknown metadata value type ${code} at byte ${at} (in ${c.context})`);
  switch (type) {
    case "array": return readArray(c, 0, fail);
    case "string": return { type, value: c.string() };
    case "bool": return { type, value: c.u8() !== 0 };
    case "u8": return { type, value: c.u8() };
    case "i8": return { type, value: c.i8() };
    case "u16": return { type, value: c.u16() };
    case "i16": return { type, value: c.i16() };
    case "u32": return { type, value: c.u32() };
    case "i32": return { type, value: c.i32() };
    case "f32": return { type, value: c.f32() };
    case "f64": return { type, value: c.f64() };
    case "u64": return { type, value: c.u64() };
    case "i64": return { type, value: c.i64() };
  }
}

function describeType(v: GgufValue): string {
  return v.type === "array" ? `array of ${v.itemType}` : v.type;
}

function hexBytes(buf: Buffer): string {
  return [...buf].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Architectures whose hyperparameters follow the llama layout checked below. */
const LLAMA_LIKE = new Set(["llama", "qwen2", "qwen3", "mistral", "granite"]);

/**
 * Reads the header of a GGUF file and validates it. Throws `ModelFileError` for anything that
 * would make llama.cpp refuse or misread the file.
 */
export function inspectGguf(path: string, options: InspectOptions = {}): GgufInfo {
  const fail = (problem: string): never => {
    throw new ModelFileError(path, problem);
  };
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, not a file" : `cannot open (${code ?? String(err)})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) fail("is a folder, not a file");
    const info = readHeader(fd, st.size, path, fail);
    if (!options.containerOnly) validateModel(info, fail);
    return info;
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EISDIR") return fail("is a folder, not a file");
    return fail(`cannot read (${code ?? (err instanceof Error ? err.message : String(err))})`);
  } finally {
    closeSync(fd);
  }
}

function readHeader(fd: number, fileSize: number, file: string, fail: (p: string) => never): GgufInfo {
  const head = Buffer.alloc(Math.min(8, fileSize));
  readSync(fd, head, 0, head.length, 0);
  if (fileSize < 4 || head.toString("latin1", 0, 4) !== "GGUF") {
    if (fileSize === 0) fail("empty file, not a GGUF model");
    fail(`not a GGUF file (starts with bytes ${hexBytes(head.subarray(0, 4))}, expected "GGUF")`);
  }
  const c = new HeaderCursor(fd, fileSize, fail);
  c.skip(4);
  c.context = "the version";
  const version = c.u32();
  if (version !== 2 && version !== 3) {
    if (version === 0x03000000 || version === 0x02000000) fail(`big-endian GGUF (version bytes ${version.toString(16)}) is not supported`);
    fail(`unsupported GGUF version ${version} (expected 3)`);
  }
  c.context = "the tensor count";
  const nTensors = c.count("tensor count", 8 + 4 + 4 + 8, MAX_ARRAY_ITEMS);
  c.context = "the metadata count";
  const nKv = c.count("metadata count", 8 + 4 + 1, MAX_ARRAY_ITEMS);

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < nKv; i++) {
    c.context = `metadata entry ${i}'s key`;
    const key = c.string();
    if (metadata.has(key)) fail(`metadata key ${key} appears twice`);
    c.context = `metadata key ${key}`;
    metadata.set(key, readValue(c, fail));
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const alignValue = metadata.get("general.alignment");
  if (alignValue !== undefined) {
    if (alignValue.type !== "u32") fail(`general.alignment must be u32 but is ${describeType(alignValue)}`);
    const a = alignValue.value as number;
    if (a === 0 || (a & (a - 1)) !== 0) fail(`general.alignment ${a} is not a power of two`);
    alignment = a;
  }

  const raw: { name: string; dims: number[]; type: number; typeName: string; offset: bigint; bytes: bigint }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < nTensors; i++) {
    c.context = `tensor info ${i}`;
    const name = c.string();
    c.context = `tensor ${name}`;
    if (Buffer.byteLength(name, "utf8") >= 64) fail(`tensor name ${JSON.stringify(name.slice(0, 80))} is 64 bytes or longer`);
    if (names.has(name)) fail(`tensor ${name} appears twice`);
    names.add(name);
    const nDims = c.u32();
    if (nDims > GGML_MAX_DIMS) fail(`tensor ${name} has ${nDims} dimensions (at most ${GGML_MAX_DIMS})`);
    const dimsBig: bigint[] = [];
    for (let j = 0; j < nDims; j++) dimsBig.push(c.i64());
    let elements = 1n;
    for (const d of dimsBig) {
      if (d < 0n) fail(`tensor ${name} has a negative dimension ${d}`);
      elements *= d;
    }
    if (elements >= 1n << 62n) fail(`tensor ${name} has an absurd shape [${dimsBig.join(", ")}]`);
    const type = c.u32();
    const traits = GGML_TYPES.get(type);
    if (traits === undefined) fail(`tensor ${name} has unknown or unsupported ggml type ${type}`);
    const ne0 = dimsBig[0] ?? 1n;
    if (ne0 % BigInt(traits!.blockSize) !== 0n) {
      fail(`tensor ${name} of type ${traits!.name} has ${ne0} elements per row, not a multiple of its block size ${traits!.blockSize}`);
    }
    const bytes = (elements / BigInt(traits!.blockSize)) * BigInt(traits!.typeSize);
    const offset = c.u64();
    raw.push({ name, dims: dimsBig.map(Number), type, typeName: traits!.name, offset, bytes });
  }
  const headerEnd = c.pos;
  const dataOffset = nTensors > 0 ? alignUp(headerEnd, alignment) : headerEnd;

  const tensors: GgufTensorInfo[] = [];
  let expected = 0n;
  for (const t of raw) {
    if (t.offset !== expected) {
      fail(`corrupt tensor table: tensor ${t.name} has offset ${t.offset}, expected ${expected} (tensors must be stored in order, each aligned to ${alignment} bytes)`);
    }
    const start = BigInt(dataOffset) + t.offset;
    const end = start + t.bytes;
    if (end > BigInt(fileSize)) fail(`truncated: tensor ${t.name} needs bytes ${start}..${end} but the file has ${fileSize} bytes`);
    expected += (t.bytes + BigInt(alignment) - 1n) / BigInt(alignment) * BigInt(alignment);
    tensors.push({
      name: t.name,
      dims: t.dims,
      type: t.type,
      typeName: t.typeName,
      offset: Number(t.offset),
      fileOffset: Number(start),
      byteLength: Number(t.bytes),
    });
  }
  if (nTensors > 0 && dataOffset > fileSize) fail(`truncated: the tensor data section should start at byte ${dataOffset} but the file has ${fileSize} bytes`);

  const byName = new Map(tensors.map((t) => [t.name, t]));
  const str = (key: string): string | undefined => {
    const v = metadata.get(key);
    return v?.type === "string" ? v.value : undefined;
  };
  const tokens = metadata.get("tokenizer.ggml.tokens");
  return {
    file,
    fileSize,
    version,
    alignment,
    dataOffset,
    metadata,
    tensors,
    architecture: str("general.architecture") ?? "",
    tokenizerModel: str("tokenizer.ggml.model") ?? "",
    vocabularySize: tokens?.type === "array" ? tokens.value.length : 0,
    getString: str,
    getNumber(key: string): number | undefined {
      const v = metadata.get(key);
      if (v === undefined || v.type === "array" || v.type === "string" || v.type === "bool") return undefined;
      return Number(v.value);
    },
    tensor: (name: string) => byName.get(name),
  };
}

function validateModel(info: GgufInfo, fail: (p: string) => never): void {
  const md = info.metadata;
  const need = (key: string, type: GgufValueTypeName, why = ""): GgufValue => {
    const v = md.get(key);
    if (v === undefined) fail(`missing metadata key ${key}${why}`);
    if (v!.type !== type) fail(`metadata key ${key} must be ${type} but is ${describeType(v!)}`);
    return v!;
  };
  const needArray = (key: string, itemTypes: readonly string[]): GgufArrayValue => {
    const v = md.get(key);
    if (v === undefined) fail(`missing metadata key ${key}`);
    if (v!.type !== "array" || !itemTypes.includes(v!.itemType)) {
      fail(`metadata key ${key} must be an array of ${itemTypes.join(" or ")} but is ${describeType(v!)}`);
    }
    return v as GgufArrayValue;
  };
  const optional = (key: string, type: GgufValueTypeName): GgufValue | undefined => {
    const v = md.get(key);
    if (v !== undefined && v.type !== type) fail(`metadata key ${key} must be ${type} but is ${describeType(v)}`);
    return v;
  };

  const arch = need("general.architecture", "string").value as string;
  const nCtx = need(`${arch}.context_length`, "u32").value as number;
  const nEmbd = need(`${arch}.embedding_length`, "u32").value as number;
  const nLayer = need(`${arch}.block_count`, "u32").value as number;
  if (nCtx < 1) fail(`${arch}.context_length is 0`);
  if (nEmbd < 1) fail(`${arch}.embedding_length is 0`);
  if (LLAMA_LIKE.has(arch)) {
    const perLayer = (key: string): number => {
      const v = md.get(key);
      if (v === undefined) fail(`missing metadata key ${key}`);
      if (v!.type === "u32") return v!.value as number;
      if (v!.type === "array" && (v!.itemType === "i32" || v!.itemType === "u32")) {
        if (v!.value.length !== nLayer) fail(`metadata key ${key} has ${v!.value.length} entries but there are ${nLayer} blocks`);
        return Number((v!.value as ArrayLike<number>)[0] ?? 0);
      }
      return fail(`metadata key ${key} must be u32 (or a per-block array) but is ${describeType(v!)}`);
    };
    perLayer(`${arch}.feed_forward_length`);
    const nHead = perLayer(`${arch}.attention.head_count`);
    need(`${arch}.attention.layer_norm_rms_epsilon`, "f32");
    const nHeadKv = optional(`${arch}.attention.head_count_kv`, "u32");
    if (nHead < 1) fail(`${arch}.attention.head_count is 0`);
    if (nHeadKv !== undefined && (nHeadKv.value as number) > 0 && nHead % (nHeadKv.value as number) !== 0) {
      fail(`${arch}.attention.head_count ${nHead} is not a multiple of head_count_kv ${nHeadKv.value}`);
    }
    const rope = optional(`${arch}.rope.dimension_count`, "u32");
    const keyLength = optional(`${arch}.attention.key_length`, "u32");
    const headSize = keyLength !== undefined ? (keyLength.value as number) : nEmbd / nHead;
    if (rope !== undefined && arch === "llama" && rope.value !== headSize) {
      fail(`${arch}.rope.dimension_count is ${rope.value} but the head size is ${headSize} (llama.cpp requires them equal)`);
    }
    optional(`${arch}.rope.freq_base`, "f32");
  }

  const tokModel = need("tokenizer.ggml.model", "string", " (the file has no vocabulary)").value as string;
  const tokens = needArray("tokenizer.ggml.tokens", ["string"]);
  const nVocab = tokens.value.length;
  if (nVocab === 0 && tokModel !== "none") fail("tokenizer.ggml.tokens is empty");
  const sameLength = (key: string, itemTypes: readonly string[]): void => {
    if (!md.has(key)) return;
    const v = needArray(key, itemTypes);
    if (v.value.length !== nVocab) fail(`${key} has ${v.value.length} entries but tokenizer.ggml.tokens has ${nVocab}`);
  };
  sameLength("tokenizer.ggml.scores", ["f32"]);
  sameLength("tokenizer.ggml.token_type", ["i32"]);
  if (tokModel === "gpt2") {
    needArray("tokenizer.ggml.merges", ["string"]);
  }
  for (const key of ["bos", "eos", "unknown", "padding", "eot", "seperator"]) {
    const full = `tokenizer.ggml.${key}_token_id`;
    const v = optional(full, "u32");
    if (v !== undefined && (v.value as number) >= nVocab) fail(`${full} ${v.value} is outside the vocabulary (${nVocab} tokens)`);
  }
  if (tokModel === "llama") {
    const tokenType = md.get("tokenizer.ggml.token_type");
    // SentencePiece byte fallback: when byte tokens exist, all 256 must be present.
    if (tokenType?.type === "array") {
      let bytes = 0;
      for (let i = 0; i < tokenType.value.length; i++) if ((tokenType.value as ArrayLike<number>)[i] === 6) bytes++;
      if (bytes > 0 && bytes !== 256) fail(`SentencePiece vocabulary has ${bytes} byte tokens; byte fallback needs all 256 <0xNN> tokens`);
    }
  }

  const embd = info.tensor("token_embd.weight");
  if (embd === undefined) fail("missing tensor token_embd.weight");
  const [e0, e1] = embd!.dims;
  if (e0 !== nEmbd) fail(`token_embd.weight has rows of ${e0} but ${arch}.embedding_length is ${nEmbd}`);
  if ((e1 ?? 1) !== nVocab) fail(`token_embd.weight has ${e1 ?? 1} rows but the vocabulary has ${nVocab} tokens`);
  const out = info.tensor("output.weight");
  if (out !== undefined && (out.dims[0] !== nEmbd || (out.dims[1] ?? 1) !== nVocab)) {
    fail(`output.weight has shape [${out.dims.join(", ")}], expected [${nEmbd}, ${nVocab}]`);
  }
  for (let i = 0; i < nLayer; i++) {
    if (LLAMA_LIKE.has(arch) && info.tensor(`blk.${i}.attn_norm.weight`) === undefined) {
      fail(`missing tensor blk.${i}.attn_norm.weight (${arch}.block_count is ${nLayer})`);
    }
  }
}

/** Reads an F32 or F16 tensor's values (for tests and tools; loads the whole tensor). */
export function readTensorData(info: GgufInfo, name: string): Float32Array {
  const t = info.tensor(name);
  if (t === undefined) throw new ModelFileError(info.file, `no tensor named ${name}`);
  if (t.type !== 0 && t.type !== 1) throw new ModelFileError(info.file, `tensor ${name} is ${t.typeName}; only F32 and F16 can be read here`);
  const buf = Buffer.allocUnsafe(t.byteLength);
  const fd = openSync(info.file, "r");
  try {
    let got = 0;
    while (got < buf.length) {
      const r = readSync(fd, buf, got, buf.length - got, t.fileOffset + got);
      if (r === 0) throw new ModelFileError(info.file, `truncated: tensor ${name} ends past the end of the file`);
      got += r;
    }
  } finally {
    closeSync(fd);
  }
  const n = t.type === 0 ? t.byteLength / 4 : t.byteLength / 2;
  const out = new Float32Array(n);
  if (t.type === 0) for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(4 * i);
  else for (let i = 0; i < n; i++) out[i] = f16BitsToF32(buf.readUInt16LE(2 * i));
  return out;
}
