import { SpecError, type SourceLocation } from "../ltl/errors.js";
import type { SegmentFormat } from "../ltl/segments.js";
import type { ByteDfa } from "./byte-dfa.js";
import { choiceDfa, concatDfa, freeTextDfa, literalDfa, regexDfa } from "./constructions.js";
import { prefixFreeWitness } from "./analysis.js";
import { RegexSyntaxError, AutomatonTooLargeError } from "./errors.js";

/**
 * The byte automaton of one segment after its tag: content followed by the end string. Its
 * language must be prefix-free, so that the segment ends at one definite byte; otherwise the
 * reader of the output (and the decoder) could not tell where the next segment starts.
 */
export function segmentDfa(format: SegmentFormat): ByteDfa {
  const content = format.content;
  let dfa: ByteDfa;
  try {
    if (content.kind === "text") dfa = freeTextDfa({ terminator: content.until, maxBytes: content.maxBytes });
    else if (content.kind === "choice") dfa = concatDfa(choiceDfa([...content.options]), literalDfa(format.end));
    else dfa = concatDfa(regexDfa(content.source), literalDfa(format.end));
  } catch (error) {
    if (error instanceof RegexSyntaxError && content.kind === "regex") {
      // The regex sits on one line after the opening slash, so its offset maps to a column.
      const at = content.location;
      throw new SpecError("segment", `in the regular expression of '${format.event}': ${error.message}`, { ...at, column: at.column + 1 + error.offset });
    }
    if (error instanceof AutomatonTooLargeError) throw new SpecError("segment", `segment '${format.event}': ${error.message}`, format.location);
    throw error;
  }
  const witness = prefixFreeWitness(dfa);
  if (witness !== undefined) {
    const [shorter, longer] = witness.map((w) => JSON.stringify(new TextDecoder().decode(w)));
    throw new SpecError(
      "segment",
      `segment '${format.event}' could end after ${shorter} or go on to ${longer}: a segment must end at one definite place` +
        (content.kind === "text" ? "" : `; choose an 'end' string its content cannot contain`),
      locationOfContent(format),
    );
  }
  return dfa;
}

function locationOfContent(format: SegmentFormat): SourceLocation {
  return format.content.kind === "regex" ? format.content.location : format.location;
}
