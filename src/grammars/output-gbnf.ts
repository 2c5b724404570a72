/**
 * GBNF export of a whole output: the language of an OutputAutomaton as a grammar for llama.cpp's
 * grammar engine (`llama.createGrammar({ grammar })` in node-llama-cpp, `--grammar-file` in
 * llama.cpp's tools).
 *
 * ## Shape
 *
 *     root ::= seg-question q1                      # the initial state: no "" (no empty output)
 *     q1 ::= seg-thought q3 | seg-final-thought q2  # one rule per event state at a boundary
 *     q4 ::= ""                                     # "" where the output may end
 *     seg-thought ::= "Thought: " text-200-0        # tag, then content and end
 *     text-200-0 ::= [\x00-\t\x0B-\x7F] text-200-1 | "\n" | [\x80-\u07FF] text-200-2 | …
 *                                                   # content rules, shared by equal contents
 *
 * One rule per event-automaton state reached at a segment boundary (`qN`, N the event state),
 * with an alternative `seg-<event> qM` per event allowed next (M the state after it), plus `""`
 * where the spec accepts; the initial boundary is `root` and never has `""` (with "include"),
 * since the empty output is not a trace. One rule per event for its segment (tag literal,
 * content, end), and one rule set per distinct content: segments with equal contents (and ends)
 * share them.
 *
 * ## Contents, exactly
 *
 * GBNF matches code points; an OutputAutomaton matches bytes, and a text segment's `max` counts
 * UTF-8 bytes. So:
 * - text: `freeTextToGbnf` in its default byte-counting mode, i.e. rules derived from the same
 *   freeTextDfa the segment automaton uses (one rule per content length at a character boundary,
 *   with separate alternatives for 1-, 2-, 3- and 4-byte characters), so byte limits hold exactly;
 *   an unbounded text with a one-character terminator is the compact `[^t]* "t"`;
 * - choice: the options as literals, then the end literal;
 * - regex: `regexToGbnf` (a translation of the regex tree, tested equal to regexDfa), then the end.
 * The grammar's language, read as UTF-8, is the automaton's language (whose words are valid UTF-8).
 *
 * ## Environment-written segments
 *
 * - `environment: "include"` (default): their content is in the grammar like any other segment's,
 *   so the grammar describes the whole transcript. A grammar has no way to pause, so when llama.cpp
 *   generates with it alone, the model also writes what the environment (user, tools) would have
 *   written; use it to validate transcripts, or where that is what you want.
 * - `environment: "stop"`: the grammar ends where ltlguard's decoder pauses for the environment:
 *   right after an environment segment's tag, or, at a boundary where the output may not end and
 *   only environment segments may come next, before the tag (the model does not write it). Its
 *   language is what the model writes in its first turn: complete outputs that need no
 *   environment segment, and outputs cut where the first pause is. That may be the empty string
 *   (every shipped spec opens with the question, which the environment writes).
 *
 * ## Known differences of llama.cpp's engine (not of the language)
 *
 * llama.cpp decodes token bytes leniently: it can accept some byte sequences that are not valid
 * UTF-8 where a character class allows the code point they decode to (3- and 4-byte overlong
 * forms; surrogates and values above U+10FFFF where a negated class allows them), and it never
 * accepts a token that contains a NUL byte, which free text allows. Strings are unaffected.
 */
import type { SegmentFormat } from "../ltl/segments.js";
import { GBNF_NEVER, GbnfBuilder, choiceToGbnf, dfaToGbnf, freeTextToGbnf, gbnfLiteral, regexToGbnf } from "./gbnf.js";
import { eventsAllowedAt, type OutputAutomaton } from "./output.js";

export interface OutputGbnfOptions {
  /**
   * "include" (default): environment-written segments' contents are part of the grammar (the
   * whole transcript). "stop": the grammar ends where ltlguard's decoder pauses for the
   * environment (after an environment segment's tag, or before it where only such segments may
   * come next): the model's first turn.
   */
  readonly environment?: "include" | "stop";
}

/** A complete GBNF grammar (root rule `root`) whose language is the automaton's output language. */
export function outputToGbnf(automaton: OutputAutomaton, options: OutputGbnfOptions = {}): string {
  const environment = options.environment ?? "include";
  const { spec } = automaton;
  const dfa = spec.dfa;
  const events = dfa.atoms;
  const builder = new GbnfBuilder();

  // The boundary (tag-trie root) of each event state, other than the initial one.
  const rootOf = new Map<number, number>();
  for (let s = 0; s < automaton.stateCount; s++) {
    if (automaton.boundary[s] === 1 && s !== automaton.initial) rootOf.set(automaton.eventState[s]!, s);
  }

  const initialQ = automaton.eventState[automaton.initial]!;
  const acceptsAt = (q: number, initial: boolean): boolean => !initial && automaton.accepting[rootOf.get(q)!] === 1;
  const isEnvironment = (e: number): boolean => automaton.formats[e]!.writer === "environment";
  /**
   * The alternatives at a boundary: each allowed event and the event state after it (undefined
   * where the grammar stops after the tag). With "stop", a boundary where the output may not end
   * and only environment segments may come next has none: the decoder pauses there, before the tag.
   */
  const pausesBefore = (q: number, initial: boolean): boolean => {
    const allowed = eventsAllowedAt(automaton, q);
    return environment === "stop" && !acceptsAt(q, initial) && allowed.length > 0 && allowed.every(isEnvironment);
  };
  const alternativesAt = (q: number, initial: boolean): { event: number; next: number | undefined }[] => {
    if (pausesBefore(q, initial)) return [];
    return eventsAllowedAt(automaton, q).map((e) => ({
      event: e,
      next: environment === "stop" && isEnvironment(e) ? undefined : automaton.eventState[automaton.boundaryAfter(q, e)]!,
    }));
  };
  // Every reachable state's rule, named up front (breadth first from the initial state) so that
  // they get their plain names `qN`.
  const stateRule = new Map<number, string>();
  const order: number[] = [];
  const pendingStates: { q: number; initial: boolean }[] = [{ q: initialQ, initial: true }];
  while (pendingStates.length > 0) {
    const { q, initial } = pendingStates.shift()!;
    for (const { next } of alternativesAt(q, initial)) {
      if (next === undefined || stateRule.has(next)) continue;
      stateRule.set(next, builder.name(`q${next}`));
      order.push(next);
      pendingStates.push({ q: next, initial: false });
    }
  }

  // Contents (with their ends), shared between segments whose content and end are equal.
  const contentExpr = new Map<string, string>();
  const contentOf = (format: SegmentFormat, e: number): string => {
    const c = format.content;
    // Tool names and arguments depend on the refined event: each has its own automaton.
    const key =
      c.kind === "tools" || c.kind === "arguments"
        ? `event:${e}`
        : JSON.stringify(c.kind === "regex" ? { kind: c.kind, source: c.source, end: format.end } : { ...c, end: format.end });
    let expr = contentExpr.get(key);
    if (expr === undefined) {
      if (c.kind === "text") {
        const hint = `text${c.maxBytes === undefined ? "" : `-${c.maxBytes}`}`;
        expr = freeTextToGbnf({ terminator: c.until, maxBytes: c.maxBytes }, builder, hint);
      } else if (c.kind === "choice") {
        expr = sequence([choiceToGbnf(c.options), gbnfLiteral(format.end)]);
      } else if (c.kind === "regex") {
        expr = sequence([regexToGbnf(c.source, builder, "re"), gbnfLiteral(format.end)]);
      } else {
        expr = dfaToGbnf(automaton.segments[e]!, builder, c.kind === "tools" ? "tool" : "args");
      }
      contentExpr.set(key, expr);
    }
    return expr;
  };

  // One rule per segment: tag, content, end (or only the tag where the grammar stops there).
  const segmentRule = new Map<string, string>();
  const segmentFor = (e: number, tagOnly: boolean): string => {
    const key = `${e}:${tagOnly}`;
    let name = segmentRule.get(key);
    if (name === undefined) {
      const format = automaton.formats[e]!;
      const expression = tagOnly ? gbnfLiteral(format.tag) : sequence([gbnfLiteral(format.tag), contentOf(format, e)]);
      name = builder.name(`seg-${events[e]!}${tagOnly ? "-tag" : ""}`);
      builder.define(name, expression);
      segmentRule.set(key, name);
    }
    return name;
  };

  const bodyOf = (q: number, initial: boolean): string => {
    const alternatives: string[] = [];
    if (pausesBefore(q, initial)) return '""';
    for (const { event, next } of alternativesAt(q, initial)) {
      const segment = segmentFor(event, next === undefined);
      alternatives.push(next === undefined ? segment : `${segment} ${stateRule.get(next)!}`);
    }
    if (acceptsAt(q, initial)) alternatives.push('""');
    return alternatives.length > 0 ? alternatives.join(" | ") : GBNF_NEVER;
  };

  const rootBody = bodyOf(initialQ, true);
  const stateRules = order.map((q) => `${stateRule.get(q)!} ::= ${bodyOf(q, false)}\n`).join("");
  const file = spec.spec.file.replace(/[\r\n]+/g, " ");
  const header =
    `# ltlguard: the outputs of ${file}, ` +
    (environment === "include" ? "environment-written segments included\n" : "up to where the decoder first pauses for the environment\n");
  return `${header}root ::= ${rootBody}\n${stateRules}${builder.toString()}`;
}

/** A sequence of GBNF expressions (each already usable inside a sequence), without empty parts. */
function sequence(parts: readonly string[]): string {
  const kept = parts.filter((p) => p !== '""');
  return kept.length === 0 ? '""' : kept.join(" ");
}
