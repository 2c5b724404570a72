import { Command, CommanderError } from "commander";
import { registerCheck } from "./check.js";
import { registerCompile } from "./compile.js";
import { registerGenerate } from "./generate.js";
import { registerBench } from "./bench.js";
import { registerPlan } from "./plan.js";
import { registerRun } from "./run.js";
import { closableWriter, reportError, type CliContext } from "./io.js";

export const VERSION = "0.1.0";

/** The command-line program with every command registered; its actions print through `context`. */
export function createProgram(context: CliContext): Command {
  const program = new Command("ltlguard")
    .description("Declare an agent's behavior in LTLf and compile it to a minimal automaton.")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: context.stdout, writeErr: context.stderr })
    .showHelpAfterError("(run `ltlguard --help` for usage)");
  registerCompile(program, context);
  registerCheck(program, context);
  registerGenerate(program, context);
  registerRun(program, context);
  registerPlan(program, context);
  registerBench(program, context);
  return program;
}

/** Runs the CLI on the given arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io?: Partial<Pick<CliContext, "stdout" | "stderr">>): Promise<number> {
  const context: CliContext = {
    stdout: io?.stdout ?? closableWriter(process.stdout),
    stderr: io?.stderr ?? closableWriter(process.stderr),
    exitCode: 0,
  };
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return reportError(error, context.stderr);
  }
}
