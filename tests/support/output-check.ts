import { conjunction } from "../../src/ltl/ast.js";
import type { SegmentFormat } from "../../src/ltl/segments.js";
import type { Spec } from "../../src/ltl/spec.js";
import { holds } from "./evaluate.js";

/**
 * An independent reader of generated outputs: it splits text into segments by trying every
 * segment format at every place (tags by string comparison, contents by direct checks and
 * JavaScript's own RegExp), and judges the event sequence with the recursive LTLf evaluator.
 * It shares nothing with the decoder's automata, so it can catch their mistakes.
 */
export interface ParsedSegment {
  readonly event: string;
  readonly content: string;
}

const MAX_PARSES = 64;

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function contentEnds(format: SegmentFormat, text: string, from: number): { content: string; next: number }[] {
  const c = format.content;
  const out: { content: string; next: number }[] = [];
  if (c.kind === "text") {
    const k = text.indexOf(c.until, from);
    if (k < 0) return out;
    const content = text.slice(from, k);
    if (c.maxBytes !== undefined && utf8Length(content) > c.maxBytes) return out;
    out.push({ content, next: k + c.until.length });
  } else if (c.kind === "choice") {
    for (const option of c.options) if (text.startsWith(option + format.end, from)) out.push({ content: option, next: from + option.length + format.end.length });
  } else {
    const regex = new RegExp(`^(?:${c.source})$`, "u");
    for (let k = from; k <= text.length; k++) {
      if (!text.startsWith(format.end, k)) continue;
      const content = text.slice(from, k);
      if (regex.test(content)) out.push({ content, next: k + format.end.length });
    }
  }
  return out;
}

/** Every way (up to a cap) to read the whole text as a sequence of segments. */
export function parseOutput(formats: readonly SegmentFormat[], text: string): ParsedSegment[][] {
  const results: ParsedSegment[][] = [];
  const walk = (at: number, path: ParsedSegment[]): void => {
    if (results.length >= MAX_PARSES) return;
    if (at === text.length) {
      if (path.length > 0) results.push([...path]);
      return;
    }
    for (const format of formats) {
      if (!text.startsWith(format.tag, at)) continue;
      for (const { content, next } of contentEnds(format, text, at + format.tag.length)) {
        path.push({ event: format.event, content });
        walk(next, path);
        path.pop();
      }
    }
  };
  walk(0, []);
  return results;
}

/** Undefined when the text is a complete output the spec allows; otherwise why not. */
export function checkOutput(spec: Spec, text: string): string | undefined {
  const parses = parseOutput(spec.segments, text);
  if (parses.length === 0) return `the text does not split into segments of the spec: ${JSON.stringify(text)}`;
  const formula = conjunction(spec.formulas.map((f) => f.formula));
  for (const parse of parses) {
    const trace = parse.map((s) => new Set([s.event]));
    if (holds(formula, trace)) return undefined;
  }
  return `no reading of the text satisfies the spec; events: ${parses[0]!.map((s) => s.event).join(" ")}; text: ${JSON.stringify(text)}`;
}
