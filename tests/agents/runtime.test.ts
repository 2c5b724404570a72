import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpec } from "../../src/ltl/analysis.js";
import { parseSpec, type Spec } from "../../src/ltl/spec.js";
import { bindToolRegistry } from "../../src/grammars/tools.js";
import { ConstrainedDecoder } from "../../src/decoder/decoder.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { ensureModel } from "../../src/models/build.js";
import { exampleTools } from "../../src/agents/example-tools.js";
import { runAgent, fitToSegment } from "../../src/agents/runtime.js";
import { ToolModuleError, ToolRegistry, loadToolModule, type Tool } from "../../src/agents/tools.js";
import { JsonlTranscript, MemoryTranscript, type TranscriptRecord } from "../../src/agents/transcript.js";
import { ExampleError, buildPrompt, checkExamples, parseExamples } from "../../src/agents/prompt.js";
import { checkToolOutput, readerForSchemas } from "../support/output-check.js";

const REPO = join(import.meta.dirname, "..", "..");
const AGENTS = ["direct", "cot", "react", "reflexion", "rewoo", "pass", "chat"] as const;
const FIXED_NOW = () => new Date("2026-05-01T12:00:00Z");

let backend: LlamaBackend;
beforeAll(async () => {
  backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-fitted"), threads: 1, sequences: 2 });
}, 120_000);
afterAll(async () => {
  await backend?.dispose();
});

function readSpec(name: string): Spec {
  return parseSpec(readFileSync(join(REPO, "specs", `${name}.ltl`), "utf8"), { file: `specs/${name}.ltl` });
}

describe("the seven agents, end to end with the example tools", () => {
  const tools = exampleTools({ now: FIXED_NOW });
  // Over all agents and seeds: the reader and the call checks below must actually have run.
  let ended = 0;
  let calls = 0;
  const registry = new ToolRegistry(tools);
  for (const name of AGENTS) {
    it(`${name}: runs to the end, calls tools with valid arguments, and writes a transcript`, async () => {
      const spec = readSpec(name);
      const bound = spec.segments.some((s) => s.content.kind === "tools") ? bindToolRegistry(spec, registry.signatures()) : spec;
      const decoder = ConstrainedDecoder.create(compileSpec(bound), backend, { precompute: false });
      for (const seed of [1, 2]) {
        const transcript = new MemoryTranscript();
        const result = await runAgent({
          decoder,
          tools: registry,
          task: "What is 17 times 23?",
          prompt: buildPrompt({ tools }),
          sampling: { seed, temperature: 0.7, topK: 40 },
          limits: { maxTokens: 600 },
          maxSteps: 6,
          transcript,
          // The evaluator of Reflexion, and any later environment turn: a fixed verdict.
          respond: () => "Correct.",
        });
        expect(["end", "max-steps", "max-tokens"]).toContain(result.stop);
        if (result.stop === "end") {
          ended++;
          expect(checkToolOutput(spec, readerForSchemas(tools), result.text)).toBeUndefined();
        }
        calls += result.calls.length;
        // Every tool call in the text was executed, in order, with the arguments written.
        const written = result.segments.filter((s) => s.event === "action_input" && s.complete).map((s) => JSON.parse(s.content) as unknown);
        expect(result.calls.map((c) => c.arguments)).toEqual(written.slice(0, result.calls.length));
        for (const call of result.calls) expect(call.outcome.text.length).toBeGreaterThan(0);
        // The transcript holds every segment and call, then the end.
        const records = transcript.records;
        expect(records[0]!.type).toBe("start");
        expect(records.filter((r) => r.type === "segment").map((r) => (r as { content: string }).content)).toEqual(
          result.segments.filter((s) => s.complete).map((s) => s.content),
        );
        expect(records.filter((r) => r.type === "tool").length).toBe(result.calls.length);
        expect(records[records.length - 1]).toMatchObject({ type: "end", stop: result.stop });
      }
    }, 120_000);
  }

  it("ended runs and made tool calls (so the checks above were exercised)", () => {
    expect(ended).toBeGreaterThanOrEqual(7);
    expect(calls).toBeGreaterThanOrEqual(5);
  });
});

describe("tools that fail", () => {
  const SPEC = `events question, action, action_input, observation, answer
segment question     "Question: "     text max 100 by environment
segment action       "Action: "       one of tools
segment action_input "Action Input: " json args(action)
segment observation  "Observation: "  text max 60 by environment
segment answer       "Answer: "       text max 40
question
G(question -> X action)
G(action -> X action_input)
G(action_input -> X observation)
G(observation -> X answer)
G(answer -> last)
`;
  const failing: Tool[] = [
    { name: "broken", description: "always throws", parameters: { type: "object", properties: {} }, run: () => Promise.reject(new Error("disk on fire\nsecond line")) },
    { name: "slow", description: "never answers", parameters: { type: "object", properties: {} }, timeoutMs: 50, run: () => new Promise(() => {}) },
  ];

  it.each(["broken", "slow"])("%s: its error becomes the observation, and the run goes on", async (name) => {
    const registry = new ToolRegistry(failing.filter((t) => t.name === name));
    const spec = bindToolRegistry(parseSpec(SPEC, { file: "failing.ltl" }), registry.signatures());
    const decoder = ConstrainedDecoder.create(compileSpec(spec), backend, { precompute: false });
    const result = await runAgent({ decoder, tools: registry, task: "Do it.", sampling: { seed: 3 }, limits: { maxTokens: 200 } });
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]!.outcome.ok).toBe(false);
    const observation = result.segments.find((s) => s.event === "observation")!;
    expect(observation.content).toMatch(name === "broken" ? /^Error: disk on fire second line/ : /timed out after 50 ms/);
    expect(result.stop).toBe("end");
  }, 60_000);

  it("fits environment text to its segment: no closing string, within the byte limit", () => {
    const format = parseSpec(SPEC, { file: "f.ltl" }).segments.find((s) => s.event === "observation")!;
    const fitted = fitToSegment(`line one\nline two ${"é".repeat(80)}`, format);
    expect(fitted).not.toContain("\n");
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(60);
    expect(fitted.endsWith("…")).toBe(true);
  });
});

describe("the transcript on disk", () => {
  it("is complete up to the last step when the run is interrupted", async () => {
    const registry = new ToolRegistry(exampleTools({ now: FIXED_NOW }));
    const spec = bindToolRegistry(readSpec("react"), registry.signatures());
    const decoder = ConstrainedDecoder.create(compileSpec(spec), backend, { precompute: false });
    const path = join(mkdtempSync(join(tmpdir(), "ltlguard-run-")), "t.jsonl");
    const transcript = new JsonlTranscript(path);
    const stop = new AbortController();
    let attempts = 0;
    let result;
    // Sample until a run makes a tool call, then interrupt it right after the first call.
    for (let seed = 0; seed < 20; seed++) {
      attempts++;
      result = await runAgent({
        decoder,
        tools: registry,
        task: "What is 17 times 23?",
        sampling: { seed, temperature: 0.9 },
        limits: { maxTokens: 400 },
        transcript,
        signal: stop.signal,
        listener: { onToolCall: () => stop.abort() },
      });
      if (result.calls.length > 0) break;
    }
    transcript.close();
    expect(result!.stop).toBe("interrupted");
    const records = readFileSync(path, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as TranscriptRecord);
    const last = records.filter((r) => r.type === "start").length;
    expect(last).toBe(attempts);
    const tail = records.slice(records.map((r) => r.type).lastIndexOf("start"));
    expect(tail.map((r) => r.type)).toContain("tool");
    expect(tail[tail.length - 1]).toMatchObject({ type: "end", stop: "interrupted" });
    // The segment the tool answered is on disk, before the tool line.
    const toolAt = tail.findIndex((r) => r.type === "tool");
    expect(tail[toolAt - 1]).toMatchObject({ type: "segment", event: "action_input" });
    expect(() => new JsonlTranscript(path)).toThrow(/EEXIST/);
  }, 120_000);
});

describe("examples in the prompt", () => {
  const registry = new ToolRegistry(exampleTools());
  const automaton = () => ConstrainedDecoder.create(compileSpec(bindToolRegistry(readSpec("react"), registry.signatures())), backend, { precompute: false }).automaton;

  it("accepts examples the spec allows and points at the first place one goes wrong", () => {
    const good = [
      "Question: What is 2 plus 2?",
      "Thought: I will use the calculator.",
      "Action: calculator",
      'Action Input: {"expression": "2 + 2"}',
      "Observation: 4",
      "Final Thought: It is 4.",
      "Answer: 4",
    ].join("\n");
    const bad = good.replace('{"expression": "2 + 2"}', '{"expr": "2 + 2"}');
    const file = `${good}\n---\n\n${bad}\n`;
    const examples = parseExamples(file, "examples.txt");
    expect(examples).toHaveLength(2);
    const a = automaton();
    expect(() => checkExamples(a, examples.slice(0, 1))).not.toThrow();
    let error: ExampleError | undefined;
    try {
      checkExamples(a, examples);
    } catch (e) {
      error = e as ExampleError;
    }
    expect(error).toBeInstanceOf(ExampleError);
    // Line 4 of the second example, which starts on line 10 of the file; column of the bad key.
    expect(error!.line).toBe(13);
    expect(error!.column).toBe('Action Input: {"expr'.length + 1);
    expect(error!.format()).toMatch(/^examples\.txt:13:\d+: the spec does not allow this example here: expected inside 'action_input'/);
  });
});

describe("tool modules", () => {
  const dir = mkdtempSync(join(tmpdir(), "ltlguard-tools-"));
  const TOOL = `{ name: "echo", description: "echoes", parameters: { type: "object", properties: { text: { type: "string" } } }, run: (a) => a.text }`;

  it("loads JavaScript and TypeScript modules (default export, `tools`, or a function)", async () => {
    writeFileSync(join(dir, "a.mjs"), `export default [${TOOL}];\n`);
    writeFileSync(join(dir, "b.ts"), `import type {} from "node:fs";\nexport const tools = async (): Promise<unknown[]> => [${TOOL}];\n`);
    for (const file of ["a.mjs", "b.ts"]) {
      const registry = await loadToolModule(join(dir, file));
      expect(registry.tools.map((t) => t.name)).toEqual(["echo"]);
      expect(await registry.get("echo")!.run({ text: "hi" }, { signal: new AbortController().signal })).toBe("hi");
    }
  });

  it("says what is wrong with a module, naming the file", async () => {
    writeFileSync(join(dir, "none.mjs"), "export const x = 1;\n");
    writeFileSync(join(dir, "dup.mjs"), `export default [${TOOL}, ${TOOL}];\n`);
    writeFileSync(join(dir, "nofn.mjs"), `export default [{ name: "x", description: "", parameters: { type: "object" } }];\n`);
    writeFileSync(join(dir, "syntax.mjs"), "export default [;\n");
    const cases: [string, RegExp][] = [
      ["missing.mjs", /no such file/],
      ["none.mjs", /expected `export default/],
      ["dup.mjs", /two tools are named 'echo'/],
      ["nofn.mjs", /'run' must be a function/],
      ["syntax.mjs", /could not load the module/],
    ];
    for (const [file, message] of cases) {
      const error = await loadToolModule(join(dir, file)).catch((e: unknown) => e);
      expect(error, file).toBeInstanceOf(ToolModuleError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(file);
    }
  });
});
