import { PLAIN_SLICE, SliceMargins, WORD_SLICE, inSlice, type SliceAutomaton } from "./plain-slice.js";
import { TokenTrie, compareBytes } from "./token-trie.js";
import type { Vocabulary } from "./vocabulary.js";

/**
 * How the allowed tokens of one automaton state are computed, for one vocabulary (shared by every
 * automaton, schema and spec on that vocabulary; built on first use and cached per vocabulary).
 *
 * A mask is the union of two exact parts, for one of two slices (plain-slice.ts):
 * - the **slice's tokens**: given the state's margin m for the slice (every slice string of at
 *   most m bytes is read), the slice tokens of at most t ≤ m bytes are one precomputed bitset
 *   (t the largest tier ≤ m), and only the longer slice tokens are walked;
 * - the **other tokens**, walked.
 *
 * The plain slice (printable text without `"`, `\` or controls: 96% of a byte-level vocabulary)
 * is used where its margin is at least 1: inside free text the mask is then a copy plus a walk of
 * a few thousand tokens with quotes, backslashes or controls. Where plain text is refused at once
 * (margin 0) but letters and digits are read (identifiers, URIs, patterns), the word slice is used
 * and the walk skips every token that starts with a refused byte. Elsewhere (structure, numbers,
 * keys) every token is walked, and the walk is short because it skips every subtree whose first
 * byte is refused. Walks allocate nothing.
 *
 * Nothing is shared between states that could differ: a margin is a property of the state alone,
 * computed exactly on the product of the slice's automaton with the state's.
 */
export class MaskEngine {
  /** Words of a token bitset (32 tokens a word, token t is bit t & 31 of word t >>> 5). */
  readonly words: number;
  readonly endOfGeneration: Uint32Array;
  /** The plain slice (index 0) and the word slice (index 1). */
  readonly slices: readonly SlicePart[];

  private constructor(readonly vocabulary: Vocabulary) {
    this.words = Math.ceil(vocabulary.size / 32);
    const sorted: number[] = [];
    for (let id = 0; id < vocabulary.size; id++) if (vocabulary.bytes[id] !== undefined) sorted.push(id);
    sorted.sort((a, b) => compareBytes(vocabulary.bytes[a]!, vocabulary.bytes[b]!));
    const ids = Int32Array.from(sorted);
    this.slices = [new SlicePart(vocabulary, PLAIN_SLICE, ids, this.words), new SlicePart(vocabulary, WORD_SLICE, ids, this.words)];
    this.endOfGeneration = new Uint32Array(this.words);
    for (const t of vocabulary.endOfGeneration) this.endOfGeneration[t >>> 5]! |= 1 << (t & 31);
  }

  private static readonly engines = new WeakMap<Vocabulary, MaskEngine>();

  /**
   * The engine of a vocabulary, built once and shared. Length tiers are built on first use (a
   * trie each, 0.1–0.3 s for a 150k-token vocabulary); `warmUp()` builds them all up front.
   */
  static for(vocabulary: Vocabulary): MaskEngine {
    let engine = MaskEngine.engines.get(vocabulary);
    if (engine === undefined) {
      engine = new MaskEngine(vocabulary);
      MaskEngine.engines.set(vocabulary, engine);
    }
    return engine;
  }

  /** Margins for an automaton's states, one per slice (see plain-slice.ts). */
  margins(transitions: Int32Array, stateCount: number): SliceMargins[] {
    return this.slices.map((s) => new SliceMargins(transitions, stateCount, s.maxBytes + 1, s.slice));
  }

  /**
   * Sets in `out` (all zero on entry) the bit of every vocabulary token whose bytes `transitions`
   * reads from `state` without rejection. `margin(i)` is the state's margin for slice i (asked
   * only when needed). End-of-generation and special tokens are the caller's (they have no bytes
   * here). Returns the trie nodes visited.
   */
  fill(transitions: Int32Array, state: number, margin: (slice: number) => number, out: Uint32Array | Int32Array): number {
    const plain = this.slices[0]!;
    const plainMargin = margin(0);
    if (plainMargin === 0) {
      const word = this.slices[1]!;
      if (word.tokenCount > 0 && margin(1) > 0) return word.fill(transitions, state, margin(1), out) + word.others().walkInto(transitions, state, out);
    }
    return plain.fill(transitions, state, plainMargin, out) + plain.others().walkInto(transitions, state, out);
  }

  /** Builds every tier and trie now (seconds for a 150k-token vocabulary): a server or a benchmark pays it at start-up instead of at a first use. */
  warmUp(): void {
    for (const s of this.slices) s.warmUp();
  }
}

/** Tier sizes in bytes: a margin between two tiers walks the slice tokens longer than the lower one. */
const TIER_BYTES = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 32, 48, 64];

/** One slice's tokens: their bitsets by length tier, tries of the longer ones, and a trie of every token outside the slice. */
export class SlicePart {
  /** The longest token in the slice, in bytes; a margin this large means "every slice token". */
  readonly maxBytes: number;
  readonly tokenCount: number;
  private readonly inside: Int32Array;
  private readonly outside: Int32Array;
  private readonly tiers: number[];
  private readonly tierBits: (Uint32Array | undefined)[];
  private readonly tierTries: (TokenTrie | undefined)[];
  private all: Uint32Array | undefined;
  private trie: TokenTrie | undefined;
  private othersTrie: TokenTrie | undefined;

  constructor(
    private readonly vocabulary: Vocabulary,
    readonly slice: SliceAutomaton,
    /** Every token with bytes, sorted by its bytes. */
    sorted: Int32Array,
    private readonly words: number,
  ) {
    const inside: number[] = [];
    const outside: number[] = [];
    let max = 0;
    for (const id of sorted) {
      const bytes = vocabulary.bytes[id]!;
      if (inSlice(bytes, slice)) {
        inside.push(id);
        if (bytes.length > max) max = bytes.length;
      } else outside.push(id);
    }
    this.inside = Int32Array.from(inside);
    this.outside = Int32Array.from(outside);
    this.tokenCount = inside.length;
    this.maxBytes = max;
    this.tiers = TIER_BYTES.filter((t) => t < max);
    this.tierBits = this.tiers.map(() => undefined);
    this.tierTries = this.tiers.map(() => undefined);
  }

  /** Sets the bits of the slice's tokens that `transitions` reads from `state`, given its margin. */
  fill(transitions: Int32Array, state: number, margin: number, out: Uint32Array | Int32Array): number {
    if (this.tokenCount === 0) return 0;
    if (margin >= this.maxBytes) {
      out.set(this.every());
      return 0;
    }
    let tier = -1;
    while (tier + 1 < this.tiers.length && this.tiers[tier + 1]! <= margin) tier++;
    if (tier < 0) return this.fullTrie().walkInto(transitions, state, out);
    out.set(this.tierBitset(tier));
    return this.tierTrie(tier).walkInto(transitions, state, out);
  }

  /** The trie of every token outside the slice (always walked with it). */
  others(): TokenTrie {
    return (this.othersTrie ??= TokenTrie.fromSorted(this.vocabulary.bytes, this.outside));
  }

  warmUp(): void {
    this.every();
    this.fullTrie();
    this.others();
    for (let i = 0; i < this.tiers.length; i++) {
      this.tierBitset(i);
      this.tierTrie(i);
    }
  }

  private every(): Uint32Array {
    if (this.all === undefined) {
      const bits = new Uint32Array(this.words);
      for (const t of this.inside) bits[t >>> 5]! |= 1 << (t & 31);
      this.all = bits;
    }
    return this.all;
  }

  private fullTrie(): TokenTrie {
    return (this.trie ??= TokenTrie.fromSorted(this.vocabulary.bytes, this.inside));
  }

  private tierBitset(tier: number): Uint32Array {
    let bits = this.tierBits[tier];
    if (bits === undefined) {
      const limit = this.tiers[tier]!;
      bits = new Uint32Array(this.words);
      for (const t of this.inside) if (this.vocabulary.bytes[t]!.length <= limit) bits[t >>> 5]! |= 1 << (t & 31);
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
        this.inside.filter((t) => this.vocabulary.bytes[t]!.length > limit),
      );
      this.tierTries[tier] = trie;
    }
    return trie;
  }
}
