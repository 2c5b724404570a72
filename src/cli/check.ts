import type { Command } from "commander";
import { allowedEvents } from "../ltl/analysis.js";
import { guardToFormula } from "../ltl/dfa.js";
import { formulaToString } from "../ltl/print.js";
import { parseTrace } from "../ltl/trace.js";
import { checkTrace } from "../ltl/verdict.js";
import { loadSpec, loadToolsOption, type SpecSourceOptions, type CliContext } from "./io.js";

interface CheckCommandOptions extends SpecSourceOptions {
  trace: string;
  json?: boolean;
}

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command("check")
    .description("check whether a trace satisfies a spec (exit 0 accepted, 1 rejected, 2 bad input)")
    .argument("[file]", "spec file (.ltl)")
    .option("-f, --formula <formula>", "check against this formula instead of a file")
    .option("--atoms <names>", "with --formula: the atoms, comma-separated")
    .option("--events <names>", "with --formula: events mode over these events, comma-separated")
    .requiredOption("-t, --trace <steps>", 'the trace: steps separated by ";", each listing the atoms that hold (e.g. "a,b; b; {}")')
    .option("--json", "print the verdict as JSON")
    .option("--tools <module>", "JavaScript/TypeScript module exporting the tools a spec's 'one of tools' segments name (default: the example tools)")
    .option("--max-states <n>", "refuse automata larger than this while compiling (default 100000)")
    .option("--timeout <seconds>", "stop compiling after this many seconds (default: no limit)")
    .action(async (file: string | undefined, options: CheckCommandOptions) => {
      const compiled = loadSpec(file, options, context, await loadToolsOption(options.tools), false);
      const { dfa, spec, analysis } = compiled;
      const steps = parseTrace(options.trace, spec.atoms, spec.mode);
      const verdict = checkTrace(dfa, analysis, steps.map((s) => s.letter));
      const describe = (i: number): string => `step ${i + 1} (${steps[i]!.text})`;
      const nextAllowed = (state: number): string =>
        spec.mode === "events"
          ? allowedEvents(dfa, analysis, state).join(", ") || "nothing"
          : dfa.transitions[state]!.filter((t) => analysis.live[t.to]).map((t) => formulaToString(guardToFormula(dfa, t.guard))).join("  or  ") || "nothing";
      if (options.json === true) {
        context.stdout(JSON.stringify({ ...verdict, steps: steps.length }) + "\n");
      } else if (verdict.accepted) {
        context.stdout(`accepted: the ${steps.length}-step trace satisfies the spec\n`);
      } else if (verdict.reason === "dead") {
        const i = verdict.failedAt!;
        context.stdout(
          `rejected at ${describe(i)}: from here no continuation can satisfy the spec\n` +
            `  allowed at step ${i + 1}: ${nextAllowed(verdict.states[i]!)}\n`,
        );
      } else {
        context.stdout(
          `rejected: the trace ends after ${describe(steps.length - 1)}, but the spec is not yet satisfied\n` +
            `  it could continue with: ${nextAllowed(verdict.states[steps.length]!)}\n`,
        );
      }
      context.exitCode = verdict.accepted ? 0 : 1;
    });
}
