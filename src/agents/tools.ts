import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ToolSignature } from "../ltl/tool-calls.js";

/**
 * A tool the agent may call: its name, what it does (shown to the model), the JSON Schema of its
 * arguments (enforced while decoding: the model cannot write arguments that do not validate), and
 * its implementation. Results are turned into text for the observation segment; errors and
 * timeouts become observations too, never crashes.
 */
export interface Tool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
  run(args: Record<string, unknown>, context: ToolContext): unknown;
  /** Milliseconds before a call is abandoned and reported as timed out (default 10 s). */
  readonly timeoutMs?: number;
}

export interface ToolContext {
  /** Aborted when the call times out or the run is interrupted. */
  readonly signal: AbortSignal;
}

export const DEFAULT_TOOL_TIMEOUT_MS = 10_000;

/** A problem with a tool module or a tool definition, naming the file and what was expected. */
export class ToolModuleError extends Error {
  override readonly name = "ToolModuleError";
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** Tools by name, checked once: unique names, a description, an object schema, a function. */
export class ToolRegistry {
  private readonly byName = new Map<string, Tool>();

  constructor(
    tools: readonly Tool[],
    /** Where the tools came from, for error messages. */
    readonly source = "<tools>",
  ) {
    for (const [i, tool] of tools.entries()) {
      const where = `tool ${i + 1}${typeof tool?.name === "string" ? ` ('${tool.name}')` : ""}`;
      if (tool === null || typeof tool !== "object") throw new ToolModuleError(source, `${where} is not an object`);
      if (typeof tool.name !== "string" || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(tool.name)) {
        throw new ToolModuleError(source, `${where}: 'name' must be a string of letters, digits, '_', '.', '-', starting with a letter or '_'`);
      }
      if (this.byName.has(tool.name)) throw new ToolModuleError(source, `two tools are named '${tool.name}'`);
      if (typeof tool.description !== "string") throw new ToolModuleError(source, `${where}: 'description' must be a string`);
      if (tool.parameters === null || typeof tool.parameters !== "object" || Array.isArray(tool.parameters)) {
        throw new ToolModuleError(source, `${where}: 'parameters' must be a JSON Schema object, e.g. { type: "object", properties: { … } }`);
      }
      if (typeof tool.run !== "function") throw new ToolModuleError(source, `${where}: 'run' must be a function (args, context) => result`);
      if (tool.timeoutMs !== undefined && !(Number.isFinite(tool.timeoutMs) && tool.timeoutMs > 0)) {
        throw new ToolModuleError(source, `${where}: 'timeoutMs' must be a positive number of milliseconds`);
      }
      this.byName.set(tool.name, tool);
    }
    if (this.byName.size === 0) throw new ToolModuleError(source, "no tools: export a non-empty array of tools");
  }

  get tools(): readonly Tool[] {
    return [...this.byName.values()];
  }

  get(name: string): Tool | undefined {
    return this.byName.get(name);
  }

  /** What the spec compiler needs: names and argument schemas. */
  signatures(): ToolSignature[] {
    return this.tools.map((t) => ({ name: t.name, parameters: t.parameters }));
  }
}

/** The outcome of one call, as the transcript records it. */
export type ToolOutcome =
  | { readonly ok: true; readonly result: unknown; readonly text: string; readonly ms: number }
  | { readonly ok: false; readonly error: string; readonly timedOut: boolean; readonly text: string; readonly ms: number };

/** Runs a call with its timeout; a throw, a rejection or a timeout becomes an error outcome. */
export async function callTool(tool: Tool, args: Record<string, unknown>, outer?: AbortSignal): Promise<ToolOutcome> {
  const started = performance.now();
  const timeoutMs = tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => tool.run(args, { signal: controller.signal })), timeout]);
    const ms = performance.now() - started;
    if (outcome === "timeout") {
      controller.abort(new Error("timed out"));
      const error = `timed out after ${timeoutMs} ms`;
      return { ok: false, error, timedOut: true, text: `Error: ${tool.name} ${error}`, ms };
    }
    return { ok: true, result: outcome, text: resultText(outcome), ms };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: message, timedOut: false, text: `Error: ${message}`, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}

function resultText(result: unknown): string {
  if (typeof result === "string") return result;
  if (result === undefined) return "(no result)";
  try {
    return JSON.stringify(result);
  } catch {
    return String(result);
  }
}

/**
 * Loads tools from a JavaScript or TypeScript module: its default export or its `tools` export,
 * an array of tools (or a function returning one, possibly async). TypeScript is loaded through
 * tsx, so a user needs no build step.
 */
export async function loadToolModule(file: string): Promise<ToolRegistry> {
  const path = resolve(file);
  if (!existsSync(path)) throw new ToolModuleError(file, "no such file");
  let module: Record<string, unknown>;
  try {
    if (/\.(c|m)?tsx?$/.test(path)) {
      const { tsImport } = await import("tsx/esm/api");
      module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
    } else {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    }
  } catch (error) {
    throw new ToolModuleError(file, `could not load the module: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  let exported = module["tools"] ?? module["default"];
  // A TypeScript file outside an ESM package is loaded as CommonJS: its exports arrive wrapped.
  for (const key of ["tools", "default"]) {
    if (exported !== null && typeof exported === "object" && !Array.isArray(exported) && key in exported) {
      exported = (exported as Record<string, unknown>)[key];
    }
  }
  if (typeof exported === "function") exported = await (exported as () => unknown)();
  if (!Array.isArray(exported)) {
    throw new ToolModuleError(file, "expected `export default [tool, …]` or `export const tools = [tool, …]` (each { name, description, parameters, run })");
  }
  return new ToolRegistry(exported as Tool[], file);
}
