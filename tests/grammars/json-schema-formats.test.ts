import ajvFormats from "ajv-formats";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { sampleWord } from "../../src/grammars/analysis.js";
import { AutomatonTooLargeError } from "../../src/grammars/errors.js";
import { compileJsonSchema, SchemaError, type JsonSchemaOptions } from "../../src/grammars/json-schema.js";
import { FORMAT_REGEXES } from "../../src/grammars/json-schema-keywords.js";
import { seededRandom } from "../../src/search/random.js";

/**
 * Formats and bounded fallbacks against an independent validator: ajv with ajv-formats in its
 * full mode (RFC 3339 dates with leap years, RFC 3986 URIs, RFC 5322-style addresses …). Every
 * sampled output of every schema must validate, in both modes.
 */
// ajv-formats is CommonJS: its module is the plugin function (typed as a namespace with a default).
const addFormats = ajvFormats as unknown as typeof ajvFormats.default;
const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats(ajv, { mode: "full" });
/** Formats ajv-formats checks (the IRI and IDN ones it does not know; ajv would ignore them). */
const CHECKED = [...FORMAT_REGEXES.keys()].filter((f) => ajv.formats[f] !== undefined);
const decoder = new TextDecoder();

async function sampleAndValidate(schema: object, options: JsonSchemaOptions, seed: number, samples: number): Promise<void> {
  // Long synchronous runs starve the test runner's messages: yield between schemas.
  await new Promise((resolve) => setImmediate(resolve));
  const { dfa } = compileJsonSchema(schema, options);
  const validate = ajv.compile(schema);
  const rng = seededRandom(seed);
  for (let i = 0; i < samples; i++) {
    const text = decoder.decode(sampleWord(dfa, rng, { maxLength: 160, stopProbability: 0.15 })!);
    const value = JSON.parse(text) as unknown;
    if (!validate(value)) throw new Error(`${options.mode ?? "narrow"}: generated ${text}, invalid for ${JSON.stringify(schema)}: ${ajv.errorsText(validate.errors)}`);
  }
}

/** A random object schema whose properties carry formats, lengths, patterns and alternatives. */
function randomFormatSchema(seed: number): object {
  const rng = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const leaf = (): Record<string, unknown> => {
    const r = rng();
    if (r < 0.5) return { type: "string", format: pick(CHECKED), ...(rng() < 0.3 ? { maxLength: 10 + Math.floor(rng() * 40) } : {}) };
    if (r < 0.65) return { anyOf: [{ type: "string", format: pick(CHECKED) }, { type: "integer", minimum: 0 }] };
    if (r < 0.8) return { type: "array", items: { type: "string", format: pick(CHECKED) }, minItems: 1, maxItems: 3, ...(rng() < 0.5 ? { uniqueItems: true } : {}) };
    if (r < 0.9) return { type: "string", pattern: pick(["^[a-z]+$", "[0-9]", "^x.*y$"]), minLength: 1, maxLength: 20 + Math.floor(rng() * 400) };
    return { not: { type: "string", format: pick(CHECKED) } };
  };
  const names = ["a", "b", "c", "d", "e"].slice(0, 1 + Math.floor(rng() * 5));
  const properties = Object.fromEntries(names.map((n) => [n, leaf()]));
  return { type: "object", properties, required: names.filter(() => rng() < 0.6), additionalProperties: rng() < 0.5 };
}

describe("formats and lowered bounds against ajv-formats (full mode)", () => {
  it("checks most of the formats the compiler writes", () => {
    expect(CHECKED.length).toBeGreaterThanOrEqual(14);
  });

  // Complete-mode objects (any order, extra properties) take longer to build: fewer of them.
  const SCHEMAS = { narrow: 40, complete: 16 } as const;
  for (const mode of ["narrow", "complete"] as const) {
    it(`${mode}: every format's sampled strings validate (${CHECKED.length} formats × 150)`, async () => {
      for (const [i, format] of CHECKED.entries()) await sampleAndValidate({ type: "string", format }, { mode, whitespace: "none" }, 100 + i, 150);
    });

    it(`${mode}: random object schemas with formats, lengths, patterns and alternatives (${SCHEMAS[mode]} schemas × 12)`, async () => {
      let compiled = 0;
      for (let seed = 1; seed <= SCHEMAS[mode]; seed++) {
        try {
          await sampleAndValidate(randomFormatSchema(seed), { mode, freeFormDepth: 1 }, seed, 12);
          compiled++;
        } catch (error) {
          // A short maxLength on a long format (a uuid in 23 characters) leaves no value: refused, rightly.
          if (!(error instanceof SchemaError && /no JSON value/.test(error.message))) throw error;
        }
      }
      expect(compiled).toBeGreaterThanOrEqual(SCHEMAS[mode] - 3);
    });
  }

  it("bounds lowered to fit a small maxStates: outputs still validate", async () => {
    let compiled = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const schema = { type: "array", items: randomFormatSchema(seed), minItems: 1, maxItems: 40 };
      try {
        await sampleAndValidate(schema, { maxStates: 20_000, whitespace: "none", freeFormDepth: 1 }, seed, 10);
        compiled++;
      } catch (error) {
        // Refusing is allowed where even the lowered bounds do not fit; writing an invalid value is not.
        if (!(error instanceof AutomatonTooLargeError)) throw error;
      }
    }
    expect(compiled).toBeGreaterThanOrEqual(8);
  });
});
