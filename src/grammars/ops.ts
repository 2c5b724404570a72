/**
 * Structural operations on ByteDfas: byte classes, reachability, trimming, minimization, and the
 * constructions that combine automata (concatenation, union).
 *
 * Conventions: every construction returns a minimal, trimmed DFA whose states are numbered in
 * breadth-first order from the initial state (0), visiting bytes in increasing order, so equal
 * languages give identical tables. The empty language is one non-accepting state without
 * transitions.
 */
import type { ByteDfa } from "./byte-dfa.js";
import { AutomatonTooLargeError } from "./errors.js";

/** The default bound on the states of a constructed automaton. */
export const DEFAULT_MAX_STATES = 100_000;

export interface DfaBuildOptions {
  /** Throw AutomatonTooLargeError when an automaton (also an intermediate one) exceeds this many states. */
  readonly maxStates?: number;
}

/** The partition of the 256 bytes into classes of bytes that every state treats the same way. */
export interface ByteClasses {
  /** `classOf[byte]` is the class id; ids are numbered by their smallest byte, so byte 0 is in class 0. */
  readonly classOf: Uint8Array;
  /** Number of classes (1 … 256). */
  readonly count: number;
  /** `representatives[c]` is the smallest byte of class c. */
  readonly representatives: Uint8Array;
}

/** The DFA of the empty language: one non-accepting state, every byte rejected. */
export function emptyDfa(): ByteDfa {
  return { stateCount: 1, initial: 0, transitions: new Int32Array(256).fill(-1), accepting: new Uint8Array(1) };
}

/** Whether the DFA is the canonical empty-language DFA's shape (its language is empty). */
export function isEmptyLanguage(dfa: ByteDfa): boolean {
  return liveStates(dfa)[dfa.initial] !== 1;
}

/**
 * Bytes b and b' are in the same class when `transitions[s*256+b] === transitions[s*256+b']` for
 * every state s.
 */
export function byteClasses(dfa: ByteDfa): ByteClasses {
  return tableByteClasses([dfa.transitions]);
}

/**
 * The joint byte classes of tables with rows of 256 entries (`table[row*256+byte]`): bytes b and
 * b' share a class when every row of every table has the same entry at b and b'. One pass finds
 * the runs of adjacent bytes with equal columns; the runs' columns are then hashed and compared to
 * merge equal runs that are not adjacent.
 */
export function tableByteClasses(tables: readonly Int32Array[]): ByteClasses {
  const differs = new Uint8Array(256); // differs[b]: columns b and b+1 differ somewhere
  for (const table of tables) {
    for (let row = 0; row < table.length; row += 256) {
      for (let b = 0; b < 255; b++) if (table[row + b] !== table[row + b + 1]) differs[b] = 1;
    }
  }
  const runStarts: number[] = [0];
  for (let b = 0; b < 255; b++) if (differs[b] === 1) runStarts.push(b + 1);
  const hashes = runStarts.map((b) => {
    let h = 0;
    for (const table of tables) for (let row = 0; row < table.length; row += 256) h = Math.imul(h ^ (table[row + b]! + 2), 0x01000193) + 0x7f4a7c15;
    return h;
  });
  const sameColumns = (b: number, r: number): boolean => {
    for (const table of tables) {
      for (let row = 0; row < table.length; row += 256) if (table[row + b] !== table[row + r]) return false;
    }
    return true;
  };
  const classOfRun: number[] = [];
  const reps: number[] = [];
  for (let i = 0; i < runStarts.length; i++) {
    let found = -1;
    for (let j = 0; j < i && found < 0; j++) {
      if (hashes[j] === hashes[i] && classOfRun[j] === j && sameColumns(runStarts[i]!, runStarts[j]!)) found = j;
    }
    classOfRun.push(found < 0 ? i : found);
  }
  const idOfRun = new Map<number, number>();
  const classOf = new Uint8Array(256);
  for (let i = 0; i < runStarts.length; i++) {
    const leader = classOfRun[i]!;
    let id = idOfRun.get(leader);
    if (id === undefined) {
      id = reps.length;
      idOfRun.set(leader, id);
      reps.push(runStarts[i]!);
    }
    const stop = i + 1 < runStarts.length ? runStarts[i + 1]! : 256;
    for (let b = runStarts[i]!; b < stop; b++) classOf[b] = id;
  }
  return { classOf, count: reps.length, representatives: Uint8Array.from(reps) };
}

/** The classes of several DFAs at once: bytes equivalent in all of them. */
export function jointByteClasses(...dfas: ByteDfa[]): ByteClasses {
  return tableByteClasses(dfas.map((d) => d.transitions));
}

/** For each state, its distinct successors (CSR: `targets[start[s] … start[s+1]-1]`). */
function successorLists(dfa: ByteDfa): { start: Int32Array; targets: Int32Array } {
  const n = dfa.stateCount;
  const stamp = new Int32Array(n).fill(-1);
  const start = new Int32Array(n + 1);
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    start[s] = out.length;
    const row = s * 256;
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[row + b]!;
      if (t >= 0 && stamp[t] !== s) {
        stamp[t] = s;
        out.push(t);
      }
    }
  }
  start[n] = out.length;
  return { start, targets: Int32Array.from(out) };
}

/** `live[s]` is 1 where some byte string leads from s to an accepting state (s accepting included). */
export function liveStates(dfa: ByteDfa): Uint8Array {
  const n = dfa.stateCount;
  const { start, targets } = successorLists(dfa);
  // Predecessor lists by counting sort.
  const predStart = new Int32Array(n + 1);
  for (let i = 0; i < targets.length; i++) predStart[targets[i]! + 1]!++;
  for (let s = 0; s < n; s++) predStart[s + 1]! += predStart[s]!;
  const fill = predStart.slice(0, n);
  const preds = new Int32Array(targets.length);
  for (let s = 0; s < n; s++) {
    for (let i = start[s]!; i < start[s + 1]!; i++) preds[fill[targets[i]!]!++] = s;
  }
  return backwardReach(n, predStart, preds, (s) => dfa.accepting[s] === 1);
}

/** The states from which some seed state is reachable (seeds included), over predecessor lists. */
function backwardReach(n: number, predStart: Int32Array, preds: Int32Array, isSeed: (s: number) => boolean): Uint8Array {
  const live = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let s = 0; s < n; s++) {
    if (isSeed(s)) {
      live[s] = 1;
      queue[tail++] = s;
    }
  }
  for (let head = 0; head < tail; head++) {
    const t = queue[head]!;
    for (let i = predStart[t]!; i < predStart[t + 1]!; i++) {
      const s = preds[i]!;
      if (live[s] === 0) {
        live[s] = 1;
        queue[tail++] = s;
      }
    }
  }
  return live;
}

/** `reachable[s]` is 1 where some byte string leads from the initial state to s. */
export function reachableStates(dfa: ByteDfa): Uint8Array {
  const n = dfa.stateCount;
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  seen[dfa.initial] = 1;
  queue[tail++] = dfa.initial;
  for (let head = 0; head < tail; head++) {
    const row = queue[head]! * 256;
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[row + b]!;
      if (t >= 0 && seen[t] === 0) {
        seen[t] = 1;
        queue[tail++] = t;
      }
    }
  }
  return seen;
}

/**
 * Renumbers the states for which `keep[s]` is 1 (the initial state must be kept) in breadth-first
 * order from the initial state; transitions into dropped states become -1, and kept states not
 * reached through kept states are dropped too.
 */
function renumberBfs(dfa: ByteDfa, keep: Uint8Array): ByteDfa {
  const n = dfa.stateCount;
  const id = new Int32Array(n).fill(-1);
  const order: number[] = [dfa.initial];
  id[dfa.initial] = 0;
  for (let head = 0; head < order.length; head++) {
    const row = order[head]! * 256;
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[row + b]!;
      if (t >= 0 && keep[t] === 1 && id[t]! < 0) {
        id[t] = order.length;
        order.push(t);
      }
    }
  }
  const m = order.length;
  const transitions = new Int32Array(m * 256);
  const accepting = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const s = order[i]!;
    accepting[i] = dfa.accepting[s]!;
    const row = s * 256;
    for (let b = 0; b < 256; b++) {
      const t = dfa.transitions[row + b]!;
      transitions[i * 256 + b] = t >= 0 ? id[t]! : -1;
    }
  }
  return { stateCount: m, initial: 0, transitions, accepting };
}

/**
 * The same language without useless states: only states reachable from the initial state and
 * from which acceptance is reachable remain (numbered breadth-first); the empty language gives
 * `emptyDfa()`.
 */
export function trimDfa(dfa: ByteDfa): ByteDfa {
  const live = liveStates(dfa);
  if (live[dfa.initial] !== 1) return emptyDfa();
  return renumberBfs(dfa, live);
}

/**
 * A DFA over byte classes: `delta[state * classCount + classOf[byte]]` is the next state or -1.
 * The form in which constructions hand their result to minimization, so that no dense 256-wide
 * table is built for a non-minimal intermediate automaton.
 */
export interface CompactDfa {
  readonly stateCount: number;
  readonly initial: number;
  readonly classOf: Uint8Array;
  readonly classCount: number;
  readonly delta: Int32Array;
  readonly accepting: Uint8Array;
}

/** The DFA over its byte classes. */
export function compactDfa(dfa: ByteDfa): CompactDfa {
  const { classOf, count: C, representatives } = byteClasses(dfa);
  const n = dfa.stateCount;
  const delta = new Int32Array(n * C);
  for (let s = 0; s < n; s++) for (let c = 0; c < C; c++) delta[s * C + c] = dfa.transitions[s * 256 + representatives[c]!]!;
  return { stateCount: n, initial: dfa.initial, classOf, classCount: C, delta, accepting: dfa.accepting };
}

/**
 * The minimal DFA of the same language (trimmed, breadth-first numbering): Hopcroft's partition
 * refinement over byte classes, with the rejecting sink as an explicit extra state. Splitting
 * always puts the smaller half on the worklist, so the cost is O(classes · n · log n).
 */
export function minimizeDfa(dfa: ByteDfa): ByteDfa {
  return minimizeCompact(compactDfa(dfa));
}

/** `minimizeDfa` for an automaton given over byte classes. */
export function minimizeCompact(input: CompactDfa): ByteDfa {
  const C = input.classCount;
  const n0 = input.stateCount;
  // Trim: keep states both reachable and live.
  const reach = new Uint8Array(n0);
  const queue = new Int32Array(n0);
  let tail = 0;
  reach[input.initial] = 1;
  queue[tail++] = input.initial;
  for (let head = 0; head < tail; head++) {
    const s = queue[head]!;
    for (let c = 0; c < C; c++) {
      const t = input.delta[s * C + c]!;
      if (t >= 0 && reach[t] === 0) {
        reach[t] = 1;
        queue[tail++] = t;
      }
    }
  }
  const predStart = new Int32Array(n0 + 1);
  for (let s = 0; s < n0; s++) {
    if (reach[s] === 0) continue;
    for (let c = 0; c < C; c++) {
      const t = input.delta[s * C + c]!;
      if (t >= 0) predStart[t + 1]!++;
    }
  }
  for (let s = 0; s < n0; s++) predStart[s + 1]! += predStart[s]!;
  const predFill = predStart.slice(0, n0);
  const preds = new Int32Array(predStart[n0]!);
  for (let s = 0; s < n0; s++) {
    if (reach[s] === 0) continue;
    for (let c = 0; c < C; c++) {
      const t = input.delta[s * C + c]!;
      if (t >= 0) preds[predFill[t]!++] = s;
    }
  }
  const live = backwardReach(n0, predStart, preds, (s) => reach[s] === 1 && input.accepting[s] === 1);
  if (live[input.initial] !== 1) return emptyDfa();
  const old2new = new Int32Array(n0).fill(-1);
  let n = 0;
  for (let s = 0; s < n0; s++) if (live[s] === 1) old2new[s] = n++;

  const N = n + 1; // state n is the sink standing for -1 and for the dropped states
  const sink = n;
  const delta = new Int32Array(N * C);
  const acceptingOf = new Uint8Array(N);
  for (let s = 0; s < n0; s++) {
    const i = old2new[s]!;
    if (i < 0) continue;
    acceptingOf[i] = input.accepting[s]!;
    for (let c = 0; c < C; c++) {
      const t = input.delta[s * C + c]!;
      delta[i * C + c] = t >= 0 && old2new[t]! >= 0 ? old2new[t]! : sink;
    }
  }
  for (let c = 0; c < C; c++) delta[sink * C + c] = sink;

  // Inverse transitions per class, CSR over (class, target).
  const invStart = new Int32Array(C * N + 1);
  for (let s = 0; s < N; s++) for (let c = 0; c < C; c++) invStart[c * N + delta[s * C + c]! + 1]!++;
  for (let i = 0; i < C * N; i++) invStart[i + 1]! += invStart[i]!;
  const fill = invStart.slice(0, C * N);
  const inv = new Int32Array(N * C);
  for (let s = 0; s < N; s++) for (let c = 0; c < C; c++) inv[fill[c * N + delta[s * C + c]!]!++] = s;

  // Refinable partition: the elements of block b are elems[first[b] … end[b]-1]; marked elements
  // are swapped to the front, up to mid[b].
  const elems = new Int32Array(N);
  const loc = new Int32Array(N);
  const blockOf = new Int32Array(N);
  const first = new Int32Array(N);
  const end = new Int32Array(N);
  const mid = new Int32Array(N);
  let blocks = 0;
  let pos = 0;
  const addBlock = (members: number[]): void => {
    if (members.length === 0) return;
    first[blocks] = pos;
    mid[blocks] = pos;
    for (const s of members) {
      elems[pos] = s;
      loc[s] = pos;
      blockOf[s] = blocks;
      pos++;
    }
    end[blocks] = pos;
    blocks++;
  };
  const acc: number[] = [];
  const rej: number[] = [];
  for (let s = 0; s < n; s++) (acceptingOf[s] === 1 ? acc : rej).push(s);
  addBlock(acc);
  addBlock(rej);
  const sinkBlock = blocks;
  addBlock([sink]);

  // Splitters (block, class); all initial blocks but the sink's (stability against the sink
  // follows from stability against the others and against the whole set).
  const work: number[] = [];
  for (let b = 0; b < blocks; b++) {
    if (b === sinkBlock) continue;
    for (let c = 0; c < C; c++) work.push(b * C + c);
  }

  const preimage = new Int32Array(N);
  const touched = new Int32Array(N);
  while (work.length > 0) {
    const item = work.pop()!;
    const B = Math.floor(item / C);
    const c = item - B * C;
    // Collect the preimage first: marking reorders elements, possibly inside B itself.
    let count = 0;
    for (let i = first[B]!; i < end[B]!; i++) {
      const t = elems[i]!;
      for (let j = invStart[c * N + t]!; j < invStart[c * N + t + 1]!; j++) preimage[count++] = inv[j]!;
    }
    let touchedCount = 0;
    for (let i = 0; i < count; i++) {
      const s = preimage[i]!;
      const b = blockOf[s]!;
      if (mid[b] === first[b]) touched[touchedCount++] = b;
      const p = loc[s]!;
      const q = mid[b]!;
      const other = elems[q]!;
      elems[q] = s;
      loc[s] = q;
      elems[p] = other;
      loc[other] = p;
      mid[b] = q + 1;
    }
    for (let i = 0; i < touchedCount; i++) {
      const b = touched[i]!;
      if (mid[b] === end[b]) {
        mid[b] = first[b]!;
        continue;
      }
      // Split; the smaller part becomes the new block. Whether or not (b, c') was waiting, adding
      // (new, c') for every class keeps Hopcroft's invariant.
      const markedSize = mid[b]! - first[b]!;
      const restSize = end[b]! - mid[b]!;
      const nb = blocks++;
      if (markedSize <= restSize) {
        first[nb] = first[b]!;
        end[nb] = mid[b]!;
        first[b] = mid[b]!;
      } else {
        first[nb] = mid[b]!;
        end[nb] = end[b]!;
        end[b] = mid[b]!;
      }
      mid[b] = first[b]!;
      mid[nb] = first[nb]!;
      for (let j = first[nb]!; j < end[nb]!; j++) blockOf[elems[j]!] = nb;
      for (let cc = 0; cc < C; cc++) work.push(nb * C + cc);
    }
  }

  // The quotient, breadth-first from the initial block, bytes in increasing order.
  const { classOf } = input;
  const sinkId = blockOf[sink]!;
  const newId = new Int32Array(blocks).fill(-1);
  const order: number[] = [blockOf[old2new[input.initial]!]!];
  newId[order[0]!] = 0;
  const firstByteOfClass = new Int32Array(C).fill(-1);
  for (let x = 255; x >= 0; x--) firstByteOfClass[classOf[x]!] = x;
  const classOrder = Array.from({ length: C }, (_, c) => c).sort((a, b) => firstByteOfClass[a]! - firstByteOfClass[b]!);
  for (let head = 0; head < order.length; head++) {
    const r = elems[first[order[head]!]!]!;
    for (const c of classOrder) {
      const tb = blockOf[delta[r * C + c]!]!;
      if (tb !== sinkId && newId[tb] === -1) {
        newId[tb] = order.length;
        order.push(tb);
      }
    }
  }
  const m = order.length;
  const transitions = new Int32Array(m * 256);
  const accepting = new Uint8Array(m);
  const rowByClass = new Int32Array(C);
  for (let i = 0; i < m; i++) {
    const r = elems[first[order[i]!]!]!;
    accepting[i] = acceptingOf[r]!;
    for (let c = 0; c < C; c++) {
      const tb = blockOf[delta[r * C + c]!]!;
      rowByClass[c] = tb === sinkId ? -1 : newId[tb]!;
    }
    for (let x = 0; x < 256; x++) transitions[i * 256 + x] = rowByClass[classOf[x]!]!;
  }
  return { stateCount: m, initial: 0, transitions, accepting };
}

/** Checks the state limit while a construction grows. */
export function checkStateLimit(what: string, states: number, limit: number): void {
  if (states > limit) throw new AutomatonTooLargeError(what, limit, states);
}

/**
 * The product of two DFAs: states are pairs (state of a or -1, state of b or -1), explored from
 * (initial, initial); `accept` decides acceptance from the two acceptances. Used for union here;
 * intersection and difference are the same with another `accept`.
 */
export function productDfa(
  a: ByteDfa,
  b: ByteDfa,
  accept: (inA: boolean, inB: boolean) => boolean,
  options: DfaBuildOptions = {},
  what = "product automaton",
): ByteDfa {
  const limit = options.maxStates ?? DEFAULT_MAX_STATES;
  const { classOf, count: C, representatives } = jointByteClasses(a, b);
  const nb = b.stateCount + 1;
  const ids = new Map<number, number>();
  const pairs: number[] = [];
  const rows: Int32Array[] = [];
  const intern = (sa: number, sb: number): number => {
    if (sa < 0 && sb < 0) return -1;
    const key = (sa + 1) * nb + (sb + 1);
    let id = ids.get(key);
    if (id === undefined) {
      id = pairs.length / 2;
      checkStateLimit(what, id + 1, limit);
      ids.set(key, id);
      pairs.push(sa, sb);
    }
    return id;
  };
  intern(a.initial, b.initial);
  for (let i = 0; i * 2 < pairs.length; i++) {
    const sa = pairs[i * 2]!;
    const sb = pairs[i * 2 + 1]!;
    const row = new Int32Array(C);
    for (let c = 0; c < C; c++) {
      const x = representatives[c]!;
      row[c] = intern(sa >= 0 ? a.transitions[sa * 256 + x]! : -1, sb >= 0 ? b.transitions[sb * 256 + x]! : -1);
    }
    rows.push(row);
  }
  const m = rows.length;
  const delta = new Int32Array(m * C);
  const accepting = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const sa = pairs[i * 2]!;
    const sb = pairs[i * 2 + 1]!;
    accepting[i] = accept(sa >= 0 && a.accepting[sa] === 1, sb >= 0 && b.accepting[sb] === 1) ? 1 : 0;
    delta.set(rows[i]!, i * C);
  }
  return minimizeCompact({ stateCount: m, initial: 0, classOf, classCount: C, delta, accepting });
}

/** The DFA of L(a) ∪ L(b), minimal. */
export function unionDfa(a: ByteDfa, b: ByteDfa, options: DfaBuildOptions = {}): ByteDfa {
  return productDfa(a, b, (x, y) => x || y, options, "union");
}

/** The DFA of L(a) ∩ L(b), minimal. */
export function intersectDfa(a: ByteDfa, b: ByteDfa, options: DfaBuildOptions = {}): ByteDfa {
  return productDfa(a, b, (x, y) => x && y, options, "intersection");
}

/**
 * The DFA of L(a)·L(b), minimal: a subset construction whose states are (state of a or -1, set of
 * states of b); entering an accepting state of a also starts b.
 */
export function concatDfa(a: ByteDfa, b: ByteDfa, options: DfaBuildOptions = {}): ByteDfa {
  const limit = options.maxStates ?? DEFAULT_MAX_STATES;
  const ta = trimDfa(a);
  const tb = trimDfa(b);
  if (isEmptyLanguage(ta) || isEmptyLanguage(tb)) return emptyDfa();
  const { classOf, count: C, representatives } = jointByteClasses(ta, tb);
  const ids = new Map<string, number>();
  const states: Array<{ a: number; bs: number[] }> = [];
  const rows: Int32Array[] = [];
  const intern = (sa: number, bs: number[]): number => {
    if (sa >= 0 && ta.accepting[sa] === 1) bs.push(tb.initial);
    if (sa < 0 && bs.length === 0) return -1;
    const sorted = [...new Set(bs)].sort((x, y) => x - y);
    const key = `${sa}|${sorted.join(",")}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = states.length;
      checkStateLimit("concatenation", id + 1, limit);
      ids.set(key, id);
      states.push({ a: sa, bs: sorted });
    }
    return id;
  };
  intern(ta.initial, []);
  for (let i = 0; i < states.length; i++) {
    const { a: sa, bs } = states[i]!;
    const row = new Int32Array(C);
    for (let c = 0; c < C; c++) {
      const x = representatives[c]!;
      const next: number[] = [];
      for (const s of bs) {
        const t = tb.transitions[s * 256 + x]!;
        if (t >= 0) next.push(t);
      }
      row[c] = intern(sa >= 0 ? ta.transitions[sa * 256 + x]! : -1, next);
    }
    rows.push(row);
  }
  const m = states.length;
  const delta = new Int32Array(m * C);
  const accepting = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    accepting[i] = states[i]!.bs.some((s) => tb.accepting[s] === 1) ? 1 : 0;
    delta.set(rows[i]!, i * C);
  }
  return minimizeCompact({ stateCount: m, initial: 0, classOf, classCount: C, delta, accepting });
}
