import { SLICE_TRANSITIONS, SliceMargins, inSlice } from "./plain-slice.js";
import { TokenTrie, compareBytes } from "./token-trie.js";
import type { Vocabulary } from "./vocabulary.js";

/**
 * How the allowed tokens of one automaton state are computed, for one vocabulary (shared by every
 * automaton, schema and spec on that vocabulary; built on first use and cached per vocabulary).
 *
 * A mask is the union of two exact parts:
 * - the **plain-text slice** (printable text without `"`, `\` or controls; see plain-slice.ts):
 *   given the state's margin m (every slice string of at most m bytes is read), the slice tokens
 *   of at most t ≤ m bytes are one precomputed bitset (t the largest tier ≤ m), and only the
 *   longer slice tokens are walked. Inside free text m is the longest token, so this part is a
 *   copy; where the state is not free text (m = 0) the slice's trie is walked, pruned as usual.
 * - the **rest** (tokens with a quote, a backslash, a control byte, a stray UTF-8 byte): a trie of
 *   a few thousand tokens, always walked.
 *
 * Walks jump over every subtree whose first byte is rejected and allocate nothing. No part of a
 * mask depends on anything but the state's own transitions, so nothing is ever shared between
 * states that could differ: the margin is a property of the state, computed exactly.
 */
export class MaskEngine {
  /** Words of a token bitset (32 tokens a word, token t is bit t & 31 of word t >>> 5). */
  readonly words: number;
  /** The longest slice token, in bytes; a margin this large means "every slice token". */
  readonly sliceMaxBytes: number;
  /** Tiers: slice tokens of at most `TIERS[i]` bytes as one bitset, the longer ones walked. */
  private readonly tiers: number[];
  private readonly tierBits: (Uint32Array | undefined)[];
  private readonly tierTries: (TokenTrie | undefined)[];
  /** Slice token ids sorted by their bytes (the order tries are built from). */
  private readonly sliceSorted: Int32Array;
  private sliceTrie: TokenTrie | undefined;
  private allSlice: Uint32Array | undefined;
  readonly restTrie: TokenTrie;
  readonly endOfGeneration: Uint32Array;
  readonly sliceTokenCount: number;

  private constructor(readonly vocabulary: Vocabulary) {
    this.words = Math.ceil(vocabulary.size / 32);
    const slice: number[] = [];
    const rest: number[] = [];
    let sliceMax = 0;
    for (let id = 0; id < vocabulary.size; id++) {
      const bytes = vocabulary.bytes[id];
      if (bytes === undefined) continue;
      if (inSlice(bytes)) {
        slice.push(id);
        if (bytes.length > sliceMax) sliceMax = bytes.length;
      } else rest.push(id);
    }
    const byBytes = (a: number, b: number): number => compareBytes(vocabulary.bytes[a]!, vocabulary.bytes[b]!);
    slice.sort(byBytes);
    rest.sort(byBytes);
    this.sliceSorted = Int32Array.from(slice);
    this.sliceTokenCount = slice.length;
    this.sliceMaxBytes = sliceMax;
    this.restTrie = TokenTrie.fromSorted(vocabulary.bytes, rest);
    this.tiers = TIER_BYTES.filter((t) => t < sliceMax);
    this.tierBits = this.tiers.map(() => undefined);
    this.tierTries = this.tiers.map(() => undefined);
    this.endOfGeneration = new Uint32Array(this.words);
    for (const t of vocabulary.endOfGeneration) this.endOfGeneration[t >>> 5]! |= 1 << (t & 31);
  }

  private static readonly engines = new WeakMap<Vocabulary, MaskEngine>();

  /** The engine of a vocabulary (built once; about a second for a 150k-token vocabulary, tiers on demand). */
  static for(vocabulary: Vocabulary): MaskEngine {
    let engine = MaskEngine.engines.get(vocabulary);
    if (engine === undefined) {
      engine = new MaskEngine(vocabulary);
      MaskEngine.engines.set(vocabulary, engine);
    }
    return engine;
  }

  /** Margins for an automaton's states (one per automaton; see plain-slice.ts). */
  margins(transitions: Int32Array, stateCount: number): SliceMargins {
    return new SliceMargins(transitions, stateCount, this.sliceMaxBytes + 1);
  }

  /**
   * Sets in `out` (all zero on entry) the bit of every vocabulary token whose bytes `transitions`
   * reads from `state` without rejection; `margin` is the state's slice margin. End-of-generation
   * and special tokens are the caller's (they have no bytes here). Returns trie nodes visited.
   */
  fill(transitions: Int32Array, state: number, margin: number, out: Uint32Array | Int32Array): number {
    let visited = 0;
    if (this.sliceTokenCount > 0) {
      if (margin >= this.sliceMaxBytes) {
        out.set(this.everySliceToken());
      } else {
        let tier = -1;
        while (tier + 1 < this.tiers.length && this.tiers[tier + 1]! <= margin) tier++;
        if (tier < 0) {
          visited += this.fullSliceTrie().walkInto(transitions, state, out);
        } else {
          out.set(this.tierBitset(tier));
          visited += this.tierTrie(tier).walkInto(transitions, state, out);
        }
      }
    }
    visited += this.restTrie.walkInto(transitions, state, out);
    return visited;
  }

  private everySliceToken(): Uint32Array {
    if (this.allSlice === undefined) {
      const bits = new Uint32Array(this.words);
      for (const t of this.sliceSorted) bits[t >>> 5]! |= 1 << (t & 31);
      this.allSlice = bits;
    }
    return this.allSlice;
  }

  private fullSliceTrie(): TokenTrie {
    return (this.sliceTrie ??= TokenTrie.fromSorted(this.vocabulary.bytes, this.sliceSorted));
  }

  private tierBitset(tier: number): Uint32Array {
    let bits = this.tierBits[tier];
    if (bits === undefined) {
      const limit = this.tiers[tier]!;
      bits = new Uint32Array(this.words);
      for (const t of this.sliceSorted) if (this.vocabulary.bytes[t]!.length <= limit) bits[t >>> 5]! |= 1 << (t & 31);
      this.tierBits[tier] = bits;
    }
    return bits;
  }

  private tierTrie(tier: number): TokenTrie {
    let trie = this.tierTries[tier];
    if (trie === undefined) {
      const limit = this.tiers[tier]!;
      trie = TokenTrie.fromSorted(
        this.vocabulary.bytes,
        this.sliceSorted.filter((t) => this.vocabulary.bytes[t]!.length > limit),
      );
      this.tierTries[tier] = trie;
    }
    return trie;
  }

  /** Builds every tier now (a server may prefer to pay this at start-up). */
  warmUp(): void {
    this.everySliceToken();
    this.fullSliceTrie();
    for (let i = 0; i < this.tiers.length; i++) {
      this.tierBitset(i);
      this.tierTrie(i);
    }
  }
}

/** Tier sizes in bytes: a margin between two tiers walks the slice tokens longer than the lower one. */
const TIER_BYTES = [1, 2, 4, 8, 16, 32, 64];

/** Exported for tests: the slice automaton's table (see plain-slice.ts). */
export { SLICE_TRANSITIONS };
