import { STATE_CONTENT, STATE_TAG, type OutputAutomaton } from "../grammars/output.js";
import { constraintFromOutput, type CompiledConstraint } from "./engine.js";
import { namedSpecialTokens } from "./special-tokens.js";
import type { StateMasks } from "./state-masks.js";
import type { Vocabulary } from "./vocabulary.js";

/**
 * The tokens allowed in one automaton state. `bits` is the whole mask (32 tokens a word); of
 * `allowed` / `banned` exactly one is set, the smaller side, since backends pay per listed token.
 * End-of-generation tokens are included like any other (allowed only where the output may end).
 */
export interface TokenMask {
  readonly allowedCount: number;
  /** Sorted ids of the allowed tokens, when they are at most half the vocabulary. */
  readonly allowed: Int32Array | undefined;
  /** Sorted ids of the banned tokens, otherwise. */
  readonly banned: Int32Array | undefined;
  /** Whether the output may end here (the end-of-generation tokens are allowed). */
  readonly mayEnd: boolean;
  /** The mask as a bitset over the vocabulary: bit `t & 31` of word `t >>> 5` (shared: do not modify). */
  readonly bits: Uint32Array;
  /** Per-mask storage a backend may attach (e.g. its own bias object), built once and reused. */
  backendCache?: unknown;
}

export interface MaskIndexStats {
  readonly vocabularySize: number;
  readonly automatonStates: number;
  /** States whose mask has been computed. */
  readonly statesComputed: number;
  /** Distinct masks among them (equal masks are stored once). */
  readonly distinctMasks: number;
  /** Trie nodes visited by the computations so far. */
  readonly nodesVisited: number;
}

/**
 * A mask over a bitset; the token lists a backend wants are built on first use (a list of 150k
 * ids costs more than the mask itself, and a bitmask consumer never needs it).
 */
export class BitsetTokenMask implements TokenMask {
  readonly allowedCount: number;
  backendCache?: unknown;
  private list: Int32Array | undefined;

  constructor(
    readonly bits: Uint32Array,
    private readonly size: number,
    readonly mayEnd: boolean,
  ) {
    let count = 0;
    for (let w = 0; w < bits.length; w++) count += popcount(bits[w]!);
    this.allowedCount = count;
  }

  get allowed(): Int32Array | undefined {
    return this.allowedCount <= this.size / 2 ? this.listed() : undefined;
  }

  get banned(): Int32Array | undefined {
    return this.allowedCount <= this.size / 2 ? undefined : this.listed();
  }

  private listed(): Int32Array {
    if (this.list !== undefined) return this.list;
    const { bits, size } = this;
    const wantAllowed = this.allowedCount <= size / 2;
    const list = new Int32Array(wantAllowed ? this.allowedCount : size - this.allowedCount);
    let n = 0;
    for (let w = 0; w < bits.length; w++) {
      let word = wantAllowed ? bits[w]! : ~bits[w]! >>> 0;
      while (word !== 0) {
        const low = word & -word;
        const token = w * 32 + (31 - Math.clz32(low));
        if (token < size) list[n++] = token;
        word = (word ^ low) >>> 0;
      }
    }
    this.list = list;
    return list;
  }
}

/**
 * Token masks for one output automaton and one vocabulary, for the decoder's backends: the
 * public engine's compiled constraint (engine.ts) with masks as token lists. Masks are computed
 * on first use by the mask engine (mask-engine.ts: a slice copy plus short walks over tries
 * shared per vocabulary) and kept;
 * equal masks are stored once, and each state points at its mask, so a decoding step costs one
 * array read once the state has been seen (or after `prepare`).
 */
export class MaskIndex {
  /** The same constraint through the public engine API (matchers share this index's masks). */
  readonly constraint: CompiledConstraint;
  private readonly masks: StateMasks;
  private readonly tokenMasks: (BitsetTokenMask | undefined)[] = [];
  /** Special tokens whose text the spec writes literally: allowed where that text fits. */
  private readonly namedSpecials: ReadonlyMap<number, Uint8Array>;

  constructor(
    readonly automaton: OutputAutomaton,
    readonly vocabulary: Vocabulary,
  ) {
    this.namedSpecials = namedSpecialTokens(automaton, vocabulary);
    // The decoder computes masks on first use, or all of them in `prepare`: margins are settled
    // as those masks ask for them, not at construction.
    this.constraint = constraintFromOutput(automaton, vocabulary, { precomputeMs: 0, settleMargins: false });
    this.masks = this.constraint.masks;
  }

  /** The mask of a tag or content state (pause states take no tokens: the environment writes next). */
  maskFor(state: number): TokenMask {
    const kind = this.automaton.kind[state];
    if (kind !== STATE_TAG && kind !== STATE_CONTENT) throw new Error("maskFor: only tag and content states have masks (the environment writes after a pause)");
    const id = this.masks.maskId(state);
    let mask = this.tokenMasks[id];
    if (mask === undefined) {
      // The same bits always come with the same mayEnd: end-of-generation bits are in the mask.
      mask = new BitsetTokenMask(this.masks.maskBits(id), this.vocabulary.size, this.automaton.accepting[state] === 1);
      this.tokenMasks[id] = mask;
    }
    return mask;
  }

  /** Whether the state's mask has been computed already. */
  has(state: number): boolean {
    return this.masks.has(state);
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
   * generation would be stuck there. Uses single-byte tokens first and computes the mask only
   * where they do not settle it.
   */
  deadEnds(): number[] {
    return deadEndStates(this.automaton, this.vocabulary, (state) => this.maskFor(state));
  }


  stats(): MaskIndexStats {
    return { vocabularySize: this.vocabulary.size, automatonStates: this.automaton.stateCount, ...this.masks.stats() };
  }

  /** The bytes a token writes under this spec (named special tokens included), or undefined. */
  bytesOf(token: number): Uint8Array | undefined {
    return this.vocabulary.bytes[token] ?? this.namedSpecials.get(token);
  }

  /** Whether `token` is allowed in `state` (a direct check, independent of the caches). */
  allows(state: number, token: number): boolean {
    return tokenAllowed(this.automaton, this.vocabulary, state, token, this.bytesOf(token));
  }
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Computes the mask of every tag and content state (the states a decoder can meet) through
 * `maskFor`, reporting progress now and then. Shared by the mask indexes.
 */
export function prepareEveryMask(automaton: OutputAutomaton, maskFor: (state: number) => TokenMask, onProgress?: (done: number, total: number) => void): void {
  const { kind, stateCount } = automaton;
  let lastReport = performance.now();
  for (let s = 0; s < stateCount; s++) {
    if (kind[s] !== STATE_TAG && kind[s] !== STATE_CONTENT) continue;
    maskFor(s);
    if (onProgress !== undefined && performance.now() - lastReport > 200) {
      lastReport = performance.now();
      onProgress(s + 1, stateCount);
    }
  }
  onProgress?.(stateCount, stateCount);
}

/**
 * States where no token of the vocabulary continues the output and the output may not end:
 * generation would be stuck there. Single-byte tokens settle most states; `maskFor` is asked
 * only where they do not.
 */
export function deadEndStates(automaton: OutputAutomaton, vocabulary: Vocabulary, maskFor: (state: number) => TokenMask): number[] {
  const { kind, stateCount, accepting, transitions } = automaton;
  const singleByte = new Uint8Array(256);
  for (const bytes of vocabulary.bytes) if (bytes !== undefined && bytes.length === 1) singleByte[bytes[0]!] = 1;
  const stuck: number[] = [];
  for (let s = 0; s < stateCount; s++) {
    if ((kind[s] !== STATE_TAG && kind[s] !== STATE_CONTENT) || accepting[s]) continue;
    let ok = false;
    for (let b = 0; b < 256 && !ok; b++) ok = singleByte[b] === 1 && transitions[s * 256 + b]! >= 0;
    if (!ok) ok = maskFor(s).allowedCount > 0;
    if (!ok) stuck.push(s);
  }
  return stuck;
}

/**
 * Whether `token` (writing `bytes`, undefined for a token with no text) is allowed in `state`:
 * an end-of-generation token where the output may end, otherwise a token whose whole byte string
 * the automaton reads. The direct check the mask indexes are tested against.
 */
export function tokenAllowed(automaton: OutputAutomaton, vocabulary: Vocabulary, state: number, token: number, bytes: Uint8Array | undefined): boolean {
  const { transitions, accepting } = automaton;
  if (vocabulary.endOfGeneration.includes(token)) return accepting[state] === 1;
  if (bytes === undefined) return false;
  let s = state;
  for (let i = 0; i < bytes.length && s >= 0; i++) s = transitions[s * 256 + bytes[i]!]!;
  return s >= 0;
}
