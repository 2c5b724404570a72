/**
 * The long differential run against MONA (tests/ltl/mona.test.ts is the short one):
 *
 *   npm run bench:mona -- [--count 20000] [--seed 1] [--jobs 2]
 *
 * Each random formula is compiled by us and, through src/ltl/mona.ts, by MONA; the automata must
 * accept the same traces and have matching state counts. Writes
 * benchmarks/results/mona-differential.{json,md} and exits non-zero on any disagreement.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { formulaToString } from "../src/ltl/print.js";
import type { SpecMode } from "../src/ltl/spec.js";
import { compareWithMona, prepareCase, type Disagreement, type MonaCase } from "../tests/support/mona-check.js";
import { monaAvailable, runMonaAsync } from "../tests/support/mona-runner.js";
import { Rng, randomFormula } from "../tests/support/random.js";

interface Options {
  count: number;
  seed: number;
  jobs: number;
}

const USAGE = "usage: tsx benchmarks/mona-differential.ts [--count N] [--seed S] [--jobs J]";

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { count: 20_000, seed: 1, jobs: Math.min(2, availableParallelism()) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    const key = name.replace(/^--/, "");
    if (!name.startsWith("--") || !(key in options)) throw new Error(`unknown option '${arg}'\n${USAGE}`);
    const text = inline ?? argv[++i];
    const value = Number(text);
    if (text === undefined || !Number.isInteger(value) || value < (key === "seed" ? 0 : 1)) {
      throw new Error(`${name} needs a ${key === "seed" ? "non-negative" : "positive"} integer\n${USAGE}`);
    }
    options[key as keyof Options] = value;
  }
  return options;
}

// One formula in ten is in events mode, the rest propositional, as in the test.
function* cases(seed: number, count: number): Generator<MonaCase> {
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const atoms = rng.int(2) === 0 ? ["a", "b", "c"] : ["a", "b", "c", "d"];
    const mode: SpecMode = i % 10 === 9 ? "events" : "propositional";
    yield { formula: randomFormula(rng, { atoms, depth: 5 }), atoms, mode };
  }
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(values: number[]): { median: number; p90: number; p99: number; max: number; total: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    median: round(quantile(sorted, 0.5)),
    p90: round(quantile(sorted, 0.9)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    total: round(values.reduce((a, b) => a + b, 0)),
  };
}

function monaVersion(): string {
  const usage = spawnSync("mona", [], { encoding: "utf8" });
  return /MONA v[^\s]+/.exec(`${usage.stdout}${usage.stderr}`)?.[0] ?? "unknown";
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!monaAvailable()) throw new Error("the `mona` command is not installed; on Debian or Ubuntu: apt-get install mona");
  const started = performance.now();
  const oursMs: number[] = [];
  const monaMs: number[] = [];
  const disagreements: (Disagreement & { index: number })[] = [];
  const errors: { index: number; formula: string; mode: SpecMode; atoms: readonly string[]; error: string }[] = [];
  const modeCounts: Record<SpecMode, number> = { propositional: 0, events: 0 };
  const ourStates: number[] = [];
  let done = 0;

  const queue = cases(options.seed, options.count);
  let nextIndex = 0;
  // Compilation is synchronous; MONA runs in child processes, `jobs` of them at a time.
  const worker = async (): Promise<void> => {
    for (let item = queue.next(); !item.done; item = queue.next()) {
      const index = nextIndex++;
      const c = item.value;
      modeCounts[c.mode]++;
      try {
        const prepared = prepareCase(c);
        const mona = await runMonaAsync(prepared.program);
        oursMs.push(prepared.oursMilliseconds);
        monaMs.push(mona.milliseconds);
        ourStates.push(prepared.ours.stateCount);
        const d = compareWithMona(c, prepared.ours, mona.dfa);
        if (d !== undefined) {
          disagreements.push({ index, ...d });
          process.stderr.write(`disagreement #${disagreements.length} (formula ${index}, ${d.kind}): ${d.message}\n`);
        }
      } catch (error) {
        errors.push({ index, formula: formulaToString(c.formula), mode: c.mode, atoms: c.atoms, error: String(error instanceof Error ? error.message : error) });
        process.stderr.write(`error on formula ${index}: ${String(error)}\n`);
      }
      done++;
      if (done % 500 === 0 || done === options.count) {
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(`[${String(done).padStart(String(options.count).length)}/${options.count}] ${disagreements.length} disagreements, ${errors.length} errors, ${seconds.toFixed(1)} s\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.jobs }, worker));
  disagreements.sort((a, b) => a.index - b.index);
  errors.sort((a, b) => a.index - b.index);

  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const ours = summary(oursMs);
  const monaTimes = summary(monaMs);
  const byKind = (kind: Disagreement["kind"]): number => disagreements.filter((d) => d.kind === kind).length;
  const result = {
    count: options.count,
    seed: options.seed,
    jobs: options.jobs,
    modes: modeCounts,
    generator: "randomFormula, 3 or 4 atoms, depth up to 5, all operators including past; every 10th formula in events mode",
    environment: { node: process.version, mona: monaVersion(), cpus: availableParallelism() },
    seconds,
    disagreementCount: disagreements.length,
    languageDisagreements: byKind("language"),
    stateCountDisagreements: byKind("state count"),
    errorCount: errors.length,
    ourStates: summary(ourStates),
    timingsMs: {
      note: "per formula; ours = compileFormula in-process; MONA = wall time of one `mona -xw` process, start-up included, with `jobs` running at once",
      ours,
      mona: monaTimes,
    },
    disagreements,
    errors,
  };
  const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "mona-differential.json"), `${JSON.stringify(result, null, 2)}\n`);

  const examples = disagreements.slice(0, 5).map((d) => `- formula ${d.index} (${d.kind}): \`${d.formula}\` — ${d.message.split("\n").slice(1).join(" ").trim()}`);
  const md = [
    "# Differential testing against MONA",
    "",
    `${options.count} random formulas (seed ${options.seed}; ${modeCounts.propositional} propositional, ${modeCounts.events} events mode; 3–4 atoms, depth ≤ 5, past operators included), ` +
      `each compiled by ltlguard and by ${result.environment.mona} from a first-order translation (src/ltl/mona.ts); ` +
      "the automata must accept the same traces and have matching state counts. Node " + process.version + `, ${options.jobs} MONA processes at once, ${seconds} s in all.`,
    "",
    "| check | result |",
    "| --- | --- |",
    `| language disagreements | ${result.languageDisagreements} |`,
    `| state-count disagreements | ${result.stateCountDisagreements} |`,
    `| errors (compiler or MONA failed) | ${errors.length} |`,
    "",
    "| time per formula (ms) | median | p90 | p99 | max |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| ltlguard compileFormula | ${ours.median} | ${ours.p90} | ${ours.p99} | ${ours.max} |`,
    `| MONA (\`mona -xw\` process, start-up included) | ${monaTimes.median} | ${monaTimes.p90} | ${monaTimes.p99} | ${monaTimes.max} |`,
    "",
    ...(examples.length > 0 ? ["First disagreements (all in mona-differential.json):", "", ...examples, ""] : []),
  ].join("\n");
  writeFileSync(join(resultsDir, "mona-differential.md"), md);
  process.stderr.write(`${disagreements.length} disagreements, ${errors.length} errors in ${seconds} s; results in ${resultsDir}\n`);
  if (disagreements.length > 0 || errors.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
