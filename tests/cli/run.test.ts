import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli.js";
import { ensureModel } from "../../src/models/build.js";

const REPO = join(import.meta.dirname, "..", "..");
const REACT = join(REPO, "specs", "react.ltl");

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ltlguard-run-"));
  await ensureModel("qwen3-fitted");
}, 600_000);

describe("ltlguard run", () => {
  it("--json prints the run, and the JSONL transcript on disk holds every step", async () => {
    const transcript = join(dir, "react.jsonl");
    const r = await cli("run", REACT, "--task", "What is 17 times 23?", "--seed", "2", "--temperature", "0.7", "--top-k", "40", "--json", "--transcript", transcript);
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as { text: string; segments: { event: string; content: string }[]; calls: { tool: string; arguments: unknown }[]; stop: string; transcript: string };
    expect(result.transcript).toBe(transcript);
    expect(result.segments[0]).toMatchObject({ event: "question", content: "What is 17 times 23?" });
    const records = readFileSync(transcript, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; content?: string; tool?: string });
    expect(records[0]).toMatchObject({ type: "start", task: "What is 17 times 23?", tools: ["calculator", "search", "clock"] });
    expect(records.filter((x) => x.type === "segment").map((x) => x.content)).toEqual(result.segments.map((s) => s.content));
    expect(records.filter((x) => x.type === "tool").map((x) => x.tool)).toEqual(result.calls.map((c) => c.tool));
    expect(records[records.length - 1]).toMatchObject({ type: "end", stop: result.stop });
    // A second run never overwrites the first transcript.
    const again = await cli("run", REACT, "--task", "x", "--transcript", transcript);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/exists already/);
  }, 120_000);

  it("runs a TypeScript tool module the user points to", async () => {
    const module = join(dir, "tools.ts");
    writeFileSync(
      module,
      `export default [{
  name: "lookup",
  description: "looks a word up",
  parameters: { type: "object", properties: { word: { type: "string", enum: ["alpha", "beta"] } }, required: ["word"] },
  run: (args: { word: string }): string => "definition of " + args.word,
}];
`,
    );
    const spec = join(dir, "lookup.ltl");
    writeFileSync(
      spec,
      `events question, action, action_input, observation, answer
segment question     "Question: "     text max 100 by environment
segment action       "Action: "       one of tools
segment action_input "Action Input: " json args(action)
segment observation  "Observation: "  text max 100 by environment
segment answer       "Answer: "       text max 40
question & X action
G(action -> X action_input)
G(action_input -> X observation)
G(observation -> X answer)
G(answer -> last)
`,
    );
    const r = await cli("run", spec, "--tools", module, "--task", "Define alpha.", "--json", "--transcript", join(dir, "lookup.jsonl"));
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as { calls: { tool: string; arguments: { word: string }; ok: boolean; text: string }[]; stop: string };
    expect(result.stop).toBe("end");
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]!.tool).toBe("lookup");
    expect(["alpha", "beta"]).toContain(result.calls[0]!.arguments.word);
    expect(result.calls[0]!.text).toBe(`definition of ${result.calls[0]!.arguments.word}`);
  }, 120_000);

  it("reports bad tool modules, bad examples and bad options clearly, without writing a transcript", async () => {
    const transcript = join(dir, "never.jsonl");
    const missing = await cli("run", REACT, "--task", "x", "--tools", join(dir, "nope.mjs"), "--transcript", transcript);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.mjs: no such file/);

    const examples = join(dir, "examples.txt");
    writeFileSync(examples, "Question: hi\nThought: ok\nAction: teleport\n");
    const bad = await cli("run", REACT, "--task", "x", "--examples", examples, "--transcript", transcript);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/examples\.txt:3:9: the spec does not allow this example here/);
    expect(bad.err).toContain("Action: teleport");

    const steps = await cli("run", REACT, "--task", "x", "--max-steps", "many");
    expect(steps.code).toBe(2);
    expect(steps.err).toMatch(/--max-steps expects a non-negative integer/);
    expect(existsSync(transcript)).toBe(false);
  }, 120_000);

  it("works through bin/ with exit code 0", () => {
    const r = spawnSync(process.execPath, [join(REPO, "bin", "ltlguard.js"), "run", REACT, "--task", "What time is it?", "--seed", "1", "--transcript", join(dir, "bin.jsonl")], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith("Question: What time is it?\n")).toBe(true);
    expect(r.stderr).toMatch(/transcript written to/);
  }, 130_000);
});
