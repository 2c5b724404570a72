/**
 * Test oracles for src/grammars, written independently of the code under test: brute-force
 * language comparison, a naive Moore minimization, brute-force bounded equivalence, and a small
 * backtracking GBNF recognizer.
 */
import type { ByteDfa } from "../../src/grammars/byte-dfa.js";

export const utf8 = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const lenientDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Whether the bytes are valid UTF-8: decoding replaces nothing (U+FFFD re-encodes differently). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(lenientDecoder.decode(bytes), "utf8"), bytes) === 0;
}

export function decode(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/** Plain table walk (not the library's runBytes). */
export function accepts(dfa: ByteDfa, bytes: ArrayLike<number>): boolean {
  let s = dfa.initial;
  for (let i = 0; i < bytes.length; i++) {
    s = dfa.transitions[s * 256 + bytes[i]!]!;
    if (s < 0) return false;
  }
  return dfa.accepting[s] === 1;
}

/** Every word over `alphabet` of length ≤ maxLength. */
export function allWords(alphabet: readonly number[], maxLength: number): number[][] {
  const out: number[][] = [[]];
  let layer: number[][] = [[]];
  for (let len = 1; len <= maxLength; len++) {
    const next: number[][] = [];
    for (const w of layer) for (const b of alphabet) next.push([...w, b]);
    out.push(...next);
    layer = next;
  }
  return out;
}

/** A random DFA over a few bytes (other bytes rejected); states may be unreachable or dead. */
export function randomDfa(rng: { int(n: number): number }, states: number, alphabet: readonly number[], density = 0.7): ByteDfa {
  const transitions = new Int32Array(states * 256).fill(-1);
  const accepting = new Uint8Array(states);
  for (let s = 0; s < states; s++) {
    accepting[s] = rng.int(3) === 0 ? 1 : 0;
    for (const b of alphabet) if (rng.int(1000) < density * 1000) transitions[s * 256 + b] = rng.int(states);
  }
  return { stateCount: states, initial: rng.int(states), transitions, accepting };
}

/**
 * The number of states of the minimal trimmed DFA by the textbook method: keep useful states
 * (reachable and co-reachable, found by iterating to a fixpoint), then Moore refinement over all
 * 256 bytes with -1 as its own class until nothing splits.
 */
export function naiveMinimalStateCount(dfa: ByteDfa): number {
  const n = dfa.stateCount;
  const reach = new Set([dfa.initial]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of [...reach]) {
      for (let b = 0; b < 256; b++) {
        const t = dfa.transitions[s * 256 + b]!;
        if (t >= 0 && !reach.has(t)) {
          reach.add(t);
          changed = true;
        }
      }
    }
  }
  const live = new Set<number>();
  for (let s = 0; s < n; s++) if (dfa.accepting[s] === 1) live.add(s);
  for (let changed = true; changed; ) {
    changed = false;
    for (let s = 0; s < n; s++) {
      if (live.has(s)) continue;
      for (let b = 0; b < 256; b++) {
        if (live.has(dfa.transitions[s * 256 + b]!)) {
          live.add(s);
          changed = true;
          break;
        }
      }
    }
  }
  const useful = [...reach].filter((s) => live.has(s));
  if (useful.length === 0) return 1;
  let cls = new Map<number, number>(useful.map((s) => [s, dfa.accepting[s]!]));
  let count = new Set(cls.values()).size;
  for (;;) {
    const ids = new Map<string, number>();
    const next = new Map<number, number>();
    for (const s of useful) {
      const parts = [cls.get(s)!];
      for (let b = 0; b < 256; b++) {
        const t = dfa.transitions[s * 256 + b]!;
        parts.push(cls.has(t) ? cls.get(t)! : -1);
      }
      const key = parts.join(",");
      if (!ids.has(key)) ids.set(key, ids.size);
      next.set(s, ids.get(key)!);
    }
    cls = next;
    if (ids.size === count) return count;
    count = ids.size;
  }
}

/**
 * For each state, the observations (live?, accepting?) along every word over `alphabet` of
 * length ≤ k, concatenated: two states are k-equivalent iff these strings are equal (when
 * `alphabet` covers every byte class of the DFA).
 */
export function bruteForceObservationSignatures(dfa: ByteDfa, k: number, alphabet: readonly number[]): string[] {
  const n = dfa.stateCount;
  // Liveness by brute force over the alphabet (enough when other bytes are rejected).
  const live = new Array<boolean>(n).fill(false);
  for (let s = 0; s < n; s++) if (dfa.accepting[s] === 1) live[s] = true;
  for (let changed = true; changed; ) {
    changed = false;
    for (let s = 0; s < n; s++) {
      if (live[s]) continue;
      if (alphabet.some((b) => { const t = dfa.transitions[s * 256 + b]!; return t >= 0 && live[t]; })) {
        live[s] = true;
        changed = true;
      }
    }
  }
  const obs = (s: number): string => (s < 0 ? "00" : `${live[s] ? 1 : 0}${dfa.accepting[s]}`);
  const words = allWords(alphabet, k);
  return Array.from({ length: n }, (_, start) =>
    words
      .map((w) => {
        let s = start;
        let trace = obs(s);
        for (const b of w) {
          s = s < 0 ? -1 : dfa.transitions[s * 256 + b]!;
          trace += obs(s);
        }
        return trace;
      })
      .join("|"),
  );
}

/** Whether two labelings induce the same partition. */
export function samePartition(a: ArrayLike<number | string>, b: ArrayLike<number | string>): boolean {
  if (a.length !== b.length) return false;
  const ab = new Map<number | string, number | string>();
  const ba = new Map<number | string, number | string>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (ab.has(x) && ab.get(x) !== y) return false;
    if (ba.has(y) && ba.get(y) !== x) return false;
    ab.set(x, y);
    ba.set(y, x);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// A small GBNF recognizer: parses the subset of llama.cpp's syntax the exporter uses (and
// rejects what llama.cpp would reject there), then matches code-point sequences.

type GNode =
  | { kind: "alt"; items: GNode[] }
  | { kind: "seq"; items: GNode[] }
  | { kind: "lit"; cps: number[] }
  | { kind: "class"; ranges: number[]; negated: boolean }
  | { kind: "any" }
  | { kind: "ref"; name: string }
  | { kind: "rep"; item: GNode; min: number; max: number };

export class GbnfGrammar {
  readonly rules = new Map<string, GNode>();

  constructor(text: string) {
    for (const rawLine of text.split("\n")) {
      const line = rawLine.trim();
      if (line === "" || line.startsWith("#")) continue;
      const m = /^([a-zA-Z0-9-]+)\s*::=\s*(.*)$/.exec(line);
      if (m === null) throw new Error(`bad rule line: ${line}`);
      if (this.rules.has(m[1]!)) throw new Error(`rule ${m[1]} defined twice`);
      const p = new GParser(m[2]!);
      const node = p.alternates();
      p.skip();
      if (!p.done()) throw new Error(`trailing text in rule ${m[1]}: ${m[2]!.slice(p.pos)}`);
      this.rules.set(m[1]!, node);
    }
    for (const node of this.rules.values()) this.checkRefs(node);
    this.checkLeftRecursion();
  }

  /** Whether a node matches the empty string (rules by fixpoint). */
  private nullableRules(): Set<string> {
    const result = new Set<string>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, node] of this.rules) {
        if (!result.has(name) && this.nullable(node, result)) {
          result.add(name);
          changed = true;
        }
      }
    }
    return result;
  }

  private nullable(node: GNode, rules: Set<string>): boolean {
    switch (node.kind) {
      case "lit":
        return node.cps.length === 0;
      case "class":
      case "any":
        return false;
      case "ref":
        return rules.has(node.name);
      case "seq":
        return node.items.every((i) => this.nullable(i, rules));
      case "alt":
        return node.items.some((i) => this.nullable(i, rules));
      case "rep":
        return node.min === 0 || this.nullable(node.item, rules);
    }
  }

  /**
   * llama.cpp refuses left recursion, and it expands x* into `x' ::= x x' | ""`, which is
   * left-recursive when x is nullable: both are errors here too.
   */
  private checkLeftRecursion(): void {
    const nullableRules = this.nullableRules();
    const leftRefs = (node: GNode, out: Set<string>): void => {
      switch (node.kind) {
        case "ref":
          out.add(node.name);
          return;
        case "seq":
          for (const item of node.items) {
            leftRefs(item, out);
            if (!this.nullable(item, nullableRules)) return;
          }
          return;
        case "alt":
          node.items.forEach((i) => leftRefs(i, out));
          return;
        case "rep":
          if (node.max === Infinity && this.nullable(node.item, nullableRules)) throw new Error("left recursion: unbounded repetition of a nullable expression");
          leftRefs(node.item, out);
          return;
        default:
          return;
      }
    };
    const edges = new Map<string, Set<string>>();
    for (const [name, node] of this.rules) {
      const out = new Set<string>();
      leftRefs(node, out);
      edges.set(name, out);
    }
    for (const start of this.rules.keys()) {
      const stack = [...edges.get(start)!];
      const seen = new Set<string>();
      while (stack.length > 0) {
        const r = stack.pop()!;
        if (r === start) throw new Error(`left recursion through rule ${start}`);
        if (seen.has(r)) continue;
        seen.add(r);
        stack.push(...edges.get(r)!);
      }
    }
  }

  private checkRefs(node: GNode): void {
    if (node.kind === "ref" && !this.rules.has(node.name)) throw new Error(`undefined rule ${node.name}`);
    if (node.kind === "alt" || node.kind === "seq") node.items.forEach((i) => this.checkRefs(i));
    if (node.kind === "rep") this.checkRefs(node.item);
  }

  /** Whether rule `root` matches exactly the code points `cps`. */
  matches(cps: readonly number[], root = "root"): boolean {
    const memo = new Map<string, Set<number>>();
    const inProgress = new Set<string>();
    const ends = (node: GNode, pos: number): Set<number> => {
      switch (node.kind) {
        case "lit": {
          for (let i = 0; i < node.cps.length; i++) if (cps[pos + i] !== node.cps[i]) return new Set();
          return new Set([pos + node.cps.length]);
        }
        case "class": {
          const c = cps[pos];
          if (c === undefined) return new Set();
          let inside = false;
          for (let i = 0; i < node.ranges.length; i += 2) if (c >= node.ranges[i]! && c <= node.ranges[i + 1]!) inside = true;
          return inside !== node.negated ? new Set([pos + 1]) : new Set();
        }
        case "any":
          return pos < cps.length ? new Set([pos + 1]) : new Set();
        case "ref": {
          const key = `${node.name}@${pos}`;
          const cached = memo.get(key);
          if (cached) return cached;
          if (inProgress.has(key)) throw new Error(`left recursion through ${node.name}`);
          inProgress.add(key);
          const result = ends(this.rules.get(node.name)!, pos);
          inProgress.delete(key);
          memo.set(key, result);
          return result;
        }
        case "seq": {
          let current = new Set([pos]);
          for (const item of node.items) {
            const next = new Set<number>();
            for (const p of current) for (const e of ends(item, p)) next.add(e);
            current = next;
            if (current.size === 0) break;
          }
          return current;
        }
        case "alt": {
          const out = new Set<number>();
          for (const item of node.items) for (const e of ends(item, pos)) out.add(e);
          return out;
        }
        case "rep": {
          const out = new Set<number>();
          let current = new Set([pos]);
          if (node.min === 0) out.add(pos);
          const seen = new Set<string>();
          for (let count = 1; count <= node.max && current.size > 0; count++) {
            const next = new Set<number>();
            for (const p of current) for (const e of ends(node.item, p)) next.add(e);
            current = next;
            if (count >= node.min) for (const e of current) out.add(e);
            // Past the minimum, a repeated frontier can only repeat: stop.
            const key = [...current].sort((a, b) => a - b).join(",");
            if (count >= node.min && seen.has(key)) break;
            if (count >= node.min) seen.add(key);
          }
          return out;
        }
      }
    };
    return ends({ kind: "ref", name: root }, 0).has(cps.length);
  }
}

class GParser {
  pos = 0;
  constructor(private readonly src: string) {}

  done(): boolean {
    return this.pos >= this.src.length;
  }

  skip(): void {
    while (this.src[this.pos] === " " || this.src[this.pos] === "\t") this.pos++;
  }

  alternates(): GNode {
    const items = [this.sequence()];
    this.skip();
    while (this.src[this.pos] === "|") {
      this.pos++;
      items.push(this.sequence());
      this.skip();
    }
    return items.length === 1 ? items[0]! : { kind: "alt", items };
  }

  private sequence(): GNode {
    const items: GNode[] = [];
    for (;;) {
      this.skip();
      const c = this.src[this.pos];
      if (c === undefined || c === "|" || c === ")") break;
      let atom = this.atom();
      for (;;) {
        const q = this.src[this.pos];
        if (q === "*") atom = { kind: "rep", item: atom, min: 0, max: Infinity };
        else if (q === "+") atom = { kind: "rep", item: atom, min: 1, max: Infinity };
        else if (q === "?") atom = { kind: "rep", item: atom, min: 0, max: 1 };
        else if (q === "{") {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
          if (m === null) throw new Error(`bad repetition at ${this.src.slice(this.pos)}`);
          const min = Number(m[1]);
          const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
          // llama.cpp: more than 2000 is refused (min) or silently unbounded (max).
          if (min > 2000 || (max !== Infinity && max > 2000)) throw new Error(`repetition count above llama.cpp's 2000 at ${m[0]}`);
          atom = { kind: "rep", item: atom, min, max };
          this.pos += m[0].length - 1;
        } else break;
        this.pos++;
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0]! : { kind: "seq", items };
  }

  private atom(): GNode {
    const c = this.src[this.pos]!;
    if (c === '"') {
      this.pos++;
      const cps: number[] = [];
      while (this.src[this.pos] !== '"') {
        if (this.done()) throw new Error("unterminated literal");
        cps.push(this.char());
      }
      this.pos++;
      return { kind: "lit", cps };
    }
    if (c === "[") {
      this.pos++;
      let negated = false;
      if (this.src[this.pos] === "^") {
        negated = true;
        this.pos++;
      }
      const ranges: number[] = [];
      while (this.src[this.pos] !== "]") {
        if (this.done()) throw new Error("unterminated class");
        const lo = this.char();
        let hi = lo;
        if (this.src[this.pos] === "-" && this.src[this.pos + 1] !== "]") {
          this.pos++;
          hi = this.char();
        }
        ranges.push(lo, hi);
      }
      this.pos++;
      return { kind: "class", ranges, negated };
    }
    if (c === "(") {
      this.pos++;
      const inner = this.alternates();
      if (this.src[this.pos] !== ")") throw new Error(`expected ) at ${this.src.slice(this.pos)}`);
      this.pos++;
      return inner;
    }
    if (c === ".") {
      this.pos++;
      return { kind: "any" };
    }
    const m = /^[a-zA-Z0-9-]+/.exec(this.src.slice(this.pos));
    if (m === null) throw new Error(`unexpected ${JSON.stringify(this.src.slice(this.pos, this.pos + 10))}`);
    this.pos += m[0].length;
    return { kind: "ref", name: m[0] };
  }

  /** One (possibly escaped) character, as llama.cpp's parse_char reads it. */
  private char(): number {
    if (this.src[this.pos] !== "\\") {
      const cp = this.src.codePointAt(this.pos)!;
      this.pos += cp > 0xffff ? 2 : 1;
      return cp;
    }
    const e = this.src[this.pos + 1];
    const simple: Record<string, number> = { t: 9, r: 13, n: 10, "\\": 92, '"': 34, "[": 91, "]": 93, "-": 45 };
    if (e !== undefined && e in simple) {
      this.pos += 2;
      return simple[e]!;
    }
    const width = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (width === 0) throw new Error(`unknown escape \\${e}`);
    const digits = this.src.slice(this.pos + 2, this.pos + 2 + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(digits)) throw new Error(`bad \\${e} escape`);
    this.pos += 2 + width;
    return parseInt(digits, 16);
  }
}

export function codePoints(text: string): number[] {
  return [...text].map((c) => c.codePointAt(0)!);
}
