import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { f16BitsToF32, f32ToF16Bits, type GgufValue, gv } from "../../src/models/gguf-format.js";
import { inspectGguf, ModelFileError, readTensorData } from "../../src/models/gguf-reader.js";
import { encodeGguf, type GgufFileSpec, GgufWriteError, writeGgufFile } from "../../src/models/gguf-writer.js";
import { emptyLlamaWeights, llamaGgufSpec, type LlamaHyperparameters } from "../../src/models/llama-spec.js";
import { Prng } from "../../src/models/prng.js";
import { buildSpmVocabulary, spmTokenizerMetadata } from "../../src/models/spm-vocab.js";

const dir = mkdtempSync(join(tmpdir(), "ltlguard-gguf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;
const tempPath = (name = "m"): string => join(dir, `${name}-${++fileCounter}.gguf`);

/** Raw little-endian GGUF bytes for hand-made corrupt headers. */
class Raw {
  parts: Buffer[] = [];
  bytes(b: Buffer | string): this { this.parts.push(typeof b === "string" ? Buffer.from(b, "latin1") : b); return this; }
  u32(v: number): this { const b = Buffer.alloc(4); b.writeUInt32LE(v); return this.bytes(b); }
  u64(v: bigint): this { const b = Buffer.alloc(8); b.writeBigUInt64LE(v); return this.bytes(b); }
  str(s: string): this { this.u64(BigInt(Buffer.byteLength(s))); return this.bytes(Buffer.from(s, "utf8")); }
  build(): Buffer { return Buffer.concat(this.parts); }
}

function writeRaw(buf: Buffer, name = "raw"): string {
  const p = tempPath(name);
  writeFileSync(p, buf);
  return p;
}

function expectModelFileError(path: string, pattern: RegExp, options?: { containerOnly?: boolean }): ModelFileError {
  let caught: unknown;
  try {
    inspectGguf(path, options);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ModelFileError);
  const err = caught as ModelFileError;
  expect(err.file).toBe(path);
  expect(err.message.startsWith(`${path}: `)).toBe(true);
  expect(err.message).toBe(`${path}: ${err.problem}`);
  expect(err.problem).toMatch(pattern);
  return err;
}

const TINY: LlamaHyperparameters = { nEmbd: 8, nLayer: 1, nHead: 2, nHeadKv: 2, nFf: 16, contextLength: 128, rmsEps: 1e-6, ropeFreqBase: 10000 };

/** A small but complete llama GGUF (SentencePiece vocabulary, zero weights). */
function tinyLlamaSpec(edit?: (metadata: [string, GgufValue][]) => [string, GgufValue][], rows?: number): GgufFileSpec {
  const vocab = buildSpmVocabulary(["Thought: hello world\nAction: search\n"], { merges: 5, minCharCount: 1 });
  const nVocab = rows ?? vocab.tokens.length;
  const spec = llamaGgufSpec({
    name: "tiny", hyper: TINY, nVocab, tokenizer: spmTokenizerMetadata(vocab),
    weights: emptyLlamaWeights(TINY, nVocab, false), matrixType: "F16",
  });
  const metadata = [...spec.metadata] as [string, GgufValue][];
  return { metadata: edit ? edit(metadata) : metadata, tensors: spec.tensors };
}

describe("float16 conversion", () => {
  it("converts exactly representable values and rounds to nearest even", () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
      [65520, 0x7c00], [1e6, 0x7c00], [-Infinity, 0xfc00], [2 ** -24, 0x0001], [2 ** -14, 0x0400],
      [2 ** -26, 0x0000], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [0.1, 0x2e66],
    ];
    for (const [x, bits] of cases) expect(f32ToF16Bits(x), `f16(${x})`).toBe(bits);
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
    for (let bits = 0; bits < 0x7c00; bits += 7) expect(f32ToF16Bits(f16BitsToF32(bits))).toBe(bits);
  });
});

describe("GGUF writer and reader", () => {
  const metadata: [string, GgufValue][] = [
    ["general.architecture", gv.str("test")],
    ["t.u8", gv.u8(255)],
    ["t.i8", gv.i8(-128)],
    ["t.u16", gv.u16(65535)],
    ["t.i16", gv.i16(-32768)],
    ["t.u32", gv.u32(4294967295)],
    ["t.i32", gv.i32(-2147483648)],
    ["t.f32", gv.f32(0.25)],
    ["t.f64", gv.f64(Math.PI)],
    ["t.u64", gv.u64(2n ** 64n - 1n)],
    ["t.i64", gv.i64(-(2n ** 63n))],
    ["t.bool", gv.bool(true)],
    ["t.string", gv.str("Brasília ▁Thought 日本 \u0000 end")],
    ["t.empty_string", gv.str("")],
    ["t.arr_u8", gv.numbers("u8", [0, 1, 255])],
    ["t.arr_i32", gv.numbers("i32", Int32Array.from([-1, 0, 7]))],
    ["t.arr_f32", gv.numbers("f32", [1.5, -2.25])],
    ["t.arr_f64", gv.numbers("f64", [Math.E])],
    ["t.arr_u64", gv.bigints("u64", [1n, 2n ** 40n])],
    ["t.arr_bool", gv.bools([true, false, true])],
    ["t.arr_str", gv.strings(["a", "", "▁b c"])],
    ["t.arr_empty", gv.numbers("u32", [])],
    ["t.arr_nested", gv.arrays([gv.strings(["x", "y"]), gv.numbers("i16", [-3]), gv.arrays([gv.bools([false])])])],
  ];
  const f32 = Float32Array.from({ length: 3 * 5 }, (_, i) => Math.sin(i) * 100);
  const f16 = Float32Array.from({ length: 4 * 2 * 3 }, (_, i) => (i - 12) / 8); // exactly representable
  const spec: GgufFileSpec = {
    metadata,
    tensors: [
      { name: "a.weight", dims: [3, 5], type: "F32", data: f32 },
      { name: "b.weight", dims: [4, 2, 3], type: "F16", data: f16 },
      { name: "c.weight", dims: [7], type: "F16", data: Float32Array.from([0.1, 1 / 3, 65519, 1e-8, -0.5, 2, 3]) },
    ],
  };

  it("round-trips metadata of every type and F32/F16 tensors, aligned to 32 bytes", () => {
    const path = tempPath();
    const size = writeGgufFile(path, spec);
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(size);
    expect(bytes.equals(encodeGguf(spec))).toBe(true);
    const info = inspectGguf(path, { containerOnly: true });
    expect(info.version).toBe(3);
    expect(info.alignment).toBe(32);
    expect(info.dataOffset % 32).toBe(0);
    expect([...info.metadata.keys()]).toEqual(metadata.map(([k]) => k));
    const plain = (v: GgufValue): unknown =>
      v.type === "array" ? { itemType: v.itemType, value: Array.from(v.value as ArrayLike<unknown>, (x) => (typeof x === "object" && x !== null && "type" in x ? plain(x as GgufValue) : x)) } : v.value;
    for (const [key, value] of metadata) {
      const got = info.metadata.get(key)!;
      expect(got.type, key).toBe(value.type);
      if (value.type === "f32") expect(got.value).toBeCloseTo(value.value, 6);
      else expect(plain(got), key).toEqual(plain(value));
    }
    expect(info.tensors.map((t) => [t.name, t.dims, t.typeName])).toEqual([
      ["a.weight", [3, 5], "F32"], ["b.weight", [4, 2, 3], "F16"], ["c.weight", [7], "F16"],
    ]);
    for (const t of info.tensors) expect(t.fileOffset % 32).toBe(0);
    expect(Array.from(readTensorData(info, "a.weight"))).toEqual(Array.from(f32));
    expect(Array.from(readTensorData(info, "b.weight"))).toEqual(Array.from(f16));
    const c = readTensorData(info, "c.weight");
    expect(c[0]).toBeCloseTo(0.1, 3);
    expect(c[1]).toBeCloseTo(1 / 3, 3);
    expect(c[2]).toBe(65504);
    expect(c[3]).toBe(0);
  });

  it("honors general.alignment", () => {
    const path = tempPath();
    writeGgufFile(path, { metadata: [["general.alignment", gv.u32(64)], ...metadata], tensors: spec.tensors });
    const info = inspectGguf(path, { containerOnly: true });
    expect(info.alignment).toBe(64);
    for (const t of info.tensors) expect(t.fileOffset % 64).toBe(0);
    expect(Array.from(readTensorData(info, "a.weight"))).toEqual(Array.from(f32));
  });

  it("refuses specs it cannot write", () => {
    const bad: [string, GgufFileSpec][] = [
      ["duplicate key", { metadata: [["k", gv.u8(1)], ["k", gv.u8(2)]], tensors: [] }],
      ["u8 range", { metadata: [["k", gv.u8(256)]], tensors: [] }],
      ["u32 integer", { metadata: [["k", gv.u32(1.5)]], tensors: [] }],
      ["alignment", { metadata: [["general.alignment", gv.u32(24)]], tensors: [] }],
      ["size mismatch", { metadata: [], tensors: [{ name: "t", dims: [2, 2], type: "F32", data: new Float32Array(3) }] }],
      ["duplicate tensor", { metadata: [], tensors: [{ name: "t", dims: [1], type: "F32", data: new Float32Array(1) }, { name: "t", dims: [1], type: "F32", data: new Float32Array(1) }] }],
      ["long name", { metadata: [], tensors: [{ name: "x".repeat(64), dims: [1], type: "F32", data: new Float32Array(1) }] }],
    ];
    for (const [what, s] of bad) expect(() => encodeGguf(s), what).toThrow(GgufWriteError);
  });

  it("never leaves a half-written file: a failure mid-write keeps the old file and no temp file", () => {
    const sub = join(dir, "atomic");
    mkdirSync(sub, { recursive: true });
    const path = join(sub, "model.gguf");
    writeGgufFile(path, spec);
    const before = readFileSync(path);
    const big = new Float32Array(1 << 18);
    const exploding = new Proxy(big, {
      get(target, prop) {
        if (typeof prop === "string" && /^\d+$/.test(prop) && Number(prop) > 200_000) throw new Error("disk on fire");
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    }) as Float32Array;
    expect(() => writeGgufFile(path, { metadata, tensors: [{ name: "big", dims: [1 << 18], type: "F32", data: exploding }] })).toThrow("disk on fire");
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(sub)).toEqual(["model.gguf"]);
  });
});

describe("inspectGguf errors", () => {
  it("names the file and the problem for a file that is not GGUF", () => {
    const elf = writeRaw(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(100)]), "elf");
    const err = expectModelFileError(elf, /^not a GGUF file \(starts with bytes 7f 45 4c 46, expected "GGUF"\)$/);
    expect(err.message).toBe(`${elf}: not a GGUF file (starts with bytes 7f 45 4c 46, expected "GGUF")`);
    expectModelFileError(writeRaw(Buffer.from("GG")), /not a GGUF file \(starts with bytes 47 47/);
    expectModelFileError(writeRaw(Buffer.alloc(0)), /empty file/);
    expectModelFileError(join(dir, "does-not-exist.gguf"), /^no such file$/);
    expectModelFileError(dir, /folder/);
  });

  it("rejects unsupported versions", () => {
    expectModelFileError(writeRaw(new Raw().bytes("GGUF").u32(7).u64(0n).u64(0n).build()), /unsupported GGUF version 7/);
    expectModelFileError(writeRaw(new Raw().bytes("GGUF").u32(0x03000000).u64(0n).u64(0n).build()), /big-endian/);
  });

  it("caps absurd lengths and counts instead of allocating", () => {
    const key = writeRaw(new Raw().bytes("GGUF").u32(3).u64(0n).u64(1n).u64(2n ** 60n).bytes(Buffer.alloc(16)).build(), "absurd-key");
    expectModelFileError(key, /absurd string length 1152921504606846976 at byte 24 \(in metadata entry 0's key\)/);
    const strValue = writeRaw(new Raw().bytes("GGUF").u32(3).u64(0n).u64(1n).str("k").u32(8).u64(2n ** 62n).build());
    expectModelFileError(strValue, /absurd string length \d+ .*metadata key k/);
    const modest = writeRaw(new Raw().bytes("GGUF").u32(3).u64(0n).u64(1n).str("k").u32(8).u64(5000n).bytes("abc").build());
    expectModelFileError(modest, /string length 5000 .* needs at least 5000 bytes but only 3 remain/);
    const arr = writeRaw(new Raw().bytes("GGUF").u32(3).u64(0n).u64(1n).str("k").u32(9).u32(5).u64(2n ** 50n).build());
    expectModelFileError(arr, /absurd array length|array length \d+ .* needs at least/);
    const arr2 = writeRaw(new Raw().bytes("GGUF").u32(3).u64(0n).u64(1n).str("k").u32(9).u32(5).u64(1000n).bytes(Buffer.alloc(40)).build());
    expectModelFileError(arr2, /array length 1000 .*metadata key k.* needs at least 4000 bytes but only 40 remain/);
    expectModelFileError(writeRaw(new Raw().bytes("GGUF").u32(3).u64(2n ** 40n).u64(0n).build()), /tensor count 1099511627776/);
    expectModelFileError(writeRaw(new Raw().bytes("GGUF").u32(3).u64(0n).u64(2n ** 63n).build()), /absurd metadata count/);
    expectModelFileError(writeRaw(new Raw().bytes("GGUF").u32(3).u64(0n).u64(1n).str("k").u32(99).build()), /unknown metadata value type 99/);
  });

  it("reports truncation anywhere in the header or the tensor data", () => {
    const full = encodeGguf(tinyLlamaSpec());
    const ok = writeRaw(full, "tiny-ok");
    expect(inspectGguf(ok).tokenizerModel).toBe("llama");
    const info = inspectGguf(ok);
    const lastTensor = info.tensors[info.tensors.length - 1]!;
    // Cut inside the tensor data: the message names the tensor and the byte range.
    const cut = lastTensor.fileOffset + 3;
    const truncated = writeRaw(full.subarray(0, cut), "tiny-cut");
    const err = expectModelFileError(truncated, new RegExp(`^truncated: tensor ${lastTensor.name.replace(/\./g, "\\.")} needs bytes ${lastTensor.fileOffset}\\.\\.${lastTensor.fileOffset + lastTensor.byteLength} but the file has ${cut} bytes$`));
    expect(err.message).toContain(truncated);
    // Cut at many points inside the header: always a ModelFileError mentioning truncation.
    for (let at = 4; at < info.dataOffset; at += Math.max(1, Math.floor(info.dataOffset / 97))) {
      expectModelFileError(writeRaw(full.subarray(0, at), "hdr"), /truncated|not a GGUF|absurd|needs at least/);
    }
  });

  it("never throws anything but ModelFileError on corrupted bytes", () => {
    const full = encodeGguf(tinyLlamaSpec());
    const prng = new Prng(99);
    const path = tempPath("fuzz");
    let accepted = 0;
    for (let round = 0; round < 400; round++) {
      const bytes = Buffer.from(full);
      const flips = 1 + prng.int(4);
      for (let f = 0; f < flips; f++) {
        // Mostly hit the header, where the structure is.
        const at = prng.chance(0.8) ? prng.int(Math.min(bytes.length, 4000)) : prng.int(bytes.length);
        bytes[at] = prng.chance(0.5) ? prng.int(256) : bytes[at]! ^ (1 << prng.int(8));
      }
      const cut = prng.chance(0.2) ? prng.int(bytes.length) : bytes.length;
      writeFileSync(path, bytes.subarray(0, cut));
      try {
        inspectGguf(path);
        accepted++;
      } catch (err) {
        if (!(err instanceof ModelFileError)) throw new Error(`round ${round}: ${String(err)}`);
        expect(err.message.startsWith(`${path}: `)).toBe(true);
      }
    }
    expect(accepted).toBeLessThan(400);
  });

  it("checks the llama keys, their types and the vocabulary against the embedding", () => {
    const without = (key: string) => (m: [string, GgufValue][]) => m.filter(([k]) => k !== key);
    const replace = (key: string, v: GgufValue) => (m: [string, GgufValue][]) => m.map(([k, x]): [string, GgufValue] => [k, k === key ? v : x]);
    const file = (edit: (m: [string, GgufValue][]) => [string, GgufValue][], rows?: number): string => writeRaw(encodeGguf(tinyLlamaSpec(edit, rows)), "llama");
    expectModelFileError(file(without("general.architecture")), /^missing metadata key general\.architecture$/);
    expectModelFileError(file(without("llama.block_count")), /^missing metadata key llama\.block_count$/);
    expectModelFileError(file(replace("llama.context_length", gv.i32(128))), /^metadata key llama\.context_length must be u32 but is i32$/);
    expectModelFileError(file(replace("llama.attention.layer_norm_rms_epsilon", gv.f64(1e-6))), /must be f32 but is f64/);
    expectModelFileError(file(replace("llama.rope.dimension_count", gv.u32(2))), /rope\.dimension_count is 2 but the head size is 4/);
    expectModelFileError(file(without("tokenizer.ggml.model")), /missing metadata key tokenizer\.ggml\.model/);
    expectModelFileError(file(replace("tokenizer.ggml.scores", gv.numbers("f32", [1, 2]))), /tokenizer\.ggml\.scores has 2 entries but tokenizer\.ggml\.tokens has \d+/);
    expectModelFileError(file(replace("tokenizer.ggml.token_type", gv.numbers("u8", [1]))), /token_type must be an array of i32 but is array of u8/);
    expectModelFileError(file(replace("tokenizer.ggml.eos_token_id", gv.u32(100000))), /eos_token_id 100000 is outside the vocabulary/);
    const vocabSize = buildSpmVocabulary(["Thought: hello world\nAction: search\n"], { merges: 5, minCharCount: 1 }).tokens.length;
    expectModelFileError(file((m) => m, vocabSize - 1), new RegExp(`token_embd\\.weight has ${vocabSize - 1} rows but the vocabulary has ${vocabSize} tokens`));
  });
});
