/**
 * Regular expression → minimal DFA over UTF-8 bytes: parse (regex-parser.ts), a Thompson NFA
 * whose character sets are small byte-range automata (the UTF-8 split of their code-point ranges,
 * with shared suffixes), a subset construction over the NFA's byte classes, and minimization.
 */
import type { ByteDfa } from "./byte-dfa.js";
import type { CodePointSet } from "./codepoints.js";
import { AutomatonTooLargeError } from "./errors.js";
import { DEFAULT_MAX_STATES, minimizeCompact, type DfaBuildOptions } from "./ops.js";
import { parseRegex, type RegexNode } from "./regex-parser.js";
import { utf8Length, utf8SetSequences } from "./utf8.js";

export { parseRegex, type RegexNode } from "./regex-parser.js";

/**
 * The minimal DFA of the UTF-8 encodings of the texts the regular expression matches as a whole.
 * Throws RegexSyntaxError for malformed or unsupported syntax, AutomatonTooLargeError when the
 * automaton would need more than `maxStates` states (default 100 000), huge repetition counts
 * included.
 */
export function regexDfa(source: string, options: DfaBuildOptions = {}): ByteDfa {
  const limit = options.maxStates ?? DEFAULT_MAX_STATES;
  const what = `regular expression /${source.length > 60 ? `${source.slice(0, 57)}...` : source}/`;
  const tree = parseRegex(source);
  return compileRegexTree(tree, limit, what);
}

/** The DFA of a parsed regular expression (see `regexDfa`). */
export function compileRegexTree(tree: RegexNode, limit: number = DEFAULT_MAX_STATES, what = "regular expression"): ByteDfa {
  const templates = new Map<CodePointSet, SetTemplate>();
  const info = measure(tree, templates);
  // Any DFA needs a distinct state for each prefix of a shortest word, and, for a finite
  // language, for each prefix of a longest word.
  if (info.minLen !== Infinity) {
    const needed = Math.max(info.minLen, info.maxLen === Infinity ? 0 : info.maxLen) + 1;
    if (needed > limit) throw new AutomatonTooLargeError(what, limit, needed);
  }
  const nfaLimit = 4 * limit + 4096;
  if (info.nfa > nfaLimit) throw new AutomatonTooLargeError(`${what} (its NFA)`, nfaLimit, Math.min(info.nfa, Number.MAX_SAFE_INTEGER));
  const nfa = new NfaBuilder(templates);
  const start = nfa.newState();
  const final = nfa.build(tree, start);
  return determinize(nfa, start, final, limit, what);
}

/** A character set as a little automaton: node 0 is the entry, node 1 the exit. */
interface SetTemplate {
  readonly nodes: number;
  /** Flat (from, lo, hi, to) quadruples. */
  readonly edges: readonly number[];
}

function setTemplate(set: CodePointSet): SetTemplate {
  const edges: number[] = [];
  let nodes = 2;
  const suffixNode = new Map<string, number>();
  const entryEdges = new Set<string>();
  for (const seq of utf8SetSequences(set)) {
    let next = 1;
    for (let j = seq.length - 1; j >= 1; j--) {
      const [lo, hi] = seq[j]!;
      const key = `${lo},${hi},${next}`;
      let node = suffixNode.get(key);
      if (node === undefined) {
        node = nodes++;
        suffixNode.set(key, node);
        edges.push(node, lo, hi, next);
      }
      next = node;
    }
    const [lo, hi] = seq[0]!;
    const key = `${lo},${hi},${next}`;
    if (!entryEdges.has(key)) {
      entryEdges.add(key);
      edges.push(0, lo, hi, next);
    }
  }
  return { nodes, edges };
}

interface Measure {
  /** Shortest and longest word in bytes (Infinity / -Infinity when the language is empty). */
  readonly minLen: number;
  readonly maxLen: number;
  /** An upper bound on the NFA states `build` creates. */
  readonly nfa: number;
}

function measure(node: RegexNode, templates: Map<CodePointSet, SetTemplate>): Measure {
  switch (node.kind) {
    case "set": {
      let template = templates.get(node.set);
      if (template === undefined) {
        template = setTemplate(node.set);
        templates.set(node.set, template);
      }
      if (node.set.length === 0) return { minLen: Infinity, maxLen: -Infinity, nfa: template.nodes };
      return { minLen: utf8Length(node.set[0]!), maxLen: utf8Length(node.set[node.set.length - 1]!), nfa: template.nodes };
    }
    case "concat": {
      let minLen = 0;
      let maxLen = 0;
      let nfa = 0;
      for (const item of node.items) {
        const m = measure(item, templates);
        minLen += m.minLen;
        maxLen += m.maxLen;
        nfa += m.nfa;
      }
      if (minLen === Infinity) maxLen = -Infinity;
      return { minLen, maxLen, nfa };
    }
    case "alt": {
      let minLen = Infinity;
      let maxLen = -Infinity;
      let nfa = 1;
      for (const item of node.items) {
        const m = measure(item, templates);
        minLen = Math.min(minLen, m.minLen);
        maxLen = Math.max(maxLen, m.maxLen);
        nfa += m.nfa + 1;
      }
      return { minLen, maxLen, nfa };
    }
    case "repeat": {
      const m = measure(node.item, templates);
      const copies = node.max === Infinity ? node.min + 1 : node.max;
      const nfa = copies * (m.nfa + 1) + 2;
      if (m.minLen === Infinity) {
        // The item matches nothing: only zero repetitions can match.
        return node.min === 0 ? { minLen: 0, maxLen: 0, nfa } : { minLen: Infinity, maxLen: -Infinity, nfa };
      }
      const minLen = node.min * m.minLen;
      const maxLen = node.max === 0 || m.maxLen === 0 ? 0 : node.max * m.maxLen;
      return { minLen, maxLen, nfa };
    }
  }
}

/** A Thompson NFA under construction: ε-edges and byte-range edges in flat lists. */
class NfaBuilder {
  states = 0;
  readonly eps: number[] = []; // (from, to) pairs
  readonly edges: number[] = []; // (from, lo, hi, to) quadruples

  constructor(private readonly templates: Map<CodePointSet, SetTemplate>) {}

  newState(): number {
    return this.states++;
  }

  /** Adds the automaton of `node` starting at `from`; returns its exit state. */
  build(node: RegexNode, from: number): number {
    switch (node.kind) {
      case "set": {
        const template = this.templates.get(node.set)!;
        const base = this.states - 1; // template node i ≥ 1 becomes base + i
        this.states += template.nodes - 1;
        const map = (i: number): number => (i === 0 ? from : base + i);
        const e = template.edges;
        for (let i = 0; i < e.length; i += 4) this.edges.push(map(e[i]!), e[i + 1]!, e[i + 2]!, map(e[i + 3]!));
        return map(1);
      }
      case "concat": {
        let current = from;
        for (const item of node.items) current = this.build(item, current);
        return current;
      }
      case "alt": {
        const exit = this.newState();
        for (const item of node.items) {
          const entry = this.newState();
          this.eps.push(from, entry);
          this.eps.push(this.build(item, entry), exit);
        }
        return exit;
      }
      case "repeat": {
        let current = from;
        for (let i = 0; i < node.min; i++) {
          // Each copy starts in a fresh state, so no copy's edges leave a state a loop returns to.
          const entry = this.newState();
          this.eps.push(current, entry);
          current = this.build(node.item, entry);
        }
        if (node.max === Infinity) {
          const loop = this.newState();
          this.eps.push(current, loop);
          const entry = this.newState();
          this.eps.push(loop, entry);
          this.eps.push(this.build(node.item, entry), loop);
          return loop;
        }
        const exit = this.newState();
        this.eps.push(current, exit);
        for (let i = node.min; i < node.max; i++) {
          const entry = this.newState();
          this.eps.push(current, entry);
          current = this.build(node.item, entry);
          this.eps.push(current, exit);
        }
        return exit;
      }
    }
  }
}

/** Subset construction over the NFA's byte classes (maximal byte intervals no edge splits), then minimization. */
function determinize(nfa: NfaBuilder, start: number, final: number, limit: number, what: string): ByteDfa {
  const n = nfa.states;
  // Byte classes: intervals between the edges' boundaries.
  const boundary = new Uint8Array(257);
  boundary[0] = 1;
  for (let i = 0; i < nfa.edges.length; i += 4) {
    boundary[nfa.edges[i + 1]!] = 1;
    boundary[nfa.edges[i + 2]! + 1] = 1;
  }
  const classOf = new Uint8Array(256);
  let C = -1;
  for (let b = 0; b < 256; b++) {
    if (boundary[b] === 1) C++;
    classOf[b] = C;
  }
  C++;

  // CSR adjacency for ε-edges and byte edges.
  const epsStart = new Int32Array(n + 1);
  for (let i = 0; i < nfa.eps.length; i += 2) epsStart[nfa.eps[i]! + 1]!++;
  for (let s = 0; s < n; s++) epsStart[s + 1]! += epsStart[s]!;
  const epsTo = new Int32Array(nfa.eps.length / 2);
  {
    const fill = epsStart.slice(0, n);
    for (let i = 0; i < nfa.eps.length; i += 2) epsTo[fill[nfa.eps[i]!]!++] = nfa.eps[i + 1]!;
  }
  const edgeStart = new Int32Array(n + 1);
  for (let i = 0; i < nfa.edges.length; i += 4) edgeStart[nfa.edges[i]! + 1]!++;
  for (let s = 0; s < n; s++) edgeStart[s + 1]! += edgeStart[s]!;
  const edgeCount = nfa.edges.length / 4;
  const edgeFirstClass = new Int32Array(edgeCount);
  const edgeLastClass = new Int32Array(edgeCount);
  const edgeTo = new Int32Array(edgeCount);
  {
    const fill = edgeStart.slice(0, n);
    for (let i = 0; i < nfa.edges.length; i += 4) {
      const at = fill[nfa.edges[i]!]!++;
      edgeFirstClass[at] = classOf[nfa.edges[i + 1]!]!;
      edgeLastClass[at] = classOf[nfa.edges[i + 2]!]!;
      edgeTo[at] = nfa.edges[i + 3]!;
    }
  }

  // ε-closure restricted to the states that matter: those with byte edges, and the final state.
  const stamp = new Int32Array(n).fill(-1);
  let stampValue = 0;
  const stack: number[] = [];
  const closure = (seeds: number[]): number[] => {
    stampValue++;
    const out: number[] = [];
    for (const s of seeds) {
      if (stamp[s] !== stampValue) {
        stamp[s] = stampValue;
        stack.push(s);
      }
    }
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (edgeStart[s + 1]! > edgeStart[s]! || s === final) out.push(s);
      for (let i = epsStart[s]!; i < epsStart[s + 1]!; i++) {
        const t = epsTo[i]!;
        if (stamp[t] !== stampValue) {
          stamp[t] = stampValue;
          stack.push(t);
        }
      }
    }
    return out.sort((a, b) => a - b);
  };

  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const intern = (set: number[]): number => {
    if (set.length === 0) return -1;
    const key = set.join(",");
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      // The limit applies to the subset automaton too (it is rarely much larger than the minimal one).
      if (id >= limit) throw new AutomatonTooLargeError(what, limit, id + 1);
      ids.set(key, id);
      sets.push(set);
    }
    return id;
  };
  intern(closure([start]));
  const rows: number[] = [];
  const buckets: number[][] = Array.from({ length: C }, () => []);
  for (let d = 0; d < sets.length; d++) {
    for (const bucket of buckets) bucket.length = 0;
    for (const s of sets[d]!) {
      for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) {
        const to = edgeTo[e]!;
        for (let c = edgeFirstClass[e]!; c <= edgeLastClass[e]!; c++) buckets[c]!.push(to);
      }
    }
    for (let c = 0; c < C; c++) rows.push(buckets[c]!.length === 0 ? -1 : intern(closure(buckets[c]!)));
  }
  const m = sets.length;
  const accepting = new Uint8Array(m);
  for (let d = 0; d < m; d++) if (sets[d]!.includes(final)) accepting[d] = 1;
  const dfa = minimizeCompact({ stateCount: m, initial: 0, classOf, classCount: C, delta: Int32Array.from(rows), accepting });
  if (dfa.stateCount > limit) throw new AutomatonTooLargeError(what, limit, dfa.stateCount);
  return dfa;
}
