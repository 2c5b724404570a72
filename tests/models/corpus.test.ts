import { describe, expect, it } from "vitest";
import {
  generateCorpus,
  MAX_CONTENT_BYTES,
  SEGMENT_TAGS,
  type SegmentKind,
  splitCorpus,
  TOOLS,
  type Trace,
  TRACE_SHAPES,
  type TraceShape,
  traceText,
} from "../../src/models/corpus.js";

const LETTER: Record<SegmentKind, string> = {
  question: "q", user_problem: "u", thought: "t", plan: "p", action: "a", action_input: "i", action_label: "l",
  observation: "o", summarize: "s", final_thought: "f", proposed_answer: "r", evaluator: "e", reflection: "x",
  answer: "A", final_response: "R", solver: "S",
};

const SHAPE_GRAMMAR: Record<TraceShape, RegExp> = {
  direct: /^qA$/,
  cot: /^qtA$/,
  react: /^q(taio){0,5}fA$/,
  reflexion: /^q((taio){0,3}frex){0,2}A$/,
  rewoo: /^q(plai){1,5}S$/,
  pass: /^q(p(ai)*s){0,5}fA$/,
  chat: /^u(taio)*R$/,
};

const corpus = generateCorpus();

function kinds(t: Trace): string {
  return t.segments.map((s) => LETTER[s.kind]).join("");
}

describe("trace corpus", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const again = generateCorpus();
    expect(again.map(traceText)).toEqual(corpus.map(traceText));
    const other = generateCorpus({ seed: 1, count: 50 });
    expect(other.map(traceText)).not.toEqual(corpus.slice(0, 50).map(traceText));
  });

  it("has every shape, each trace following its shape's grammar", () => {
    const seen = new Set<TraceShape>();
    for (const t of corpus) {
      seen.add(t.shape);
      expect(kinds(t), `${t.shape}:\n${traceText(t)}`).toMatch(SHAPE_GRAMMAR[t.shape]);
    }
    expect([...seen].sort()).toEqual([...TRACE_SHAPES].sort());
    expect(corpus.length).toBe(3000);
  });

  it("writes each segment as tag + content + newline, contents short and single-line", () => {
    for (const t of corpus) {
      const text = traceText(t);
      const lines = text.split("\n");
      expect(lines.pop()).toBe("");
      expect(lines.length).toBe(t.segments.length);
      t.segments.forEach((s, i) => {
        expect(lines[i]).toBe(SEGMENT_TAGS[s.kind] + s.content);
        expect(s.content).not.toContain("\n");
        expect(Buffer.byteLength(s.content, "utf8")).toBeLessThanOrEqual(MAX_CONTENT_BYTES);
        if (s.kind === "action") expect(TOOLS).toContain(s.content);
        if (s.kind === "action_label") expect(s.content).toMatch(/^#E[1-9]$/);
      });
    }
  });

  it("keeps tool calls consistent: calculator observations are the value of the input", () => {
    let checked = 0;
    for (const t of corpus) {
      t.segments.forEach((s, i) => {
        if (s.kind !== "action" || s.content !== "calculator") return;
        const input = t.segments[i + 1];
        const obs = t.segments[i + 2];
        if (input?.kind !== "action_input" || obs?.kind !== "observation") return;
        const expression = (JSON.parse(input.content) as { expression: string }).expression;
        expect(expression).toMatch(/^[\d.+\-*/() ]+$/);
        const value = Function(`"use strict"; return (${expression});`)() as number;
        expect(Number(obs.content), `${expression} = ${obs.content}`).toBeCloseTo(value, 3);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(300);
  });

  it("varies its content", () => {
    const questions = new Set(corpus.flatMap((t) => t.segments.filter((s) => s.kind === "question").map((s) => s.content)));
    expect(questions.size).toBeGreaterThan(1500);
    const tools = new Set(corpus.flatMap((t) => t.segments.filter((s) => s.kind === "action").map((s) => s.content)));
    expect([...tools].sort()).toEqual([...TOOLS].sort());
  });

  it("holds out the last tenth", () => {
    const { train, heldOut } = splitCorpus(corpus);
    expect(train.length).toBe(2700);
    expect(heldOut.length).toBe(300);
    expect(heldOut[0]).toBe(corpus[2700]);
  });
});
