import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { ensureModel } from "../../src/models/build.js";
import { checkOutput } from "../support/output-check.js";
import { bindExampleTools } from "../support/agent-spec.js";

const REPO = join(import.meta.dirname, "..", "..");
const REACT = join(REPO, "specs", "react.ltl");
const REACT_SPEC = bindExampleTools(parseSpec(readFileSync(REACT, "utf8"), { file: REACT }));


let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ltlguard-generate-"));
  await ensureModel("qwen3-fitted");
}, 600_000);

describe("ltlguard generate", () => {
  it("--json prints the text, its segments and the stop reason; the text is in the spec's language", async () => {
    const r = await cli("generate", "--spec", REACT, "--prompt", "What is 17 times 23?", "--input", "observation=391", "--input", "observation=391", "--input", "observation=391", "--input", "observation=391", "--input", "observation=391", "--seed", "2", "--temperature", "0.7", "--json");
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as { text: string; segments: { event: string; content: string }[]; stop: string };
    expect(result.stop).toBe("end");
    expect(result.segments[0]).toEqual({ event: "question", content: "What is 17 times 23?" });
    expect(result.segments.at(-1)!.event).toBe("answer");
    expect(checkOutput(REACT_SPEC, result.text)).toBeUndefined();
    expect(result.text).toBe(result.segments.map((s) => `${REACT_SPEC.segments.find((f) => f.event === s.event)!.tag}${s.content}\n`).join(""));
  }, 120_000);

  it("streams the text, and says when it stops for the environment", async () => {
    const r = await cli("generate", "--spec", REACT, "--prompt", "What is the capital of France?", "--seed", "3", "--temperature", "0.7");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Question: What is the capital of France\?\n/);
    if (/Observation: $/.test(r.out.trimEnd() + " ") || r.err !== "") {
      expect(r.err).toMatch(/the environment writes next \(observation\); supply it with --input observation=<text>/);
    }
  }, 120_000);

  it("gives clear errors for a bad model, a spec without segments and bad options", async () => {
    const garbage = join(dir, "bad.gguf");
    writeFileSync(garbage, "GGUF but not really");
    let r = await cli("generate", "--spec", REACT, "--model", garbage, "--prompt", "x");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^ltlguard: .*bad\.gguf: /);
    expect(r.err).not.toMatch(/\n\s+at /);
    r = await cli("generate", "--spec", REACT, "--model", join(dir, "none.gguf"));
    expect(r.err).toMatch(/none\.gguf: no such file/);
    const plain = join(dir, "plain.ltl");
    writeFileSync(plain, "events a, b\nG(a -> X b)\n");
    r = await cli("generate", "--spec", plain);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/declares no segments/);
    r = await cli("generate", "--spec", REACT, "--temperature", "hot");
    expect(r.err).toMatch(/--temperature expects a number/);
    r = await cli("generate", "--spec", REACT, "--gpu", "tpu");
    expect(r.err).toMatch(/--gpu expects one of auto, cuda, vulkan, metal, off/);
  }, 60_000);

  it("runs from bin/ as an installed command", () => {
    const run = spawnSync(process.execPath, [join(REPO, "bin", "ltlguard.js"), "generate", "--spec", REACT, "--prompt", "What is 2+2?", "--input", "observation=4", "--json", "--max-tokens", "40"], { encoding: "utf8", cwd: REPO });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).segments[0].content).toBe("What is 2+2?");
  }, 120_000);
});
