import type { SourceLocation } from "./errors.js";

/** The vocabulary of tool calls in specs (see tool-calls.ts for what binding does with it). */

/** A `call(…)` atom as written in a spec. */
export interface ToolCallAtom {
  /** The atom's name in formulas, e.g. `call(delete_file, path matching /\/etc\/.*\/)`. */
  readonly atom: string;
  readonly tool: string;
  /** A test on one string argument: its value matches the regular expression (whole match). */
  readonly field: ArgumentTest | undefined;
  readonly location: SourceLocation;
  readonly toolLocation: SourceLocation;
}

export interface ArgumentTest {
  /** Property names from the arguments object down to the tested string. */
  readonly path: readonly string[];
  readonly regex: string;
  /** Where the regular expression's opening slash is. */
  readonly regexLocation: SourceLocation;
}

/** What the spec needs to know of a tool: its name and its JSON Schema for the arguments (opaque here). */
export interface ToolSignature {
  readonly name: string;
  readonly parameters: unknown;
}

/** One refined event: a declared event, or one tool's (and tests') version of it. */
export interface EventVariant {
  /** The refined event's name (an atom of the bound spec). */
  readonly event: string;
  /** The declared event it refines; its segment format is the declared one. */
  readonly base: string;
  readonly tool?: string;
  /** For an arguments event: each test the spec makes about this tool, and whether it holds. */
  readonly tests?: readonly { readonly test: ArgumentTest; readonly holds: boolean }[];
}


/** The canonical atom name of `call(tool)` or `call(tool, a.b matching /re/)`. */
export function toolCallAtomName(tool: string, field: Pick<ArgumentTest, "path" | "regex"> | undefined): string {
  const name = /^[a-z_][A-Za-z0-9_]*$/.test(tool) ? tool : JSON.stringify(tool);
  return field === undefined ? `call(${name})` : `call(${name}, ${field.path.join(".")} matching /${field.regex}/)`;
}
