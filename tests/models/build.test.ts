import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildModels, defaultModelsDir, ensureModel, expectedBuildId, modelPath, staleReason } from "../../src/models/build.js";
import { gv } from "../../src/models/gguf-format.js";
import { inspectGguf } from "../../src/models/gguf-reader.js";
import { encodeGguf } from "../../src/models/gguf-writer.js";
import { main, parseArgs } from "../../src/models/main.js";

const dir = mkdtempSync(join(tmpdir(), "ltlguard-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("model builds", () => {
  it("default to models/ at the package root", () => {
    expect(defaultModelsDir()).toBe(join(process.cwd(), "models"));
    expect(modelPath("small-vocab")).toBe(join(process.cwd(), "models", "small-vocab.gguf"));
  });

  it("are deterministic: a fresh build has the same bytes as the shared one", async () => {
    const out = join(dir, "fresh");
    const shared = {
      "qwen3-random": await ensureModel("qwen3-random"),
      "small-vocab": await ensureModel("small-vocab"),
      "qwen3-fitted": await ensureModel("qwen3-fitted"),
    };
    const lines: string[] = [];
    const built = await buildModels({ outDir: out, onProgress: (m) => lines.push(m) });
    expect(built.map((b) => b.name)).toEqual(["qwen3-random", "qwen3-fitted", "small-vocab"]);
    for (const b of built) {
      expect(b.path).toBe(join(out, `${b.name}.gguf`));
      expect(sha256(b.path), b.name).toBe(sha256(shared[b.name]));
      expect(b.buildId).toBe(expectedBuildId(b.name));
    }
    expect(lines.some((l) => l.startsWith("qwen3-fitted: held-out cross-entropy"))).toBe(true);
    const fit = built.find((b) => b.name === "qwen3-fitted")!.fit!;
    expect(fit.heldOutCrossEntropy).toBeLessThan(fit.unigramCrossEntropy - 2);
    expect(readdirSync(out).sort()).toEqual(["qwen3-fitted.gguf", "qwen3-random.gguf", "small-vocab.gguf"]);
  });

  it("ensureModel rebuilds missing, corrupt and stale files and reuses good ones", async () => {
    const out = join(dir, "ensure");
    const reference = sha256(await ensureModel("small-vocab"));
    const path = await ensureModel("small-vocab", { outDir: out });
    expect(sha256(path)).toBe(reference);

    // Reused: no rebuild, so no progress is reported.
    const lines: string[] = [];
    await ensureModel("small-vocab", { outDir: out, onProgress: (m) => lines.push(m) });
    expect(lines).toEqual([]);

    // Truncated.
    truncateSync(path, 1000);
    expect(staleReason("small-vocab", path)).toMatch(/truncated/);
    await ensureModel("small-vocab", { outDir: out, onProgress: (m) => lines.push(m) });
    expect(sha256(path)).toBe(reference);
    expect(lines.some((l) => /building .*truncated/.test(l))).toBe(true);

    // Garbage, plus a temporary file abandoned by a build that was killed.
    writeFileSync(path, "not a model at all");
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    const abandoned = join(out, `.small-vocab.gguf.${deadPid}.1.tmp`);
    writeFileSync(abandoned, "half a model");
    await ensureModel("small-vocab", { outDir: out });
    expect(sha256(path)).toBe(reference);
    expect(existsSync(abandoned)).toBe(false);

    // A valid GGUF from another builder version.
    const info = inspectGguf(path);
    const stale = encodeGguf({
      metadata: [...info.metadata].map(([k, v]) => [k, k === "ltlguard.build_id" ? gv.str("ltlguard-models/v0/small-vocab") : v] as const),
      tensors: [],
    });
    writeFileSync(path, stale);
    expect(staleReason("small-vocab", path)).toMatch(/another builder|missing tensor/);
    await ensureModel("small-vocab", { outDir: out });
    expect(sha256(path)).toBe(reference);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("main.js parses its arguments and builds into --out", async () => {
    expect(parseArgs(["--only", "small-vocab,qwen3-random", "--out=x"])).toMatchObject({ only: ["small-vocab", "qwen3-random"], help: false });
    expect(() => parseArgs(["--only", "gpt-5"])).toThrow(/unknown model gpt-5/);
    expect(() => parseArgs(["--bogus"])).toThrow(/unknown argument/);
    const out = join(dir, "cli");
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const stdoutWrite = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await main(["--only", "small-vocab", "--out", out])).toBe(0);
      expect(await main(["--only", "nope"])).toBe(2);
    } finally {
      process.stderr.write = write;
      process.stdout.write = stdoutWrite;
    }
    expect(stderr.join("")).toContain("small-vocab: wrote");
    expect(sha256(join(out, "small-vocab.gguf"))).toBe(sha256(await ensureModel("small-vocab")));
  });

  it("keep models that are up to date, and rebuild them only with --force", async () => {
    const out = join(dir, "again");
    await ensureModel("small-vocab", { outDir: out });
    const path = join(out, "small-vocab.gguf");
    const before = statSync(path).mtimeMs;
    const lines: string[] = [];
    const [kept] = await buildModels({ outDir: out, only: ["small-vocab"], onProgress: (m) => lines.push(m) });
    expect(kept!.reused).toBe(true);
    expect(statSync(path).mtimeMs).toBe(before);
    expect(lines).toEqual([`small-vocab: up to date: ${path}`]);

    const [rebuilt] = await buildModels({ outDir: out, only: ["small-vocab"], force: true, onProgress: (m) => lines.push(m) });
    expect(rebuilt!.reused).toBe(false);
    expect(lines.some((l) => /building .*\(--force\)/.test(l))).toBe(true);
    expect(parseArgs(["--force"])).toMatchObject({ force: true });
    expect(parseArgs([])).toMatchObject({ force: false });
  });
});
