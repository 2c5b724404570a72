/**
 * Shared definitions of the GGUF container (version 3, little-endian): metadata value types,
 * ggml tensor types with their block sizes, and float16 conversion.
 */

export const GGUF_MAGIC = "GGUF";
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Numeric codes of metadata value types, as stored in the file. */
export const GGUF_VALUE_TYPE_CODES = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufValueTypeName = keyof typeof GGUF_VALUE_TYPE_CODES;
export type GgufNumberType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64";
export type GgufBigIntType = "u64" | "i64";

export const GGUF_VALUE_TYPE_NAMES: readonly GgufValueTypeName[] = [
  "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64",
];

/** Fixed byte size of a scalar value type (strings and arrays have none). */
export const GGUF_SCALAR_SIZES: Readonly<Record<Exclude<GgufValueTypeName, "string" | "array">, number>> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, u64: 8, i64: 8, f64: 8,
};

/** An array value. Numeric arrays may be plain arrays or typed arrays. */
export type GgufArrayValue =
  | { type: "array"; itemType: GgufNumberType; value: ArrayLike<number> }
  | { type: "array"; itemType: GgufBigIntType; value: ArrayLike<bigint> }
  | { type: "array"; itemType: "bool"; value: ArrayLike<boolean> }
  | { type: "array"; itemType: "string"; value: ArrayLike<string> }
  | { type: "array"; itemType: "array"; value: ArrayLike<GgufArrayValue> };

/** A typed metadata value. The type is explicit because llama.cpp checks it strictly (u32 is not i32). */
export type GgufValue =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | GgufArrayValue;

/** Short constructors for metadata values. */
export const gv = {
  u8: (value: number): GgufValue => ({ type: "u8", value }),
  i8: (value: number): GgufValue => ({ type: "i8", value }),
  u16: (value: number): GgufValue => ({ type: "u16", value }),
  i16: (value: number): GgufValue => ({ type: "i16", value }),
  u32: (value: number): GgufValue => ({ type: "u32", value }),
  i32: (value: number): GgufValue => ({ type: "i32", value }),
  f32: (value: number): GgufValue => ({ type: "f32", value }),
  f64: (value: number): GgufValue => ({ type: "f64", value }),
  u64: (value: bigint): GgufValue => ({ type: "u64", value }),
  i64: (value: bigint): GgufValue => ({ type: "i64", value }),
  bool: (value: boolean): GgufValue => ({ type: "bool", value }),
  str: (value: string): GgufValue => ({ type: "string", value }),
  numbers: (itemType: GgufNumberType, value: ArrayLike<number>): GgufArrayValue => ({ type: "array", itemType, value }),
  bigints: (itemType: GgufBigIntType, value: ArrayLike<bigint>): GgufArrayValue => ({ type: "array", itemType, value }),
  bools: (value: ArrayLike<boolean>): GgufArrayValue => ({ type: "array", itemType: "bool", value }),
  strings: (value: ArrayLike<string>): GgufArrayValue => ({ type: "array", itemType: "string", value }),
  arrays: (value: ArrayLike<GgufArrayValue>): GgufArrayValue => ({ type: "array", itemType: "array", value }),
};

/** ggml tensor types: code → name, elements per block, bytes per block. Removed codes are absent. */
export const GGML_TYPES: ReadonlyMap<number, { name: string; blockSize: number; typeSize: number }> = new Map([
  [0, { name: "F32", blockSize: 1, typeSize: 4 }],
  [1, { name: "F16", blockSize: 1, typeSize: 2 }],
  [2, { name: "Q4_0", blockSize: 32, typeSize: 18 }],
  [3, { name: "Q4_1", blockSize: 32, typeSize: 20 }],
  [6, { name: "Q5_0", blockSize: 32, typeSize: 22 }],
  [7, { name: "Q5_1", blockSize: 32, typeSize: 24 }],
  [8, { name: "Q8_0", blockSize: 32, typeSize: 34 }],
  [9, { name: "Q8_1", blockSize: 32, typeSize: 36 }],
  [10, { name: "Q2_K", blockSize: 256, typeSize: 84 }],
  [11, { name: "Q3_K", blockSize: 256, typeSize: 110 }],
  [12, { name: "Q4_K", blockSize: 256, typeSize: 144 }],
  [13, { name: "Q5_K", blockSize: 256, typeSize: 176 }],
  [14, { name: "Q6_K", blockSize: 256, typeSize: 210 }],
  [15, { name: "Q8_K", blockSize: 256, typeSize: 292 }],
  [16, { name: "IQ2_XXS", blockSize: 256, typeSize: 66 }],
  [17, { name: "IQ2_XS", blockSize: 256, typeSize: 74 }],
  [18, { name: "IQ3_XXS", blockSize: 256, typeSize: 98 }],
  [19, { name: "IQ1_S", blockSize: 256, typeSize: 50 }],
  [20, { name: "IQ4_NL", blockSize: 32, typeSize: 18 }],
  [21, { name: "IQ3_S", blockSize: 256, typeSize: 110 }],
  [22, { name: "IQ2_S", blockSize: 256, typeSize: 82 }],
  [23, { name: "IQ4_XS", blockSize: 256, typeSize: 136 }],
  [24, { name: "I8", blockSize: 1, typeSize: 1 }],
  [25, { name: "I16", blockSize: 1, typeSize: 2 }],
  [26, { name: "I32", blockSize: 1, typeSize: 4 }],
  [27, { name: "I64", blockSize: 1, typeSize: 8 }],
  [28, { name: "F64", blockSize: 1, typeSize: 8 }],
  [29, { name: "IQ1_M", blockSize: 256, typeSize: 56 }],
  [30, { name: "BF16", blockSize: 1, typeSize: 2 }],
  [34, { name: "TQ1_0", blockSize: 256, typeSize: 54 }],
  [35, { name: "TQ2_0", blockSize: 256, typeSize: 66 }],
  [39, { name: "MXFP4", blockSize: 32, typeSize: 17 }],
  [40, { name: "NVFP4", blockSize: 64, typeSize: 36 }],
  [41, { name: "Q1_0", blockSize: 128, typeSize: 18 }],
  [42, { name: "Q2_0", blockSize: 64, typeSize: 18 }],
]);

/** The tensor types this project writes. */
export type WritableTensorType = "F32" | "F16";
export const WRITABLE_TENSOR_TYPE_CODES: Readonly<Record<WritableTensorType, number>> = { F32: 0, F16: 1 };

/** Maximum number of dimensions of a ggml tensor. */
export const GGML_MAX_DIMS = 4;

export function alignUp(n: number, alignment: number): number {
  const r = n % alignment;
  return r === 0 ? n : n + (alignment - r);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary32 → binary16 bits, round to nearest even; overflow goes to ±Infinity. */
export function f32ToF16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) {
    // Infinity or NaN (keep NaN quiet and non-zero).
    return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  }
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero).
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  // A carry out of the mantissa correctly bumps the exponent (and may reach Infinity).
  return sign | half;
}

/** IEEE 754 binary16 bits → number. */
export function f16BitsToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
