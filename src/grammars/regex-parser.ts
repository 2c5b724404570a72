/**
 * A parser for the subset of JavaScript regular expressions (as with the `u` flag) that makes
 * sense for whole-text matching, into a tree over code-point sets.
 *
 * Supported: literals; escapes \n \r \t \f \v \0 \cX \xHH \uHHHH (surrogate pairs joined)
 * \u{H…}, and `\` before a syntax character ^ $ \ . * + ? ( ) [ ] { } | or /; `.` (any code point
 * but \n); classes [...] and [^...] with ranges and escapes (\b is backspace there, \- a dash);
 * \d \w \s \D \W \S; groups ( ), (?: ), (?<name> ); alternation |; quantifiers * + ? {n} {n,}
 * {n,m}; ^ as the very first and $ as the very last character (ignored: the match is always the
 * whole text).
 *
 * Everything else is a RegexSyntaxError with the offset of the offending character: backreferences,
 * lookaround, word boundaries, lazy quantifiers, inline flags, \p{…}, anchors elsewhere, escapes
 * the `u` flag rejects, lone surrogates (UTF-8 cannot encode them).
 */
import {
  DIGIT,
  DOT,
  SPACE,
  WORD,
  cpScalarComplement,
  cpSet,
  cpUnion,
  cpWithoutSurrogates,
  type CodePointSet,
} from "./codepoints.js";
import { RegexSyntaxError } from "./errors.js";

export type RegexNode =
  /** One code point from the set (an empty set matches nothing). */
  | { readonly kind: "set"; readonly set: CodePointSet }
  /** The items one after the other (no items: the empty string). */
  | { readonly kind: "concat"; readonly items: readonly RegexNode[] }
  | { readonly kind: "alt"; readonly items: readonly RegexNode[] }
  /** `max` is Infinity for an unbounded repetition. */
  | { readonly kind: "repeat"; readonly item: RegexNode; readonly min: number; readonly max: number };

/** Quantifier bounds above this are clamped (the automaton would be far too large anyway). */
export const MAX_REPEAT_BOUND = 1_000_000_000;
/** Groups nested deeper than this are rejected (keeps the recursive parser off the stack limit). */
export const MAX_GROUP_DEPTH = 256;

const SYNTAX_CHARACTERS = new Set("^$\\.*+?()[]{}|/");

type ClassAtom = { readonly cp: number; readonly set?: undefined } | { readonly set: CodePointSet; readonly cp?: undefined };

/** Parses `source` (the text between the slashes of /…/). */
export function parseRegex(source: string): RegexNode {
  return new Parser(source).parse();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  parse(): RegexNode {
    if (this.src.startsWith("^")) this.pos = 1;
    const node = this.alternation();
    if (this.pos < this.src.length) {
      // alternation() stops only at the end or at ')'.
      this.fail("unmatched ')': there is no group to close");
    }
    return node;
  }

  private fail(message: string, offset: number = this.pos): never {
    throw new RegexSyntaxError(message, this.src, offset);
  }

  /** The code point at the current position (undefined at the end); a lone surrogate is an error. */
  private peek(offset: number = this.pos): number | undefined {
    if (offset >= this.src.length) return undefined;
    const cp = this.src.codePointAt(offset)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      this.fail(`lone surrogate \\u${cp.toString(16).toUpperCase()} in the pattern: UTF-8 cannot encode it`, offset);
    }
    return cp;
  }

  private peekChar(offset: number = this.pos): string | undefined {
    const cp = this.peek(offset);
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  /** Consumes the current code point. */
  private advance(): number {
    const cp = this.peek()!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private alternation(): RegexNode {
    const items = [this.sequence()];
    while (this.peekChar() === "|") {
      this.pos++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { kind: "alt", items };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      const c = this.peekChar();
      if (c === undefined || c === "|" || c === ")") break;
      if (c === "*" || c === "+" || c === "?") this.fail(`nothing to repeat before '${c}'`);
      if (c === "{") {
        if (this.quantifierAt(this.pos) !== undefined) this.fail("nothing to repeat before the quantifier");
        this.fail("lone '{': write \\{ for a literal brace, or use a quantifier {n}, {n,} or {n,m} after something to repeat");
      }
      if (c === "^") this.fail("'^' is only supported as the first character of the pattern (the match is always the whole text)");
      if (c === "$") {
        if (this.pos === this.src.length - 1) {
          this.pos++;
          break;
        }
        this.fail("'$' is only supported as the last character of the pattern (the match is always the whole text)");
      }
      let atom = this.atom();
      const quantifier = this.quantifierAt(this.pos);
      if (quantifier !== undefined) {
        const at = this.pos;
        this.pos = quantifier.end;
        if (quantifier.max < quantifier.min) this.fail(`numbers out of order in the quantifier {${quantifier.min},${quantifier.max}}`, at);
        atom = { kind: "repeat", item: atom, min: quantifier.min, max: quantifier.max };
        const after = this.peekChar();
        if (after === "?") this.fail("lazy quantifiers are not supported (the match is always the whole text, so drop the '?')");
        if (after === "*" || after === "+" || (after === "{" && this.quantifierAt(this.pos) !== undefined)) {
          this.fail(`nothing to repeat before '${after}' (a quantifier cannot follow another)`);
        }
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0]! : { kind: "concat", items };
  }

  /** The quantifier starting at `offset`, if there is one (a malformed `{…}` is an error). */
  private quantifierAt(offset: number): { min: number; max: number; end: number } | undefined {
    const c = this.src[offset];
    if (c === "*") return { min: 0, max: Infinity, end: offset + 1 };
    if (c === "+") return { min: 1, max: Infinity, end: offset + 1 };
    if (c === "?") return { min: 0, max: 1, end: offset + 1 };
    if (c !== "{") return undefined;
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(offset));
    if (match === null) {
      this.fail("incomplete quantifier: expected {n}, {n,} or {n,m} (write \\{ for a literal brace)", offset);
    }
    const bound = (digits: string): number => Math.min(MAX_REPEAT_BOUND, Number(digits));
    const min = bound(match[1]!);
    const max = match[2] === undefined ? min : match[3] === "" ? Infinity : bound(match[3]!);
    return { min, max, end: offset + match[0].length };
  }

  private atom(): RegexNode {
    const start = this.pos;
    const c = this.peekChar()!;
    switch (c) {
      case "(":
        return this.group();
      case "[":
        return { kind: "set", set: this.characterClass() };
      case ".":
        this.pos++;
        return { kind: "set", set: DOT };
      case "\\": {
        const atom = this.escape(false);
        return { kind: "set", set: atom.set ?? cpSet(atom.cp!, atom.cp!) };
      }
      case "]":
        return this.fail("lone ']': write \\] for a literal bracket", start);
      case "}":
        return this.fail("lone '}': write \\} for a literal brace", start);
      default: {
        const cp = this.advance();
        return { kind: "set", set: cpSet(cp, cp) };
      }
    }
  }

  private group(): RegexNode {
    const open = this.pos;
    this.pos++;
    if (++this.depth > MAX_GROUP_DEPTH) this.fail(`groups nested more than ${MAX_GROUP_DEPTH} deep`, open);
    if (this.peekChar() === "?") {
      const rest = this.src.slice(this.pos + 1);
      if (rest.startsWith(":")) {
        this.pos += 2;
      } else if (rest.startsWith("=") || rest.startsWith("!")) {
        this.fail("lookahead assertions (?= …) and (?! …) are not supported", open);
      } else if (rest.startsWith("<=") || rest.startsWith("<!")) {
        this.fail("lookbehind assertions (?<= …) and (?<! …) are not supported", open);
      } else if (rest.startsWith("<")) {
        const name = /^<([A-Za-z_$][A-Za-z0-9_$]*)>/.exec(rest);
        if (name === null) this.fail("expected a group name and '>' after '(?<'", this.pos + 2);
        this.pos += 1 + name[0].length;
      } else {
        this.fail("inline flags and modifiers like (?i) are not supported; after '(?' expected ':', or '<name>'", this.pos + 1);
      }
    }
    const body = this.alternation();
    if (this.peekChar() !== ")") this.fail(`expected ')' to close the group opened at offset ${open}`);
    this.pos++;
    this.depth--;
    return body;
  }

  private characterClass(): CodePointSet {
    const open = this.pos;
    this.pos++;
    let negated = false;
    if (this.peekChar() === "^") {
      negated = true;
      this.pos++;
    }
    const parts: CodePointSet[] = [];
    for (;;) {
      const c = this.peekChar();
      if (c === undefined) this.fail(`unterminated character class: expected ']' to close the '[' at offset ${open}`);
      if (c === "]") {
        this.pos++;
        break;
      }
      const atomStart = this.pos;
      const a = this.classAtom();
      if (this.peekChar() === "-" && this.peekChar(this.pos + 1) !== undefined && this.peekChar(this.pos + 1) !== "]") {
        const dash = this.pos;
        this.pos++;
        const b = this.classAtom();
        if (a.set !== undefined || b.set !== undefined) this.fail("a class escape like \\d cannot be the end of a range (write \\- for a literal dash)", dash);
        if (a.cp > b.cp) this.fail("range out of order in character class", atomStart);
        parts.push(cpSet(a.cp, b.cp));
      } else {
        parts.push(a.set ?? cpSet(a.cp, a.cp));
      }
    }
    const set = cpUnion(...parts);
    return negated ? cpScalarComplement(set) : cpWithoutSurrogates(set);
  }

  private classAtom(): ClassAtom {
    if (this.peekChar() === "\\") return this.escape(true);
    return { cp: this.advance() };
  }

  /** An escape at the current position (which holds the backslash). */
  private escape(inClass: boolean): ClassAtom {
    const start = this.pos;
    this.pos++;
    const c = this.peekChar();
    if (c === undefined) this.fail("'\\' at the end of the pattern", start);
    this.advance();
    switch (c) {
      case "d":
        return { set: DIGIT };
      case "D":
        return { set: cpScalarComplement(DIGIT) };
      case "w":
        return { set: WORD };
      case "W":
        return { set: cpScalarComplement(WORD) };
      case "s":
        return { set: SPACE };
      case "S":
        return { set: cpScalarComplement(SPACE) };
      case "n":
        return { cp: 0x0a };
      case "r":
        return { cp: 0x0d };
      case "t":
        return { cp: 0x09 };
      case "f":
        return { cp: 0x0c };
      case "v":
        return { cp: 0x0b };
      case "b":
        if (inClass) return { cp: 0x08 };
        return this.fail("word-boundary assertions \\b and \\B are not supported", start);
      case "B":
        return this.fail(inClass ? "\\B is not valid in a character class" : "word-boundary assertions \\b and \\B are not supported", start);
      case "0": {
        const next = this.peekChar();
        if (next !== undefined && next >= "0" && next <= "9") return this.fail("octal escapes are not supported (use \\xHH)", start);
        return { cp: 0 };
      }
      case "k":
        return this.fail("named backreferences \\k<…> are not supported", start);
      case "p":
      case "P":
        return this.fail(`Unicode property escapes \\${c}{…} are not supported`, start);
      case "c": {
        const letter = this.peekChar();
        if (letter === undefined || !/^[A-Za-z]$/.test(letter)) return this.fail("expected a letter A–Z or a–z after \\c", start);
        this.pos++;
        return { cp: letter.charCodeAt(0) % 32 };
      }
      case "x": {
        const hex = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.pos));
        if (hex === null) return this.fail("expected two hexadecimal digits after \\x", start);
        this.pos += 2;
        return { cp: parseInt(hex[0], 16) };
      }
      case "u":
        return { cp: this.unicodeEscape(start) };
      case "-":
        if (inClass) return { cp: 0x2d };
        return this.fail("unknown escape \\- outside a character class (write - alone)", start);
      default:
        if (c >= "1" && c <= "9") {
          return this.fail(inClass ? "octal escapes are not supported (use \\xHH)" : "backreferences like \\1 are not supported", start);
        }
        if (SYNTAX_CHARACTERS.has(c)) return { cp: c.codePointAt(0)! };
        return this.fail(`unknown escape \\${c} (only syntax characters ^ $ \\ . * + ? ( ) [ ] { } | / can be escaped)`, start);
    }
  }

  /** After `\u` (already consumed): \uHHHH, a surrogate pair of those, or \u{H…}. */
  private unicodeEscape(start: number): number {
    const rest = this.src.slice(this.pos);
    let cp: number;
    if (rest.startsWith("{")) {
      const m = /^\{([0-9A-Fa-f]+)\}/.exec(rest);
      if (m === null) return this.fail("expected hexadecimal digits and '}' after \\u{", start);
      cp = parseInt(m[1]!, 16);
      if (m[1]!.length > 8 || cp > 0x10ffff) return this.fail("code point above U+10FFFF in \\u{…}", start);
      this.pos += m[0].length;
    } else {
      const m = /^[0-9A-Fa-f]{4}/.exec(rest);
      if (m === null) return this.fail("expected four hexadecimal digits after \\u (or \\u{…})", start);
      cp = parseInt(m[0], 16);
      this.pos += 4;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        const low = /^\\u([Dd][C-Fc-f][0-9A-Fa-f]{2})/.exec(this.src.slice(this.pos));
        if (low !== null) {
          this.pos += 6;
          cp = 0x10000 + ((cp - 0xd800) << 10) + (parseInt(low[1]!, 16) - 0xdc00);
        }
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      return this.fail(`lone surrogate \\u${cp.toString(16).toUpperCase()}: UTF-8 cannot encode it`, start);
    }
    return cp;
  }
}

