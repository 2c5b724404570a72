import { SpecError, type SourceLocation } from "../ltl/errors.js";
import type { SegmentFormat } from "../ltl/segments.js";
import type { EventVariant, ToolSignature } from "../ltl/tool-calls.js";
import { jsonSchemaDfa, SchemaError } from "./json-schema.js";
import type { ByteDfa } from "./byte-dfa.js";
import { choiceDfa, concatDfa, freeTextDfa, literalDfa, regexDfa } from "./constructions.js";
import { prefixFreeWitness } from "./analysis.js";
import { emptyDfa } from "./ops.js";
import { RegexSyntaxError, AutomatonTooLargeError } from "./errors.js";

/**
 * The byte automaton of one segment after its tag: content followed by the end string. Its
 * language must be prefix-free, so that the segment ends at one definite byte; otherwise the
 * reader of the output (and the decoder) could not tell where the next segment starts.
 */
export function segmentDfa(format: SegmentFormat, variant?: BoundVariant): ByteDfa {
  const content = format.content;
  let dfa: ByteDfa;
  try {
    if (content.kind === "text") dfa = freeTextDfa({ terminator: content.until, maxBytes: content.maxBytes });
    else if (content.kind === "choice") dfa = concatDfa(choiceDfa([...content.options]), literalDfa(format.end));
    else if (content.kind === "regex") dfa = concatDfa(regexDfa(content.source), literalDfa(format.end));
    else dfa = concatDfa(toolContentDfa(format, variant), literalDfa(format.end));
  } catch (error) {
    if (error instanceof SchemaError && variant?.tool !== undefined) {
      throw new SpecError(
        "segment",
        `segment '${format.event}': the parameters of tool '${variant.tool.name}' at ${error.path}: ${error.message}`,
        format.location,
      );
    }
    if (error instanceof RegexSyntaxError && content.kind === "arguments") {
      const source = error.source;
      const test = variant?.variant.tests?.find((t) => t.test.regex === source)?.test;
      if (test !== undefined) {
        const at = test.regexLocation;
        throw new SpecError("segment", `in the argument test's regular expression: ${error.message}`, { ...at, column: at.column + 1 + error.offset });
      }
    }
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

/** A refined event of a spec with tools bound, with its tool's signature. */
export interface BoundVariant {
  readonly variant: EventVariant;
  readonly tool: ToolSignature | undefined;
}

/** The content of a tool-naming or arguments segment for one refined event (the end string excluded). */
function toolContentDfa(format: SegmentFormat, bound: BoundVariant | undefined): ByteDfa {
  if (bound?.tool === undefined) {
    throw new SpecError("segment", `segment '${format.event}' depends on the tools: bind a tool registry to the spec (e.g. --tools <module>)`, format.location);
  }
  if (format.content.kind === "tools") return literalDfa(bound.tool.name);
  // Binding and composing both need each variant's automaton; schemas can take a while to build.
  let byTests = argumentDfas.get(bound.tool);
  if (byTests === undefined) argumentDfas.set(bound.tool, (byTests = new Map()));
  const tests = bound.variant.tests ?? [];
  const key = JSON.stringify(tests.map(({ test, holds }) => [test.path, test.regex, holds]));
  let dfa = byTests.get(key);
  if (dfa === undefined) {
    const fields = tests.map(({ test, holds }) => ({ path: test.path, regex: test.regex, negate: !holds }));
    try {
      dfa = jsonSchemaDfa(bound.tool.parameters, { fields });
    } catch (error) {
      if (!(error instanceof SchemaError) || fields.length === 0 || /field constraint/.test(error.message)) throw error;
      // The schema alone is fine (this rethrows if not), so the tests' outcome is what no
      // arguments can have: an impossible refined event, which binding leaves out.
      jsonSchemaDfa(bound.tool.parameters);
      dfa = emptyDfa();
    }
    byTests.set(key, dfa);
  }
  return dfa;
}

const argumentDfas = new WeakMap<ToolSignature, Map<string, ByteDfa>>();

function locationOfContent(format: SegmentFormat): SourceLocation {
  return format.content.kind === "regex" ? format.content.location : format.location;
}
