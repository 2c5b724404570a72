import type { Command } from "commander";
import { dfaToDot, dfaToDotChunks, estimateDot } from "../ltl/export/dot.js";
import { dfaToHoaChunks, estimateHoaBytes } from "../ltl/export/hoa.js";
import { dfaToJsonChunks, estimateJsonBytes } from "../ltl/export/json.js";
import { dotToSvg } from "../ltl/export/svg.js";
import { formatBytes } from "../ltl/export/edges.js";
import { conjunction, formulaSize } from "../ltl/ast.js";
import { toMonaProgram } from "../ltl/mona.js";
import type { CompiledSpec } from "../ltl/analysis.js";
import { composeOutput } from "../grammars/output.js";
import { outputToGbnf } from "../grammars/output-gbnf.js";
import {
  addCompileLimitOptions,
  CommandDeadline,
  interruptible,
  loadSpecAsync,
  loadToolsOption,
  OutputTooLargeError,
  parsePositiveInt,
  UsageError,
  writeOutput,
  type CliContext,
  type CommandControl,
  type SpecSourceOptions,
} from "./io.js";

const FORMATS = ["json", "dot", "hoa", "svg", "mona", "gbnf"] as const;
type Format = (typeof FORMATS)[number];

/** --max-output when not given, in megabytes. */
const DEFAULT_MAX_OUTPUT_MB = 256;
/** Graphviz lays out a few thousand edges in seconds; beyond, a drawing is neither quick nor readable. */
export const MAX_DRAWN_EDGES = 2000;
/** Outputs from this size on are announced before they are written. */
const ANNOUNCE_FROM_BYTES = 1_000_000;

interface CompileCommandOptions extends SpecSourceOptions {
  format: string;
  output?: string;
  showDead?: boolean;
  maxOutput?: string;
}

export function registerCompile(program: Command, context: CliContext): void {
  const command = program
    .command("compile")
    .description("compile a spec to its minimal automaton")
    .argument("[file]", "spec file (.ltl)")
    .option("-f, --formula <formula>", "compile this formula instead of a file")
    .option("--atoms <names>", "with --formula: the atoms, comma-separated (default: those the formula uses)")
    .option("--events <names>", "with --formula: events mode over these events, comma-separated")
    .option("--format <format>", `output format: ${FORMATS.join(", ")} (gbnf: llama.cpp grammar of the whole output text; needs segments)`, "json")
    .option("-o, --output <file>", "write to this file (atomically) instead of standard output")
    .option("--show-dead", "dot/svg: also draw the dead state")
    .option("--tools <module>", "JavaScript/TypeScript module exporting the tools a spec's 'one of tools' segments name (default: the example tools)")
    .option("--max-output <MB>", `refuse to write more than this many megabytes (default ${DEFAULT_MAX_OUTPUT_MB})`);
  addCompileLimitOptions(command).action(async (file: string | undefined, options: CompileCommandOptions) => {
    if (!(FORMATS as readonly string[]).includes(options.format)) {
      throw new UsageError(`unknown --format '${options.format}'; expected one of ${FORMATS.join(", ")}`);
    }
    const format = options.format as Format;
    const maxOutputBytes = (options.maxOutput === undefined ? DEFAULT_MAX_OUTPUT_MB : parsePositiveInt(options.maxOutput, "--max-output")) * 1e6;
    const deadline = new CommandDeadline(options.timeout === undefined ? undefined : parsePositiveInt(options.timeout, "--timeout"));
    const tools = await loadToolsOption(options.tools);
    await interruptible(async (signal) => {
      const control: CommandControl = { signal, deadline };
      const started = performance.now();
      const compiled = await loadSpecAsync(file, options, context, tools, format === "gbnf", control);
      const milliseconds = performance.now() - started;
      const title = file ?? options.formula ?? "";
      const output = describeOutput(compiled, format, title, options.showDead === true);
      const where = options.output === undefined ? "standard output" : options.output;
      if (output.bytes > maxOutputBytes) {
        throw new OutputTooLargeError(
          `${title}: the ${format} output would be about ${formatBytes(output.bytes)} (${output.size}), more than the limit of ${formatBytes(maxOutputBytes)}; ` +
            `raise --max-output${format === "json" ? "" : ", or write --format json, whose size is that of the automaton's decision diagrams"}`,
        );
      }
      if (output.bytes >= ANNOUNCE_FROM_BYTES) context.stderr(`ltlguard: writing about ${formatBytes(output.bytes)} of ${format} (${output.size}) to ${where}\n`);
      control.signal.throwIfAborted();
      deadline.check(`compiling ${title}`);
      await writeOutput(await output.chunks(), options.output, context, control, `writing ${where}`);
      const { spec, dfa, analysis } = compiled;
      const notes = [
        `${dfa.stateCount} state${dfa.stateCount === 1 ? "" : "s"}`,
        `${spec.atoms.length} ${spec.mode === "events" ? "events" : "atoms"}`,
        ...(output.rules !== undefined ? [`${output.rules} grammar rules`] : []),
        ...(analysis.valid ? ["valid: the spec accepts every trace"] : []),
        `${milliseconds.toFixed(1)} ms`,
      ];
      context.stderr(`compiled ${title}: ${notes.join(", ")}${options.output === undefined ? "" : ` -> ${options.output}`}\n`);
    });
  });
}

interface PlannedOutput {
  /** About how many bytes will be written (computed without writing them). */
  readonly bytes: number;
  /** What is written, for messages: states, nodes, edges. */
  readonly size: string;
  /** The text in pieces. */
  chunks(): Promise<Iterable<string>>;
  readonly rules?: number;
}

const count = (n: number): string => n.toLocaleString("en-US");

/** What each format will write and about how large it will be, before anything is written. */
function describeOutput(compiled: CompiledSpec, format: Format, title: string, showDead: boolean): PlannedOutput {
  const { spec, dfa } = compiled;
  const states = `${count(dfa.stateCount)} state${dfa.stateCount === 1 ? "" : "s"}`;
  switch (format) {
    case "json":
      return {
        bytes: estimateJsonBytes(dfa, title),
        size: `${states}, ${count(dfa.table.variable.length)} decision-diagram nodes`,
        chunks: async () => dfaToJsonChunks(dfa, title),
      };
    case "hoa":
      return { bytes: estimateHoaBytes(dfa), size: states, chunks: async () => dfaToHoaChunks(dfa, title) };
    case "dot":
    case "svg": {
      const estimate = estimateDot(dfa);
      const size = `${states}, ${estimate.exactEdges ? "" : "up to "}${count(estimate.edges)} edges`;
      if (format === "svg" && estimate.edges > MAX_DRAWN_EDGES) {
        throw new OutputTooLargeError(
          `${title}: the drawing would have ${size}, more than the ${count(MAX_DRAWN_EDGES)} edges Graphviz lays out in reasonable time; write --format dot or json instead`,
        );
      }
      const dotOptions = { title, showDead };
      if (format === "dot") return { bytes: estimate.bytes, size, chunks: async () => dfaToDotChunks(dfa, dotOptions) };
      return { bytes: estimate.bytes * 4, size, chunks: async () => [await dotToSvg(dfaToDot(dfa, dotOptions))] };
    }
    case "mona": {
      // The translation is linear in the formula seen as a tree (sugar shares subformulas, so the
      // tree can be far larger than the spec).
      const formula = conjunction(spec.formulas.map((f) => f.formula));
      return {
        bytes: formulaSize(formula) * 64 + 100,
        size: `a formula of ${count(formulaSize(formula))} nodes`,
        chunks: async () => [toMonaProgram(formula, spec.atoms, { mode: spec.mode, emptyTrace: "reject" })],
      };
    }
    case "gbnf": {
      const grammar = outputGrammar(compiled);
      return { bytes: grammar.length, size: states, chunks: async () => [grammar], rules: grammar.split("\n").filter((line) => line.includes(" ::= ")).length };
    }
  }
}

/**
 * The GBNF grammar (llama.cpp) of the spec's whole output text, environment-written segments
 * included: it needs an events-mode spec whose segments say how each event appears.
 */
function outputGrammar(compiled: CompiledSpec): string {
  const { spec } = compiled;
  if (spec.mode !== "events" || spec.segments.length === 0) {
    throw new UsageError(
      "--format gbnf describes the output text, so it needs an events-mode spec with a segment for each event " +
        '(e.g. segment thought "Thought: " text max 200)' +
        (spec.mode === "events" ? `; ${spec.file} declares no segments` : ""),
    );
  }
  return outputToGbnf(composeOutput(compiled));
}
