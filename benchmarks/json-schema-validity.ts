/**
 * Coverage and validity of jsonSchemaDfa on MaskBench's test cases: each file holds a schema and
 * instances marked valid or invalid. For each mode (`narrow`, the default, and `complete`):
 * compile the schema to its byte automaton (refusals tallied by reason, compile time and states
 * recorded), then run every instance's bytes (JSON.stringify: compact, the instance's own key
 * order, numbers spelled as in the file) through it. An invalid instance accepted is a soundness bug (must be 0); a valid one
 * rejected is a validation error, explained by where the automaton stopped
 * (support/json-schema-explain.ts). Byte level: no tokenizer.
 *
 *   npm run bench:json-schema-validity -- --data <maskbench dir> [--modes narrow,complete] [--limit N] [--max-states N] [--out name]
 *
 * `--data` is a folder of MaskBench files (`<split>---<name>.json`), or a folder of such folders.
 * Writes benchmarks/results/<out>.{json,md} (default out: json-schema-validity).
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { ByteDfa } from "../src/grammars/byte-dfa.js";
import { acceptsBytes } from "../src/grammars/byte-dfa.js";
import { jsonSchemaDfa, SchemaError, type JsonSchemaOptions } from "../src/grammars/json-schema.js";
import { explainRejection } from "./support/json-schema-explain.js";
import { refusalReason } from "./support/json-schema-refusal.js";
import { parseRaw, stringifyRaw, type RawValue } from "./support/raw-json.js";

type Mode = "narrow" | "complete";

interface Options {
  data: string;
  modes: Mode[];
  limit: number;
  maxStates: number;
  out: string;
}

const USAGE = "usage: tsx benchmarks/json-schema-validity.ts --data DIR [--modes narrow,complete] [--limit N] [--max-states N] [--out NAME]";

function parseArgs(argv: readonly string[]): Options {
  let data: string | undefined;
  const options: Omit<Options, "data"> = { modes: ["narrow", "complete"], limit: Infinity, maxStates: 100_000, out: "json-schema-validity" };
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
    } else if (name === "--data") data = value();
    else if (name === "--modes") {
      const modes = value().split(",");
      for (const m of modes) if (m !== "narrow" && m !== "complete") throw new Error(`unknown mode '${m}'\n${USAGE}`);
      options.modes = modes as Mode[];
    } else if (name === "--limit") options.limit = count();
    else if (name === "--max-states") options.maxStates = count();
    else if (name === "--out") options.out = value();
    else throw new Error(`unknown option '${argv[i]}'\n${USAGE}`);
  }
  if (data === undefined) throw new Error(`--data is required (a folder of MaskBench test files)\n${USAGE}`);
  return { data, ...options };
}

interface TestCase {
  readonly valid: boolean;
  /** The instance as compact JSON, numbers spelled as in the file. */
  readonly text: string;
}

interface MaskBenchFile {
  readonly split: string;
  readonly id: string;
  readonly schema: unknown;
  readonly tests: readonly TestCase[];
}

function loadFiles(root: string, limit: number): MaskBenchFile[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith(".json")) files.push(full);
    }
  };
  walk(root);
  const perSplit = new Map<string, number>();
  const out: MaskBenchFile[] = [];
  for (const full of files) {
    const name = full.slice(full.lastIndexOf("/") + 1, -".json".length);
    const split = name.includes("---") ? name.slice(0, name.indexOf("---")) : dirname(full).slice(dirname(full).lastIndexOf("/") + 1);
    const n = perSplit.get(split) ?? 0;
    if (n >= limit) continue;
    perSplit.set(split, n + 1);
    const source = readFileSync(full, "utf8");
    const parsed = JSON.parse(source) as { schema: unknown; tests?: Array<{ valid: boolean }> };
    const raw = parseRaw(source) as { tests?: Array<{ data: RawValue }> };
    const tests = (parsed.tests ?? []).map((t, i) => ({ valid: t.valid === true, text: stringifyRaw(raw.tests![i]!.data) }));
    out.push({ split, id: name, schema: parsed.schema, tests });
  }
  return out;
}

interface ModeOutcome {
  refused?: { reason: string; message: string; lenientCompiles: boolean };
  states?: number;
  ms?: number;
  warnings: string[];
  validAccepted: number;
  validRejected: number;
  invalidAccepted: number;
  invalidRejected: number;
  rejections: Array<{ reason: string; path: string; text: string }>;
  soundnessBugs: string[];
}

function compileOptions(mode: Mode, options: Options, lenient: boolean, warnings: string[]): JsonSchemaOptions {
  // Options the compiler may not know are harmless: it reads only those it has.
  const extra: Record<string, unknown> = { mode, onWarning: (w: { message: string; path: string }) => warnings.push(`${w.path}: ${w.message}`) };
  return { maxStates: options.maxStates, ...(lenient ? { ignoreUnknownKeywords: true } : {}), ...extra } as JsonSchemaOptions;
}

function runFile(file: MaskBenchFile, mode: Mode, options: Options): ModeOutcome {
  const outcome: ModeOutcome = { warnings: [], validAccepted: 0, validRejected: 0, invalidAccepted: 0, invalidRejected: 0, rejections: [], soundnessBugs: [] };
  let dfa: ByteDfa;
  const started = performance.now();
  try {
    dfa = jsonSchemaDfa(file.schema, compileOptions(mode, options, false, outcome.warnings));
    outcome.ms = performance.now() - started;
    outcome.states = dfa.stateCount;
  } catch (error) {
    let lenientCompiles = false;
    try {
      jsonSchemaDfa(file.schema, compileOptions(mode, options, true, []));
      lenientCompiles = true;
    } catch {
      lenientCompiles = false;
    }
    outcome.refused = { reason: refusalReason(error), message: error instanceof Error ? `${(error as SchemaError).path ?? ""} ${error.message}`.trim() : String(error), lenientCompiles };
    return outcome;
  }
  const encoder = new TextEncoder();
  for (const test of file.tests) {
    const text = test.text;
    const accepted = acceptsBytes(dfa, encoder.encode(text));
    if (test.valid && accepted) outcome.validAccepted++;
    else if (test.valid) {
      outcome.validRejected++;
      const { reason, path } = explainRejection(dfa, file.schema, text);
      outcome.rejections.push({ reason, path, text: text.slice(0, 240) });
    } else if (accepted) {
      outcome.invalidAccepted++;
      outcome.soundnessBugs.push(text.slice(0, 400));
    } else outcome.invalidRejected++;
  }
  return outcome;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function tally(reasons: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of reasons) counts[r] = (counts[r] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])));
}

interface ModeReport {
  mode: Mode;
  split: string;
  files: number;
  compiled: number;
  refused: number;
  refusedOnlyForUnknownKeywords: number;
  refusedByReason: Record<string, number>;
  filesWithWarnings: number;
  instances: { valid: number; invalid: number; notRun: number };
  validAccepted: number;
  validRejected: number;
  validRejectedByReason: Record<string, number>;
  invalidAccepted: number;
  invalidRejected: number;
  states: { median: number; p99: number; max: number };
  compileMs: { median: number; p99: number; max: number };
  refusals: Array<{ id: string; reason: string; message: string }>;
  rejectionExamples: Record<string, Array<{ id: string; path: string; text: string }>>;
  soundnessBugs: Array<{ id: string; text: string }>;
}

function summarize(mode: Mode, split: string, files: readonly MaskBenchFile[], outcomes: readonly ModeOutcome[]): ModeReport {
  const compiled = outcomes.filter((o) => o.refused === undefined);
  const rejections = outcomes.flatMap((o, i) => o.rejections.map((r) => ({ ...r, id: files[i]!.id })));
  const examples: ModeReport["rejectionExamples"] = {};
  for (const r of rejections) {
    const list = (examples[r.reason] ??= []);
    if (list.length < 5) list.push({ id: r.id, path: r.path, text: r.text });
  }
  const states = compiled.map((o) => o.states!);
  const times = compiled.map((o) => o.ms!);
  return {
    mode,
    split,
    files: files.length,
    compiled: compiled.length,
    refused: outcomes.length - compiled.length,
    refusedOnlyForUnknownKeywords: outcomes.filter((o) => o.refused?.reason === "unknown keyword" && o.refused.lenientCompiles).length,
    refusedByReason: tally(outcomes.flatMap((o) => (o.refused === undefined ? [] : [o.refused.reason]))),
    filesWithWarnings: outcomes.filter((o) => o.warnings.length > 0).length,
    instances: {
      valid: files.reduce((n, f, i) => n + (outcomes[i]!.refused === undefined ? f.tests.filter((t) => t.valid).length : 0), 0),
      invalid: files.reduce((n, f, i) => n + (outcomes[i]!.refused === undefined ? f.tests.filter((t) => !t.valid).length : 0), 0),
      notRun: files.reduce((n, f, i) => n + (outcomes[i]!.refused === undefined ? 0 : f.tests.length), 0),
    },
    validAccepted: compiled.reduce((n, o) => n + o.validAccepted, 0),
    validRejected: compiled.reduce((n, o) => n + o.validRejected, 0),
    validRejectedByReason: tally(rejections.map((r) => r.reason)),
    invalidAccepted: compiled.reduce((n, o) => n + o.invalidAccepted, 0),
    invalidRejected: compiled.reduce((n, o) => n + o.invalidRejected, 0),
    states: { median: quantile(states, 0.5), p99: quantile(states, 0.99), max: Math.max(0, ...states) },
    compileMs: { median: round(quantile(times, 0.5)), p99: round(quantile(times, 0.99)), max: round(Math.max(0, ...times)) },
    refusals: outcomes.flatMap((o, i) => (o.refused === undefined ? [] : [{ id: files[i]!.id, reason: o.refused.reason, message: o.refused.message.slice(0, 300) }])),
    rejectionExamples: examples,
    soundnessBugs: outcomes.flatMap((o, i) => o.soundnessBugs.map((text) => ({ id: files[i]!.id, text }))),
  };
}

function list(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "none" : entries.map(([k, n]) => `${k} ${n}`).join(", ");
}

function markdown(reports: readonly ModeReport[], options: Options): string {
  const lines = [
    "# jsonSchemaDfa on MaskBench test cases",
    "",
    `Generated by \`npm run bench:json-schema-validity -- ${process.argv.slice(2).map((a) => (/^[\w./:=,-]+$/.test(a) ? a : JSON.stringify(a))).join(" ")}\` (maxStates ${options.maxStates}) on ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"},`,
    `load average ${loadavg()[0]!.toFixed(1)} at the end (times on a busy machine are inflated). Each instance is written compactly`,
    "(its own key order, strings as JSON.stringify writes them, numbers as spelled in the file) and run byte by byte through the schema's automaton. *Invalid accepted* must be 0.",
    "Instances of refused files are not run. A rejection's reason is where the automaton stopped in the instance.",
    "",
    "| mode | split | files | refused | refused only for unknown keywords | valid accepted / run | invalid accepted / run | states median / p99 / max | compile ms median / p99 / max |",
    "|---|---|---:|---:|---:|---:|---:|---|---|",
  ];
  for (const r of reports) {
    lines.push(
      `| ${r.mode} | ${r.split} | ${r.files} | ${r.refused} | ${r.refusedOnlyForUnknownKeywords} | ${r.validAccepted} / ${r.instances.valid} | **${r.invalidAccepted}** / ${r.instances.invalid} | ${r.states.median} / ${r.states.p99} / ${r.states.max} | ${r.compileMs.median} / ${r.compileMs.p99} / ${r.compileMs.max} |`,
    );
  }
  lines.push("", "## Refused files by reason", "");
  for (const r of reports) lines.push(`- **${r.mode} ${r.split}**: ${list(r.refusedByReason)}`);
  lines.push("", "## Valid instances rejected, by reason", "");
  for (const r of reports) lines.push(`- **${r.mode} ${r.split}**: ${list(r.validRejectedByReason)}`);
  const bugs = reports.flatMap((r) => r.soundnessBugs.map((b) => `- ${r.mode} ${r.split}/${b.id}: \`${b.text}\``));
  lines.push("", "## Invalid instances accepted", "", ...(bugs.length === 0 ? ["None."] : bugs));
  lines.push("", "## Examples of rejected valid instances", "");
  for (const r of reports.filter((x) => x.split === "all")) {
    for (const [reason, examples] of Object.entries(r.rejectionExamples)) {
      lines.push(`- ${r.mode}, ${reason}: ${examples.slice(0, 2).map((e) => `${e.id} at \`${e.path}\``).join("; ")}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const files = loadFiles(options.data, options.limit);
  const splits = [...new Set(files.map((f) => f.split))];
  const reports: ModeReport[] = [];
  for (const mode of options.modes) {
    const started = performance.now();
    const outcomes = files.map((file, i) => {
      if (i > 0 && i % 250 === 0) process.stderr.write(`  ${mode}: ${i}/${files.length}\n`);
      return runFile(file, mode, options);
    });
    for (const split of splits) {
      const indices = files.flatMap((f, i) => (f.split === split ? [i] : []));
      reports.push(summarize(mode, split, indices.map((i) => files[i]!), indices.map((i) => outcomes[i]!)));
    }
    const all = summarize(mode, "all", files, outcomes);
    reports.push(all);
    console.log(
      `${mode}: ${all.refused}/${all.files} refused (${list(all.refusedByReason)}); valid rejected ${all.validRejected}/${all.instances.valid} (${list(all.validRejectedByReason)}); ` +
        `invalid accepted ${all.invalidAccepted}/${all.instances.invalid}; states median ${all.states.median} p99 ${all.states.p99}; compile ms median ${all.compileMs.median} p99 ${all.compileMs.p99} ` +
        `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), "results");
  mkdirSync(out, { recursive: true });
  const slim = reports.map((r) => (r.split === "all" ? r : { ...r, refusals: [], rejectionExamples: {} }));
  writeFileSync(join(out, `${options.out}.json`), `${JSON.stringify({ options: { ...options, data: "<maskbench dir>", limit: Number.isFinite(options.limit) ? options.limit : null }, reports: slim }, null, 2)}\n`);
  writeFileSync(join(out, `${options.out}.md`), markdown(reports, options));
  console.log(`wrote ${join(out, `${options.out}.{json,md}`)}`);
}

main();
