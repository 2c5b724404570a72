import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { sampleWord } from "../../src/grammars/analysis.js";
import { acceptsBytes } from "../../src/grammars/byte-dfa.js";
import { AutomatonTooLargeError } from "../../src/grammars/errors.js";
import { compileJsonSchema, dyadicStep, jsonSchemaDfa, SchemaError, type JsonSchemaOptions } from "../../src/grammars/json-schema.js";
import { patternToRegex } from "../../src/grammars/json-schema-keywords.js";
import { regexDfa } from "../../src/grammars/regex.js";
import { seededRandom } from "../../src/search/random.js";
import { mutations, randomKeywordSchema } from "../support/random-keyword-schemas.js";

const ajv = new Ajv2020({ strict: false, validateFormats: false });
const encoder = new TextEncoder();

function accepted(dfa: Parameters<typeof acceptsBytes>[0], text: string): boolean {
  return acceptsBytes(dfa, encoder.encode(text));
}

/**
 * For random schemas with the keywords enforced by negation and construction: every sampled
 * output validates with ajv, and every text near one (mutated) that the automaton accepts
 * validates too, so no invalid instance is accepted. Returns how many schemas compiled.
 */
async function checkSoundness(first: number, last: number, options: JsonSchemaOptions): Promise<{ compiled: number; rejectedInvalid: number; acceptedValid: number }> {
  let compiled = 0;
  let rejectedInvalid = 0;
  let acceptedValid = 0;
  for (let seed = first; seed <= last; seed++) {
    // Long synchronous runs starve the test runner's messages: yield between schemas.
    await new Promise((resolve) => setImmediate(resolve));
    const schema = randomKeywordSchema(seed);
    let dfa;
    try {
      dfa = compileJsonSchema(schema, options).dfa;
    } catch (error) {
      // Unsatisfiable (as written) schemas and oversized ones are refused; nothing else may fail.
      if (error instanceof SchemaError && /no JSON value/.test(error.message)) continue;
      if (error instanceof AutomatonTooLargeError) continue;
      throw new Error(`seed ${seed}: ${(error as Error).message} for ${JSON.stringify(schema)}`);
    }
    compiled++;
    const validate = ajv.compile(schema);
    const rng = seededRandom(seed);
    for (let i = 0; i < 12; i++) {
      const text = new TextDecoder().decode(sampleWord(dfa, rng, { maxLength: 120, stopProbability: 0.3 })!);
      const value = JSON.parse(text) as unknown;
      if (!validate(value)) throw new Error(`seed ${seed}: generated ${text}, invalid for ${JSON.stringify(schema)}: ${ajv.errorsText(validate.errors)}`);
      for (const near of mutations(JSON.stringify(value), seed * 100 + i, 6)) {
        const valid = validate(JSON.parse(near));
        const accepts = accepted(dfa, near);
        if (accepts && !valid) throw new Error(`seed ${seed}: accepted ${near}, invalid for ${JSON.stringify(schema)}: ${ajv.errorsText(validate.errors)}`);
        if (!valid) rejectedInvalid++;
        else if (accepts) acceptedValid++;
      }
    }
  }
  return { compiled, rejectedInvalid, acceptedValid };
}

describe("jsonSchemaDfa: random schemas with not, if, oneOf, contains, uniqueItems, recursion", () => {
  // Small free-form values and recursion keep the complete-mode automata quick to build.
  const small: JsonSchemaOptions = { whitespace: "none", freeFormDepth: 2, recursionDepth: 2 };
  for (const [first, last] of [[1, 40], [41, 80], [81, 120]] as const) {
    it(`seeds ${first}–${last}: outputs validate; nearby invalid instances are rejected; complete mode accepts more valid ones`, async () => {
      const narrow = await checkSoundness(first, last, small);
      const complete = await checkSoundness(first, last, { ...small, mode: "complete" });
      expect(narrow.compiled).toBeGreaterThan(30);
      expect(complete.compiled).toBeGreaterThan(30);
      expect(narrow.rejectedInvalid).toBeGreaterThan(300);
      expect(complete.acceptedValid).toBeGreaterThan(narrow.acceptedValid);
    });
  }
});

/** Values of every JSON type, for exhaustive comparisons with ajv. */
const POOL: readonly unknown[] = [
  null, true, false, 0, 1, -1, 2, 3, 5, 6, 7, 10, 2.5, -0.5, 0.25, "", "a", "ab", "abc", "xyz", "red", "1",
  [], [0], [5], [5, 5], [1, 5, 7], [0, 0, 6], [5, 6, 7, 8], ["a"], ["a", "a"], ["a", "b"], ["b", "a", "c"], [1, "a"], [null, null],
  {}, { a: 1 }, { a: "x" }, { b: 2 }, { a: 1, b: 2 }, { kind: "x", n: 1 }, { kind: "y" }, { n: 3 },
];

/** Over POOL: the automaton accepts a value only if ajv does, and (when `exact`) every value ajv accepts. */
function compareOnPool(schema: object, options: JsonSchemaOptions, exact: boolean): void {
  const dfa = jsonSchemaDfa(schema, options);
  const validate = ajv.compile(schema);
  for (const value of POOL) {
    const text = JSON.stringify(value);
    const valid = validate(value);
    if (accepted(dfa, text)) expect(valid, `accepted ${text} for ${JSON.stringify(schema)}`).toBe(true);
    else if (exact) expect(valid, `rejected valid ${text} for ${JSON.stringify(schema)}`).toBe(false);
  }
}

describe("jsonSchemaDfa: keywords enforced by negation and construction", () => {
  const none: JsonSchemaOptions = { whitespace: "none" };
  const complete: JsonSchemaOptions = { mode: "complete", whitespace: "none" };

  it("not: exact where every keyword has a written complement", () => {
    for (const schema of [
      { not: { type: "string", minLength: 2 } },
      { not: { enum: [1, "a", null] } },
      { not: { type: "integer" } },
      { not: { anyOf: [{ type: "string" }, { type: "number", minimum: 3 }] } },
      { not: { type: "object", required: ["a"] } },
      { not: { type: "array", maxItems: 1 } },
      { not: { not: { type: "boolean" } } },
      { type: "integer", not: { multipleOf: 5 } },
    ]) {
      compareOnPool(schema, complete, true);
    }
  });

  it("not: a keyword without a written complement narrows, with a warning, and stays sound", () => {
    const schema = { not: { type: "array", uniqueItems: true } };
    const { warnings } = compileJsonSchema(schema, none);
    expect(warnings.map((w) => [w.kind, w.keyword])).toContainEqual(["partial-negation", "uniqueItems"]);
    compareOnPool(schema, none, false);
  });

  it("if/then/else: exact on the pool", () => {
    compareOnPool({ if: { type: "integer" }, then: { minimum: 3 }, else: { type: "string" } }, complete, true);
    compareOnPool({ type: "object", if: { required: ["kind"] }, then: { properties: { kind: { const: "x" } }, required: ["n"] } }, complete, true);
  });

  it("contains, minContains, maxContains: exact on the pool", () => {
    compareOnPool({ type: "array", contains: { const: 5 } }, complete, true);
    compareOnPool({ type: "array", items: { type: "integer" }, contains: { minimum: 5 }, minContains: 2, maxContains: 2 }, complete, true);
    compareOnPool({ type: "array", contains: { type: "string" }, maxContains: 1, minContains: 0 }, complete, true);
  });

  it("oneOf with overlapping branches: exactly one branch holds for every accepted value", () => {
    compareOnPool({ oneOf: [{ type: "integer" }, { minimum: 3 }] }, complete, true);
    compareOnPool({ oneOf: [{ type: "array", maxItems: 2 }, { type: "array", items: { type: "integer" } }] }, complete, true);
    compareOnPool({ type: "object", oneOf: [{ required: ["a"] }, { required: ["b"] }, { properties: { kind: { const: "x" } } }] }, complete, false);
  });

  it("uniqueItems: exact over finite item domains, one item per type otherwise, lowered when the sets of values are too many", () => {
    const finite = { type: "array", items: { enum: ["a", "b", "c", 1, 1.0] }, uniqueItems: true };
    compareOnPool(finite, complete, true);
    const dfa = jsonSchemaDfa(finite, none);
    for (const [t, ok] of [['["c","b","a",1]', true], ['["a","a"]', false], ["[1,1]", false], ['["a",1,"b"]', true]] as const) expect(accepted(dfa, t), t).toBe(ok);
    const strings = compileJsonSchema({ type: "array", items: { type: ["string", "integer"] }, uniqueItems: true }, none);
    expect(strings.warnings.map((w) => w.keyword)).toContain("uniqueItems");
    expect(accepted(strings.dfa, '["x",1]')).toBe(true);
    expect(accepted(strings.dfa, '["x","y"]')).toBe(false);
    const many = compileJsonSchema({ type: "array", items: { enum: Array.from({ length: 40 }, (_, i) => `v${i}`) }, uniqueItems: true }, none);
    expect(many.warnings.some((w) => /at most \d+ items/.test(w.message))).toBe(true);
    expect(accepted(many.dfa, '["v3","v7"]')).toBe(true);
  });

  it("a string automaton too large with its length bound: the bound is halved until it fits, with one warning, outputs valid", () => {
    const rng = seededRandom(11);
    for (const schema of [
      { type: "string", pattern: "^([a-z]+ ){2}[a-z]+$", maxLength: 500 },
      { type: "string", pattern: "^(a|b)*c(a|b){5}$", maxLength: 400 },
      { type: "string", maxLength: 500 },
    ]) {
      const { dfa, warnings } = compileJsonSchema(schema, { ...none, maxStates: 3000 });
      const lowered = warnings.filter((w) => w.keyword === "maxLength");
      expect(lowered, JSON.stringify(warnings)).toHaveLength(1);
      const bound = Number(/at most (\d+) characters/.exec(lowered[0]!.message)![1]);
      expect(bound).toBeGreaterThanOrEqual(16);
      expect(bound).toBeLessThan(500);
      const validate = ajv.compile(schema);
      for (let i = 0; i < 200; i++) {
        const value = JSON.parse(new TextDecoder().decode(sampleWord(dfa, rng, { maxLength: 600 })!)) as string;
        expect(validate(value), value).toBe(true);
        expect([...value].length).toBeLessThanOrEqual(bound);
      }
      expect(accepted(dfa, JSON.stringify("a".repeat(bound + 1)))).toBe(false);
    }
    // Under the default maxStates a bound alone is exact up to MAX_LENGTH_BOUND.
    expect(compileJsonSchema({ type: "string", maxLength: 500 }, none).warnings).toEqual([]);
  });

  it("large items with a high maxItems: maxItems lowered to the copies that fit, never below minItems", () => {
    const item = { type: "object", properties: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`p${i}`, { type: "string", pattern: "^[a-z]{1,20}$" }])), required: ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"] };
    const schema = { type: "array", items: item, minItems: 2, maxItems: 30 };
    const { dfa, warnings } = compileJsonSchema(schema, { ...none, maxStates: 3000 });
    const lowered = warnings.find((w) => w.keyword === "maxItems");
    expect(lowered?.message).toMatch(/at most \d+ items here/);
    const fitting = Number(/at most (\d+) items/.exec(lowered!.message)![1]);
    expect(fitting).toBeGreaterThanOrEqual(2);
    expect(fitting).toBeLessThan(30);
    const one = Object.fromEntries(Object.keys(item.properties).map((k) => [k, "ab"]));
    expect(accepted(dfa, JSON.stringify(Array(fitting).fill(one)))).toBe(true);
    expect(accepted(dfa, JSON.stringify(Array(fitting + 1).fill(one)))).toBe(false);
    expect(accepted(dfa, JSON.stringify([one]))).toBe(false); // minItems holds
    const validate = ajv.compile(schema);
    const rng = seededRandom(12);
    for (let i = 0; i < 50; i++) expect(validate(JSON.parse(new TextDecoder().decode(sampleWord(dfa, rng, { maxLength: 20000 })!)))).toBe(true);
  });

  it("recursive $ref is unfolded recursionDepth times; #anchor references resolve", () => {
    const list = { $defs: { node: { type: "object", properties: { next: { $ref: "#/$defs/node" } } } }, $ref: "#/$defs/node" };
    const two = jsonSchemaDfa(list, { ...none, recursionDepth: 2 });
    expect(accepted(two, '{"next":{"next":{}}}')).toBe(true);
    expect(accepted(two, '{"next":{"next":{"next":{}}}}')).toBe(false);
    const anchored = { $defs: { id: { $anchor: "ident", type: "integer", minimum: 0 } }, type: "object", properties: { id: { $ref: "#ident" } } };
    expect(accepted(jsonSchemaDfa(anchored, none), '{"id":3}')).toBe(true);
    expect(accepted(jsonSchemaDfa(anchored, none), '{"id":-3}')).toBe(false);
    expect(() => jsonSchemaDfa({ $ref: "#nowhere" })).toThrow(SchemaError);
  });

  it("decimal multipleOf: only values whose floating-point quotient is an exact integer", () => {
    expect(dyadicStep(0.01)).toBe(2);
    expect(dyadicStep(0.5)).toBe(1);
    expect(dyadicStep(0.1)).toBeUndefined(); // 1.5 / 0.1 is 15.000000000000002
    const { dfa } = compileJsonSchema({ type: "number", multipleOf: 0.01, minimum: 0, maximum: 1000 }, none);
    const rng = seededRandom(5);
    for (let i = 0; i < 300; i++) {
      const x = JSON.parse(new TextDecoder().decode(sampleWord(dfa, rng, { maxLength: 12 })!)) as number;
      expect(x / 0.01, String(x)).toBe(Math.round(x / 0.01));
    }
    expect(accepted(dfa, "10.25")).toBe(true);
    expect(accepted(dfa, "10.99")).toBe(false); // valid, but not written (documented)
    expect(() => jsonSchemaDfa({ type: "number", multipleOf: 0.1 })).toThrow(SchemaError);
  });
});

describe("patterns: the ECMAScript search, normalized for the regular-expression compiler", () => {
  const cases: Array<[string, string[]]> = [
    ["^$|(^(?:\\S+\\s+){0,3}\\S+$)", ["", "a b", "a  b c", " a", "a b ", "a b c d e"]],
    ["^([^,]|$)", ["", "a", ",", "a,"]],
    ["^(.*?)\\.alfred3?workflow$", ["x.alfredworkflow", "x.alfred3workflow", "x.alfred4workflow"]],
    ["^[\\w\\'\\-]+$", ["it's", "a-b", "a b"]],
    ["UTC|(Africa/[A-Za-z]+)|(America/[A-Za-z]+)|(Europe/[A-Za-z]+)", ["xUTCx", "Africa/Abc", "Asia/X"]],
    ["/^[0-9]{4}$/", ["1234", "/1234/"]],
    ["a{2}?b+?", ["aab", "ab"]],
  ];
  for (const [pattern, texts] of cases) {
    it(pattern, () => {
      // The reference: JavaScript without the u flag reads identity escapes like \' as the character.
      const reference = new RegExp(pattern);
      const dfa = regexDfa(patternToRegex(pattern));
      for (const t of texts) expect(acceptsBytes(dfa, encoder.encode(t)), `${pattern} on ${JSON.stringify(t)}`).toBe(reference.test(t));
    });
  }

  it("many unanchored alternatives make one search (small)", () => {
    const words = Array.from({ length: 17 }, (_, i) => `INTERVAL_M${i}`);
    expect(regexDfa(patternToRegex(words.join("|"))).stateCount).toBeLessThan(200);
  });
});
