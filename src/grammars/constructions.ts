/**
 * Content automata built directly (without the regex compiler): literal text, a choice among
 * strings, and free text closed by a terminator.
 */
import type { ByteDfa } from "./byte-dfa.js";
import { AutomatonTooLargeError } from "./errors.js";
import { DEFAULT_MAX_STATES, emptyDfa, minimizeDfa, type DfaBuildOptions } from "./ops.js";
import { encodeUtf8, UTF8_NEXT } from "./utf8.js";

// The other constructions, so that one import gives them all.
export { concatDfa, unionDfa, intersectDfa } from "./ops.js";
export { regexDfa } from "./regex.js";

/** The DFA accepting exactly the UTF-8 bytes of `text` (a chain of length+1 states; already minimal). */
export function literalDfa(text: string): ByteDfa {
  const bytes = encodeUtf8(text, "literal");
  const m = bytes.length + 1;
  const transitions = new Int32Array(m * 256).fill(-1);
  const accepting = new Uint8Array(m);
  for (let i = 0; i < bytes.length; i++) transitions[i * 256 + bytes[i]!] = i + 1;
  accepting[m - 1] = 1;
  return { stateCount: m, initial: 0, transitions, accepting };
}

/** The DFA accepting exactly the UTF-8 bytes of one of the options: their trie, minimized. No options: the empty language. */
export function choiceDfa(options: readonly string[], buildOptions: DfaBuildOptions = {}): ByteDfa {
  if (options.length === 0) return emptyDfa();
  const limit = buildOptions.maxStates ?? DEFAULT_MAX_STATES;
  const encoded = options.map((o, i) => encodeUtf8(o, `choice option ${i + 1}`));
  const total = encoded.reduce((sum, b) => sum + b.length, 1);
  if (total > 16 * limit) throw new AutomatonTooLargeError("choice", limit, total);
  const transitions = new Int32Array(total * 256).fill(-1);
  const accepting = new Uint8Array(total);
  let count = 1;
  for (const bytes of encoded) {
    let s = 0;
    for (const b of bytes) {
      let t = transitions[s * 256 + b]!;
      if (t < 0) {
        t = count++;
        transitions[s * 256 + b] = t;
      }
      s = t;
    }
    accepting[s] = 1;
  }
  const result = minimizeDfa({ stateCount: count, initial: 0, transitions: transitions.subarray(0, count * 256), accepting: accepting.subarray(0, count) });
  if (result.stateCount > limit) throw new AutomatonTooLargeError("choice", limit, result.stateCount);
  return result;
}

export interface FreeTextOptions {
  /** The text that ends the content (non-empty). The content never contains it. */
  readonly terminator: string;
  /** At most this many bytes of content (the terminator not counted); unbounded when absent. */
  readonly maxBytes?: number | undefined;
}

/**
 * For a pattern p, `next[k * 256 + b]` is the length of the longest prefix of p that is a suffix
 * of (p[0..k) + b), for k < |p| (Knuth–Morris–Pratt as an automaton). A value of |p| means the
 * pattern has just occurred.
 */
export function kmpTable(pattern: Uint8Array): Int32Array {
  const m = pattern.length;
  const fail = new Int32Array(m); // fail[i]: longest proper border of p[0..i]
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && pattern[i] !== pattern[k]) k = fail[k - 1]!;
    if (pattern[i] === pattern[k]) k++;
    fail[i] = k;
  }
  const next = new Int32Array(m * 256);
  for (let k = 0; k < m; k++) {
    for (let b = 0; b < 256; b++) {
      if (pattern[k] === b) next[k * 256 + b] = k + 1;
      else next[k * 256 + b] = k === 0 ? 0 : next[fail[k - 1]! * 256 + b]!;
    }
  }
  return next;
}

/**
 * Free text closed by a terminator: the words c·t where t is the terminator's UTF-8 bytes, c is
 * valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) of at most `maxBytes`
 * bytes, and t occurs in c·t only at the end. So c may contain proper prefixes of t but not t, and
 * may not end with a proper prefix of t that t's start would complete (for t = "\n\n", c may not
 * end with "\n").
 *
 * The states track (UTF-8 decoder state, KMP state: longest prefix of t just read, bytes read);
 * a state is dropped as soon as the content is certainly longer than `maxBytes` (bytes read minus
 * the pending prefix of t). The result is minimized: about (8 + |t|) · maxBytes states.
 */
export function freeTextDfa(options: FreeTextOptions, buildOptions: DfaBuildOptions = {}): ByteDfa {
  const { terminator, maxBytes } = options;
  const limit = buildOptions.maxStates ?? DEFAULT_MAX_STATES;
  const t = encodeUtf8(terminator, "terminator");
  if (t.length === 0) throw new RangeError("free text needs a non-empty terminator");
  if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes >= 0)) {
    throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  const bounded = maxBytes !== undefined;
  const m = t.length;
  const kmp = kmpTable(t);
  const what = `free text closed by ${JSON.stringify(terminator)}${bounded ? ` of at most ${maxBytes} bytes` : ""}`;
  // A rough lower bound on the result, so absurd limits fail before allocating anything.
  if (bounded && maxBytes + 1 > limit) throw new AutomatonTooLargeError(what, limit, maxBytes + 1);

  // State key: ((n * m) + k) * 8 + u, with n = bytes read (0 when unbounded). The done state is 0.
  const ids = new Map<number, number>();
  const keys: number[] = [-1];
  const rows: Int32Array[] = [];
  const intern = (u: number, k: number, n: number): number => {
    const key = (n * m + k) * 8 + u;
    let id = ids.get(key);
    if (id === undefined) {
      id = keys.length;
      // The direct construction is not minimal, but within a small factor of it.
      if (id > 4 * limit + 64) throw new AutomatonTooLargeError(what, limit, id);
      ids.set(key, id);
      keys.push(key);
    }
    return id;
  };
  rows.push(new Int32Array(256).fill(-1)); // done: accepting, no way on
  intern(0, 0, 0);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    const u = key % 8;
    const k = Math.floor(key / 8) % m;
    const n = Math.floor(key / 8 / m);
    const row = new Int32Array(256).fill(-1);
    for (let b = 0; b < 256; b++) {
      const u2 = UTF8_NEXT[u * 256 + b]!;
      if (u2 < 0) continue;
      const k2 = kmp[k * 256 + b]!;
      if (k2 === m) {
        // The terminator is complete; it starts at a character boundary, so u2 is 0.
        if (!bounded || n + 1 - m <= maxBytes) row[b] = 0;
        continue;
      }
      const n2 = bounded ? n + 1 : 0;
      if (bounded && n2 - k2 > maxBytes) continue;
      row[b] = intern(u2, k2, n2);
    }
    rows.push(row);
  }
  const count = keys.length;
  const transitions = new Int32Array(count * 256);
  for (let i = 0; i < count; i++) transitions.set(rows[i]!, i * 256);
  const accepting = new Uint8Array(count);
  accepting[0] = 1;
  const result = minimizeDfa({ stateCount: count, initial: 1, transitions, accepting });
  if (result.stateCount > limit) throw new AutomatonTooLargeError(what, limit, result.stateCount);
  return result;
}
