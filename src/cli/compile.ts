import type { Command } from "commander";
import { dfaToDot } from "../ltl/export/dot.js";
import { dfaToHoa } from "../ltl/export/hoa.js";
import { dfaToJson } from "../ltl/export/json.js";
import { dfaToSvg } from "../ltl/export/svg.js";
import { conjunction } from "../ltl/ast.js";
import { toMonaProgram } from "../ltl/mona.js";
import type { CompiledSpec } from "../ltl/analysis.js";
import { composeOutput } from "../grammars/output.js";
import { outputToGbnf } from "../grammars/output-gbnf.js";
import { loadSpec, loadToolsOption, UsageError, writeFileAtomically, type SpecSourceOptions, type CliContext } from "./io.js";

const FORMATS = ["json", "dot", "hoa", "svg", "mona", "gbnf"] as const;
type Format = (typeof FORMATS)[number];

interface CompileCommandOptions extends SpecSourceOptions {
  format: string;
  output?: string;
  showDead?: boolean;
}

export function registerCompile(program: Command, context: CliContext): void {
  program
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
    .option("--max-states <n>", "refuse automata larger than this while compiling (default 100000)")
    .option("--timeout <seconds>", "stop compiling after this many seconds (default: no limit)")
    .action(async (file: string | undefined, options: CompileCommandOptions) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        throw new UsageError(`unknown --format '${options.format}'; expected one of ${FORMATS.join(", ")}`);
      }
      const started = performance.now();
      const compiled = loadSpec(file, options, context, await loadToolsOption(options.tools), options.format === "gbnf");
      const { spec, dfa, analysis } = compiled;
      const format = options.format as Format;
      const grammar = format === "gbnf" ? outputGrammar(compiled) : undefined;
      const milliseconds = performance.now() - started;
      const title = file ?? options.formula ?? "";
      const dotOptions = { title, showDead: options.showDead === true };
      const text =
        grammar !== undefined
          ? grammar
          : format === "json"
            ? JSON.stringify(dfaToJson(dfa, title), null, 2) + "\n"
            : format === "dot"
              ? dfaToDot(dfa, dotOptions)
              : format === "hoa"
                ? dfaToHoa(dfa, title)
                : format === "mona"
                  ? toMonaProgram(conjunction(spec.formulas.map((f) => f.formula)), spec.atoms, { mode: spec.mode, emptyTrace: "reject" })
                  : await dfaToSvg(dfa, dotOptions);
      if (options.output !== undefined) writeFileAtomically(options.output, text);
      else context.stdout(text);
      const notes = [
        `${dfa.stateCount} state${dfa.stateCount === 1 ? "" : "s"}`,
        `${spec.atoms.length} ${spec.mode === "events" ? "events" : "atoms"}`,
        ...(grammar !== undefined ? [`${grammar.split("\n").filter((line) => line.includes(" ::= ")).length} grammar rules`] : []),
        ...(analysis.valid ? ["valid: the spec accepts every trace"] : []),
        `${milliseconds.toFixed(1)} ms`,
      ];
      context.stderr(`compiled ${title}: ${notes.join(", ")}${options.output === undefined ? "" : ` -> ${options.output}`}\n`);
    });
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
