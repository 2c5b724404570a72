/**
 * Coverage, size and compile time of jsonSchemaDfa on real schemas (JSONSchemaBench) or on the
 * generated tool-schema corpus, with a compliance check of sampled outputs:
 *
 *   npm run bench:json-schema -- [--data <dir>] [--samples 5] [--limit N] [--max-states 100000]
 *
 * `--data` is a folder of schema files (*.json), or of such folders (one split each, as in
 * JSONSchemaBench's `data/`); without it, the generated corpus of tests/support/random-schemas.ts
 * is used. For each schema: compile (strict: `unknownKeywords: "error"`, keywords JSON Schema
 * does not define refused; and by default: ignored with a warning), time it (one run; the median over schemas is reported), count DFA
 * states, and validate `--samples` sampled outputs with ajv (draft 2020 for 2019/2020 schemas,
 * draft 7 otherwise, draft-04 boolean exclusiveMinimum/Maximum rewritten for it; formats not
 * checked by ajv). Refusals are tallied by keyword. Writes benchmarks/results/json-schema.{json,md}.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { sampleWord } from "../src/grammars/analysis.js";
import { AutomatonTooLargeError } from "../src/grammars/errors.js";
import { jsonSchemaDfa, SchemaError } from "../src/grammars/json-schema.js";
import { seededRandom } from "../src/search/random.js";
import { randomToolSchema } from "../tests/support/random-schemas.js";

interface Options {
  data: string | undefined;
  samples: number;
  limit: number;
  maxStates: number;
}

const USAGE = "usage: tsx benchmarks/json-schema.ts [--data DIR] [--samples N] [--limit N] [--max-states N]";

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { data: undefined, samples: 5, limit: Infinity, maxStates: 100_000 };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.split("=", 2) as [string, string | undefined];
    const value = (): string => {
      const text = inline ?? argv[++i];
      if (text === undefined) throw new Error(`${name} needs a value\n${USAGE}`);
      return text;
    };
    const count = (): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} needs a non-negative integer\n${USAGE}`);
      return n;
    };
    if (name === "--help" || name === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (name === "--data") options.data = value();
    else if (name === "--samples") options.samples = count();
    else if (name === "--limit") options.limit = count();
    else if (name === "--max-states") options.maxStates = count();
    else throw new Error(`unknown option '${argv[i]}'\n${USAGE}`);
  }
  return options;
}

interface Split {
  readonly name: string;
  readonly schemas: ReadonlyArray<{ readonly id: string; readonly schema: unknown }>;
}

function loadSplits(options: Options): Split[] {
  if (options.data === undefined) {
    const count = Math.min(options.limit, 300);
    return [{ name: "generated", schemas: Array.from({ length: count }, (_, i) => ({ id: `seed${i + 1}`, schema: randomToolSchema(i + 1) })) }];
  }
  const root = options.data;
  const jsonFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const load = (dir: string, name: string): Split => ({
    name,
    schemas: jsonFiles(dir)
      .slice(0, options.limit)
      .map((f) => ({ id: f, schema: JSON.parse(readFileSync(join(dir, f), "utf8")) as unknown })),
  });
  const subdirs = readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .sort();
  if (jsonFiles(root).length > 0 || subdirs.length === 0) return [load(root, basename(root))];
  return subdirs.map((d) => load(join(root, d), d));
}

type Outcome =
  | { kind: "compiled"; states: number; ms: number; samples: number; valid: number; validatorFailed: boolean; invalidExample?: string }
  | { kind: "refused"; keyword: string; message: string; ms: number }
  | { kind: "too-large"; message: string; ms: number }
  | { kind: "crashed"; message: string; ms: number };

/**
 * The schema as ajv 8 reads it: draft-04 boolean exclusive bounds become draft-6 numbers; no
 * root $schema (ajv would look for the draft-04 meta-schema), no $async (validation would return
 * a promise).
 */
function forValidator(schema: unknown): unknown {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "$async") continue;
      out[k] = k === "enum" || k === "const" || k === "default" || k === "examples" ? v : rewrite(v);
    }
    for (const [flag, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
      if (typeof out[flag] === "boolean") {
        if (out[flag] === true && typeof out[bound] === "number") {
          out[flag] = out[bound];
          delete out[bound];
        } else delete out[flag];
      }
    }
    return out;
  };
  const out = rewrite(schema);
  if (typeof out === "object" && out !== null && !Array.isArray(out)) delete (out as Record<string, unknown>).$schema;
  return out;
}

function validatorFor(schema: unknown): ((value: unknown) => boolean) | undefined {
  const draft = typeof schema === "object" && schema !== null ? String((schema as Record<string, unknown>).$schema ?? "") : "";
  const modern = /2019-09|2020-12/.test(draft);
  const options = { strict: false, validateSchema: false, validateFormats: false, allErrors: false } as const;
  try {
    const ajv = modern ? new Ajv2020(options) : new Ajv(options);
    const validate = ajv.compile(forValidator(schema) as object);
    return (value) => validate(value) === true;
  } catch {
    return undefined;
  }
}

function run(schema: unknown, options: Options, lenient: boolean, seed: number): Outcome {
  const start = performance.now();
  try {
    const dfa = jsonSchemaDfa(schema, { maxStates: options.maxStates, unknownKeywords: lenient ? "warn" : "error" });
    const ms = performance.now() - start;
    const validate = validatorFor(schema);
    const rng = seededRandom(seed);
    let valid = 0;
    let invalidExample: string | undefined;
    for (let i = 0; i < options.samples && validate !== undefined; i++) {
      const text = new TextDecoder().decode(sampleWord(dfa, rng, { maxLength: 200, stopProbability: 0.3 })!);
      let ok = false;
      try {
        ok = validate(JSON.parse(text));
      } catch {
        ok = false;
      }
      if (ok) valid++;
      else invalidExample ??= text;
    }
    const outcome: Outcome = { kind: "compiled", states: dfa.stateCount, ms, samples: validate === undefined ? 0 : options.samples, valid, validatorFailed: validate === undefined };
    if (invalidExample !== undefined) outcome.invalidExample = invalidExample;
    return outcome;
  } catch (error) {
    const ms = performance.now() - start;
    if (error instanceof SchemaError) return { kind: "refused", keyword: error.keyword ?? "(schema)", message: `${error.path}: ${error.message}`, ms };
    if (error instanceof AutomatonTooLargeError) return { kind: "too-large", message: error.message, ms };
    return { kind: "crashed", message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ms };
  }
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
}

interface SplitReport {
  split: string;
  schemas: number;
  compiled: number;
  compiledLenient: number;
  refused: number;
  tooLarge: number;
  crashed: number;
  refusedByKeyword: Record<string, number>;
  refusedByKeywordLenient: Record<string, number>;
  states: { median: number; p90: number; max: number };
  compileMs: { median: number; p90: number; max: number };
  compliance: { samples: number; valid: number; schemasWithInvalid: number; validatorFailed: number };
  invalid: Array<{ id: string; text: string }>;
  crashes: Array<{ id: string; message: string }>;
}

function summarize(split: Split, options: Options): SplitReport {
  const strict: Outcome[] = [];
  const lenient: Outcome[] = [];
  const invalid: Array<{ id: string; text: string }> = [];
  const crashes: Array<{ id: string; message: string }> = [];
  split.schemas.forEach(({ id, schema }, i) => {
    if (i > 0 && i % 250 === 0) process.stderr.write(`  ${split.name}: ${i}/${split.schemas.length}\n`);
    const a = run(schema, options, false, i + 1);
    // A schema the strict run compiles compiles the same way when lenient.
    const b = a.kind === "compiled" ? a : run(schema, options, true, i + 1);
    strict.push(a);
    lenient.push(b);
    for (const o of a === b ? [a] : [a, b]) {
      if (o.kind === "compiled" && o.invalidExample !== undefined) invalid.push({ id, text: o.invalidExample.slice(0, 300) });
      if (o.kind === "crashed") crashes.push({ id, message: o.message });
    }
  });
  const tally = (outcomes: Outcome[]): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const o of outcomes) if (o.kind === "refused") counts[o.keyword] = (counts[o.keyword] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort((x, y) => y[1] - x[1]));
  };
  const compiled = lenient.filter((o): o is Extract<Outcome, { kind: "compiled" }> => o.kind === "compiled");
  const states = compiled.map((o) => o.states);
  const times = compiled.map((o) => o.ms);
  return {
    split: split.name,
    schemas: split.schemas.length,
    compiled: strict.filter((o) => o.kind === "compiled").length,
    compiledLenient: compiled.length,
    refused: strict.filter((o) => o.kind === "refused").length,
    tooLarge: strict.filter((o) => o.kind === "too-large").length,
    crashed: strict.filter((o) => o.kind === "crashed").length,
    refusedByKeyword: tally(strict),
    refusedByKeywordLenient: tally(lenient),
    states: { median: quantile(states, 0.5), p90: quantile(states, 0.9), max: Math.max(0, ...states) },
    compileMs: { median: round(quantile(times, 0.5)), p90: round(quantile(times, 0.9)), max: round(Math.max(0, ...times)) },
    compliance: {
      samples: compiled.reduce((s, o) => s + o.samples, 0),
      valid: compiled.reduce((s, o) => s + o.valid, 0),
      schemasWithInvalid: compiled.filter((o) => o.valid < o.samples).length,
      validatorFailed: compiled.filter((o) => o.validatorFailed).length,
    },
    invalid: invalid.slice(0, 20),
    crashes: crashes.slice(0, 20),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)}%`;
}

function markdown(reports: readonly SplitReport[], options: Options, source: string): string {
  const lines = [
    "# jsonSchemaDfa on JSON Schemas",
    "",
    `Source: ${source}. Generated by \`npm run bench:json-schema\` (maxStates ${options.maxStates}, ${options.samples} sampled outputs per compiled schema)`,
    `on ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg()[0]!.toFixed(1)} at the end (times on a busy machine are inflated).`,
    "",
    "Coverage is the share of schemas compiled; *strict* (`unknownKeywords: \"error\"`) refuses keywords JSON Schema does not define,",
    "*lenient* (the default) ignores them with a warning, as validators ignore them. Compliance: sampled outputs that JSON.parse and validate with ajv (formats not checked by ajv).",
    "States and compile times are over the schemas compiled leniently; a compile time is one run (the compiler's cache of",
    "schema-independent automata, strings, numbers, patterns, any-value, is warm after the first schemas).",
    "",
    "| split | schemas | compiled (strict) | compiled (lenient) | refused | too large | crashed | states median / p90 / max | compile ms median / p90 / max | compliance |",
    "|---|---:|---:|---:|---:|---:|---:|---|---|---|",
  ];
  for (const r of reports) {
    lines.push(
      `| ${r.split} | ${r.schemas} | ${r.compiled} (${percent(r.compiled, r.schemas)}) | ${r.compiledLenient} (${percent(r.compiledLenient, r.schemas)}) | ${r.refused} | ${r.tooLarge} | ${r.crashed} | ${r.states.median} / ${r.states.p90} / ${r.states.max} | ${r.compileMs.median} / ${r.compileMs.p90} / ${r.compileMs.max} | ${r.compliance.valid}/${r.compliance.samples} |`,
    );
  }
  lines.push("", "## Refusals by keyword", "");
  for (const r of reports) {
    const top = (counts: Record<string, number>): string =>
      Object.entries(counts)
        .slice(0, 15)
        .map(([k, n]) => `\`${k}\` ${n}`)
        .join(", ") || "none";
    lines.push(`- **${r.split}** strict: ${top(r.refusedByKeyword)}`, `  lenient: ${top(r.refusedByKeywordLenient)}`);
  }
  const invalid = reports.flatMap((r) => r.invalid.map((x) => `- ${r.split}/${x.id}: \`${x.text}\``));
  lines.push("", "## Non-compliant samples", "", ...(invalid.length === 0 ? ["None."] : invalid));
  const crashes = reports.flatMap((r) => r.crashes.map((x) => `- ${r.split}/${x.id}: ${x.message}`));
  if (crashes.length > 0) lines.push("", "## Crashes", "", ...crashes);
  return `${lines.join("\n")}\n`;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const splits = loadSplits(options);
  const reports: SplitReport[] = [];
  for (const split of splits) {
    const started = performance.now();
    const report = summarize(split, options);
    reports.push(report);
    console.log(
      `${report.split}: ${report.compiled}/${report.schemas} strict, ${report.compiledLenient} lenient, ${report.tooLarge} too large, ${report.crashed} crashed; ` +
        `states median ${report.states.median}, compile median ${report.compileMs.median} ms; compliance ${report.compliance.valid}/${report.compliance.samples} ` +
        `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  const source = options.data === undefined ? "the generated tool-schema corpus (tests/support/random-schemas.ts)" : `JSONSchemaBench splits under \`${basename(options.data)}/\``;
  const out = join(dirname(fileURLToPath(import.meta.url)), "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "json-schema.json"), `${JSON.stringify({ source, options: { ...options, limit: Number.isFinite(options.limit) ? options.limit : null }, reports }, null, 2)}\n`);
  writeFileSync(join(out, "json-schema.md"), markdown(reports, options, source));
  console.log(`wrote ${join(out, "json-schema.{json,md}")}`);
}

main();
