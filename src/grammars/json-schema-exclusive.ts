/**
 * When two oneOf branches need no negation to be exclusive: they differ in type, const/enum
 * values, or a discriminating property every value has; or one requires a property the
 * generator never writes for the other. Conservative: a validator checks every value against
 * every branch, with additional properties and all, so only differences that hold for every
 * JSON value count.
 */
import { ALL_TYPES, canonicalKey, isPlainObject, typeAdmitted, typeOfValue, type JsonType } from "./json-schema-values.js";

/** Follows a schema's $ref chain (undefined where it cannot be resolved). */
export type Follow = (schema: unknown) => unknown;

const DEPENDENCY_KEYWORDS = ["dependencies", "dependentRequired", "dependentSchemas"];

/**
 * The property names the generator may write for an object satisfying all these schemas
 * (declared or required anywhere in them, through $ref and combinators), or undefined when
 * none is: then objects are free-form and may have any name.
 */
export function writtenNames(schemas: readonly unknown[], follow: Follow): Set<string> | undefined {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  let free = false;
  const visit = (schema: unknown): void => {
    const resolved = follow(schema);
    if (!isPlainObject(resolved) || seen.has(resolved)) return;
    seen.add(resolved);
    if (isPlainObject(resolved.properties)) for (const name of Object.keys(resolved.properties)) names.add(name);
    if (Array.isArray(resolved.required)) for (const name of resolved.required) if (typeof name === "string") names.add(name);
    if (resolved.patternProperties !== undefined) free = true;
    for (const keyword of ["allOf", "anyOf", "oneOf"]) {
      const list = resolved[keyword];
      if (Array.isArray(list)) list.forEach(visit);
    }
    for (const keyword of ["then", "else", "if"]) if (resolved[keyword] !== undefined) visit(resolved[keyword]);
    for (const keyword of DEPENDENCY_KEYWORDS) if (isPlainObject(resolved[keyword])) Object.values(resolved[keyword]).forEach(visit);
  };
  schemas.forEach(visit);
  return names.size === 0 || free ? undefined : names;
}

/** A property the schema requires outside `names`, if any. */
export function requiredOutside(schema: unknown, names: ReadonlySet<string>, follow: Follow): string | undefined {
  const resolved = follow(schema);
  if (!isPlainObject(resolved) || !Array.isArray(resolved.required)) return undefined;
  return resolved.required.find((name): name is string => typeof name === "string" && !names.has(name));
}

/**
 * Whether no JSON value can validate against both schemas: the generator writes only some of
 * the values of a branch, but a validator checks the others against every branch, with
 * additional properties and all. Conservative: a type, const/enum or discriminator difference.
 */
export function provablyExclusive(a: unknown, b: unknown, contextTypes: ReadonlySet<JsonType> | undefined, contextRequired: ReadonlySet<string>, follow: Follow): boolean {
  if (follow(a) === false || follow(b) === false) return true;
  const x = discriminators(a, contextTypes, contextRequired, follow);
  const y = discriminators(b, contextTypes, contextRequired, follow);
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
function discriminators(
  schema: unknown,
  contextTypes: ReadonlySet<JsonType> | undefined,
  contextRequired: ReadonlySet<string>,
  follow: Follow,
):
  | { types: ReadonlySet<JsonType> | undefined; values: Set<string> | undefined; properties: Map<string, Set<string>>; required: Set<string>; closed: Set<string> | undefined }
  | undefined {
  const resolved = follow(schema);
  if (!isPlainObject(resolved)) return undefined;
  const values = constValues(resolved);
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
  // Properties every value here has: those this schema requires, and those the schemas beside the oneOf require.
  const required = [...(Array.isArray(resolved.required) ? resolved.required : []), ...contextRequired];
  if (isPlainObject(resolved.properties)) {
    for (const name of required) {
      if (typeof name !== "string") continue;
      const property = follow(resolved.properties[name]);
      if (!isPlainObject(property)) continue;
      const propertyValues = constValues(property);
      if (propertyValues !== undefined) properties.set(name, propertyValues);
    }
  }
  const closed = resolved.additionalProperties === false ? new Set(isPlainObject(resolved.properties) ? Object.keys(resolved.properties) : []) : undefined;
  return { types, values, properties, required: new Set(required.filter((n): n is string => typeof n === "string")), closed };
}

function constValues(schema: Readonly<Record<string, unknown>>): Set<string> | undefined {
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(canonicalKey));
  if ("const" in schema) return new Set([canonicalKey(schema.const)]);
  return undefined;
}
