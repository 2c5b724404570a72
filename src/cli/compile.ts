import type { Command } from "commander";
import { dfaToDot } from "../ltl/export/dot.js";
import { dfaToHoa } from "../ltl/export/hoa.js";
import { dfaToJson } from "../ltl/export/json.js";
import { dfaToSvg } from "../ltl/export/svg.js";
import { conjunction } from "../ltl/ast.js";
import { toMonaProgram } from "../ltl/mona.js";
import { loadSpec, UsageError, writeFileAtomically, type SpecSourceOptions, type CliContext } from "./io.js";

const FORMATS = ["json", "dot", "hoa", "svg", "mona"] as const;
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
    .option("--format <format>", `output format: ${FORMATS.join(", ")}`, "json")
    .option("-o, --output <file>", "write to this file (atomically) instead of standard output")
    .option("--show-dead", "dot/svg: also draw the dead state")
    .option("--max-states <n>", "refuse automata larger than this while compiling (default 100000)")
    .option("--timeout <seconds>", "stop compiling after this many seconds (default: no limit)")
    .action(async (file: string | undefined, options: CompileCommandOptions) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        throw new UsageError(`unknown --format '${options.format}'; expected one of ${FORMATS.join(", ")}`);
      }
      const started = performance.now();
      const { spec, dfa, analysis } = loadSpec(file, options, context);
      const milliseconds = performance.now() - started;
      const title = file ?? options.formula ?? "";
      const dotOptions = { title, showDead: options.showDead === true };
      const format = options.format as Format;
      const text =
        format === "json"
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
        ...(analysis.valid ? ["valid: the spec accepts every trace"] : []),
        `${milliseconds.toFixed(1)} ms`,
      ];
      context.stderr(`compiled ${title}: ${notes.join(", ")}${options.output === undefined ? "" : ` -> ${options.output}`}\n`);
    });
}
