import { readTranscript, type OutputAutomaton } from "../grammars/output.js";
import type { Tool } from "./tools.js";

/**
 * The text before the output: what the agent is, its tools, and worked examples. Examples are
 * whole transcripts in the spec's format, and each is read by the spec's own automaton before the
 * run starts: an example the spec would reject teaches the model the wrong thing, so it is an
 * error that points at the place (example, line, column) and says what the spec expects there.
 */
export interface PromptOptions {
  /** Opening instructions (default: a short description of the agent's job). */
  readonly instructions?: string;
  readonly tools?: readonly Tool[];
  readonly examples?: readonly Example[];
}

export interface Example {
  readonly text: string;
  /** Where the example came from, for errors: a file name, or `example N`. */
  readonly source: string;
  /** Line of the example's first line in its source (1-based). */
  readonly line: number;
}

/** An example transcript the spec does not allow. */
export class ExampleError extends Error {
  override readonly name = "ExampleError";
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    readonly lineText: string,
    message: string,
  ) {
    super(message);
  }

  format(): string {
    return `${this.source}:${this.line}:${this.column}: ${this.message}\n  ${this.lineText}\n  ${" ".repeat(Math.max(0, this.column - 1))}^`;
  }
}

/** Splits an examples file into examples: separated by lines holding only `---`. */
export function parseExamples(text: string, source: string): Example[] {
  const examples: Example[] = [];
  const lines = text.split("\n");
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || lines[i]!.trim() === "---") {
      const body = lines.slice(start, i);
      // Leading and trailing blank lines separate examples visually; they are not part of them.
      let first = 0;
      while (first < body.length && body[first]!.trim() === "") first++;
      let last = body.length;
      while (last > first && body[last - 1]!.trim() === "") last--;
      if (last > first) examples.push({ text: body.slice(first, last).join("\n") + "\n", source, line: start + first + 1 });
      start = i + 1;
    }
  }
  return examples;
}

/** Throws `ExampleError` for the first example the spec rejects. */
export function checkExamples(automaton: OutputAutomaton, examples: readonly Example[]): void {
  for (const example of examples) {
    const mismatch = readTranscript(automaton, example.text);
    if (mismatch === undefined) continue;
    const before = example.text.slice(0, mismatch.offset);
    const lineIndex = before.split("\n").length - 1;
    const column = mismatch.offset - (before.lastIndexOf("\n") + 1) + 1;
    const lineText = example.text.split("\n")[lineIndex] ?? "";
    throw new ExampleError(example.source, example.line + lineIndex, column, lineText, `the spec does not allow this example here: expected ${mismatch.expected}`);
  }
}

/** The prompt: instructions, the tools with their argument schemas, and the examples. */
export function buildPrompt(options: PromptOptions): string {
  const parts: string[] = [];
  parts.push(options.instructions ?? "You are an agent that answers questions, using tools when they help.");
  if (options.tools !== undefined && options.tools.length > 0) {
    parts.push("Tools:\n" + options.tools.map((t) => `- ${t.name}: ${t.description} Arguments: ${JSON.stringify(t.parameters)}`).join("\n"));
  }
  for (const example of options.examples ?? []) parts.push(`Example:\n${example.text.trimEnd()}`);
  return parts.join("\n\n") + "\n\n";
}
