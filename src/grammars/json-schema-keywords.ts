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
  "if",
  "then",
  "else",
  "contains",
  "minContains",
  "maxContains",
]);

/** Validation keywords the compiler cannot enforce: a schema using them is refused. */
export const REFUSED_KEYWORDS: ReadonlyMap<string, string> = new Map([
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
/** Years 0001–9999 (some validators reject year 0). */
const YEAR = "(?:[1-9]\\d{3}|0[1-9]\\d{2}|00[1-9]\\d|000[1-9])";
/** Days valid in every year: February stops at 28, so no leap-year rule is needed. */
const DATE = `${YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))`;
/** Leap years (divisible by 4, and by 400 where by 100), for February 29 in complete mode. */
const LEAP_YEAR = "(?:\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)";
const FULL_DATE = `(?:${DATE}|${LEAP_YEAR}-02-29)`;
/** RFC 3339 full-time: an offset is required (as JSON Schema's `time` asks), no leap second. */
const TIME = `${TWO_DIGITS_HOUR}:${MINUTE}:${MINUTE}(?:\\.\\d{1,6})?(?:Z|[+-]${TWO_DIGITS_HOUR}:${MINUTE})`;
const FULL_TIME = `${TWO_DIGITS_HOUR}:${MINUTE}:${MINUTE}(?:\\.\\d{1,9})?(?:Z|[+-]${TWO_DIGITS_HOUR}:${MINUTE})`;
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const ANY_CASE_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/** An http(s) URL: host, optional port, path, query and fragment, in plain characters. */
const URL = `https?://${LABEL}(?:\\.${LABEL})*(?::\\d{1,5})?(?:/[A-Za-z0-9._~-]*)*(?:\\?[A-Za-z0-9._~=&-]*)?(?:#[A-Za-z0-9._~-]*)?`;
/** RFC 3986, without IP-literal hosts (an IPv4 address is also a reg-name). */
const UNRESERVED = "A-Za-z0-9._~"; // and "-", written last in each class
const SUB_DELIMS = "!$&'()*+,;=";
const PCT = "%[0-9A-Fa-f]{2}";
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@-]|${PCT})`;
const SEGMENT = `${PCHAR}*`;
const SEGMENT_NZ = `${PCHAR}+`;
const SEGMENT_NZ_NC = `(?:[${UNRESERVED}${SUB_DELIMS}@-]|${PCT})+`;
const AUTHORITY = `(?:(?:[${UNRESERVED}${SUB_DELIMS}:-]|${PCT})*@)?(?:[${UNRESERVED}${SUB_DELIMS}-]|${PCT})*(?::\\d*)?`;
const PATH_ABEMPTY = `(?:/${SEGMENT})*`;
const PATH_ABSOLUTE = `/(?:${SEGMENT_NZ}(?:/${SEGMENT})*)?`;
const QUERY_FRAGMENT = `(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?`;
/** RFC 3986 `URI` without its empty path (`a:`, `a:?q`): ajv-formats and other validators reject those. */
const RFC3986_URI = `[A-Za-z][A-Za-z0-9+.-]*:(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${SEGMENT_NZ}(?:/${SEGMENT})*)${QUERY_FRAGMENT}`;
const RFC3986_RELATIVE = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${SEGMENT_NZ_NC}(?:/${SEGMENT})*)?${QUERY_FRAGMENT}`;
/** RFC 6901: `/`-separated tokens in which `~` only starts `~0` or `~1`. */
const JSON_POINTER = "(?:/(?:[^~/]|~[01])*)*";
const EMAIL = `[A-Za-z0-9_+-]+(?:\\.[A-Za-z0-9_+-]+)*@(?:${LABEL}\\.)+[a-z]{2,24}`;
/** RFC 5322 dot-atom local part (at most 62 characters), a domain of two to four labels (at most 254 in all). */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const FULL_EMAIL = `${ATOM}{1,20}(?:\\.${ATOM}{1,20}){0,2}@${ANY_CASE_LABEL}(?:\\.${ANY_CASE_LABEL}){1,2}`;
/** RFC 3339 durations (ABNF of its appendix A): P, then a date part and/or T and a time part, or weeks. */
const DURATION = "P(?:(?:\\d+Y(?:\\d+M(?:\\d+D)?)?|\\d+M(?:\\d+D)?|\\d+D)(?:T(?:\\d+H(?:\\d+M(?:\\d+S)?)?|\\d+M(?:\\d+S)?|\\d+S))?|T(?:\\d+H(?:\\d+M(?:\\d+S)?)?|\\d+M(?:\\d+S)?|\\d+S)|\\d+W)";
const H16 = "[0-9A-Fa-f]{1,4}";
/** RFC 4291 text forms with `::` compression (no embedded IPv4, no zone). */
const IPV6 = [
  `(?:${H16}:){7}${H16}`,
  ...Array.from({ length: 8 }, (_, before) => {
    const head = before === 0 ? "" : `(?:${H16}:){0,${before - 1}}${H16}`;
    const after = 7 - before;
    const tail = after === 0 ? "" : `(?:${H16}(?::${H16}){0,${after - 1}})?`;
    return `${head}::${tail}`;
  }),
].join("|");

/**
 * The formats the generator can write, as whole-text regular expressions. Each describes a
 * subset of what validators (ajv-formats, the RFCs) accept, in its simplest spelling: generated
 * values are always valid, though not every valid value can be generated.
 */
export const FORMAT_REGEXES: ReadonlyMap<string, string> = new Map([
  ["date", DATE],
  ["time", TIME],
  ["date-time", `${DATE}T${TIME}`],
  ["email", EMAIL],
  ["idn-email", EMAIL],
  ["uuid", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"],
  ["ipv4", `${OCTET}(?:\\.${OCTET}){3}`],
  // At most three labels of at most 63 characters keep within the 253 characters a hostname may have.
  ["hostname", `${LABEL}(?:\\.${LABEL}){0,2}`],
  // IDNA forbids "--" in places; labels without it are valid everywhere.
  ["idn-hostname", "[a-z0-9]{1,20}(?:-[a-z0-9]{1,20}){0,2}(?:\\.[a-z0-9]{1,20}(?:-[a-z0-9]{1,20}){0,2}){0,2}"],
  ["uri", URL],
  // An absolute URI is also a URI reference, and an ASCII URI an IRI.
  ["uri-reference", `${URL}|/[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*|#[A-Za-z0-9._~-]*`],
  ["iri", URL],
  ["iri-reference", `${URL}|/[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*|#[A-Za-z0-9._~-]*`],
  // A URL has no braces, so it is a URI template without expressions.
  ["uri-template", URL],
  ["ipv6", "[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}"],
  ["json-pointer", JSON_POINTER],
  ["relative-json-pointer", `(?:0|[1-9]\\d*)(?:#|${JSON_POINTER})`],
  ["duration", "P(?:[1-9]\\d{0,2}(?:Y|M|W|D)|T[1-9]\\d{0,2}(?:H|M|S))"],
  // Plain words are the same regular expression in every dialect.
  ["regex", "[A-Za-z0-9 _-]*"],
]);

/**
 * Complete mode: the full syntax of each format where a regular expression can say it (RFC
 * 3339 dates with leap years, RFC 3986 URIs and references, RFC 5322 dot-atom addresses,
 * compressed IPv6 …); the others as in FORMAT_REGEXES.
 */
export const COMPLETE_FORMAT_REGEXES: ReadonlyMap<string, string> = new Map([
  ...FORMAT_REGEXES,
  ["date", FULL_DATE],
  ["time", FULL_TIME],
  ["date-time", `${FULL_DATE}T${FULL_TIME}`],
  ["email", FULL_EMAIL],
  ["idn-email", FULL_EMAIL],
  ["uuid", "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"],
  ["hostname", `${ANY_CASE_LABEL}(?:\\.${ANY_CASE_LABEL}){0,2}`],
  ["uri", RFC3986_URI],
  ["uri-reference", `${RFC3986_URI}|${RFC3986_RELATIVE}`],
  ["iri", RFC3986_URI],
  ["iri-reference", `${RFC3986_URI}|${RFC3986_RELATIVE}`],
  ["ipv6", IPV6],
  ["duration", DURATION],
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

export { patternToRegex } from "./json-schema-patterns.js";
