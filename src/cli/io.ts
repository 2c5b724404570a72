import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CompileTimeoutError, SpecError, TooManyStatesError, UnsupportedFormulaError } from "../ltl/errors.js";
import { compileSpec, type CompiledSpec } from "../ltl/analysis.js";
import type { CompileOptions } from "../ltl/compile.js";
import { parseFormulaAsSpec, parseSpec, type Spec } from "../ltl/spec.js";
import { ModelFileError } from "../models/gguf-reader.js";
import { SegmentContentError } from "../decoder/generation.js";
import { BackendStartError } from "../decoder/llama.js";
import { ChatTemplateError } from "../decoder/chat-template.js";
import { ModuleShapeError } from "../search/modules.js";
import { usesTools } from "../ltl/tool-calls.js";
import { bindToolRegistry } from "../grammars/tools.js";
import { ToolModuleError, ToolRegistry, loadToolModule } from "../agents/tools.js";
import { exampleTools } from "../agents/example-tools.js";
import { ExampleError } from "../agents/prompt.js";

/** Where a command prints, and the exit code it chose. */
export interface CliContext {
  stdout(text: string): void;
  stderr(text: string): void;
  exitCode: number;
}

/** A problem with how the command was called (exit code 2, printed without a stack trace). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface SpecSourceOptions {
  formula?: string;
  atoms?: string;
  events?: string;
  maxStates?: string;
  timeout?: string;
  tools?: string;
}

/** Progress lines start after this long, so that quick compilations stay quiet. */
const PROGRESS_AFTER_MS = 2000;

/**
 * Loads and compiles the spec named by a file argument or `--formula`, reporting progress on long
 * compilations. A spec with tool segments gets the tool registry bound when one is given, when its
 * formulas talk about calls, or when the caller needs its text (`needsText`: generation, GBNF); the
 * example tools stand in when no registry is given. Otherwise its event automaton is compiled as
 * written, without one event per tool.
 */
export function loadSpec(
  file: string | undefined,
  options: SpecSourceOptions,
  context: CliContext,
  registry?: ToolRegistry,
  needsText = true,
): CompiledSpec {
  let spec = readSpec(file, options);
  if (usesTools(spec) && (registry !== undefined || spec.toolCalls.length > 0 || needsText)) {
    try {
      spec = bindToolRegistry(spec, (registry ?? exampleRegistry()).signatures());
    } catch (error) {
      if (registry !== undefined || !(error instanceof SpecError) || error.kind !== "unknown-atom") throw error;
      throw new SpecError(error.kind, error.message, error.location, [
        ...error.notes,
        "no --tools module was given, so the example tools (calculator, search, clock) were bound; give --tools <module> with the spec's tools",
      ]);
    }
  }
  const compileOptions: CompileOptions = {};
  if (options.maxStates !== undefined) compileOptions.maxStates = parsePositiveInt(options.maxStates, "--max-states");
  if (options.timeout !== undefined) compileOptions.timeLimitMs = parsePositiveInt(options.timeout, "--timeout") * 1000;
  const started = performance.now();
  let lastReport = started;
  compileOptions.onProgress = (progress) => {
    const now = performance.now();
    if (now - started < PROGRESS_AFTER_MS || now - lastReport < 1000) return;
    lastReport = now;
    const count = (n: number): string => n.toLocaleString("en-US");
    const what =
      progress.phase === "explore"
        ? `${count(progress.expanded)} of ${count(progress.found)} states expanded`
        : `minimizing ${count(progress.states)} states, round ${progress.round}, ${count(progress.blocks)} classes`;
    context.stderr(`compiling ${spec.file}: ${what}, ${((now - started) / 1000).toFixed(0)} s\n`);
  };
  return compileSpec(spec, compileOptions);
}

function readSpec(file: string | undefined, options: SpecSourceOptions): Spec {
  if (file !== undefined && options.formula !== undefined) throw new UsageError("give either a spec file or --formula, not both");
  if (file === undefined && options.formula === undefined) throw new UsageError("give a spec file (.ltl) or --formula \"<formula>\"");
  if (options.atoms !== undefined && options.events !== undefined) throw new UsageError("give either --atoms or --events, not both");
  if (options.formula !== undefined) {
    const names = options.events ?? options.atoms;
    return parseFormulaAsSpec(options.formula, {
      ...(names === undefined ? {} : { atoms: splitNames(names) }),
      mode: options.events !== undefined ? "events" : "propositional",
    });
  }
  if (options.atoms !== undefined || options.events !== undefined) {
    throw new UsageError("--atoms and --events go with --formula; a spec file declares its own atoms or events");
  }
  let text: string;
  try {
    text = readFileSync(file!, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String((error as Error).message);
    throw new UsageError(`cannot read '${file}': ${reason}`);
  }
  return parseSpec(text, { file: file! });
}

function splitNames(list: string): string[] {
  const names = list.split(/[\s,]+/).filter((n) => n !== "");
  for (const n of names) if (!/^[a-z_][A-Za-z0-9_]*$/.test(n)) throw new UsageError(`'${n}' is not an atom name (lower-case identifier)`);
  return names;
}

export function parsePositiveInt(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${option} expects a positive integer, got '${text}'`);
  return Number(text);
}

/** Writes a file so that readers never see it half-written: a temporary file in the same folder, then a rename. */
export function writeFileAtomically(path: string, content: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new UsageError(`cannot write '${path}': ${(error as Error).message}`);
  }
}

/** The example tools (calculator, search, clock), used where a spec names tools and no --tools module is given. */
export function exampleRegistry(): ToolRegistry {
  return new ToolRegistry(exampleTools(), "<example tools>");
}

/** The tools of `--tools <module>`, or undefined when the option is absent. */
export async function loadToolsOption(file: string | undefined): Promise<ToolRegistry | undefined> {
  return file === undefined ? undefined : loadToolModule(file);
}

/** Prints an expected failure for a person and returns the exit code; anything else is a bug and is rethrown. */
export function reportError(error: unknown, write: (text: string) => void): number {
  if (error instanceof SpecError) write(error.format() + "\n");
  else if (error instanceof ExampleError) write(error.format() + "\n");
  else if (
    error instanceof UsageError ||
    error instanceof TooManyStatesError ||
    error instanceof UnsupportedFormulaError ||
    error instanceof CompileTimeoutError ||
    error instanceof ModelFileError ||
    error instanceof SegmentContentError ||
    error instanceof BackendStartError ||
    error instanceof ChatTemplateError ||
    error instanceof ModuleShapeError ||
    error instanceof ToolModuleError
  ) {
    write(`ltlguard: ${error.message}\n`);
  } else throw error;
  return 2;
}
