import { conjunction } from "../../src/ltl/ast.js";
import type { SegmentFormat } from "../../src/ltl/segments.js";
import type { Spec } from "../../src/ltl/spec.js";
import { holds } from "./evaluate.js";
import { Ajv2020 } from "ajv/dist/2020.js";

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

/** How the reader treats tool segments: the tools' names, and a validator of a tool's arguments (JSON text). */
export interface ToolReader {
  readonly names: readonly string[];
  validArguments(tool: string, json: string): boolean;
}

function contentEnds(
  format: SegmentFormat,
  text: string,
  from: number,
  tools?: ToolReader,
  previous?: ParsedSegment,
): { content: string; next: number }[] {
  const c = format.content;
  const out: { content: string; next: number }[] = [];
  if (c.kind === "tools") {
    for (const name of tools?.names ?? []) if (text.startsWith(name + format.end, from)) out.push({ content: name, next: from + name.length + format.end.length });
    return out;
  }
  if (c.kind === "arguments") {
    // The arguments are those of the tool named by the step just before.
    if (tools === undefined || previous === undefined || previous.event !== c.of) return out;
    for (let k = from + 1; k <= text.length; k++) {
      if (!text.startsWith(format.end, k)) continue;
      const content = text.slice(from, k);
      if (tools.validArguments(previous.content, content)) out.push({ content, next: k + format.end.length });
    }
    return out;
  }
  if (c.kind === "text") {
    const k = text.indexOf(c.until, from);
    if (k < 0) return out;
    const content = text.slice(from, k);
    if (c.maxBytes !== undefined && utf8Length(content) > c.maxBytes) return out;
    out.push({ content, next: k + c.until.length });
  } else if (c.kind === "choice") {
    for (const option of c.options) if (text.startsWith(option + format.end, from)) out.push({ content: option, next: from + option.length + format.end.length });
  } else if (c.kind === "regex") {
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
export function parseOutput(formats: readonly SegmentFormat[], text: string, tools?: ToolReader): ParsedSegment[][] {
  const results: ParsedSegment[][] = [];
  const walk = (at: number, path: ParsedSegment[]): void => {
    if (results.length >= MAX_PARSES) return;
    if (at === text.length) {
      if (path.length > 0) results.push([...path]);
      return;
    }
    for (const format of formats) {
      if (!text.startsWith(format.tag, at)) continue;
      for (const { content, next } of contentEnds(format, text, at + format.tag.length, tools, path[path.length - 1])) {
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
  // A spec with tools bound is judged as written, with the tools read independently.
  if (spec.binding !== undefined) return checkToolOutput(spec.binding.source, readerForSchemas(spec.binding.tools), text);
  const parses = parseOutput(spec.segments, text);
  if (parses.length === 0) return `the text does not split into segments of the spec: ${JSON.stringify(text)}`;
  const formula = conjunction(spec.formulas.map((f) => f.formula));
  for (const parse of parses) {
    const trace = parse.map((s) => new Set([s.event]));
    if (holds(formula, trace)) return undefined;
  }
  return `no reading of the text satisfies the spec; events: ${parses[0]!.map((s) => s.event).join(" ")}; text: ${JSON.stringify(text)}`;
}

/**
 * The same for a spec with tool segments and `call(…)` atoms, read without the compiler's tool
 * binding: tool names by string comparison, arguments by JSON.parse and the caller's validator,
 * and each `call(t, field matching /re/)` atom evaluated on the parsed arguments with JavaScript's
 * RegExp. `spec` is the spec as parsed (not bound).
 */
export function checkToolOutput(spec: Spec, tools: ToolReader, text: string): string | undefined {
  const parses = parseOutput(spec.segments, text, tools);
  if (parses.length === 0) return `the text does not split into segments of the spec: ${JSON.stringify(text)}`;
  const formula = conjunction(spec.formulas.map((f) => f.formula));
  const formatOf = new Map(spec.segments.map((f) => [f.event, f] as const));
  const hasArguments = new Set(spec.segments.flatMap((f) => (f.content.kind === "arguments" ? [f.content.of] : [])));
  for (const parse of parses) {
    const trace = parse.map((segment, i) => {
      const atoms = new Set([segment.event]);
      const kind = formatOf.get(segment.event)!.content.kind;
      let call: { tool: string; args: unknown } | undefined;
      if (kind === "arguments") call = { tool: parse[i - 1]!.content, args: JSON.parse(segment.content) };
      else if (kind === "tools" && !hasArguments.has(segment.event)) call = { tool: segment.content, args: undefined };
      if (call !== undefined) {
        for (const c of spec.toolCalls) {
          if (c.tool !== call.tool) continue;
          if (c.field === undefined) atoms.add(c.atom);
          else {
            let value: unknown = call.args;
            for (const key of c.field.path) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
            if (typeof value === "string" && new RegExp(`^(?:${c.field.regex})$`, "u").test(value)) atoms.add(c.atom);
          }
        }
      }
      return atoms;
    });
    if (holds(formula, trace)) return undefined;
  }
  return `no reading of the text satisfies the spec; events: ${parses[0]!.map((s) => s.event).join(" ")}; text: ${JSON.stringify(text)}`;
}

/** A ToolReader that validates arguments with ajv (JSON Schema 2020-12), an independent validator. */
export function readerForSchemas(tools: readonly { readonly name: string; readonly parameters: unknown }[]): ToolReader {
  const ajv = new Ajv2020({ strict: false });
  const validators = new Map(tools.map((t) => [t.name, ajv.compile(t.parameters as object)] as const));
  return {
    names: tools.map((t) => t.name),
    validArguments: (tool, json) => {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        return false;
      }
      return validators.get(tool)?.(value) === true;
    },
  };
}
