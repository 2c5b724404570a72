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
 *   requires none is free-form: any keys, with values from `additionalProperties` (or any value),
 *   or, with `patternProperties`, keys matching exactly one of the patterns and values from its
 *   schema. `patternProperties` also apply to the declared properties whose names they match.
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
 *   same, provided the branches are provably exclusive: their generated languages are disjoint,
 *   and each value generated for one branch fails the others (they differ in type, in const/enum
 *   values, or in a required const/enum property, or the other requires a property the branch
 *   never writes). A oneOf of bare `required` lists on objects is made exact instead: each
 *   branch also leaves out a property of every other.
 * - `allOf`, `$ref` (local JSON pointers) and sibling keywords: conjunction, merged keyword by
 *   keyword. A recursive `$ref` is refused, or unfolded `recursionDepth` times.
 * - `dependentRequired`, `dependentSchemas`, draft-07 `dependencies`: the property absent, or
 *   present with what it demands (an anyOf, exact).
 * - `minProperties`/`maxProperties`: counted exactly over declared properties; on free-form
 *   objects (whose keys may repeat) `minProperties` at most 1.
 * - `not` of {}, `required`, `type`, `pattern`, or `enum`/`const` of strings, booleans and null
 *   (each has an exact positive form). `uniqueItems` only with `maxItems` ≤ 1; `unevaluated*`
 *   only when true.
 * - Refused: other `not`s, `if`/`then`/`else`, `contains`, `propertyNames`, dynamic/recursive
 *   refs, remote refs, non-integer `multipleOf`, patterns with lookaround or backreferences,
 *   formats other than the above, and unknown keywords (as likely typos, unless
 *   `ignoreUnknownKeywords`).
 * - `true`, `{}`, and values no keyword constrains: any JSON value nested at most ANY_VALUE_DEPTH
 *   deep.
 * - whitespace: none, or (`compact`, the default) at most one space after each `:` and `,`.
 * - without `type`, the types whose keywords the schema uses (a schema with `properties` is an
 *   object), or every type when it uses none.
 * Annotations (title, description, default, examples, $schema, $id, $comment, deprecated,
 * readOnly, writeOnly, content*, $defs/definitions, and `x-` extensions) are ignored.
 */
import type { ByteDfa } from "./byte-dfa.js";
import { choiceDfa, literalDfa } from "./constructions.js";
import { RegexSyntaxError } from "./errors.js";
import { emptyDfa, intersectDfa, isEmptyLanguage, productDfa, type DfaBuildOptions } from "./ops.js";
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
  /**
   * How many times a recursive `$ref` may be unfolded inside itself; deeper, the value is not
   * generated (an optional property is left out, a required one makes its object impossible).
   * Default 0: a recursive `$ref` is a SchemaError.
   */
  readonly recursionDepth?: number;
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
  /** Built by the compiler (from `not`): may hold the internal keywords, skips the keyword check. */
  readonly internal?: boolean;
}

/** Keywords only the compiler writes, into internal members: a pattern strings must not match, values to leave out. */
const NOT_PATTERN = "\u0000notPattern";
const NOT_VALUES = "\u0000notValues";

/** An object schema after $ref and allOf have been expanded into the conjunction it is part of. */
interface Member {
  readonly schema: Readonly<Record<string, unknown>>;
  readonly path: string;
}

const STRING_KEYWORDS = ["minLength", "maxLength", "pattern", "format"];
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
const OBJECT_KEYWORDS = ["properties", "patternProperties", "required", "additionalProperties", "minProperties", "maxProperties"];
const ARRAY_KEYWORDS = ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"];
/** Keywords turned into conjunction members (property present → more holds). */
const DEPENDENCY_KEYWORDS = ["dependencies", "dependentRequired", "dependentSchemas"];
/** Keywords consumed while expanding a conjunction. */
const STRUCTURAL_KEYWORDS = new Set(["$ref", "allOf", "not", ...DEPENDENCY_KEYWORDS]);

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
  private readonly recursionDepth: number;
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
    this.recursionDepth = options.recursionDepth ?? 0;
    if (!Number.isInteger(this.recursionDepth) || this.recursionDepth < 0) throw new RangeError(`recursionDepth must be a non-negative integer, got ${this.recursionDepth}`);
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
    return (ENFORCED_KEYWORDS.has(keyword) && !STRUCTURAL_KEYWORDS.has(keyword)) || keyword === NOT_PATTERN || keyword === NOT_VALUES;
  }

  /** Flattens booleans, $ref and allOf; undefined when some member is `false`. */
  private expand(conj: readonly Located[], outerRefs: readonly string[], here: ReadonlySet<string>): { members: Member[]; here: Set<string> } | undefined {
    const members: Member[] = [];
    const expandedHere = new Set(here);
    const work = [...conj];
    while (work.length > 0) {
      const { schema, path, internal } = work.shift()!;
      if (schema === true) continue;
      if (schema === false) return undefined;
      if (!isPlainObject(schema)) throw new SchemaError("a schema must be an object or a boolean", path, undefined);
      if (internal !== true) this.checkKeywords(schema, path);
      members.push({ schema, path });
      if (schema.not !== undefined) {
        const negation = this.negate(schema.not, `${path}/not`);
        if (negation === false) return undefined;
        if (negation !== true) work.push(negation);
      }
      const ref = schema.$ref;
      if (ref !== undefined) {
        if (typeof ref !== "string") throw new SchemaError("$ref must be a string", `${path}/$ref`, "$ref");
        // The same reference twice at one value adds nothing (X ∧ X = X).
        if (!expandedHere.has(ref)) {
          const depth = outerRefs.filter((r) => r === ref).length;
          if (depth > 0 && this.recursionDepth === 0) {
            throw new SchemaError(
              `recursive $ref '${ref}' is not supported (the schema describes unboundedly nested values; the recursionDepth option unfolds it a bounded number of times)`,
              `${path}/$ref`,
              "$ref",
            );
          }
          // Deeper than the bound, the value cannot be written (as if the schema were false).
          if (depth > this.recursionDepth) return undefined;
          expandedHere.add(ref);
          work.push({ schema: this.resolve(ref, `${path}/$ref`), path: ref });
        }
      }
      for (const keyword of DEPENDENCY_KEYWORDS) {
        if (schema[keyword] !== undefined) work.push(...this.dependencyMembers(schema[keyword], `${path}/${keyword}`, keyword));
      }
      const allOf = schema.allOf;
      if (allOf !== undefined) {
        if (!Array.isArray(allOf) || allOf.length === 0) throw new SchemaError("allOf must be a non-empty array of schemas", `${path}/allOf`, "allOf");
        allOf.forEach((s, i) => work.push({ schema: s, path: `${path}/allOf/${i}` }));
      }
    }
    return { members, here: expandedHere };
  }

  /**
   * `not S` for the forms with an exact positive counterpart: `{}`/true (nothing), false
   * (anything), `required` (objects lacking one of the names), `type` (the other types),
   * `pattern` (strings not matching it), `enum`/`const` of strings, booleans and null (the
   * other values). Other forms are refused.
   */
  private negate(schema: unknown, path: string): Located | boolean {
    const resolved = this.followRefs(schema);
    if (resolved === true) return false;
    if (resolved === false) return true;
    const refuse = (why: string): never => {
      throw new SchemaError(`this negation is not supported (${why}); supported: not {}, not {required}, not {type}, not {pattern}, not {enum/const} of strings, booleans or null`, path, "not");
    };
    if (!isPlainObject(resolved)) return refuse("not a schema");
    const keys = Object.keys(resolved).filter((k) => !ANNOTATION_KEYWORDS.has(k) && !k.startsWith("x-"));
    const only = (...allowed: string[]): boolean => keys.every((k) => allowed.includes(k));
    if (keys.length === 0) return false;
    if (only("required")) {
      const names = resolved.required;
      if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) return refuse("required must list names");
      if (names.length === 0) return false;
      // Non-objects satisfy any `required`, so only objects lacking a name satisfy its negation.
      return { schema: { type: "object", anyOf: (names as string[]).map((name) => ({ properties: { [name]: false } })) }, path, internal: true };
    }
    if (only("type")) {
      const declared = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
      const excluded = new Set<JsonType>();
      for (const t of declared) {
        if (typeof t !== "string" || !ALL_TYPES.includes(t as JsonType)) return refuse(`unknown type ${JSON.stringify(t)}`);
        excluded.add(t as JsonType);
        if (t === "number") excluded.add("integer");
      }
      // "Numbers that are not integers" has no type of its own here.
      if (excluded.has("integer") && !excluded.has("number")) return refuse("not integer");
      const remaining = ALL_TYPES.filter((t) => !excluded.has(t));
      return remaining.length === 0 ? false : { schema: { type: remaining }, path, internal: true };
    }
    if (only("pattern")) {
      if (typeof resolved.pattern !== "string") return refuse("pattern must be a string");
      return { schema: { type: "string", [NOT_PATTERN]: resolved.pattern }, path, internal: true };
    }
    if (only("enum", "const", "type")) {
      const values = Array.isArray(resolved.enum) ? [...resolved.enum] : [];
      if ("const" in resolved) values.push(resolved.const);
      // Written canonically, exactly as the generator writes them, so leaving the texts out
      // leaves the values out (numbers have other spellings, objects other spacings).
      if (values.some((v) => v !== null && typeof v !== "string" && typeof v !== "boolean")) return refuse("enum/const with numbers, arrays or objects");
      if (resolved.type !== undefined) {
        const declared = new Set(Array.isArray(resolved.type) ? resolved.type : [resolved.type]);
        if (values.some((v) => !declared.has(typeOfValue(v)))) return refuse("enum/const values outside its type");
      }
      return { schema: { [NOT_VALUES]: values }, path, internal: true };
    }
    return refuse(`keywords ${keys.join(", ")}`);
  }

  /**
   * `p → required qs` (dependentRequired, dependencies with an array) and `p → schema S`
   * (dependentSchemas, dependencies with a schema) as conjunction members: anyOf(p absent,
   * p present and qs present / S holds), which is exact.
   */
  private dependencyMembers(value: unknown, path: string, keyword: string): Located[] {
    if (!isPlainObject(value)) throw new SchemaError(`${keyword} must be an object`, path, keyword);
    return Object.entries(value).map(([name, dependency]) => {
      const at = `${path}/${pointerEscape(name)}`;
      const absent = { properties: { [name]: false } };
      let present: unknown;
      if (Array.isArray(dependency) && keyword !== "dependentSchemas") {
        if (dependency.some((d) => typeof d !== "string")) throw new SchemaError(`${keyword} lists must hold property names`, at, keyword);
        present = { required: [name, ...dependency] };
      } else if ((isPlainObject(dependency) || typeof dependency === "boolean") && keyword !== "dependentRequired") {
        present = { allOf: [{ required: [name] }, dependency] };
      } else {
        throw new SchemaError(`${keyword} values must be ${keyword === "dependentRequired" ? "arrays of names" : keyword === "dependentSchemas" ? "schemas" : "arrays of names or schemas"}`, at, keyword);
      }
      return { schema: { anyOf: [absent, present] }, path: at };
    });
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
      if (keyword === NOT_PATTERN || keyword === NOT_VALUES) continue; // internal members, copied into branches
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
    const contextTypes = this.declaredTypes(members);
    const objectsOnly = contextTypes !== undefined && contextTypes.size === 1 && contextTypes.has("object");
    // oneOf over `required` lists alone ("exactly one of these groups"): each branch excludes the
    // others by leaving out a property of each, which makes the union exact, so no check is needed.
    const exact = keyword === "oneOf" && objectsOnly ? this.exclusiveRequiredBranches(branches) : undefined;
    const compiledBranches = exact ?? branches;
    const dfas: ByteDfa[] = [];
    const kept: number[] = [];
    compiledBranches.forEach((branch, i) => {
      if (++this.combinations > MAX_BRANCH_COMBINATIONS) {
        throw new SchemaError(`more than ${MAX_BRANCH_COMBINATIONS} combinations of anyOf/oneOf branches`, path, keyword);
      }
      const dfa = this.compile([...rest, { schema: branch, path: `${path}/${i}` }], at, refs, here);
      if (!isEmptyLanguage(dfa)) {
        dfas.push(dfa);
        kept.push(i);
      }
    });
    if (keyword === "oneOf" && exact === undefined) {
      const emitted = branches.map((b) => this.emittedNames([...rest.map((r) => r.schema), b]));
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
      // semantic one is not): each value generated for branch a must fail every other branch b.
      for (const a of kept) {
        for (let b = 0; b < branches.length; b++) {
          if (b === a || this.provablyExclusive(branches[a], branches[b], contextTypes)) continue;
          if (objectsOnly && this.requiresOutside(branches[b], emitted[a])) continue;
          throw new SchemaError(
            `oneOf branches ${Math.min(a, b)} and ${Math.max(a, b)} may both match one value (they differ neither in type, nor in const/enum values, nor in a required const/enum property, nor in a property one requires that the other never has)`,
            path,
            "oneOf",
          );
        }
      }
    }
    if (dfas.length === 0) return emptyDfa();
    return dfas.length === 1 ? dfas[0]! : unionOfDfas(dfas, this.build, `${keyword} at ${path}`);
  }

  /**
   * For branches that only list required properties: branch i made exclusive by also demanding,
   * for each other branch j, that one of j's required properties that i does not require be
   * absent (a branch whose list contains another's can never be the only match: it is dropped).
   * Undefined when some branch has other keywords.
   */
  private exclusiveRequiredBranches(branches: readonly unknown[]): unknown[] | undefined {
    const lists: string[][] = [];
    for (const branch of branches) {
      const resolved = this.followRefs(branch);
      if (!isPlainObject(resolved)) return undefined;
      if (Object.keys(resolved).some((k) => k !== "required" && !ANNOTATION_KEYWORDS.has(k))) return undefined;
      const required = resolved.required;
      if (!Array.isArray(required) || required.some((n) => typeof n !== "string")) return undefined;
      lists.push(required as string[]);
    }
    return lists.map((mine, i) => {
      const exclusions: unknown[] = [];
      for (let j = 0; j < lists.length; j++) {
        if (j === i) continue;
        const missing = lists[j]!.filter((name) => !mine.includes(name));
        if (missing.length === 0) return false;
        exclusions.push({ anyOf: missing.map((name) => ({ properties: { [name]: false } })) });
      }
      return { allOf: [branches[i], ...exclusions] };
    });
  }

  /**
   * The property names the generator may write for an object satisfying all these schemas
   * (declared or required anywhere in them, through $ref and combinators), or undefined when
   * none is: then objects are free-form and may have any name.
   */
  private emittedNames(schemas: readonly unknown[]): Set<string> | undefined {
    const names = new Set<string>();
    const seen = new Set<unknown>();
    const visit = (schema: unknown): void => {
      const resolved = this.followRefs(schema);
      if (!isPlainObject(resolved) || seen.has(resolved)) return;
      seen.add(resolved);
      if (isPlainObject(resolved.properties)) for (const name of Object.keys(resolved.properties)) names.add(name);
      if (Array.isArray(resolved.required)) for (const name of resolved.required) if (typeof name === "string") names.add(name);
      for (const keyword of ["allOf", "anyOf", "oneOf"]) {
        const list = resolved[keyword];
        if (Array.isArray(list)) list.forEach(visit);
      }
    };
    schemas.forEach(visit);
    return names.size === 0 ? undefined : names;
  }

  /** Whether the schema requires a property outside `names` (so no object the generator writes with those names satisfies it). */
  private requiresOutside(schema: unknown, names: ReadonlySet<string> | undefined): boolean {
    const resolved = this.followRefs(schema);
    if (names === undefined || !isPlainObject(resolved) || !Array.isArray(resolved.required)) return false;
    return resolved.required.some((name) => typeof name === "string" && !names.has(name));
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
    let dfa = values !== undefined ? this.compileEnum(members, values, types, at, refs) : this.compileTyped(members, types, at, refs);
    const unwanted = members.flatMap((m) => (Array.isArray(m.schema[NOT_VALUES]) ? (m.schema[NOT_VALUES] as unknown[]) : []));
    if (unwanted.length > 0) dfa = productDfa(dfa, choiceDfa(unwanted.map((v) => JSON.stringify(v)), this.build), (x, y) => x && !y, this.build, "values left out by not");
    return dfa;
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
      const unwanted = m.schema[NOT_PATTERN];
      if (typeof unwanted === "string") {
        const matching = this.cached(`pattern:${unwanted}`, () => this.regex(patternToRegex(unwanted), m.path, "not"));
        constraints.push(this.cached(`not-pattern:${unwanted}`, () => complementWithinUtf8(matching, this.build)));
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
      parts.push(this.freeObject([[this.cached("string", () => jsonStringDfa(anyUtf8Dfa(), this.build)), inner]]), this.chain([], inner, 0, Infinity));
    }
    return unionOfDfas(parts, this.build, "any JSON value");
  }

  /** Objects with min to max members (keys may repeat), each a key and a value of one of the pairs. */
  private freeObject(pairs: ReadonlyArray<readonly [key: ByteDfa, value: ByteDfa]>, counts: PropertyCounts = { min: 0, max: Infinity }): ByteDfa {
    const assembly = new DfaAssembly();
    const start = assembly.glue();
    const end = assembly.glue();
    const { top, next } = countSteps(counts);
    // after[c]: c members written; keyAt[c]: about to write member c + 1.
    const after = Array.from({ length: top + 1 }, () => assembly.glue());
    const keyAt = Array.from({ length: top + 1 }, () => assembly.glue());
    const colonDfa = this.cached("colon", () => (this.compact ? choiceDfa([":", ": "]) : literalDfa(":")));
    assembly.literal("{", start, after[0]!);
    assembly.link(after[0]!, keyAt[0]!);
    for (let c = 0; c <= top; c++) {
      if (c >= counts.min) assembly.literal("}", after[c]!, end);
      if (c > 0) assembly.embed(this.separator(), after[c]!, keyAt[c]!);
      const written = next(c);
      if (written === undefined) continue;
      for (const [keyDfa, value] of pairs) {
        const colon = assembly.glue();
        const valueStart = assembly.glue();
        assembly.embed(keyDfa, keyAt[c]!, colon);
        assembly.embed(colonDfa, colon, valueStart);
        assembly.embed(value, valueStart, after[written]!);
      }
    }
    return assembly.build(start, end, this.build, "free-form object");
  }

  /** The patternProperties of a member, each with an exact (ECMAScript) test of a name. */
  private patternPropertiesOf(m: Member): Array<{ pattern: string; schema: unknown; path: string; matches: (name: string) => boolean }> {
    const value = m.schema.patternProperties;
    if (value === undefined) return [];
    if (!isPlainObject(value)) throw new SchemaError("patternProperties must be an object", `${m.path}/patternProperties`, "patternProperties");
    return Object.entries(value).map(([pattern, schema]) => {
      const path = `${m.path}/patternProperties/${pointerEscape(pattern)}`;
      let regex: RegExp;
      try {
        regex = new RegExp(pattern, "u");
      } catch (error) {
        throw new SchemaError(`invalid pattern: ${(error as Error).message}`, path, "patternProperties");
      }
      return { pattern, schema, path, matches: (name: string) => regex.test(name) };
    });
  }

  /**
   * Objects without declared properties whose names come from patternProperties: a name from
   * pattern k matches no other pattern (so exactly S_k applies, and each member's
   * additionalProperties where that member does not own pattern k).
   */
  private patternObject(
    members: readonly Member[],
    patterns: ReadonlyArray<{ pattern: string; schema: unknown; path: string; member: Member }>,
    refs: readonly string[],
    counts: PropertyCounts,
  ): ByteDfa {
    const decodedOf = (p: (typeof patterns)[number]): ByteDfa =>
      this.cached(`pattern:${p.pattern}`, () => this.regex(patternToRegex(p.pattern), p.path, "patternProperties"));
    const pairs: Array<[ByteDfa, ByteDfa]> = [];
    patterns.forEach((p, k) => {
      let names = decodedOf(p);
      patterns.forEach((other, j) => {
        if (j !== k && other.pattern !== p.pattern) names = intersectDfa(names, complementWithinUtf8(decodedOf(other), this.build), this.build);
      });
      if (isEmptyLanguage(names)) return;
      const conj: Located[] = [];
      for (const m of members) {
        const owned = patterns.filter((q) => q.member === m && q.pattern === p.pattern);
        if (owned.length > 0) conj.push(...owned.map((q) => ({ schema: q.schema, path: q.path })));
        else if (m.schema.additionalProperties === false) return;
        else if (m.schema.additionalProperties !== undefined) conj.push({ schema: m.schema.additionalProperties, path: `${m.path}/additionalProperties` });
      }
      const value = this.compile(conj, null, refs);
      if (!isEmptyLanguage(value)) pairs.push([jsonStringDfa(names, this.build), value]);
    });
    if (pairs.length === 0) return counts.min === 0 ? literalDfa("{}") : emptyDfa();
    return this.freeObject(pairs, counts);
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
      if (highest !== undefined) maxProperties = Math.min(maxProperties, highest);
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
      // Free-form keys may repeat, and JSON.parse keeps one of each: more than one member does
      // not guarantee more than one property.
      if (minProperties > 1) throw new SchemaError("minProperties above 1 is only supported on objects with declared properties", minPath, "minProperties");
      const counts = { min: minProperties, max: maxProperties };
      const patterns = members.flatMap((m) => this.patternPropertiesOf(m).map((p) => ({ ...p, member: m })));
      if (patterns.length > 0) return this.patternObject(members, patterns, refs, counts);
      const empty = minProperties === 0 ? literalDfa("{}") : emptyDfa();
      if (members.some((m) => m.schema.additionalProperties === false)) return empty;
      const conj = members.filter((m) => isPlainObject(m.schema.additionalProperties)).map((m) => ({ schema: m.schema.additionalProperties, path: `${m.path}/additionalProperties` }));
      const value = conj.length === 0 ? this.anyValue(freeDepth - 1) : this.compile(conj, null, refs);
      if (isEmptyLanguage(value)) return empty;
      return this.freeObject([[this.cached("string", () => jsonStringDfa(anyUtf8Dfa(), this.build)), value]], counts);
    }
    type Entry = { name: string; value: ByteDfa; required: boolean };
    const entries: Entry[] = [];
    for (const name of names) {
      const conj: Located[] = [];
      let forbidden = false;
      for (const m of members) {
        const properties = m.schema.properties;
        const own = isPlainObject(properties) && Object.prototype.hasOwnProperty.call(properties, name);
        if (own) conj.push({ schema: properties[name], path: `${m.path}/properties/${pointerEscape(name)}` });
        // patternProperties apply to every name they match, declared or not; additionalProperties
        // to the names neither declared nor matched.
        const matched = this.patternPropertiesOf(m).filter((p) => p.matches(name));
        for (const p of matched) conj.push({ schema: p.schema, path: p.path });
        if (own || matched.length > 0) continue;
        if (m.schema.additionalProperties === false) forbidden = true;
        else if (m.schema.additionalProperties !== undefined) conj.push({ schema: m.schema.additionalProperties, path: `${m.path}/additionalProperties` });
      }
      const isRequired = required.has(name);
      const value = forbidden ? emptyDfa() : this.compile(conj, at === null ? null : [...at, name], refs);
      if (isEmptyLanguage(value)) {
        if (isRequired) return emptyDfa();
        continue;
      }
      entries.push({ name, value, required: isRequired });
    }
    return this.declaredObject(entries, { min: minProperties, max: maxProperties });
  }

  /**
   * Objects with the given properties in order, the optional ones skippable, with between
   * `counts.min` and `counts.max` of them. The glue state before property i is split by how
   * many were written (saturating where no maximum applies), which also tells whether a comma
   * comes first.
   */
  private declaredObject(entries: ReadonlyArray<{ name: string; value: ByteDfa; required: boolean }>, counts: PropertyCounts): ByteDfa {
    const assembly = new DfaAssembly();
    const start = assembly.glue();
    const end = assembly.glue();
    const { top, next } = countSteps(counts);
    const before = Array.from({ length: entries.length + 1 }, () => Array.from({ length: top + 1 }, () => assembly.glue()));
    assembly.literal("{", start, before[0]![0]!);
    entries.forEach((entry, i) => {
      const key = this.keyDfa(entry.name);
      for (let c = 0; c <= top; c++) {
        const from = before[i]![c]!;
        if (!entry.required) assembly.link(from, before[i + 1]![c]!);
        const written = next(c);
        if (written === undefined) continue;
        const keyStart = assembly.glue();
        const valueStart = assembly.glue();
        if (c === 0) assembly.link(from, keyStart);
        else assembly.embed(this.separator(), from, keyStart);
        assembly.embed(key, keyStart, valueStart);
        assembly.embed(entry.value, valueStart, before[i + 1]![written]!);
      }
    });
    for (let c = counts.min > top ? top + 1 : counts.min; c <= top; c++) assembly.literal("}", before[entries.length]![c]!, end);
    return assembly.build(start, end, this.build, "object");
  }
}

/** Bounds on the number of properties of an object. */
interface PropertyCounts {
  readonly min: number;
  readonly max: number;
}

/**
 * Counting written properties: counts 0 … top are told apart; the count after one more is
 * `next(c)` (saturating at top without a maximum; undefined past the maximum).
 */
function countSteps(counts: PropertyCounts): { top: number; next: (c: number) => number | undefined } {
  if (counts.max !== Infinity) return { top: counts.max, next: (c) => (c < counts.max ? c + 1 : undefined) };
  const top = Math.max(counts.min, 1);
  return { top, next: (c) => Math.min(c + 1, top) };
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
