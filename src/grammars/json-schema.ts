/**
 * JSON Schema → minimal DFA over UTF-8 bytes: JSON texts every one of which JSON.parses and
 * validates against the schema. It is an under-approximation by design: where the schema allows
 * more than a finite automaton of sane size can express, a well-defined subset is written
 * (below, and the warnings say where); where a keyword cannot be enforced at all, the schema is
 * refused with a SchemaError pointing at the keyword, never silently weakened.
 *
 * Two modes. `narrow` (the default, for generation) writes one plain spelling of each value:
 * declared properties in the schema's order, no extra properties, plain format spellings.
 * `complete` accepts every valid instance within the bounds below: extra properties where
 * additionalProperties/patternProperties allow them, declared properties in any order (for as
 * many as fit, json-schema-objects.ts), free-form values COMPLETE_ANY_VALUE_DEPTH deep, longer
 * strings and arrays, the full syntax of formats. Parts whose complete automaton would be too
 * large are written as in narrow mode (a warning says so).
 *
 * What is written:
 * - objects: the properties declared in `properties` (of all the schemas that apply), optional
 *   ones skippable, required ones (and those a positive field constraint names) always present,
 *   each at most once. An object schema that declares no properties and requires none is
 *   free-form: any keys, with values from `additionalProperties` (or any value), or, with
 *   `patternProperties`, keys matching exactly one of the patterns and values from its schema.
 *   `patternProperties` also apply to the declared properties whose names they match.
 * - arrays: `prefixItems` (or draft-07 `items: [...]`) then `items` (`additionalItems`), between
 *   `minItems` and `maxItems` (lowered to MAX_ITEMS_BOUND, or to what fits for large items);
 *   `contains` with `minContains`/`maxContains` counted exactly; `uniqueItems` exact over finite
 *   item domains (enums, booleans …) and one item per JSON type where the domain is infinite
 *   (json-schema-arrays.ts).
 * - strings: valid UTF-8 contents within `minLength`/`maxLength` code points (a `maxLength` above
 *   MAX_LENGTH_BOUND lowered to it), matching every `pattern` (an unanchored ECMAScript search,
 *   json-schema-patterns.ts) and `format` (json-schema-keywords.ts: a plain subset of each in
 *   narrow mode, the full syntax where a regular expression can say it in complete mode),
 *   escaped canonically as JSON.stringify does.
 * - integers: at most 15 digits, within the bounds, multiples of an integer `multipleOf`.
 *   Numbers: with bounds, plain decimals of at most 15 digits compared exactly with the bounds
 *   (a bound with more significant digits is tightened to 15); without, optionally an exponent
 *   of at most two digits. A decimal `multipleOf` (0.01, 0.25 …): the multiples of 1/2^e that
 *   a validator's floating-point division finds exact (dyadicStep).
 * - `enum`/`const`: the values (that the rest of the schema allows) as JSON.stringify writes them.
 * - `anyOf`: the union of the branches, each combined with the rest of the schema. `oneOf`:
 *   exclusive by construction, each branch combined with the negations of the others
 *   (skipped where the branches differ in type, const/enum, a discriminating property, or one
 *   requires a property the other leaves out).
 * - `not S` (json-schema-negation.ts): the union of the complements of S's keywords, exact
 *   where each keyword has a written complement (type, enum, bounds, lengths, pattern,
 *   required, properties, items, anyOf/allOf/oneOf, if …); a keyword without one (format,
 *   uniqueItems …) narrows it, with a warning. `if`/`then`/`else`: (if ∧ then) ∨ (¬if ∧ else).
 * - `allOf`, `$ref` (local JSON pointers and #anchors) and sibling keywords: conjunction,
 *   merged keyword by keyword. A recursive `$ref` is unfolded `recursionDepth` times (fewer
 *   where deeper would be too large); deeper values are not written.
 * - `dependentRequired`, `dependentSchemas`, draft-07 `dependencies`: the property absent, or
 *   present with what it demands (an anyOf, exact).
 * - `minProperties`/`maxProperties`: counted exactly over declared properties; on free-form
 *   objects (whose keys may repeat) `minProperties` at most 1.
 * - `unevaluated*` only when true. Refused: `propertyNames`, dynamic refs, remote refs, other
 *   decimal `multipleOf`s, patterns with lookaround or backreferences, standard formats without
 *   a regular expression.
 * - `true`, `{}`, and values no keyword constrains: any JSON value nested at most
 *   ANY_VALUE_DEPTH deep (COMPLETE_ANY_VALUE_DEPTH in complete mode, or `freeFormDepth`).
 * - whitespace: none, or (`compact`, the default) at most one space after each `:` and `,`.
 * - without `type`, the types whose keywords the schema uses (a schema with `properties` is an
 *   object), or every type when it uses none.
 * Annotations (title, description, default, examples, $schema, $id, $comment, deprecated,
 * readOnly, writeOnly, content*, $defs/definitions, and `x-` extensions) are ignored silently;
 * keywords and formats JSON Schema does not define are ignored with a warning (validators
 * ignore them too), or refused with `unknownKeywords: "error"`.
 */
import type { ByteDfa } from "./byte-dfa.js";
import { choiceDfa, literalDfa } from "./constructions.js";
import { AutomatonTooLargeError, RegexSyntaxError } from "./errors.js";
import { DEFAULT_MAX_STATES, concatDfa, emptyDfa, intersectDfa, isEmptyLanguage, productDfa, type DfaBuildOptions } from "./ops.js";
import { regexDfa } from "./regex.js";
import { DfaAssembly, anyUtf8Dfa, complementWithinUtf8, jsonStringDfa, multipleOfDfa, unionOfDfas, utf8LengthDfa } from "./json-schema-automata.js";
import { ANNOTATION_KEYWORDS, COMPLETE_FORMAT_REGEXES, ENFORCED_KEYWORDS, FORMAT_REGEXES, REFUSED_KEYWORDS, STANDARD_FORMATS, closestKeyword, patternToRegex } from "./json-schema-keywords.js";
import { WarningLog, type SchemaWarning } from "./json-schema-warnings.js";
import { ALL_TYPES, canonicalKey, isPlainObject, pointerEscape, typeAdmitted, typeOfValue, type JsonType } from "./json-schema-values.js";
import { provablyExclusive, requiredOutside, writtenNames } from "./json-schema-exclusive.js";
import { arrayChainDfa, uniqueArrayDfa, type ItemLanguages } from "./json-schema-arrays.js";
import { anyOrderObjectDfa, chooseLayout } from "./json-schema-objects.js";
import {
  CONJUNCTS,
  CONTAINS,
  DISJUNCTS,
  INTERNAL_KEYWORDS,
  NEGATE,
  NOT_INTEGER,
  NOT_MULTIPLE_OF,
  NOT_PATTERN,
  NOT_VALUES,
  SOME_PROPERTY,
  internal,
  isInternal,
  negate,
  type Located,
  type NegationContext,
  type SomeProperty,
} from "./json-schema-negation.js";
import {
  BOUNDED_DECIMAL_SYNTAX,
  MAX_GENERATED_INTEGER,
  NO_NEGATIVE_ZERO,
  UNBOUNDED_INTEGER_SYNTAX,
  UNBOUNDED_NUMBER_SYNTAX,
  decimalBoundRegex,
  dyadicDecimalRegex,
  dyadicStep,
  integerRangeRegex,
  roundDecimal,
  toDecimal,
  type Relation,
} from "./json-schema-numbers.js";

export { formatWarnings, type SchemaWarning } from "./json-schema-warnings.js";
export { dyadicStep } from "./json-schema-numbers.js";

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
   * Keywords JSON Schema does not define (vendor extensions, custom annotations, typos) and
   * `format` names it does not define: validators ignore both, so ignoring them is sound.
   * "warn" (default): ignored, each reported as a warning (with a did-you-mean for likely
   * typos); "ignore": ignored silently; "error": refused with a SchemaError naming it.
   */
  readonly unknownKeywords?: "warn" | "ignore" | "error";
  /** Older spelling of `unknownKeywords: "ignore"` (true); false leaves `unknownKeywords` in charge. */
  readonly ignoreUnknownKeywords?: boolean;
  /**
   * How many times a recursive `$ref` may be unfolded inside itself; deeper, the value is not
   * written (an optional property is left out, a required one makes its object impossible).
   * Default DEFAULT_RECURSION_DEPTH; 0 refuses a recursive `$ref` with a SchemaError.
   */
  readonly recursionDepth?: number;
  /**
   * "narrow" (default): the generator's language (declared properties in the schema's order, no
   * extra properties, plain spellings of formats); "complete": every valid instance within the
   * documented bounds (extra properties, any property order, deeper free-form values, full
   * format syntax). See the module comment and README.
   */
  readonly mode?: "narrow" | "complete";
  /** How deep values no keyword constrains may nest (default ANY_VALUE_DEPTH, or COMPLETE_ANY_VALUE_DEPTH in complete mode). */
  readonly freeFormDepth?: number;
  /** Called with each warning (ignored keywords, lowered bounds, unfolded recursion …). */
  readonly onWarning?: (warning: SchemaWarning) => void;
}

/** The automaton and the warnings of one compilation. */
export interface CompiledJsonSchema {
  readonly dfa: ByteDfa;
  readonly warnings: readonly SchemaWarning[];
}

/** How deep values that no keyword constrains may nest (`{}`, `true`, free-form objects and arrays). */
export const ANY_VALUE_DEPTH = 3;
/** The same in complete mode. */
export const COMPLETE_ANY_VALUE_DEPTH = 4;
/** How many times a recursive `$ref` is unfolded inside itself by default. */
export const DEFAULT_RECURSION_DEPTH = 3;
/** `maxLength` above this (and above `minLength`) is lowered to it. */
export const MAX_LENGTH_BOUND = 512;
/** `maxItems` above this (and above `minItems`) is lowered to it. */
export const MAX_ITEMS_BOUND = 32;
/** Complete mode: how deep the values of extra properties beside declared ones may nest (free-form ones: COMPLETE_ANY_VALUE_DEPTH). */
export const COMPLETE_EXTRA_VALUE_DEPTH = 2;
/** The same two bounds in complete mode. */
export const COMPLETE_MAX_LENGTH_BOUND = 2048;
export const COMPLETE_MAX_ITEMS_BOUND = 128;
/** At most this many branch combinations of anyOf/oneOf/not are compiled for one schema. */
export const MAX_BRANCH_COMBINATIONS = 2048;
/** A oneOf branch is combined with the negations of the others at once when their disjuncts make at most this many combinations. */
const ONE_OF_JOINT_NEGATIONS = 64;
/** Estimated states one complete-mode object may take for its any-order layout (json-schema-objects.ts). */
const OBJECT_LAYOUT_BUDGET = 20_000;
/** A too-large pattern and length bound are lowered down to this length at most. */
const MIN_LOWERED_LENGTH = 16;
/** All the automata of one compilation have at most this many times maxStates states together. */
const WORK_PER_STATE_LIMIT = 10;

/** The minimal, trimmed DFA of the JSON texts generated for `schema` (see the module comment). */
export function jsonSchemaDfa(schema: unknown, options: JsonSchemaOptions = {}): ByteDfa {
  return compileJsonSchema(schema, options).dfa;
}

/** jsonSchemaDfa, with the warnings of the compilation (also passed to `options.onWarning`). */
export function compileJsonSchema(schema: unknown, options: JsonSchemaOptions = {}): CompiledJsonSchema {
  // Recursion unfolded too deep can make the automaton too large: unfold less, down to once.
  let depth = options.recursionDepth ?? DEFAULT_RECURSION_DEPTH;
  let compiler: SchemaCompiler;
  let dfa: ByteDfa;
  for (;;) {
    compiler = new SchemaCompiler(schema, { ...options, recursionDepth: depth });
    try {
      dfa = compiler.compileRoot();
      break;
    } catch (error) {
      if (!(error instanceof AutomatonTooLargeError) || depth <= 1 || !compiler.unfoldedRecursion) throw error;
      depth--;
    }
  }
  if (depth < (options.recursionDepth ?? DEFAULT_RECURSION_DEPTH)) {
    compiler.warnings.add("unfolded-recursion", "$ref", "#", `recursion is unfolded only ${depth} time${depth === 1 ? "" : "s"}: deeper made the automaton too large (${compiler.work} states built)`);
  }
  const warnings = compiler.warnings.list();
  for (const w of warnings) options.onWarning?.(w);
  return { dfa, warnings };
}

/** Schema-independent automata by options and key; cleared when it grows past the limit. */
const sharedAutomata = new Map<string, ByteDfa>();
const SHARED_AUTOMATA_LIMIT = 1000;


/** All the automata of one compilation together exceed the work limit (complete mode does not fall back on it). */
class WorkLimitError extends AutomatonTooLargeError {
  constructor(limit: number, states: number) {
    super("the automata of this schema together", limit, states);
  }
}

/** The $refs expanded at one value: as conjuncts (met again: X ∧ X, skipped) and inside negations (counted for recursion only). */
interface RefsHere {
  readonly positive: ReadonlySet<string>;
  readonly negated: ReadonlySet<string>;
}

const NO_REFS_HERE: RefsHere = { positive: new Set(), negated: new Set() };

/** The branches of a DISJUNCTS member; `lossy` ones (from negations) are left out when they cannot be compiled. */
interface Disjuncts {
  readonly branches: readonly Located[];
  readonly lossy: boolean;
}

/** An object schema after $ref and allOf have been expanded into the conjunction it is part of. */
interface Member {
  readonly schema: Readonly<Record<string, unknown>>;
  readonly path: string;
}

const STRING_KEYWORDS = ["minLength", "maxLength", "pattern", "format"];
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
const OBJECT_KEYWORDS = ["properties", "patternProperties", "required", "additionalProperties", "minProperties", "maxProperties"];
const ARRAY_KEYWORDS = ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"];
/** Decimals with a non-zero fractional digit and no exponent: never integers, in any draft. */
const FRACTIONAL_DECIMAL = "-?(?:0|[1-9]\\d*)\\.\\d*[1-9]\\d*";
/** Keywords turned into conjunction members (property present → more holds). */
const DEPENDENCY_KEYWORDS = ["dependencies", "dependentRequired", "dependentSchemas"];
/** Keywords consumed while expanding a conjunction. */
const STRUCTURAL_KEYWORDS = new Set(["$ref", "allOf", "not", "if", "then", "else", NEGATE, CONJUNCTS, SOME_PROPERTY, ...DEPENDENCY_KEYWORDS]);


/** An internal keyword's value, read only from schemas the compiler built. */
function internalValue(schema: unknown, keyword: string): unknown {
  return isInternal(schema) ? (schema as Record<string, unknown>)[keyword] : undefined;
}





class SchemaCompiler {
  private readonly build: DfaBuildOptions;
  private readonly compact: boolean;
  private readonly fields: readonly FieldConstraint[];
  private readonly fieldApplied: boolean[];
  private readonly unknownKeywords: "warn" | "ignore" | "error";
  private readonly recursionDepth: number;
  private readonly completeMode: boolean;
  /** >0 while a part too large for complete mode is compiled as in narrow mode. */
  private narrowed = 0;
  private readonly freeFormDepths: { readonly narrow: number; readonly complete: number };
  /** Draft 2019-09 and later: keywords beside $ref apply (earlier drafts ignore them). */
  private readonly refSiblingsApply: boolean;
  readonly warnings = new WarningLog();
  private combinations = 0;
  private readonly memo = new Map<string, ByteDfa>();
  /** States of all the automata compiled so far, bounded by workLimit (the cost of compiling). */
  work = 0;
  private readonly workLimit: number;
  /** Whether a recursive $ref was met (and unfolded or cut). */
  unfoldedRecursion = false;
  private readonly ids = new Map<object, number>();

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
    this.unknownKeywords = options.unknownKeywords ?? (options.ignoreUnknownKeywords === true ? "ignore" : "warn");
    if (!["warn", "ignore", "error"].includes(this.unknownKeywords)) throw new RangeError(`unknownKeywords must be "warn", "ignore" or "error", got ${String(this.unknownKeywords)}`);
    this.recursionDepth = options.recursionDepth ?? DEFAULT_RECURSION_DEPTH;
    if (!Number.isInteger(this.recursionDepth) || this.recursionDepth < 0) throw new RangeError(`recursionDepth must be a non-negative integer, got ${this.recursionDepth}`);
    const mode = options.mode ?? "narrow";
    if (mode !== "narrow" && mode !== "complete") throw new RangeError(`mode must be "narrow" or "complete", got ${String(mode)}`);
    this.completeMode = mode === "complete";
    const depth = options.freeFormDepth;
    if (depth !== undefined && (!Number.isInteger(depth) || depth < 0)) throw new RangeError(`freeFormDepth must be a non-negative integer, got ${depth}`);
    this.freeFormDepths = { narrow: depth ?? ANY_VALUE_DEPTH, complete: depth ?? COMPLETE_ANY_VALUE_DEPTH };
    this.workLimit = WORK_PER_STATE_LIMIT * (options.maxStates ?? DEFAULT_MAX_STATES);
    const draft = isPlainObject(root) && typeof root.$schema === "string" ? root.$schema : "";
    this.refSiblingsApply = /2019-09|2020-12/.test(draft);
  }

  /** Complete mode, unless this part is compiled as in narrow mode. */
  private get complete(): boolean {
    return this.completeMode && this.narrowed === 0;
  }

  private get freeFormDepth(): number {
    return this.complete ? this.freeFormDepths.complete : this.freeFormDepths.narrow;
  }

  private get lengthBound(): number {
    return this.complete ? COMPLETE_MAX_LENGTH_BOUND : MAX_LENGTH_BOUND;
  }

  private get itemsBound(): number {
    return this.complete ? COMPLETE_MAX_ITEMS_BOUND : MAX_ITEMS_BOUND;
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
   * expanded at enclosing values (meeting one again is recursion, unfolded recursionDepth
   * times); `here` those already expanded at this value.
   */
  private compile(conj: readonly Located[], at: readonly string[] | null, refs: readonly string[], here: RefsHere = NO_REFS_HERE): ByteDfa {
    // The same conjunction at the same recursion depth is the same language (unfolded recursion
    // and negations meet the same subschemas again and again).
    const key = this.memoKey(conj, at, refs, here);
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let dfa: ByteDfa;
    try {
      dfa = this.compileUncached(conj, at, refs, here);
    } catch (error) {
      // Complete mode where it fits, narrow mode (a subset) where it does not.
      if (!(error instanceof AutomatonTooLargeError) || error instanceof WorkLimitError || !this.complete) throw error;
      this.narrowed++;
      try {
        dfa = this.compile(conj, at, refs, here);
      } finally {
        this.narrowed--;
      }
      this.warnings.add("bounded-order", undefined, conj[0]?.path ?? "#", "complete mode: written as in narrow mode here (declared properties in order, no extra ones): the complete automaton would be too large");
    }
    this.memo.set(key, dfa);
    this.work += dfa.stateCount;
    if (this.work > this.workLimit) throw new WorkLimitError(this.workLimit, this.work);
    return dfa;
  }

  private memoKey(conj: readonly Located[], at: readonly string[] | null, refs: readonly string[], here: RefsHere): string {
    const id = (schema: unknown): string => {
      if (typeof schema !== "object" || schema === null) return JSON.stringify(schema);
      let n = this.ids.get(schema);
      if (n === undefined) this.ids.set(schema, (n = this.ids.size + 1));
      return `#${n}`;
    };
    const sorted = (list: Iterable<string>): string => JSON.stringify([...list].sort());
    const where = this.fields.length > 0 ? JSON.stringify(at) : "";
    return `${this.complete ? "c" : "n"}|${conj.map((c) => id(c.schema)).join(",")}|${where}|${sorted(refs)}|${sorted(here.positive)}|${sorted(here.negated)}`;
  }

  private compileUncached(conj: readonly Located[], at: readonly string[] | null, refs: readonly string[], here: RefsHere): ByteDfa {
    const expanded = this.expand(conj, refs, here);
    if (expanded === undefined) return emptyDfa();
    const { members, here: expandedHere } = expanded;
    if (this.contradictory(members)) return emptyDfa();
    const innerRefs = [...refs, ...expandedHere.positive, ...expandedHere.negated];
    this.resolveSomeProperty(members);
    const combinator = members.findIndex((m) => m.schema.anyOf !== undefined || m.schema.oneOf !== undefined || internalValue(m.schema, DISJUNCTS) !== undefined);
    if (combinator >= 0) return this.compileBranches(members, combinator, at, refs, expandedHere);
    if (members.every((m) => Object.keys(m.schema).every((k) => !this.constrains(k, m.schema))) && !this.fieldsBelow(at)) {
      return this.anyValue(this.freeFormDepth);
    }
    return this.compileNode(members, at, innerRefs);
  }

  /**
   * Cheap tests that a conjunction has no value, before its alternatives are expanded (a
   * negation's disjuncts often contradict the branch they are combined with): no type left, or
   * a property both required and forbidden.
   */
  private contradictory(members: readonly Member[]): boolean {
    const types = this.declaredTypes(members);
    if (types !== undefined && types.size === 0) return true;
    const required = new Set<string>();
    for (const m of members) if (Array.isArray(m.schema.required)) for (const n of m.schema.required) if (typeof n === "string") required.add(n);
    if (required.size === 0 || types === undefined || types.size !== 1 || !types.has("object")) return false;
    return members.some((m) => isPlainObject(m.schema.properties) && Object.entries(m.schema.properties).some(([n, s]) => s === false && required.has(n)));
  }

  /** Whether a keyword of `schema` constrains values (rather than annotating or structuring). */
  private constrains(keyword: string, schema: unknown): boolean {
    if (INTERNAL_KEYWORDS.has(keyword)) return isInternal(schema);
    return ENFORCED_KEYWORDS.has(keyword) && !STRUCTURAL_KEYWORDS.has(keyword);
  }

  /** Flattens booleans, $ref, allOf, not, if/then/else and dependencies; undefined when some member is `false`. */
  private expand(conj: readonly Located[], outerRefs: readonly string[], here: RefsHere): { members: Member[]; here: RefsHere } | undefined {
    const members: Member[] = [];
    const positive = new Set(here.positive);
    const negated = new Set(here.negated);
    const work = [...conj];
    while (work.length > 0) {
      const { schema, path, internal: checked } = work.shift()!;
      if (schema === true) continue;
      if (schema === false) return undefined;
      if (!isPlainObject(schema)) throw new SchemaError("a schema must be an object or a boolean", path, undefined);
      if (checked !== true && !isInternal(schema)) this.checkKeywords(schema, path);
      members.push({ schema, path });
      const negations: Located[] = [];
      if (schema.not !== undefined) negations.push({ schema: schema.not, path: `${path}/not` });
      const inner = internalValue(schema, NEGATE) as Located | undefined;
      if (inner !== undefined) negations.push(inner);
      for (const n of negations) {
        const negation = this.negation(n, outerRefs, negated);
        if (negation === false) return undefined;
        work.push(negation);
      }
      const conjuncts = internalValue(schema, CONJUNCTS) as Located[] | undefined;
      if (conjuncts !== undefined) work.push(...conjuncts);
      if (schema.if !== undefined) work.push(this.conditional(schema, path));
      const ref = schema.$ref;
      if (ref !== undefined) {
        if (typeof ref !== "string") throw new SchemaError("$ref must be a string", `${path}/$ref`, "$ref");
        // The same reference twice at one value adds nothing (X ∧ X = X).
        if (!positive.has(ref)) {
          const depth = outerRefs.filter((r) => r === ref).length;
          if (depth > 0 && this.recursionDepth === 0) {
            throw new SchemaError(
              `recursive $ref '${ref}' is not supported with recursionDepth 0 (the schema describes unboundedly nested values; a positive recursionDepth unfolds it a bounded number of times)`,
              `${path}/$ref`,
              "$ref",
            );
          }
          if (depth > 0) this.warnRecursion(ref, `${path}/$ref`);
          // Deeper than the bound, the value cannot be written (as if the schema were false).
          if (depth > this.recursionDepth) return undefined;
          positive.add(ref);
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
    return { members, here: { positive, negated } };
  }

  private warnRecursion(ref: string, path: string): void {
    this.unfoldedRecursion = true;
    const times = `${this.recursionDepth} time${this.recursionDepth === 1 ? "" : "s"}`;
    this.warnings.add("unfolded-recursion", "$ref", path, `recursive $ref '${ref}' is unfolded ${times} (the recursionDepth option): values nested deeper through it are not written`);
  }

  /**
   * `not S` as a member: the alternative of the disjuncts of json-schema-negation.ts, or false
   * when none can be written. $refs met while negating count as expanded at this value
   * (`negated`), so that recursion through a negation is bounded like any other.
   */
  private negation(located: Located, outerRefs: readonly string[], negated: Set<string>): Located | false {
    const visiting = new Set<string>();
    const context: NegationContext = {
      resolve: (ref, path) => {
        const depth = outerRefs.filter((r) => r === ref).length;
        if (visiting.has(ref) || depth > this.recursionDepth) return undefined;
        if (depth > 0) this.warnRecursion(ref, path);
        visiting.add(ref);
        negated.add(ref);
        return this.resolve(ref, path);
      },
      refSiblingsApply: this.refSiblingsApply,
      constrains: (keyword) => ENFORCED_KEYWORDS.has(keyword) || REFUSED_KEYWORDS.has(keyword),
      assertedFormat: (format) => STANDARD_FORMATS.has(format),
    };
    const { disjuncts, dropped } = negate(located.schema, located.path, context);
    for (const d of dropped) {
      this.warnings.add(
        "partial-negation",
        d.keyword,
        d.path,
        `'${d.keyword}' has no written complement: where this schema is negated (not, oneOf exclusivity, if without a match), only values failing its other keywords are written`,
      );
    }
    if (disjuncts.length === 0) return false;
    const value: Disjuncts = { branches: disjuncts, lossy: true };
    return { schema: internal({ [DISJUNCTS]: value }), path: located.path, internal: true };
  }

  /** if/then/else as a member: (if ∧ then) ∨ (¬if ∧ else), a missing then/else being true. */
  private conditional(schema: Readonly<Record<string, unknown>>, path: string): Located {
    const condition: Located = { schema: schema.if, path: `${path}/if` };
    const then: Located = { schema: schema.then ?? true, path: `${path}/then` };
    const otherwise: Located = { schema: schema.else ?? true, path: `${path}/else` };
    const negatedCondition: Located = { schema: internal({ [NEGATE]: condition }), path: condition.path, internal: true };
    const branches: Located[] = [
      { schema: internal({ [CONJUNCTS]: [condition, then] }), path: then.path, internal: true },
      { schema: internal({ [CONJUNCTS]: [negatedCondition, otherwise] }), path: otherwise.path, internal: true },
    ];
    const value: Disjuncts = { branches, lossy: false };
    return { schema: internal({ [DISJUNCTS]: value }), path: condition.path, internal: true };
  }

  /**
   * SOME_PROPERTY members (from negated additionalProperties/patternProperties) become an
   * alternative over the property names the conjunction declares or requires: the generator
   * writes no others.
   */
  private resolveSomeProperty(members: Member[]): void {
    members.forEach((m, index) => {
      const some = internalValue(m.schema, SOME_PROPERTY) as SomeProperty | undefined;
      if (some === undefined) return;
      const names = new Set<string>();
      for (const other of members) {
        if (isPlainObject(other.schema.properties)) for (const name of Object.keys(other.schema.properties)) names.add(name);
        if (Array.isArray(other.schema.required)) for (const name of other.schema.required) if (typeof name === "string") names.add(name);
      }
      const branches: Located[] = [...names]
        .filter((name) => some.matches(name))
        .map((name) => ({ schema: internal({ type: "object", required: [name], properties: { [name]: some.value?.schema ?? true } }), path: some.value?.path ?? m.path, internal: true }));
      const rest: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(m.schema)) if (k !== SOME_PROPERTY) rest[k] = v;
      const value: Disjuncts = { branches, lossy: true };
      members[index] = { schema: internal({ ...rest, [DISJUNCTS]: value }), path: m.path };
    });
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
    if (!ref.startsWith("#/")) {
      const target = this.anchor(ref.slice(1));
      if (target === undefined) throw new SchemaError(`reference '${ref}' names no $anchor (or draft-07 "$id": "${ref}") in the schema`, path, "$ref");
      return target;
    }
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

  /** The subschema with `$anchor: name`, or (drafts 6–7) `$id`/`id` "#name"; the first in document order. */
  private anchor(name: string): unknown {
    const visit = (node: unknown, depth: number): unknown => {
      if (depth > 64) return undefined;
      if (Array.isArray(node)) {
        for (const item of node) {
          const found = visit(item, depth + 1);
          if (found !== undefined) return found;
        }
        return undefined;
      }
      if (!isPlainObject(node)) return undefined;
      if (node.$anchor === name || node.$id === `#${name}` || node.id === `#${name}`) return node;
      for (const [key, value] of Object.entries(node)) {
        if (key === "enum" || key === "const" || key === "default" || key === "examples") continue;
        const found = visit(value, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    return visit(this.root, 0);
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
      if (this.unknownKeywords === "ignore") continue;
      const suggestion = closestKeyword(keyword);
      const hint = suggestion === undefined ? "" : ` (did you mean '${suggestion}'?)`;
      if (this.unknownKeywords === "error") throw new SchemaError(`unknown keyword '${keyword}'${hint}`, `${path}/${pointerEscape(keyword)}`, keyword);
      this.warnings.add("ignored-keyword", keyword, `${path}/${pointerEscape(keyword)}`, `ignored '${keyword}': JSON Schema does not define it, so validators ignore it too${hint}`);
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

  private compileBranches(members: readonly Member[], index: number, at: readonly string[] | null, refs: readonly string[], here: RefsHere): ByteDfa {
    const chosen = members[index]!;
    const disjuncts = internalValue(chosen.schema, DISJUNCTS) as Disjuncts | undefined;
    const keyword = disjuncts !== undefined ? DISJUNCTS : chosen.schema.anyOf !== undefined ? "anyOf" : "oneOf";
    const path = disjuncts !== undefined ? chosen.path : `${chosen.path}/${keyword}`;
    const branches: readonly Located[] =
      disjuncts !== undefined
        ? disjuncts.branches
        : (() => {
            const list = chosen.schema[keyword];
            if (!Array.isArray(list) || list.length === 0) throw new SchemaError(`${keyword} must be a non-empty array of schemas`, path, keyword);
            return list.map((schema, i) => ({ schema, path: `${path}/${i}` }));
          })();
    // The other members (and the chosen one without this keyword) hold in every branch. $ref,
    // allOf, not … are already expanded into `members`.
    const strip = (m: Member, drop: string | undefined): Located => {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(m.schema)) if (!STRUCTURAL_KEYWORDS.has(k) && k !== drop) copy[k] = v;
      return { schema: isInternal(m.schema) ? internal(copy) : copy, path: m.path, internal: true };
    };
    const rest = members.map((m, i) => strip(m, i === index ? keyword : undefined));
    const branch = (extra: readonly Located[]): ByteDfa => {
      if (++this.combinations > MAX_BRANCH_COMBINATIONS) {
        throw new SchemaError(`more than ${MAX_BRANCH_COMBINATIONS} combinations of anyOf/oneOf/not branches`, path, keyword === DISJUNCTS ? "not" : keyword);
      }
      return this.compile([...rest, ...extra], at, refs, here);
    };
    const dfas: ByteDfa[] = [];
    // Complete mode: a union of a negation's alternatives, several of them whole objects with
    // extra members in any order, multiplies states; they are written as in narrow mode instead.
    const objectBranches = branches.filter((b) => {
      const type = isPlainObject(b.schema) ? b.schema.type : undefined;
      return type === undefined || type === "object" || (Array.isArray(type) && type.includes("object"));
    }).length;
    const narrowHere = this.complete && disjuncts?.lossy === true && objectBranches > 1;
    if (narrowHere) {
      this.narrowed++;
      this.warnings.add("bounded-order", "not", chosen.path, "complete mode: values that must fail a schema here (not, oneOf exclusivity, else) are written as in narrow mode (declared properties in order, no extra ones)");
    }
    try {
      this.collectBranches(keyword, branches, members, rest, branch, disjuncts, dfas);
    } finally {
      if (narrowHere) this.narrowed--;
    }
    if (dfas.length === 0) return emptyDfa();
    return dfas.length === 1 ? dfas[0]! : unionOfDfas(dfas, this.build, `${keyword === DISJUNCTS ? "not" : keyword} at ${path}`);
  }

  private collectBranches(
    keyword: string,
    branches: readonly Located[],
    members: readonly Member[],
    rest: readonly Located[],
    branch: (extra: readonly Located[]) => ByteDfa,
    disjuncts: Disjuncts | undefined,
    dfas: ByteDfa[],
  ): void {
    if (keyword === "oneOf") {
      dfas.push(...this.exclusiveBranches(branches, members, rest, branch));
    } else {
      for (const b of branches) {
        let dfa: ByteDfa;
        try {
          dfa = branch([b]);
        } catch (error) {
          // A negation's disjunct that cannot be compiled is left out: the union narrows.
          if (disjuncts?.lossy !== true || !(error instanceof SchemaError || error instanceof AutomatonTooLargeError) || /combinations/.test(error.message)) throw error;
          const where = error instanceof SchemaError ? error.path : b.path;
          this.warnings.add("partial-negation", error instanceof SchemaError ? error.keyword : undefined, where, `a part of a negation is not written: ${error.message}`);
          continue;
        }
        if (!isEmptyLanguage(dfa)) dfas.push(dfa);
      }
    }
  }

  /**
   * oneOf, exclusive by construction: branch i writes the values of branch i that fail every
   * other branch j (B_i ∧ ¬B_j ∧ …, the negation of json-schema-negation.ts), so no written
   * value matches two branches, whatever the validator sees beyond what the generator writes.
   * Pairs that provably exclude each other (type, const/enum, discriminator) need no negation.
   */
  private exclusiveBranches(branches: readonly Located[], members: readonly Member[], rest: readonly Located[], branch: (extra: readonly Located[]) => ByteDfa): ByteDfa[] {
    const contextTypes = this.declaredTypes(members);
    const contextRequired = new Set<string>();
    for (const m of members) if (Array.isArray(m.schema.required)) for (const n of m.schema.required) if (typeof n === "string") contextRequired.add(n);
    const negated = (other: Located): Located => ({ schema: internal({ [NEGATE]: other }), path: other.path, internal: true });
    const follow = (schema: unknown): unknown => this.followRefs(schema);
    const out: ByteDfa[] = [];
    branches.forEach((b, i) => {
      const written = writtenNames([...rest.map((r) => r.schema), b.schema], follow);
      const branchTypes = this.declaredTypes([...members, { schema: isPlainObject(b.schema) ? b.schema : {}, path: b.path }]);
      const objectsOnly = branchTypes !== undefined && branchTypes.size === 1 && branchTypes.has("object");
      // A property another branch requires and this one never names: leaving it out is enough
      // (the narrow generator never writes it anyway; complete mode is told not to).
      const absent = new Set<string>();
      const others = branches.filter((other, j) => {
        if (j === i || provablyExclusive(b.schema, other.schema, contextTypes, contextRequired, follow)) return false;
        const outside = written === undefined || !objectsOnly ? undefined : requiredOutside(other.schema, written, follow);
        if (outside !== undefined) absent.add(outside);
        return outside === undefined;
      });
      const leftOut: Located[] = absent.size === 0 ? [] : [{ schema: internal({ properties: Object.fromEntries([...absent].map((n) => [n, false])) }), path: b.path, internal: true }];
      // All negations in one conjunction (exact, but their disjuncts multiply) when few enough;
      // otherwise one at a time, intersected (the values of this branch that fail each other
      // branch on a property this branch writes).
      const product = others.reduce((n, other) => n * Math.max(1, this.disjunctCount(other)), 1);
      let dfa: ByteDfa;
      if (product <= ONE_OF_JOINT_NEGATIONS) dfa = branch([b, ...leftOut, ...others.map(negated)]);
      else {
        dfa = branch([b, ...leftOut]);
        for (const other of others) {
          if (isEmptyLanguage(dfa)) break;
          dfa = intersectDfa(dfa, branch([b, ...leftOut, negated(other)]), this.build);
        }
      }
      if (!isEmptyLanguage(dfa)) out.push(dfa);
    });
    return out;
  }

  /** How many disjuncts the negation of a schema has at its top level (nested ones not counted). */
  private disjunctCount(located: Located): number {
    const context: NegationContext = {
      resolve: (ref, path) => {
        try {
          return this.resolve(ref, path);
        } catch {
          return undefined;
        }
      },
      refSiblingsApply: this.refSiblingsApply,
      constrains: (keyword) => ENFORCED_KEYWORDS.has(keyword) || REFUSED_KEYWORDS.has(keyword),
      assertedFormat: (format) => STANDARD_FORMATS.has(format),
    };
    return negate(located.schema, located.path, context).disjuncts.length;
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
    const unwanted = members.flatMap((m) => {
      const values = internalValue(m.schema, NOT_VALUES);
      return Array.isArray(values) ? values : [];
    });
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
    const otherConstraints = members.some((m) => Object.keys(m.schema).some((k) => this.constrains(k, m.schema) && k !== "type" && k !== "enum" && k !== "const"));
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
    const fullKey = `${this.compact ? "compact" : "none"}|${this.complete ? "complete" : "narrow"}|${this.build.maxStates ?? "default"}|${key}`;
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
      const unwanted = internalValue(m.schema, NOT_PATTERN);
      if (typeof unwanted === "string") {
        const matching = this.cached(`pattern:${unwanted}`, () => this.regex(patternToRegex(unwanted), m.path, "not"));
        constraints.push(this.cached(`not-pattern:${unwanted}`, () => complementWithinUtf8(matching, this.build)));
      }
      const format = m.schema.format;
      if (format !== undefined) {
        const source = typeof format === "string" ? (this.complete ? COMPLETE_FORMAT_REGEXES : FORMAT_REGEXES).get(format) : undefined;
        // A format JSON Schema does not define is only an annotation to validators.
        if (source === undefined && this.unknownKeywords !== "error" && typeof format === "string" && !STANDARD_FORMATS.has(format)) {
          if (this.unknownKeywords === "warn") this.warnings.add("ignored-format", "format", `${m.path}/format`, `ignored format ${JSON.stringify(format)}: JSON Schema does not define it, so validators ignore it too`);
          continue;
        }
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
    if (maxLength > this.lengthBound && maxLength !== Infinity) {
      const lowered = Math.max(minLength, this.lengthBound);
      if (lowered < maxLength) this.warnings.add("lowered-bound", "maxLength", members.find((m) => m.schema.maxLength !== undefined)?.path ?? "#", `maxLength ${maxLength} is lowered to ${lowered}: longer strings are not written`);
      maxLength = lowered;
    }
    for (const i of this.fieldsAt(at)) {
      const field = this.fields[i]!;
      this.fieldApplied[i] = true;
      const matching = this.cached(`field:${field.regex}`, () => regexDfa(field.regex, this.build));
      constraints.push(field.negate ? this.cached(`not-field:${field.regex}`, () => complementWithinUtf8(matching, this.build)) : matching);
    }
    const bounded = minLength > 0 || maxLength !== Infinity;
    if (constraints.length === 0 && !bounded) return this.cached("string", () => jsonStringDfa(anyUtf8Dfa(), this.build));
    // A pattern that counts (words, say) times a long length bound can be too large (so can a
    // long bound alone under a small maxStates): the length bound is lowered (halved, down to MIN_LOWERED_LENGTH) until it fits.
    // Only the bound that fitted is reported.
    let loweredTo: number | undefined;
    for (;;) {
      try {
        let decoded = bounded || loweredTo !== undefined ? utf8LengthDfa(minLength, maxLength, this.build) : constraints[0]!;
        for (const c of bounded || loweredTo !== undefined ? constraints : constraints.slice(1)) decoded = intersectDfa(decoded, c, this.build);
        const dfa = jsonStringDfa(decoded, this.build);
        if (loweredTo !== undefined) this.warnings.add("lowered-bound", "maxLength", members[0]!.path, `strings are written with at most ${loweredTo} characters here: longer ones (with their pattern, if any) would make the automaton too large`);
        return dfa;
      } catch (error) {
        const lowered = Math.max(minLength, Math.floor(Math.min(maxLength, this.lengthBound) / 2));
        if (!(error instanceof AutomatonTooLargeError) || error instanceof WorkLimitError || lowered < MIN_LOWERED_LENGTH || lowered >= maxLength) throw error;
        maxLength = lowered;
        loweredTo = lowered;
      }
    }
  }

  private numberDfa(members: readonly Member[], integers: boolean): ByteDfa {
    let integerOnly = integers;
    type Bound = { value: number; exclusive: boolean; path: string; keyword: string };
    let lower: Bound | undefined;
    let upper: Bound | undefined;
    let divisor: number | undefined;
    let decimalStep: { value: number; exponent: number } | undefined;
    let extraSyntax: string | undefined;
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
        if (!Number.isInteger(multipleOf)) {
          const step = dyadicStep(multipleOf);
          if (step === undefined || decimalStep !== undefined) {
            throw new SchemaError(
              "this multipleOf is not supported: validators divide in floating point (0.07 is not a multiple of 0.01 there); supported are integers and decimals whose exactly divisible multiples are those of 1/2, 1/4 … 1/64 (like 0.01, 0.05, 0.1, 0.25)",
              `${m.path}/multipleOf`,
              "multipleOf",
            );
          }
          decimalStep = { value: multipleOf, exponent: step };
          this.warnings.add("lowered-bound", "multipleOf", `${m.path}/multipleOf`, `multipleOf ${multipleOf}: only multiples of 1/${2 ** step} are written (those a validator's floating-point division finds exact)`);
          continue;
        }
        if (multipleOf > MAX_GENERATED_INTEGER) throw new SchemaError("multipleOf is too large", `${m.path}/multipleOf`, "multipleOf");
        divisor = lcm(divisor ?? 1, multipleOf);
        if (divisor > MAX_GENERATED_INTEGER) throw new SchemaError("the multipleOf divisors have too large a common multiple", `${m.path}/multipleOf`, "multipleOf");
      }
    }
    // From negations: integers that are not multiples of some integers; numbers that are not integers.
    const nonDivisors = members.flatMap((m) => {
      const k = internalValue(m.schema, NOT_MULTIPLE_OF);
      return typeof k === "number" ? [k] : [];
    });
    const fractional = members.some((m) => internalValue(m.schema, NOT_INTEGER) === true);
    if (nonDivisors.length > 0) integerOnly = true;
    if (decimalStep !== undefined) {
      // Multiples of 1/2^e below 2^52·m in magnitude: the quotient a validator computes is an exact integer (dyadicStep).
      const limit = Math.floor(2 ** 52 * decimalStep.value);
      lower = tighter(lower, { value: -limit, exclusive: false, path: "", keyword: "multipleOf" }, false);
      upper = tighter(upper, { value: limit, exclusive: false, path: "", keyword: "multipleOf" }, true);
      if (!integerOnly && divisor === undefined && !fractional) extraSyntax = dyadicDecimalRegex(decimalStep.exponent);
    }
    // Any integer multipleOf (1 included) admits integers only.
    if (integerOnly || divisor !== undefined) {
      if (fractional) return emptyDfa();
      const lo = lower === undefined ? -MAX_GENERATED_INTEGER : Math.max(-MAX_GENERATED_INTEGER, lower.exclusive ? Math.floor(lower.value) + 1 : Math.ceil(lower.value));
      const hi = upper === undefined ? MAX_GENERATED_INTEGER : Math.min(MAX_GENERATED_INTEGER, upper.exclusive ? Math.ceil(upper.value) - 1 : Math.floor(upper.value));
      const source = lower === undefined && upper === undefined ? UNBOUNDED_INTEGER_SYNTAX : integerRangeRegex(lo, hi);
      if (source === undefined) return emptyDfa();
      let range = this.cached(`integer:${source}`, () => regexDfa(source, this.build));
      if (divisor !== undefined && divisor !== 1) range = intersectDfa(range, multipleOfDfa(divisor, this.build), this.build);
      for (const k of nonDivisors) range = intersectDfa(range, multipleOfDfa(k, this.build, false), this.build);
      return range;
    }
    // At most 15 digits in all, so that the double read is not an integer either.
    const fractionDfa = (): ByteDfa => intersectDfa(regexDfa(FRACTIONAL_DECIMAL, this.build), regexDfa(BOUNDED_DECIMAL_SYNTAX, this.build), this.build);
    const fraction = (dfa: ByteDfa): ByteDfa => (fractional ? intersectDfa(dfa, this.cached("fraction", fractionDfa), this.build) : dfa);
    if (lower === undefined && upper === undefined) return fraction(this.cached("number", () => regexDfa(UNBOUNDED_NUMBER_SYNTAX, this.build)));
    const sources = [BOUNDED_DECIMAL_SYNTAX, NO_NEGATIVE_ZERO, ...(extraSyntax === undefined ? [] : [extraSyntax])];
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
    return fraction(dfa);
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

  /** Arrays whose item i is from `prefix[i]`, later items from `rest` (undefined: none), with min to max items (max may be Infinity). */
  private chain(prefix: readonly ByteDfa[], rest: ByteDfa | undefined, min: number, max: number): ByteDfa {
    return arrayChainDfa(
      prefix.map((any) => ({ any })),
      rest === undefined ? undefined : { any: rest },
      { min, max },
      undefined,
      this.separator(),
      this.build,
    );
  }

  private arrayDfa(members: readonly Member[], refs: readonly string[], freeDepth: number): ByteDfa {
    let min = 0;
    let max = Infinity;
    let unique: string | undefined;
    let contains: { schema: Located; min: number; max: number; path: string } | undefined;
    type Parts = { prefix: Located[]; rest: Located | false | undefined };
    const parts: Parts[] = [];
    for (const m of members) {
      min = Math.max(min, this.nonNegativeInteger(m, "minItems") ?? 0);
      max = Math.min(max, this.nonNegativeInteger(m, "maxItems") ?? Infinity);
      if (m.schema.uniqueItems === true) unique = `${m.path}/uniqueItems`;
      else if (m.schema.uniqueItems !== undefined && m.schema.uniqueItems !== false) throw new SchemaError("uniqueItems must be a boolean", `${m.path}/uniqueItems`, "uniqueItems");
      const own = m.schema.contains !== undefined ? { schema: { schema: m.schema.contains, path: `${m.path}/contains` }, path: `${m.path}/contains` } : undefined;
      const built = internalValue(m.schema, CONTAINS) as Located | undefined;
      for (const c of [own, built === undefined ? undefined : { schema: built, path: built.path }]) {
        if (c === undefined) continue;
        if (contains !== undefined) throw new SchemaError("two contains constraints on one array are not supported", c.path, "contains");
        const low = c === own ? (this.nonNegativeInteger(m, "minContains") ?? 1) : 1;
        const high = c === own ? (this.nonNegativeInteger(m, "maxContains") ?? Infinity) : Infinity;
        contains = { schema: c.schema, min: low, max: high, path: c.path };
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
    if (contains !== undefined && contains.min > contains.max) return emptyDfa();
    if (contains !== undefined && contains.min === 0 && contains.max === Infinity) contains = undefined;
    if (contains !== undefined && unique !== undefined) throw new SchemaError("contains together with uniqueItems is not supported", contains.path, "contains");
    if (contains !== undefined) min = Math.max(min, contains.min);
    if (max !== Infinity && max > this.itemsBound) {
      const lowered = Math.max(min, this.itemsBound);
      if (lowered < max) this.warnings.add("lowered-bound", "maxItems", members.find((m) => m.schema.maxItems !== undefined)?.path ?? "#", `maxItems ${max} is lowered to ${lowered}: longer arrays are not written`);
      max = lowered;
    }
    if (min > max) return emptyDfa();
    const tupleLength = Math.max(0, ...parts.map((p) => p.prefix.length));
    const itemConj = (index: number | "rest"): Located[] | undefined => {
      const conj: Located[] = [];
      for (const p of parts) {
        if (index !== "rest" && index < p.prefix.length) conj.push(p.prefix[index]!);
        else if (p.rest === false) return undefined;
        else if (p.rest !== undefined) conj.push(p.rest);
      }
      return conj;
    };
    const itemDfa = (conj: readonly Located[]): ByteDfa | undefined => {
      const dfa = conj.length === 0 ? this.anyValue(freeDepth - 1) : this.compile(conj, null, refs);
      return isEmptyLanguage(dfa) ? undefined : dfa;
    };
    const languages = (index: number | "rest"): ItemLanguages | undefined => {
      const conj = itemConj(index);
      if (conj === undefined) return undefined;
      const any = itemDfa(conj);
      if (any === undefined || contains === undefined) return any === undefined ? undefined : { any };
      const counted = itemDfa([...conj, contains.schema]);
      // Without maxContains an item that matches may also go uncounted: the count stays a lower bound.
      const uncounted = contains.max === Infinity ? any : itemDfa([...conj, { schema: internal({ [NEGATE]: contains.schema }), path: contains.path, internal: true }]);
      return { any, ...(counted === undefined ? {} : { counted }), uncounted: uncounted ?? emptyDfa() };
    };
    const prefix: ItemLanguages[] = [];
    for (let i = 0; i < Math.min(tupleLength, max === Infinity ? tupleLength : max); i++) {
      const item = languages(i);
      if (item === undefined) {
        max = Math.min(max, i);
        break;
      }
      prefix.push(item);
    }
    if (min > max) return emptyDfa();
    const needRest = max === Infinity || max > prefix.length;
    const rest = needRest && prefix.length === tupleLength ? languages("rest") : undefined;
    if (rest === undefined && prefix.length < max) max = prefix.length;
    if (min > max) return emptyDfa();
    // One copy of an item per count: large items and a high maxItems are lowered to fit.
    const itemStates = Math.max(1, ...prefix.map((p) => p.any.stateCount), rest?.any.stateCount ?? 0);
    const fitting = Math.floor((this.build.maxStates ?? DEFAULT_MAX_STATES) / 2 / itemStates);
    if (max !== Infinity && max > fitting && fitting >= Math.max(min, 1)) {
      this.warnings.add("lowered-bound", "maxItems", members[0]!.path, `arrays are written with at most ${fitting} items here: more copies of so large an item would make the automaton too large`);
      max = fitting;
    }
    if (unique !== undefined && max > 1) return this.uniqueArray(prefix, rest, min, max, unique);
    const counter = contains === undefined ? undefined : { min: contains.min, max: contains.max };
    return arrayChainDfa(prefix, rest, { min, max }, counter, this.separator(), this.build);
  }

  /** uniqueItems: pairwise different items (json-schema-arrays.ts), warning where that narrows. */
  private uniqueArray(prefix: readonly ItemLanguages[], rest: ItemLanguages | undefined, min: number, max: number, path: string): ByteDfa {
    const result = uniqueArrayDfa(
      prefix.map((p) => p.any),
      rest?.any,
      { min, max },
      this.separator(),
      this.build,
    );
    if (result.inexact) this.warnings.add("lowered-bound", "uniqueItems", path, "uniqueItems: items of a type with unboundedly many values (strings, objects …) are written at most once each, since a finite automaton cannot compare them");
    if (result.max < max) this.warnings.add("lowered-bound", "uniqueItems", path, `uniqueItems: at most ${result.max} items are written (tracking which values were used for more would make the automaton too large)`);
    return result.dfa;
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
      if (this.complete) {
        const pairs = this.extraMembers(members, new Set(), refs, freeDepth - 1);
        if (pairs.length === 0) return minProperties === 0 ? literalDfa("{}") : emptyDfa();
        return this.freeObject(pairs, counts);
      }
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
    const counts = { min: minProperties, max: maxProperties };
    if (this.complete) {
      // Counting properties in any order would multiply the states again: keep the schema's order there.
      const requiredCount = entries.filter((e) => e.required).length;
      if (minProperties <= requiredCount && maxProperties === Infinity) return this.completeObject(members, entries, refs, freeDepth);
      this.warnings.add("bounded-order", "minProperties", members[0]!.path, "with minProperties/maxProperties, complete mode writes the declared properties in the schema's order and no extra ones");
    }
    return this.declaredObject(entries, counts);
  }

  /**
   * Complete mode: the declared properties in any order (the free ones of chooseLayout; the
   * others in schema order among themselves), and extra members where the schema allows them.
   */
  private completeObject(members: readonly Member[], entries: ReadonlyArray<{ name: string; value: ByteDfa; required: boolean }>, refs: readonly string[], freeDepth: number): ByteDfa {
    const declared = new Set(members.flatMap((m) => [...(isPlainObject(m.schema.properties) ? Object.keys(m.schema.properties) : []), ...(Array.isArray(m.schema.required) ? m.schema.required.filter((n): n is string => typeof n === "string") : [])]));
    const colon = this.cached("colon", () => (this.compact ? choiceDfa([":", ": "]) : literalDfa(":")));
    // Every position between properties holds a copy of the extra members' values: shallower ones keep it affordable.
    const extras = this.extraMembers(members, declared, refs, Math.min(freeDepth - 1, COMPLETE_EXTRA_VALUE_DEPTH)).map(([key, value]) => ({ key: concatDfa(key, colon, this.build), value }));
    const objectEntries = entries.map((e) => ({ ...e, key: this.keyDfa(e.name) }));
    const layout = chooseLayout(objectEntries, extras, OBJECT_LAYOUT_BUDGET);
    if (layout.ordered.length > 1) {
      this.warnings.add(
        "bounded-order",
        "properties",
        members[0]!.path,
        `complete mode: ${layout.free.length} of ${entries.length} properties are written in any order; the others (${layout.ordered.map((e) => e.name).slice(0, 5).join(", ")}${layout.ordered.length > 5 ? ", …" : ""}) keep the schema's order among themselves (any order for all would make the automaton too large)`,
      );
    }
    return anyOrderObjectDfa(layout, extras, this.separator(), this.build);
  }

  /**
   * Complete mode: the members an object may have beyond its declared properties, as pairs of
   * key strings and values: keys matching exactly one patternProperties pattern (its schema,
   * and additionalProperties of the schemas without that pattern), and keys matching none
   * (additionalProperties; any value where it is absent). Keys matching two patterns are not
   * written.
   */
  private extraMembers(members: readonly Member[], declared: ReadonlySet<string>, refs: readonly string[], valueDepth: number): Array<[ByteDfa, ByteDfa]> {
    const patterns = members.flatMap((m) => this.patternPropertiesOf(m).map((p) => ({ ...p, member: m })));
    const decodedOf = (pattern: string, path: string): ByteDfa => this.cached(`pattern:${pattern}`, () => this.regex(patternToRegex(pattern), path, "patternProperties"));
    const notDeclared = declared.size === 0 ? anyUtf8Dfa() : complementWithinUtf8(choiceDfa([...declared], this.build), this.build);
    const distinct = [...new Map(patterns.map((p) => [p.pattern, p])).values()];
    const pairs: Array<[ByteDfa, ByteDfa]> = [];
    const classes: Array<{ pattern: string | undefined; names: ByteDfa }> = [];
    for (const p of distinct) {
      let names = intersectDfa(decodedOf(p.pattern, p.path), notDeclared, this.build);
      for (const other of distinct) if (other !== p) names = intersectDfa(names, complementWithinUtf8(decodedOf(other.pattern, other.path), this.build), this.build);
      classes.push({ pattern: p.pattern, names });
    }
    let unmatched = notDeclared;
    for (const p of distinct) unmatched = intersectDfa(unmatched, complementWithinUtf8(decodedOf(p.pattern, p.path), this.build), this.build);
    classes.push({ pattern: undefined, names: unmatched });
    for (const { pattern, names } of classes) {
      if (isEmptyLanguage(names)) continue;
      const conj: Located[] = [];
      let forbidden = false;
      for (const m of members) {
        const owned = patterns.filter((q) => q.member === m && q.pattern === pattern);
        if (owned.length > 0) conj.push(...owned.map((q) => ({ schema: q.schema, path: q.path })));
        else if (m.schema.additionalProperties === false) forbidden = true;
        else if (m.schema.additionalProperties !== undefined) conj.push({ schema: m.schema.additionalProperties, path: `${m.path}/additionalProperties` });
      }
      if (forbidden) continue;
      const value = conj.length === 0 ? this.anyValue(valueDepth) : this.compile(conj, null, refs);
      if (!isEmptyLanguage(value)) pairs.push([jsonStringDfa(names, this.build), value]);
    }
    return pairs;
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
