import { describe, expect, it } from "vitest";
import { parseSpec } from "../../src/ltl/spec.js";
import { SpecError } from "../../src/ltl/errors.js";

const HEADER = "events question, thought, answer\n";

function errorOf(text: string): SpecError {
  try {
    parseSpec(text, { file: "s.ltl" });
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error("expected a SpecError");
}

describe("segment declarations", () => {
  it("parse tags, contents, ends and writers, in event order", () => {
    const spec = parseSpec(
      HEADER +
        'segment answer "Answer: " matching /[0-9]+(\\.[0-9]+)?/ end "\\n\\n"\n' +
        'segment question "Question: " text by environment\n' +
        'segment thought "Thought: " text until "</t>" max 64 by model\n' +
        "question\n",
      { file: "s.ltl" },
    );
    expect(spec.segments.map((s) => s.event)).toEqual(["question", "thought", "answer"]);
    const [question, thought, answer] = spec.segments;
    expect(question).toMatchObject({ tag: "Question: ", content: { kind: "text", until: "\n", maxBytes: undefined }, end: "\n", writer: "environment" });
    expect(thought).toMatchObject({ tag: "Thought: ", content: { kind: "text", until: "</t>", maxBytes: 64 }, end: "</t>", writer: "model" });
    expect(answer!.content).toMatchObject({ kind: "regex", source: "[0-9]+(\\.[0-9]+)?" });
    expect(answer!.end).toBe("\n\n");
  });

  it("apply string escapes, Unicode included", () => {
    const spec = parseSpec(
      'events a\nsegment a "\\u00e9\\u{1F600}\\t\\"q\\"\\\\" one of "x", "y\\n"\na\n',
    );
    expect(spec.segments[0]!.tag).toBe('é😀\t"q"\\');
    expect(spec.segments[0]!.content).toEqual({ kind: "choice", options: ["x", "y\n"] });
  });

  it("every shipped agent spec declares a segment for each event", async () => {
    const { readFileSync } = await import("node:fs");
    for (const file of ["direct", "cot", "react", "reflexion", "rewoo", "pass", "chat"].map((name) => `${name}.ltl`)) {
      const spec = parseSpec(readFileSync(`specs/${file}`, "utf8"), { file });
      expect(spec.segments.map((s) => s.event), file).toEqual(spec.atoms);
    }
  });

  const cases: [string, string, RegExp, number, number][] = [
    ["a segment in a spec without events", 'atoms a\nsegment a "A: " text\na\n', /declare them first/, 2, 1],
    ["an unknown event, with a suggestion", HEADER + 'segment answr "A: " text\n', /unknown event 'answr'.*did you mean 'answer'/, 2, 9],
    ["two segments for one event", HEADER + 'segment answer "A: " text\nsegment answer "B: " text\n', /already has a segment \(line 2\)/, 3, 9],
    ["an empty tag", HEADER + 'segment answer "" text\n', /tag may not be empty/, 2, 16],
    ["tags where one is a prefix of another", HEADER + 'segment question "Q" text\nsegment thought "Qu" text\nsegment answer "A" text\n', /start alike/, 3, 17],
    ["a missing segment", HEADER + 'segment question "Q: " text\nsegment answer "A: " text\n', /event 'thought' has no segment/, 1, 1],
    ["max 0", HEADER + 'segment answer "A: " text max 0\n', /between 1 and 2048/, 2, 31],
    ["end on a text segment", HEADER + 'segment answer "A: " text end "x"\n', /ends with its 'until' string/, 2, 31],
    ["a repeated choice", HEADER + 'segment answer "A: " one of "x", "x"\n', /"x" is listed twice/, 2, 34],
    ["a bad escape", HEADER + 'segment answer "A:\\q" text\n', /unknown escape '\\q'/, 2, 19],
    ["a bad Unicode escape", HEADER + 'segment answer "\\uD800" text\n', /Unicode escape/, 2, 17],
    ["an unterminated string", HEADER + 'segment answer "A: text\n', /expected/, 2, 24],
    ["a content kind that does not exist", HEADER + 'segment answer "A: " yaml\n', /expected/, 2, 22],
    ["until given twice", HEADER + 'segment answer "A: " text until "x" until "y"\n', /'until' is given twice/, 2, 37],
  ];
  for (const [what, text, message, line, column] of cases) {
    it(`reject ${what}, at the right place`, () => {
      const error = errorOf(text);
      expect(error.message).toMatch(message);
      expect([error.location.line, error.location.column], error.format()).toEqual([line, column]);
      expect(error.format()).toMatch(/^s\.ltl:\d+:\d+: error: /);
    });
  }
});
