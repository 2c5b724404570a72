/**
 * JSON numbers as regular expressions (in regex-parser.ts syntax): integers in a range (the
 * classic digit-by-digit split), and decimals compared with a bound.
 *
 * What the generator writes, and why:
 * - integers have at most MAX_DIGITS digits, so that JSON.parse gives exactly the value written
 *   and every comparison a validator makes in doubles agrees with the decimal one; never `-0`;
 * - bounded numbers are plain decimals (no exponent) with at most MAX_DIGITS digits in all: two
 *   different such decimals parse to different doubles in the same order, so a decimal
 *   comparison with a bound of at most MAX_DIGITS significant digits is what the validator sees;
 * - unbounded numbers may have an exponent of at most two digits (always finite).
 */

/** The most digits the generator writes in an integer or a bounded decimal. */
export const MAX_DIGITS = 15;
/** The largest magnitude of a generated integer. */
export const MAX_GENERATED_INTEGER = 10 ** MAX_DIGITS - 1;

/** Digit strings of the same length from lo to hi (lexicographic order is numeric order). */
function sameLengthRange(lo: string, hi: string): string {
  if (lo.length === 0) return "";
  if (lo === hi) return lo;
  const a = Number(lo[0]);
  const b = Number(hi[0]);
  const restLength = lo.length - 1;
  if (a === b) return `${a}(?:${sameLengthRange(lo.slice(1), hi.slice(1))})`;
  const alternatives: string[] = [];
  const lowRest = lo.slice(1);
  const highRest = hi.slice(1);
  const allNines = "9".repeat(restLength);
  const allZeros = "0".repeat(restLength);
  // The first digit at its low end, the ones strictly between, then the high end.
  let from = a;
  if (lowRest !== allZeros) {
    alternatives.push(`${a}(?:${sameLengthRange(lowRest, allNines)})`);
    from = a + 1;
  }
  let to = b;
  if (highRest !== allNines) to = b - 1;
  if (from <= to) alternatives.push(`[${from}-${to}]${restLength > 0 ? `\\d{${restLength}}` : ""}`);
  if (highRest !== allNines) alternatives.push(`${b}(?:${sameLengthRange(allZeros, highRest)})`);
  return alternatives.join("|");
}

/** Decimal integers from lo to hi (0 ≤ lo ≤ hi, as digit strings without leading zeros). */
function naturalRange(lo: bigint, hi: bigint): string {
  const alternatives: string[] = [];
  const loText = lo.toString();
  const hiText = hi.toString();
  for (let length = loText.length; length <= hiText.length; length++) {
    const from = length === loText.length ? loText : `1${"0".repeat(length - 1)}`;
    const to = length === hiText.length ? hiText : "9".repeat(length);
    alternatives.push(`(?:${sameLengthRange(from, to)})`);
  }
  return alternatives.join("|");
}

/**
 * The regular expression of the integers from lo to hi written in decimal (never `-0`); lo and
 * hi must lie within ±MAX_GENERATED_INTEGER. Undefined when the range is empty.
 */
export function integerRangeRegex(lo: number, hi: number): string | undefined {
  if (lo > hi) return undefined;
  const parts: string[] = [];
  if (lo < 0) {
    const magnitudeLow = BigInt(Math.max(1, -hi));
    parts.push(`-(?:${naturalRange(magnitudeLow, BigInt(-lo))})`);
  }
  if (hi >= 0) parts.push(naturalRange(BigInt(Math.max(0, lo)), BigInt(hi)));
  return parts.join("|");
}

/** A finite decimal as digit strings: integer part without leading zeros, fraction without trailing zeros. */
export interface Decimal {
  readonly negative: boolean;
  readonly integer: string;
  readonly fraction: string;
}

/** The exact decimal a JavaScript number prints as (its shortest round-trip form), expanded. */
export function toDecimal(value: number): Decimal {
  const text = String(Math.abs(value));
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (match === null) throw new RangeError(`not a finite number: ${value}`);
  let digits = match[1]! + (match[2] ?? "");
  let point = match[1]!.length + Number(match[3] ?? 0);
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const integer = digits.slice(0, point).replace(/^0+/, "") || "0";
  const fraction = digits.slice(point).replace(/0+$/, "");
  return { negative: value < 0 && (integer !== "0" || fraction !== ""), integer, fraction };
}

/** Significant digits of a decimal (leading and trailing zeros not counted). */
export function significantDigits(d: Decimal): number {
  return (d.integer + d.fraction).replace(/^0+/, "").replace(/0+$/, "").length || 1;
}

/**
 * Fraction digit strings D (possibly empty: no fraction, read as 0) with 0.D in relation to 0.bound
 * (the bound without trailing zeros). A first digit beyond (or below) the bound's decides; an
 * equal one defers to the rest. Undefined when no D qualifies.
 */
function fractionRegex(bound: string, relation: Relation): string | undefined {
  if (bound === "") {
    if (relation === "ge") return "\\d*";
    if (relation === "le") return "0*";
    if (relation === "gt") return "\\d*[1-9]\\d*";
    return undefined; // nothing is below zero
  }
  const first = Number(bound[0]);
  const tail = fractionRegex(bound.slice(1), relation);
  const alternatives: string[] = [];
  if (relation === "ge" || relation === "gt") {
    if (first < 9) alternatives.push(`[${first + 1}-9]\\d*`);
  } else {
    alternatives.push(""); // no more digits: 0 < 0.bound, which has a non-zero digit
    if (first > 0) alternatives.push(`[0-${first - 1}]\\d*`);
  }
  if (tail !== undefined) alternatives.push(`${first}(?:${tail})`);
  return alternatives.length === 0 ? undefined : alternatives.join("|");
}

/** Whether the empty fraction (0) is in relation to 0.bound. */
function emptyFractionQualifies(bound: string, relation: Relation): boolean {
  return bound === "" ? relation === "ge" || relation === "le" : relation === "le" || relation === "lt";
}

export type Relation = "ge" | "gt" | "le" | "lt";

/**
 * Non-negative magnitudes `int(.frac)?` in relation to the non-negative bound (to be intersected
 * with the number syntax, which removes a bare trailing point).
 */
function magnitudeRegex(bound: Decimal, relation: Relation): string | undefined {
  const a = BigInt(bound.integer);
  const alternatives: string[] = [];
  // A larger (smaller) integer part decides, whatever the fraction.
  if (relation === "ge" || relation === "gt") {
    if (a + 1n <= BigInt(MAX_GENERATED_INTEGER)) alternatives.push(`(?:${naturalRange(a + 1n, BigInt(MAX_GENERATED_INTEGER))})(?:\\.\\d+)?`);
  } else if (a > 0n) {
    alternatives.push(`(?:${naturalRange(0n, a - 1n)})(?:\\.\\d+)?`);
  }
  const fraction = fractionRegex(bound.fraction, relation);
  if (fraction !== undefined) {
    alternatives.push(emptyFractionQualifies(bound.fraction, relation) ? `${bound.integer}(?:\\.(?:${fraction}))?` : `${bound.integer}\\.(?:${fraction})`);
  }
  return alternatives.length === 0 ? undefined : alternatives.join("|");
}

/** Plain decimals (no exponent) with at most MAX_DIGITS significant digits. */
export const BOUNDED_DECIMAL_SYNTAX = (() => {
  // Below 1, the zeros after the point are not significant (20 of them reach 1e-21).
  const magnitudes = [`0(?:\\.0{0,20}\\d{1,${MAX_DIGITS}})?`];
  for (let k = 1; k <= MAX_DIGITS; k++) {
    const fraction = MAX_DIGITS - k;
    magnitudes.push(`[1-9]${k > 1 ? `\\d{${k - 1}}` : ""}${fraction > 0 ? `(?:\\.\\d{1,${fraction}})?` : ""}`);
  }
  return `-?(?:${magnitudes.join("|")})`;
})();

/** Decimals that are not negative zero: `-0`, `-0.0` parse to -0, which compares equal to 0. */
export const NO_NEGATIVE_ZERO = "(?:0|[1-9]\\d*)(?:\\.\\d+)?|-(?:[1-9]\\d*(?:\\.\\d+)?|0\\.\\d*[1-9]\\d*)";

/** Any JSON number the unbounded generator writes: at most MAX_DIGITS integer digits, an optional fraction and exponent. */
export const UNBOUNDED_NUMBER_SYNTAX = `-?(?:0|[1-9]\\d{0,${MAX_DIGITS - 1}})(?:\\.\\d+)?(?:[eE][+-]?\\d{1,2})?`;

/** Integers within ±MAX_GENERATED_INTEGER, never `-0`. */
export const UNBOUNDED_INTEGER_SYNTAX = `0|-?[1-9]\\d{0,${MAX_DIGITS - 1}}`;

/**
 * The decimals x (sign included) with `x ≥ bound` (ge), `x > bound` (gt), `x ≤ bound` (le) or
 * `x < bound` (lt), as a regular expression over `-?magnitude` strings; to be intersected with
 * BOUNDED_DECIMAL_SYNTAX and NO_NEGATIVE_ZERO. Undefined when no decimal qualifies.
 */
export function decimalBoundRegex(bound: Decimal, relation: Relation): string | undefined {
  const anyMagnitude = "(?:0|[1-9]\\d*)(?:\\.\\d+)?";
  const upward = relation === "ge" || relation === "gt";
  const parts: string[] = [];
  if (!bound.negative) {
    // Non-negative bound: the non-negatives in relation; below it also every negative.
    const positive = magnitudeRegex(bound, relation);
    if (positive !== undefined) parts.push(positive);
    if (!upward) parts.push(`-${anyMagnitude}`);
  } else {
    // Negative bound -b: x ≥ -b ⟺ x ≥ 0, or x = -m with m ≤ b (and the mirror for ≤).
    const mirrored: Relation = relation === "ge" ? "le" : relation === "gt" ? "lt" : relation === "le" ? "ge" : "gt";
    const negatives = magnitudeRegex({ negative: false, integer: bound.integer, fraction: bound.fraction }, mirrored);
    if (negatives !== undefined) parts.push(`-(?:${negatives})`);
    if (upward) parts.push(anyMagnitude);
  }
  return parts.length === 0 ? undefined : parts.map((p) => `(?:${p})`).join("|");
}

/**
 * The decimal of at most MAX_DIGITS significant digits nearest to `d` in one direction ("up":
 * the smallest one ≥ d, "down": the largest one ≤ d), and whether it equals d.
 *
 * A bound with more digits is replaced by this one, which is sound: for a lower bound L with
 * shortest form s, the rounded-up r is > s, and no decimal this short parses to L (else L's
 * shortest form would be shorter), so every x ≥ r parses above L — strict bounds included.
 */
export function roundDecimal(d: Decimal, direction: "up" | "down"): { decimal: Decimal; exact: boolean } {
  const digits = (d.integer + d.fraction).replace(/^0+/, "") || "0";
  const extra = digits.length - MAX_DIGITS;
  if (extra <= 0) return { decimal: d, exact: true };
  const scale = 10n ** BigInt(extra);
  const whole = BigInt(digits);
  // Rounding the magnitude up raises a positive value and lowers a negative one.
  const magnitudeUp = (direction === "up") !== d.negative;
  let kept = whole / scale;
  if (magnitudeUp && whole % scale !== 0n) kept += 1n;
  const exponent = extra - d.fraction.length; // value = kept × 10^exponent
  let text = kept.toString();
  let integer: string;
  let fraction: string;
  if (exponent >= 0) {
    integer = text + "0".repeat(exponent);
    fraction = "";
  } else {
    text = text.padStart(-exponent + 1, "0");
    integer = text.slice(0, text.length + exponent);
    fraction = text.slice(text.length + exponent);
  }
  integer = integer.replace(/^0+/, "") || "0";
  fraction = fraction.replace(/0+$/, "");
  return { decimal: { negative: d.negative && (integer !== "0" || fraction !== ""), integer, fraction }, exact: whole % scale === 0n };
}

/**
 * For a decimal multipleOf m: e when the multiples of m that are dyadic (exactly representable)
 * are the multiples of 1/2^e (e ≤ 6), and m is stored close enough to its decimal value
 * (relative error below 2^-54) that x / m rounds to the exact integer for each such x below
 * 2^52·m in magnitude; otherwise undefined. (m = a/10^d: k·m is dyadic when 5^d divides k·a;
 * the least such multiple must be 1/2^e.)
 */
export function dyadicStep(m: number): number | undefined {
  if (!(m > 0) || !Number.isFinite(m)) return undefined;
  const { integer, fraction } = toDecimal(m);
  const d = fraction.length;
  const a = BigInt(integer + fraction);
  const five = 5n ** BigInt(d);
  let g = a;
  let r = five;
  while (r !== 0n) [g, r] = [r, g % r];
  // The least dyadic multiple: a / (g · 2^d), reduced.
  let numerator = a / g;
  let exponent = d;
  while (numerator % 2n === 0n && exponent > 0) {
    numerator /= 2n;
    exponent--;
  }
  if (numerator !== 1n || exponent > 6 || exponent === 0) return undefined;
  // m as stored: M · 2^E exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, m);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const mantissa = (bits & ((1n << 52n) - 1n)) | (biased === 0 ? 0n : 1n << 52n);
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  // |M·2^E − a/10^d| / (a/10^d) < 2^-54, as integers: |M·10^d·2^s − a·2^t|·2^54 < a·2^t (s, t ≥ 0).
  const ten = 10n ** BigInt(d);
  const left = e2 >= 0 ? mantissa * ten * (1n << BigInt(e2)) : mantissa * ten;
  const right = e2 >= 0 ? a : a * (1n << BigInt(-e2));
  const difference = left > right ? left - right : right - left;
  return difference * (1n << 54n) < right ? exponent : undefined;
}

/** Decimals that are multiples of 1/2^e: an integer part and a fraction among i/2^e (trailing zeros allowed). */
export function dyadicDecimalRegex(e: number): string {
  const fractions: string[] = [];
  for (let i = 1; i < 2 ** e; i++) fractions.push(((i / 2 ** e).toFixed(e).slice(2)).replace(/0+$/, ""));
  return `-?(?:0|[1-9]\\d*)(?:\\.(?:0+|(?:${fractions.join("|")})0*))?`;
}
