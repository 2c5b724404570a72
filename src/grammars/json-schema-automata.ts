/**
 * Byte-automaton building blocks for the JSON Schema compiler (json-schema.ts): an assembly of
 * whole DFAs joined by ε-moves and determinized once, the JSON string encoding as a homomorphism
 * on a DFA of decoded contents, code-point length bounds, and complement within valid UTF-8.
 *
 * JSON's structure is glue between complete values: `{`, a key, a colon, a value, a comma …
 * Composing the value DFAs pairwise (concatDfa, unionDfa) would redo a subset construction over
 * the whole prefix at every step; the assembly instead embeds each child once, by reference to
 * its transition table, and determinizes the object or array as a whole.
 */
import type { ByteDfa } from "./byte-dfa.js";
import { AutomatonTooLargeError } from "./errors.js";
import { DEFAULT_MAX_STATES, checkStateLimit, minimizeCompact, minimizeDfa, tableByteClasses, type DfaBuildOptions } from "./ops.js";
import { literalDfa } from "./constructions.js";
import { UTF8_NEXT, UTF8_STATES } from "./utf8.js";

/**
 * An NFA whose states are glue states (ε-moves only) and the states of embedded DFA copies
 * (their byte moves are read from the embedded table, never copied).
 */
export class DfaAssembly {
  /** For each NFA state: the index of its embedded copy, or -1 for a glue state. */
  private readonly copyOf: number[] = [];
  /** For each NFA state of a copy: its state in the embedded DFA. */
  private readonly localOf: number[] = [];
  private readonly epsilon: number[][] = [];
  private readonly copies: Array<{ readonly dfa: ByteDfa; readonly offset: number }> = [];

  /** A new glue state. */
  glue(): number {
    this.copyOf.push(-1);
    this.localOf.push(-1);
    this.epsilon.push([]);
    return this.copyOf.length - 1;
  }

  link(from: number, to: number): void {
    this.epsilon[from]!.push(to);
  }

  /**
   * Puts a copy of `dfa` between two glue states: `from` moves by ε to its initial state, and its
   * accepting states move by ε to `to`. An empty language adds nothing, so `to` stays unreachable
   * that way.
   */
  embed(dfa: ByteDfa, from: number, to: number): void {
    if (dfa.stateCount === 1 && dfa.accepting[0] === 0) return; // minimized empty language
    const offset = this.copyOf.length;
    const copy = this.copies.length;
    this.copies.push({ dfa, offset });
    for (let s = 0; s < dfa.stateCount; s++) {
      this.copyOf.push(copy);
      this.localOf.push(s);
      this.epsilon.push(dfa.accepting[s] === 1 ? [to] : []);
    }
    this.link(from, offset + dfa.initial);
  }

  /** Embeds the literal text between `from` and `to`. */
  literal(text: string, from: number, to: number): void {
    this.embed(literalDfa(text), from, to);
  }

  /** The minimal DFA of the words leading from `start` to `final`. */
  build(start: number, final: number, options: DfaBuildOptions = {}, what = "JSON schema automaton"): ByteDfa {
    const limit = options.maxStates ?? DEFAULT_MAX_STATES;
    const tables = [...new Set(this.copies.map((c) => c.dfa.transitions))];
    const { classOf, count: C, representatives } = tableByteClasses(tables.length === 0 ? [new Int32Array(256).fill(-1)] : tables);
    const n = this.copyOf.length;
    const stamp = new Int32Array(n).fill(-1);
    let stampValue = 0;
    const stack: number[] = [];
    // Only states with byte moves, and the final state, matter in a subset.
    const closure = (seeds: readonly number[]): number[] => {
      stampValue++;
      const out: number[] = [];
      for (const s of seeds) {
        if (stamp[s] !== stampValue) {
          stamp[s] = stampValue;
          stack.push(s);
        }
      }
      while (stack.length > 0) {
        const s = stack.pop()!;
        if (this.copyOf[s]! >= 0 || s === final) out.push(s);
        for (const t of this.epsilon[s]!) {
          if (stamp[t] !== stampValue) {
            stamp[t] = stampValue;
            stack.push(t);
          }
        }
      }
      return out.sort((a, b) => a - b);
    };
    const ids = new Map<string, number>();
    const subsets: number[][] = [];
    const intern = (subset: number[]): number => {
      if (subset.length === 0) return -1;
      const key = subset.join(",");
      let id = ids.get(key);
      if (id === undefined) {
        id = subsets.length;
        checkStateLimit(what, id + 1, 4 * limit);
        ids.set(key, id);
        subsets.push(subset);
      }
      return id;
    };
    intern(closure([start]));
    const rows: number[] = [];
    const targets: number[] = [];
    for (let d = 0; d < subsets.length; d++) {
      const subset = subsets[d]!;
      let previousKey = "";
      let previousId = -1;
      for (let c = 0; c < C; c++) {
        const x = representatives[c]!;
        targets.length = 0;
        for (const s of subset) {
          const copy = this.copyOf[s]!;
          if (copy < 0) continue;
          const { dfa, offset } = this.copies[copy]!;
          const t = dfa.transitions[this.localOf[s]! * 256 + x]!;
          if (t >= 0) targets.push(offset + t);
        }
        if (targets.length === 0) {
          rows.push(-1);
          continue;
        }
        // Neighbouring classes often move to the same states (string contents, digits).
        const key = targets.join(",");
        if (key !== previousKey) {
          previousKey = key;
          previousId = intern(closure(targets));
        }
        rows.push(previousId);
      }
    }
    const m = subsets.length;
    const accepting = new Uint8Array(m);
    for (let d = 0; d < m; d++) if (subsets[d]!.includes(final)) accepting[d] = 1;
    const dfa = minimizeCompact({ stateCount: m, initial: 0, classOf, classCount: C, delta: Int32Array.from(rows), accepting });
    if (dfa.stateCount > limit) throw new AutomatonTooLargeError(what, limit, dfa.stateCount);
    return dfa;
  }
}

/** The union of the languages, minimal. */
export function unionOfDfas(dfas: readonly ByteDfa[], options: DfaBuildOptions = {}, what = "union"): ByteDfa {
  const assembly = new DfaAssembly();
  const start = assembly.glue();
  const final = assembly.glue();
  for (const dfa of dfas) assembly.embed(dfa, start, final);
  return assembly.build(start, final, options, what);
}

/**
 * The JSON escapes of the bytes that must not appear raw in a string, as JSON.stringify writes
 * them: the short forms where they exist, `\u00xx` with lower-case hex otherwise.
 */
function canonicalEscape(byte: number): string | undefined {
  switch (byte) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x08:
      return "\\b";
    case 0x09:
      return "\\t";
    case 0x0a:
      return "\\n";
    case 0x0c:
      return "\\f";
    case 0x0d:
      return "\\r";
    default:
      return byte < 0x20 ? `\\u${byte.toString(16).padStart(4, "0")}` : undefined;
  }
}

/**
 * The JSON string literals (quotes included) whose decoded contents are the words of `decoded`,
 * each written canonically (as JSON.stringify does). `decoded` must accept valid UTF-8 only.
 *
 * The encoding maps each content byte to a fixed byte string, and the images form a prefix code
 * (an escape always starts with a backslash, which is never raw), so replacing every transition
 * by a chain through intermediate states keyed by (state, escape prefix) stays deterministic.
 */
export function jsonStringDfa(decoded: ByteDfa, options: DfaBuildOptions = {}): ByteDfa {
  const limit = options.maxStates ?? DEFAULT_MAX_STATES;
  const n = decoded.stateCount;
  // States: 0 before the opening quote, 1 after the closing one, 2 + s for content state s,
  // then the escape-prefix states, numbered as they are needed.
  const rows: Int32Array[] = [];
  const newRow = (): number => {
    rows.push(new Int32Array(256).fill(-1));
    checkStateLimit("JSON string", rows.length, 8 * limit);
    return rows.length - 1;
  };
  newRow();
  newRow();
  for (let s = 0; s < n; s++) newRow();
  rows[0]![0x22] = 2 + decoded.initial;
  const prefixState = new Map<string, number>();
  for (let s = 0; s < n; s++) {
    const row = rows[2 + s]!;
    if (decoded.accepting[s] === 1) row[0x22] = 1;
    for (let b = 0; b < 256; b++) {
      const t = decoded.transitions[s * 256 + b]!;
      if (t < 0) continue;
      const escape = canonicalEscape(b);
      if (escape === undefined) {
        row[b] = 2 + t;
        continue;
      }
      let at = 2 + s;
      for (let i = 0; i < escape.length - 1; i++) {
        const key = `${s}:${escape.slice(0, i + 1)}`;
        let next = prefixState.get(key);
        if (next === undefined) {
          next = newRow();
          prefixState.set(key, next);
          rows[at]![escape.charCodeAt(i)] = next;
        }
        at = next;
      }
      rows[at]![escape.charCodeAt(escape.length - 1)] = 2 + t;
    }
  }
  const transitions = new Int32Array(rows.length * 256);
  rows.forEach((row, i) => transitions.set(row, i * 256));
  const accepting = new Uint8Array(rows.length);
  accepting[1] = 1;
  const dfa = minimizeDfa({ stateCount: rows.length, initial: 0, transitions, accepting });
  if (dfa.stateCount > limit) throw new AutomatonTooLargeError("JSON string", limit, dfa.stateCount);
  return dfa;
}

/**
 * Valid UTF-8 texts of `min` to `max` code points (max may be Infinity). States are (code
 * points read, UTF-8 decoder state); without an upper bound the count saturates at `min`.
 */
export function utf8LengthDfa(min: number, max: number, options: DfaBuildOptions = {}): ByteDfa {
  const limit = options.maxStates ?? DEFAULT_MAX_STATES;
  const bounded = max !== Infinity;
  if (bounded && max < min) return { stateCount: 1, initial: 0, transitions: new Int32Array(256).fill(-1), accepting: new Uint8Array(1) };
  const counts = (bounded ? max : min) + 1;
  const what = `a string of ${min} to ${bounded ? max : "any number of"} characters`;
  if (counts * 4 > limit) throw new AutomatonTooLargeError(what, limit, counts * 4);
  const m = counts * UTF8_STATES;
  const transitions = new Int32Array(m * 256).fill(-1);
  const accepting = new Uint8Array(m);
  for (let count = 0; count < counts; count++) {
    accepting[count * UTF8_STATES] = count >= min ? 1 : 0;
    for (let u = 0; u < UTF8_STATES; u++) {
      for (let b = 0; b < 256; b++) {
        const u2 = UTF8_NEXT[u * 256 + b]!;
        if (u2 < 0) continue;
        let next = u2 === 0 ? count + 1 : count;
        if (next >= counts) {
          if (bounded) continue;
          next = counts - 1;
        }
        transitions[(count * UTF8_STATES + u) * 256 + b] = next * UTF8_STATES + u2;
      }
    }
  }
  return minimizeDfa({ stateCount: m, initial: 0, transitions, accepting });
}

/** Every valid UTF-8 text. */
export function anyUtf8Dfa(): ByteDfa {
  return utf8LengthDfa(0, Infinity);
}

/** The valid UTF-8 texts that `dfa` rejects. */
export function complementWithinUtf8(dfa: ByteDfa, options: DfaBuildOptions = {}): ByteDfa {
  // Product with the UTF-8 validator, where a missing move of `dfa` goes to a rejecting sink.
  const limit = options.maxStates ?? DEFAULT_MAX_STATES;
  const sink = dfa.stateCount;
  const ids = new Map<number, number>();
  const pairs: number[] = [];
  const intern = (s: number, u: number): number => {
    const key = s * UTF8_STATES + u;
    let id = ids.get(key);
    if (id === undefined) {
      id = pairs.length / 2;
      checkStateLimit("complement of a string constraint", id + 1, 4 * limit);
      ids.set(key, id);
      pairs.push(s, u);
    }
    return id;
  };
  intern(dfa.initial, 0);
  const rows: number[] = [];
  for (let i = 0; i * 2 < pairs.length; i++) {
    const s = pairs[i * 2]!;
    const u = pairs[i * 2 + 1]!;
    for (let b = 0; b < 256; b++) {
      const u2 = UTF8_NEXT[u * 256 + b]!;
      if (u2 < 0) {
        rows.push(-1);
        continue;
      }
      const t = s === sink ? sink : dfa.transitions[s * 256 + b]!;
      rows.push(intern(t < 0 ? sink : t, u2));
    }
  }
  const m = pairs.length / 2;
  const accepting = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const s = pairs[i * 2]!;
    accepting[i] = pairs[i * 2 + 1] === 0 && (s === sink || dfa.accepting[s] === 0) ? 1 : 0;
  }
  const result = minimizeDfa({ stateCount: m, initial: 0, transitions: Int32Array.from(rows), accepting });
  if (result.stateCount > limit) throw new AutomatonTooLargeError("complement of a string constraint", limit, result.stateCount);
  return result;
}

/**
 * Decimal integers (optional `-`, no leading zeros, never `-0`) whose value is a multiple of
 * `divisor` (or, with `multiples` false, is not): the residue of the digits read so far is the state.
 */
export function multipleOfDfa(divisor: number, options: DfaBuildOptions = {}, multiples = true): ByteDfa {
  const limit = options.maxStates ?? DEFAULT_MAX_STATES;
  if (divisor + 2 > limit) throw new AutomatonTooLargeError(`multiples of ${divisor}`, limit, divisor + 2);
  // 0: start; 1: after '-'; 2 + r: digits read, residue r. Leading zeros and -0 are excluded by
  // intersecting with the integer syntax, so any digit sequence is fine here.
  const m = divisor + 2;
  const transitions = new Int32Array(m * 256).fill(-1);
  const accepting = new Uint8Array(m);
  transitions[0 * 256 + 0x2d] = 1;
  for (let d = 0; d <= 9; d++) {
    transitions[0 * 256 + 0x30 + d] = 2 + (d % divisor);
    transitions[1 * 256 + 0x30 + d] = 2 + (d % divisor);
    for (let r = 0; r < divisor; r++) transitions[(2 + r) * 256 + 0x30 + d] = 2 + ((r * 10 + d) % divisor);
  }
  for (let r = 0; r < divisor; r++) accepting[2 + r] = (r === 0) === multiples ? 1 : 0;
  return minimizeDfa({ stateCount: m, initial: 0, transitions, accepting });
}
