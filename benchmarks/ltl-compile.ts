/**
 * Compile time and DFA size against MONA on formula families from the literature (random
 * conjunctions of specification patterns, binary counters, nested until chains, GF patterns) and
 * on our agent specs:
 *
 *   npm run bench:compile -- [--quick] [--seed 1] [--only FAMILY]
 *
 * For each instance, ours is `compileFormula` in-process (one warm-up, then the median of up to 7
 * runs; parsing excluded) and MONA's is the wall time of the `mona -xw` process on the program of
 * src/ltl/mona.ts (one warm-up, then the median of up to 7 runs), run one after the other on the
 * same machine. Both automata are compared: same language (shortest counterexample otherwise) and
 * state counts in the relation that holds between two minimal automata (tests/support/equivalence.ts).
 * A side that takes longer than the time budget at some size, or fails (MONA timeout, our state
 * limit), is not run at the larger sizes of that family. Writes
 * benchmarks/results/ltl-compile.{json,md,svg}; exits non-zero if any two automata differ.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { TRUE, conjunction, formulaSize, type Formula } from "../src/ltl/ast.js";
import { analyze } from "../src/ltl/analysis.js";
import { compileFormula } from "../src/ltl/compile.js";
import type { Dfa } from "../src/ltl/dfa.js";
import { TooManyStatesError } from "../src/ltl/errors.js";
import { monaStartState, toMonaProgram, type MonaDfa } from "../src/ltl/mona.js";
import { parseFormula, parseSpec, type SpecMode } from "../src/ltl/spec.js";
import { SpecError } from "../src/ltl/errors.js";
import { expectedMonaStateCount, findDisagreement, redundantStates, traceToString } from "../tests/support/equivalence.js";
import { monaAvailable, runMona } from "../tests/support/mona-runner.js";
import { counter, gfConjunction, randomConjunction, responsePairs, untilChain, untilReleaseChain, type Instance } from "./families.js";
import { chartSvg, type Panel } from "./support/svg-chart.js";
import { expectedMonaStateCountSymbolic, findDisagreementSymbolic } from "./support/symbolic-equivalence.js";

interface Options {
  quick: boolean;
  seed: number;
  only: string | undefined;
}

const USAGE = "usage: tsx benchmarks/ltl-compile.ts [--quick] [--seed S] [--only FAMILY]";

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { quick: false, seed: 1, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    if (name === "--help" || name === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (name === "--quick") {
      options.quick = true;
    } else if (name === "--seed") {
      const text = inline ?? argv[++i];
      const value = Number(text);
      if (text === undefined || !Number.isInteger(value) || value < 0) throw new Error(`--seed needs a non-negative integer\n${USAGE}`);
      options.seed = value;
    } else if (name === "--only") {
      const text = inline ?? argv[++i];
      if (text === undefined || text === "") throw new Error(`--only needs (part of) a family name\n${USAGE}`);
      options.only = text;
    } else {
      throw new Error(`unknown option '${arg}'\n${USAGE}`);
    }
  }
  return options;
}

/** How long things may take: the default run, and `--quick`. */
interface Settings {
  /** A side slower than this (median) at some size is not run at larger sizes of the family. */
  budgetMs: number;
  monaTimeoutMs: number;
  maxStates: number;
  /** Timed runs after the warm-up: as many as fit in `repeatMs`, between 1 and `maxRepeats` (none past the budget). */
  maxRepeats: number;
  repeatMs: number;
  /** Instances per size of the random family. */
  variants: number;
}

const FULL: Settings = { budgetMs: 2000, monaTimeoutMs: 20_000, maxStates: 100_000, maxRepeats: 7, repeatMs: 1500, variants: 8 };
const QUICK: Settings = { budgetMs: 300, monaTimeoutMs: 5000, maxStates: 100_000, maxRepeats: 3, repeatMs: 200, variants: 2 };

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface FamilyPlan {
  readonly name: string;
  readonly source: string;
  readonly sizes: { readonly full: readonly number[]; readonly quick: readonly number[] };
  readonly random?: boolean;
  readonly make: (n: number, variant: number, seed: number) => Instance;
}

const FAMILIES: readonly FamilyPlan[] = [
  {
    name: "random conjunctions",
    source: "conjunctions of n specification patterns (Dwyer et al.; Declare) over a0..a5, drawn at random (seeded)",
    sizes: { full: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64], quick: [1, 2, 4, 8, 16, 32] },
    random: true,
    make: randomConjunction,
  },
  {
    name: "counters",
    source: "n-bit binary counter from 0, incrementing at every step, reaching 2^n - 1",
    sizes: { full: range(2, 12), quick: range(2, 7) },
    make: counter,
  },
  {
    name: "nested until",
    source: "a0 U (a1 U (... U an))",
    sizes: { full: [...range(2, 16), 20, 25, 30], quick: [2, 4, 6, 8, 10, 12, 20, 30] },
    make: untilChain,
  },
  {
    name: "nested until/release",
    source: "a0 U (a1 R (a2 U (a3 R ... an))), until and release alternating",
    sizes: { full: range(2, 11), quick: range(2, 7) },
    make: untilReleaseChain,
  },
  {
    name: "GF conjunction",
    source: "G F a0 & ... & G F a{n-1}",
    sizes: { full: [...range(1, 12), 14, 16, 20], quick: [1, 2, 3, 4, 6, 8, 10] },
    make: gfConjunction,
  },
  {
    name: "GF response pairs",
    source: "G(a0 -> F b0) & ... & G(a{n-1} -> F b{n-1}) (minimal DFA: 2^n states)",
    sizes: { full: range(1, 12), quick: range(1, 8) },
    make: responsePairs,
  },
];

const SPECS_FAMILY = "agent specs";

interface Case extends Instance {
  readonly mode: SpecMode;
  readonly formula: Formula;
}

type Status = "ok" | "limit" | "timeout" | "error" | "skipped";

interface Side {
  status: Status;
  /** Median of the timed runs (the warm-up alone when it was past the budget). */
  ms?: number;
  samplesMs?: number[];
  states?: number;
  error?: string;
}

interface Row {
  family: string;
  n: number;
  variant: number;
  label?: string;
  mode: SpecMode;
  atoms: number;
  formula: string;
  formulaSize: number;
  ours: Side;
  mona: Side;
  /** What MONA's state count must be if both automata are minimal for the same language. */
  expectedMonaStates?: number;
  satisfiable?: boolean;
  sameLanguage?: boolean;
  sameMinimalDfa?: boolean;
  counterexample?: string;
  /** Non-zero: our automaton is not minimal. */
  redundantStates?: number;
  checker?: "letters" | "symbolic";
  ratio?: number;
  ratioAboveFloor?: number | null;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;
/** Four significant digits (ratios span 0.0001 to 1000). */
const sig = (x: number): number => Number(x.toPrecision(4));

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One warm-up run, then timed runs (see Settings); `run` returns its value and its own time. */
function measure<T>(run: () => [T, number], s: Settings): { value: T; ms: number; samples: number[] } {
  const [value, warm] = run();
  const repeats = warm >= s.budgetMs ? 0 : Math.min(s.maxRepeats, Math.max(1, Math.floor(s.repeatMs / warm)));
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) samples.push(run()[1]);
  return { value, ms: repeats === 0 ? warm : median(samples), samples: repeats === 0 ? [warm] : samples };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

function runOurs(c: Case, s: Settings): { side: Side; dfa?: Dfa } {
  try {
    const { value, ms, samples } = measure(() => {
      const start = performance.now();
      const dfa = compileFormula(c.formula, { atoms: c.atoms, mode: c.mode }, { maxStates: s.maxStates });
      return [dfa, performance.now() - start];
    }, s);
    return { side: { status: "ok", ms: round(ms), samplesMs: samples.map((x) => round(x)), states: value.stateCount }, dfa: value };
  } catch (error) {
    return { side: { status: error instanceof TooManyStatesError ? "limit" : "error", error: firstLine(error) } };
  }
}

function runMonaSide(program: string, s: Settings): { side: Side; dfa?: MonaDfa } {
  try {
    const { value, ms, samples } = measure(() => {
      const run = runMona(program, { timeoutMs: s.monaTimeoutMs });
      return [run.dfa, run.milliseconds];
    }, s);
    return { side: { status: "ok", ms: round(ms), samplesMs: samples.map((x) => round(x)), states: value.stateCount }, dfa: value };
  } catch (error) {
    const message = firstLine(error);
    return { side: { status: /SIGTERM|SIGKILL/.test(message) ? "timeout" : "error", error: message } };
  }
}

/** Letters are enumerated up to this many atoms (4096 letters); beyond, the symbolic product is used. */
const MAX_ENUMERATED_ATOMS = 12;

function compare(row: Row, c: Case, ours: Dfa, mona: MonaDfa): void {
  const emptyWord = mona.final[monaStartState(mona)]!;
  const enumerate = c.mode === "events" || c.atoms.length <= MAX_ENUMERATED_ATOMS;
  row.checker = enumerate ? "letters" : "symbolic";
  if (enumerate) {
    const cex = findDisagreement(ours, mona);
    row.sameLanguage = cex === undefined;
    if (cex !== undefined) row.counterexample = `${traceToString(ours, cex.trace)} (ours ${cex.oursAccepts ? "accepts" : "rejects"}, MONA status ${cex.monaStatus})`;
    row.expectedMonaStates = expectedMonaStateCount(ours, emptyWord);
    if (c.mode === "propositional") {
      // The symbolic check must agree wherever both run: this is what vouches for it on large alphabets.
      const symbolic = findDisagreementSymbolic(ours, mona);
      if ((symbolic === undefined) !== row.sameLanguage || expectedMonaStateCountSymbolic(ours, emptyWord) !== row.expectedMonaStates) {
        throw new Error(`the symbolic equivalence check disagrees with the enumerating one on ${c.text}`);
      }
    }
  } else {
    const cex = findDisagreementSymbolic(ours, mona);
    row.sameLanguage = cex === undefined;
    if (cex !== undefined) row.counterexample = `${cex.trace.map((l) => `{${l.join(", ")}}`).join("; ")} (ours ${cex.oursAccepts ? "accepts" : "rejects"}, MONA status ${cex.monaStatus})`;
    row.expectedMonaStates = expectedMonaStateCountSymbolic(ours, emptyWord);
  }
  row.sameMinimalDfa = row.sameLanguage && mona.stateCount === row.expectedMonaStates;
  if (row.sameLanguage && !row.sameMinimalDfa && c.atoms.length <= MAX_ENUMERATED_ATOMS) row.redundantStates = redundantStates(ours);
}

function measureCase(c: Case, s: Settings, runOursSide: boolean, runMonaSide_: boolean, floorMs: number): Row {
  const row: Row = {
    family: c.family,
    n: c.n,
    variant: c.variant,
    ...(c.label !== undefined ? { label: c.label } : {}),
    mode: c.mode,
    atoms: c.atoms.length,
    formula: c.text,
    formulaSize: formulaSize(c.formula),
    ours: { status: "skipped" },
    mona: { status: "skipped" },
  };
  let ours: Dfa | undefined;
  let mona: MonaDfa | undefined;
  if (runOursSide) ({ side: row.ours, dfa: ours } = runOurs(c, s));
  if (runMonaSide_) {
    // What the program says about the empty trace does not change MONA's automaton (see mona.ts).
    const emptyTrace = ours !== undefined && ours.accepting[ours.initial] ? "accept" : "reject";
    ({ side: row.mona, dfa: mona } = runMonaSide(toMonaProgram(c.formula, c.atoms, { mode: c.mode, emptyTrace }), s));
  }
  if (ours !== undefined) row.satisfiable = analyze(ours).satisfiable;
  if (ours !== undefined && mona !== undefined) {
    compare(row, c, ours, mona);
    row.ratio = sig(row.ours.ms! / row.mona.ms!);
    const work = row.mona.ms! - floorMs;
    row.ratioAboveFloor = work >= 1 ? sig(row.ours.ms! / work) : null;
  }
  return row;
}

function describeSide(side: Side): string {
  return side.status === "ok" ? `${side.ms} ms (${side.states} states)` : side.status === "skipped" ? "skipped" : `${side.status}: ${side.error}`;
}

function progress(row: Row): void {
  const where = `${row.family} ${row.label ?? `n=${row.n}`}${row.variant > 0 || row.family === FAMILIES[0]!.name ? ` #${row.variant}` : ""}`;
  const verdict = row.sameMinimalDfa === undefined ? "" : row.sameMinimalDfa ? " | same DFA" : ` | DIFFERENT: ${row.counterexample ?? `states ${row.mona.states} vs expected ${row.expectedMonaStates}`}`;
  const ratio = row.ratio === undefined ? "" : ` | ours/MONA ${row.ratio}`;
  process.stderr.write(`[${where}] ours ${describeSide(row.ours)} | MONA ${describeSide(row.mona)}${ratio}${verdict}\n`);
}

/**
 * Every agent spec that compiles on its own events. A spec whose formulas name tool calls
 * (`call(…)`, specs/workspace.ltl) means something only once a tool registry is bound, which
 * refines its events; it is left out (the injection benchmark compiles it with its tools), and
 * so is a web policy, whose events the web environment declares.
 */
function specCases(specsDir: string): Case[] {
  return readdirSync(specsDir)
    .filter((f) => f.endsWith(".ltl"))
    .sort()
    .flatMap((file) => {
      // Web policies (specs/web-*.ltl) declare no events of their own: the web environment does.
      try {
        return [{ file, spec: parseSpec(readFileSync(join(specsDir, file), "utf8"), { file: `specs/${file}` }) }];
      } catch (error) {
        if (!(error instanceof SpecError)) throw error;
        process.stderr.write(`[agent specs] specs/${file} left out: it does not compile on its own (${error.message.split("\n")[0]})\n`);
        return [];
      }
    })
    .filter(({ spec }) => spec.toolCalls.length === 0)
    .map(({ file, spec }, i) => {
      return {
        family: SPECS_FAMILY,
        n: i + 1,
        variant: 0,
        label: basename(file, ".ltl"),
        text: `specs/${file}`,
        atoms: spec.atoms,
        mode: spec.mode,
        formula: conjunction(spec.formulas.map((f) => f.formula)),
      };
    });
}

/** The commit measured, and whether src/ had uncommitted changes at the time. */
function sourceVersion(): { commit: string; srcModified: boolean } {
  const git = (...args: string[]): string => spawnSync("git", args, { encoding: "utf8" }).stdout?.trim() ?? "";
  return { commit: git("rev-parse", "--short", "HEAD") || "unknown", srcModified: git("status", "--porcelain", "--", "src") !== "" };
}

function monaVersion(): string {
  const usage = spawnSync("mona", [], { encoding: "utf8" });
  return /MONA v[^\s]+/.exec(`${usage.stdout}${usage.stderr}`)?.[0] ?? "unknown";
}

/** MONA's start-up floor: the median wall time of `mona -xw` on the formula `true` (one atom). */
function monaFloor(): { ms: number; samples: number[] } {
  const program = toMonaProgram(TRUE, ["a"], { mode: "propositional", emptyTrace: "reject" });
  runMona(program);
  const samples = Array.from({ length: 15 }, () => round(runMona(program).milliseconds));
  return { ms: round(median(samples)), samples };
}

interface FamilySummary {
  family: string;
  source: string;
  instances: number;
  compared: number;
  sameMinimalDfa: number;
  medianRatio: number | null;
  medianRatioAboveFloor: number | null;
  minRatio: number | null;
  maxRatio: number | null;
  /** Sizes whose median ratio is above 1 (ours slower). */
  oursSlowerAt: (number | string)[];
  largestOurs: number | string | null;
  largestMona: number | string | null;
}

function summarize(family: string, source: string, rows: readonly Row[]): FamilySummary {
  const compared = rows.filter((r) => r.ratio !== undefined);
  const ratios = compared.map((r) => r.ratio!);
  const aboveFloor = compared.map((r) => r.ratioAboveFloor).filter((x): x is number => x !== null && x !== undefined);
  const largest = (side: "ours" | "mona"): number | string | null => {
    const ok = rows.filter((r) => r[side].status === "ok");
    return ok.length === 0 ? null : (ok[ok.length - 1]!.label ?? ok[ok.length - 1]!.n);
  };
  return {
    family,
    source,
    instances: rows.length,
    compared: compared.length,
    sameMinimalDfa: compared.filter((r) => r.sameMinimalDfa).length,
    medianRatio: ratios.length > 0 ? sig(median(ratios)) : null,
    medianRatioAboveFloor: aboveFloor.length > 0 ? sig(median(aboveFloor)) : null,
    minRatio: ratios.length > 0 ? sig(Math.min(...ratios)) : null,
    maxRatio: ratios.length > 0 ? sig(Math.max(...ratios)) : null,
    oursSlowerAt: bySize(rows)
      .filter((g) => g.ratio !== null && g.ratio > 1)
      .map((g) => g.key),
    largestOurs: family === SPECS_FAMILY ? null : largest("ours"),
    largestMona: family === SPECS_FAMILY ? null : largest("mona"),
  };
}

/** The rows of one size together (several for the random family): medians over the instances. */
interface SizeGroup {
  key: number | string;
  rows: readonly Row[];
  oursMs: number | null;
  monaMs: number | null;
  ratio: number | null;
}

function bySize(rows: readonly Row[]): SizeGroup[] {
  const groups = new Map<number, Row[]>();
  for (const r of rows) groups.set(r.n, [...(groups.get(r.n) ?? []), r]);
  const med = (xs: (number | undefined)[], rounding: (x: number) => number = round): number | null => {
    const ok = xs.filter((x): x is number => x !== undefined);
    return ok.length > 0 ? rounding(median(ok)) : null;
  };
  return [...groups.values()].map((g) => ({
    key: g[0]!.label ?? g[0]!.n,
    rows: g,
    oursMs: med(g.map((r) => (r.ours.status === "ok" ? r.ours.ms : undefined))),
    monaMs: med(g.map((r) => (r.mona.status === "ok" ? r.mona.ms : undefined))),
    ratio: med(g.map((r) => r.ratio), sig),
  }));
}

function spread(values: readonly number[]): string {
  if (values.length === 0) return "—";
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

function sideCell(g: SizeGroup, side: "ours" | "mona"): string {
  const statuses = [...new Set(g.rows.map((r) => r[side].status))].filter((s) => s !== "ok");
  const ms = side === "ours" ? g.oursMs : g.monaMs;
  const text = ms === null ? "" : String(ms);
  const notes = statuses.map((s) => (s === "limit" ? "state limit" : s));
  return [text, ...notes].filter((x) => x !== "").join(", ") || "—";
}

function familyTable(rows: readonly Row[], random: boolean): string[] {
  const header = random
    ? ["| n | instances | satisfiable | states ours / MONA | ms ours | ms MONA | ours/MONA | same DFA |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |"]
    : ["| n | states ours / MONA | ms ours | ms MONA | ours/MONA | same DFA |", "| ---: | ---: | ---: | ---: | ---: | :---: |"];
  const lines = bySize(rows).map((g) => {
    const states = (side: "ours" | "mona"): string => spread(g.rows.map((r) => r[side].states).filter((x): x is number => x !== undefined));
    const compared = g.rows.filter((r) => r.sameMinimalDfa !== undefined);
    const same = compared.length === 0 ? "—" : compared.every((r) => r.sameMinimalDfa) ? (random ? `yes (${compared.length})` : "yes") : `**NO** (${compared.filter((r) => !r.sameMinimalDfa).length})`;
    const ratio = ratioCell(g.ratio);
    const cells = [String(g.key), `${states("ours")} / ${states("mona")}`, sideCell(g, "ours"), sideCell(g, "mona"), ratio, same];
    if (random) cells.splice(1, 0, String(g.rows.length), `${g.rows.filter((r) => r.satisfiable === true).length}/${g.rows.length}`);
    return `| ${cells.join(" | ")} |`;
  });
  return [...header, ...lines];
}

const failedIn = (g: SizeGroup, side: "ours" | "mona"): boolean => g.rows.some((r) => r[side].status !== "ok" && r[side].status !== "skipped");

/** Two significant digits: 0.00019, 0.085, 2.0, 92, 646. */
const fmtRatio = (x: number | null): string => (x === null ? "—" : x >= 100 ? x.toFixed(0) : x.toPrecision(2));
/** A table cell: bold where ours is slower. */
const ratioCell = (x: number | null): string => (x !== null && x > 1 ? `**${fmtRatio(x)}**` : fmtRatio(x));

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const s = options.quick ? QUICK : FULL;
  if (!monaAvailable()) throw new Error("the `mona` command is not installed; on Debian or Ubuntu: apt-get install mona");
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  // The machine may be shared: the load is recorded, since it bends both sides' times (the ratio less).
  const loadAtStart = loadavg()[0]!;
  const started = performance.now();

  const floor = monaFloor();
  process.stderr.write(`MONA start-up floor (mona -xw on 'true'): ${floor.ms} ms\n`);

  const families = [...FAMILIES.map((f) => ({ name: f.name, source: f.source })), { name: SPECS_FAMILY, source: "every specs/*.ltl (events mode) whose formulas name no tool calls, the conjunction of its formulas" }].filter(
    (f) => options.only === undefined || f.name.includes(options.only),
  );
  if (families.length === 0) throw new Error(`no family matches '${options.only}'`);
  const rows: Row[] = [];
  for (const family of families) {
    const plan = FAMILIES.find((f) => f.name === family.name);
    if (plan === undefined) {
      for (const c of specCases(join(root, "specs"))) {
        const row = measureCase(c, s, true, true, floor.ms);
        progress(row);
        rows.push(row);
      }
      continue;
    }
    // A side past the budget (or failing) at one size sits out the larger ones.
    let oursOn = true;
    let monaOn = true;
    for (const n of options.quick ? plan.sizes.quick : plan.sizes.full) {
      if (!oursOn && !monaOn) break;
      const sizeRows: Row[] = [];
      for (let v = 0; v < (plan.random === true ? s.variants : 1); v++) {
        const instance = plan.make(n, v, options.seed);
        const c: Case = { ...instance, mode: "propositional", formula: parseFormula(instance.text, { atoms: instance.atoms }) };
        const row = measureCase(c, s, oursOn, monaOn, floor.ms);
        progress(row);
        sizeRows.push(row);
      }
      const over = (side: "ours" | "mona"): boolean => sizeRows.some((r) => r[side].status !== "ok" || r[side].ms! > s.budgetMs);
      if (oursOn && over("ours")) oursOn = false;
      if (monaOn && over("mona")) monaOn = false;
      rows.push(...sizeRows);
    }
  }

  const seconds = round((performance.now() - started) / 1000, 1);
  const summaries = families.map((f) => summarize(f.name, f.source, rows.filter((r) => r.family === f.name)));
  const differing = rows.filter((r) => r.sameMinimalDfa === false);
  const allRatios = rows.map((r) => r.ratio).filter((x): x is number => x !== undefined);
  const command = `npm run bench:compile${options.quick ? " -- --quick" : ""}${options.seed !== 1 ? ` --seed ${options.seed}` : ""}${options.only !== undefined ? ` --only "${options.only}"` : ""}`;
  const environment = {
    node: process.version,
    mona: monaVersion(),
    cpu: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    platform: `${process.platform} ${process.arch}`,
    source: sourceVersion(),
    loadAverage: { start: round(loadAtStart, 1), end: round(loadavg()[0]!, 1) },
  };
  const result = {
    command,
    date: new Date().toISOString(),
    quick: options.quick,
    seed: options.seed,
    settings: s,
    environment,
    method: {
      ours: "compileFormula in-process (parsing excluded): one warm-up run, then the median of up to maxRepeats timed runs (as many as fit in repeatMs; none when the warm-up is past the budget, whose time is then the one reported)",
      mona: "wall time of one `mona -xw` process (tests/support/mona-runner.ts runMona, process start-up included) on the program of src/ltl/mona.ts toMonaProgram; same warm-up and repetition rule; one process at a time, never alongside our compilation",
      monaFloorMs: floor.ms,
      monaFloorSamplesMs: floor.samples,
      monaFloorNote: "median wall time of `mona -xw` on the formula `true`: MONA's process start-up, which every MONA time includes",
      ratio: "ours ms / MONA ms per instance; ratioAboveFloor = ours ms / (MONA ms - floor), null where MONA is within 1 ms of its floor",
      sameMinimalDfa:
        "same language (product search for a shortest disagreement: findDisagreement over all letters up to 12 atoms, a symbolic product beyond, cross-checked against each other where both run) and MONA's state count equal to expectedMonaStateCount (tests/support/equivalence.ts)",
      stopRule: `a side whose median time at some size exceeds ${s.budgetMs} ms, or that fails (MONA timeout ${s.monaTimeoutMs} ms, our limit of ${s.maxStates} states), is skipped at the larger sizes of the family`,
    },
    seconds,
    medianRatioAllInstances: allRatios.length > 0 ? sig(median(allRatios)) : null,
    differingCount: differing.length,
    families: summaries,
    rows,
  };
  const resultsDir = join(root, "benchmarks", "results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "ltl-compile.json"), `${JSON.stringify(result, null, 2)}\n`);

  const md: string[] = [
    "# Compile time and DFA size: ltlguard vs MONA",
    "",
    `Reproduce with \`${command}\` (${seconds} s for this run). ${environment.mona}, Node ${environment.node}, ${environment.cpu} (${environment.cores} cores), ${environment.platform}; ` +
      `ltlguard at ${environment.source.commit}${environment.source.srcModified ? " with uncommitted changes in src/" : ""}. ` +
      `Load average (1 min) ${environment.loadAverage.start} at the start and ${environment.loadAverage.end} at the end, on ${environment.cores} cores: on a busy machine both sides slow down, so compare ratios rather than times.`,
    "",
    "How it is measured, side by side in one run, one thing at a time:",
    "",
    "- **ours**: `compileFormula` in-process, formula already parsed, to the minimal DFA; one warm-up, then the median of up to " +
      `${s.maxRepeats} runs.`,
    "- **MONA**: wall time of the `mona -xw` process (`runMona` in tests/support/mona-runner.ts) on the first-order M2L-Str program that `toMonaProgram` " +
      "(src/ltl/mona.ts) writes for the same formula and alphabet; same warm-up and median. This includes starting the process: " +
      `**MONA's start-up floor**, \`mona -xw\` on the formula \`true\`, is **${floor.ms} ms** on this machine, so on small formulas MONA's time is mostly start-up and the raw ratio mostly compares our compile time with it. ` +
      "The column *ours/MONA* is the raw ratio; the summary also gives the median of ours / (MONA − floor), over instances where MONA took at least 1 ms above its floor.",
    "- **same DFA**: both automata accept the same traces (product search for a shortest disagreement) and MONA's state count is exactly the one our automaton implies for a minimal one " +
      "(`expectedMonaStateCount` in tests/support/equivalence.ts: MONA adds a dummy start state, keeps the empty word apart, and in events mode has a sink for non-event letters).",
    `- A side slower than ${s.budgetMs / 1000} s at some size, or failing (MONA timeout ${s.monaTimeoutMs / 1000} s, our limit ${s.maxStates} states), is not run at the family's larger sizes (*skipped* in the tables).`,
    "",
    "## Summary",
    "",
    "Ratio < 1: ours is faster. Medians over the instances both sides completed.",
    "",
    "| family | instances compared | median ours/MONA | median ours/(MONA − floor) | range | ours slower at n | same DFA | largest n: ours / MONA |",
    "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ...summaries.map(
      (f) =>
        `| ${f.family} | ${f.compared} | ${fmtRatio(f.medianRatio)} | ${fmtRatio(f.medianRatioAboveFloor)} | ${fmtRatio(f.minRatio)}–${fmtRatio(f.maxRatio)} | ${f.oursSlowerAt.length > 0 ? f.oursSlowerAt.join(", ") : "none"} | ${f.sameMinimalDfa}/${f.compared} | ${f.largestOurs ?? "—"} / ${f.largestMona ?? "—"} |`,
    ),
    "",
    `All ${allRatios.length} compared instances: median ours/MONA ${fmtRatio(result.medianRatioAllInstances)}. Automata that differ: ${differing.length}.`,
    "",
    ...(differing.length > 0
      ? [
          "## Automata that differ",
          "",
          ...differing.map((r) => `- ${r.family} n=${r.n} #${r.variant}: \`${r.formula}\` — ${r.sameLanguage ? `same language, MONA ${r.mona.states} states, expected ${r.expectedMonaStates}${r.redundantStates !== undefined ? ` (${r.redundantStates} redundant states of ours)` : ""}` : `languages differ on ${r.counterexample}`}`),
          "",
        ]
      : []),
    "## Families",
    "",
    "Times in ms (medians; for the random family, medians over the instances of a size). *state limit*, *timeout*, *error*: that side failed. Bold ratio: ours slower.",
    "",
  ];
  for (const f of summaries) {
    const familyRows = rows.filter((r) => r.family === f.family);
    md.push(`### ${f.family}`, "", `${f.source}.`, "");
    if (f.family === SPECS_FAMILY) {
      md.push("| spec | events | states ours / MONA | ms ours | ms MONA | ours/MONA | same DFA |", "| --- | ---: | ---: | ---: | ---: | ---: | :---: |");
      for (const r of familyRows) {
        const ratio = ratioCell(r.ratio ?? null);
        const g = bySize([r])[0]!;
        md.push(`| ${r.label} | ${r.atoms} | ${r.ours.states ?? "—"} / ${r.mona.states ?? "—"} | ${sideCell(g, "ours")} | ${sideCell(g, "mona")} | ${ratio} | ${r.sameMinimalDfa === undefined ? "—" : r.sameMinimalDfa ? "yes" : "**NO**"} |`);
      }
    } else {
      md.push(...familyTable(familyRows, FAMILIES.find((p) => p.name === f.family)?.random === true));
    }
    md.push("");
  }
  md.push("Chart: [ltl-compile.svg](ltl-compile.svg). Every instance, with formulas and all timings, is in [ltl-compile.json](ltl-compile.json).", "");
  writeFileSync(join(resultsDir, "ltl-compile.md"), md.join("\n"));

  const panels: Panel[] = summaries.map((f) => {
    const groups = bySize(rows.filter((r) => r.family === f.family));
    return {
      title: f.family,
      categories: groups.map((g) => String(g.key)),
      series: [
        { name: "ltlguard", color: "#1f77b4", values: groups.map((g) => g.oursMs), failed: groups.map((g) => failedIn(g, "ours")) },
        { name: "MONA", color: "#d62728", dashed: true, values: groups.map((g) => g.monaMs), failed: groups.map((g) => failedIn(g, "mona")) },
      ],
    };
  });
  const svg = chartSvg(panels, {
    title: `Compile time vs size: ltlguard vs ${environment.mona} (median ms, log scale)`,
    xLabel: "n (sizes as run, evenly spaced)",
    yLabel: `${environment.cpu}, Node ${environment.node}`,
    columns: 4,
    reference: { value: floor.ms, label: `MONA start-up floor (${floor.ms} ms)` },
    ...(rows.some((r) => r.ours.status === "limit" || r.ours.status === "error" || r.mona.status === "timeout" || r.mona.status === "error")
      ? { failedLabel: "timeout, state limit or error" }
      : {}),
  });
  writeFileSync(join(resultsDir, "ltl-compile.svg"), svg);

  process.stderr.write(`${rows.length} instances in ${seconds} s; ${differing.length} automata differ; results in ${resultsDir}\n`);
  for (const f of summaries) process.stderr.write(`  ${f.family}: median ours/MONA ${fmtRatio(f.medianRatio)} over ${f.compared}; ours slower at ${f.oursSlowerAt.join(", ") || "none"}\n`);
  if (differing.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
