/**
 * A GGUF v3 writer: metadata of every value type (arrays and nested arrays included), F32 and F16
 * tensors, data aligned to `general.alignment` (32 unless the metadata says otherwise).
 *
 * `encodeGguf` returns the whole file as one buffer; `writeGgufFile` streams the tensors to a
 * temporary file next to the target and renames it into place, so a reader never sees a
 * half-written model.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  alignUp,
  f32ToF16Bits,
  GGML_MAX_DIMS,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE_CODES,
  GGUF_VERSION,
  type GgufArrayValue,
  type GgufValue,
  type GgufValueTypeName,
  WRITABLE_TENSOR_TYPE_CODES,
  type WritableTensorType,
} from "./gguf-format.js";

export interface GgufTensorSpec {
  name: string;
  /** ggml order: dims[0] is the contiguous (fastest-varying) dimension. */
  dims: readonly number[];
  type: WritableTensorType;
  /** Elements in ggml order: element (i0, i1, …) sits at i0 + dims[0]·(i1 + dims[1]·(…)). */
  data: Float32Array | Float64Array;
}

export interface GgufFileSpec {
  /** Key/value pairs in file order. */
  metadata: Iterable<readonly [string, GgufValue]>;
  tensors: readonly GgufTensorSpec[];
}

/** Raised for a spec that cannot be written (bad value ranges, duplicate names, size mismatches). */
export class GgufWriteError extends Error {
  override name = "GgufWriteError";
}

/** Little-endian append-only byte buffer. */
class ByteSink {
  buf: Buffer = Buffer.allocUnsafe(1 << 16);
  len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void { this.reserve(1); this.buf.writeUInt8(v, this.len); this.len += 1; }
  i8(v: number): void { this.reserve(1); this.buf.writeInt8(v, this.len); this.len += 1; }
  u16(v: number): void { this.reserve(2); this.buf.writeUInt16LE(v, this.len); this.len += 2; }
  i16(v: number): void { this.reserve(2); this.buf.writeInt16LE(v, this.len); this.len += 2; }
  u32(v: number): void { this.reserve(4); this.buf.writeUInt32LE(v, this.len); this.len += 4; }
  i32(v: number): void { this.reserve(4); this.buf.writeInt32LE(v, this.len); this.len += 4; }
  f32(v: number): void { this.reserve(4); this.buf.writeFloatLE(v, this.len); this.len += 4; }
  f64(v: number): void { this.reserve(8); this.buf.writeDoubleLE(v, this.len); this.len += 8; }
  u64(v: bigint): void { this.reserve(8); this.buf.writeBigUInt64LE(v, this.len); this.len += 8; }
  i64(v: bigint): void { this.reserve(8); this.buf.writeBigInt64LE(v, this.len); this.len += 8; }
  string(s: string): void {
    const n = Buffer.byteLength(s, "utf8");
    this.u64(BigInt(n));
    this.reserve(n);
    this.buf.write(s, this.len, "utf8");
    this.len += n;
  }
  zeros(n: number): void { this.reserve(n); this.buf.fill(0, this.len, this.len + n); this.len += n; }
  bytes(): Buffer { return this.buf.subarray(0, this.len); }
}

const INT_RANGES: Record<string, [number, number]> = {
  u8: [0, 0xff], i8: [-0x80, 0x7f], u16: [0, 0xffff], i16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff], i32: [-0x80000000, 0x7fffffff],
};

function checkNumber(key: string, type: string, v: unknown): number {
  if (typeof v !== "number") throw new GgufWriteError(`metadata ${key}: ${type} value must be a number, got ${typeof v}`);
  const range = INT_RANGES[type];
  if (range && (!Number.isInteger(v) || v < range[0] || v > range[1])) {
    throw new GgufWriteError(`metadata ${key}: ${v} is not a valid ${type}`);
  }
  return v;
}

function checkBigInt(key: string, type: "u64" | "i64", v: unknown): bigint {
  if (typeof v !== "bigint") throw new GgufWriteError(`metadata ${key}: ${type} value must be a bigint, got ${typeof v}`);
  const ok = type === "u64" ? v >= 0n && v < 1n << 64n : v >= -(1n << 63n) && v < 1n << 63n;
  if (!ok) throw new GgufWriteError(`metadata ${key}: ${v} is not a valid ${type}`);
  return v;
}

function writeScalar(sink: ByteSink, key: string, type: Exclude<GgufValueTypeName, "array">, v: unknown): void {
  switch (type) {
    case "u8": sink.u8(checkNumber(key, type, v)); break;
    case "i8": sink.i8(checkNumber(key, type, v)); break;
    case "u16": sink.u16(checkNumber(key, type, v)); break;
    case "i16": sink.i16(checkNumber(key, type, v)); break;
    case "u32": sink.u32(checkNumber(key, type, v)); break;
    case "i32": sink.i32(checkNumber(key, type, v)); break;
    case "f32": sink.f32(checkNumber(key, type, v)); break;
    case "f64": sink.f64(checkNumber(key, type, v)); break;
    case "u64": sink.u64(checkBigInt(key, type, v)); break;
    case "i64": sink.i64(checkBigInt(key, type, v)); break;
    case "bool":
      if (typeof v !== "boolean") throw new GgufWriteError(`metadata ${key}: bool value must be a boolean`);
      sink.u8(v ? 1 : 0);
      break;
    case "string":
      if (typeof v !== "string") throw new GgufWriteError(`metadata ${key}: string value must be a string`);
      sink.string(v);
      break;
    default:
      throw new GgufWriteError(`metadata ${key}: unknown value type ${String(type)}`);
  }
}

function writeArrayBody(sink: ByteSink, key: string, arr: GgufArrayValue): void {
  const code = GGUF_VALUE_TYPE_CODES[arr.itemType];
  if (code === undefined) throw new GgufWriteError(`metadata ${key}: unknown array item type ${String(arr.itemType)}`);
  sink.u32(code);
  const items = arr.value;
  sink.u64(BigInt(items.length));
  if (arr.itemType === "array") {
    for (let i = 0; i < items.length; i++) writeArrayBody(sink, `${key}[${i}]`, (items as ArrayLike<GgufArrayValue>)[i]!);
    return;
  }
  for (let i = 0; i < items.length; i++) writeScalar(sink, key, arr.itemType, items[i]);
}

function writeValue(sink: ByteSink, key: string, value: GgufValue): void {
  const code = GGUF_VALUE_TYPE_CODES[value.type];
  if (code === undefined) throw new GgufWriteError(`metadata ${key}: unknown value type ${String(value.type)}`);
  sink.u32(code);
  if (value.type === "array") writeArrayBody(sink, key, value);
  else writeScalar(sink, key, value.type, value.value);
}

interface Layout {
  header: Buffer;
  alignment: number;
  /** Offset of each tensor relative to the data section, and its byte length. */
  placements: { offset: number; bytes: number }[];
  /** Size of the data section (the last tensor padded to the alignment). */
  dataBytes: number;
}

function tensorBytes(t: GgufTensorSpec): number {
  let n = 1;
  for (const d of t.dims) n *= d;
  return n * (t.type === "F16" ? 2 : 4);
}

function layout(spec: GgufFileSpec): Layout {
  const entries = [...spec.metadata];
  const seen = new Set<string>();
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  for (const [key, value] of entries) {
    if (seen.has(key)) throw new GgufWriteError(`metadata key ${key} appears twice`);
    seen.add(key);
    if (key === "general.alignment") {
      if (value.type !== "u32" || !Number.isInteger(value.value) || value.value <= 0 || (value.value & (value.value - 1)) !== 0) {
        throw new GgufWriteError("general.alignment must be a u32 power of two");
      }
      alignment = value.value;
    }
  }
  const names = new Set<string>();
  for (const t of spec.tensors) {
    if (names.has(t.name)) throw new GgufWriteError(`tensor ${t.name} appears twice`);
    names.add(t.name);
    if (Buffer.byteLength(t.name, "utf8") >= 64) throw new GgufWriteError(`tensor name ${t.name} is 64 bytes or longer`);
    if (t.dims.length < 1 || t.dims.length > GGML_MAX_DIMS) throw new GgufWriteError(`tensor ${t.name}: 1 to ${GGML_MAX_DIMS} dims, got ${t.dims.length}`);
    let n = 1;
    for (const d of t.dims) {
      if (!Number.isInteger(d) || d < 1) throw new GgufWriteError(`tensor ${t.name}: bad dimension ${d}`);
      n *= d;
    }
    if (n !== t.data.length) throw new GgufWriteError(`tensor ${t.name}: dims give ${n} elements but data has ${t.data.length}`);
    if (!(t.type in WRITABLE_TENSOR_TYPE_CODES)) throw new GgufWriteError(`tensor ${t.name}: unsupported type ${String(t.type)}`);
  }

  const sink = new ByteSink();
  for (const ch of GGUF_MAGIC) sink.u8(ch.charCodeAt(0));
  sink.u32(GGUF_VERSION);
  sink.u64(BigInt(spec.tensors.length));
  sink.u64(BigInt(entries.length));
  for (const [key, value] of entries) {
    sink.string(key);
    writeValue(sink, key, value);
  }
  const placements: { offset: number; bytes: number }[] = [];
  let offset = 0;
  for (const t of spec.tensors) {
    sink.string(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(BigInt(d));
    sink.u32(WRITABLE_TENSOR_TYPE_CODES[t.type]);
    sink.u64(BigInt(offset));
    const bytes = tensorBytes(t);
    placements.push({ offset, bytes });
    offset = alignUp(offset + bytes, alignment);
  }
  sink.zeros(alignUp(sink.len, alignment) - sink.len);
  return { header: Buffer.from(sink.bytes()), alignment, placements, dataBytes: offset };
}

const CHUNK_ELEMENTS = 1 << 16;

/** Encodes elements [start, end) of a tensor into `out` (which must be large enough). */
function encodeChunk(t: GgufTensorSpec, start: number, end: number, out: Buffer): number {
  let p = 0;
  if (t.type === "F16") {
    for (let i = start; i < end; i++) { out.writeUInt16LE(f32ToF16Bits(t.data[i] as number), p); p += 2; }
  } else {
    for (let i = start; i < end; i++) { out.writeFloatLE(t.data[i] as number, p); p += 4; }
  }
  return p;
}

/** The whole GGUF file as one buffer. */
export function encodeGguf(spec: GgufFileSpec): Buffer {
  const { header, placements, dataBytes } = layout(spec);
  const out = Buffer.alloc(header.length + dataBytes);
  header.copy(out, 0);
  spec.tensors.forEach((t, i) => {
    const base = header.length + placements[i]!.offset;
    let pos = base;
    const chunk = Buffer.allocUnsafe(CHUNK_ELEMENTS * 4);
    for (let s = 0; s < t.data.length; s += CHUNK_ELEMENTS) {
      const n = encodeChunk(t, s, Math.min(t.data.length, s + CHUNK_ELEMENTS), chunk);
      chunk.copy(out, pos, 0, n);
      pos += n;
    }
  });
  return out;
}

let tempCounter = 0;

/**
 * Writes a GGUF file atomically: the bytes go to a temporary file in the target's folder, which is
 * flushed and renamed over the target only once complete. Returns the file's size in bytes.
 */
export function writeGgufFile(path: string, spec: GgufFileSpec): number {
  const { header, placements, dataBytes } = layout(spec);
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
  const fd = openSync(temp, "w");
  let done = false;
  try {
    let pos = 0;
    const put = (buf: Buffer): void => {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, pos + off);
      pos += buf.length;
    };
    put(header);
    const chunk = Buffer.allocUnsafe(CHUNK_ELEMENTS * 4);
    spec.tensors.forEach((t, i) => {
      const target = header.length + placements[i]!.offset;
      if (target > pos) put(Buffer.alloc(target - pos));
      for (let s = 0; s < t.data.length; s += CHUNK_ELEMENTS) {
        const n = encodeChunk(t, s, Math.min(t.data.length, s + CHUNK_ELEMENTS), chunk);
        put(chunk.subarray(0, n));
      }
    });
    const end = header.length + dataBytes;
    if (end > pos) put(Buffer.alloc(end - pos));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
    done = true;
    return end;
  } finally {
    if (!done) {
      try { closeSync(fd); } catch { /* already closed */ }
      rmSync(temp, { force: true });
    }
  }
}
