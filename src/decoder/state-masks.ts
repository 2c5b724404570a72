import type { SliceMargins } from "./plain-slice.js";
import { MaskEngine } from "./mask-engine.js";
import type { TokenTrie } from "./token-trie.js";

/** What the mask path needs of an automaton over bytes. */
export interface MaskAutomaton {
  readonly stateCount: number;
  /** `transitions[state * 256 + byte]`: the next state, or -1. Every state it reaches must be live (can still complete). */
  readonly transitions: Int32Array;
  /** 1 where the output may end: the end-of-generation tokens are allowed there. */
  readonly accepting: Uint8Array;
}

export interface StateMasksOptions {
  /** Tokens without vocabulary bytes that this automaton may still write (special tokens a spec names), as a trie over their text. */
  readonly extraTrie?: TokenTrie;
}

export interface StateMasksStats {
  /** States whose mask has been computed. */
  readonly statesComputed: number;
  /** Distinct masks among them (equal masks are stored once). */
  readonly distinctMasks: number;
  /** Trie nodes visited by all computations so far. */
  readonly nodesVisited: number;
}

const UNKNOWN = -1;

/**
 * The masks of one automaton's states on one vocabulary, computed on first use (see
 * mask-engine.ts) and kept; equal masks are stored once. `bits(state)` is a bitset of the
 * vocabulary (32 tokens a word); the arrays it returns are shared: never modify them.
 */
export class StateMasks {
  readonly engine: MaskEngine;
  private readonly margins: SliceMargins[];
  private readonly marginOf: (slice: number) => number;
  private current = 0;
  private readonly maskOfState: Int32Array;
  private readonly masks: Uint32Array[] = [];
  /** The same masks as Int32Array views (what bitmask consumers copy into: a same-type copy is a plain memory copy). */
  private readonly views: Int32Array[] = [];
  private readonly byHash = new Map<number, number[]>();
  private readonly scratch: Uint32Array;
  private computed = 0;
  private visited = 0;

  constructor(
    readonly automaton: MaskAutomaton,
    engine: MaskEngine,
    private readonly options: StateMasksOptions = {},
  ) {
    this.engine = engine;
    this.margins = engine.margins(automaton.transitions, automaton.stateCount);
    this.marginOf = (slice) => this.margins[slice]!.margin(this.current);
    this.maskOfState = new Int32Array(automaton.stateCount).fill(UNKNOWN);
    this.scratch = new Uint32Array(engine.words);
  }

  /** The number of the state's mask among the distinct masks (equal numbers, equal masks). */
  maskId(state: number): number {
    const known = this.maskOfState[state]!;
    if (known !== UNKNOWN) return known;
    const bits = this.scratch;
    bits.fill(0);
    const { transitions, accepting } = this.automaton;
    this.current = state;
    this.visited += this.engine.fill(transitions, state, this.marginOf, bits);
    if (this.options.extraTrie !== undefined) this.visited += this.options.extraTrie.walkInto(transitions, state, bits);
    if (accepting[state] === 1) {
      const eog = this.engine.endOfGeneration;
      for (let w = 0; w < bits.length; w++) bits[w]! |= eog[w]!;
    }
    const id = this.intern(bits);
    this.maskOfState[state] = id;
    this.computed++;
    return id;
  }

  /** The state's mask as a bitset (shared: do not modify). */
  bits(state: number): Uint32Array {
    return this.masks[this.maskId(state)]!;
  }

  /** The state's mask as an Int32Array view of the same words (shared: do not modify). */
  int32Bits(state: number): Int32Array {
    return this.views[this.maskId(state)]!;
  }

  /** A mask by its number (from `maskId`). */
  maskBits(id: number): Uint32Array {
    return this.masks[id]!;
  }

  /** Whether the state's mask is known already (a lookup, no computation). */
  has(state: number): boolean {
    return this.maskOfState[state] !== UNKNOWN;
  }

  /**
   * Settles the margins of every state now (the plain slice's, and the word slice's where the
   * plain margin is 0: what a mask asks). A margin costs a pass over the free-text region it
   * starts (a counted string of 512 characters: thousands of (state, slice state) pairs, about
   * 1–2 ms); done here, at compilation, in time proportional to the automaton, no token pays it.
   */
  settleMargins(): void {
    const [plain, word] = this.margins;
    for (let s = 0; s < this.automaton.stateCount; s++) if (plain!.margin(s) === 0) word?.margin(s);
  }

  /** The state's margin for a slice (0: plain text, 1: letters and digits; see plain-slice.ts). */
  margin(state: number, slice = 0): number {
    return this.margins[slice]!.margin(state);
  }

  stats(): StateMasksStats {
    return { statesComputed: this.computed, distinctMasks: this.masks.length, nodesVisited: this.visited };
  }

  private intern(bits: Uint32Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i]!, 0x01000193);
    h >>>= 0;
    const candidates = this.byHash.get(h);
    if (candidates !== undefined) {
      for (const c of candidates) if (equalWords(this.masks[c]!, bits)) return c;
    }
    const id = this.masks.length;
    const copy = bits.slice();
    this.masks.push(copy);
    this.views.push(new Int32Array(copy.buffer, copy.byteOffset, copy.length));
    if (candidates === undefined) this.byHash.set(h, [id]);
    else candidates.push(id);
    return id;
  }
}

function equalWords(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
