import { cpus as osCpus } from "node:os";
/** The MaskBench results: per engine, per split and overall, and the apples-to-apples view on files every engine compiled. */
import type { EngineName, FileRun } from "./maskbench-engines.js";
import { fmt, percentiles, r3, table, type Percentiles } from "./stats.js";

export interface FileOutcome {
  readonly file: string;
  readonly split: string;
  readonly instances: number;
  readonly skippedInstances: number;
  readonly runs: Partial<Record<EngineName, FileRun | "timeout">>;
}

export interface ReportInput {
  readonly command: string;
  readonly tokenizer: string;
  readonly vocabularySize: number;
  readonly engines: readonly EngineName[];
  readonly outcomes: readonly FileOutcome[];
  readonly sample: { files: number; seed: number } | undefined;
  readonly timeoutSeconds: number;
  readonly totalFiles: number;
  readonly wallSeconds: number;
  /** The machine's 1-minute load average when the run started and ended (other work on a shared machine). */
  readonly loadAverage?: { readonly start: number; readonly end: number };
}

interface EngineFigures {
  files: number;
  compileErrors: number;
  timeouts: number;
  /** Files compiled with no validation and no invalidation error. */
  passing: number;
  validInstances: number;
  validationErrors: number;
  invalidInstances: number;
  invalidationErrors: number;
  ttfmMs: Percentiles;
  tbmUs: Percentiles;
}

const compiled = (run: FileRun | "timeout" | undefined): run is FileRun => run !== undefined && run !== "timeout" && run.compileError === undefined;

function figures(outcomes: readonly FileOutcome[], engine: EngineName): EngineFigures {
  let compileErrors = 0;
  let timeouts = 0;
  let passing = 0;
  let validInstances = 0;
  let validationErrors = 0;
  let invalidInstances = 0;
  let invalidationErrors = 0;
  const ttfm: number[] = [];
  const tbm: number[] = [];
  for (const outcome of outcomes) {
    const run = outcome.runs[engine];
    if (!compiled(run)) {
      compileErrors++;
      if (run === "timeout") timeouts++;
      continue;
    }
    ttfm.push(run.ttfmMs!);
    let wrong = 0;
    for (const instance of run.instances) {
      if (instance.valid) {
        validInstances++;
        if (!instance.accepted) {
          validationErrors++;
          wrong++;
        }
        for (const t of instance.tbmUs) tbm.push(t);
      } else {
        invalidInstances++;
        if (instance.accepted) {
          invalidationErrors++;
          wrong++;
        }
      }
    }
    if (wrong === 0) passing++;
  }
  return { files: outcomes.length, compileErrors, timeouts, passing, validInstances, validationErrors, invalidInstances, invalidationErrors, ttfmMs: percentiles(ttfm), tbmUs: percentiles(tbm) };
}

function engineFigures(outcomes: readonly FileOutcome[], engines: readonly EngineName[]): Record<string, EngineFigures & { bothCompiled: { files: number; ttfmMs: Percentiles; tbmUs: Percentiles } }> {
  const both = outcomes.filter((o) => engines.every((e) => compiled(o.runs[e])));
  const result: Record<string, EngineFigures & { bothCompiled: { files: number; ttfmMs: Percentiles; tbmUs: Percentiles } }> = {};
  for (const engine of engines) {
    const all = figures(outcomes, engine);
    const common = figures(both, engine);
    result[engine] = { ...all, bothCompiled: { files: both.length, ttfmMs: common.ttfmMs, tbmUs: common.tbmUs } };
  }
  return result;
}

const QUANTILES: readonly (keyof Percentiles)[] = ["p25", "p50", "p75", "p90", "p95", "p99", "p999", "max", "mean"];
const LABEL: Record<string, string> = { p999: "p99.9" };

export function buildMaskbenchReport(input: ReportInput): { json: unknown; markdown: string; summary: string } {
  const { outcomes, engines } = input;
  const splits = [...new Set(outcomes.map((o) => o.split))].sort();
  const overall = engineFigures(outcomes, engines);
  const perSplit = Object.fromEntries(splits.map((s) => [s, engineFigures(outcomes.filter((o) => o.split === s), engines)]));
  const compileErrorSamples = Object.fromEntries(
    engines.map((e) => [
      e,
      outcomes
        .filter((o) => !compiled(o.runs[e]))
        .slice(0, 40)
        .map((o) => ({ file: o.file, error: o.runs[e] === "timeout" ? `timeout (${input.timeoutSeconds} s)` : ((o.runs[e] as FileRun | undefined)?.compileError ?? "not run").slice(0, 300) })),
    ]),
  );
  const compileErrorsByReason = Object.fromEntries(
    engines.map((e) => {
      const counts: Record<string, number> = {};
      for (const o of outcomes) {
        const run: FileRun | "timeout" | undefined = o.runs[e];
        if (run === undefined || (run !== "timeout" && run.compileError === undefined)) continue;
        const reason = run === "timeout" ? "timeout" : (run.compileReason ?? "other");
        counts[reason] = (counts[reason] ?? 0) + 1;
      }
      return [e, Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))];
    }),
  );
  const validationErrorSamples = Object.fromEntries(
    engines.map((e) => [
      e,
      outcomes
        .flatMap((o) => {
          const run = o.runs[e];
          if (!compiled(run)) return [];
          return run.instances.flatMap((inst, index) => (inst.valid && !inst.accepted ? [{ file: o.file, instance: index, refusedAtToken: inst.refusedAt }] : []));
        })
        .slice(0, 40),
    ]),
  );
  const json = {
    benchmark: "maskbench",
    command: input.command,
    tokenizer: input.tokenizer,
    vocabularySize: input.vocabularySize,
    engines,
    filesInFolder: input.totalFiles,
    sample: input.sample ?? null,
    timeoutSeconds: input.timeoutSeconds,
    wallSeconds: r3(input.wallSeconds),
    loadAverage: input.loadAverage ?? null,
    machine: machine(),
    overall,
    splits: perSplit,
    compileErrorsByReason,
    compileErrorSamples,
    validationErrorSamples,
  };
  const md: string[] = [];
  md.push("# MaskBench: JSON-Schema masks on MaskBench's test cases", "");
  md.push("```sh", input.command, "```", "");
  md.push(
    `Tokenizer ${input.tokenizer} (${input.vocabularySize.toLocaleString("en-US")} tokens); ${outcomes.length.toLocaleString("en-US")} files` +
      (input.sample !== undefined ? ` (a seeded sample of ${input.totalFiles.toLocaleString("en-US")}, seed ${input.sample.seed})` : "") +
      `; ${machine().cpu}, Node ${process.versions.node}, one thread per engine; ${Math.round(input.wallSeconds)} s in all` +
      (input.loadAverage !== undefined ? `; load average ${input.loadAverage.start.toFixed(1)} at the start, ${input.loadAverage.end.toFixed(1)} at the end.` : "."),
    "",
  );
  md.push(
    "Method (MaskBench's): each valid instance is written compactly in its own key order and tokenized; before every token the engine computes the mask " +
      "(TBM, time between masks), the token must be allowed, then it is accepted, and at the end the end-of-generation token. TTFM (time to first mask) is the " +
      "schema's compilation plus the first mask. A valid instance refused is a validation error; an invalid instance accepted whole is an invalidation error " +
      "(a soundness bug). ltlguard runs through its public engine API (`compileConstraint`, `matcher.fillBitmask`, `accept`), default options" +
      (engines.includes("ltlguard-complete") ? "; `ltlguard-complete` is the same with the JSON-Schema option `mode: \"complete\"` (docs/json-schema.md). " : ". ") +
      (engines.includes("xgrammar")
        ? "XGrammar is `@mlc-ai/web-xgrammar`, XGrammar compiled to **WebAssembly** (slower than its native library), strict mode, compact separators, " +
          "in a worker thread of the same process; its mask is timed as the call into the module that fills it. The engines take turns per file on the same tokens. "
        : "") +
      `A compilation longer than ${input.timeoutSeconds} s counts as a compile error (timeout). Timings on a shared 2-core machine are noisy: compare engines within one run.`,
    "",
  );
  const headline = (figs: ReturnType<typeof engineFigures>): string =>
    table(
      ["engine", "files", "compile errors (timeouts)", "passing", "validation errors", "invalidation errors", "TTFM p50 ms", "TTFM p99 ms", "TBM p50 µs", "TBM p99 µs", "TBM p99.9 µs", "TBM mean µs"],
      ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
      engines.map((e) => {
        const f = figs[e]!;
        return [
          e,
          fmt(f.files),
          `${fmt(f.compileErrors)} (${f.timeouts})`,
          fmt(f.passing),
          `${f.validationErrors} / ${f.validInstances}`,
          `${f.invalidationErrors} / ${f.invalidInstances}`,
          fmt(f.ttfmMs.p50),
          fmt(f.ttfmMs.p99),
          fmt(f.tbmUs.p50),
          fmt(f.tbmUs.p99),
          fmt(f.tbmUs.p999),
          fmt(f.tbmUs.mean),
        ];
      }),
    );
  md.push("## Overall", "", headline(overall), "");
  const distribution = (figs: ReturnType<typeof engineFigures>, which: "ttfmMs" | "tbmUs", common: boolean): string =>
    table(
      ["engine", ...QUANTILES.map((q) => LABEL[q] ?? q), "samples"],
      ["l", ...QUANTILES.map(() => "r" as const), "r"],
      engines.map((e) => {
        const p = common ? figs[e]!.bothCompiled[which] : figs[e]![which];
        return [e, ...QUANTILES.map((q) => fmt(p[q])), fmt(p.count)];
      }),
    );
  md.push("TTFM (ms), files each engine compiled:", "", distribution(overall, "ttfmMs", false), "");
  md.push("TBM (µs), all tokens of the valid instances of the files each engine compiled:", "", distribution(overall, "tbmUs", false), "");
  if (engines.length > 1) {
    const [a, b] = engines as [EngineName, EngineName];
    const common = overall[a]!.bothCompiled;
    md.push(`## Apples to apples: the ${common.files.toLocaleString("en-US")} files ${engines.length > 2 ? "every engine" : "both engines"} compiled`, "");
    md.push("TTFM (ms):", "", distribution(overall, "ttfmMs", true), "");
    md.push("TBM (µs):", "", distribution(overall, "tbmUs", true), "");
    const ratioRow = (which: "ttfmMs" | "tbmUs"): string[] => [
      which === "ttfmMs" ? "TTFM" : "TBM",
      ...QUANTILES.map((q) => {
        const x = overall[a]!.bothCompiled[which][q];
        const y = overall[b]!.bothCompiled[which][q];
        return y > 0 ? `${fmt(x / y)}` : "—";
      }),
    ];
    md.push(`Ratio ${a} / ${b} (below 1: ${a} faster):`, "", table(["", ...QUANTILES.map((q) => LABEL[q] ?? q)], ["l", ...QUANTILES.map(() => "r" as const)], [ratioRow("ttfmMs"), ratioRow("tbmUs")]), "");
  }
  md.push("## Per split", "");
  for (const split of splits) md.push(`### ${split}`, "", headline(perSplit[split]!), "");
  md.push("## Compile errors by reason", "");
  for (const e of engines) {
    const counts = Object.entries(compileErrorsByReason[e] as Record<string, number>);
    md.push(`- **${e}**: ${counts.length === 0 ? "none" : counts.map(([r, n]) => `${r.replace(/\|/g, "\\|")} ${n}`).join(", ")}`);
  }
  md.push("");
  md.push("## Compile errors (first 40 per engine)", "");
  for (const e of engines) {
    md.push(`${e}:`, "");
    const samples = compileErrorSamples[e] as { file: string; error: string }[];
    if (samples.length === 0) md.push("none", "");
    else md.push(...samples.map((s) => `- \`${s.file}\`: ${s.error.replace(/\s+/g, " ").replace(/\|/g, "\\|")}`), "");
  }
  const summary = engines
    .map((e) => {
      const f = overall[e]!;
      return `${e}: ${f.files} files, ${f.compileErrors} compile errors, validation ${f.validationErrors}/${f.validInstances}, invalidation ${f.invalidationErrors}/${f.invalidInstances}, TTFM p50/p99 ${fmt(f.ttfmMs.p50)}/${fmt(f.ttfmMs.p99)} ms, TBM p50/p99/p99.9/mean ${fmt(f.tbmUs.p50)}/${fmt(f.tbmUs.p99)}/${fmt(f.tbmUs.p999)}/${fmt(f.tbmUs.mean)} µs; both compiled (${f.bothCompiled.files}): TTFM p50/p99 ${fmt(f.bothCompiled.ttfmMs.p50)}/${fmt(f.bothCompiled.ttfmMs.p99)} ms, TBM p50/p99/p99.9/mean ${fmt(f.bothCompiled.tbmUs.p50)}/${fmt(f.bothCompiled.tbmUs.p99)}/${fmt(f.bothCompiled.tbmUs.p999)}/${fmt(f.bothCompiled.tbmUs.mean)} µs`;
    })
    .join("\n");
  return { json, markdown: `${md.join("\n")}\n`, summary: `${summary}\n` };
}

function machine(): { cpu: string; cores: number; node: string } {
  const cpus = osCpus();
  return { cpu: cpus[0]?.model.trim() ?? "unknown CPU", cores: cpus.length, node: process.versions.node };
}
