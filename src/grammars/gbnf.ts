/**
 * GBNF export (llama.cpp's grammar format) of content constraints.
 *
 * GBNF matches code points, not bytes; each function here returns a GBNF *expression* whose
 * language, as UTF-8, is exactly the language of the corresponding ByteDfa (regexDfa,
 * freeTextDfa, choiceDfa, literalDfa). Expressions may reference helper rules, which they add to
 * a GbnfBuilder; the caller writes the grammar from the builder.
 *
 * ## API
 *
 *     const g = new GbnfBuilder();                  // "root" is reserved for the caller
 *     const thought = freeTextToGbnf({ terminator: "\n\n", maxBytes: 200 }, g, "thought");
 *     const tool = choiceToGbnf(["search", "lookup"]);
 *     const arg = regexToGbnf("[a-z]+( [a-z]+)*", g, "arg");
 *     const text = g.grammar(`"Thought: " ${thought} "Action: " ${tool} "\n" ${arg} "\n"`);
 *
 * - `new GbnfBuilder({ reserved? })`: collects named rules. Names follow llama.cpp's rule-name
 *   syntax `[a-zA-Z0-9-]+`; "root" (and any name in `reserved`) is never handed out.
 * - `builder.name(hint)`: a fresh rule name derived from `hint` (sanitized, suffixed -2, -3, …
 *   when taken). Use it for rules that refer to themselves; define them later with `define`.
 * - `builder.define(name, expression)`: defines a rule under a name from `name()` (or any name the
 *   builder has not seen, e.g. your own "root").
 * - `builder.rule(hint, expression)`: name + define in one step; an expression defined before is
 *   not defined twice: its existing name is returned.
 * - `builder.rules`: the rules in definition order; `builder.toString()`: one `name ::= expr` line
 *   each.
 * - `builder.grammar(rootExpression, rootName = "root")`: a whole grammar, `root ::= …` first.
 *
 * Expression functions (all return a string usable inside a sequence; alternations come
 * parenthesized):
 * - `literalToGbnf(text)`, `choiceToGbnf(options)`: plain strings; no builder needed.
 * - `regexToGbnf(source, builder?, hint?)`: a translation of the regex tree; it needs the builder
 *   only for repetitions that llama.cpp cannot take inline (counts above 1000, or groups repeated
 *   many times), and throws if those occur without one.
 * - `freeTextToGbnf({ terminator, maxBytes }, builder, hint?, options?)`: without a bound and with
 *   a one-character terminator, `[^t]* "t"`; otherwise rules derived from freeTextDfa, one per
 *   state at a character boundary, which count content in bytes exactly as the DFA does.
 *   `options.count: "codePoints"` gives the compact `[^t]{0,N} "t"` for a one-character
 *   terminator instead, which bounds code points, not bytes (looser than the DFA for non-ASCII
 *   text).
 * - `dfaToGbnf(dfa, builder, hint)`: rules derived from any ByteDfa (its words that are valid
 *   UTF-8).
 * - Building blocks: `gbnfLiteral`, `gbnfCharClass`, `GBNF_NEVER` (matches nothing).
 *
 * Syntax notes (llama.cpp grammars/README and parser): escapes \n \r \t \\ \" \[ \] \- \xHH
 * \uHHHH \UHHHHHHHH; everything outside printable ASCII is escaped here, so grammars are ASCII.
 * llama.cpp expands `x{m,n}` into rules and refuses more than 2000 (a larger upper bound silently
 * becomes unbounded), so counts above 1000 are split into helper rules.
 */
import type { ByteDfa } from "./byte-dfa.js";
import {
  MAX_CODE_POINT,
  SURROGATE_MAX,
  SURROGATE_MIN,
  cpComplement,
  cpSet,
  cpUnion,
  type CodePointSet,
} from "./codepoints.js";
import { freeTextDfa, type FreeTextOptions } from "./constructions.js";
import { parseRegex, type RegexNode } from "./regex-parser.js";
import { encodeUtf8 } from "./utf8.js";

export interface GbnfRule {
  readonly name: string;
  readonly expression: string;
}

/** An expression that matches nothing (a class excluding every code point). */
export const GBNF_NEVER = "[^\\x00-\\U0010FFFF]";

/** Collects the named helper rules of GBNF expressions. See the file comment for the API. */
export class GbnfBuilder {
  private readonly taken = new Set<string>();
  private readonly defined: GbnfRule[] = [];
  private readonly definedNames = new Set<string>();
  private readonly byExpression = new Map<string, string>();

  constructor(options: { readonly reserved?: readonly string[] } = {}) {
    this.taken.add("root");
    for (const name of options.reserved ?? []) this.taken.add(name);
  }

  /** A fresh rule name derived from `hint`. */
  name(hint: string): string {
    const base = hint.replace(/[^a-zA-Z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "rule";
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}-${i}`;
    this.taken.add(name);
    return name;
  }

  /** Defines the rule `name ::= expression` (each name at most once). */
  define(name: string, expression: string): void {
    if (!/^[a-zA-Z0-9-]+$/.test(name)) throw new RangeError(`invalid GBNF rule name ${JSON.stringify(name)}`);
    if (this.definedNames.has(name)) throw new RangeError(`GBNF rule ${name} is already defined`);
    this.taken.add(name);
    this.definedNames.add(name);
    this.defined.push({ name, expression });
    if (!this.byExpression.has(expression)) this.byExpression.set(expression, name);
  }

  /** A rule for `expression` under a fresh name from `hint`, or the name it already has. */
  rule(hint: string, expression: string): string {
    const existing = this.byExpression.get(expression);
    if (existing !== undefined) return existing;
    const name = this.name(hint);
    this.define(name, expression);
    return name;
  }

  has(name: string): boolean {
    return this.definedNames.has(name);
  }

  get rules(): readonly GbnfRule[] {
    return this.defined;
  }

  toString(): string {
    return this.defined.map((r) => `${r.name} ::= ${r.expression}\n`).join("");
  }

  /** A complete grammar: `rootName ::= rootExpression`, then the helper rules. */
  grammar(rootExpression: string, rootName = "root"): string {
    return `${rootName} ::= ${rootExpression}\n${this.toString()}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Terminals

function hex(cp: number, width: number): string {
  return cp.toString(16).toUpperCase().padStart(width, "0");
}

function escapeCodePoint(cp: number, inClass: boolean): string {
  switch (cp) {
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x5c:
      return "\\\\";
    case 0x22:
      return inClass ? '"' : '\\"';
  }
  if (inClass) {
    if (cp === 0x5b) return "\\[";
    if (cp === 0x5d) return "\\]";
    if (cp === 0x2d) return "\\-";
    if (cp === 0x5e) return "\\x5E";
  }
  if (cp >= 0x20 && cp < 0x7f) return String.fromCodePoint(cp);
  if (cp <= 0xff) return `\\x${hex(cp, 2)}`;
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** A GBNF string literal for `text` (`""` for the empty string). */
export function gbnfLiteral(text: string): string {
  encodeUtf8(text, "literal");
  let out = '"';
  for (const ch of text) out += escapeCodePoint(ch.codePointAt(0)!, false);
  return `${out}"`;
}

function classBody(set: CodePointSet): string {
  let out = "";
  for (let i = 0; i < set.length; i += 2) {
    const lo = set[i]!;
    const hi = set[i + 1]!;
    out += escapeCodePoint(lo, true);
    if (hi > lo) out += `${hi > lo + 1 ? "-" : ""}${escapeCodePoint(hi, true)}`;
  }
  return out;
}

/**
 * A GBNF terminal for one code point of `set` (a set of scalar values): a literal for a single
 * code point, `.` for all of them, otherwise `[…]` or `[^…]`, whichever is shorter (surrogates
 * never occur in text, so they may be counted on either side).
 */
export function gbnfCharClass(set: CodePointSet): string {
  if (set.length === 0) return GBNF_NEVER;
  if (set.length === 2 && set[0] === set[1]) return gbnfLiteral(String.fromCodePoint(set[0]!));
  const withSurrogates = cpUnion(set, cpSet(SURROGATE_MIN, SURROGATE_MAX));
  const complement = cpComplement(withSurrogates);
  if (complement.length === 0) return ".";
  const positive = `[${classBody(set)}]`;
  const negative = `[^${classBody(complement)}]`;
  return negative.length < positive.length ? negative : positive;
}

// ---------------------------------------------------------------------------------------------
// Expressions with precedence

/**
 * An expression under construction. `kind` says how it binds: an atom can take a quantifier, a
 * sequence can sit in a sequence, an alternation needs parentheses anywhere but at top level.
 * `rules` counts the rules llama.cpp generates when it parses the expression inline (groups and
 * repetitions), which bounds what a repetition of it may multiply.
 */
interface Expr {
  readonly text: string;
  readonly kind: "atom" | "seq" | "alt";
  readonly rules: number;
  /** A single-code-point terminal or a rule reference: quantifiers apply to it without grouping. */
  readonly simple: boolean;
}

const EMPTY: Expr = { text: '""', kind: "atom", rules: 0, simple: false };
const NEVER: Expr = { text: GBNF_NEVER, kind: "atom", rules: 0, simple: true };

function terminal(text: string, simple: boolean): Expr {
  return { text, kind: "atom", rules: 0, simple };
}

function ref(name: string): Expr {
  return { text: name, kind: "atom", rules: 0, simple: true };
}

function seq(items: Expr[]): Expr {
  const parts = items.filter((e) => e.text !== '""');
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0]!;
  return {
    text: parts.map((e) => (e.kind === "alt" ? `(${e.text})` : e.text)).join(" "),
    kind: "seq",
    rules: parts.reduce((n, e) => n + e.rules + (e.kind === "alt" ? 1 : 0), 0),
    simple: false,
  };
}

function alt(items: Expr[]): Expr {
  const unique: Expr[] = [];
  const seen = new Set<string>();
  for (const e of items) {
    if (e.text === GBNF_NEVER || seen.has(e.text)) continue;
    seen.add(e.text);
    unique.push(e);
  }
  if (unique.length === 0) return NEVER;
  if (unique.length === 1) return unique[0]!;
  return { text: unique.map((e) => e.text).join(" | "), kind: "alt", rules: unique.reduce((n, e) => n + e.rules, 0), simple: false };
}

/** llama.cpp refuses repetitions that generate more than 2000 rules; stay well below. */
const INLINE_REPEAT_LIMIT = 1000;

/** Emits repetitions of expressions, using helper rules where llama.cpp needs them. */
class Repeater {
  constructor(
    private readonly builder: GbnfBuilder | undefined,
    private readonly hint: string,
  ) {}

  private needBuilder(): GbnfBuilder {
    if (this.builder === undefined) {
      throw new RangeError("this GBNF expression needs helper rules (a repetition llama.cpp cannot expand inline): pass a GbnfBuilder");
    }
    return this.builder;
  }

  /**
   * `e` as something a quantifier can follow, and the rules llama.cpp generates parsing it
   * inline (a group generates one, plus those inside; a terminal or reference none). Repeating
   * multiplies max(1, that) by the count, which llama.cpp caps at 2000.
   */
  private operand(e: Expr, factor: number): { text: string; inlineRules: number } {
    if (e.simple) return { text: e.text, inlineRules: 0 };
    const grouped = 1 + e.rules;
    if (this.builder === undefined && grouped * factor <= 2000) return { text: `(${e.text})`, inlineRules: grouped };
    return { text: this.needBuilder().rule(this.hint, e.text), inlineRules: 0 };
  }

  private quantified(e: Expr, min: number, max: number): Expr {
    if (max === 0) return EMPTY;
    if (min === 1 && max === 1) return e;
    const factor = max !== Infinity ? max : Math.max(1, min);
    const { text, inlineRules } = this.operand(e, factor);
    const q =
      min === 0 && max === 1 ? "?" : min === 0 && max === Infinity ? "*" : min === 1 && max === Infinity ? "+" : max === Infinity ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
    return { text: `${text}${q}`, kind: "atom", rules: inlineRules + (max === Infinity ? 1 : max - min), simple: false };
  }

  /** e{min,max} (max may be Infinity). */
  repeat(e: Expr, min: number, max: number): Expr {
    if (e.text === '""') return EMPTY;
    if (e.text === GBNF_NEVER) return min === 0 ? EMPTY : NEVER;
    if (min <= INLINE_REPEAT_LIMIT && (max === Infinity || max <= INLINE_REPEAT_LIMIT)) return this.quantified(e, min, max);
    if (max === Infinity) return seq([this.exactly(e, min), this.quantified(e, 0, Infinity)]);
    return seq([this.exactly(e, min), this.upTo(e, max - min)]);
  }

  /** Exactly m copies. */
  private exactly(e: Expr, m: number): Expr {
    if (m <= INLINE_REPEAT_LIMIT) return this.quantified(e, m, m);
    const chunk = ref(this.needBuilder().rule(this.hint, this.quantified(e, INLINE_REPEAT_LIMIT, INLINE_REPEAT_LIMIT).text));
    return seq([this.exactly(chunk, Math.floor(m / INLINE_REPEAT_LIMIT)), this.quantified(e, m % INLINE_REPEAT_LIMIT, m % INLINE_REPEAT_LIMIT)]);
  }

  /** Between 0 and k copies. */
  private upTo(e: Expr, k: number): Expr {
    if (k <= INLINE_REPEAT_LIMIT) return this.quantified(e, 0, k);
    // c = 1000·a + b copies: either a = q and b ≤ r, or a < q and b < 1000.
    const q = Math.floor(k / INLINE_REPEAT_LIMIT);
    const r = k % INLINE_REPEAT_LIMIT;
    const chunk = ref(this.needBuilder().rule(this.hint, this.quantified(e, INLINE_REPEAT_LIMIT, INLINE_REPEAT_LIMIT).text));
    return alt([
      seq([this.exactly(chunk, q), this.quantified(e, 0, r)]),
      seq([this.upTo(chunk, q - 1), this.quantified(e, 0, INLINE_REPEAT_LIMIT - 1)]),
    ]);
  }
}

function toTopLevel(e: Expr): string {
  return e.kind === "alt" ? `(${e.text})` : e.text;
}

// ---------------------------------------------------------------------------------------------
// Content constraints

/** The GBNF expression of exactly `text`. */
export function literalToGbnf(text: string): string {
  return gbnfLiteral(text);
}

/** The GBNF expression of exactly one of `options` (parenthesized when there are several). */
export function choiceToGbnf(options: readonly string[]): string {
  return toTopLevel(alt([...new Set(options)].map((o) => (o === "" ? EMPTY : terminal(gbnfLiteral(o), [...o].length === 1)))));
}

/** The GBNF expression of a regular expression (see regexDfa for the syntax). */
export function regexToGbnf(source: string, builder?: GbnfBuilder, hint = "re"): string {
  const repeater = new Repeater(builder, hint);
  const translate = (node: RegexNode): Expr => {
    switch (node.kind) {
      case "set":
        return terminal(gbnfCharClass(node.set), true);
      case "concat": {
        // Runs of single code points become one string literal.
        const parts: Expr[] = [];
        let run = "";
        const flush = (): void => {
          if (run.length > 0) parts.push(terminal(gbnfLiteral(run), [...run].length === 1));
          run = "";
        };
        for (const item of node.items) {
          if (item.kind === "set" && item.set.length === 2 && item.set[0] === item.set[1]) {
            run += String.fromCodePoint(item.set[0]!);
          } else {
            flush();
            parts.push(translate(item));
          }
        }
        flush();
        if (parts.some((p) => p.text === GBNF_NEVER)) return NEVER;
        return seq(parts);
      }
      case "alt":
        return alt(node.items.map(translate));
      case "repeat":
        // llama.cpp rewrites x* as `x' ::= x x' | ""`, which it rejects as left-recursive when x
        // matches the empty string; for a nullable x, x{n,} is the same as (x without ε)*.
        if (node.max === Infinity && nullable(node.item)) return repeater.repeat(translate(withoutEmpty(node.item)), 0, Infinity);
        return repeater.repeat(translate(node.item), node.min, node.max);
    }
  };
  return toTopLevel(translate(parseRegex(source)));
}

/** Whether the tree matches the empty string. */
function nullable(node: RegexNode): boolean {
  switch (node.kind) {
    case "set":
      return false;
    case "concat":
      return node.items.every(nullable);
    case "alt":
      return node.items.some(nullable);
    case "repeat":
      return node.min === 0 || nullable(node.item);
  }
}

const NOTHING: RegexNode = { kind: "set", set: [] };

/** A tree for the same language without the empty string. */
function withoutEmpty(node: RegexNode): RegexNode {
  if (!nullable(node)) return node;
  switch (node.kind) {
    case "set":
      return node;
    case "alt":
      return { kind: "alt", items: node.items.map(withoutEmpty) };
    case "concat":
      // All items are nullable; a non-empty word has a first non-empty part:
      // (A1 A2 … Ak)∖ε = ∪ᵢ (Aᵢ∖ε) Aᵢ₊₁ … Ak.
      if (node.items.length === 0) return NOTHING;
      return { kind: "alt", items: node.items.map((item, i) => ({ kind: "concat", items: [withoutEmpty(item), ...node.items.slice(i + 1)] })) };
    case "repeat":
      // x{m,n} with x nullable or m = 0: the non-empty words are those of (x∖ε){1,n}.
      return node.max === 0 ? NOTHING : { kind: "repeat", item: withoutEmpty(node.item), min: 1, max: node.max };
  }
}

export interface FreeTextGbnfOptions {
  /**
   * "bytes" (default): `maxBytes` bounds the content's UTF-8 bytes, exactly like freeTextDfa.
   * "codePoints": with a one-character terminator, the compact `[^t]{0,N} "t"`, which bounds
   * code points instead (so up to 4·N bytes).
   */
  readonly count?: "bytes" | "codePoints";
}

/** The GBNF expression of free text closed by a terminator (see freeTextDfa). */
export function freeTextToGbnf(text: FreeTextOptions, builder: GbnfBuilder, hint = "text", options: FreeTextGbnfOptions = {}): string {
  const { terminator, maxBytes } = text;
  const codePoints = [...terminator];
  if (codePoints.length === 1 && (maxBytes === undefined || options.count === "codePoints")) {
    encodeUtf8(terminator, "terminator");
    const cp = terminator.codePointAt(0)!;
    const content = terminal(gbnfCharClass(cpComplement(cpSet(cp, cp))), true);
    const repeated = new Repeater(builder, hint).repeat(content, 0, maxBytes ?? Infinity);
    return toTopLevel(seq([repeated, terminal(gbnfLiteral(terminator), true)]));
  }
  return dfaToGbnf(freeTextDfa(text), builder, hint);
}

// ---------------------------------------------------------------------------------------------
// From a byte DFA

/** Flat, sorted, merged intervals. */
function mergeIntervals(list: number[]): number[] {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < list.length; i += 2) pairs.push([list[i]!, list[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

/** Code-point transitions of a byte DFA from states at character boundaries. */
class CodePointView {
  private readonly memo = new Map<string, Map<number, number[]>>();

  constructor(private readonly dfa: ByteDfa) {}

  /** The states reached by r continuation bytes from `state`, with the values those bytes encode. */
  private suffixes(state: number, r: number): Map<number, number[]> {
    const key = `${state},${r}`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    const out = new Map<number, number[]>();
    const scale = 64 ** (r - 1);
    for (let b = 0x80; b <= 0xbf; b++) {
      const t = this.dfa.transitions[state * 256 + b]!;
      if (t < 0) continue;
      const v = (b - 0x80) * scale;
      const add = (target: number, lo: number, hi: number): void => {
        const list = out.get(target);
        if (list) list.push(lo, hi);
        else out.set(target, [lo, hi]);
      };
      if (r === 1) add(t, v, v);
      else for (const [target, list] of this.suffixes(t, r - 1)) for (let i = 0; i < list.length; i += 2) add(target, v + list[i]!, v + list[i + 1]!);
    }
    for (const [target, list] of out) out.set(target, mergeIntervals(list));
    this.memo.set(key, out);
    return out;
  }

  /** target → set of code points leading there from `state` (only valid UTF-8 counted). */
  transitions(state: number): Map<number, CodePointSet> {
    const out = new Map<number, number[]>();
    const add = (target: number, lo: number, hi: number): void => {
      if (lo > hi) return;
      const list = out.get(target);
      if (list) list.push(lo, hi);
      else out.set(target, [lo, hi]);
    };
    for (let b = 0; b < 0xf8; b++) {
      const t = this.dfa.transitions[state * 256 + b]!;
      if (t < 0 || (b >= 0x80 && b < 0xc0)) continue;
      if (b < 0x80) {
        add(t, b, b);
        continue;
      }
      const length = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
      const base = (b & (b < 0xe0 ? 0x1f : b < 0xf0 ? 0x0f : 0x07)) * 64 ** (length - 1);
      const [min, max] = length === 2 ? [0x80, 0x7ff] : length === 3 ? [0x800, 0xffff] : [0x10000, MAX_CODE_POINT];
      for (const [target, list] of this.suffixes(t, length - 1)) {
        for (let i = 0; i < list.length; i += 2) {
          const lo = Math.max(min, base + list[i]!);
          const hi = Math.min(max, base + list[i + 1]!);
          if (length === 3 && lo <= SURROGATE_MAX && hi >= SURROGATE_MIN) {
            add(target, lo, SURROGATE_MIN - 1);
            add(target, SURROGATE_MAX + 1, hi);
          } else {
            add(target, lo, hi);
          }
        }
      }
    }
    const sets = new Map<number, CodePointSet>();
    for (const [target, list] of out) sets.set(target, mergeIntervals(list));
    return sets;
  }
}

/**
 * GBNF rules for the valid-UTF-8 words of a byte DFA: one rule per state reached at a character
 * boundary, with an alternative per successor state (a character class, then the successor's
 * rule) and `""` where the state accepts. Returns the expression for the initial state.
 */
export function dfaToGbnf(dfa: ByteDfa, builder: GbnfBuilder, hint = "dfa"): string {
  const view = new CodePointView(dfa);
  const edges = new Map<number, Map<number, CodePointSet>>();
  const order = [dfa.initial];
  const seen = new Set(order);
  for (let i = 0; i < order.length; i++) {
    const s = order[i]!;
    const out = view.transitions(s);
    edges.set(s, out);
    for (const t of out.keys()) {
      if (!seen.has(t)) {
        seen.add(t);
        order.push(t);
      }
    }
  }
  // States that can only end: referring to them is the same as stopping.
  const isEnd = (s: number): boolean => edges.get(s)!.size === 0 && dfa.accepting[s] === 1;
  const isDead = (s: number): boolean => edges.get(s)!.size === 0 && dfa.accepting[s] !== 1;
  if (isEnd(dfa.initial)) return '""';
  if (isDead(dfa.initial)) return GBNF_NEVER;
  const names = new Map<number, string>();
  for (const s of order) if (!isEnd(s) && !isDead(s)) names.set(s, builder.name(`${hint}-${names.size}`));
  for (const s of order) {
    const name = names.get(s);
    if (name === undefined) continue;
    const alternatives: string[] = [];
    for (const [t, set] of edges.get(s)!) {
      if (isDead(t)) continue;
      const cls = gbnfCharClass(set);
      alternatives.push(isEnd(t) ? cls : `${cls} ${names.get(t)!}`);
    }
    if (dfa.accepting[s] === 1) alternatives.push('""');
    builder.define(name, alternatives.join(" | "));
  }
  return names.get(dfa.initial)!;
}
