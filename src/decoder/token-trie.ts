import type { Vocabulary } from "./vocabulary.js";

/**
 * The tokens of a vocabulary as a byte trie, flattened in preorder: node i has a byte label, a
 * depth, and `skip[i]`, the index just past its subtree. Walking it against an automaton is one
 * linear scan that jumps over every subtree whose first byte is rejected, which is what makes a
 * full-vocabulary mask a few milliseconds rather than a few hundred.
 */
export class TokenTrie {
  readonly label: Uint8Array;
  readonly depth: Uint16Array;
  readonly skip: Int32Array;
  /** Tokens ending at node i are `tokens[tokenStart[i] .. tokenStart[i+1])`. */
  readonly tokenStart: Int32Array;
  readonly tokens: Int32Array;
  readonly nodeCount: number;
  readonly maxDepth: number;
  /** The automaton state at each depth of the current path, reused by every walk (walks never nest). */
  private readonly stateAt: Int32Array;

  constructor(vocabulary: Vocabulary, include: (bytes: Uint8Array) => boolean = () => true) {
    const ids: number[] = [];
    for (let id = 0; id < vocabulary.size; id++) {
      const bytes = vocabulary.bytes[id];
      if (bytes !== undefined && include(bytes)) ids.push(id);
    }
    ids.sort((a, b) => compareBytes(vocabulary.bytes[a]!, vocabulary.bytes[b]!));
    const built = TokenTrie.fromSorted(vocabulary.bytes, ids);
    this.label = built.label;
    this.depth = built.depth;
    this.skip = built.skip;
    this.tokenStart = built.tokenStart;
    this.tokens = built.tokens;
    this.nodeCount = built.nodeCount;
    this.maxDepth = built.maxDepth;
    this.stateAt = new Int32Array(this.maxDepth + 1);
  }

  /**
   * The trie of `ids`, which must be sorted by their bytes (e.g. a filter of a sorted list): no
   * sort, one pass. Used to build several tries over parts of one vocabulary cheaply.
   */
  static fromSorted(bytesOf: readonly (Uint8Array | undefined)[], ids: ArrayLike<number>): TokenTrie {
    const trie = Object.create(TokenTrie.prototype) as { -readonly [K in keyof TokenTrie]: TokenTrie[K] };
    let nodes = 0;
    let previous: Uint8Array = new Uint8Array(0);
    let maxDepth = 0;
    for (let k = 0; k < ids.length; k++) {
      const bytes = bytesOf[ids[k]!]!;
      nodes += bytes.length - commonPrefix(bytes, previous);
      previous = bytes;
      if (bytes.length > maxDepth) maxDepth = bytes.length;
    }
    const label = new Uint8Array(nodes);
    const depth = new Uint16Array(nodes);
    const skip = new Int32Array(nodes);
    const endCount = new Int32Array(nodes + 1);
    const endNode = new Int32Array(ids.length);
    const path = new Int32Array(maxDepth + 1);
    let pathLength = 0;
    let at = 0;
    previous = new Uint8Array(0);
    for (let k = 0; k < ids.length; k++) {
      const bytes = bytesOf[ids[k]!]!;
      const common = commonPrefix(bytes, previous);
      while (pathLength > common) skip[path[--pathLength]!] = at;
      for (let d = common; d < bytes.length; d++) {
        path[pathLength++] = at;
        label[at] = bytes[d]!;
        depth[at] = d;
        at++;
      }
      const end = path[bytes.length - 1]!;
      endNode[k] = end;
      endCount[end]!++;
      previous = bytes;
    }
    while (pathLength > 0) skip[path[--pathLength]!] = at;
    const tokenStart = new Int32Array(nodes + 1);
    let total = 0;
    for (let i = 0; i < nodes; i++) {
      tokenStart[i] = total;
      total += endCount[i]!;
    }
    tokenStart[nodes] = total;
    const tokens = new Int32Array(total);
    const fill = tokenStart.slice(0, nodes);
    for (let k = 0; k < ids.length; k++) tokens[fill[endNode[k]!]!++] = ids[k]!;
    trie.label = label;
    trie.depth = depth;
    trie.skip = skip;
    trie.tokenStart = tokenStart;
    trie.tokens = tokens;
    trie.nodeCount = nodes;
    trie.maxDepth = maxDepth;
    (trie as unknown as { stateAt: Int32Array }).stateAt = new Int32Array(maxDepth + 1);
    return trie as TokenTrie;
  }

  /**
   * Calls `onToken` for every token whose whole byte string the automaton reads from `start`
   * without being rejected (`transitions[s*256+b] < 0` rejects). Returns the number of nodes visited.
   */
  walk(transitions: Int32Array, start: number, onToken: (token: number, end: number) => void): number {
    const { label, depth, skip, tokenStart, tokens, nodeCount, stateAt } = this;
    let visited = 0;
    let i = 0;
    while (i < nodeCount) {
      const d = depth[i]!;
      const from = d === 0 ? start : stateAt[d - 1]!;
      const next = transitions[from * 256 + label[i]!]!;
      visited++;
      if (next < 0) {
        i = skip[i]!;
        continue;
      }
      stateAt[d] = next;
      for (let t = tokenStart[i]!, end = tokenStart[i + 1]!; t < end; t++) onToken(tokens[t]!, next);
      i++;
    }
    return visited;
  }

  /**
   * `walk` without a callback: sets bit `token` of `bits` (32 tokens a word) for every token the
   * automaton reads from `start`. Allocates nothing. Returns the number of nodes visited.
   */
  walkInto(transitions: Int32Array, start: number, bits: Uint32Array | Int32Array): number {
    const { label, depth, skip, tokenStart, tokens, nodeCount, stateAt } = this;
    let visited = 0;
    let i = 0;
    while (i < nodeCount) {
      const d = depth[i]!;
      const next = transitions[(d === 0 ? start : stateAt[d - 1]!) * 256 + label[i]!]!;
      visited++;
      if (next < 0) {
        i = skip[i]!;
        continue;
      }
      stateAt[d] = next;
      for (let t = tokenStart[i]!, end = tokenStart[i + 1]!; t < end; t++) {
        const token = tokens[t]!;
        bits[token >>> 5]! |= 1 << (token & 31);
      }
      i++;
    }
    return visited;
  }
}

function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
