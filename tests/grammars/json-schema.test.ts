import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { sampleWord } from "../../src/grammars/analysis.js";
import type { ByteDfa } from "../../src/grammars/byte-dfa.js";
import { AutomatonTooLargeError } from "../../src/grammars/errors.js";
import { compileJsonSchema, jsonSchemaDfa, MAX_ITEMS_BOUND, MAX_LENGTH_BOUND, SchemaError, type JsonSchemaOptions } from "../../src/grammars/json-schema.js";
import { decimalBoundRegex, integerRangeRegex, toDecimal, type Relation } from "../../src/grammars/json-schema-numbers.js";
import { patternToRegex } from "../../src/grammars/json-schema-keywords.js";
import { regexDfa } from "../../src/grammars/regex.js";
import { seededRandom } from "../../src/search/random.js";
import { randomToolSchema } from "../support/random-schemas.js";
import { accepts, decode, utf8 } from "./helpers.js";

const ajv = new Ajv2020({ strict: false, validateFormats: false });

function acceptsText(dfa: ByteDfa, text: string): boolean {
  return accepts(dfa, utf8.encode(text));
}

/** Samples words and checks each parses and validates; returns them. */
function checkSamples(schema: object, dfa: ByteDfa, seed: number, count: number): string[] {
  const validate = ajv.compile(schema);
  const rng = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = sampleWord(dfa, rng, { maxLength: 160, stopProbability: 0.3 });
    expect(word).toBeDefined();
    const text = decode(word!);
    let value: unknown;
    expect(() => (value = JSON.parse(text)), text).not.toThrow();
    if (!validate(value)) throw new Error(`generated ${text} does not validate against ${JSON.stringify(schema)}: ${ajv.errorsText(validate.errors)}`);
    out.push(text);
  }
  return out;
}

function schemaError(schema: unknown, options: JsonSchemaOptions = {}): SchemaError {
  try {
    jsonSchemaDfa(schema, options);
  } catch (error) {
    if (error instanceof SchemaError) return error;
    throw error;
  }
  throw new Error(`no SchemaError for ${JSON.stringify(schema)}`);
}

describe("jsonSchemaDfa: generated corpus of tool schemas", () => {
  it("every sampled text parses and validates with ajv (100 schemas, both whitespace modes)", () => {
    let compiled = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const schema = randomToolSchema(seed);
      const whitespace = seed % 2 === 0 ? "none" : "compact";
      const dfa = jsonSchemaDfa(schema, { whitespace });
      const texts = checkSamples(schema, dfa, seed, 25);
      // Outside strings, "none" writes no whitespace and "compact" at most one space after ':' or ','.
      for (const t of texts) {
        const structure = t.replace(/"(?:[^"\\]|\\.)*"/g, '""');
        if (whitespace === "none") expect(structure, t).not.toMatch(/\s/);
        else expect(structure.replace(/([:,]) /g, "$1"), t).not.toMatch(/\s/);
      }
      compiled++;
    }
    expect(compiled).toBe(100);
  });

  it("accepts JSON.stringify of values sampled from the schema (canonical form is always generated)", () => {
    for (let seed = 100; seed < 120; seed++) {
      const schema = randomToolSchema(seed);
      const dfa = jsonSchemaDfa(schema);
      const strict = jsonSchemaDfa(schema, { whitespace: "none" });
      for (const text of checkSamples(schema, dfa, seed, 10)) {
        const canonical = JSON.stringify(JSON.parse(text));
        // Numbers may be re-spelled by JSON.stringify (1.50 → 1.5, 1e3 → 1000); compare only when stable.
        if (/[eE]|\.\d*0\b/.test(text)) continue;
        expect(acceptsText(strict, canonical), canonical).toBe(true);
      }
    }
  });
});

describe("jsonSchemaDfa: completeness spot checks", () => {
  const tool = {
    type: "object",
    properties: {
      to: { type: "string", pattern: "^[^@\\s]+@[^@\\s]+$" },
      subject: { type: "string", maxLength: 20 },
      priority: { enum: ["low", "high"] },
      count: { type: "integer", minimum: 1, maximum: 10 },
      ratio: { type: "number", exclusiveMinimum: 0, maximum: 1 },
      tags: { type: "array", items: { type: "string" }, maxItems: 3 },
      meta: { type: "object", properties: { draft: { type: "boolean" }, note: { type: ["string", "null"] } }, required: ["draft"] },
    },
    required: ["to", "count"],
    additionalProperties: false,
  };
  const dfa = jsonSchemaDfa(tool);
  const strict = jsonSchemaDfa(tool, { whitespace: "none" });

  it("accepts valid instances written by JSON.stringify, in both modes", () => {
    const valid = [
      { to: "a@b.c", count: 1 },
      { to: "x@y", subject: "héllo \"quoted\" \\ \n\t\u0001", count: 10 },
      { to: "x@y", priority: "high", count: 5, ratio: 0.25, tags: ["a", "b"], meta: { draft: true, note: null } },
      { to: "x@y", count: 3, ratio: 1, tags: [], meta: { draft: false, note: "日本語 🎉" } },
    ];
    for (const value of valid) {
      expect(ajv.validate(tool, value)).toBe(true);
      expect(acceptsText(strict, JSON.stringify(value)), JSON.stringify(value)).toBe(true);
      expect(acceptsText(dfa, JSON.stringify(value))).toBe(true);
    }
    expect(acceptsText(dfa, '{"to": "a@b", "count": 2, "tags": ["x", "y"]}')).toBe(true);
    expect(acceptsText(strict, '{"to": "a@b","count":2}')).toBe(false);
  });

  it("rejects invalid instances", () => {
    const invalid = [
      '{"count":1}', // missing required
      '{"to":"a@b.c","count":"1"}', // wrong type
      '{"to":"a@b.c","count":11}', // out of range
      '{"to":"a@b.c","count":0}',
      '{"to":"not an address","count":1}', // pattern mismatch
      '{"to":"a@b.c","count":1,"ratio":0}', // exclusive minimum
      '{"to":"a@b.c","count":1,"ratio":1.5}',
      '{"to":"a@b.c","count":1,"priority":"medium"}', // not in enum
      '{"to":"a@b.c","count":1,"tags":["a","b","c","d"]}', // maxItems
      '{"to":"a@b.c","count":1,"subject":"123456789012345678901"}', // maxLength
      '{"to":"a@b.c","count":1,"meta":{}}', // nested required
      '{"to":"a@b.c","count":1,"extra":1}', // additional property
      '{"count":1,"to":"a@b.c"}', // properties are written in schema order
      '{"to":"a@b.c","count":1,}', // trailing comma
      '{"to":"a@b.c" ,"count":1}', // space before comma
      '{"to":"a@b.c",  "count":1}', // two spaces
      '{"to":"a@b.c",\n"count":1}', // newline
      '{"to":"a@b.c","count":01}', // leading zero
    ];
    for (const text of invalid) expect(acceptsText(dfa, text), text).toBe(false);
  });
});

describe("jsonSchemaDfa: strings", () => {
  const any = jsonSchemaDfa({ type: "string" });

  it("writes escapes canonically, as JSON.stringify does", () => {
    for (let c = 0; c < 0x80; c++) {
      const text = JSON.stringify(String.fromCharCode(c));
      expect(acceptsText(any, text), text).toBe(true);
    }
    for (const s of ["é", "日本", "🎉", "\u2028", "\u007f", "a/b"]) expect(acceptsText(any, JSON.stringify(s))).toBe(true);
    for (const text of ['"\\/"', '"\\u0041"', '"\\u001B"', '"\n"', '"\u0001"', '"\\x41"', '"\\"', '"\\a"']) {
      expect(acceptsText(any, text), text).toBe(false);
    }
  });

  it("accepts only valid UTF-8", () => {
    for (const bytes of [[0x22, 0xc0, 0x80, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x22, 0xff, 0x22], [0x22, 0xe6, 0x97, 0x22]]) {
      expect(accepts(any, bytes)).toBe(false);
    }
  });

  it("counts length in code points of the decoded string", () => {
    const dfa = jsonSchemaDfa({ type: "string", minLength: 2, maxLength: 3 });
    for (const [s, ok] of [["ab", true], ["abc", true], ["a", false], ["abcd", false], ["🎉🎉", true], ["\n\"", true], ["é", false], ["日本語", true]] as const) {
      expect(acceptsText(dfa, JSON.stringify(s)), s).toBe(ok);
    }
  });

  it("reads pattern as an unanchored ECMAScript search", () => {
    const cases: Array<[string, string, boolean]> = [
      ["ab", "xxaby", true],
      ["ab", "xxa b", false],
      ["^ab", "abz", true],
      ["^ab", "zab", false],
      ["ab$", "zab", true],
      ["ab$", "abz", false],
      ["^a|b$", "ax", true],
      ["^a|b$", "xb", true],
      ["^a|b$", "xa", false],
      ["^(?:a|b)$", "b", true],
      ["a.c", "a\rc", false],
      ["a.c", "a\u2028c", false],
      ["a.c", "aéc", true],
      ["[.]", "x.y", true],
      ["\\$", "a$b", true],
    ];
    for (const [pattern, text, ok] of cases) {
      expect(new RegExp(pattern, "u").test(text), `${pattern} on ${text}`).toBe(ok);
      expect(acceptsText(jsonSchemaDfa({ type: "string", pattern }), JSON.stringify(text)), `${pattern} on ${text}`).toBe(ok);
    }
    expect(patternToRegex("^a$")).toBe("(?:a)");
  });

  it("generates formats that match their definitions", () => {
    const checks: Record<string, (s: string) => boolean> = {
      date: (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
      "date-time": (s) => !Number.isNaN(Date.parse(s)),
      uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s),
      ipv4: (s) => s.split(".").length === 4 && s.split(".").every((o) => String(Number(o)) === o && Number(o) <= 255),
      email: (s) => /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(s),
      ipv6: (s) => /^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}$/.test(s),
      uri: (s) => URL.canParse(s),
      "json-pointer": (s) => s === "" || (s.startsWith("/") && !/~(?![01])/.test(s)),
    };
    for (const [format, check] of Object.entries(checks)) {
      const dfa = jsonSchemaDfa({ type: "string", format });
      const rng = seededRandom(7);
      for (let i = 0; i < 40; i++) {
        const value = JSON.parse(decode(sampleWord(dfa, rng, { maxLength: 60 })!)) as string;
        expect(check(value), `${format}: ${value}`).toBe(true);
      }
    }
    const date = jsonSchemaDfa({ type: "string", format: "date" });
    expect(acceptsText(date, '"2024-02-28"')).toBe(true);
    expect(acceptsText(date, '"2024-02-30"')).toBe(false);
    expect(acceptsText(date, '"2024-04-31"')).toBe(false);
  });
});

describe("jsonSchemaDfa: numbers", () => {
  it("integer ranges are exact (exhaustive over a window)", () => {
    const rng = seededRandom(3);
    for (let trial = 0; trial < 40; trial++) {
      const lo = Math.floor(rng() * 400) - 200;
      const hi = lo + Math.floor(rng() * 300);
      const dfa = regexDfa(integerRangeRegex(lo, hi)!);
      for (let x = -260; x <= 560; x++) expect(acceptsText(dfa, String(x)), `${x} in [${lo}, ${hi}]`).toBe(x >= lo && x <= hi);
      expect(acceptsText(dfa, "-0")).toBe(false);
      expect(acceptsText(dfa, "007")).toBe(false);
    }
  });

  it("decimal bounds agree with JavaScript comparisons", () => {
    const rng = seededRandom(4);
    const decimal = (): string => {
      const int = String(Math.floor(rng() * 30));
      const frac = rng() < 0.5 ? "" : `.${String(Math.floor(rng() * 1000)).padStart(rng() < 0.5 ? 3 : 1, "0")}`;
      return `${rng() < 0.4 ? "-" : ""}${int}${frac}`;
    };
    const compare: Record<Relation, (x: number, b: number) => boolean> = { ge: (x, b) => x >= b, gt: (x, b) => x > b, le: (x, b) => x <= b, lt: (x, b) => x < b };
    for (let trial = 0; trial < 40; trial++) {
      const bound = Number(decimal());
      const relation = (["ge", "gt", "le", "lt"] as const)[trial % 4]!;
      const source = decimalBoundRegex(toDecimal(bound), relation);
      const dfa = source === undefined ? undefined : regexDfa(source);
      for (let i = 0; i < 200; i++) {
        const text = decimal();
        if (/^-0(\.0*)?$/.test(text)) continue; // excluded by the number syntax
        const expected = compare[relation](Number(text), bound);
        expect(dfa !== undefined && acceptsText(dfa, text), `${text} ${relation} ${bound}`).toBe(expected);
      }
    }
  });

  it("number schemas validate and respect draft-04 boolean exclusiveness", () => {
    const dfa = jsonSchemaDfa({ type: "number", minimum: 0, exclusiveMinimum: true, maximum: 2.5 });
    for (const [t, ok] of [["0", false], ["-0", false], ["0.0", false], ["0.001", true], ["2.5", true], ["2.50", true], ["2.51", false], ["1e3", false]] as const) {
      expect(acceptsText(dfa, t), t).toBe(ok);
    }
    // A bound with 17 significant digits is tightened to 15, so every generated number passes it.
    for (const [schema, seed] of [[{ type: "number", exclusiveMinimum: 0.12345678901234568, maximum: 0.2 }, 1], [{ type: "number", minimum: -1, exclusiveMaximum: -0.30000000000000004 }, 2]] as const) {
      checkSamples(schema, jsonSchemaDfa(schema), seed, 60);
    }
    const tight = jsonSchemaDfa({ type: "number", exclusiveMinimum: 0.12345678901234568, maximum: 0.2 });
    expect(acceptsText(tight, "0.123456789012346")).toBe(true);
    expect(acceptsText(tight, "0.123456789012345")).toBe(false);
    const mult = jsonSchemaDfa({ type: "integer", multipleOf: 3, minimum: -10, maximum: 10 });
    for (let x = -12; x <= 12; x++) expect(acceptsText(mult, String(x))).toBe(x % 3 === 0 && Math.abs(x) <= 10);
    const unbounded = jsonSchemaDfa({ type: "number" });
    for (const t of ["0", "-1.5", "1e5", "2.5E-3", "123456789012345"]) expect(acceptsText(unbounded, t), t).toBe(true);
    for (const t of ["01", "1.", ".5", "+1", "1e999", "NaN", "Infinity"]) expect(acceptsText(unbounded, t), t).toBe(false);
  });
});

describe("jsonSchemaDfa: combinators and references", () => {
  it("anyOf combines each branch with the rest of the schema", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "integer" }, b: { type: "string" } },
      anyOf: [{ required: ["a"] }, { required: ["b"] }],
    };
    const dfa = jsonSchemaDfa(schema, { whitespace: "none" });
    checkSamples(schema, dfa, 1, 40);
    expect(acceptsText(dfa, "{}")).toBe(false);
    expect(acceptsText(dfa, '{"a":1}')).toBe(true);
    expect(acceptsText(dfa, '{"b":"x"}')).toBe(true);
    expect(acceptsText(dfa, '{"a":1,"b":"x"}')).toBe(true);
  });

  it("allOf and $ref siblings are merged keyword by keyword", () => {
    const schema = {
      $defs: { base: { type: "object", properties: { id: { type: "integer", minimum: 0 } }, required: ["id"] } },
      allOf: [{ $ref: "#/$defs/base" }, { properties: { id: { maximum: 5 }, name: { type: "string", maxLength: 3 } } }],
    };
    const dfa = jsonSchemaDfa(schema, { whitespace: "none" });
    checkSamples(schema, dfa, 2, 40);
    expect(acceptsText(dfa, '{"id":5,"name":"abc"}')).toBe(true);
    expect(acceptsText(dfa, '{"id":6}')).toBe(false);
    expect(acceptsText(dfa, '{"name":"a"}')).toBe(false);
  });

  it("a $ref repeated at one level is not recursion; recursion is unfolded (refused with recursionDepth 0)", () => {
    const schema = { $defs: { id: { type: "integer", minimum: 0 } }, allOf: [{ $ref: "#/$defs/id" }], anyOf: [{ $ref: "#/$defs/id" }, { maximum: 3 }] };
    checkSamples(schema, jsonSchemaDfa(schema), 8, 20);
    const recursive = { $defs: { tree: { anyOf: [{ type: "null" }, { type: "object", properties: { kids: { type: "array", items: { $ref: "#/$defs/tree" } } } }] } }, $ref: "#/$defs/tree" };
    expect(schemaError(recursive, { recursionDepth: 0 }).keyword).toBe("$ref");
    const byDefault = compileJsonSchema(recursive, { whitespace: "none" });
    expect(byDefault.warnings.map((w) => w.kind)).toContain("unfolded-recursion");
    expect(acceptsText(byDefault.dfa, '{"kids":[{"kids":[{"kids":[{"kids":[]}]}]}]}')).toBe(true);
    expect(acceptsText(byDefault.dfa, '{"kids":[{"kids":[{"kids":[{"kids":[{}]}]}]}]}')).toBe(false);
    // Unfolded twice inside itself: trees of at most three levels of objects.
    const unfolded = jsonSchemaDfa(recursive, { recursionDepth: 2, whitespace: "none" });
    checkSamples(recursive, unfolded, 12, 40);
    expect(acceptsText(unfolded, '{"kids":[null,{"kids":[{"kids":[]}]}]}')).toBe(true);
    expect(acceptsText(unfolded, '{"kids":[{"kids":[{"kids":[{}]}]}]}')).toBe(false);
  });

  it("oneOf with a const discriminator; overlapping branches made exclusive by construction", () => {
    const schema = {
      oneOf: [
        { type: "object", properties: { kind: { const: "circle" }, r: { type: "number" } }, required: ["kind", "r"] },
        { type: "object", properties: { kind: { const: "square" }, side: { type: "number" } }, required: ["kind", "side"] },
      ],
    };
    checkSamples(schema, jsonSchemaDfa(schema), 3, 40);
    // Integers below 0 (only the first branch), non-integers from 0 (only the second).
    const overlapping = { oneOf: [{ type: "integer" }, { type: "number", minimum: 0 }] };
    const exclusive = jsonSchemaDfa(overlapping, { whitespace: "none" });
    checkSamples(overlapping, exclusive, 3, 60);
    for (const [t, ok] of [["-3", true], ["3", false], ["0", false], ["2.5", true], ["-2.5", false]] as const) expect(acceptsText(exclusive, t), t).toBe(ok);
    // Disjoint generated languages, but {"a":1,"b":"x"} would match both: each branch leaves out what the other requires.
    const open = { oneOf: [{ type: "object", properties: { a: { type: "integer" } }, required: ["a"] }, { type: "object", properties: { b: { type: "string" } }, required: ["b"] }] };
    checkSamples(open, jsonSchemaDfa(open, { mode: "complete", whitespace: "none" }), 4, 60);
    expect(jsonSchemaDfa({ oneOf: [{ type: "string" }, { type: "integer" }] }).stateCount).toBeGreaterThan(1);
    // A closed branch excludes values with a property the other branch requires.
    const closed = {
      type: "object",
      oneOf: [
        { properties: { key: { type: "string" } }, required: ["key"], additionalProperties: false },
        { properties: { keys: { type: "array", items: { type: "string" } } }, required: ["keys"] },
      ],
    };
    checkSamples(closed, jsonSchemaDfa(closed), 6, 40);
    // Branches with their own required properties: what one branch writes lacks what the others require.
    const shapes = {
      type: "object",
      oneOf: [
        { properties: { radius: { type: "number" } }, required: ["radius"] },
        { properties: { length: { type: "number" }, width: { type: "number" } }, required: ["length", "width"] },
      ],
    };
    checkSamples(shapes, jsonSchemaDfa(shapes), 7, 40);
  });

  it("dependencies, dependentRequired and dependentSchemas are exact", () => {
    const schema = {
      type: "object",
      properties: { card: { type: "string" }, billing: { type: "string" }, shape: { type: "string" }, radius: { type: "number" } },
      dependentRequired: { card: ["billing"] },
      dependentSchemas: { shape: { properties: { radius: { minimum: 1 } }, required: ["radius"] } },
    };
    const dfa = jsonSchemaDfa(schema, { whitespace: "none" });
    checkSamples(schema, dfa, 9, 60);
    expect(acceptsText(dfa, '{"card":"x","billing":"y"}')).toBe(true);
    expect(acceptsText(dfa, '{"card":"x"}')).toBe(false);
    expect(acceptsText(dfa, '{"billing":"y"}')).toBe(true);
    expect(acceptsText(dfa, '{"shape":"c","radius":0}')).toBe(false);
    expect(acceptsText(dfa, '{"shape":"c","radius":2}')).toBe(true);
    expect(acceptsText(dfa, '{"radius":0}')).toBe(true);
    const draft7 = jsonSchemaDfa({ type: "object", properties: { a: { type: "null" }, b: { type: "null" } }, dependencies: { a: ["b"] } }, { whitespace: "none" });
    expect(acceptsText(draft7, '{"a":null}')).toBe(false);
    expect(acceptsText(draft7, '{"a":null,"b":null}')).toBe(true);
  });

  it("patternProperties: map-like objects, and declared properties whose names match", () => {
    const map = { type: "object", patternProperties: { "^[a-z]+$": { type: "integer" }, "^x": { type: "string" } }, additionalProperties: false };
    const dfa = jsonSchemaDfa(map, { whitespace: "none" });
    checkSamples(map, dfa, 10, 60);
    expect(acceptsText(dfa, '{"abc":1,"X1":"s"}')).toBe(false);
    expect(acceptsText(dfa, '{"abc":1,"X":"s"}')).toBe(false);
    expect(acceptsText(dfa, '{"abc":1,"x1":"s"}')).toBe(true);
    // "xy" matches both patterns: an integer and a string at once is impossible, so never written.
    expect(acceptsText(dfa, '{"xy":1}')).toBe(false);
    const declared = { type: "object", properties: { id: { type: "number" } }, patternProperties: { "^i": { type: "integer", minimum: 0 } } };
    const strict = jsonSchemaDfa(declared, { whitespace: "none" });
    checkSamples(declared, strict, 11, 40);
    expect(acceptsText(strict, '{"id":1.5}')).toBe(false);
    expect(acceptsText(strict, '{"id":-1}')).toBe(false);
    expect(acceptsText(strict, '{"id":3}')).toBe(true);
  });

  it("minProperties and maxProperties are counted", () => {
    const schema = { type: "object", properties: { a: { type: "null" }, b: { type: "null" }, c: { type: "null" } }, minProperties: 1, maxProperties: 2 };
    const dfa = jsonSchemaDfa(schema, { whitespace: "none" });
    checkSamples(schema, dfa, 13, 40);
    for (const [t, ok] of [["{}", false], ['{"a":null}', true], ['{"b":null,"c":null}', true], ['{"a":null,"b":null,"c":null}', false]] as const) expect(acceptsText(dfa, t), t).toBe(ok);
    const free = { type: "object", additionalProperties: { type: "integer" }, minProperties: 1, maxProperties: 3 };
    const freeDfa = jsonSchemaDfa(free, { whitespace: "none" });
    checkSamples(free, freeDfa, 14, 40);
    expect(acceptsText(freeDfa, "{}")).toBe(false);
    expect(acceptsText(freeDfa, '{"x":1,"y":2,"z":3,"w":4}')).toBe(false);
  });

  it("not: of {}, required, type, pattern, and string enums", () => {
    const schema = {
      type: "object",
      properties: {
        a: { not: { type: ["string", "null"] } },
        b: { type: "string", not: { pattern: "^x" } },
        c: { type: "string", enum: ["CAN", "MEX", "USA"], not: { enum: ["CAN", "MEX"] } },
        d: { type: "integer", minimum: 0, maximum: 3 },
      },
      not: { required: ["a", "b"] },
    };
    const dfa = jsonSchemaDfa(schema, { whitespace: "none" });
    checkSamples(schema, dfa, 15, 60);
    for (const [t, ok] of [['{"a":1}', true], ['{"a":"s"}', false], ['{"b":"xy"}', false], ['{"b":"yx"}', true], ['{"c":"USA"}', true], ['{"c":"MEX"}', false], ['{"a":1,"b":"y"}', false]] as const) {
      expect(acceptsText(dfa, t), t).toBe(ok);
    }
    expect(schemaError({ type: "integer", not: {} }).path).toBe("#");
    // Negations without an exact positive form: written where the complement can be.
    const partial = { type: "object", properties: { a: { not: { type: "string", minLength: 2 } }, b: { not: { enum: [1, 2] } } }, required: ["a", "b"] };
    checkSamples(partial, jsonSchemaDfa(partial), 17, 60);
    const withBranches = { type: "string", not: { const: "b" }, anyOf: [{ enum: ["a", "b"] }, { pattern: "^c" }] };
    const branched = jsonSchemaDfa(withBranches);
    checkSamples(withBranches, branched, 16, 30);
    expect(acceptsText(branched, '"b"')).toBe(false);
  });

  it("oneOf over required lists alone is made exact", () => {
    const schema = {
      type: "object",
      properties: { radius: { type: "number" }, length: { type: "number" }, width: { type: "number" }, base: { type: "number" } },
      oneOf: [{ required: ["radius"] }, { required: ["length", "width"] }, { required: ["length"] }],
    };
    const dfa = jsonSchemaDfa(schema, { whitespace: "none" });
    const texts = checkSamples(schema, dfa, 8, 60);
    expect(texts.some((t) => t.includes("radius"))).toBe(true);
    expect(acceptsText(dfa, '{"radius":1}')).toBe(true);
    expect(acceptsText(dfa, '{"radius":1,"length":2}')).toBe(false);
    // {"length","width"} also satisfies {"length"}: that branch can never be the only match.
    expect(acceptsText(dfa, '{"length":1,"width":2}')).toBe(false);
    expect(acceptsText(dfa, '{"length":1,"base":2}')).toBe(true);
  });

  it("const and enum values of any JSON type, filtered by the rest of the schema", () => {
    const schema = { enum: [{ a: [1, { b: null }] }, [true, "x"], "s", 1.5, 2, null], type: ["object", "array", "integer", "null"] };
    const dfa = jsonSchemaDfa(schema);
    for (const v of [{ a: [1, { b: null }] }, [true, "x"], 2, null]) expect(acceptsText(dfa, JSON.stringify(v))).toBe(true);
    for (const v of ["s", 1.5]) expect(acceptsText(dfa, JSON.stringify(v))).toBe(false);
    const filtered = jsonSchemaDfa({ type: "string", enum: ["ab", "abc", "x"], pattern: "^ab" });
    expect(acceptsText(filtered, '"ab"')).toBe(true);
    expect(acceptsText(filtered, '"x"')).toBe(false);
  });

  it("true, {} and free-form objects admit any value up to the nesting bound", () => {
    const dfa = jsonSchemaDfa({ type: "object", properties: { data: {}, meta: { type: "object" } } }, { whitespace: "none" });
    expect(acceptsText(dfa, '{"data":[1,{"a":[null]}],"meta":{"k":"v","n":{"x":[]}}}')).toBe(true);
    expect(acceptsText(dfa, '{"data":[[[[1]]]]}')).toBe(false);
    checkSamples({ items: true, type: "array" }, jsonSchemaDfa({ type: "array", items: true }), 4, 30);
    expect(acceptsText(jsonSchemaDfa(true), '"x"')).toBe(true);
  });

  it("lowers very large maxLength and maxItems (a subset of the valid values)", () => {
    const long = jsonSchemaDfa({ type: "string", maxLength: 100000 });
    expect(acceptsText(long, JSON.stringify("x".repeat(MAX_LENGTH_BOUND)))).toBe(true);
    expect(acceptsText(long, JSON.stringify("x".repeat(MAX_LENGTH_BOUND + 1)))).toBe(false);
    const many = jsonSchemaDfa({ type: "array", items: { type: "integer" }, maxItems: 1000 }, { whitespace: "none" });
    expect(acceptsText(many, JSON.stringify(Array(MAX_ITEMS_BOUND).fill(1)))).toBe(true);
    expect(acceptsText(many, JSON.stringify(Array(MAX_ITEMS_BOUND + 1).fill(1)))).toBe(false);
    // A minimum above the bound wins over it.
    const exact = jsonSchemaDfa({ type: "array", items: { type: "null" }, minItems: 40, maxItems: 50 }, { whitespace: "none" });
    expect(acceptsText(exact, JSON.stringify(Array(40).fill(null)))).toBe(true);
  });

  it("prefixItems, items: false and bounds", () => {
    const schema = { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false, minItems: 1 };
    const dfa = jsonSchemaDfa(schema, { whitespace: "none" });
    checkSamples(schema, dfa, 5, 30);
    expect(acceptsText(dfa, '["a",1]')).toBe(true);
    expect(acceptsText(dfa, '["a",1,2]')).toBe(false);
    expect(acceptsText(dfa, "[]")).toBe(false);
    const draft7 = jsonSchemaDfa({ type: "array", items: [{ type: "boolean" }], additionalItems: { type: "null" }, maxItems: 3 }, { whitespace: "none" });
    expect(acceptsText(draft7, "[true,null,null]")).toBe(true);
    expect(acceptsText(draft7, "[true,null,null,null]")).toBe(false);
    expect(acceptsText(draft7, "[null]")).toBe(false);
  });
});

describe("jsonSchemaDfa: field constraints", () => {
  const schema = {
    type: "object",
    properties: { path: { type: "string" }, to: { type: "object", properties: { address: { type: "string" } } }, mode: { type: "string", enum: ["r", "w", "rw"] } },
  };

  it("negate=false: present and matching (nested paths too)", () => {
    const dfa = jsonSchemaDfa(schema, { whitespace: "none", fields: [{ path: ["path"], regex: "/tmp/.*", negate: false }, { path: ["to", "address"], regex: "[a-z]+@corp\\.com", negate: false }] });
    expect(acceptsText(dfa, '{"path":"/tmp/x","to":{"address":"bob@corp.com"}}')).toBe(true);
    expect(acceptsText(dfa, '{"path":"/etc/x","to":{"address":"bob@corp.com"}}')).toBe(false);
    expect(acceptsText(dfa, '{"to":{"address":"bob@corp.com"}}')).toBe(false);
    expect(acceptsText(dfa, '{"path":"/tmp/x","to":{}}')).toBe(false);
    const rng = seededRandom(9);
    for (let i = 0; i < 30; i++) {
      const value = JSON.parse(decode(sampleWord(dfa, rng)!)) as { path: string; to: { address: string } };
      expect(value.path.startsWith("/tmp/")).toBe(true);
      expect(value.to.address.endsWith("@corp.com")).toBe(true);
    }
  });

  it("negate=true: absent or not matching; applies to enums too", () => {
    const dfa = jsonSchemaDfa(schema, { whitespace: "none", fields: [{ path: ["path"], regex: "/etc/.*", negate: true }, { path: ["mode"], regex: ".*w.*", negate: true }] });
    expect(acceptsText(dfa, "{}")).toBe(true);
    expect(acceptsText(dfa, '{"path":"/tmp/x"}')).toBe(true);
    expect(acceptsText(dfa, '{"path":"/etc/passwd"}')).toBe(false);
    expect(acceptsText(dfa, '{"mode":"r"}')).toBe(true);
    expect(acceptsText(dfa, '{"mode":"rw"}')).toBe(false);
  });

  it("a field on a non-string or undeclared property is a SchemaError", () => {
    expect(schemaError({ type: "object", properties: { n: { type: "integer" } } }, { fields: [{ path: ["n"], regex: "1", negate: false }] }).path).toBe("#");
    expect(schemaError(schema, { fields: [{ path: ["nope"], regex: "x", negate: true }] })).toBeInstanceOf(SchemaError);
  });
});

describe("jsonSchemaDfa: refusals", () => {
  const cases: Array<[unknown, string, string]> = [
    [{ type: "object", patternProperties: { "(?=x)": { type: "string" } } }, "#/patternProperties/(?=x)", "patternProperties"],
    [{ dependentRequired: { a: "b" } }, "#/dependentRequired/a", "dependentRequired"],
    [{ type: "array", contains: { type: "string" }, uniqueItems: true }, "#/contains", "contains"],
    [{ type: "object", propertyNames: { pattern: "^a" } }, "#/propertyNames", "propertyNames"],
    [{ type: "object", minProperties: 2 }, "#/minProperties", "minProperties"],
    [{ type: "object", unevaluatedProperties: false }, "#/unevaluatedProperties", "unevaluatedProperties"],
    [{ type: "string", pattern: "^(?=a)" }, "#/pattern", "pattern"],
    [{ type: "string", pattern: "(a)\\1" }, "#/pattern", "pattern"],
    [{ type: "string", format: "phone" }, "#/format", "format"],
    [{ type: "number", multipleOf: 0.1 }, "#/multipleOf", "multipleOf"],
    [{ $ref: "https://example.com/schema.json" }, "#/$ref", "$ref"],
    [{ $ref: "#/$defs/missing" }, "#/$ref", "$ref"],
    [{ type: "object", properties: { a: { type: "strin" } } }, "#/properties/a/type", "type"],
  ];
  for (const [schema, path, keyword] of cases) {
    it(`${keyword} at ${path}`, () => {
      const error = schemaError(schema);
      expect(error.path).toBe(path);
      expect(error.keyword).toBe(keyword);
    });
  }

  it("ignores keywords and formats JSON Schema does not define, with a warning (an error if asked)", () => {
    const typo = compileJsonSchema({ type: "string", maxLenght: 3 });
    expect(typo.warnings).toHaveLength(1);
    expect(typo.warnings[0]!).toMatchObject({ kind: "ignored-keyword", keyword: "maxLenght", path: "#/maxLenght" });
    expect(typo.warnings[0]!.message).toContain("did you mean 'maxLength'");
    expect(acceptsText(typo.dfa, '"longer than three"')).toBe(true);
    const refused = schemaError({ type: "string", maxLenght: 3 }, { unknownKeywords: "error" });
    expect([refused.path, refused.keyword]).toEqual(["#/maxLenght", "maxLenght"]);
    expect(refused.message).toContain("did you mean 'maxLength'");
    // Vendor keywords at many places make one warning that counts them.
    const seen: string[] = [];
    const vendor = compileJsonSchema({ type: "object", javaType: "A", properties: { a: { type: "string", javaType: "B" }, b: { javaType: "C" } } }, { onWarning: (w) => seen.push(w.path) });
    expect(vendor.warnings).toHaveLength(1);
    expect(vendor.warnings[0]!.message).toContain("also at");
    expect(seen).toEqual(["#/javaType"]);
    // Format names JSON Schema does not define: ignored; standard ones are never ignored.
    const topic = compileJsonSchema({ type: "string", format: "topic" });
    expect(topic.warnings[0]!.kind).toBe("ignored-format");
    expect(acceptsText(topic.dfa, '"any"')).toBe(true);
    expect(schemaError({ type: "string", format: "topic" }, { unknownKeywords: "error" }).keyword).toBe("format");
    expect(compileJsonSchema({ type: "string", maxLenght: 3 }, { unknownKeywords: "ignore" }).warnings).toEqual([]);
    expect(compileJsonSchema({ type: "string", maxLenght: 3 }, { ignoreUnknownKeywords: true }).warnings).toEqual([]);
  });

  it("ignores annotations and x- extensions", () => {
    const schema = { $schema: "https://json-schema.org/draft/2020-12/schema", $id: "x", title: "t", description: "d", default: 1, examples: [1], $comment: "c", deprecated: true, readOnly: true, "x-foo": 1, type: "integer" };
    expect(acceptsText(jsonSchemaDfa(schema), "42")).toBe(true);
  });

  it("a schema with no generable value is a SchemaError; a huge one hits maxStates", () => {
    expect(schemaError({ type: "integer", minimum: 5, maximum: 4 }).path).toBe("#");
    expect(() => jsonSchemaDfa({ type: "string", minLength: 100, maxLength: 100 }, { maxStates: 200 })).toThrow(AutomatonTooLargeError);
  });
});
