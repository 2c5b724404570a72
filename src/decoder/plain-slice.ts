/**
 * The plain-text slice of a vocabulary: tokens whose bytes are printable text without `"`, `\`
 * or control characters, starting at a character boundary and well-formed UTF-8 as far as they
 * go (a token may stop inside a character). About 96% of a byte-level BPE vocabulary.
 *
 * Inside free text (a JSON string, a spec's text segment) an automaton reads every such string
 * for a while, so a mask there is "the slice, plus whatever else fits". `SliceMargins` measures,
 * per automaton state q, how far that holds: the margin m(q) is the largest m such that every
 * slice string of at most m bytes is read from q without rejection. Then every slice token of at
 * most m bytes is allowed in q, exactly, without looking at it; the mask path walks only the
 * rest. The margin is computed on the product of this small automaton with the state's automaton,
 * so it is exact for any automaton: a state that is not free text simply gets margin 0.
 */

/**
 * A slice: a small automaton over bytes; a token is in the slice when the automaton reads all of
 * its bytes from state 0. Margins are computed against it, and the tokens in it are handled as
 * one set (see mask-engine.ts).
 */
export interface SliceAutomaton {
  readonly name: string;
  readonly states: number;
  /** `transitions[a * 256 + b]`: the next slice state, or -1 where the slice stops. */
  readonly transitions: Int32Array;
  /** The bytes each slice state reads (its row without the -1s), for the product walks. */
  readonly bytes: readonly Uint8Array[];
}

function slice(name: string, states: number, build: (set: (a: number, from: number, to: number, next: number) => void, t: Int32Array) => void): SliceAutomaton {
  const t = new Int32Array(states * 256).fill(-1);
  build((a, from, to, next) => {
    for (let b = from; b <= to; b++) t[a * 256 + b] = next;
  }, t);
  const bytes = Array.from({ length: states }, (_, a) => {
    const list: number[] = [];
    for (let b = 0; b < 256; b++) if (t[a * 256 + b]! >= 0) list.push(b);
    return Uint8Array.from(list);
  });
  return { name, states, transitions: t, bytes };
}

/**
 * Plain text: printable ASCII but `"` and `\` (0x7F is left out: JSON may escape it), and
 * well-formed UTF-8 (state 0 at a character boundary, the others inside a sequence).
 */
export const PLAIN_SLICE: SliceAutomaton = slice("plain", 8, (set, t) => {
  set(0, 0x20, 0x7e, 0);
  t[0x22] = -1;
  t[0x5c] = -1;
  set(0, 0xc2, 0xdf, 1); // two-byte lead: one continuation to come
  set(0, 0xe1, 0xec, 2); // three-byte leads
  set(0, 0xee, 0xef, 2);
  t[0xe0] = 3;
  t[0xed] = 4; // no surrogates
  set(0, 0xf1, 0xf3, 5);
  t[0xf0] = 6;
  t[0xf4] = 7;
  set(1, 0x80, 0xbf, 0); // 1: one continuation
  set(2, 0x80, 0xbf, 1); // 2: two continuations
  set(3, 0xa0, 0xbf, 1); // 3: after E0
  set(4, 0x80, 0x9f, 1); // 4: after ED
  set(5, 0x80, 0xbf, 2); // 5: three continuations
  set(6, 0x90, 0xbf, 2); // 6: after F0
  set(7, 0x80, 0x8f, 2); // 7: after F4
});

/**
 * ASCII letters and digits: what restricted text (identifiers, URIs, e-mail addresses, host
 * names, most `pattern`s) still reads freely where plain text is not allowed as a whole.
 */
export const WORD_SLICE: SliceAutomaton = slice("word", 1, (set) => {
  set(0, 0x30, 0x39, 0);
  set(0, 0x41, 0x5a, 0);
  set(0, 0x61, 0x7a, 0);
});

/** The plain slice's table and state count (tests). */
export const SLICE_TRANSITIONS = PLAIN_SLICE.transitions;
export const SLICE_STATES = PLAIN_SLICE.states;

/** Whether a token's bytes are in the slice (read from state 0 without stopping). */
export function inSlice(bytes: Uint8Array, slice: SliceAutomaton = PLAIN_SLICE): boolean {
  const t = slice.transitions;
  let a = 0;
  for (let i = 0; i < bytes.length && a >= 0; i++) a = t[a * 256 + bytes[i]!]!;
  return a >= 0;
}

/**
 * Margins of one automaton's states (see the module comment), computed on first use and kept.
 * `cap` is one more than the longest slice token: a margin of `cap - 1` or more means "every
 * slice token", and that is all a mask needs to know.
 *
 * dist(a, q) is the length of the shortest byte string the slice automaton reads from a and the
 * automaton rejects from q (capped at `cap`); m(q) = dist(0, q) - 1. A query explores the part of
 * the product not measured yet (stopping at pairs already known), then settles every pair of it
 * by a shortest-path pass backwards from its rejections and its known exits, so each pair is
 * computed once per automaton: along a counted string (a maxLength) the first state pays for the
 * whole chain and each later one is a lookup.
 */
export class SliceMargins {
  /** dist per pair `q * S + a` (S the slice's state count); 0 = not known yet. */
  private readonly dist: Uint16Array;
  private readonly S: number;
  private readonly sliceTable: Int32Array;
  private readonly sliceBytes: readonly Uint8Array[];

  constructor(
    private readonly transitions: Int32Array,
    stateCount: number,
    readonly cap: number,
    readonly slice: SliceAutomaton = PLAIN_SLICE,
  ) {
    if (cap < 1 || cap > 0xfffe) throw new RangeError(`SliceMargins: cap ${cap} out of range`);
    this.S = slice.states;
    this.sliceTable = slice.transitions;
    this.sliceBytes = slice.bytes;
    this.dist = new Uint16Array(stateCount * this.S);
  }

  /** m(q): every slice string of at most this many bytes is read from q without rejection (≤ cap - 1). */
  margin(state: number): number {
    const p = state * this.S;
    let d = this.dist[p]!;
    if (d === 0) d = this.rejectsAtOnce(state, 0) ? (this.dist[p] = 1) : this.settle(p);
    return d - 1;
  }

  /** Distinct successors of one pair (grown when a row has more). */
  private successors: Int32Array = new Int32Array(64);
  /** Pair → its index + 1 during a settle (all zero between settles). */
  private localIndex: Int32Array | undefined;
  /** Work buffers of a settle, kept between settles and grown by doubling: no allocation per call once warm. */
  private pairs: Int32Array = new Int32Array(256);
  private best: Int32Array = new Int32Array(256);
  private edgeFrom: Int32Array = new Int32Array(512);
  private edgeTo: Int32Array = new Int32Array(512);

  /** Whether q rejects a byte the slice reads from a (then dist(a, q) = 1; most states outside free text). */
  private rejectsAtOnce(q: number, a: number): boolean {
    const bytes = this.sliceBytes[a]!;
    const row = q * 256;
    const transitions = this.transitions;
    for (let k = 0; k < bytes.length; k++) if (transitions[row + bytes[k]!]! < 0) return true;
    return false;
  }

  private settle(start: number): number {
    const { transitions, dist, cap, S, sliceTable } = this;
    // Explore the unknown pairs reachable from start: local index → pair, successors as edges.
    // `local` maps a pair to its index + 1 during this call (cleared at the end: typed, not a Map).
    const local = (this.localIndex ??= new Int32Array(dist.length));
    let pairs = this.pairs;
    let best = this.best;
    let edgeFrom = this.edgeFrom;
    let edgeTo = this.edgeTo;
    let n = 1;
    let edges = 0;
    pairs[0] = start;
    local[start] = 1;
    let found = this.successors;
    for (let i = 0; i < n; i++) {
      const p = pairs[i]!;
      const q = (p / S) | 0;
      const a = p - q * S;
      const bytes = this.sliceBytes[a]!;
      const row = q * 256;
      const sliceRow = a * 256;
      // One pass: the distinct unknown successors are only committed if no byte is rejected here
      // (a rejection makes the distance 1 and the rest irrelevant).
      let value = cap;
      let distinct = 0;
      let previous = -1;
      let rejected = false;
      for (let k = 0; k < bytes.length; k++) {
        const b = bytes[k]!;
        const next = transitions[row + b]!;
        if (next < 0) {
          rejected = true;
          break;
        }
        const succ = next * S + sliceTable[sliceRow + b]!;
        // Most bytes of a row lead to the same pair (every letter inside a string): handle it once.
        if (succ === previous) continue;
        previous = succ;
        const known = dist[succ]!;
        if (known !== 0) {
          if (known + 1 < value) value = known + 1;
          continue;
        }
        let seen = false;
        for (let k2 = 0; k2 < distinct && !seen; k2++) seen = found[k2] === succ;
        if (seen) continue;
        if (distinct === found.length) found = this.successors = grow(found, distinct);
        found[distinct++] = succ;
      }
      if (rejected) {
        best[i] = 1;
        continue;
      }
      best[i] = value;
      if (edges + distinct > edgeTo.length) {
        edgeFrom = this.edgeFrom = grow(edgeFrom, edges, edges + distinct);
        edgeTo = this.edgeTo = grow(edgeTo, edges, edges + distinct);
      }
      for (let k2 = 0; k2 < distinct; k2++) {
        const succ = found[k2]!;
        let j = local[succ]! - 1;
        if (j < 0) {
          j = n;
          if (n === pairs.length) {
            pairs = this.pairs = grow(pairs, n);
            best = this.best = grow(best, n);
          }
          local[succ] = j + 1;
          pairs[n++] = succ;
        }
        edgeFrom[edges] = i;
        edgeTo[edges++] = j;
      }
    }
    for (let i = 0; i < n; i++) local[pairs[i]!] = 0;
    // Shortest paths backwards: Dial's bucket queue over distances 1 … cap (unit edges), as
    // linked lists in typed arrays (an entry per push: at most one per pair and one per edge).
    const predStart = new Int32Array(n + 1);
    for (let e = 0; e < edges; e++) predStart[edgeTo[e]! + 1]!++;
    for (let i = 0; i < n; i++) predStart[i + 1]! += predStart[i]!;
    const preds = new Int32Array(edges);
    const fill = predStart.slice(0, n);
    for (let e = 0; e < edges; e++) preds[fill[edgeTo[e]!]!++] = edgeFrom[e]!;
    const head = new Int32Array(cap + 1).fill(-1);
    const entryPair = new Int32Array(n + edges);
    const entryNext = new Int32Array(n + edges);
    let entries = 0;
    for (let i = 0; i < n; i++) {
      const d = best[i]!;
      entryPair[entries] = i;
      entryNext[entries] = head[d]!;
      head[d] = entries++;
    }
    const done = new Uint8Array(n);
    for (let d = 1; d <= cap; d++) {
      for (let e = head[d]!; e >= 0; e = entryNext[e]!) {
        const i = entryPair[e]!;
        if (done[i] === 1 || best[i] !== d) continue;
        done[i] = 1;
        dist[pairs[i]!] = d;
        if (d === cap) continue;
        for (let k = predStart[i]!; k < predStart[i + 1]!; k++) {
          const from = preds[k]!;
          if (done[from] === 0 && d + 1 < best[from]!) {
            best[from] = d + 1;
            entryPair[entries] = from;
            entryNext[entries] = head[d + 1]!;
            head[d + 1] = entries++;
          }
        }
      }
    }
    return dist[start]!;
  }
}

/** A copy of `array` with room for at least `need` entries (twice as many at least), its first `used` entries kept. */
function grow(array: Int32Array, used: number, need = used + 1): Int32Array {
  const bigger = new Int32Array(Math.max(need, array.length * 2));
  bigger.set(array.subarray(0, used));
  return bigger;
}
