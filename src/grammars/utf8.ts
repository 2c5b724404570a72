/**
 * UTF-8 helpers: strict encoding of JavaScript strings, the split of a code-point range into
 * sequences of byte ranges, and a byte-level UTF-8 validator automaton.
 */
import { SURROGATE_MAX, SURROGATE_MIN, type CodePointSet } from "./codepoints.js";

const encoder = new TextEncoder();

/** The offset of the first lone surrogate in `text`, or -1 when it is well-formed UTF-16. */
export function loneSurrogateOffset(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < SURROGATE_MIN || c > SURROGATE_MAX) continue;
    if (c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= SURROGATE_MAX) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/**
 * The UTF-8 bytes of `text`. Throws on a lone surrogate (which TextEncoder would silently replace
 * with U+FFFD, changing the text): `what` names the text in the message.
 */
export function encodeUtf8(text: string, what = "text"): Uint8Array {
  const bad = loneSurrogateOffset(text);
  if (bad >= 0) {
    const unit = text.charCodeAt(bad).toString(16).toUpperCase();
    throw new RangeError(`${what} contains a lone surrogate \\u${unit} at offset ${bad}, which UTF-8 cannot encode`);
  }
  return encoder.encode(text);
}

/** The number of bytes UTF-8 takes for a code point. */
export function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** The UTF-8 bytes of one scalar value. */
export function encodeCodePoint(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

/** A sequence of byte ranges `[lo, hi]`: the bytes b1 b2 … with lo_i ≤ b_i ≤ hi_i. */
export type ByteRangeSequence = ReadonlyArray<readonly [number, number]>;

/**
 * The UTF-8 encodings of the scalar values in [lo, hi] (surrogates skipped), as a list of
 * byte-range sequences whose languages are disjoint and whose union is exactly those encodings.
 * The range is cut where the encoded length changes, then where the byte ranges would not be
 * independent: a sequence `[a1-b1][a2-b2]…` stands for the full product, which is a contiguous
 * run of code points only when every later range spans all continuation bytes or the earlier
 * bytes are fixed.
 */
export function utf8RangeSequences(lo: number, hi: number): ByteRangeSequence[] {
  const out: ByteRangeSequence[] = [];
  split(lo, hi, out);
  return out;
}

/** The byte-range sequences of every code point of a set. */
export function utf8SetSequences(set: CodePointSet): ByteRangeSequence[] {
  const out: ByteRangeSequence[] = [];
  for (let i = 0; i < set.length; i += 2) split(set[i]!, set[i + 1]!, out);
  return out;
}

const LENGTH_LIMITS = [0x7f, 0x7ff, 0xffff];

function split(lo: number, hi: number, out: ByteRangeSequence[]): void {
  if (lo > hi) return;
  if (lo <= SURROGATE_MAX && hi >= SURROGATE_MIN) {
    split(lo, SURROGATE_MIN - 1, out);
    split(SURROGATE_MAX + 1, hi, out);
    return;
  }
  for (const limit of LENGTH_LIMITS) {
    if (lo <= limit && hi > limit) {
      split(lo, limit, out);
      split(limit + 1, hi, out);
      return;
    }
  }
  const length = utf8Length(lo);
  for (let i = 1; i < length; i++) {
    const low = (1 << (6 * i)) - 1;
    if ((lo & ~low) === (hi & ~low)) continue;
    if ((lo & low) !== 0) {
      split(lo, lo | low, out);
      split((lo | low) + 1, hi, out);
      return;
    }
    if ((hi & low) !== low) {
      split(lo, (hi & ~low) - 1, out);
      split(hi & ~low, hi, out);
      return;
    }
  }
  const a = encodeCodePoint(lo);
  const b = encodeCodePoint(hi);
  out.push(a.map((byte, i) => [byte, b[i]!] as const));
}

/**
 * UTF-8 validation as a DFA over bytes: state 0 is a character boundary; the others are inside a
 * character. `UTF8_NEXT[state * 256 + byte]` is the next state or -1 (an invalid byte: a stray
 * continuation byte, an overlong form, a surrogate, or above U+10FFFF).
 *
 * States: 0 boundary; 1 one continuation byte left; 2 two left; 3 three left; 4 after E0 (next
 * A0–BF); 5 after ED (next 80–9F); 6 after F0 (next 90–BF); 7 after F4 (next 80–8F).
 */
export const UTF8_STATES = 8;
export const UTF8_NEXT: Int32Array = (() => {
  const table = new Int32Array(UTF8_STATES * 256).fill(-1);
  const set = (state: number, lo: number, hi: number, next: number): void => {
    for (let b = lo; b <= hi; b++) table[state * 256 + b] = next;
  };
  set(0, 0x00, 0x7f, 0);
  set(0, 0xc2, 0xdf, 1);
  set(0, 0xe0, 0xe0, 4);
  set(0, 0xe1, 0xec, 2);
  set(0, 0xed, 0xed, 5);
  set(0, 0xee, 0xef, 2);
  set(0, 0xf0, 0xf0, 6);
  set(0, 0xf1, 0xf3, 3);
  set(0, 0xf4, 0xf4, 7);
  set(1, 0x80, 0xbf, 0);
  set(2, 0x80, 0xbf, 1);
  set(3, 0x80, 0xbf, 2);
  set(4, 0xa0, 0xbf, 1);
  set(5, 0x80, 0x9f, 1);
  set(6, 0x90, 0xbf, 2);
  set(7, 0x80, 0x8f, 2);
  return table;
})();

/** Whether `bytes` is valid UTF-8 (complete characters only). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  let state = 0;
  for (let i = 0; i < bytes.length && state >= 0; i++) state = UTF8_NEXT[state * 256 + bytes[i]!]!;
  return state === 0;
}
