/**
 * What the JSON Schema compiler knows about keywords (which it enforces, which it ignores as
 * annotations, which it refuses), the formats it can generate, and the translation of a
 * `pattern` (an unanchored ECMAScript search) into a whole-text regular expression.
 */

/** Keywords that never affect validation. */
export const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set([
  "title",
  "description",
  "default",
  "examples",
  "example", // OpenAPI's singular form; validators ignore it
  "$schema",
  "$id",
  "id", // draft-04's $id
  "$comment",
  "deprecated",
  "readOnly",
  "writeOnly",
  "contentMediaType",
  "contentEncoding",
  "contentSchema",
  "$anchor",
  "$dynamicAnchor",
  "$vocabulary",
  "definitions",
  "$defs",
]);

/** Keywords the compiler enforces (some only in easy cases, checked where they are read). */
export const ENFORCED_KEYWORDS: ReadonlySet<string> = new Set([
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "anyOf",
  "oneOf",
  "allOf",
  "$ref",
  "minProperties",
  "maxProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "patternProperties",
  "not",
  "dependencies",
  "dependentRequired",
  "dependentSchemas",
]);

/** Validation keywords the compiler cannot enforce: a schema using them is refused. */
export const REFUSED_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ["if", "conditional schemas (if/then/else) are not supported"],
  ["then", "conditional schemas (if/then/else) are not supported"],
  ["else", "conditional schemas (if/then/else) are not supported"],
  ["contains", "contains is not supported"],
  ["minContains", "minContains is not supported"],
  ["maxContains", "maxContains is not supported"],
  ["propertyNames", "propertyNames is not supported"],
  ["$dynamicRef", "dynamic references are not supported"],
  ["$recursiveRef", "recursive references are not supported"],
  ["$recursiveAnchor", "recursive references are not supported"],
]);

/** Every keyword the compiler knows, for did-you-mean suggestions. */
const KNOWN_KEYWORDS = [...ANNOTATION_KEYWORDS, ...ENFORCED_KEYWORDS, ...REFUSED_KEYWORDS.keys()];

/** The known keyword closest to an unknown one (edit distance ≤ 2, or equal ignoring case), if any. */
export function closestKeyword(word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_KEYWORDS) {
    const d = known.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, known);
    if (d < bestDistance) {
      bestDistance = d;
      best = known;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const TWO_DIGITS_HOUR = "(?:[01]\\d|2[0-3])";
const MINUTE = "[0-5]\\d";
/** Days valid in every year: February stops at 28, so no leap-year rule is needed. */
const DATE =
  "\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))";
/** RFC 3339 full-time: an offset is required (as JSON Schema's `time` asks), no leap second. */
const TIME = `${TWO_DIGITS_HOUR}:${MINUTE}:${MINUTE}(?:\\.\\d{1,6})?(?:Z|[+-]${TWO_DIGITS_HOUR}:${MINUTE})`;
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const URI = `https?://${LABEL}(?:\\.${LABEL})*(?:/[A-Za-z0-9._~-]*)*`;
/** RFC 6901: `/`-separated tokens in which `~` only starts `~0` or `~1`. */
const JSON_POINTER = "(?:/(?:[^~/]|~[01])*)*";

/**
 * The formats the generator can write, as whole-text regular expressions. Each describes a
 * subset of what validators (ajv-formats, the RFCs) accept, in its simplest spelling: generated
 * values are always valid, though not every valid value can be generated.
 */
export const FORMAT_REGEXES: ReadonlyMap<string, string> = new Map([
  ["date", DATE],
  ["time", TIME],
  ["date-time", `${DATE}T${TIME}`],
  ["email", `[A-Za-z0-9_+-]+(?:\\.[A-Za-z0-9_+-]+)*@(?:${LABEL}\\.)+[a-z]{2,24}`],
  ["uuid", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"],
  ["ipv4", `${OCTET}(?:\\.${OCTET}){3}`],
  // At most three labels of at most 63 characters keep within the 253 characters a hostname may have.
  ["hostname", `${LABEL}(?:\\.${LABEL}){0,2}`],
  ["uri", URI],
  // An absolute URI is also a URI reference, and an ASCII URI an IRI.
  ["uri-reference", URI],
  ["iri", URI],
  ["iri-reference", URI],
  ["ipv6", "[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}"],
  ["json-pointer", JSON_POINTER],
  ["relative-json-pointer", `(?:0|[1-9]\\d*)(?:#|${JSON_POINTER})`],
]);

/**
 * The formats JSON Schema defines (draft 2020-12 and earlier). A validator may assert these, so
 * one the generator cannot write is refused; other format names are annotations to validators.
 */
export const STANDARD_FORMATS: ReadonlySet<string> = new Set([
  "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6",
  "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template", "json-pointer", "relative-json-pointer", "regex",
  "host-name", "ip-address", "color", "style", "phone", "utc-millisec", // draft 3
]);

/**
 * A JSON Schema `pattern` as a whole-text regular expression of regex-parser.ts: the pattern
 * matches somewhere in the text, so each top-level alternative gets `[\s\S]*` on the sides it is
 * not anchored (a leading `^`, a trailing `$`; without the `m` flag these mean the ends of the
 * text). ECMAScript's `.` excludes all four line terminators, while the parser's `.` excludes only
 * `\n`, so an unescaped `.` outside a class is spelled out. Anchors elsewhere stay and the parser
 * rejects them, as it rejects lookaround and backreferences.
 */
export function patternToRegex(pattern: string): string {
  const branches: string[] = [];
  let current = "";
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      current += pattern.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      current += c;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    if (c === "|" && depth === 0) {
      branches.push(current);
      current = "";
      continue;
    }
    current += c === "." ? "[^\\n\\r\\u2028\\u2029]" : c;
  }
  branches.push(current);
  return branches
    .map((branch) => {
      let body = branch;
      const anchoredStart = body.startsWith("^");
      if (anchoredStart) body = body.slice(1);
      let anchoredEnd = false;
      if (body.endsWith("$")) {
        let backslashes = 0;
        for (let j = body.length - 2; j >= 0 && body[j] === "\\"; j--) backslashes++;
        if (backslashes % 2 === 0) {
          anchoredEnd = true;
          body = body.slice(0, -1);
        }
      }
      return `${anchoredStart ? "" : "[\\s\\S]*"}(?:${body})${anchoredEnd ? "" : "[\\s\\S]*"}`;
    })
    .join("|");
}
