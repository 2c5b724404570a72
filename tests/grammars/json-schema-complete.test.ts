import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { sampleWord } from "../../src/grammars/analysis.js";
import { acceptsBytes, type ByteDfa } from "../../src/grammars/byte-dfa.js";
import { compileJsonSchema, jsonSchemaDfa, type JsonSchemaOptions } from "../../src/grammars/json-schema.js";
import { seededRandom } from "../../src/search/random.js";
import { randomToolSchema } from "../support/random-schemas.js";

const ajv = new Ajv2020({ strict: false, validateFormats: false });
const encoder = new TextEncoder();
const complete: JsonSchemaOptions = { mode: "complete", whitespace: "none" };

function accepts(dfa: ByteDfa, text: string): boolean {
  return acceptsBytes(dfa, encoder.encode(text));
}

/** Each text is accepted exactly when `expected` says, and ajv agrees with every acceptance. */
function expectVerdicts(schema: object, dfa: ByteDfa, cases: ReadonlyArray<readonly [string, boolean]>): void {
  const validate = ajv.compile(schema);
  for (const [text, expected] of cases) {
    expect(accepts(dfa, text), text).toBe(expected);
    if (expected) expect(validate(JSON.parse(text)), `ajv on ${text}`).toBe(true);
  }
}

/** The object with its keys in another order (a rotation, then reversed halves), recursively. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => reorder(v, seed + i));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).map(([k, v], i) => [k, reorder(v, seed + i)] as const);
  const shift = entries.length === 0 ? 0 : seed % entries.length;
  const rotated = [...entries.slice(shift), ...entries.slice(0, shift)];
  return Object.fromEntries(seed % 2 === 0 ? rotated.reverse() : rotated);
}

describe("complete mode: objects", () => {
  const schema = { type: "object", properties: { a: { type: "integer" }, b: { type: "string" }, c: { type: "boolean" } }, required: ["a"] };

  it("accepts extra properties where additionalProperties allows them, in any order, each declared one once", () => {
    expectVerdicts(schema, jsonSchemaDfa(schema, complete), [
      ['{"a":1}', true],
      ['{"b":"x","a":1}', true],
      ['{"c":true,"b":"x","a":1}', true],
      ['{"zz":[1,{"k":null}],"a":1,"yy":"s"}', true],
      ['{"a":1,"a":2}', false],
      ['{"b":"x"}', false],
      ['{"b":"x","zz":1}', false],
      ['{"a":"1"}', false],
    ]);
    // The narrow mode writes the declared properties in order, nothing else.
    expectVerdicts(schema, jsonSchemaDfa(schema, { whitespace: "none" }), [
      ['{"a":1,"b":"x"}', true],
      ['{"b":"x","a":1}', false],
      ['{"a":1,"zz":1}', false],
    ]);
  });

  it("extra members follow additionalProperties and patternProperties", () => {
    const typed = { ...schema, additionalProperties: { type: "integer" } };
    expectVerdicts(typed, jsonSchemaDfa(typed, complete), [
      ['{"q":5,"a":1}', true],
      ['{"a":1,"q":"s"}', false],
    ]);
    const closed = { ...schema, patternProperties: { "^x": { type: "boolean" } }, additionalProperties: false };
    expectVerdicts(closed, jsonSchemaDfa(closed, complete), [
      ['{"x1":true,"a":1,"xy":false}', true],
      ['{"a":1,"x1":1}', false],
      ['{"a":1,"y":true}', false],
    ]);
    const map = { type: "object", patternProperties: { "^[a-z]+$": { type: "integer" } } };
    expectVerdicts(map, jsonSchemaDfa(map, complete), [
      ['{"abc":1,"X":"anything"}', true],
      ['{"abc":"1"}', false],
    ]);
  });

  it("large objects: the properties with the smallest values in any order, the others in schema order, with a warning", () => {
    const properties = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, i % 3 === 0 ? { type: "string", maxLength: 40 } : { type: "integer" }]));
    const big = { type: "object", properties, additionalProperties: false };
    const { dfa, warnings } = compileJsonSchema(big, complete);
    expect(warnings.map((w) => w.kind)).toContain("bounded-order");
    const inOrder = Object.fromEntries(Object.keys(properties).map((k, i) => [k, i % 3 === 0 ? "s" : i]));
    expect(accepts(dfa, JSON.stringify(inOrder))).toBe(true);
    const ints = Object.keys(properties).filter((_, i) => i % 3 !== 0);
    // Two integer properties swapped: both are among the small, free ones.
    const swapped = { [ints[1]!]: 2, [ints[0]!]: 1 };
    expect(accepts(dfa, JSON.stringify(swapped))).toBe(true);
    expect(accepts(dfa, JSON.stringify({ p3: "s", p0: "s" }))).toBe(false);
  });

  it("free-form values nest to freeFormDepth (4 in complete mode, 3 in narrow mode)", () => {
    const free = { type: "object", properties: { data: {} } };
    const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
    const completeDfa = jsonSchemaDfa(free, complete);
    const narrowDfa = jsonSchemaDfa(free, { whitespace: "none" });
    expect(accepts(completeDfa, JSON.stringify({ data: deep(4) }))).toBe(true);
    expect(accepts(completeDfa, JSON.stringify({ data: deep(5) }))).toBe(false);
    expect(accepts(narrowDfa, JSON.stringify({ data: deep(3) }))).toBe(true);
    expect(accepts(narrowDfa, JSON.stringify({ data: deep(4) }))).toBe(false);
  });

  it("accepts every reordering of generated values, with an extra property where allowed (random tool schemas)", async () => {
    let checked = 0;
    for (let seed = 1; seed <= 20; seed++) {
      await new Promise((resolve) => setImmediate(resolve)); // let the test runner's messages through
      const toolSchema = randomToolSchema(seed);
      const narrow = jsonSchemaDfa(toolSchema, { whitespace: "none" });
      const { dfa, warnings } = compileJsonSchema(toolSchema, complete);
      if (warnings.some((w) => w.kind === "bounded-order")) continue; // documented: schema order there
      const validate = ajv.compile(toolSchema);
      const rng = seededRandom(seed);
      for (let i = 0; i < 10; i++) {
        const value = JSON.parse(new TextDecoder().decode(sampleWord(narrow, rng, { maxLength: 200, stopProbability: 0.3 })!)) as unknown;
        for (const variant of [reorder(value, i), reorder(value, i + 1)]) {
          const withExtra = typeof variant === "object" && variant !== null && !Array.isArray(variant) ? { ...variant, zz_extra: 1 } : variant;
          for (const candidate of [variant, withExtra]) {
            const text = JSON.stringify(candidate);
            const valid = validate(candidate);
            expect(accepts(dfa, text), `${valid ? "valid" : "invalid"} ${text} for ${JSON.stringify(toolSchema)}`).toBe(valid);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});

describe("complete mode: formats", () => {
  const check = (format: string, cases: ReadonlyArray<readonly [string, boolean]>, options: JsonSchemaOptions = complete): void => {
    const dfa = jsonSchemaDfa({ type: "string", format }, options);
    for (const [text, ok] of cases) expect(accepts(dfa, JSON.stringify(text)), `${format}: ${text}`).toBe(ok);
  };

  it("URIs: RFC 3986 in complete mode, http(s) URLs with port, query and fragment in narrow mode", () => {
    check("uri", [
      ["http://localhost:8080", true],
      ["https://example.com/a/b?x=1&y=2#frag", true],
      ["file:///path/to/file.js", true],
      ["did:example:123456789", true],
      ["mailto:someone@example.com", true],
      ["urn:isbn:0451450523", true],
      ["http://user:pw@host:80/%7Euser", true],
      ["relative/path", false],
      ["?query", false],
      ["http://a b", false],
      ["http://x/%zz", false],
      ["1http://x", false],
    ]);
    check("uri-reference", [
      ["?query", true],
      ["#fragment", true],
      ["../a/b", true],
      ["", true],
      ["a b", false],
    ]);
    check("uri", [["http://localhost:8080/x?y=1#z", true], ["ftp://x", false]], { whitespace: "none" });
  });

  it("dates with leap years, times with offsets, addresses, IPv6, durations", () => {
    check("date", [["2024-02-29", true], ["2000-02-29", true], ["1900-02-29", false], ["2023-02-29", false], ["0000-01-01", false], ["2023-13-01", false]]);
    check("date-time", [["2024-02-29T23:59:59.123456789Z", true], ["2024-01-01T00:00:00+05:30", true], ["2024-01-01T00:00:00", false], ["2024-01-01 00:00:00Z", false]]);
    check("email", [["o'neil+tag@Example.COM", true], ["a@b", false], ["a@@b.c", false]]);
    check("ipv6", [["::1", true], ["fe80::1", true], ["2001:DB8::8a2e:370:7334", true], ["1:2:3:4:5:6:7:8", true], ["1::2::3", false], ["1:2:3:4:5:6:7:8:9", false]]);
    check("duration", [["P1Y2M3DT4H5M6S", true], ["PT5M", true], ["P3W", true], ["P", false], ["PT", false], ["P1Y1D", false]]);
  });
});
