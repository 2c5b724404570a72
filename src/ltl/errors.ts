/** Where something is in a spec's source text (1-based line and column). */
export interface SourceLocation {
  /** The file name as the user gave it, or a label such as `<formula>`. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The full text of the line, for showing it with a caret. */
  readonly lineText: string;
}

export type SpecErrorKind =
  | "syntax"
  | "unknown-atom"
  | "undefined-macro"
  | "macro-arity"
  | "duplicate"
  | "unsupported"
  | "unsatisfiable"
  | "mode"
  | "trace"
  | "segment";

/**
 * A problem in what the user wrote: a spec file, a `--formula`, or a `--trace`. It always carries
 * a location and prints as `file:line:col: message`, the line, and a caret under the column.
 */
export class SpecError extends Error {
  override readonly name = "SpecError";

  constructor(
    readonly kind: SpecErrorKind,
    message: string,
    readonly location: SourceLocation,
    /** Further lines shown after the caret (e.g. the formulas of an unsatisfiable core). */
    readonly notes: readonly string[] = [],
  ) {
    super(message);
  }

  /** The error as a compiler would print it. */
  format(): string {
    const { file, line, column, lineText } = this.location;
    const caretPadding = [...lineText.slice(0, column - 1)].map((ch) => (ch === "\t" ? "\t" : " ")).join("");
    const lines = [`${file}:${line}:${column}: error: ${this.message}`];
    if (lineText.length > 0 || column > 1) lines.push(`  ${lineText}`, `  ${caretPadding}^`);
    lines.push(...this.notes);
    return lines.join("\n");
  }
}

/** The automaton grew past the state limit the caller set. */
export class TooManyStatesError extends Error {
  override readonly name = "TooManyStatesError";

  /** `found`: states found when the limit was crossed; `expanded`: how many of them had their successors computed. */
  constructor(
    readonly limit: number,
    readonly found: number,
    readonly what: string,
    readonly expanded?: number,
  ) {
    const count = (n: number): string => n.toLocaleString("en-US");
    const progress = expanded === undefined ? `found ${count(found)}` : `found ${count(found)} after expanding ${count(expanded)}`;
    super(`${what}: the automaton exceeded the limit of ${count(limit)} states (${progress}); raise --max-states or simplify the spec`);
  }
}

/** The decision diagrams that represent the automaton's transitions grew past the node limit the caller set. */
export class TooManyNodesError extends Error {
  override readonly name = "TooManyNodesError";

  constructor(
    readonly limit: number,
    readonly explored: number,
    readonly what: string,
  ) {
    super(
      `${what}: the decision diagrams of the automaton's transitions grew past the limit of ${limit.toLocaleString("en-US")} nodes ` +
        `(after expanding ${explored.toLocaleString("en-US")} states); raise --max-nodes (each node takes about 30 bytes of memory) or simplify the spec`,
    );
  }
}

/** Compilation ran past the time limit the caller set. */
export class CompileTimeoutError extends Error {
  override readonly name = "CompileTimeoutError";
}

/** A formula uses a construct the compiler does not handle (e.g. a future operator inside a past one). */
export class UnsupportedFormulaError extends Error {
  override readonly name = "UnsupportedFormulaError";
}

/** Maps a character offset in `text` to a location. */
export function locate(text: string, offset: number, file: string): SourceLocation {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  const lineText = text.slice(lineStart, lineEnd).replace(/\r$/, "");
  return { file, line, column: clamped - lineStart + 1, lineText };
}
