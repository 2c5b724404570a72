/**
 * Sets of Unicode code points as sorted, disjoint, non-adjacent intervals, flattened:
 * `[lo0, hi0, lo1, hi1, …]` with both ends included. Used by the regex parser (classes, `.`,
 * escapes) and by the GBNF export (character classes).
 */
export type CodePointSet = readonly number[];

export const MAX_CODE_POINT = 0x10ffff;
export const SURROGATE_MIN = 0xd800;
export const SURROGATE_MAX = 0xdfff;

/** The set of the given intervals (any order, overlapping allowed), normalized. */
export function cpSet(...pairs: number[]): CodePointSet {
  const items: Array<[number, number]> = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const lo = pairs[i]!;
    const hi = pairs[i + 1]!;
    if (lo <= hi) items.push([lo, hi]);
  }
  items.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (const [lo, hi] of items) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) {
      if (hi > out[last]!) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

export function cpUnion(...sets: CodePointSet[]): CodePointSet {
  return cpSet(...sets.flat());
}

/** The code points of [0, 0x10FFFF] not in `set` (surrogates included). */
export function cpComplement(set: CodePointSet): CodePointSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i]! > next) out.push(next, set[i]! - 1);
    next = set[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

/** `set` without the surrogates U+D800–U+DFFF, which UTF-8 cannot encode. */
export function cpWithoutSurrogates(set: CodePointSet): CodePointSet {
  const out: number[] = [];
  for (let i = 0; i < set.length; i += 2) {
    const lo = set[i]!;
    const hi = set[i + 1]!;
    if (hi < SURROGATE_MIN || lo > SURROGATE_MAX) {
      out.push(lo, hi);
      continue;
    }
    if (lo < SURROGATE_MIN) out.push(lo, SURROGATE_MIN - 1);
    if (hi > SURROGATE_MAX) out.push(SURROGATE_MAX + 1, hi);
  }
  return out;
}

/** The Unicode scalar values (every code point UTF-8 can encode) not in `set`. */
export function cpScalarComplement(set: CodePointSet): CodePointSet {
  return cpWithoutSurrogates(cpComplement(set));
}

export function cpContains(set: CodePointSet, cp: number): boolean {
  for (let i = 0; i < set.length; i += 2) {
    if (cp < set[i]!) return false;
    if (cp <= set[i + 1]!) return true;
  }
  return false;
}

export function cpIsEmpty(set: CodePointSet): boolean {
  return set.length === 0;
}

/** Number of code points in the set. */
export function cpSize(set: CodePointSet): number {
  let n = 0;
  for (let i = 0; i < set.length; i += 2) n += set[i + 1]! - set[i]! + 1;
  return n;
}

/** `\d`: the ASCII digits (as in JavaScript, also with the `u` flag). */
export const DIGIT: CodePointSet = cpSet(0x30, 0x39);
/** `\w`: ASCII letters, digits and `_` (JavaScript's definition without the `i` flag). */
export const WORD: CodePointSet = cpSet(0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a);
/** `\s`: JavaScript's WhiteSpace and LineTerminator code points. */
export const SPACE: CodePointSet = cpSet(
  0x09, 0x0d, // \t \n \v \f \r
  0x20, 0x20,
  0xa0, 0xa0,
  0x1680, 0x1680,
  0x2000, 0x200a,
  0x2028, 0x2029,
  0x202f, 0x202f,
  0x205f, 0x205f,
  0x3000, 0x3000,
  0xfeff, 0xfeff,
);
/** Every Unicode scalar value. */
export const ANY_SCALAR: CodePointSet = cpSet(0, SURROGATE_MIN - 1, SURROGATE_MAX + 1, MAX_CODE_POINT);
/** `.`: every scalar value except `\n`. */
export const DOT: CodePointSet = cpSet(0, 0x09, 0x0b, SURROGATE_MIN - 1, SURROGATE_MAX + 1, MAX_CODE_POINT);
