import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseSpec } from "../../src/ltl/spec.js";
import { ensureModel } from "../../src/models/build.js";
import { cli } from "../support/cli.js";
import { checkOutput } from "../support/output-check.js";

const SPEC_TEXT = 'events question, answer\nsegment question "Question: " text max 200 by environment\nsegment answer "Answer: " text max 40\nquestion & X answer & G(answer -> last)\n';
let dir: string;
let spec: string;
let randomModel: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ltlguard-chat-cli-"));
  spec = join(dir, "qa.ltl");
  writeFileSync(spec, SPEC_TEXT);
  randomModel = await ensureModel("qwen3-random");
  await ensureModel("qwen3-fitted");
}, 600_000);

interface GenerateJson {
  prompt: { template: string; text: string };
  thinking?: { text: string; complete: boolean };
  text: string;
  stop: string;
}

describe("--chat-template, --system and --thinking", () => {
  it("generate renders the prompt through the model's template by default; none keeps plain text", async () => {
    let r = await cli("generate", "--spec", spec, "--prompt", "What is 2+2?", "--system", "Be brief.", "--json", "--max-tokens", "30");
    expect(r.code, r.err).toBe(0);
    let json = JSON.parse(r.out) as GenerateJson;
    expect(json.prompt).toEqual({
      template: "gguf",
      text: "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    });
    expect(json.text.startsWith("Question: What is 2+2?\n")).toBe(true);
    r = await cli("generate", "--spec", spec, "--prompt", "What is 2+2?", "--chat-template", "none", "--json", "--max-tokens", "30");
    json = JSON.parse(r.out) as GenerateJson;
    expect(json.prompt).toEqual({ template: "none", text: "" });
    const template = join(dir, "t.jinja");
    writeFileSync(template, "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}[assistant] ");
    r = await cli("generate", "--spec", spec, "--prompt", "Hi", "--chat-template", template, "--json", "--max-tokens", "30");
    json = JSON.parse(r.out) as GenerateJson;
    expect(json.prompt).toEqual({ template, text: "[user] Hi\n[assistant] " });
  }, 120_000);

  it("generate --thinking N lets the model think at most N bytes before the spec's output", async () => {
    const parsed = parseSpec(SPEC_TEXT, { file: "qa.ltl" });
    for (const seed of ["1", "2"]) {
      const r = await cli("generate", "--spec", spec, "--model", randomModel, "--prompt", "Why?", "--thinking", "30", "--temperature", "1.5", "--seed", seed, "--json", "--max-tokens", "120");
      expect(r.code, r.err).toBe(0);
      const json = JSON.parse(r.out) as GenerateJson;
      expect(json.prompt.text.endsWith("<|im_start|>assistant\n")).toBe(true);
      expect(json.thinking?.complete).toBe(true);
      expect(new TextEncoder().encode(json.thinking!.text).length).toBeLessThanOrEqual(30);
      if (json.stop === "end") expect(checkOutput(parsed, json.text)).toBeUndefined();
    }
  }, 120_000);

  it("bad options and templates are clear errors", async () => {
    let r = await cli("generate", "--spec", spec, "--thinking", "5000");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--thinking expects forbid, allow or a number of bytes from 1 to 2048/);
    r = await cli("generate", "--spec", spec, "--chat-template", join(dir, "nope.jinja"), "--prompt", "x");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^ltlguard: .*nope\.jinja: no such file/);
    const broken = join(dir, "broken.jinja");
    writeFileSync(broken, "{% if %}");
    r = await cli("run", join("specs", "react.ltl"), "--task", "x", "--chat-template", broken, "--transcript", join(dir, "r.jsonl"));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.jinja: the chat template is not valid Jinja/);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 120_000);

  it("run puts the instructions in the user's turn and the transcript in the assistant's", async () => {
    const r = await cli("run", join("specs", "react.ltl"), "--task", "What is 17 times 23?", "--system", "You are careful.", "--seed", "2", "--temperature", "0.7", "--json", "--transcript", join(dir, "run.jsonl"));
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as { segments: { event: string; content: string }[]; stop: string };
    expect(json.segments[0]).toMatchObject({ event: "question", content: "What is 17 times 23?" });
  }, 120_000);
});
