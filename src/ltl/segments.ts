import type { SourceLocation } from "./errors.js";

/**
 * How an event of an events-mode spec appears in the output text. The spec's formulas constrain
 * the sequence of segments; a segment's format constrains its text: the tag that opens it, the
 * content, and the string that closes it. `src/grammars` turns these into byte automata.
 */
export type SegmentContent =
  /** Any UTF-8 text not containing `until`, at most `maxBytes` bytes, closed by `until`. */
  | { readonly kind: "text"; readonly until: string; readonly maxBytes: number | undefined }
  /** Exactly one of the strings (e.g. tool names). */
  | { readonly kind: "choice"; readonly options: readonly string[] }
  /** A whole match of the regular expression; `location` points at the opening slash. */
  | { readonly kind: "regex"; readonly source: string; readonly location: SourceLocation }
  /** The name of one of the tools bound to the spec (`one of tools`). */
  | { readonly kind: "tools" }
  /**
   * The JSON arguments of the tool named by the step just before, an `of` segment (`json args(of)`):
   * the tool's JSON Schema decides the language, so the content depends on the tool chosen.
   */
  | { readonly kind: "arguments"; readonly of: string; readonly ofLocation: SourceLocation };

/** Who writes a segment's content: the model (sampled under the mask) or the environment (a tool's result, the user). */
export type SegmentWriter = "model" | "environment";

export interface SegmentFormat {
  readonly event: string;
  /** The text that opens the segment, e.g. `Thought: `. */
  readonly tag: string;
  readonly content: SegmentContent;
  /** The text that closes the segment after its content (for `text` content: its `until` string). */
  readonly end: string;
  readonly writer: SegmentWriter;
  readonly location: SourceLocation;
}

/** The longest `max` a text segment may have: longer limits make automata with as many states. */
export const MAX_SEGMENT_BYTES = 2048;

/** The bytes a segment's text takes, content included: tag + content + end. */
export function segmentText(format: SegmentFormat, content: string): string {
  return format.tag + content + format.end;
}
