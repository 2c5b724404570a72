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

  constructor(vocabulary: Vocabulary, include: (bytes: Uint8Array) => boolean = () => true) {
    const ids: number[] = [];
    for (let id = 0; id < vocabulary.size; id++) {
      const bytes = vocabulary.bytes[id];
      if (bytes !== undefined && include(bytes)) ids.push(id);
    }
    ids.sort((a, b) => compareBytes(vocabulary.bytes[a]!, vocabulary.bytes[b]!));
    const label: number[] = [];
    const depth: number[] = [];
    const skip: number[] = [];
    const endings: number[][] = [];
    const path: number[] = []; // node index at each depth of the current path
    let previous: Uint8Array = new Uint8Array(0);
    let maxDepth = 0;
    for (const id of ids) {
      const bytes = vocabulary.bytes[id]!;
      let common = 0;
      while (common < bytes.length && common < previous.length && bytes[common] === previous[common]) common++;
      while (path.length > common) skip[path.pop()!] = label.length;
      for (let d = common; d < bytes.length; d++) {
        path.push(label.length);
        label.push(bytes[d]!);
        depth.push(d);
        skip.push(-1);
        endings.push([]);
      }
      endings[path[bytes.length - 1]!]!.push(id);
      previous = bytes;
      if (bytes.length > maxDepth) maxDepth = bytes.length;
    }
    while (path.length > 0) skip[path.pop()!] = label.length;
    this.nodeCount = label.length;
    this.maxDepth = maxDepth;
    this.label = Uint8Array.from(label);
    this.depth = Uint16Array.from(depth);
    this.skip = Int32Array.from(skip);
    this.tokenStart = new Int32Array(this.nodeCount + 1);
    let total = 0;
    for (let i = 0; i < this.nodeCount; i++) {
      this.tokenStart[i] = total;
      total += endings[i]!.length;
    }
    this.tokenStart[this.nodeCount] = total;
    this.tokens = new Int32Array(total);
    let at = 0;
    for (const list of endings) for (const id of list) this.tokens[at++] = id;
  }

  /**
   * Calls `onToken` for every token whose whole byte string the automaton reads from `start`
   * without being rejected (`transitions[s*256+b] < 0` rejects). Returns the number of nodes visited.
   */
  walk(transitions: Int32Array, start: number, onToken: (token: number, end: number) => void): number {
    const { label, depth, skip, tokenStart, tokens, nodeCount } = this;
    const stateAt = new Int32Array(this.maxDepth + 1);
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
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
