/**
 * Why did a JSON-Schema byte automaton reject a valid instance? The instance's text is walked
 * to the byte where the automaton died (or its end, when it ended in a non-accepting state),
 * that byte is located in the instance (a key, a string, a number, a bracket …, at a JSON path),
 * and the schemas that may apply at that path are looked up. The reason is a short category,
 * the same for every instance rejected for the same cause; it is a diagnosis for the benchmark
 * table, not a proof.
 */
import type { ByteDfa } from "../../src/grammars/byte-dfa.js";

type PathSegment = string | number;

/** What sits at one byte of a JSON text. */
export interface Location {
  readonly kind: "key" | "string" | "number" | "literal" | "object" | "array" | "end";
  /** The path of the value (for a key: of the object holding it). */
  readonly path: readonly PathSegment[];
  /** The key's name, for kind "key". */
  readonly key?: string;
  /** For brackets: the byte is a comma (another member follows) rather than the bracket itself. */
  readonly separator?: boolean;
  /** For arrays and objects: how many members precede the byte. */
  readonly index?: number;
  /** The span of the token (UTF-16 offsets). */
  readonly start?: number;
  readonly end?: number;
}

/** The offset of the first byte the automaton rejects, or the length when it reads all of them. */
export function deathOffset(dfa: ByteDfa, bytes: Uint8Array): number {
  let s = dfa.initial;
  for (let i = 0; i < bytes.length; i++) {
    s = dfa.transitions[s * 256 + bytes[i]!]!;
    if (s < 0) return i;
  }
  return bytes.length;
}

/** Locates byte `offset` of a compact JSON text (as JSON.stringify writes it, ASCII offsets from a UTF-8 text). */
export function locate(text: string, offset: number): Location {
  if (offset >= text.length) return { kind: "end", path: [] };
  let at = 0;
  let found: Location | undefined;
  const hit = (start: number, end: number, location: Location): void => {
    if (found === undefined && offset >= start && offset < end) found = { ...location, start, end };
  };
  const stringEnd = (i: number): number => {
    let j = i + 1;
    while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
    return j + 1;
  };
  const value = (path: PathSegment[]): void => {
    const c = text[at]!;
    if (c === "{") {
      const start = at;
      at++;
      let index = 0;
      while (text[at] !== "}") {
        const comma = text[at] === "," ? at++ : -1;
        const keyEnd = stringEnd(at);
        const key = JSON.parse(text.slice(at, keyEnd)) as string;
        // A comma means another member: it is rejected for the key that follows.
        if (comma >= 0) hit(comma, comma + 1, { kind: "key", path, key, index });
        hit(at, keyEnd + 1, { kind: "key", path, key, index });
        at = keyEnd + 1; // the colon
        value([...path, key]);
        index++;
      }
      hit(start, start + 1, { kind: "object", path, index: 0 });
      hit(at, at + 1, { kind: "object", path, index });
      at++;
    } else if (c === "[") {
      const start = at;
      at++;
      let index = 0;
      while (text[at] !== "]") {
        if (text[at] === ",") {
          hit(at, at + 1, { kind: "array", path, separator: true, index });
          at++;
        }
        value([...path, index]);
        index++;
      }
      hit(start, start + 1, { kind: "array", path, index: 0 });
      hit(at, at + 1, { kind: "array", path, index });
      at++;
    } else if (c === '"') {
      const end = stringEnd(at);
      hit(at, end, { kind: "string", path });
      at = end;
    } else if (c === "t" || c === "f" || c === "n") {
      const end = at + (c === "f" ? 5 : 4);
      hit(at, end, { kind: "literal", path });
      at = end;
    } else {
      const match = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at))!;
      hit(at, at + match[0].length, { kind: "number", path });
      at += match[0].length;
    }
  };
  value([]);
  return found ?? { kind: "end", path: [] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The subschemas that may apply at `path` (through $ref, allOf/anyOf/oneOf, properties, items …). */
export function schemasAt(root: unknown, path: readonly PathSegment[]): Record<string, unknown>[] {
  const resolve = (ref: string): unknown => {
    if (ref === "#") return root;
    if (!ref.startsWith("#/")) return undefined;
    let target: unknown = root;
    for (const raw of ref.slice(2).split("/")) {
      let segment: string;
      try {
        segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      } catch {
        return undefined;
      }
      if (Array.isArray(target)) target = target[Number(segment)];
      else if (isPlainObject(target)) target = target[segment];
      else return undefined;
    }
    return target;
  };
  const expand = (schemas: readonly unknown[]): Record<string, unknown>[] => {
    const out: Record<string, unknown>[] = [];
    const seen = new Set<unknown>();
    const work = [...schemas];
    while (work.length > 0) {
      const s = work.pop();
      if (!isPlainObject(s) || seen.has(s)) continue;
      seen.add(s);
      out.push(s);
      if (typeof s.$ref === "string") work.push(resolve(s.$ref));
      for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(s[k])) work.push(...(s[k] as unknown[]));
      for (const k of ["then", "else"]) if (s[k] !== undefined) work.push(s[k]);
    }
    return out;
  };
  let current = expand([root]);
  for (const segment of path) {
    const next: unknown[] = [];
    for (const s of current) {
      if (typeof segment === "number") {
        const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
        if (tuple !== undefined && segment < tuple.length) next.push(tuple[segment]);
        else if (tuple !== undefined) next.push(Array.isArray(s.items) ? s.additionalItems : s.items);
        else next.push(s.items);
      } else {
        const properties = isPlainObject(s.properties) ? s.properties : {};
        let matched = Object.prototype.hasOwnProperty.call(properties, segment);
        if (matched) next.push(properties[segment]);
        if (isPlainObject(s.patternProperties)) {
          for (const [pattern, sub] of Object.entries(s.patternProperties)) {
            try {
              if (new RegExp(pattern, "u").test(segment)) {
                next.push(sub);
                matched = true;
              }
            } catch {
              // not an ECMAScript pattern: ignore
            }
          }
        }
        if (!matched) next.push(s.additionalProperties);
      }
    }
    current = expand(next);
  }
  return current;
}

/** Property names declared (or required) by the schemas. */
function declaredNames(schemas: readonly Record<string, unknown>[]): Set<string> {
  const names = new Set<string>();
  for (const s of schemas) {
    if (isPlainObject(s.properties)) for (const n of Object.keys(s.properties)) names.add(n);
    if (Array.isArray(s.required)) for (const n of s.required) if (typeof n === "string") names.add(n);
  }
  return names;
}

const VALUE_KEYWORDS = new Set(["type", "enum", "const", "properties", "required", "additionalProperties", "items", "prefixItems", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "patternProperties", "minProperties", "maxProperties", "not", "uniqueItems"]);

/** Why the automaton rejected the valid instance `text` (compact JSON). */
export function explainRejection(dfa: ByteDfa, schema: unknown, text: string): { reason: string; path: string } {
  const bytes = new TextEncoder().encode(text);
  const byteOffset = deathOffset(dfa, bytes);
  // Map the byte offset back to a UTF-16 offset of the text.
  const offset = new TextDecoder().decode(bytes.slice(0, byteOffset)).length;
  const where = locate(text, Math.min(offset, text.length));
  const path = `/${where.path.join("/")}`;
  const schemas = schemasAt(schema, where.path);
  const depth = where.path.length;
  const freeForm = schemas.length === 0 || schemas.every((s) => Object.keys(s).every((k) => !VALUE_KEYWORDS.has(k)));
  switch (where.kind) {
    case "key": {
      const names = declaredNames(schemas);
      if (names.has(where.key!)) return { reason: "property order", path };
      if (schemas.some((s) => isPlainObject(s.patternProperties))) return { reason: "extra property (patternProperties)", path };
      return { reason: "extra property", path };
    }
    case "string": {
      const format = schemas.map((s) => s.format).find((f) => typeof f === "string");
      if (format !== undefined) return { reason: `format ${String(format)}`, path };
      if (schemas.some((s) => typeof s.pattern === "string")) return { reason: "pattern", path };
      return { reason: "string", path };
    }
    case "number": {
      const raw = text.slice(where.start, where.end);
      if (/[eE]/.test(raw)) return { reason: "number with exponent", path };
      if (raw.replace(/^-?0*\.?0*/, "").replace(".", "").length > 15) return { reason: "number with more than 15 digits", path };
      return { reason: "number", path };
    }
    case "object":
    case "array": {
      if (where.separator === true && where.kind === "array" && where.index! >= 32) return { reason: "more than 32 items", path };
      if (!where.separator && where.index === 0 && text[offset] !== "}" && text[offset] !== "]" && freeForm) return { reason: `free-form nesting (depth ${depth})`, path };
      if (freeForm && depth > 0) return { reason: `free-form nesting (depth ${depth})`, path };
      return { reason: `${where.kind}${where.separator ? " member" : " bracket"}`, path };
    }
    case "literal":
      return { reason: "literal", path };
    case "end":
      return { reason: "incomplete at end", path };
  }
}
