/**
 * Analyses of ByteDfas: prefix-freeness (with a witness), bounded behavioural equivalence (for
 * sharing token masks between states), and word sampling/enumeration for tests.
 */
import type { ByteDfa } from "./byte-dfa.js";
import { byteClasses } from "./ops.js";

/** Breadth-first parents from the initial state: the shortest word reaching each state. */
function shortestPrefixes(dfa: ByteDfa): { parent: Int32Array; byte: Int32Array; order: number[] } {
  const n = dfa.stateCount;
  const parent = new Int32Array(n).fill(-2);
  const byte = new Int32Array(n).fill(-1);
  parent[dfa.initial] = -1;
  const order = [dfa.initial];
  for (let head = 0; head < order.length; head++) {
    const s = order[head]!;
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[s * 256 + b]!;
      if (t >= 0 && parent[t] === -2) {
        parent[t] = s;
        byte[t] = b;
        order.push(t);
      }
    }
  }
  return { parent, byte, order };
}

function pathTo(state: number, parent: Int32Array, byte: Int32Array): number[] {
  const out: number[] = [];
  for (let s = state; parent[s]! >= 0; s = parent[s]!) out.push(byte[s]!);
  return out.reverse();
}

/**
 * For each state, the length of the shortest word leading from it to acceptance (-1 where none):
 * a backwards breadth-first search from the accepting states.
 */
export function distancesToAcceptance(dfa: ByteDfa): Int32Array {
  const n = dfa.stateCount;
  const dist = new Int32Array(n).fill(-1);
  // Iterate to a fixpoint level by level; predecessor lists would cost 256·n memory.
  const predsStart = new Int32Array(n + 1);
  const stamp = new Int32Array(n).fill(-1);
  const edges: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[s * 256 + b]!;
      if (t >= 0 && stamp[t] !== s) {
        stamp[t] = s;
        edges.push(t, s);
        predsStart[t + 1]!++;
      }
    }
  }
  for (let s = 0; s < n; s++) predsStart[s + 1]! += predsStart[s]!;
  const fill = predsStart.slice(0, n);
  const preds = new Int32Array(edges.length / 2);
  for (let i = 0; i < edges.length; i += 2) preds[fill[edges[i]!]!++] = edges[i + 1]!;
  const queue: number[] = [];
  for (let s = 0; s < n; s++) {
    if (dfa.accepting[s] === 1) {
      dist[s] = 0;
      queue.push(s);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const t = queue[head]!;
    for (let i = predsStart[t]!; i < predsStart[t + 1]!; i++) {
      const s = preds[i]!;
      if (dist[s] === -1) {
        dist[s] = dist[t]! + 1;
        queue.push(s);
      }
    }
  }
  return dist;
}

/** The shortest word from `state` to acceptance (smallest bytes first), or undefined when there is none. */
export function shortestSuffix(dfa: ByteDfa, state: number, dist: Int32Array = distancesToAcceptance(dfa)): number[] | undefined {
  if (dist[state]! < 0) return undefined;
  const out: number[] = [];
  let s = state;
  while (dist[s]! > 0) {
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[s * 256 + b]!;
      if (t >= 0 && dist[t] === dist[s]! - 1) {
        out.push(b);
        s = t;
        break;
      }
    }
  }
  return out;
}

/** A shortest word of the language, or undefined when it is empty. */
export function shortestWord(dfa: ByteDfa): Uint8Array | undefined {
  const w = shortestSuffix(dfa, dfa.initial);
  return w === undefined ? undefined : Uint8Array.from(w);
}

/** Two words of a language that is not prefix-free: the first is a proper prefix of the second. */
export type PrefixWitness = readonly [shorter: Uint8Array, longer: Uint8Array];

/**
 * Whether no word of the language is a proper prefix of another: no reachable accepting state has
 * a transition into a live state. A prefix-free segment language is what lets the decoder know
 * where a segment ends without lookahead.
 */
export function isPrefixFree(dfa: ByteDfa): boolean {
  return prefixFreeWitness(dfa) === undefined;
}

/**
 * Two words proving the language is not prefix-free (the shorter one as short as possible), or
 * undefined when it is prefix-free. Meant for error messages.
 */
export function prefixFreeWitness(dfa: ByteDfa): PrefixWitness | undefined {
  const dist = distancesToAcceptance(dfa);
  const { parent, byte, order } = shortestPrefixes(dfa);
  for (const s of order) {
    if (dfa.accepting[s] !== 1) continue;
    let best = -1;
    let bestByte = -1;
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[s * 256 + b]!;
      if (t >= 0 && dist[t]! >= 0 && (best < 0 || dist[t]! < dist[best]!)) {
        best = t;
        bestByte = b;
      }
    }
    if (best < 0) continue;
    const prefix = pathTo(s, parent, byte);
    const suffix = shortestSuffix(dfa, best, dist)!;
    return [Uint8Array.from(prefix), Uint8Array.from([...prefix, bestByte, ...suffix])];
  }
  return undefined;
}

/**
 * Moore partition refinement for exactly `k` rounds, starting from the observation
 * (live?, accepting?) of each state: two states share a class iff every byte string of length
 * ≤ k leads them through the same sequence of observations (a rejected byte counts as reaching a
 * dead state). Stops early once a round splits nothing (the partition is then stable).
 *
 * Class ids are dense, numbered by the first state of each class. Used to share token masks:
 * a free-text state with 150 bytes of room left and one with 120 left share a class for k ≤ 120.
 *
 * Each round only re-examines the predecessors of states whose class changed in the round before:
 * the other members of a class keep equal signatures. A free-text countdown changes a handful of
 * states per round, so k rounds cost far less than k full passes.
 */
export function boundedEquivalenceClasses(dfa: ByteDfa, k: number): Int32Array {
  const n = dfa.stateCount;
  const { count: C, representatives } = byteClasses(dfa);
  const N = n + 1; // state n: the dead sink standing for -1
  const succ = new Int32Array(N * C);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < C; c++) {
      const t = dfa.transitions[s * 256 + representatives[c]!]!;
      succ[s * C + c] = t >= 0 ? t : n;
    }
  }
  for (let c = 0; c < C; c++) succ[n * C + c] = n;

  // Predecessors over all classes (CSR; duplicates are harmless).
  const predStart = new Int32Array(N + 1);
  for (let i = 0; i < N * C; i++) predStart[succ[i]! + 1]!++;
  for (let s = 0; s < N; s++) predStart[s + 1]! += predStart[s]!;
  const preds = new Int32Array(N * C);
  {
    const fill = predStart.slice(0, N);
    for (let i = 0; i < N * C; i++) preds[fill[succ[i]!]!++] = Math.floor(i / C);
  }
  // Live states, backwards from the accepting ones.
  const live = new Uint8Array(N);
  {
    const queue: number[] = [];
    for (let s = 0; s < n; s++) {
      if (dfa.accepting[s] === 1) {
        live[s] = 1;
        queue.push(s);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const t = queue[head]!;
      for (let i = predStart[t]!; i < predStart[t + 1]!; i++) {
        const s = preds[i]!;
        if (live[s] === 0) {
          live[s] = 1;
          queue.push(s);
        }
      }
    }
  }

  // Refinable partition; cls[s] is the block (class) of s.
  const cls = new Int32Array(N);
  const elems = new Int32Array(N);
  const loc = new Int32Array(N);
  const first = new Int32Array(N);
  const end = new Int32Array(N);
  const mid = new Int32Array(N);
  let blocks = 0;
  {
    const byObs: number[][] = [[], [], [], []];
    for (let s = 0; s < N; s++) byObs[s === n ? 0 : live[s]! * 2 + dfa.accepting[s]!]!.push(s);
    let pos = 0;
    for (const members of byObs) {
      if (members.length === 0) continue;
      first[blocks] = pos;
      mid[blocks] = pos;
      for (const s of members) {
        elems[pos] = s;
        loc[s] = pos++;
        cls[s] = blocks;
      }
      end[blocks] = pos;
      blocks++;
    }
  }

  let size = 1;
  while (size < 2 * N) size <<= 1;
  const mask = size - 1;
  const tableStamp = new Int32Array(size);
  const tableRep = new Int32Array(size);
  const tableGroup = new Int32Array(size);
  let stampValue = 0;
  const candStamp = new Int32Array(N).fill(-1);
  const touched: number[] = [];
  const updates: number[] = []; // (state, new class) pairs, applied at the end of a round
  const groupOf = new Int32Array(N);
  let changed: number[] = [];

  const hashOf = (s: number): number => {
    let h = cls[s]! | 0;
    const base = s * C;
    for (let c = 0; c < C; c++) h = Math.imul(h ^ cls[succ[base + c]!]!, 0x9e3779b1) + 0x7f4a7c15;
    return (h ^ (h >>> 15)) & mask;
  };
  const sameSignature = (r: number, s: number): boolean => {
    const rb = r * C;
    const sb = s * C;
    for (let c = 0; c < C; c++) if (cls[succ[rb + c]!] !== cls[succ[sb + c]!]) return false;
    return true;
  };

  for (let round = 0; round < k; round++) {
    // Candidates: every state in round 0, then the predecessors of the states that changed.
    touched.length = 0;
    const mark = (s: number): void => {
      if (candStamp[s] === round) return;
      candStamp[s] = round;
      const b = cls[s]!;
      if (mid[b] === first[b]) touched.push(b);
      const p = loc[s]!;
      const q = mid[b]!;
      const other = elems[q]!;
      elems[q] = s;
      loc[s] = q;
      elems[p] = other;
      loc[other] = p;
      mid[b] = q + 1;
    };
    if (round === 0) {
      for (let s = 0; s < N; s++) mark(s);
    } else {
      for (const t of changed) for (let i = predStart[t]!; i < predStart[t + 1]!; i++) mark(preds[i]!);
    }
    updates.length = 0;
    for (const b of touched) {
      const lo = first[b]!;
      const candEnd = mid[b]!;
      mid[b] = lo;
      // Group the candidates by signature. Non-candidates (if any) share one signature, that of
      // elems[candEnd]; candidates with that signature stay with them in group 0.
      stampValue++;
      let groups = 0;
      const keepRep = candEnd < end[b]! ? elems[candEnd]! : -1;
      const lookup = (s: number): number => {
        let slot = hashOf(s);
        for (;;) {
          if (tableStamp[slot] !== stampValue) {
            tableStamp[slot] = stampValue;
            tableRep[slot] = s;
            tableGroup[slot] = groups++;
            return tableGroup[slot]!;
          }
          if (sameSignature(tableRep[slot]!, s)) return tableGroup[slot]!;
          slot = (slot + 1) & mask;
        }
      };
      if (keepRep >= 0) lookup(keepRep); // group 0
      for (let i = lo; i < candEnd; i++) groupOf[i - lo] = lookup(elems[i]!);
      if (groups === 1) continue;
      // The largest group keeps the block's id, so that few states change id (and few are
      // re-examined next round). Order: the other groups, the keeper, then group 0 next to the
      // non-candidates, which share its signature.
      const count = candEnd - lo;
      const buckets: number[][] = Array.from({ length: groups }, () => []);
      for (let i = 0; i < count; i++) buckets[groupOf[i]!]!.push(elems[lo + i]!);
      const nonCandidates = end[b]! - candEnd;
      let keeper = 0;
      for (let g = 1; g < groups; g++) {
        if (buckets[g]!.length > buckets[keeper]!.length + (keeper === 0 ? nonCandidates : 0)) keeper = g;
      }
      const order: number[] = [];
      for (let g = 1; g < groups; g++) if (g !== keeper) order.push(g);
      if (keeper !== 0) order.push(keeper);
      order.push(0);
      const blockEnd = end[b]!;
      let pos = lo;
      for (const g of order) {
        const bucket = buckets[g]!;
        const start = pos;
        for (const s of bucket) {
          elems[pos] = s;
          loc[s] = pos++;
        }
        const stop = g === 0 ? blockEnd : pos;
        if (g === keeper) {
          first[b] = start;
          mid[b] = start;
          end[b] = stop;
        } else if (stop > start) {
          const nb = blocks++;
          first[nb] = start;
          mid[nb] = start;
          end[nb] = stop;
          for (let i = start; i < stop; i++) updates.push(elems[i]!, nb);
        }
      }
    }
    if (updates.length === 0) break;
    changed = [];
    for (let i = 0; i < updates.length; i += 2) {
      cls[updates[i]!] = updates[i + 1]!;
      changed.push(updates[i]!);
    }
  }

  // Dense renumbering over the real states.
  const remap = new Int32Array(blocks).fill(-1);
  const out = new Int32Array(n);
  let ids = 0;
  for (let s = 0; s < n; s++) {
    const c = cls[s]!;
    if (remap[c] === -1) remap[c] = ids++;
    out[s] = remap[c]!;
  }
  return out;
}

/** A source of random numbers in [0, 1), e.g. `Math.random` or a seeded generator. */
export type RandomSource = () => number;

export interface SampleOptions {
  /** After this many bytes, the walk heads for acceptance along a shortest path. Default 64. */
  readonly maxLength?: number;
  /** Probability of stopping at an accepting state that could go on. Default 0.25. */
  readonly stopProbability?: number;
}

/**
 * A random word of the language (a random walk over live states), or undefined for the empty
 * language. Not uniform; meant for tests.
 */
export function sampleWord(dfa: ByteDfa, rng: RandomSource, options: SampleOptions = {}): Uint8Array | undefined {
  const maxLength = options.maxLength ?? 64;
  const stop = options.stopProbability ?? 0.25;
  const dist = distancesToAcceptance(dfa);
  if (dist[dfa.initial]! < 0) return undefined;
  const out: number[] = [];
  let s = dfa.initial;
  const choices: number[] = [];
  for (;;) {
    if (out.length >= maxLength) {
      out.push(...shortestSuffix(dfa, s, dist)!);
      break;
    }
    choices.length = 0;
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[s * 256 + b]!;
      if (t >= 0 && dist[t]! >= 0) choices.push(b);
    }
    if (dfa.accepting[s] === 1 && (choices.length === 0 || rng() < stop)) break;
    const b = choices[Math.min(choices.length - 1, Math.floor(rng() * choices.length))]!;
    out.push(b);
    s = dfa.transitions[s * 256 + b]!;
  }
  return Uint8Array.from(out);
}

/**
 * The words of the language of at most `maxLength` bytes, shortest first, then in byte order;
 * at most `limit` of them (default 100 000; when the limit cuts in, not necessarily the first ones
 * in that order). Meant for tests on small languages.
 */
export function enumerateWords(dfa: ByteDfa, maxLength: number, limit = 100_000): Uint8Array[] {
  const dist = distancesToAcceptance(dfa);
  const out: Uint8Array[] = [];
  if (dist[dfa.initial]! < 0) return out;
  let frontier: Array<{ state: number; word: number[] }> = [{ state: dfa.initial, word: [] }];
  for (let length = 0; length <= maxLength && frontier.length > 0; length++) {
    const nextFrontier: Array<{ state: number; word: number[] }> = [];
    for (const { state, word } of frontier) {
      if (dfa.accepting[state] === 1) {
        out.push(Uint8Array.from(word));
        if (out.length >= limit) return out;
      }
      if (length === maxLength) continue;
      for (let b = 0; b < 256; b++) {
        const t = dfa.transitions[state * 256 + b]!;
        if (t >= 0 && dist[t]! >= 0 && dist[t]! + length + 1 <= maxLength) nextFrontier.push({ state: t, word: [...word, b] });
      }
    }
    // Each kept prefix extends to a word, so `limit` prefixes are enough for `limit` more words.
    frontier = nextFrontier.length > limit ? nextFrontier.slice(0, limit) : nextFrontier;
  }
  return out;
}

