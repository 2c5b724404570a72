/**
 * Seeded random JSON Schemas shaped like function-calling tool parameters: an object of named
 * arguments with strings (enums, patterns, lengths), integer and number ranges, booleans,
 * nullable fields, bounded arrays, nested objects, anyOf, const discriminators, $ref into
 * $defs, pattern-keyed maps, `not` patterns, dependentRequired and minProperties. Every schema uses only keywords jsonSchemaDfa supports and no `format` (so that a
 * validator without format support checks everything that matters).
 */
import { seededRandom } from "../../src/search/random.js";

type Schema = Record<string, unknown>;

/** Seeded draws for schema generators. */
export class Draw {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
}

const NAMES = ["path", "query", "limit", "offset", "city", "unit", "to", "subject", "body", "tags", "priority", "id", "mode", "enabled", "options", "filters", "start", "end", "amount", "currency", "address", "name", "kind", "count"];
const PATTERNS = ["^[a-z][a-z0-9_]*$", "^\\d{3}-\\d{4}$", "^[A-Z]{3}$", "\\.txt$", "^/", "^(?:GET|POST)$", "[0-9]", "^[^@\\s]+@[^@\\s]+$", "^v\\d+(\\.\\d+)*$", "^\\S+$"];
const WORDS = ["celsius", "fahrenheit", "low", "high", "urgent", "a b", "quote\"d", "back\\slash", "naïve", "日本", "tab\there", ""];

function stringSchema(draw: Draw): Schema {
  const kind = draw.int(0, 4);
  if (kind === 0) return { type: "string", enum: [...new Set(Array.from({ length: draw.int(1, 4) }, () => draw.pick(WORDS)))] };
  if (kind === 1) return { type: "string", pattern: draw.pick(PATTERNS) };
  if (kind === 2) {
    const min = draw.int(0, 4);
    return { type: "string", minLength: min, maxLength: min + draw.int(0, 12) };
  }
  if (kind === 3) return { type: "string", description: "free text", maxLength: draw.int(8, 40), pattern: draw.pick(PATTERNS.slice(0, 3)) };
  return { type: "string" };
}

function numberSchema(draw: Draw): Schema {
  if (draw.chance(0.5)) {
    const lo = draw.int(-50, 50);
    const schema: Schema = { type: "integer", minimum: lo, maximum: lo + draw.int(0, 1000) };
    if (draw.chance(0.25)) schema.multipleOf = draw.int(2, 9);
    if (draw.chance(0.2)) delete schema.maximum;
    return schema;
  }
  const lo = draw.int(-20, 20) / draw.pick([1, 2, 4, 10, 100]);
  const schema: Schema = { type: "number" };
  if (draw.chance(0.7)) schema[draw.chance(0.5) ? "minimum" : "exclusiveMinimum"] = lo;
  if (draw.chance(0.7)) schema[draw.chance(0.5) ? "maximum" : "exclusiveMaximum"] = lo + draw.int(1, 300) / draw.pick([1, 4, 10]);
  return schema;
}

function leafSchema(draw: Draw): Schema {
  const kind = draw.int(0, 5);
  if (kind <= 1) return stringSchema(draw);
  if (kind <= 3) return numberSchema(draw);
  if (kind === 4) return { type: "boolean" };
  return { type: ["string", "null"], maxLength: draw.int(0, 10) };
}

function valueSchema(draw: Draw, depth: number, defs: Record<string, Schema>): Schema {
  const roll = draw.int(0, 11);
  if (depth > 0 && roll === 0) return objectSchema(draw, depth - 1, defs);
  if (depth > 0 && roll === 1) {
    const schema: Schema = { type: "array", items: draw.chance(0.7) ? leafSchema(draw) : objectSchema(draw, 0, defs) };
    if (draw.chance(0.5)) schema.minItems = draw.int(0, 2);
    if (draw.chance(0.6)) schema.maxItems = draw.int(Number(schema.minItems ?? 0), 5);
    return schema;
  }
  if (roll === 2) return { anyOf: [leafSchema(draw), leafSchema(draw)] };
  if (roll === 3) {
    const name = `def${Object.keys(defs).length}`;
    defs[name] = leafSchema(draw);
    return { $ref: `#/$defs/${name}`, description: "shared definition" };
  }
  if (roll === 4) return { const: draw.pick(["fixed", 3, true, null]) };
  if (roll === 5) return { type: "array", prefixItems: [leafSchema(draw), leafSchema(draw)], items: false, minItems: draw.int(0, 2) };
  if (roll === 6) return { type: "object", patternProperties: { "^[a-z]+$": leafSchema(draw) }, additionalProperties: false, maxProperties: draw.int(1, 3) };
  if (roll === 7) return { type: "string", maxLength: draw.int(1, 8), not: { pattern: draw.pick(PATTERNS) } };
  return leafSchema(draw);
}

function objectSchema(draw: Draw, depth: number, defs: Record<string, Schema>): Schema {
  const count = draw.int(1, 5);
  const properties: Record<string, Schema> = {};
  for (let i = 0; i < count; i++) properties[draw.pick(NAMES)] = valueSchema(draw, depth, defs);
  const names = Object.keys(properties);
  const schema: Schema = { type: "object", properties, required: names.filter(() => draw.chance(0.5)) };
  if (draw.chance(0.5)) schema.additionalProperties = false;
  if (names.length >= 2 && draw.chance(0.3)) schema.dependentRequired = { [names[0]!]: [names[1]!] };
  if (names.length >= 2 && draw.chance(0.2)) schema.minProperties = draw.int(1, names.length);
  return schema;
}

/** A tool-parameters schema; the same seed gives the same schema. */
export function randomToolSchema(seed: number): Schema {
  const draw = new Draw(seed);
  const defs: Record<string, Schema> = {};
  const schema: Schema = { title: `tool${seed}`, ...objectSchema(draw, 2, defs) };
  if (draw.chance(0.2)) {
    // A discriminated union of two argument shapes.
    const props = schema.properties as Record<string, Schema>;
    return {
      oneOf: [
        { type: "object", properties: { ...props, kind: { const: "a" } }, required: ["kind"], additionalProperties: false },
        { type: "object", properties: { kind: { const: "b" }, extra: leafSchema(draw) }, required: ["kind", "extra"] },
      ],
      ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
    };
  }
  if (Object.keys(defs).length > 0) schema.$defs = defs;
  return schema;
}
