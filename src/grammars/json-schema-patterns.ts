/**
 * A JSON Schema `pattern` (an ECMAScript regular expression that matches *somewhere* in the
 * text) as a whole-text regular expression of regex-parser.ts.
 *
 * - Each top-level alternative gets `[\s\S]*` on the sides where it is not anchored (a leading
 *   `^`, a trailing `$`; without the `m` flag these mean the ends of the text). Alternatives
 *   anchored alike are joined under one `[\s\S]*` (one search for many words stays as small as
 *   the words, where one search per word would multiply the states).
 * - A group that begins (or ends) an alternative, unquantified, is spread into alternatives, so
 *   that anchors inside it (`^(a|b$)`, `^$|(^x+$)`) come to the ends where they are read.
 * - An alternative with `^` after a literal character (or `$` before one) matches nothing.
 * - Lazy quantifiers are greedy ones: whether a match exists does not depend on which is found.
 * - An escaped ASCII punctuation character that is not a syntax character (`\'`, `\_`) is the
 *   character itself, as most dialects read it.
 * - ECMAScript's `.` excludes all four line terminators, while the parser's `.` excludes only
 *   `\n`, so an unescaped `.` outside a class is spelled out.
 * Anchors elsewhere stay, and the parser rejects them, as it rejects lookaround and backreferences.
 */

const SYNTAX = new Set("^$\\.*+?()[]{}|/".split(""));
const CLASS_ESCAPES = new Set("dDwWsSbBnrtfv0cxu".split(""));
/** Most alternatives the spreading of groups may make. */
const MAX_ALTERNATIVES = 64;
const NOTHING = "[^\\s\\S]";

/** Escapes, laziness and dots normalized (see the module comment). */
function normalize(pattern: string): string {
  let out = "";
  let inClass = false;
  // Whether the previous token was a quantifier, so that a `?` after it makes it lazy.
  let afterQuantifier = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      i++;
      afterQuantifier = false;
      if (next === undefined) {
        out += "\\";
        continue;
      }
      const punctuation = /[ -/:-@[-`{-~]/.test(next) && !SYNTAX.has(next) && !(inClass && next === "-");
      if (punctuation && !CLASS_ESCAPES.has(next)) out += `\\x${next.charCodeAt(0).toString(16).padStart(2, "0")}`;
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "?" && afterQuantifier) {
      afterQuantifier = false;
      continue; // lazy: same language
    }
    if (c === "[") inClass = true;
    afterQuantifier = c === "*" || c === "+" || c === "?" || (c === "}" && /\{\d+(,\d*)?$/.test(pattern.slice(0, i)));
    if (c === "?" && out.endsWith("(")) afterQuantifier = false; // (?: (?= …
    out += c === "." ? "[^\\n\\r\\u2028\\u2029]" : c;
  }
  return out;
}

/** The top-level alternatives of a (normalized) regular expression. */
function alternatives(source: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      current += source.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      out.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  out.push(current);
  return out;
}

/** The end (exclusive) of the group opening at `start`, or -1. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = start; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i + 1;
  }
  return -1;
}

/** The inside of a plain or capturing group `(…)`/`(?:…)` (not lookaround), or undefined. */
function groupBody(group: string): string | undefined {
  if (group.startsWith("(?:")) return group.slice(3, -1);
  if (group.startsWith("(?")) return undefined;
  return group.slice(1, -1);
}

const QUANTIFIER = /^(?:[*+?]|\{\d+(?:,\d*)?\})/;

/** An alternative with a leading or trailing unquantified group spread into several. */
function spread(alternative: string): string[] {
  let body = alternative;
  const anchored = body.startsWith("^");
  if (anchored) body = body.slice(1);
  // Leading group.
  if (body.startsWith("(")) {
    const end = groupEnd(body, 0);
    const inner = end < 0 ? undefined : groupBody(body.slice(0, end));
    if (inner !== undefined && !QUANTIFIER.test(body.slice(end))) {
      const rest = body.slice(end);
      return alternatives(inner).map((a) => `${anchored ? "^" : ""}${a}${rest}`);
    }
  }
  // Trailing group: find the group that closes at the very end.
  if (body.endsWith(")") && !body.endsWith("\\)")) {
    for (let start = body.lastIndexOf("("); start >= 0; start = body.lastIndexOf("(", start - 1)) {
      if (start > 0 && body[start - 1] === "\\") continue;
      if (groupEnd(body, start) === body.length) {
        const inner = groupBody(body.slice(start));
        if (inner === undefined) break;
        const head = body.slice(0, start);
        return alternatives(inner).map((a) => `${anchored ? "^" : ""}${head}${a}`);
      }
    }
  }
  return [alternative];
}

/** Whether `$` ends the text at index i (unescaped). */
function endsWithAnchor(text: string): boolean {
  if (!text.endsWith("$")) return false;
  let backslashes = 0;
  for (let j = text.length - 2; j >= 0 && text[j] === "\\"; j--) backslashes++;
  return backslashes % 2 === 0;
}

/** An anchor that cannot hold: `^` right after a literal character, `$` right before one (top level). */
function impossibleAnchor(body: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && c === "^" && i > 0 && /[A-Za-z0-9/"'#@:,;=_~-]/.test(body[i - 1]!) && body[i - 2] !== "\\") return true;
    else if (depth === 0 && c === "$" && i + 1 < body.length && /[A-Za-z0-9/"'#@:,;=_~-]/.test(body[i + 1]!)) return true;
  }
  return false;
}

export function patternToRegex(pattern: string): string {
  let work = alternatives(normalize(pattern));
  // Spread groups at the ends until nothing changes (or there are too many alternatives).
  for (let round = 0; round < 8; round++) {
    const next = work.flatMap(spread);
    if (next.length > MAX_ALTERNATIVES || next.every((a, i) => a === work[i])) break;
    work = next;
  }
  const byAnchors = new Map<string, string[]>();
  for (const alternative of work) {
    let body = alternative;
    const start = body.startsWith("^");
    while (body.startsWith("^")) body = body.slice(1);
    const end = endsWithAnchor(body);
    while (endsWithAnchor(body)) body = body.slice(0, -1);
    if (impossibleAnchor(body)) continue;
    const key = `${start ? "^" : ""}${end ? "$" : ""}`;
    if (!byAnchors.has(key)) byAnchors.set(key, []);
    byAnchors.get(key)!.push(body);
  }
  if (byAnchors.size === 0) return NOTHING;
  return [...byAnchors]
    .map(([key, bodies]) => `${key.includes("^") ? "" : "[\\s\\S]*"}(?:${bodies.join("|")})${key.includes("$") ? "" : "[\\s\\S]*"}`)
    .join("|");
}
