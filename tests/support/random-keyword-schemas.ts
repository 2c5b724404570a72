/**
 * Seeded random JSON Schemas that use the keywords the compiler enforces by construction or by
 * negation: `not` of every kind, if/then/else, overlapping oneOf, contains/minContains/
 * maxContains, uniqueItems (finite and infinite item domains), recursive $ref, open objects
 * (additionalProperties, patternProperties), and keywords JSON Schema does not define. No
 * `format` (the validator of the tests does not check formats).
 *
 * And `mutations`: JSON texts near a given one (a value changed, a property added, removed or
 * moved, an item repeated …), from which instances ajv rejects come, to check that the
 * automaton rejects them too.
 */
import { Draw } from "./random-schemas.js";

type Schema = Record<string, unknown>;

const NAMES = ["a", "b", "c", "id", "kind", "tags", "n", "mode", "next", "x-y"];
const WORDS = ["red", "green", "blue", "", "a b", "ü"];
const PATTERNS = ["^[a-z]+$", "^x", "[0-9]", "^.{0,3}$", "e$"];

function scalar(draw: Draw): Schema {
  switch (draw.int(0, 7)) {
    case 0:
      return { type: "string", maxLength: draw.int(0, 6) };
    case 1:
      return { type: "string", pattern: draw.pick(PATTERNS), maxLength: 8 };
    case 2:
      return { enum: [...new Set(Array.from({ length: draw.int(1, 4) }, () => draw.pick([...WORDS, 1, 2.5, true, null])))] };
    case 3: {
      const lo = draw.int(-5, 5);
      return { type: "integer", minimum: lo, maximum: lo + draw.int(0, 20) };
    }
    case 4:
      return { type: "number", exclusiveMinimum: draw.int(-3, 3), maximum: draw.int(4, 9) };
    case 5:
      return { type: "boolean" };
    case 6:
      return { type: ["string", "null"], minLength: draw.int(0, 2), maxLength: 5 };
    default:
      return { type: "integer", multipleOf: draw.int(2, 4), minimum: 0, maximum: 30 };
  }
}

/** A schema negated by `not`, of a kind the negation handles exactly, partly, or not at all. */
function negatable(draw: Draw, depth: number): Schema {
  switch (draw.int(0, 7)) {
    case 0:
      return scalar(draw);
    case 1:
      return { type: draw.pick(["string", "integer", "object", ["null", "boolean"]]) };
    case 2:
      return { enum: [draw.pick(WORDS), draw.pick([1, 3, null, false])] };
    case 3:
      return { required: [draw.pick(NAMES)] };
    case 4:
      return { properties: { [draw.pick(NAMES)]: scalar(draw) } };
    case 5:
      return { anyOf: [scalar(draw), scalar(draw)] };
    case 6:
      return depth > 0 ? value(draw, depth - 1) : { minLength: 2 };
    default:
      return { type: "array", items: scalar(draw), maxItems: 2 };
  }
}

function array(draw: Draw, depth: number): Schema {
  const roll = draw.int(0, 3);
  if (roll === 0) return { type: "array", items: { enum: ["p", "q", "r", 1, 2] }, uniqueItems: true, maxItems: draw.int(2, 5) };
  if (roll === 1) return { type: "array", items: scalar(draw), uniqueItems: true, maxItems: draw.int(2, 4) };
  if (roll === 2) {
    const schema: Schema = { type: "array", items: scalar(draw), contains: scalar(draw), maxItems: 4 };
    if (draw.chance(0.5)) schema.minContains = draw.int(0, 2);
    if (draw.chance(0.5)) schema.maxContains = draw.int(1, 2);
    return schema;
  }
  return { type: "array", prefixItems: [scalar(draw), depth > 0 ? value(draw, depth - 1) : scalar(draw)], items: draw.chance(0.5) ? false : scalar(draw) };
}

function object(draw: Draw, depth: number): Schema {
  const properties: Record<string, Schema> = {};
  for (let i = draw.int(1, 4); i > 0; i--) properties[draw.pick(NAMES)] = depth > 0 && draw.chance(0.3) ? value(draw, depth - 1) : scalar(draw);
  const names = Object.keys(properties);
  const schema: Schema = { type: "object", properties, required: names.filter(() => draw.chance(0.4)) };
  const open = draw.int(0, 3);
  if (open === 0) schema.additionalProperties = false;
  else if (open === 1) schema.additionalProperties = scalar(draw);
  else if (open === 2) schema.patternProperties = { "^z": scalar(draw) };
  if (draw.chance(0.2)) schema["x-vendor"] = { note: "ignored" };
  if (draw.chance(0.15)) schema.javaType = "com.example.Thing"; // not a JSON Schema keyword
  return schema;
}

function value(draw: Draw, depth: number): Schema {
  switch (draw.int(0, 9)) {
    case 0:
      return { not: negatable(draw, depth) };
    case 1:
      return { ...scalar(draw), not: negatable(draw, depth) };
    case 2:
      return { if: negatable(draw, 0), then: scalar(draw), ...(draw.chance(0.6) ? { else: scalar(draw) } : {}) };
    case 3:
      return { oneOf: [scalar(draw), scalar(draw), ...(draw.chance(0.3) ? [scalar(draw)] : [])] };
    case 4:
      return { type: "object", oneOf: [object(draw, 0), object(draw, 0)] };
    case 5:
      return array(draw, depth);
    case 6:
      return object(draw, depth);
    default:
      return scalar(draw);
  }
}

/** A schema with the keywords above; recursive (a tree through $defs) for some seeds. */
export function randomKeywordSchema(seed: number): Schema {
  const draw = new Draw(seed);
  if (draw.chance(0.15)) {
    return {
      $defs: { node: { type: "object", properties: { v: scalar(draw), kids: { type: "array", items: { $ref: "#/$defs/node" }, maxItems: 2 } }, required: ["v"] } },
      $ref: "#/$defs/node",
    };
  }
  return value(draw, 2);
}

/** JSON texts near `text` (compact JSON): edits of its values, properties and items. */
export function mutations(text: string, seed: number, count: number): string[] {
  const draw = new Draw(seed);
  const value = JSON.parse(text) as unknown;
  const replacements: unknown[] = [null, true, 0, -1, 2.5, 7, 100, "", "red", "x", "zz", "ab12", [], [1], ["p", "p"], {}, { a: 1 }];
  const out = new Set<string>();
  const edit = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      const copy = [...node];
      const roll = draw.int(0, 4);
      if (roll === 0 && copy.length > 0) copy.splice(draw.int(0, copy.length - 1), 1);
      else if (roll === 1 && copy.length > 0) copy.push(copy[draw.int(0, copy.length - 1)]);
      else if (roll === 2) copy.push(draw.pick(replacements));
      else if (copy.length > 0) {
        const i = draw.int(0, copy.length - 1);
        copy[i] = draw.chance(0.5) ? edit(copy[i]) : draw.pick(replacements);
      }
      return copy;
    }
    if (typeof node === "object" && node !== null) {
      const entries = Object.entries(node);
      const roll = draw.int(0, 4);
      if (roll === 0 && entries.length > 0) entries.splice(draw.int(0, entries.length - 1), 1);
      else if (roll === 1) entries.push([draw.pick([...NAMES, "zeta", "other"]), draw.pick(replacements)]);
      else if (roll === 2 && entries.length > 1) entries.reverse();
      else if (entries.length > 0) {
        const i = draw.int(0, entries.length - 1);
        entries[i] = [entries[i]![0], draw.chance(0.5) ? edit(entries[i]![1]) : draw.pick(replacements)];
      }
      return Object.fromEntries(entries);
    }
    return draw.chance(0.8) ? draw.pick(replacements) : node;
  };
  for (let i = 0; i < count * 3 && out.size < count; i++) {
    const mutated = JSON.stringify(edit(value));
    if (mutated !== text) out.add(mutated);
  }
  return [...out];
}
