import { STATE_CONTENT, STATE_TAG, type OutputAutomaton } from "../../src/grammars/output.js";
import { TokenTrie } from "../../src/decoder/token-trie.js";
import type { Vocabulary } from "../../src/decoder/vocabulary.js";

import { deadEndStates, popcount, prepareEveryMask, tokenAllowed, type TokenMask } from "../../src/decoder/mask.js";
import { namedSpecialTokens } from "../../src/decoder/special-tokens.js";

export interface KeyedMaskIndexOptions {
  /**
   * Tokens of at most this many bytes get masks shared between states that agree on all strings
   * this long (free text far from its limit is one mask); longer tokens are checked per finer key.
   */
  shortTokenBytes?: number;
}

export interface KeyedMaskIndexStats {
  readonly vocabularySize: number;
  readonly automatonStates: number;
  /** Keys of the short-token part (k-equivalence classes for k = shortTokenBytes). */
  readonly shortKeys: number;
  /** Keys of the long-token part (classes for the longest token). */
  readonly longKeys: number;
  /** Distinct short-token masks found so far (equal masks of different keys are stored once). */
  readonly shortMasksComputed: number;
  /** Distinct complete masks built so far. */
  readonly masksBuilt: number;
  readonly trieNodes: number;
  readonly longTokens: number;
}

const UNKNOWN = -1;

/**
 * The previous mask path, kept as a reference for the property tests and for the decoder
 * benchmark's comparison (the decoder uses `MaskIndex`, mask.ts).
 *
 * Token masks for one output automaton and one vocabulary. A mask is the union of two parts:
 * tokens of at most `shortTokenBytes` bytes, keyed by the automaton's k-equivalence classes for
 * that k, and the few longer tokens, keyed by the classes for the longest token. Equal parts are
 * stored once (many event-automaton states share their segments' masks), complete masks are
 * built once per distinct pair of parts, and each state points at its mask, so a decoding step
 * costs one array read once the state has been seen (or after `prepare`).
 */
export class KeyedMaskIndex {
  readonly shortTokenBytes: number;
  private readonly shortTrie: TokenTrie;
  private readonly longTrie: TokenTrie;
  private readonly shortKeys: Int32Array;
  private readonly longKeys: Int32Array;
  private readonly shortKeyCount: number;
  private readonly longKeyCount: number;
  /** Short key → distinct short mask (bitset) id. */
  private readonly shortOfKey: Int32Array;
  private readonly shortMasks: Uint32Array[] = [];
  private readonly shortByHash = new Map<number, number[]>();
  /** Long key → distinct long-token list id. */
  private readonly longOfKey: Int32Array;
  private readonly longLists: Int32Array[] = [];
  private readonly longByText = new Map<string, number>();
  /** State → complete mask id. */
  private readonly maskOfState: Int32Array;
  private readonly masks: TokenMask[] = [];
  private readonly maskByParts = new Map<string, number>();
  /** Special tokens whose text the spec writes literally: allowed where that text fits. */
  private readonly namedSpecials: ReadonlyMap<number, Uint8Array>;
  private readonly specialTrie: TokenTrie | undefined;
  private readonly words: number;

  constructor(
    readonly automaton: OutputAutomaton,
    readonly vocabulary: Vocabulary,
    options: KeyedMaskIndexOptions = {},
  ) {
    this.shortTokenBytes = Math.min(options.shortTokenBytes ?? 32, Math.max(1, vocabulary.maxTokenBytes));
    const k = this.shortTokenBytes;
    [this.shortTrie, this.longTrie] = triesFor(vocabulary, k);
    this.namedSpecials = namedSpecialTokens(automaton, vocabulary);
    this.specialTrie =
      this.namedSpecials.size > 0
        ? new TokenTrie({ ...vocabulary, bytes: [...Array(vocabulary.size).keys()].map((id) => this.namedSpecials.get(id)) })
        : undefined;
    const short = automaton.maskKeys(k);
    const longest = Math.max(vocabulary.maxTokenBytes, ...[...this.namedSpecials.values()].map((b) => b.length));
    const long = longest <= k && this.specialTrie === undefined ? short : automaton.segmentMaskKeys(Math.max(k, longest));
    this.shortKeys = short.keys;
    this.longKeys = long.keys;
    this.shortKeyCount = short.count;
    this.longKeyCount = long.count;
    this.shortOfKey = new Int32Array(short.count).fill(UNKNOWN);
    this.longOfKey = new Int32Array(long.count).fill(UNKNOWN);
    this.maskOfState = new Int32Array(automaton.stateCount).fill(UNKNOWN);
    this.words = Math.ceil(vocabulary.size / 32);
  }

  /** The mask of a tag or content state (pause states take no tokens: the environment writes next). */
  maskFor(state: number): TokenMask {
    const known = this.maskOfState[state]!;
    if (known !== UNKNOWN) return this.masks[known]!;
    const kind = this.automaton.kind[state];
    if (kind !== STATE_TAG && kind !== STATE_CONTENT) throw new Error("maskFor: only tag and content states have masks (the environment writes after a pause)");
    const shortId = this.shortPart(state);
    const longId = this.longPart(state);
    const mayEnd = this.automaton.accepting[state] === 1;
    const key = `${shortId}:${longId}:${mayEnd ? 1 : 0}`;
    let id = this.maskByParts.get(key);
    if (id === undefined) {
      id = this.masks.length;
      this.masks.push(this.buildMask(this.shortMasks[shortId]!, this.longLists[longId]!, mayEnd));
      this.maskByParts.set(key, id);
    }
    this.maskOfState[state] = id;
    return this.masks[id]!;
  }

  /**
   * Computes the mask of every state the decoder can meet, so that decoding never pays for a
   * trie walk or for assembling a mask. `onProgress(done, total)` is called now and then.
   */
  prepare(onProgress?: (done: number, total: number) => void): void {
    prepareEveryMask(this.automaton, (state) => this.maskFor(state), onProgress);
  }


  /**
   * States where no token of this vocabulary continues the output and the output may not end:
   * generation would be stuck there. Uses single-byte tokens first and walks the trie only
   * where they do not settle it.
   */
  deadEnds(): number[] {
    return deadEndStates(this.automaton, this.vocabulary, (state) => this.maskFor(state));
  }


  stats(): KeyedMaskIndexStats {
    return {
      vocabularySize: this.vocabulary.size,
      automatonStates: this.automaton.stateCount,
      shortKeys: this.shortKeyCount,
      longKeys: this.longKeyCount,
      shortMasksComputed: this.shortMasks.length,
      masksBuilt: this.masks.length,
      trieNodes: this.shortTrie.nodeCount + this.longTrie.nodeCount,
      longTokens: this.longTrie.tokens.length,
    };
  }

  /** The bytes a token writes under this spec (named special tokens included), or undefined. */
  bytesOf(token: number): Uint8Array | undefined {
    return this.vocabulary.bytes[token] ?? this.namedSpecials.get(token);
  }

  /** Whether `token` is allowed in `state` (a direct check, independent of the caches). */
  allows(state: number, token: number): boolean {
    return tokenAllowed(this.automaton, this.vocabulary, state, token, this.bytesOf(token));
  }

  /** The distinct short-token mask of a state's short key, walking the trie the first time. */
  private shortPart(state: number): number {
    const key = this.shortKeys[state]!;
    const known = this.shortOfKey[key]!;
    if (known !== UNKNOWN) return known;
    const mask = new Uint32Array(this.words);
    this.shortTrie.walk(this.automaton.transitions, state, (token) => {
      mask[token >>> 5]! |= 1 << (token & 31);
    });
    const hash = hashWords(mask);
    const candidates = this.shortByHash.get(hash) ?? [];
    let id = candidates.find((c) => wordsEqual(this.shortMasks[c]!, mask));
    if (id === undefined) {
      id = this.shortMasks.length;
      this.shortMasks.push(mask);
      candidates.push(id);
      this.shortByHash.set(hash, candidates);
    }
    this.shortOfKey[key] = id;
    return id;
  }

  private longPart(state: number): number {
    const key = this.longKeys[state]!;
    const known = this.longOfKey[key]!;
    if (known !== UNKNOWN) return known;
    const ids: number[] = [];
    this.longTrie.walk(this.automaton.transitions, state, (token) => ids.push(token));
    this.specialTrie?.walk(this.automaton.transitions, state, (token) => ids.push(token));
    const list = Int32Array.from(ids).sort();
    const text = list.join(",");
    let id = this.longByText.get(text);
    if (id === undefined) {
      id = this.longLists.length;
      this.longLists.push(list);
      this.longByText.set(text, id);
    }
    this.longOfKey[key] = id;
    return id;
  }

  private buildMask(short: Uint32Array, long: Int32Array, mayEnd: boolean): TokenMask {
    const bits = short.slice();
    for (const token of long) bits[token >>> 5]! |= 1 << (token & 31);
    if (mayEnd) for (const token of this.vocabulary.endOfGeneration) bits[token >>> 5]! |= 1 << (token & 31);
    let count = 0;
    for (let w = 0; w < bits.length; w++) count += popcount(bits[w]!);
    const size = this.vocabulary.size;
    const wantAllowed = count <= size / 2;
    const list = new Int32Array(wantAllowed ? count : size - count);
    let n = 0;
    for (let w = 0; w < bits.length; w++) {
      // The listed side's bits of this word (allowed bits, or banned ones within the vocabulary).
      let word = wantAllowed ? bits[w]! : ~bits[w]! >>> 0;
      while (word !== 0) {
        const low = word & -word;
        const token = w * 32 + (31 - Math.clz32(low));
        if (token < size) list[n++] = token;
        word = (word ^ low) >>> 0;
      }
    }
    return { allowedCount: count, allowed: wantAllowed ? list : undefined, banned: wantAllowed ? undefined : list, mayEnd, bits };
  }
}

function hashWords(words: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
}

function wordsEqual(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Tries depend only on the vocabulary and the split, so every spec on one model shares them. */
const trieCache = new WeakMap<Vocabulary, Map<number, [TokenTrie, TokenTrie]>>();

function triesFor(vocabulary: Vocabulary, k: number): [TokenTrie, TokenTrie] {
  let byK = trieCache.get(vocabulary);
  if (byK === undefined) {
    byK = new Map();
    trieCache.set(vocabulary, byK);
  }
  let tries = byK.get(k);
  if (tries === undefined) {
    tries = [new TokenTrie(vocabulary, (bytes) => bytes.length <= k), new TokenTrie(vocabulary, (bytes) => bytes.length > k)];
    byK.set(k, tries);
  }
  return tries;
}
