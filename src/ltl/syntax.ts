import type { MatchResult, Node } from "ohm-js";
import type { BinaryKind, UnaryKind } from "./ast.js";
import { SpecError, locate } from "./errors.js";
import { specGrammar } from "./grammar.js";

/**
 * The parse tree of a spec, before names are resolved: the same shapes as the surface syntax,
 * each carrying the character offset where it starts, so later checks can point at the source.
 */
export type RawFormula =
  | { readonly t: "constant"; readonly value: "true" | "false" | "last"; readonly at: number }
  | { readonly t: "name"; readonly name: string; readonly at: number }
  | { readonly t: "call"; readonly name: string; readonly args: readonly RawFormula[]; readonly at: number }
  /** Prefix operators applied to an operand, outermost first (`X F a`: X, then F). */
  | { readonly t: "prefix"; readonly ops: readonly RawPrefix[]; readonly arg: RawFormula; readonly at: number }
  /**
   * Operands joined by binary operators of one precedence level: folded to the left
   * (`a & b & c` is `(a & b) & c`) or, for `->` and the temporal operators, to the right.
   */
  | { readonly t: "chain"; readonly items: readonly RawFormula[]; readonly ops: readonly BinaryKind[]; readonly right: boolean; readonly at: number }
  | { readonly t: "pattern"; readonly regex: RawRegex; readonly at: number }
  | { readonly t: "toolCall"; readonly tool: RawName; readonly field: RawFieldTest | undefined; readonly at: number };

export type RawPrefix =
  | { readonly t: "unary"; readonly kind: UnaryKind; readonly at: number }
  | { readonly t: "count"; readonly bound: "most" | "least" | "exactly"; readonly n: number; readonly at: number };

/** `path.to.field matching /re/` inside `call(tool, …)`. */
export interface RawFieldTest {
  readonly path: readonly string[];
  readonly source: string;
  /** Offset of the regular expression's opening slash. */
  readonly regexAt: number;
  readonly at: number;
}

export type RawRegex =
  | { readonly t: "seq"; readonly items: readonly RawRegex[]; readonly at: number }
  | { readonly t: "alt"; readonly options: readonly RawRegex[]; readonly at: number }
  | { readonly t: "repeat"; readonly item: RawRegex; readonly min: number; readonly max: number | undefined; readonly at: number }
  | { readonly t: "any"; readonly at: number }
  | { readonly t: "step"; readonly formula: RawFormula; readonly at: number }
  | { readonly t: "name"; readonly name: string; readonly at: number };

export interface RawName {
  readonly name: string;
  readonly at: number;
}

export type RawSegmentContent =
  | { readonly t: "text"; readonly until: RawString | undefined; readonly max: { readonly n: number; readonly at: number } | undefined; readonly at: number }
  | { readonly t: "choice"; readonly options: readonly RawString[]; readonly at: number }
  | { readonly t: "regex"; readonly source: string; readonly at: number }
  | { readonly t: "tools"; readonly at: number }
  | { readonly t: "args"; readonly of: RawName; readonly at: number };

/** A string literal after escapes are applied; `at` is the offset of its opening quote. */
export interface RawString {
  readonly value: string;
  readonly at: number;
}

export type RawStatement =
  | {
      readonly t: "segment";
      readonly event: RawName;
      readonly tag: RawString;
      readonly content: RawSegmentContent;
      readonly endString: RawString | undefined;
      readonly writer: { readonly who: "model" | "environment"; readonly at: number } | undefined;
      readonly start: number;
      readonly end: number;
    }
  | { readonly t: "declare"; readonly mode: "atoms" | "events"; readonly names: readonly RawName[]; readonly start: number; readonly end: number }
  | { readonly t: "define"; readonly name: RawName; readonly params: readonly RawName[] | undefined; readonly body: RawFormula; readonly start: number; readonly end: number }
  | { readonly t: "formula"; readonly body: RawFormula; readonly start: number; readonly end: number };

const UNARY_BY_SYMBOL: Record<string, UnaryKind> = {
  X: "next", WX: "weakNext", F: "eventually", G: "always", Y: "yesterday", WY: "weakYesterday", O: "once", H: "historically",
};
const BINARY_BY_SYMBOL: Record<string, BinaryKind> = {
  "<->": "iff", "->": "implies", "|": "or", "&": "and", U: "until", R: "release", W: "weakUntil", M: "strongRelease", S: "since",
};

/** Deeper parenthesis nesting than this is refused up front, with a location, instead of overflowing the stack. */
export const MAX_NESTING = 100;

/** Longer texts are refused up front: parsing them would take seconds and hundreds of megabytes. */
export const MAX_TOKENS = 20_000;

const at = (node: Node): number => node.source.startIdx;
/** A tool or field name, written bare (`transfer`) or quoted (`"send-email"`). */
const nameOf = (node: Node): string => {
  const inner = node.children[0]!;
  return inner.ctorName === "string" ? (inner.raw() as RawString).value : node.sourceString;
};

function buildSemantics() {
  const semantics = specGrammar().createSemantics();
  semantics.addOperation("raw", {
    Spec(entries) {
      return entries.children.map((e) => e.raw()).filter((s: RawStatement | undefined) => s !== undefined);
    },
    Entry(inner) {
      return inner.isTerminal() ? undefined : inner.raw();
    },
    Statement(inner) {
      const body = inner.raw();
      if (inner.ctorName === "Formula") return { t: "formula", body, start: inner.source.startIdx, end: inner.source.endIdx };
      return body;
    },
    Declaration(keyword, names) {
      return {
        t: "declare",
        mode: keyword.sourceString,
        names: names.asIteration().children.map((n) => ({ name: n.sourceString, at: at(n) })),
        start: this.source.startIdx,
        end: this.source.endIdx,
      };
    },
    SegmentDecl(_segment, event, tag, content, options) {
      let end: RawString | undefined;
      let writer: { who: "model" | "environment"; at: number } | undefined;
      for (const option of options.children) {
        const parsed = option.raw() as { t: "end"; value: RawString } | { t: "by"; who: "model" | "environment"; at: number };
        if (parsed.t === "end") {
          if (end !== undefined) throw new SegmentSyntaxError("'end' is given twice", at(option));
          end = parsed.value;
        } else {
          if (writer !== undefined) throw new SegmentSyntaxError("'by' is given twice", at(option));
          writer = { who: parsed.who, at: parsed.at };
        }
      }
      return {
        t: "segment",
        event: { name: event.sourceString, at: at(event) },
        tag: tag.raw(),
        content: content.raw(),
        endString: end,
        writer,
        start: this.source.startIdx,
        end: this.source.endIdx,
      };
    },
    SegmentContent_text(_text, limits) {
      let until: RawString | undefined;
      let max: { n: number; at: number } | undefined;
      for (const limit of limits.children) {
        const parsed = limit.raw() as { t: "until"; value: RawString } | { t: "max"; n: number; at: number };
        if (parsed.t === "until") {
          if (until !== undefined) throw new SegmentSyntaxError("'until' is given twice", at(limit));
          until = parsed.value;
        } else {
          if (max !== undefined) throw new SegmentSyntaxError("'max' is given twice", at(limit));
          max = { n: parsed.n, at: parsed.at };
        }
      }
      return { t: "text", until, max, at: at(this) };
    },
    SegmentContent_choice(_one, _of, list) {
      return { t: "choice", options: list.asIteration().children.map((s) => s.raw()), at: at(this) };
    },
    SegmentContent_tools(_one, _of, _tools) {
      return { t: "tools", at: at(this) };
    },
    SegmentContent_args(_json, _args, _open, event, _close) {
      return { t: "args", of: { name: event.sourceString, at: at(event) }, at: at(this) };
    },
    SegmentContent_regex(_matching, literal) {
      return { t: "regex", source: literal.sourceString.slice(1, -1), at: at(literal) };
    },
    TextLimit_until(_until, value) {
      return { t: "until", value: value.raw() };
    },
    TextLimit_max(_max, n) {
      return { t: "max", n: Number(n.sourceString), at: at(n) };
    },
    SegmentOption_end(_end, value) {
      return { t: "end", value: value.raw() };
    },
    SegmentOption_by(_by, who) {
      return { t: "by", who: who.sourceString, at: at(who) };
    },
    string(_open, chars, _close) {
      return { value: unescapeString(chars.sourceString, at(this) + 1), at: at(this) };
    },
    Definition(_define, name, params, _eq, body) {
      const paramNode = params.children[0];
      return {
        t: "define",
        name: { name: name.sourceString, at: at(name) },
        params: paramNode === undefined ? undefined : paramNode.raw(),
        body: body.raw(),
        start: this.source.startIdx,
        end: this.source.endIdx,
      };
    },
    Params(_open, list, _close) {
      return list.asIteration().children.map((n) => ({ name: n.sourceString, at: at(n) }));
    },
    FormulaOnly(f) {
      return f.raw();
    },
    Formula(first, operators, rest) {
      const items: RawFormula[] = [first.raw(), ...rest.children.map((c) => c.raw() as RawFormula)];
      return buildChain(items, operators.children.map((o) => BINARY_BY_SYMBOL[o.sourceString]!), 0, items.length - 1);
    },
    Operand(prefixes, primary) {
      const arg: RawFormula = primary.raw();
      if (prefixes.children.length === 0) return arg;
      return { t: "prefix", ops: prefixes.children.map((p) => p.raw()), arg, at: at(this) };
    },
    Prefix_not(_bang) {
      return { t: "unary", kind: "not", at: at(this) };
    },
    Prefix_temporal(op) {
      return { t: "unary", kind: UNARY_BY_SYMBOL[op.sourceString], at: at(this) };
    },
    Prefix_count(_at, word, n) {
      return { t: "count", bound: word.sourceString, n: Number(n.sourceString), at: at(this) };
    },
    Prefix_exactly(_exactly, n) {
      return { t: "count", bound: "exactly", n: Number(n.sourceString), at: at(this) };
    },
    Primary_paren(_open, f, _close) {
      return f.raw();
    },
    Primary_true(_kw) {
      return { t: "constant", value: "true", at: at(this) };
    },
    Primary_false(_kw) {
      return { t: "constant", value: "false", at: at(this) };
    },
    Primary_last(_kw) {
      return { t: "constant", value: "last", at: at(this) };
    },
    Primary_pattern(_kw, _open, regex, _close) {
      return { t: "pattern", regex: regex.raw(), at: at(this) };
    },
    Primary_toolCall(_call, _open, tool, _comma, field, _close) {
      const test = field.children[0];
      return { t: "toolCall", tool: { name: nameOf(tool), at: at(tool) }, field: test === undefined ? undefined : test.raw(), at: at(this) };
    },
    FieldTest(path, _matching, literal) {
      return {
        path: path.asIteration().children.map(nameOf),
        source: literal.sourceString.slice(1, -1),
        regexAt: at(literal),
        at: at(this),
      };
    },
    Primary_call(head, args, _close) {
      return { t: "call", name: head.sourceString.slice(0, -1), args: args.asIteration().children.map((a) => a.raw()), at: at(this) };
    },
    Primary_name(name) {
      return { t: "name", name: name.sourceString, at: at(this) };
    },
    Regex_alt(left, _bar, right) {
      const l: RawRegex = left.raw();
      const options = l.t === "alt" ? [...l.options, right.raw()] : [l, right.raw()];
      return { t: "alt", options, at: at(this) };
    },
    RegexSeq(items) {
      return { t: "seq", items: items.children.map((i) => i.raw()), at: at(this) };
    },
    RegexItem(atom, quantifier) {
      const item: RawRegex = atom.raw();
      const q = quantifier.children[0];
      if (q === undefined) return item;
      const [min, max] = q.bounds() as [number, number | undefined];
      return { t: "repeat", item, min, max, at: at(this) };
    },
    RegexAtom_group(_open, regex, _close) {
      return regex.raw();
    },
    RegexAtom_any(_dot) {
      return { t: "any", at: at(this) };
    },
    RegexAtom_step(_open, f, _close) {
      return { t: "step", formula: f.raw(), at: at(this) };
    },
    RegexAtom_name(name) {
      return { t: "name", name: name.sourceString, at: at(this) };
    },
    _iter(...children) {
      return children.map((c) => c.raw());
    },
  });
  semantics.addOperation("bounds", {
    quantifier(q) {
      const text = q.sourceString;
      if (text === "*") return [0, undefined];
      if (text === "+") return [1, undefined];
      if (text === "?") return [0, 1];
      const atMost = /^\{\s*(?:<=|≤)\s*(\d+)\s*\}$/.exec(text);
      if (atMost !== null) return [0, Number(atMost[1])];
      const [, lower, comma, upper] = /^\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}$/.exec(text)!;
      const min = lower === "" ? 0 : Number(lower);
      if (comma === "") return [min, min];
      return [min, upper === "" ? undefined : Number(upper)];
    },
  });
  return semantics;
}

const PRECEDENCE: Record<BinaryKind, number> = { iff: 1, implies: 2, or: 3, and: 4, until: 5, release: 5, weakUntil: 5, strongRelease: 5, since: 5 };

/**
 * Applies precedence to a flat run of operands and operators: the loosest operators present split
 * the run into parts, each built the same way one level tighter. Recursion is bounded by the five
 * precedence levels, not by the length of the run.
 */
function buildChain(items: readonly RawFormula[], ops: readonly BinaryKind[], lo: number, hi: number): RawFormula {
  if (lo === hi) return items[lo]!;
  let level = Infinity;
  for (let j = lo; j < hi; j++) level = Math.min(level, PRECEDENCE[ops[j]!]);
  const parts: RawFormula[] = [];
  const joins: BinaryKind[] = [];
  let start = lo;
  for (let j = lo; j < hi; j++) {
    if (PRECEDENCE[ops[j]!] !== level) continue;
    parts.push(buildChain(items, ops, start, j));
    joins.push(ops[j]!);
    start = j + 1;
  }
  parts.push(buildChain(items, ops, start, hi));
  return { t: "chain", items: parts, ops: joins, right: level === 2 || level === 5, at: items[lo]!.at };
}

/** Thrown inside the semantic actions and turned into a located `SpecError` by `rawOf`. */
class SegmentSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", '"': '"', "\\": "\\", "/": "/" };

/** Applies JSON-style escapes (plus `\u{…}` and `\0`); `offset` is where the characters start, for errors. */
function unescapeString(raw: string, offset: number): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = raw[i + 1] ?? "";
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    if (next === "u") {
      const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(raw.slice(i + 2));
      const plain = /^[0-9a-fA-F]{4}/.exec(raw.slice(i + 2));
      const hex = braced?.[1] ?? plain?.[0];
      const code = hex === undefined ? NaN : parseInt(hex, 16);
      if (hex === undefined || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        throw new SegmentSyntaxError("expected a Unicode escape: \\uXXXX or \\u{X…} naming a character", offset + i);
      }
      out += String.fromCodePoint(code);
      i += 1 + (braced !== null && braced !== undefined ? braced[0].length : 4);
      continue;
    }
    throw new SegmentSyntaxError(`unknown escape '\\${next}' (known: \\n \\t \\r \\0 \\" \\\\ \\uXXXX \\u{…})`, offset + i);
  }
  return out;
}

let semantics: ReturnType<typeof buildSemantics> | undefined;

function parseWith(rule: "Spec" | "FormulaOnly", text: string, file: string): MatchResult {
  checkSize(text, file);
  let match: MatchResult;
  try {
    match = specGrammar().match(text, rule);
  } catch (error) {
    if (error instanceof RangeError) throw new SpecError("syntax", "the input is nested too deeply to parse", locate(text, 0, file));
    throw error;
  }
  if (match.failed()) {
    const offset = match.getRightmostFailurePosition();
    throw new SpecError("syntax", `expected ${match.getExpectedText()}`, locate(text, offset, file));
  }
  return match;
}

/** Parses spec text into raw statements (syntax only: names are not resolved yet). */
export function parseRawSpec(text: string, file: string): RawStatement[] {
  const statements = rawOf(parseWith("Spec", text, file), text, file) as RawStatement[];
  requireSeparators(statements, text, file);
  return statements;
}

/** Parses one formula (the whole text must be a formula). */
export function parseRawFormula(text: string, file: string): RawFormula {
  return rawOf(parseWith("FormulaOnly", text, file), text, file) as RawFormula;
}

/** The semantic actions recurse once per nesting level of the parse tree too (a left-nested `a & a & …` included), so they can overflow where the match did not. */
function rawOf(match: MatchResult, text: string, file: string): unknown {
  semantics ??= buildSemantics();
  try {
    return semantics(match).raw();
  } catch (error) {
    if (error instanceof RangeError) throw new SpecError("syntax", "the input is nested too deeply to parse", locate(text, 0, file));
    if (error instanceof SegmentSyntaxError) throw new SpecError("syntax", error.message, locate(text, error.at, file));
    throw error;
  }
}

/** Two statements on one line must be separated by `;`, so that a missing operator is not silently read as a conjunction. */
function requireSeparators(statements: readonly RawStatement[], text: string, file: string): void {
  for (let i = 1; i < statements.length; i++) {
    const between = text.slice(statements[i - 1]!.end, statements[i]!.start);
    if (!/[\n;]/.test(between)) {
      throw new SpecError(
        "syntax",
        "expected an operator, or a newline or ';' between two statements",
        locate(text, statements[i]!.start, file),
      );
    }
  }
}

/**
 * Refuses, before the parser sees it, a text the parser would take too long or too much memory on:
 * more than MAX_TOKENS tokens (the parser costs tens of microseconds and a few kilobytes per
 * character), or parentheses and brackets nested deeper than MAX_NESTING (its recursion).
 * Tokens are counted roughly: a name or number is one, a string is one, any other character one.
 */
function checkSize(text: string, file: string): void {
  let depth = 0;
  let tokens = 0;
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === "#" || (ch === "/" && text[i + 1] === "/")) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"' && text[i] !== "\n"; i++) if (text[i] === "\\") i++;
      i++;
    } else if (/[A-Za-z0-9_]/.test(ch)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
    } else {
      if (ch === "(" || ch === "[") {
        depth++;
        if (depth > MAX_NESTING) {
          throw new SpecError("syntax", `parentheses nested deeper than ${MAX_NESTING} levels`, locate(text, i, file));
        }
      } else if (ch === ")" || ch === "]") depth = Math.max(0, depth - 1);
      i++;
    }
    if (++tokens > MAX_TOKENS) {
      throw new SpecError(
        "unsupported",
        `the text has more than ${MAX_TOKENS.toLocaleString("en-US")} tokens (names, numbers, operators); split it into smaller specs or use macros`,
        locate(text, start, file),
      );
    }
  }
}
