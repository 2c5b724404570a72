import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { allowedEvents } from "../ltl/analysis.js";
import { guardToFormula } from "../ltl/dfa.js";
import { formulaToString } from "../ltl/print.js";
import { parseTrace } from "../ltl/trace.js";
import { checkTrace } from "../ltl/verdict.js";
import {
  addCompileLimitOptions,
  CommandDeadline,
  EXIT,
  interruptible,
  loadSpecAsync,
  loadToolsOption,
  parsePositiveInt,
  UsageError,
  type SpecSourceOptions,
  type CliContext,
} from "./io.js";

/** Transitions listed when a rejection says what was allowed. */
const MAX_SHOWN_TRANSITIONS = 8;

interface CheckCommandOptions extends SpecSourceOptions {
  trace?: string;
  traceFile?: string;
  json?: boolean;
}

export function registerCheck(program: Command, context: CliContext): void {
  const command = program
    .command("check")
    .description("check whether a trace satisfies a spec (exit 0 accepted, 1 rejected, 2 bad input, 3 a limit reached)")
    .argument("[file]", "spec file (.ltl)")
    .option("-f, --formula <formula>", "check against this formula instead of a file")
    .option("--atoms <names>", "with --formula: the atoms, comma-separated")
    .option("--events <names>", "with --formula: events mode over these events, comma-separated")
    .option("-t, --trace <steps>", 'the trace: steps separated by ";", each listing the atoms that hold (e.g. "a,b; b; {}")')
    .option("--trace-file <path>", 'read the trace from this file ("-": standard input); steps separated by ";" or newlines')
    .option("--json", "print the verdict as JSON")
    .option("--tools <module>", "JavaScript/TypeScript module exporting the tools a spec's 'one of tools' segments name (default: the example tools)");
  addCompileLimitOptions(command).action(async (file: string | undefined, options: CheckCommandOptions) => {
    const trace = readTraceOption(options);
    const deadline = new CommandDeadline(options.timeout === undefined ? undefined : parsePositiveInt(options.timeout, "--timeout"));
    const tools = await loadToolsOption(options.tools);
    const compiled = await interruptible((signal) => loadSpecAsync(file, options, context, tools, false, { signal, deadline }));
    const { dfa, spec, analysis } = compiled;
    const steps = parseTrace(trace.text, spec.atoms, spec.mode, trace.name);
    const verdict = checkTrace(dfa, analysis, steps.map((s) => s.letter));
    const describe = (i: number): string => `step ${i + 1} (${steps[i]!.text})`;
    const nextAllowed = (state: number): string => {
      if (spec.mode === "events") return allowedEvents(dfa, analysis, state).join(", ") || "nothing";
      // A state can have thousands of successors: the first few are enough to show.
      const live = dfa.successors(state).filter((t) => analysis.live[t]);
      const shown = live.slice(0, MAX_SHOWN_TRANSITIONS).map((t) => formulaToString(guardToFormula(dfa, dfa.guardBetween(state, t))));
      const more = live.length - shown.length;
      return (shown.join("  or  ") || "nothing") + (more > 0 ? `  or … (${more.toLocaleString("en-US")} more)` : "");
    };
    if (options.json === true) {
      context.stdout(JSON.stringify({ ...verdict, steps: steps.length }) + "\n");
    } else if (verdict.accepted) {
      context.stdout(`accepted: the ${steps.length}-step trace satisfies the spec\n`);
    } else if (verdict.reason === "dead") {
      const i = verdict.failedAt!;
      context.stdout(
        `rejected at ${describe(i)}: from here no continuation can satisfy the spec\n` + `  allowed at step ${i + 1}: ${nextAllowed(verdict.states[i]!)}\n`,
      );
    } else {
      context.stdout(
        `rejected: the trace ends after ${describe(steps.length - 1)}, but the spec is not yet satisfied\n` +
          `  it could continue with: ${nextAllowed(verdict.states[steps.length]!)}\n`,
      );
    }
    context.exitCode = verdict.accepted ? EXIT.ok : EXIT.rejected;
  });
}

/** The trace text and the name its errors show: from --trace, a file, or standard input. */
function readTraceOption(options: CheckCommandOptions): { text: string; name: string } {
  if (options.trace !== undefined && options.traceFile !== undefined) throw new UsageError("give either --trace or --trace-file, not both");
  if (options.trace !== undefined) return { text: options.trace, name: "<trace>" };
  if (options.traceFile === undefined) throw new UsageError('give the trace with --trace "<steps>" or --trace-file <path> ("-" for standard input)');
  const path = options.traceFile;
  try {
    return { text: readFileSync(path === "-" ? 0 : path, "utf8"), name: path === "-" ? "<stdin>" : path };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new UsageError(`cannot read the trace '${path}': ${reason}`);
  }
}
