/**
 * JSON Schema → minimal DFA over UTF-8 bytes: the JSON texts the generator may write for a
 * schema, every one of which JSON.parses and validates against it. It is an under-approximation
 * by design: where the schema allows more than a finite automaton of sane size can express, the
 * generator writes a well-defined subset (below); where a keyword cannot be enforced at all, the
 * schema is refused with a SchemaError pointing at the keyword, never silently weakened.
 *
 * What is generated:
 * - objects: the properties declared in `properties` (of all the schemas that apply), in order of
 *   first declaration, optional ones skippable, required ones (and those a positive field
 *   constraint names) always present. Extra properties are never generated, even where
 *   `additionalProperties` allows them. An object schema that declares no properties and
 *   requires none is free-form: any keys, with values from `additionalProperties` (or any value).
 * - arrays: `prefixItems` (or draft-07 `items: [...]`) then `items` (`additionalItems`), between
 *   `minItems` and `maxItems`; a `maxItems` above MAX_ITEMS_BOUND (and above `minItems`) is
 *   lowered to it.
 * - strings: valid UTF-8 contents within `minLength`/`maxLength` code points (a `maxLength` above
 *   MAX_LENGTH_BOUND, and above `minLength`, is lowered to it), matching every `pattern` (an
 *   unanchored search, ^/$ respected) and `format` (date, time, date-time, email, uuid, ipv4,
 *   ipv6, hostname, uri, uri-reference, iri, iri-reference, json-pointer, relative-json-pointer:
 *   a plain subset of each), escaped canonically as JSON.stringify does.
 * - integers: at most 15 digits, within the bounds, multiples of an integer `multipleOf`.
 *   Numbers: with bounds, plain decimals of at most 15 digits compared exactly with the bounds
 *   (a bound with more significant digits is tightened to 15); without, optionally an exponent
 *   of at most two digits.
 * - `enum`/`const`: the values (that the rest of the schema allows) as JSON.stringify writes them.
 * - `anyOf`: the union of the branches, each combined with the rest of the schema; `oneOf` the
 *   same, provided the branches are provably exclusive (their generated languages are disjoint
 *   and each pair differs in type, in const/enum values, or in a required const/enum property).
 * - `allOf`, `$ref` (local JSON pointers) and sibling keywords: conjunction, merged keyword by
 *   keyword. A recursive `$ref` is refused.
 * - `true`, `{}`, and values no keyword constrains: any JSON value nested at most ANY_VALUE_DEPTH
 *   deep.
 * - whitespace: none, or (`compact`, the default) at most one space after each `:` and `,`.
 * - without `type`, the types whose keywords the schema uses (a schema with `properties` is an
 *   object), or every type when it uses none.
 */
import type { ByteDfa } from "./byte-dfa.js";
import { choiceDfa, literalDfa } from "./constructions.js";
import { RegexSyntaxError } from "./errors.js";
import { emptyDfa, intersectDfa, isEmptyLanguage, type DfaBuildOptions } from "./ops.js";
import { regexDfa } from "./regex.js";
import { shortestWord } from "./analysis.js";
import { DfaAssembly, anyUtf8Dfa, complementWithinUtf8, jsonStringDfa, multipleOfDfa, unionOfDfas, utf8LengthDfa } from "./json-schema-automata.js";
import { ANNOTATION_KEYWORDS, ENFORCED_KEYWORDS, FORMAT_REGEXES, REFUSED_KEYWORDS, STANDARD_FORMATS, closestKeyword, patternToRegex } from "./json-schema-keywords.js";
import {
  BOUNDED_DECIMAL_SYNTAX,
  MAX_GENERATED_INTEGER,
  NO_NEGATIVE_ZERO,
  UNBOUNDED_INTEGER_SYNTAX,
  UNBOUNDED_NUMBER_SYNTAX,
  decimalBoundRegex,
  integerRangeRegex,
  roundDecimal,
  toDecimal,
  type Relation,
} from "./json-schema-numbers.js";

/** A schema the compiler cannot enforce, or a malformed one. */
export class SchemaError extends Error {
  override readonly name = "SchemaError";

  constructor(
    message: string,
    /** JSON pointer into the schema, e.g. `#/properties/to/pattern`. */
    readonly path: string,
    /** The keyword at fault, when there is one. */
    readonly keyword: string | undefined,
  ) {
    super(message);
  }
}

/** A test on one string argument, for tool-call policies. */
export interface FieldConstraint {
  /** Property names from the root object, e.g. `["path"]` or `["to", "address"]`. */
  readonly path: readonly string[];
  /** A regular expression of regex-parser.ts, matched against the whole decoded string. */
  readonly regex: string;
  /** false: the property is present and matches; true: it is absent or does not match. */
  readonly negate: boolean;
}

export interface JsonSchemaOptions {
  /** "none": compact JSON as JSON.stringify writes it; "compact" (default): at most one space after ':' and ','. */
  readonly whitespace?: "none" | "compact";
  readonly fields?: readonly FieldConstraint[];
  /** Bound on the states of every automaton built (default DEFAULT_MAX_STATES). */
  readonly maxStates?: number;
  /**
   * Ignore keywords the compiler does not know, and `format` names JSON Schema does not define
   * (validators ignore both, so this is sound), instead of refusing them as likely typos.
   * Default false.
   */
  readonly ignoreUnknownKeywords?: boolean;
}

/** How deep values that no keyword constrains may nest (`{}`, `true`, free-form objects and arrays). */
export const ANY_VALUE_DEPTH = 3;
/** `maxLength` above this (and above `minLength`) is lowered to it. */
export const MAX_LENGTH_BOUND = 512;
/** `maxItems` above this (and above `minItems`) is lowered to it. */
export const MAX_ITEMS_BOUND = 32;
/** At most this many branch combinations of anyOf/oneOf are compiled for one schema. */
export const MAX_BRANCH_COMBINATIONS = 512;

/** The minimal, trimmed DFA of the JSON texts generated for `schema` (see the module comment). */
export function jsonSchemaDfa(schema: unknown, options: JsonSchemaOptions = {}): ByteDfa {
  return new SchemaCompiler(schema, options).compileRoot();
}

/** Schema-independent automata by options and key; cleared when it grows past the limit. */
const sharedAutomata = new Map<string, ByteDfa>();
const SHARED_AUTOMATA_LIMIT = 1000;

type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";
const ALL_TYPES: readonly JsonType[] = ["null", "boolean", "integer", "number", "string", "array", "object"];

/** A schema and where it sits in the root schema. */
interface Located {
  readonly schema: unknown;
  readonly path: string;
}

/** An object schema after $ref and allOf have been expanded into the conjunction it is part of. */
interface Member {
  readonly schema: Readonly<Record<string, unknown>>;
  readonly path: string;
}

const STRING_KEYWORDS = ["minLength", "maxLength", "pattern", "format"];
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
const OBJECT_KEYWORDS = ["properties", "required", "additionalProperties", "minProperties", "maxProperties"];
const ARRAY_KEYWORDS = ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"];
/** Keywords consumed while expanding a conjunction. */
const STRUCTURAL_KEYWORDS = new Set(["$ref", "allOf"]);

function pointerEscape(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted: equal values give equal keys. */
function canonicalKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalKey(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function typeOfValue(value: unknown): JsonType {
  if (value === null) return "null";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "array";
  return "object";
}

/** Whether a value of JSON type `t` is admitted by a type set (an integer is a number). */
function typeAdmitted(types: ReadonlySet<JsonType>, t: JsonType): boolean {
  return types.has(t) || (t === "integer" && types.has("number"));
}

class SchemaCompiler {
  private readonly build: DfaBuildOptions;
  private readonly compact: boolean;
  private readonly fields: readonly FieldConstraint[];
  private readonly fieldApplied: boolean[];
  private readonly ignoreUnknown: boolean;
  private combinations = 0;

  constructor(
    private readonly root: unknown,
    options: JsonSchemaOptions,
  ) {
    this.build = options.maxStates === undefined ? {} : { maxStates: options.maxStates };
    const whitespace = options.whitespace ?? "compact";
    if (whitespace !== "none" && whitespace !== "compact") throw new RangeError(`whitespace must be "none" or "compact", got ${String(whitespace)}`);
    this.compact = whitespace === "compact";
    this.fields = options.fields ?? [];
    this.fieldApplied = this.fields.map(() => false);
    this.ignoreUnknown = options.ignoreUnknownKeywords ?? false;
  }

  compileRoot(): ByteDfa {
    const dfa = this.compile([{ schema: this.root, path: "#" }], [], []);
    this.fields.forEach((field, i) => {
      if (!this.fieldApplied[i]) {
        throw new SchemaError(`field constraint on '${field.path.join(".")}': the schema has no string property at that path`, "#", undefined);
      }
    });
    if (isEmptyLanguage(dfa)) throw new SchemaError("no JSON value satisfies the schema (none that the generator writes)", "#", undefined);
    return dfa;
  }

  // ---------------------------------------------------------------- conjunctions

  /**
   * The values satisfying every schema of `conj`. `at` is the property path from the root
   * object (null inside arrays, where field constraints do not reach). `refs` are the $refs
   * expanded at enclosing values (meeting one again is recursion, refused); `here` those already
   * expanded at this value (meeting one again is X ∧ X, skipped).
   */
  private compile(conj: readonly Located[], at: readonly string[] | null, refs: readonly string[], here: ReadonlySet<string> = new Set()): ByteDfa {
    const expanded = this.expand(conj, refs, here);
    if (expanded === undefined) return emptyDfa();
    const { members, here: expandedHere } = expanded;
    const innerRefs = [...refs, ...expandedHere];
    const combinator = members.findIndex((m) => m.schema.anyOf !== undefined || m.schema.oneOf !== undefined);
    if (combinator >= 0) return this.compileBranches(members, combinator, at, refs, expandedHere);
    if (members.every((m) => Object.keys(m.schema).every((k) => !this.constrains(k))) && !this.fieldsBelow(at)) {
      return this.anyValue(ANY_VALUE_DEPTH);
    }
    return this.compileNode(members, at, innerRefs);
  }

  /** Whether a keyword constrains values (rather than annotating or structuring). */
  private constrains(keyword: string): boolean {
    return ENFORCED_KEYWORDS.has(keyword) && !STRUCTURAL_KEYWORDS.has(keyword);
  }

  /** Flattens booleans, $ref and allOf; undefined when some member is `false`. */
  private expand(conj: readonly Located[], outerRefs: readonly string[], here: ReadonlySet<string>): { members: Member[]; here: Set<string> } | undefined {
    const members: Member[] = [];
    const expandedHere = new Set(here);
    const work = [...conj];
    while (work.length > 0) {
      const { schema, path } = work.shift()!;
      if (schema === true) continue;
      if (schema === false) return undefined;
      if (!isPlainObject(schema)) throw new SchemaError("a schema must be an object or a boolean", path, undefined);
      this.checkKeywords(schema, path);
      members.push({ schema, path });
      const ref = schema.$ref;
      if (ref !== undefined) {
        if (typeof ref !== "string") throw new SchemaError("$ref must be a string", `${path}/$ref`, "$ref");
        // The same reference twice at one value adds nothing (X ∧ X = X).
        if (!expandedHere.has(ref)) {
          if (outerRefs.includes(ref)) {
            throw new SchemaError(`recursive $ref '${ref}' is not supported (the schema describes unboundedly nested values)`, `${path}/$ref`, "$ref");
          }
          expandedHere.add(ref);
          work.push({ schema: this.resolve(ref, `${path}/$ref`), path: ref });
        }
      }
      const allOf = schema.allOf;
      if (allOf !== undefined) {
        if (!Array.isArray(allOf) || allOf.length === 0) throw new SchemaError("allOf must be a non-empty array of schemas", `${path}/allOf`, "allOf");
        allOf.forEach((s, i) => work.push({ schema: s, path: `${path}/allOf/${i}` }));
      }
    }
    return { members, here: expandedHere };
  }

  private resolve(ref: string, path: string): unknown {
    if (!ref.startsWith("#")) throw new SchemaError(`only local references (#/…) are supported, not '${ref}'`, path, "$ref");
    if (ref === "#") return this.root;
    if (!ref.startsWith("#/")) throw new SchemaError(`anchor references like '${ref}' are not supported; use a JSON pointer (#/$defs/…)`, path, "$ref");
    let target: unknown = this.root;
    for (const raw of ref.slice(2).split("/")) {
      let segment: string;
      try {
        segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      } catch {
        throw new SchemaError(`malformed reference '${ref}'`, path, "$ref");
      }
      if (Array.isArray(target) && /^\d+$/.test(segment)) target = target[Number(segment)];
      else if (isPlainObject(target) && Object.prototype.hasOwnProperty.call(target, segment)) target = target[segment];
      else throw new SchemaError(`reference '${ref}' points to nothing in the schema`, path, "$ref");
    }
    return target;
  }

  private checkKeywords(schema: Readonly<Record<string, unknown>>, path: string): void {
    for (const [keyword, value] of Object.entries(schema)) {
      if (ANNOTATION_KEYWORDS.has(keyword) || keyword.startsWith("x-")) continue;
      if (keyword === "unevaluatedProperties" || keyword === "unevaluatedItems") {
        if (value === true || (isPlainObject(value) && Object.keys(value).length === 0)) continue;
        throw new SchemaError(`${keyword} is not supported (other than true)`, `${path}/${keyword}`, keyword);
      }
      if (ENFORCED_KEYWORDS.has(keyword)) continue;
      const refusal = REFUSED_KEYWORDS.get(keyword);
      if (refusal !== undefined) throw new SchemaError(refusal, `${path}/${pointerEscape(keyword)}`, keyword);
      if (this.ignoreUnknown) continue;
      const suggestion = closestKeyword(keyword);
      throw new SchemaError(
        `unknown keyword '${keyword}'${suggestion === undefined ? "" : ` (did you mean '${suggestion}'?)`}`,
        `${path}/${pointerEscape(keyword)}`,
        keyword,
      );
    }
  }

  /** Whether some field constraint reaches `at` or below it. */
  private fieldsBelow(at: readonly string[] | null): boolean {
    if (at === null) return false;
    return this.fields.some((f) => f.path.length >= at.length && at.every((name, i) => f.path[i] === name));
  }

  private fieldsAt(at: readonly string[] | null): number[] {
    if (at === null) return [];
    const out: number[] = [];
    this.fields.forEach((f, i) => {
      if (f.path.length === at.length && at.every((name, j) => f.path[j] === name)) out.push(i);
    });
    return out;
  }

  // ---------------------------------------------------------------- anyOf / oneOf

  private compileBranches(
    members: readonly Member[],
    index: number,
    at: readonly string[] | null,
    refs: readonly string[],
    here: ReadonlySet<string>,
  ): ByteDfa {
    const chosen = members[index]!;
    const keyword = chosen.schema.anyOf !== undefined ? "anyOf" : "oneOf";
    const branches = chosen.schema[keyword];
    const path = `${chosen.path}/${keyword}`;
    if (!Array.isArray(branches) || branches.length === 0) throw new SchemaError(`${keyword} must be a non-empty array of schemas`, path, keyword);
    // The other members (and the chosen one without this keyword) hold in every branch. $ref
    // and allOf are already expanded into `members`.
    const strip = (m: Member, drop: string | undefined): Located => {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(m.schema)) if (!STRUCTURAL_KEYWORDS.has(k) && k !== drop) copy[k] = v;
      return { schema: copy, path: m.path };
    };
    const rest = members.map((m, i) => strip(m, i === index ? keyword : undefined));
    const dfas: ByteDfa[] = [];
    const kept: number[] = [];
    branches.forEach((branch, i) => {
      if (++this.combinations > MAX_BRANCH_COMBINATIONS) {
        throw new SchemaError(`more than ${MAX_BRANCH_COMBINATIONS} combinations of anyOf/oneOf branches`, path, keyword);
      }
      const dfa = this.compile([...rest, { schema: branch, path: `${path}/${i}` }], at, refs, here);
      if (!isEmptyLanguage(dfa)) {
        dfas.push(dfa);
        kept.push(i);
      }
    });
    if (keyword === "oneOf") {
      const contextTypes = this.declaredTypes(members);
      for (let a = 0; a < kept.length; a++) {
        for (let b = a + 1; b < kept.length; b++) {
          const overlap = shortestWord(intersectDfa(dfas[a]!, dfas[b]!, this.build));
          if (overlap !== undefined) {
            throw new SchemaError(
              `oneOf branches ${kept[a]} and ${kept[b]} overlap (both admit ${new TextDecoder().decode(overlap)}), so their union is not exclusive`,
              path,
              "oneOf",
            );
          }
        }
      }
      // A validator checks every generated value against every branch, also against branches
      // the generator writes nothing for (their generated language may be empty where their
      // semantic one is not).
      for (const a of kept) {
        for (let b = 0; b < branches.length; b++) {
          if (b === a || (kept.includes(b) && b < a)) continue;
          if (!this.provablyExclusive(branches[a], branches[b], contextTypes)) {
            throw new SchemaError(
              `oneOf branches ${Math.min(a, b)} and ${Math.max(a, b)} may both match one value (they differ neither in type, nor in const/enum values, nor in a required const/enum property, nor in a property one requires and the other forbids)`,
              path,
              "oneOf",
            );
          }
        }
      }
    }
    if (dfas.length === 0) return emptyDfa();
    return dfas.length === 1 ? dfas[0]! : unionOfDfas(dfas, this.build, `${keyword} at ${path}`);
  }

  /**
   * Whether no JSON value can validate against both schemas: the generator writes only some of
   * the values of a branch, but a validator checks the others against every branch, with
   * additional properties and all. Conservative: a type, const/enum or discriminator difference.
   */
  private provablyExclusive(a: unknown, b: unknown, contextTypes: ReadonlySet<JsonType> | undefined): boolean {
    if (this.followRefs(a) === false || this.followRefs(b) === false) return true;
    const x = this.discriminators(a, contextTypes);
    const y = this.discriminators(b, contextTypes);
    if (x === undefined || y === undefined) return false;
    const disjointTypes = (s: ReadonlySet<JsonType>, t: ReadonlySet<JsonType>): boolean => [...s].every((type) => !typeAdmitted(t, type) && !(type === "number" && t.has("integer")));
    if (x.types !== undefined && y.types !== undefined && disjointTypes(x.types, y.types)) return true;
    if (x.values !== undefined && y.values !== undefined && [...x.values].every((v) => !y.values!.has(v))) return true;
    for (const [name, values] of x.properties) {
      const other = y.properties.get(name);
      if (other !== undefined && [...values].every((v) => !other.has(v))) return true;
    }
    // Objects only: a closed branch admits no value with a property another branch requires.
    const objectsOnly = (t: ReadonlySet<JsonType> | undefined): boolean => t !== undefined && t.size === 1 && t.has("object");
    if (objectsOnly(x.types) && objectsOnly(y.types)) {
      const excludes = (p: typeof x, q: typeof x): boolean => p.closed !== undefined && [...q.required].some((name) => !p.closed!.has(name));
      if (excludes(x, y) || excludes(y, x)) return true;
    }
    return false;
  }

  /**
   * What tells a schema's values apart: types (its own, else those of the schemas beside the
   * oneOf), const/enum values, required const/enum properties, required and (when
   * additionalProperties is false) allowed property names.
   */
  private discriminators(
    schema: unknown,
    contextTypes: ReadonlySet<JsonType> | undefined,
  ):
    | { types: ReadonlySet<JsonType> | undefined; values: Set<string> | undefined; properties: Map<string, Set<string>>; required: Set<string>; closed: Set<string> | undefined }
    | undefined {
    const resolved = this.followRefs(schema);
    if (!isPlainObject(resolved)) return undefined;
    const values = this.constValues(resolved);
    let types: ReadonlySet<JsonType> | undefined = contextTypes;
    const declared = resolved.type;
    if (typeof declared === "string" || Array.isArray(declared)) {
      const own = new Set((Array.isArray(declared) ? declared : [declared]).filter((t): t is JsonType => ALL_TYPES.includes(t as JsonType)));
      types = types === undefined ? own : new Set([...own].filter((t) => typeAdmitted(types!, t)));
    }
    const rawValues = Array.isArray(resolved.enum) ? resolved.enum : "const" in resolved ? [resolved.const] : undefined;
    if (rawValues !== undefined) {
      const valueTypes = new Set(rawValues.map(typeOfValue));
      types = types === undefined ? valueTypes : new Set([...valueTypes].filter((t) => typeAdmitted(types!, t)));
    }
    const properties = new Map<string, Set<string>>();
    const required = Array.isArray(resolved.required) ? resolved.required : [];
    if (isPlainObject(resolved.properties)) {
      for (const name of required) {
        if (typeof name !== "string") continue;
        const property = this.followRefs(resolved.properties[name]);
        if (!isPlainObject(property)) continue;
        const propertyValues = this.constValues(property);
        if (propertyValues !== undefined) properties.set(name, propertyValues);
      }
    }
    const closed = resolved.additionalProperties === false ? new Set(isPlainObject(resolved.properties) ? Object.keys(resolved.properties) : []) : undefined;
    return { types, values, properties, required: new Set(required.filter((n): n is string => typeof n === "string")), closed };
  }

  private constValues(schema: Readonly<Record<string, unknown>>): Set<string> | undefined {
    if (Array.isArray(schema.enum)) return new Set(schema.enum.map(canonicalKey));
    if ("const" in schema) return new Set([canonicalKey(schema.const)]);
    return undefined;
  }

  private followRefs(schema: unknown): unknown {
    let current = schema;
    for (let hops = 0; hops < 16 && isPlainObject(current) && typeof current.$ref === "string"; hops++) {
      try {
        current = this.resolve(current.$ref as string, "#");
      } catch {
        return undefined;
      }
    }
    return current;
  }

  // ---------------------------------------------------------------- one node

  private compileNode(members: readonly Member[], at: readonly string[] | null, refs: readonly string[]): ByteDfa {
    let types = this.typesOf(members);
    if (this.fieldsAt(at).some((i) => !this.fields[i]!.negate)) types = new Set([...types].filter((t) => t === "string"));
    const values = this.enumValues(members);
    if (values !== undefined) return this.compileEnum(members, values, types, at, refs);
    return this.compileTyped(members, types, at, refs);
  }

  /** The intersection of the declared `type`s (an integer is a number), or undefined when none is declared. */
  private declaredTypes(members: readonly Member[]): Set<JsonType> | undefined {
    let types: Set<JsonType> | undefined;
    for (const m of members) {
      const declared = m.schema.type;
      if (declared === undefined) continue;
      const list = Array.isArray(declared) ? declared : [declared];
      const set = new Set<JsonType>();
      for (const t of list) {
        if (typeof t !== "string" || !ALL_TYPES.includes(t as JsonType)) {
          throw new SchemaError(`unknown type ${JSON.stringify(t)} (expected one of ${ALL_TYPES.join(", ")})`, `${m.path}/type`, "type");
        }
        set.add(t as JsonType);
        if (t === "number") set.add("integer");
      }
      types = types === undefined ? set : new Set([...types].filter((t) => set.has(t)));
    }
    return types;
  }

  private typesOf(members: readonly Member[]): Set<JsonType> {
    const types = this.declaredTypes(members);
    if (types !== undefined) return types;
    // No declared type: the types whose keywords appear (a schema with properties means an object).
    const inferred = new Set<JsonType>();
    const uses = (keywords: readonly string[]): boolean => members.some((m) => keywords.some((k) => m.schema[k] !== undefined));
    if (uses(STRING_KEYWORDS)) inferred.add("string");
    if (uses(NUMBER_KEYWORDS)) inferred.add("number").add("integer");
    if (uses(OBJECT_KEYWORDS)) inferred.add("object");
    if (uses(ARRAY_KEYWORDS)) inferred.add("array");
    return inferred.size > 0 ? inferred : new Set(ALL_TYPES);
  }

  /** The values all `enum`/`const` keywords allow (by canonical JSON), or undefined when there are none. */
  private enumValues(members: readonly Member[]): unknown[] | undefined {
    let values: Map<string, unknown> | undefined;
    for (const m of members) {
      let list: unknown[] | undefined;
      if (m.schema.enum !== undefined) {
        if (!Array.isArray(m.schema.enum)) throw new SchemaError("enum must be an array", `${m.path}/enum`, "enum");
        list = m.schema.enum;
      }
      if ("const" in m.schema) list = list === undefined ? [m.schema.const] : list.filter((v) => canonicalKey(v) === canonicalKey(m.schema.const));
      if (list === undefined) continue;
      const here = new Map(list.map((v) => [canonicalKey(v), v] as const));
      values = values === undefined ? here : new Map([...values].filter(([k]) => here.has(k)));
    }
    return values === undefined ? undefined : [...values.values()];
  }

  private compileEnum(
    members: readonly Member[],
    values: readonly unknown[],
    types: ReadonlySet<JsonType>,
    at: readonly string[] | null,
    refs: readonly string[],
  ): ByteDfa {
    const allowed = values.filter((v) => typeAdmitted(types, typeOfValue(v)));
    // JSON.stringify escapes lone surrogates, so its output always encodes as UTF-8.
    const choice = choiceDfa(allowed.map((v) => JSON.stringify(v)), this.build);
    const otherConstraints = members.some((m) => Object.keys(m.schema).some((k) => this.constrains(k) && k !== "type" && k !== "enum" && k !== "const"));
    if (!otherConstraints && this.fieldsAt(at).length === 0) return choice;
    const valueTypes = new Set<JsonType>();
    for (const v of allowed) {
      const t = typeOfValue(v);
      valueTypes.add(t === "integer" ? (types.has("integer") ? "integer" : "number") : t);
    }
    // Free-form parts of the rest must reach as deep as the values do.
    const depth = Math.max(ANY_VALUE_DEPTH, ...allowed.map(nestingDepth));
    return intersectDfa(choice, this.compileTyped(members, valueTypes, at, refs, depth), this.build);
  }

  private compileTyped(
    members: readonly Member[],
    types: ReadonlySet<JsonType>,
    at: readonly string[] | null,
    refs: readonly string[],
    freeDepth = ANY_VALUE_DEPTH,
  ): ByteDfa {
    const parts: ByteDfa[] = [];
    if (types.has("null")) parts.push(literalDfa("null"));
    if (types.has("boolean")) parts.push(choiceDfa(["true", "false"]));
    if (types.has("number")) parts.push(this.numberDfa(members, false));
    else if (types.has("integer")) parts.push(this.numberDfa(members, true));
    if (types.has("string")) parts.push(this.stringDfa(members, at));
    if (types.has("object")) parts.push(this.objectDfa(members, at, refs, freeDepth));
    if (types.has("array")) parts.push(this.arrayDfa(members, refs, freeDepth));
    if (parts.length === 0) return emptyDfa();
    return parts.length === 1 ? parts[0]! : unionOfDfas(parts, this.build, "a value of several types");
  }

  // ---------------------------------------------------------------- scalars

  private regex(source: string, path: string, keyword: string): ByteDfa {
    try {
      return regexDfa(source, this.build);
    } catch (error) {
      if (error instanceof RegexSyntaxError) throw new SchemaError(`${keyword} cannot be compiled: ${error.message}`, path, keyword);
      throw error;
    }
  }

  /**
   * An automaton that depends only on `key` and the options (not on the schema), shared across
   * compilations: strings, numbers, patterns, formats, any-value.
   */
  private cached(key: string, make: () => ByteDfa): ByteDfa {
    const fullKey = `${this.compact ? "compact" : "none"}|${this.build.maxStates ?? "default"}|${key}`;
    let dfa = sharedAutomata.get(fullKey);
    if (dfa === undefined) {
      dfa = make();
      if (sharedAutomata.size >= SHARED_AUTOMATA_LIMIT) sharedAutomata.clear();
      sharedAutomata.set(fullKey, dfa);
    }
    return dfa;
  }

  private nonNegativeInteger(m: Member, keyword: string): number | undefined {
    const value = m.schema[keyword];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new SchemaError(`${keyword} must be a non-negative integer`, `${m.path}/${keyword}`, keyword);
    }
    return value;
  }

  private stringDfa(members: readonly Member[], at: readonly string[] | null): ByteDfa {
    let minLength = 0;
    let maxLength = Infinity;
    const constraints: ByteDfa[] = [];
    for (const m of members) {
      minLength = Math.max(minLength, this.nonNegativeInteger(m, "minLength") ?? 0);
      maxLength = Math.min(maxLength, this.nonNegativeInteger(m, "maxLength") ?? Infinity);
      const pattern = m.schema.pattern;
      if (pattern !== undefined) {
        if (typeof pattern !== "string") throw new SchemaError("pattern must be a string", `${m.path}/pattern`, "pattern");
        constraints.push(this.cached(`pattern:${pattern}`, () => this.regex(patternToRegex(pattern), `${m.path}/pattern`, "pattern")));
      }
      const format = m.schema.format;
      if (format !== undefined) {
        const source = typeof format === "string" ? FORMAT_REGEXES.get(format) : undefined;
        // Lenient: a format JSON Schema does not define is only an annotation to validators.
        if (source === undefined && this.ignoreUnknown && typeof format === "string" && !STANDARD_FORMATS.has(format)) continue;
        if (source === undefined) {
          throw new SchemaError(
            `format ${JSON.stringify(format)} is not supported (supported: ${[...FORMAT_REGEXES.keys()].join(", ")})`,
            `${m.path}/format`,
            "format",
          );
        }
        constraints.push(this.cached(`format:${format}`, () => this.regex(source, `${m.path}/format`, "format")));
      }
    }
    if (maxLength > MAX_LENGTH_BOUND && maxLength !== Infinity) maxLength = Math.max(minLength, MAX_LENGTH_BOUND);
    if (minLength > 0 || maxLength !== Infinity) constraints.push(utf8LengthDfa(minLength, maxLength, this.build));
    for (const i of this.fieldsAt(at)) {
      const field = this.fields[i]!;
      this.fieldApplied[i] = true;
      const matching = this.cached(`field:${field.regex}`, () => regexDfa(field.regex, this.build));
      constraints.push(field.negate ? this.cached(`not-field:${field.regex}`, () => complementWithinUtf8(matching, this.build)) : matching);
    }
    if (constraints.length === 0) return this.cached("string", () => jsonStringDfa(anyUtf8Dfa(), this.build));
    let decoded = constraints[0]!;
    for (const c of constraints.slice(1)) decoded = intersectDfa(decoded, c, this.build);
    return jsonStringDfa(decoded, this.build);
  }

  private numberDfa(members: readonly Member[], integerOnly: boolean): ByteDfa {
    type Bound = { value: number; exclusive: boolean; path: string; keyword: string };
    let lower: Bound | undefined;
    let upper: Bound | undefined;
    let divisor: number | undefined;
    const numeric = (m: Member, keyword: string): number | undefined => {
      const value = m.schema[keyword];
      if (value === undefined || typeof value === "boolean") return undefined;
      if (typeof value !== "number" || !Number.isFinite(value)) throw new SchemaError(`${keyword} must be a number`, `${m.path}/${keyword}`, keyword);
      return value;
    };
    const tighter = (current: Bound | undefined, next: Bound, up: boolean): Bound => {
      if (current === undefined) return next;
      const better = up ? next.value < current.value : next.value > current.value;
      return better || (next.value === current.value && next.exclusive) ? next : current;
    };
    for (const m of members) {
      const minimum = numeric(m, "minimum");
      const maximum = numeric(m, "maximum");
      // Draft 4 writes exclusiveness as a boolean beside minimum/maximum; later drafts as a number.
      if (minimum !== undefined) lower = tighter(lower, { value: minimum, exclusive: m.schema.exclusiveMinimum === true, path: `${m.path}/minimum`, keyword: "minimum" }, false);
      if (maximum !== undefined) upper = tighter(upper, { value: maximum, exclusive: m.schema.exclusiveMaximum === true, path: `${m.path}/maximum`, keyword: "maximum" }, true);
      const exclusiveMinimum = numeric(m, "exclusiveMinimum");
      const exclusiveMaximum = numeric(m, "exclusiveMaximum");
      if (exclusiveMinimum !== undefined) lower = tighter(lower, { value: exclusiveMinimum, exclusive: true, path: `${m.path}/exclusiveMinimum`, keyword: "exclusiveMinimum" }, false);
      if (exclusiveMaximum !== undefined) upper = tighter(upper, { value: exclusiveMaximum, exclusive: true, path: `${m.path}/exclusiveMaximum`, keyword: "exclusiveMaximum" }, true);
      const multipleOf = numeric(m, "multipleOf");
      if (multipleOf !== undefined) {
        if (!(multipleOf > 0)) throw new SchemaError("multipleOf must be greater than 0", `${m.path}/multipleOf`, "multipleOf");
        if (!Number.isInteger(multipleOf) || multipleOf > MAX_GENERATED_INTEGER) {
          throw new SchemaError("only integer multipleOf is supported (validators divide in floating point, so 0.07 is not a multiple of 0.01)", `${m.path}/multipleOf`, "multipleOf");
        }
        divisor = lcm(divisor ?? 1, multipleOf);
        if (divisor > MAX_GENERATED_INTEGER) throw new SchemaError("the multipleOf divisors have too large a common multiple", `${m.path}/multipleOf`, "multipleOf");
      }
    }
    // Any integer multipleOf (1 included) admits integers only.
    if (integerOnly || divisor !== undefined) {
      const lo = lower === undefined ? -MAX_GENERATED_INTEGER : Math.max(-MAX_GENERATED_INTEGER, lower.exclusive ? Math.floor(lower.value) + 1 : Math.ceil(lower.value));
      const hi = upper === undefined ? MAX_GENERATED_INTEGER : Math.min(MAX_GENERATED_INTEGER, upper.exclusive ? Math.ceil(upper.value) - 1 : Math.floor(upper.value));
      const source = lower === undefined && upper === undefined ? UNBOUNDED_INTEGER_SYNTAX : integerRangeRegex(lo, hi);
      if (source === undefined) return emptyDfa();
      const range = this.cached(`integer:${source}`, () => regexDfa(source, this.build));
      return divisor === undefined || divisor === 1 ? range : intersectDfa(range, multipleOfDfa(divisor, this.build), this.build);
    }
    if (lower === undefined && upper === undefined) return this.cached("number", () => regexDfa(UNBOUNDED_NUMBER_SYNTAX, this.build));
    const sources = [BOUNDED_DECIMAL_SYNTAX, NO_NEGATIVE_ZERO];
    for (const [bound, up] of [[lower, false], [upper, true]] as const) {
      if (bound === undefined) continue;
      // Generated decimals stay below 10^15 in magnitude, so farther bounds decide alone.
      if (Math.abs(bound.value) > MAX_GENERATED_INTEGER) {
        if ((bound.value > 0) !== up) return emptyDfa();
        continue;
      }
      // A bound with more digits than generated decimals have is tightened to one with fewer.
      const { decimal, exact } = roundDecimal(toDecimal(bound.value), up ? "down" : "up");
      const exclusive = bound.exclusive && exact;
      const relation: Relation = up ? (exclusive ? "lt" : "le") : exclusive ? "gt" : "ge";
      const source = decimalBoundRegex(decimal, relation);
      if (source === undefined) return emptyDfa();
      sources.push(source);
    }
    let dfa = this.cached(`decimal:${sources[0]}`, () => regexDfa(sources[0]!, this.build));
    for (const source of sources.slice(1)) dfa = intersectDfa(dfa, this.cached(`decimal:${source}`, () => regexDfa(source, this.build)), this.build);
    return dfa;
  }

  // ---------------------------------------------------------------- structures

  private separator(): ByteDfa {
    return this.cached("separator", () => (this.compact ? choiceDfa([",", ", "]) : literalDfa(",")));
  }

  private keyDfa(name: string): ByteDfa {
    const key = `${JSON.stringify(name)}:`;
    return this.compact ? choiceDfa([key, `${key} `]) : literalDfa(key);
  }

  /** Any JSON value nested at most `depth` deep. */
  private anyValue(depth: number): ByteDfa {
    return this.cached(`any:${depth}`, () => this.buildAnyValue(depth));
  }

  private buildAnyValue(depth: number): ByteDfa {
    const parts = [
      choiceDfa(["null", "true", "false"]),
      this.cached("number", () => regexDfa(UNBOUNDED_NUMBER_SYNTAX, this.build)),
      this.cached("string", () => jsonStringDfa(anyUtf8Dfa(), this.build)),
    ];
    if (depth > 0) {
      const inner = this.anyValue(depth - 1);
      parts.push(this.freeObject(inner), this.chain([], inner, 0, Infinity));
    }
    return unionOfDfas(parts, this.build, "any JSON value");
  }

  /** Objects with any keys (repeats possible), each value from `value`. */
  private freeObject(value: ByteDfa): ByteDfa {
    const assembly = new DfaAssembly();
    const [start, open, key, colon, valueStart, afterValue, end] = Array.from({ length: 7 }, () => assembly.glue()) as [number, number, number, number, number, number, number];
    assembly.literal("{", start, open);
    assembly.literal("}", open, end);
    assembly.link(open, key);
    assembly.embed(this.cached("string", () => jsonStringDfa(anyUtf8Dfa(), this.build)), key, colon);
    assembly.embed(this.cached("colon", () => (this.compact ? choiceDfa([":", ": "]) : literalDfa(":"))), colon, valueStart);
    assembly.embed(value, valueStart, afterValue);
    assembly.embed(this.separator(), afterValue, key);
    assembly.literal("}", afterValue, end);
    return assembly.build(start, end, this.build, "free-form object");
  }

  /**
   * Arrays whose item i is from `prefix[i]`, later items from `rest` (undefined: none), with
   * min to max items (max may be Infinity).
   */
  private chain(prefix: readonly ByteDfa[], rest: ByteDfa | undefined, min: number, max: number): ByteDfa {
    const assembly = new DfaAssembly();
    const start = assembly.glue();
    const end = assembly.glue();
    const itemAt = (i: number): ByteDfa | undefined => (i < prefix.length ? prefix[i] : rest);
    const bounded = max !== Infinity;
    const last = bounded ? max : Math.max(prefix.length, min, 1);
    // counts[i]: i items written so far.
    const counts = Array.from({ length: last + 1 }, () => assembly.glue());
    assembly.literal("[", start, counts[0]!);
    for (let i = 0; i <= last; i++) {
      if (i >= min) assembly.literal("]", counts[i]!, end);
      if (i === last && bounded) break;
      const item = itemAt(i);
      if (item === undefined) break;
      const target = i === last ? counts[last]! : counts[i + 1]!;
      if (i === 0) {
        assembly.embed(item, counts[0]!, target);
      } else {
        const afterComma = assembly.glue();
        assembly.embed(this.separator(), counts[i]!, afterComma);
        assembly.embed(item, afterComma, target);
      }
    }
    return assembly.build(start, end, this.build, "array");
  }

  private arrayDfa(members: readonly Member[], refs: readonly string[], freeDepth: number): ByteDfa {
    let min = 0;
    let max = Infinity;
    let unique = false;
    let uniquePath = "";
    type Parts = { prefix: Located[]; rest: Located | false | undefined };
    const parts: Parts[] = [];
    for (const m of members) {
      min = Math.max(min, this.nonNegativeInteger(m, "minItems") ?? 0);
      max = Math.min(max, this.nonNegativeInteger(m, "maxItems") ?? Infinity);
      if (m.schema.uniqueItems === true) {
        unique = true;
        uniquePath = `${m.path}/uniqueItems`;
      }
      const { items, prefixItems, additionalItems } = m.schema;
      if (prefixItems !== undefined && Array.isArray(items)) throw new SchemaError("items cannot be an array beside prefixItems", `${m.path}/items`, "items");
      const tuple = prefixItems !== undefined ? prefixItems : Array.isArray(items) ? items : [];
      const tupleKeyword = prefixItems !== undefined ? "prefixItems" : "items";
      if (!Array.isArray(tuple)) throw new SchemaError(`${tupleKeyword} must be an array of schemas`, `${m.path}/${tupleKeyword}`, tupleKeyword);
      const restValue = Array.isArray(items) ? additionalItems : items;
      const restKeyword = Array.isArray(items) ? "additionalItems" : "items";
      parts.push({
        prefix: tuple.map((s, i) => ({ schema: s, path: `${m.path}/${tupleKeyword}/${i}` })),
        rest: restValue === undefined ? undefined : restValue === false ? false : { schema: restValue, path: `${m.path}/${restKeyword}` },
      });
    }
    if (unique && max > 1) {
      throw new SchemaError("uniqueItems is only supported with maxItems ≤ 1 (a finite automaton cannot compare items)", uniquePath, "uniqueItems");
    }
    if (max !== Infinity && max > MAX_ITEMS_BOUND) max = Math.max(min, MAX_ITEMS_BOUND);
    if (min > max) return emptyDfa();
    const tupleLength = Math.max(0, ...parts.map((p) => p.prefix.length));
    const itemDfa = (index: number | "rest"): ByteDfa | undefined => {
      const conj: Located[] = [];
      for (const p of parts) {
        if (index !== "rest" && index < p.prefix.length) conj.push(p.prefix[index]!);
        else if (p.rest === false) return undefined;
        else if (p.rest !== undefined) conj.push(p.rest);
      }
      if (conj.length === 0) return this.anyValue(freeDepth - 1);
      const dfa = this.compile(conj, null, refs);
      return isEmptyLanguage(dfa) ? undefined : dfa;
    };
    const prefix: ByteDfa[] = [];
    for (let i = 0; i < Math.min(tupleLength, max === Infinity ? tupleLength : max); i++) {
      const dfa = itemDfa(i);
      if (dfa === undefined) {
        max = Math.min(max, i);
        break;
      }
      prefix.push(dfa);
    }
    if (min > max) return emptyDfa();
    const needRest = max === Infinity || max > prefix.length;
    const rest = needRest && prefix.length === tupleLength ? itemDfa("rest") : undefined;
    if (rest === undefined && prefix.length < max) max = prefix.length;
    if (min > max) return emptyDfa();
    return this.chain(prefix, rest, min, max);
  }

  private objectDfa(members: readonly Member[], at: readonly string[] | null, refs: readonly string[], freeDepth: number): ByteDfa {
    const names: string[] = [];
    const declared = new Set<string>();
    const required = new Set<string>();
    let minProperties = 0;
    let maxProperties = Infinity;
    let minPath = "";
    let maxPath = "";
    for (const m of members) {
      const properties = m.schema.properties;
      if (properties !== undefined) {
        if (!isPlainObject(properties)) throw new SchemaError("properties must be an object", `${m.path}/properties`, "properties");
        for (const name of Object.keys(properties)) {
          declared.add(name);
          if (!names.includes(name)) names.push(name);
        }
      }
      const list = m.schema.required;
      if (list !== undefined) {
        if (!Array.isArray(list) || list.some((n) => typeof n !== "string")) throw new SchemaError("required must be an array of strings", `${m.path}/required`, "required");
        for (const name of list as string[]) required.add(name);
      }
      const additional = m.schema.additionalProperties;
      if (additional !== undefined && typeof additional !== "boolean" && !isPlainObject(additional)) {
        throw new SchemaError("additionalProperties must be a schema", `${m.path}/additionalProperties`, "additionalProperties");
      }
      const lowest = this.nonNegativeInteger(m, "minProperties");
      if (lowest !== undefined && lowest > minProperties) [minProperties, minPath] = [lowest, `${m.path}/minProperties`];
      const highest = this.nonNegativeInteger(m, "maxProperties");
      if (highest !== undefined && highest < maxProperties) [maxProperties, maxPath] = [highest, `${m.path}/maxProperties`];
    }
    for (const name of required) if (!names.includes(name)) names.push(name);
    if (at !== null) {
      for (const field of this.fields) {
        if (field.negate || field.path.length <= at.length || !at.every((n, i) => field.path[i] === n)) continue;
        const name = field.path[at.length]!;
        if (declared.has(name)) required.add(name);
      }
    }
    if (names.length === 0) {
      if (minProperties > 0) throw new SchemaError("minProperties is only supported when the required properties fulfil it", minPath, "minProperties");
      if (maxProperties !== Infinity) throw new SchemaError("maxProperties is only supported on objects with declared properties", maxPath, "maxProperties");
      if (members.some((m) => m.schema.additionalProperties === false)) return literalDfa("{}");
      const conj = members.filter((m) => isPlainObject(m.schema.additionalProperties)).map((m) => ({ schema: m.schema.additionalProperties, path: `${m.path}/additionalProperties` }));
      const value = conj.length === 0 ? this.anyValue(freeDepth - 1) : this.compile(conj, null, refs);
      if (isEmptyLanguage(value)) return literalDfa("{}");
      return this.freeObject(value);
    }
    if (minProperties > required.size) throw new SchemaError("minProperties is only supported when the required properties fulfil it", minPath, "minProperties");
    type Entry = { name: string; value: ByteDfa; required: boolean };
    const entries: Entry[] = [];
    for (const name of names) {
      const conj: Located[] = [];
      let forbidden = false;
      for (const m of members) {
        const properties = m.schema.properties;
        if (isPlainObject(properties) && Object.prototype.hasOwnProperty.call(properties, name)) {
          conj.push({ schema: properties[name], path: `${m.path}/properties/${pointerEscape(name)}` });
        } else if (m.schema.additionalProperties === false) {
          forbidden = true;
        } else if (m.schema.additionalProperties !== undefined) {
          conj.push({ schema: m.schema.additionalProperties, path: `${m.path}/additionalProperties` });
        }
      }
      const isRequired = required.has(name);
      const value = forbidden ? emptyDfa() : this.compile(conj, at === null ? null : [...at, name], refs);
      if (isEmptyLanguage(value)) {
        if (isRequired) return emptyDfa();
        continue;
      }
      entries.push({ name, value, required: isRequired });
    }
    if (maxProperties < entries.length) {
      throw new SchemaError("maxProperties is only supported when it allows all declared properties", maxPath, "maxProperties");
    }
    return this.declaredObject(entries);
  }

  /** Objects with the given properties in order, the optional ones skippable. */
  private declaredObject(entries: ReadonlyArray<{ name: string; value: ByteDfa; required: boolean }>): ByteDfa {
    const assembly = new DfaAssembly();
    const start = assembly.glue();
    const end = assembly.glue();
    // noneYet[i] / someYet[i]: before property i, with no property / some property written.
    const noneYet = entries.map(() => assembly.glue());
    const someYet = entries.map(() => assembly.glue());
    noneYet.push(assembly.glue());
    someYet.push(assembly.glue());
    assembly.literal("{", start, noneYet[0]!);
    entries.forEach((entry, i) => {
      const keyStart = assembly.glue();
      const valueStart = assembly.glue();
      assembly.link(noneYet[i]!, keyStart);
      assembly.embed(this.separator(), someYet[i]!, keyStart);
      assembly.embed(this.keyDfa(entry.name), keyStart, valueStart);
      assembly.embed(entry.value, valueStart, someYet[i + 1]!);
      if (!entry.required) {
        assembly.link(noneYet[i]!, noneYet[i + 1]!);
        assembly.link(someYet[i]!, someYet[i + 1]!);
      }
    });
    assembly.literal("}", noneYet[entries.length]!, end);
    assembly.literal("}", someYet[entries.length]!, end);
    return assembly.build(start, end, this.build, "object");
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/** How deep arrays and objects nest in a value (0 for a scalar). */
function nestingDepth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(nestingDepth));
  if (isPlainObject(value)) return 1 + Math.max(0, ...Object.values(value).map(nestingDepth));
  return 0;
}
