/** JSON values as the JSON Schema compiler sees them: types, canonical keys, pointers. */

export type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";
export const ALL_TYPES: readonly JsonType[] = ["null", "boolean", "integer", "number", "string", "array", "object"];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A property name as a JSON pointer segment. */
export function pointerEscape(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** JSON with object keys sorted: equal values give equal keys. */
export function canonicalKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalKey(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export function typeOfValue(value: unknown): JsonType {
  if (value === null) return "null";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "array";
  return "object";
}

/** Whether a value of JSON type `t` is admitted by a type set (an integer is a number). */
export function typeAdmitted(types: ReadonlySet<JsonType>, t: JsonType): boolean {
  return types.has(t) || (t === "integer" && types.has("number"));
}
