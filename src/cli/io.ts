import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CompileTimeoutError, SpecError, TooManyNodesError, TooManyStatesError, UnsupportedFormulaError } from "../ltl/errors.js";
import { compileSpec, compileSpecAsync, type CompiledSpec } from "../ltl/analysis.js";
import type { CompileOptions, CompileProgress } from "../ltl/compile.js";
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

/**
 * Writes to a process stream until its reader goes away (`ltlguard … | head -1`): from then on
 * writes are dropped, so the command ends as it would have (its files written, its exit code
 * kept) instead of crashing on EPIPE.
 */
export function closableWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on("error", () => {
    // EPIPE, or the stream otherwise gone: nobody reads what would follow.
    closed = true;
  });
  return (text) => {
    if (!closed && !stream.destroyed) stream.write(text);
  };
}

/** A problem with how the command was called (exit code 2, printed without a stack trace). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * The exit codes of every command. 1 is only ever `check`'s "rejected", so a script can tell a
 * rejected trace from a failure.
 */
export const EXIT = {
  /** Done; for `check`: the trace is accepted. */
  ok: 0,
  /** `check` only: the trace is rejected. */
  rejected: 1,
  /** What was given is wrong: the spec, a trace, an option, a file that cannot be read or written, a model file. */
  badInput: 2,
  /** A limit was reached: --max-states, --max-nodes, --max-output, --timeout. */
  limit: 3,
  /** A bug in ltlguard: it says so, without a stack trace unless LTLGUARD_DEBUG=1. */
  internal: 70,
  /** Stopped by Ctrl-C (SIGINT). */
  sigint: 130,
  /** Stopped by SIGTERM. */
  sigterm: 143,
} as const;

/** The command was stopped by a signal. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";

  constructor(readonly signal: "SIGINT" | "SIGTERM") {
    super(`interrupted (${signal})`);
  }
}

/** What a command would write is larger than --max-output, or than can be drawn. */
export class OutputTooLargeError extends Error {
  override readonly name = "OutputTooLargeError";
}

/** What a long command checks between its steps: the signal (Ctrl-C, SIGTERM) and its --timeout. */
export interface CommandControl {
  readonly signal: AbortSignal;
  readonly deadline: CommandDeadline;
}

/** One time limit for a whole command (--timeout), compiling and writing included. */
export class CommandDeadline {
  private readonly end: number;

  constructor(readonly seconds: number | undefined) {
    this.end = seconds === undefined ? Infinity : performance.now() + seconds * 1000;
  }

  /** The time left, for the compiler's own limit; undefined when there is no limit. */
  remainingMs(): number | undefined {
    return this.seconds === undefined ? undefined : Math.max(1, this.end - performance.now());
  }

  check(what: string): void {
    if (performance.now() > this.end) throw new CompileTimeoutError(`${what} took longer than the limit of ${this.seconds} s (--timeout covers compiling and writing)`);
  }
}

/**
 * Runs a command's work with SIGINT and SIGTERM turned into an abort of `signal`, which the work
 * checks between its steps (a dependency's own signal handlers would otherwise keep the default
 * "exit at once" from happening). A second signal exits at once.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = (["SIGINT", "SIGTERM"] as const).map((name) => {
    const handler = (): void => {
      if (controller.signal.aborted) process.exit(name === "SIGINT" ? EXIT.sigint : EXIT.sigterm);
      controller.abort(new InterruptedError(name));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  try {
    return await work(controller.signal);
  } finally {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  }
}

/** Gives the event loop a turn every few milliseconds while `chunks` are consumed, checking `control` each time. */
async function* paced<T>(items: Iterable<T>, control: CommandControl, what: string): AsyncGenerator<T, void, void> {
  let sliceStart = performance.now();
  for (const item of items) {
    yield item;
    if (performance.now() - sliceStart >= 15) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      control.signal.throwIfAborted();
      control.deadline.check(what);
      sliceStart = performance.now();
    }
  }
}

/**
 * Writes text given in pieces to a file — through a temporary file in the same folder, renamed
 * at the end, so that a reader never sees it half-written and an interrupted or failed write
 * leaves nothing — or to standard output. Pauses between pieces for signals and the deadline.
 */
export async function writeOutput(chunks: Iterable<string>, path: string | undefined, context: CliContext, control: CommandControl, what: string): Promise<void> {
  if (path === undefined) {
    for await (const chunk of paced(chunks, control, what)) context.stdout(chunk);
    return;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  let fd: number;
  try {
    fd = openSync(temporary, "wx");
  } catch (error) {
    throw new UsageError(`cannot write '${path}': ${(error as Error).message}`);
  }
  let done = false;
  try {
    for await (const chunk of paced(chunks, control, what)) writeSync(fd, chunk);
    closeSync(fd);
    fd = -1;
    renameSync(temporary, path);
    done = true;
  } catch (error) {
    if (error instanceof InterruptedError || error instanceof CompileTimeoutError || error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== undefined) throw new UsageError(`cannot write '${path}': ${(error as Error).message}`);
    throw error;
  } finally {
    if (fd !== -1) closeSync(fd);
    if (!done) rmSync(temporary, { force: true });
  }
}

export interface SpecSourceOptions {
  formula?: string;
  atoms?: string;
  events?: string;
  maxStates?: string;
  maxNodes?: string;
  timeout?: string;
  tools?: string;
}

/** The options that bound compilation, as every command that compiles a spec declares them. */
export function addCompileLimitOptions<T extends { option(flags: string, description: string): T }>(command: T): T {
  return command
    .option("--max-states <n>", "refuse automata larger than this while compiling (default 100000)")
    .option("--max-nodes <n>", "refuse to build more decision-diagram nodes than this while compiling, about 30 bytes each (default 8388608)")
    .option("--timeout <seconds>", "stop the command after this many seconds (default: no limit)");
}

/** Progress lines start after this long, so that quick compilations stay quiet. */
const PROGRESS_AFTER_MS = 2000;

/**
 * Loads and compiles the spec named by a file argument or `--formula`, reporting progress on long
 * compilations. A spec with tool segments gets the tool registry bound when one is given, when its
 * formulas talk about calls, or when the caller needs its text (`needsText`: generation, GBNF); the
 * example tools stand in when no registry is given. Otherwise its event automaton is compiled as
 * written, without one event per tool. The compilation gives the event loop a turn every few
 * milliseconds, so Ctrl-C, SIGTERM and the deadline stop it.
 */
export async function loadSpecAsync(
  file: string | undefined,
  options: SpecSourceOptions,
  context: CliContext,
  registry: ToolRegistry | undefined,
  needsText: boolean,
  control: CommandControl,
): Promise<CompiledSpec> {
  const { spec, compileOptions, reportProgress } = prepareSpec(file, options, context, registry, needsText);
  // The command's deadline, not a limit of the compilation's own: it started with the command.
  const { timeLimitMs: _ownLimit, ...rest } = compileOptions;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(control.signal.reason);
  control.signal.addEventListener("abort", onAbort);
  if (control.signal.aborted) onAbort();
  const remaining = control.deadline.remainingMs();
  const timer =
    remaining === undefined
      ? undefined
      : setTimeout(() => stop.abort(new CompileTimeoutError(`${spec.file}: compiling took longer than the limit of ${control.deadline.seconds} s`)), remaining);
  const ticker = setInterval(reportProgress, 500);
  try {
    return await compileSpecAsync(spec, { ...rest, signal: stop.signal });
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    control.signal.removeEventListener("abort", onAbort);
  }
}

/** `loadSpecAsync` without pauses, for commands that manage interrupts themselves. */
export function loadSpec(
  file: string | undefined,
  options: SpecSourceOptions,
  context: CliContext,
  registry?: ToolRegistry,
  needsText = true,
): CompiledSpec {
  const { spec, compileOptions } = prepareSpec(file, options, context, registry, needsText);
  return compileSpec(spec, compileOptions);
}

function prepareSpec(
  file: string | undefined,
  options: SpecSourceOptions,
  context: CliContext,
  registry: ToolRegistry | undefined,
  needsText: boolean,
): { spec: Spec; compileOptions: CompileOptions; reportProgress: () => void } {
  // Progress counts from here: reading and parsing a large spec is part of the wait.
  const started = performance.now();
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
  if (options.maxNodes !== undefined) compileOptions.maxNodes = parsePositiveInt(options.maxNodes, "--max-nodes");
  if (options.timeout !== undefined) compileOptions.timeLimitMs = parsePositiveInt(options.timeout, "--timeout") * 1000;
  let lastReport = started;
  // The latest progress the compiler reported; the async path also reports it on a timer, since a
  // single state with thousands of successors can take longer than the wait before the first line.
  let latest: CompileProgress = { phase: "explore", expanded: 0, found: 1 };
  const reportProgress = (): void => {
    const now = performance.now();
    if (now - started < PROGRESS_AFTER_MS || now - lastReport < 1000) return;
    lastReport = now;
    const count = (n: number): string => n.toLocaleString("en-US");
    const what =
      latest.phase === "explore"
        ? `${count(latest.expanded)} of ${count(latest.found)} states expanded`
        : `minimizing ${count(latest.states)} states, round ${latest.round}, ${count(latest.blocks)} classes`;
    context.stderr(`compiling ${spec.file}: ${what}, ${((now - started) / 1000).toFixed(0)} s\n`);
  };
  compileOptions.onProgress = (progress) => {
    latest = progress;
    reportProgress();
  };
  return { spec, compileOptions, reportProgress };
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

/**
 * Prints a failure for a person and returns the exit code (see EXIT). Nothing reaches the user as
 * a stack trace: an unexpected error is reported as a bug in one line (with the stack only when
 * LTLGUARD_DEBUG is set).
 */
export function reportError(error: unknown, write: (text: string) => void): number {
  if (error instanceof SpecError || error instanceof ExampleError) {
    write(error.format() + "\n");
    return EXIT.badInput;
  }
  if (error instanceof InterruptedError) {
    write(`ltlguard: ${error.message}; stopped, and nothing was written to an output file\n`);
    return error.signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
  }
  if (error instanceof TooManyStatesError || error instanceof TooManyNodesError || error instanceof CompileTimeoutError || error instanceof OutputTooLargeError) {
    write(`ltlguard: ${error.message}\n`);
    return EXIT.limit;
  }
  if (
    error instanceof UsageError ||
    error instanceof UnsupportedFormulaError ||
    error instanceof ModelFileError ||
    error instanceof SegmentContentError ||
    error instanceof BackendStartError ||
    error instanceof ChatTemplateError ||
    error instanceof ModuleShapeError ||
    error instanceof ToolModuleError
  ) {
    write(`ltlguard: ${error.message}\n`);
    return EXIT.badInput;
  }
  const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  write(`ltlguard: internal error (a bug in ltlguard, please report it): ${described.split("\n")[0]}\n`);
  if (process.env.LTLGUARD_DEBUG !== undefined && error instanceof Error && error.stack !== undefined) write(`${error.stack}\n`);
  else write("ltlguard: run with LTLGUARD_DEBUG=1 to see where it happened\n");
  return EXIT.internal;
}
