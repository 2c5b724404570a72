/**
 * Array automata for the JSON Schema compiler: items in sequence with bounds on their number,
 * optionally counting the items that match `contains` (minContains/maxContains), and arrays
 * whose items are pairwise different (uniqueItems).
 *
 * uniqueItems compares values, which a finite automaton can only do over finitely many of
 * them. Each item language is split into *tokens*: one per value where that part of the
 * language is finite and small (an enum, const, boolean, a short integer range …; a value's
 * spellings, like 1 and 1.0, are one token), and one per JSON type where it is not (all
 * strings, all objects …). An array uses each token at most once, so its items are pairwise
 * different values: exact over finite domains, and one item per type where the domain is
 * infinite. The state is the set of tokens used, so the number of such sets is bounded; where
 * they would be too many, maxItems is lowered (a warning says so).
 */
import type { ByteDfa } from "./byte-dfa.js";
import { enumerateWords } from "./analysis.js";
import { choiceDfa } from "./constructions.js";
import { AutomatonTooLargeError } from "./errors.js";
import { DfaAssembly } from "./json-schema-automata.js";
import { isEmptyLanguage, liveStates, reachableStates, type DfaBuildOptions } from "./ops.js";
import { canonicalKey } from "./json-schema-values.js";

/** One item position's languages: all its items, and (with a contains counter) those counted and those not. */
export interface ItemLanguages {
  readonly any: ByteDfa;
  /** Items that match `contains` (counted). */
  readonly counted?: ByteDfa;
  /** Items that do not match `contains` (not counted); `any` where no maxContains applies. */
  readonly uncounted?: ByteDfa;
}

export interface Counter {
  readonly min: number;
  readonly max: number;
}

/**
 * Arrays whose item i is from `prefix[i]`, later items from `rest` (undefined: none), with min
 * to max items (max may be Infinity), and, with a counter, between counter.min and counter.max
 * counted items.
 */
export function arrayChainDfa(
  prefix: readonly ItemLanguages[],
  rest: ItemLanguages | undefined,
  items: Counter,
  counter: Counter | undefined,
  separator: ByteDfa,
  build: DfaBuildOptions,
): ByteDfa {
  const assembly = new DfaAssembly();
  const start = assembly.glue();
  const end = assembly.glue();
  const itemAt = (i: number): ItemLanguages | undefined => (i < prefix.length ? prefix[i] : rest);
  const bounded = items.max !== Infinity;
  const last = bounded ? items.max : Math.max(prefix.length, items.min, 1);
  // Counted items 0 … top are told apart (saturating at counter.min without a maximum).
  const top = counter === undefined ? 0 : counter.max !== Infinity ? counter.max : counter.min;
  const next = (c: number): number | undefined => (counter === undefined ? 0 : counter.max !== Infinity ? (c < counter.max ? c + 1 : undefined) : Math.min(c + 1, top));
  // glue[i][c]: i items written, c of them counted.
  const glue = Array.from({ length: last + 1 }, () => Array.from({ length: top + 1 }, () => assembly.glue()));
  assembly.literal("[", start, glue[0]![0]!);
  for (let i = 0; i <= last; i++) {
    for (let c = 0; c <= top; c++) {
      if (i >= items.min && (counter === undefined || c >= counter.min)) assembly.literal("]", glue[i]![c]!, end);
    }
    if (i === last && bounded) break;
    const item = itemAt(i);
    if (item === undefined) break;
    const to = i === last ? last : i + 1;
    for (let c = 0; c <= top; c++) {
      let from = glue[i]![c]!;
      if (i > 0) {
        const afterComma = assembly.glue();
        assembly.embed(separator, from, afterComma);
        from = afterComma;
      }
      if (counter === undefined) {
        assembly.embed(item.any, from, glue[to]![0]!);
        continue;
      }
      assembly.embed(item.uncounted ?? item.any, from, glue[to]![c]!);
      const counted = next(c);
      if (counted !== undefined && item.counted !== undefined) assembly.embed(item.counted, from, glue[to]![counted]!);
    }
  }
  return assembly.build(start, end, build, "array");
}

/** A part of an item language that uniqueItems tells apart: one value, or every value of one JSON type. */
interface Token {
  readonly key: string;
  readonly dfa: ByteDfa;
  /** A value (exactly compared) rather than a whole type. */
  readonly exact: boolean;
}

/** First bytes of each JSON type's texts. */
const KIND_OF_FIRST_BYTE = new Map<number, string>([
  [0x6e, "null"],
  [0x74, "boolean"],
  [0x66, "boolean"],
  [0x22, "string"],
  [0x5b, "array"],
  [0x7b, "object"],
  [0x2d, "number"],
  ...Array.from({ length: 10 }, (_, d) => [0x30 + d, "number"] as [number, string]),
]);

/** Most values one token kind may enumerate; most bytes a value's text may have. */
const MAX_ENUMERATED_VALUES = 64;
const MAX_ENUMERATED_LENGTH = 128;

/** The words of `dfa` starting with one of `bytes`. */
function startingWith(dfa: ByteDfa, bytes: ReadonlySet<number>): ByteDfa {
  const transitions = Int32Array.from(dfa.transitions);
  // A fresh initial state with the chosen first moves only (the old one may be re-entered).
  const n = dfa.stateCount;
  const out = new Int32Array((n + 1) * 256).fill(-1);
  out.set(transitions);
  for (const b of bytes) out[n * 256 + b] = dfa.transitions[dfa.initial * 256 + b]!;
  const accepting = new Uint8Array(n + 1);
  accepting.set(dfa.accepting);
  return { stateCount: n + 1, initial: n, transitions: out, accepting };
}

/** Whether the language is finite: no cycle through states that are reachable and live. */
function isFinite(dfa: ByteDfa): boolean {
  const live = liveStates(dfa);
  const reachable = reachableStates(dfa);
  const color = new Uint8Array(dfa.stateCount); // 0 new, 1 on the stack, 2 done
  const stack: Array<[number, number]> = [[dfa.initial, 0]];
  color[dfa.initial] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [s, b] = top;
    if (b === 256) {
      color[s] = 2;
      stack.pop();
      continue;
    }
    top[1]++;
    const t = dfa.transitions[s * 256 + b]!;
    if (t < 0 || live[t] !== 1 || reachable[t] !== 1) continue;
    if (color[t] === 1) return false;
    if (color[t] === 0) {
      color[t] = 1;
      stack.push([t, 0]);
    }
  }
  return true;
}

/** An item language split by JSON type: each part with its values where it is finite and small. */
type KindParts = Map<string, { part: ByteDfa; values: Map<string, string[]> | undefined }>;

function kindParts(item: ByteDfa): KindParts {
  const byKind = new Map<string, Set<number>>();
  for (const [byte, kind] of KIND_OF_FIRST_BYTE) {
    if (item.transitions[item.initial * 256 + byte]! < 0) continue;
    if (!byKind.has(kind)) byKind.set(kind, new Set());
    byKind.get(kind)!.add(byte);
  }
  const out: KindParts = new Map();
  const decoder = new TextDecoder();
  for (const [kind, bytes] of byKind) {
    const part = startingWith(item, bytes);
    if (isEmptyLanguage(part)) continue;
    let values: Map<string, string[]> | undefined;
    if (isFinite(part)) {
      const words = enumerateWords(part, MAX_ENUMERATED_LENGTH, MAX_ENUMERATED_VALUES + 1);
      // All of them (finite and short), and not too many to track one by one.
      if (words.length <= MAX_ENUMERATED_VALUES && words.every((w) => w.length < MAX_ENUMERATED_LENGTH)) {
        values = new Map();
        for (const w of words) {
          const text = decoder.decode(w);
          const key = `value:${canonicalKey(JSON.parse(text))}`;
          if (!values.has(key)) values.set(key, []);
          values.get(key)!.push(text);
        }
      }
    }
    out.set(kind, { part, values });
  }
  return out;
}

/**
 * The tokens of an item language (see the module comment). A type infinite at some position
 * (`wholeKinds`) is one token at every position, so that no value is both a token of its own
 * and part of its type's token.
 */
function tokensOf(parts: KindParts, wholeKinds: ReadonlySet<string>, build: DfaBuildOptions): Token[] {
  const tokens: Token[] = [];
  for (const [kind, { part, values }] of parts) {
    if (values === undefined || wholeKinds.has(kind)) tokens.push({ key: `kind:${kind}`, dfa: part, exact: false });
    else for (const [key, texts] of values) tokens.push({ key, dfa: choiceDfa(texts, build), exact: true });
  }
  return tokens;
}

/**
 * Arrays of pairwise different items: item i from `prefix[i]`, later ones from `rest`, min to
 * max items. At most `maxSets` sets of used tokens are tracked; `max` is lowered until they fit
 * (the result says to what). `inexact` tells whether some item type is infinite (then at most
 * one item of that type is written).
 */
export function uniqueArrayDfa(
  prefix: readonly ByteDfa[],
  rest: ByteDfa | undefined,
  items: Counter,
  separator: ByteDfa,
  build: DfaBuildOptions,
  maxSets = 4096,
): { dfa: ByteDfa; max: number; inexact: boolean } {
  const languages = [...new Set([...prefix, ...(rest === undefined ? [] : [rest])])];
  const parts = new Map(languages.map((dfa) => [dfa, kindParts(dfa)] as const));
  const wholeKinds = new Set<string>();
  for (const byKind of parts.values()) for (const [kind, { values }] of byKind) if (values === undefined) wholeKinds.add(kind);
  const tokenLists = new Map(languages.map((dfa) => [dfa, tokensOf(parts.get(dfa)!, wholeKinds, build)] as const));
  const tokens = (dfa: ByteDfa): Token[] => tokenLists.get(dfa)!;
  const itemAt = (i: number): ByteDfa | undefined => (i < prefix.length ? prefix[i] : rest);
  const keys = new Map<string, number>();
  const keyOf = (t: Token): number => {
    let k = keys.get(t.key);
    if (k === undefined) keys.set(t.key, (k = keys.size));
    return k;
  };
  let inexact = false;
  // Breadth-first over the sets of used tokens, by number of items; a set is a sorted key list.
  let max = items.max;
  const sets = new Map<string, number[]>([["", []]]);
  let layer: number[][] = [[]];
  const edges: Array<{ from: string; token: Token; to: string }> = [];
  for (let size = 0; layer.length > 0 && size < max; size++) {
    const item = itemAt(size);
    if (item === undefined) break;
    const nextLayer: number[][] = [];
    const pending: Array<{ from: string; token: Token; to: string; set: number[] }> = [];
    for (const used of layer) {
      for (const token of tokens(item)) {
        if (!token.exact) inexact = true;
        const k = keyOf(token);
        if (used.includes(k)) continue;
        const set = [...used, k].sort((a, b) => a - b);
        pending.push({ from: used.join(","), token, to: set.join(","), set });
      }
    }
    const fresh = new Set(pending.map((p) => p.to).filter((to) => !sets.has(to)));
    if (sets.size + fresh.size > maxSets) {
      max = size;
      break;
    }
    for (const p of pending) {
      edges.push({ from: p.from, token: p.token, to: p.to });
      if (!sets.has(p.to)) {
        sets.set(p.to, p.set);
        nextLayer.push(p.set);
      }
    }
    layer = nextLayer;
  }
  if (max < items.min) throw new AutomatonTooLargeError(`an array of ${items.min} pairwise different items`, maxSets, sets.size);
  const assembly = new DfaAssembly();
  const start = assembly.glue();
  const end = assembly.glue();
  const glue = new Map<string, number>();
  for (const key of sets.keys()) glue.set(key, assembly.glue());
  assembly.literal("[", start, glue.get("")!);
  for (const [key, set] of sets) if (set.length >= items.min && set.length <= max) assembly.literal("]", glue.get(key)!, end);
  for (const e of edges) {
    const used = sets.get(e.from)!;
    if (used.length >= max) continue;
    let from = glue.get(e.from)!;
    if (used.length > 0) {
      const afterComma = assembly.glue();
      assembly.embed(separator, from, afterComma);
      from = afterComma;
    }
    assembly.embed(e.token.dfa, from, glue.get(e.to)!);
  }
  return { dfa: assembly.build(start, end, build, "array of unique items"), max, inexact };
}
