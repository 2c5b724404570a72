/**
 * `not S` for the JSON Schema compiler: schemas (disjuncts) whose values all fail S, so that
 * their union is a subset of the complement of S, exact where every keyword of S has an exact
 * negation.
 *
 * A schema is a conjunction of its keywords, so a value fails it when it fails one of them:
 * ¬S = ¬k₁ ∨ ¬k₂ ∨ … Each keyword's negation is written with ordinary keywords where it has one
 * (¬minLength n: strings of at most n−1 code points; ¬required [a, b]: objects without a, or
 * without b; ¬type: the other types), with the compiler's internal keywords below where it has
 * none (strings not matching a pattern, numbers that are not integers …), and left out where it
 * cannot be written (¬format, ¬uniqueItems): leaving out a disjunct only narrows the union, which
 * stays inside the complement. What was left out is reported, so the caller can warn.
 *
 * Keywords act on one type (¬minLength only holds of strings, since non-strings satisfy
 * minLength), so each negation names its type. Nested schemas are negated when their value is
 * compiled (the NEGATE keyword), where $ref recursion is bounded as for positive schemas.
 */
import { ALL_TYPES, isPlainObject, pointerEscape, typeOfValue, type JsonType } from "./json-schema-values.js";

/** Internal keywords: only the compiler writes them (their names cannot come from JSON). */
export const NOT_PATTERN = "\u0000notPattern";
/** Values (strings, booleans, null) to leave out, compared by their JSON.stringify text. */
export const NOT_VALUES = "\u0000notValues";
/** Numbers with a non-zero fractional part (never an integer, in any draft). */
export const NOT_INTEGER = "\u0000notInteger";
/** Integers that are not multiples of this integer. */
export const NOT_MULTIPLE_OF = "\u0000notMultipleOf";
/** The negation of a located schema, compiled where it applies: `{ schema, path }`. */
export const NEGATE = "\u0000negate";
/** An alternative of located schemas built by the compiler: its branches may fail to compile (then they are left out). */
export const DISJUNCTS = "\u0000disjuncts";
/** A conjunction of located schemas built by the compiler (an allOf that keeps each part's place). */
export const CONJUNCTS = "\u0000conjuncts";
/** Arrays with at least one item satisfying a located schema. */
export const CONTAINS = "\u0000contains";
/** Objects with some property whose name passes `matches` and whose value satisfies `value` (absent: any). */
export const SOME_PROPERTY = "\u0000someProperty";

export const INTERNAL_KEYWORDS: ReadonlySet<string> = new Set([NOT_PATTERN, NOT_VALUES, NOT_INTEGER, NOT_MULTIPLE_OF, NEGATE, DISJUNCTS, CONJUNCTS, CONTAINS, SOME_PROPERTY]);

/**
 * The schema objects the compiler built: only in these are internal keywords read (a schema
 * from JSON could spell their names, and would then be checked as written).
 */
const internalSchemas = new WeakSet<object>();

export function internal<T extends Record<string, unknown>>(schema: T): T {
  internalSchemas.add(schema);
  return schema;
}

export function isInternal(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && internalSchemas.has(schema);
}

/** A schema and where it sits in the root schema. */
export interface Located {
  readonly schema: unknown;
  readonly path: string;
  /** Built by the compiler: may hold internal keywords, skips the keyword check. */
  readonly internal?: boolean;
}

export interface SomeProperty {
  readonly matches: (name: string) => boolean;
  readonly value: Located | undefined;
}

/** What the negation needs from the compiler. */
export interface NegationContext {
  /** The target of a $ref, or undefined where recursion is cut (then its negation is empty). */
  resolve(ref: string, path: string): unknown;
  /** Whether $ref siblings apply (draft 2019-09 and later) rather than being ignored. */
  readonly refSiblingsApply: boolean;
  /** Whether the keyword constrains values (false for annotations and keywords JSON Schema does not define). */
  constrains(keyword: string): boolean;
  /** Whether a `format` name is one validators may assert. */
  assertedFormat(format: string): boolean;
}

/** The disjuncts of ¬S, and the keywords whose negation was left out. */
export interface Negation {
  readonly disjuncts: Located[];
  readonly dropped: Array<{ keyword: string; path: string }>;
}

/** Keywords negated together with another (read where that one is). */
const COMPANIONS = new Set(["then", "else", "additionalItems", "minContains", "maxContains"]);

/** The disjuncts of `not schema` (schema located at `path`). */
export function negate(schema: unknown, path: string, context: NegationContext): Negation {
  const out: Negation = { disjuncts: [], dropped: [] };
  if (schema === true) return out;
  if (schema === false) {
    out.disjuncts.push({ schema: true, path });
    return out;
  }
  if (!isPlainObject(schema)) return out; // malformed: the positive compile reports it
  const add = (s: Record<string, unknown>, at: string): void => {
    out.disjuncts.push({ schema: internal(s), path: at, internal: true });
  };
  const drop = (keyword: string): void => {
    out.dropped.push({ keyword, path: `${path}/${pointerEscape(keyword)}` });
  };
  const negated = (s: unknown, at: string): Record<string, unknown> => internal({ [NEGATE]: { schema: s, path: at } });
  const both = (...parts: Located[]): Record<string, unknown> => internal({ [CONJUNCTS]: parts });
  const negatedAt = (s: unknown, at: string): Located => ({ schema: negated(s, at), path: at, internal: true });
  if (typeof schema.$ref === "string") {
    const target = context.resolve(schema.$ref, `${path}/$ref`);
    if (target !== undefined) {
      const inner = negate(target, schema.$ref, context);
      out.disjuncts.push(...inner.disjuncts);
      out.dropped.push(...inner.dropped);
    }
    if (!context.refSiblingsApply) return out;
  }
  const keys = Object.keys(schema);
  for (const keyword of keys) {
    if (keyword === "$ref" || COMPANIONS.has(keyword) || !context.constrains(keyword)) continue;
    const value = schema[keyword];
    const at = `${path}/${pointerEscape(keyword)}`;
    switch (keyword) {
      case "type": {
        const listed = (Array.isArray(value) ? value : [value]).filter((t): t is JsonType => ALL_TYPES.includes(t as JsonType));
        const admitted = new Set<JsonType>(listed);
        if (admitted.has("number")) admitted.add("integer");
        // "number" stands for every number: left out when integers are admitted (their complement is NOT_INTEGER).
        const others = ALL_TYPES.filter((t) => !admitted.has(t) && t !== "integer" && !(t === "number" && admitted.has("integer")));
        if (others.length > 0) add({ type: others }, at);
        if (admitted.has("integer") && !admitted.has("number")) add({ type: "number", [NOT_INTEGER]: true }, at);
        break;
      }
      case "enum":
      case "const": {
        const values = keyword === "const" ? [value] : Array.isArray(value) ? value : [];
        if (keyword === "enum" && !Array.isArray(value)) break;
        negateValues(values, at, add, drop);
        break;
      }
      case "minLength":
        if (typeof value === "number" && value >= 1) add({ type: "string", maxLength: Math.ceil(value) - 1 }, at);
        break;
      case "maxLength":
        if (typeof value === "number" && value >= 0) add({ type: "string", minLength: Math.floor(value) + 1 }, at);
        break;
      case "pattern":
        if (typeof value === "string") add({ type: "string", [NOT_PATTERN]: value }, at);
        break;
      case "format":
        if (typeof value === "string" && context.assertedFormat(value)) drop(keyword);
        break;
      case "minimum":
      case "maximum": {
        if (typeof value !== "number") break;
        const exclusive = schema[keyword === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] === true;
        const opposite = keyword === "minimum" ? (exclusive ? "maximum" : "exclusiveMaximum") : exclusive ? "minimum" : "exclusiveMinimum";
        add({ type: "number", [opposite]: value }, at);
        break;
      }
      case "exclusiveMinimum":
        if (typeof value === "number") add({ type: "number", maximum: value }, at);
        break;
      case "exclusiveMaximum":
        if (typeof value === "number") add({ type: "number", minimum: value }, at);
        break;
      case "multipleOf":
        if (typeof value === "number" && Number.isInteger(value) && value > 0) {
          if (value > 1) add({ type: "integer", [NOT_MULTIPLE_OF]: value }, at);
          add({ type: "number", [NOT_INTEGER]: true }, at);
        } else drop(keyword);
        break;
      case "minItems":
        if (typeof value === "number" && value >= 1) add({ type: "array", maxItems: Math.ceil(value) - 1 }, at);
        break;
      case "maxItems":
        if (typeof value === "number" && value >= 0) add({ type: "array", minItems: Math.floor(value) + 1 }, at);
        break;
      case "minProperties":
        if (typeof value === "number" && value >= 1) add({ type: "object", maxProperties: Math.ceil(value) - 1 }, at);
        break;
      case "maxProperties":
        if (typeof value === "number" && value >= 0) add({ type: "object", minProperties: Math.floor(value) + 1 }, at);
        break;
      case "required":
        if (Array.isArray(value)) for (const name of value) if (typeof name === "string") add({ type: "object", properties: { [name]: false } }, at);
        break;
      case "properties":
        if (isPlainObject(value)) {
          for (const [name, sub] of Object.entries(value)) {
            if (sub === true) continue;
            const subPath = `${at}/${pointerEscape(name)}`;
            add({ type: "object", required: [name], properties: { [name]: negated(sub, subPath) } }, subPath);
          }
        }
        break;
      case "patternProperties":
        if (isPlainObject(value)) {
          for (const [pattern, sub] of Object.entries(value)) {
            if (sub === true) continue;
            let regex: RegExp;
            try {
              regex = new RegExp(pattern, "u");
            } catch {
              continue; // the positive compile reports it
            }
            const subPath = `${at}/${pointerEscape(pattern)}`;
            const some: SomeProperty = { matches: (name) => regex.test(name), value: { schema: negated(sub, subPath), path: subPath, internal: true } };
            add({ type: "object", [SOME_PROPERTY]: some }, subPath);
          }
        }
        break;
      case "additionalProperties": {
        if (value === true || (isPlainObject(value) && Object.keys(value).length === 0)) break;
        const declared = new Set(isPlainObject(schema.properties) ? Object.keys(schema.properties) : []);
        const patterns: RegExp[] = [];
        for (const pattern of isPlainObject(schema.patternProperties) ? Object.keys(schema.patternProperties) : []) {
          try {
            patterns.push(new RegExp(pattern, "u"));
          } catch {
            return out; // the positive compile reports it
          }
        }
        const some: SomeProperty = {
          matches: (name) => !declared.has(name) && patterns.every((p) => !p.test(name)),
          value: value === false ? undefined : { schema: negated(value, at), path: at, internal: true },
        };
        add({ type: "object", [SOME_PROPERTY]: some }, at);
        break;
      }
      case "items":
      case "prefixItems":
        negateItems(schema, keyword, at, add, drop, negated);
        break;
      case "dependentRequired":
      case "dependencies":
      case "dependentSchemas":
        if (!isPlainObject(value)) break;
        for (const [name, dependency] of Object.entries(value)) {
          const depPath = `${at}/${pointerEscape(name)}`;
          if (Array.isArray(dependency)) {
            for (const other of dependency) if (typeof other === "string") add({ type: "object", required: [name], properties: { [other]: false } }, depPath);
          } else if (dependency !== true) {
            add({ type: "object", required: [name], ...negated(dependency, depPath) }, depPath);
          }
        }
        break;
      case "not":
        // ¬¬S = S.
        out.disjuncts.push({ schema: value, path: at });
        break;
      case "allOf":
        if (Array.isArray(value)) value.forEach((s, i) => add(negated(s, `${at}/${i}`), `${at}/${i}`));
        break;
      case "anyOf":
        if (Array.isArray(value)) add(both(...value.map((s, i) => negatedAt(s, `${at}/${i}`))), at);
        break;
      case "oneOf":
        if (Array.isArray(value)) {
          // None of the branches, or two of them at once.
          add(both(...value.map((s, i) => negatedAt(s, `${at}/${i}`))), at);
          for (let i = 0; i < value.length; i++) {
            for (let j = i + 1; j < value.length; j++) add(both({ schema: value[i], path: `${at}/${i}` }, { schema: value[j], path: `${at}/${j}` }), at);
          }
        }
        break;
      case "if": {
        // (if ∧ then) ∨ (¬if ∧ else) fails when (if ∧ ¬then) ∨ (¬if ∧ ¬else).
        const then = schema.then;
        const otherwise = schema.else;
        if (then !== undefined && then !== true) add(both({ schema: value, path: at }, negatedAt(then, `${path}/then`)), `${path}/then`);
        if (otherwise !== undefined && otherwise !== true) add(both(negatedAt(value, at), negatedAt(otherwise, `${path}/else`)), `${path}/else`);
        break;
      }
      case "contains": {
        const min = typeof schema.minContains === "number" ? schema.minContains : 1;
        // No item matches: fewer than minContains (≥ 1) of them.
        if (min >= 1) add({ type: "array", items: negated(value, at) }, at);
        if (typeof schema.maxContains === "number") drop("maxContains");
        break;
      }
      default:
        // uniqueItems, propertyNames, unevaluated*, … : the complement is not written.
        drop(keyword);
    }
  }
  return out;
}

/** ¬enum: the other types, the other strings and booleans, numbers between the listed ones. */
function negateValues(values: readonly unknown[], at: string, add: (s: Record<string, unknown>, at: string) => void, drop: (keyword: string) => void): void {
  const types = new Set(values.map(typeOfValue));
  if (types.has("integer")) types.add("number");
  const others = ALL_TYPES.filter((t) => !types.has(t) && t !== "integer");
  if (others.length > 0) add({ type: others }, at);
  const strings = values.filter((v) => typeof v === "string");
  if (strings.length > 0) add({ type: "string", [NOT_VALUES]: strings }, at);
  const booleans = values.filter((v) => typeof v === "boolean");
  if (booleans.length === 1) add({ type: "boolean", [NOT_VALUES]: booleans }, at);
  const numbers = [...new Set(values.filter((v): v is number => typeof v === "number"))].sort((a, b) => a - b);
  if (numbers.length > 0) {
    // The open intervals between the listed numbers, compared by value (2.50 is 2.5).
    add({ type: "number", exclusiveMaximum: numbers[0] }, at);
    for (let i = 0; i + 1 < numbers.length; i++) add({ type: "number", exclusiveMinimum: numbers[i], exclusiveMaximum: numbers[i + 1] }, at);
    add({ type: "number", exclusiveMinimum: numbers[numbers.length - 1] }, at);
  }
  // Objects and arrays other than the listed ones have many spellings: not written.
  if (types.has("object") || types.has("array")) drop(at.endsWith("/const") ? "const" : "enum");
}

/** ¬items/¬prefixItems: an item at a tuple index that fails its schema, or (items false) one too many. */
function negateItems(
  schema: Record<string, unknown>,
  keyword: "items" | "prefixItems",
  at: string,
  add: (s: Record<string, unknown>, at: string) => void,
  drop: (keyword: string) => void,
  negated: (s: unknown, at: string) => Record<string, unknown>,
): void {
  const value = schema[keyword];
  const tuple = keyword === "prefixItems" ? value : Array.isArray(value) ? value : undefined;
  if (Array.isArray(tuple)) {
    const tupleKeyword = keyword === "prefixItems" ? "prefixItems" : "items";
    tuple.forEach((s, i) => {
      if (s === true) return;
      const prefix: unknown[] = Array.from({ length: i }, () => true);
      add({ type: "array", minItems: i + 1, [tupleKeyword]: [...prefix, negated(s, `${at}/${i}`)] }, `${at}/${i}`);
    });
    const rest = keyword === "items" ? schema.additionalItems : undefined;
    if (rest === false) add({ type: "array", minItems: tuple.length + 1 }, `${at.slice(0, at.lastIndexOf("/"))}/additionalItems`);
    else if (rest !== undefined && rest !== true) drop("additionalItems");
    return;
  }
  if (keyword === "prefixItems") return;
  // items (after prefixItems, in draft 2020): some item fails it.
  const prefixLength = Array.isArray(schema.prefixItems) ? schema.prefixItems.length : 0;
  if (value === true || (isPlainObject(value) && Object.keys(value).length === 0)) return;
  if (value === false) add({ type: "array", minItems: prefixLength + 1 }, at);
  else if (prefixLength === 0) add({ type: "array", [CONTAINS]: { schema: negated(value, at), path: at, internal: true } }, at);
  else drop("items");
}
