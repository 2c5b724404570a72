import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CompileTimeoutError, TooManyNodesError, TooManyStatesError } from "../../src/ltl/errors.js";
import { EXIT, InterruptedError, OutputTooLargeError, reportError, UsageError } from "../../src/cli/io.js";
import { cli } from "../support/cli.js";

/**
 * What a newcomer met in their first hour, each now a located error or a bounded, interruptible
 * run: exports that hung, signals that were ignored, inputs that were silently dropped. The
 * process-level behaviour (signals, exit codes, files left behind) is tested on the installed
 * command, `bin/ltlguard.js`, in a child process with a memory cap.
 */

const REPO = join(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "ltlguard.js");
const REACT = join(REPO, "specs", "react.ltl");
const built = existsSync(join(REPO, "dist", "cli", "main.js"));
/** Every child runs with this heap limit: a run that needs more fails instead of swapping. */
const HEAP_MB = 1024;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ltlguard-robust-"));
});

const responsePairs = (n: number): string => Array.from({ length: n }, (_, i) => `G(a${i} -> F b${i})`).join(" & ") + "\n";

function specFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs the installed command to completion; `ms` is its wall time, start-up included. */
function run(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, BIN, ...args], {
    encoding: "utf8",
    cwd: dir,
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { code: result.status, signal: result.signal, out: result.stdout, err: result.stderr, ms: performance.now() - started };
}

const noStackTrace = (text: string): void => expect(text).not.toMatch(/\n\s+at /);
const leftovers = (folder: string): string[] => readdirSync(folder).filter((f) => f.endsWith(".tmp"));

describe.skipIf(!built)("exporting a large automaton", () => {
  it("writes 10 response pairs (2^10 states, 2^10 successors each) as symbolic JSON in seconds, a few hundred kilobytes", () => {
    const spec = specFile("pairs10.ltl", responsePairs(10));
    const out = join(dir, "pairs10.json");
    const r = run(["compile", spec, "-o", out]);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.ms).toBeLessThan(60_000);
    expect(statSync(out).size).toBeLessThan(500_000);
    const json = JSON.parse(readFileSync(out, "utf8"));
    expect(json).toMatchObject({ format: "ltlguard-dfa", version: 2, states: 1024 });
    expect(json.nodes.length).toBeLessThanOrEqual(10 * 1024);
  }, 120_000);

  it.each(["hoa", "dot", "svg"])("refuses --format %s, which lists every edge, before writing, saying how large it would be", (format) => {
    const spec = specFile(`pairs10-${format}.ltl`, responsePairs(10));
    const out = join(dir, `pairs10.${format}`);
    const r = run(["compile", spec, "--format", format, "-o", out]);
    expect(r.code, r.err).toBe(EXIT.limit);
    expect(r.err).toMatch(format === "svg" ? /the drawing would have 1,024 states, up to [\d,]+ edges/ : new RegExp(`the ${format} output would be about [\\d.]+ (MB|GB) \\(1,024 states`));
    expect(r.err).toMatch(/--format (dot or )?json/);
    noStackTrace(r.err);
    expect(existsSync(out)).toBe(false);
    expect(r.ms).toBeLessThan(60_000);
  }, 120_000);

  it("announces a large output before writing it, and --max-output bounds it", () => {
    const spec = specFile("pairs12.ltl", responsePairs(12));
    const announced = run(["compile", spec, "-o", join(dir, "pairs12.json")]);
    expect(announced.code, announced.err).toBe(EXIT.ok);
    // Progress lines may come first on a busy machine.
    expect(announced.err).toMatch(/^(compiling .*\n)*ltlguard: writing about 1\.\d+ MB of json \(4,096 states, 49,152 decision-diagram nodes\) to .*pairs12\.json\n/);
    const refused = run(["compile", spec, "--max-output", "1", "-o", join(dir, "pairs12-small.json")]);
    expect(refused.code).toBe(EXIT.limit);
    expect(refused.err).toMatch(/the json output would be about 1\.\d+ MB .*, more than the limit of 1\.00 MB; raise --max-output/);
    expect(existsSync(join(dir, "pairs12-small.json"))).toBe(false);
  }, 120_000);

  it("--timeout covers writing too, and a stopped write leaves no file behind", () => {
    const spec = specFile("pairs9.ltl", responsePairs(9));
    const out = join(dir, "pairs9.dot");
    const r = run(["compile", spec, "--format", "dot", "--max-output", "100000", "--timeout", "3", "-o", out]);
    expect(r.code, r.err).toBe(EXIT.limit);
    expect(r.err).toMatch(/writing .*pairs9\.dot took longer than the limit of 3 s \(--timeout covers compiling and writing\)/);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
    expect(r.ms).toBeLessThan(30_000);
  }, 120_000);
});

/** Starts the installed command and resolves once its standard error matches `ready`. */
function startUntil(args: readonly string[], ready: RegExp): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; err: string }> }> {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  const exited = new Promise<{ code: number | null; signal: string | null; err: string }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, err })));
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (data: Buffer) => {
      err += data.toString();
      if (ready.test(err)) resolve({ child, exited });
    });
    void exited.then(() => reject(new Error(`exited before it was ready:\n${err}`)));
  });
}

async function interrupt(args: readonly string[], ready: RegExp, signal: "SIGINT" | "SIGTERM"): Promise<{ code: number | null; err: string; ms: number }> {
  const { child, exited } = await startUntil(args, ready);
  const sent = performance.now();
  child.kill(signal);
  const result = await exited;
  return { code: result.code, err: result.err, ms: performance.now() - sent };
}

describe.skipIf(!built)("Ctrl-C and SIGTERM stop a long command", () => {
  const PROGRESS = /compiling .*: [\d,]+ of [\d,]+ states expanded/;

  it.each([
    ["SIGINT", EXIT.sigint],
    ["SIGTERM", EXIT.sigterm],
  ] as const)("%s stops a long compile promptly, says so, and -o leaves no file", async (signal, code) => {
    const spec = specFile(`pairs16-${signal}.ltl`, responsePairs(16));
    const out = join(dir, `pairs16-${signal}.json`);
    const r = await interrupt(["compile", spec, "--max-states", "1000000", "-o", out], PROGRESS, signal);
    expect(r.code, r.err).toBe(code);
    expect(r.err).toContain(`ltlguard: interrupted (${signal}); stopped, and nothing was written to an output file`);
    noStackTrace(r.err);
    expect(r.ms).toBeLessThan(5_000);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  }, 120_000);

  it("SIGINT stops a write under way and removes the half-written file", async () => {
    const spec = specFile("pairs9-write.ltl", responsePairs(9));
    const out = join(dir, "pairs9-write.dot");
    const r = await interrupt(["compile", spec, "--format", "dot", "--max-output", "100000", "-o", out], /writing about/, "SIGINT");
    expect(r.code, r.err).toBe(EXIT.sigint);
    expect(r.ms).toBeLessThan(5_000);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  }, 120_000);

  it("check exits with neither 0 nor 1 (accepted, rejected) when interrupted", async () => {
    const spec = specFile("pairs16-check.ltl", responsePairs(16));
    const r = await interrupt(["check", spec, "--max-states", "1000000", "--trace", "a0; b0"], PROGRESS, "SIGTERM");
    expect(r.code, r.err).toBe(EXIT.sigterm);
    expect(r.ms).toBeLessThan(5_000);
  }, 120_000);
});

describe.skipIf(!built)("a reader that goes away", () => {
  /** Runs the installed command with its standard output closed before it writes anything (`… | head -0`). */
  function withClosedStdout(args: readonly string[]): Promise<{ code: number | null; err: string }> {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.destroy();
    let err = "";
    child.stderr!.on("data", (data: Buffer) => (err += data.toString()));
    return new Promise((resolve) => child.on("exit", (code) => resolve({ code, err })));
  }

  it.each([
    [["plan", "--env", "game24", "--list-tasks"]],
    [["compile", "--formula", responsePairs(8).trim()]],
    [["compile", "--formula", "G(a -> F b)", "--format", "dot"]],
    [["check", "--formula", "F a", "--atoms", "a", "--trace", "a", "--json"]],
    [["bench", "--help"]],
  ])("ends quietly with exit 0 when standard output is closed: %j", async (args) => {
    const r = await withClosedStdout(args);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.err).not.toMatch(/EPIPE|Error/);
    noStackTrace(r.err);
  }, 60_000);

  it("keeps check's verdict as its exit code", async () => {
    const r = await withClosedStdout(["check", "--formula", "F a", "--atoms", "a", "--trace", "{}"]);
    expect(r.code, r.err).toBe(EXIT.rejected);
    noStackTrace(r.err);
  }, 60_000);
});

describe.skipIf(!built)("nested bounded patterns on the command line", () => {
  it("--timeout stops a pattern too large to wait for, promptly", () => {
    // Below the refusal limit on pattern sizes, but far too slow to compile.
    const spec = specFile("pattern56.ltl", "atoms a, b\npattern(((a b){0,56} (b a){0,56}){0,56})\n");
    const r = run(["compile", spec, "--timeout", "2", "-o", join(dir, "pattern56.json")]);
    expect(r.code, r.err).toBe(EXIT.limit);
    expect(r.err).toContain("pattern56.ltl: compiling took longer than the limit of 2 s");
    noStackTrace(r.err);
    // Start-up (about 1-2 s on a busy machine) plus the limit plus one pause between steps.
    expect(r.ms).toBeLessThan(12_000);
    expect(existsSync(join(dir, "pattern56.json"))).toBe(false);
  }, 60_000);
});

describe("exit codes", () => {
  it("mean one thing each, and no error reaches the user as a stack trace", () => {
    const cases: [unknown, number, RegExp][] = [
      [new UsageError("give a spec"), EXIT.badInput, /^ltlguard: give a spec\n$/],
      [new TooManyStatesError(10, 11, "x.ltl"), EXIT.limit, /exceeded the limit of 10 states/],
      [new TooManyNodesError(100, 3, "x.ltl"), EXIT.limit, /raise --max-nodes/],
      [new CompileTimeoutError("x.ltl: compiling took longer than the limit of 1 s"), EXIT.limit, /longer than the limit/],
      [new OutputTooLargeError("too large"), EXIT.limit, /too large/],
      [new InterruptedError("SIGINT"), EXIT.sigint, /interrupted \(SIGINT\)/],
      [new InterruptedError("SIGTERM"), EXIT.sigterm, /interrupted \(SIGTERM\)/],
      [new RangeError("Maximum call stack size exceeded"), EXIT.internal, /^ltlguard: internal error \(a bug in ltlguard, please report it\): RangeError: Maximum call stack size exceeded\n/],
    ];
    for (const [error, code, message] of cases) {
      let text = "";
      const previous = process.env.LTLGUARD_DEBUG;
      delete process.env.LTLGUARD_DEBUG;
      try {
        expect(reportError(error, (t) => (text += t))).toBe(code);
      } finally {
        if (previous !== undefined) process.env.LTLGUARD_DEBUG = previous;
      }
      expect(text).toMatch(message);
      noStackTrace(text);
    }
    // 1 is check's "rejected" and nothing else.
    expect(Object.entries(EXIT).filter(([, value]) => value === 1).map(([key]) => key)).toEqual(["rejected"]);
  });

  it("a spec of 4,000 formulas `F a` compiles (it used to overflow the stack and exit 1)", async () => {
    const spec = specFile("many.ltl", `atoms a\n${"F a\n".repeat(4_000)}`);
    const r = await cli("compile", spec);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(JSON.parse(r.out).states).toBe(2);
    const checked = await cli("check", spec, "--trace", "{}; {}");
    expect(checked.code).toBe(EXIT.rejected);
  }, 60_000);

  it("a 1 MB spec is refused at once with its place, exit 2", async () => {
    const line = "G(p1 -> F p2)\n";
    const spec = specFile("huge.ltl", `atoms p1, p2\n${line.repeat(Math.ceil(1_000_000 / line.length))}`);
    const started = performance.now();
    const r = await cli("compile", spec);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.err).toMatch(/huge\.ltl:\d+:\d+: error: the text has more than 20,000 tokens/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("check --trace-file", () => {
  it("checks a 100,000-step trace from a file in reasonable time and memory", async () => {
    const steps = Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? "a" : "b"));
    const accepted = specFile("long.trace", steps.join("\n") + "\n");
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const r = await cli("check", "--formula", "G(a -> X b)", "--trace-file", accepted);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toBe("accepted: the 100000-step trace satisfies the spec\n");
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(400_000_000);
    const rejected = specFile("long-rejected.trace", [...steps, "a"].join("; "));
    const no = await cli("check", "--formula", "G(a -> X b)", "--trace-file", rejected, "--json");
    expect(no.code).toBe(EXIT.rejected);
    expect(JSON.parse(no.out)).toMatchObject({ accepted: false, reason: "unfinished", steps: 100_001 });
  }, 60_000);

  it("reports a bad step at its line and column in the file, and a missing file", async () => {
    const bad = specFile("bad.trace", "a\nb\nc\n");
    const r = await cli("check", "--formula", "G(a -> X b)", "--trace-file", bad);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.err).toContain(`${bad}:3:1: error: unknown atom 'c' in the trace`);
    const missing = await cli("check", "--formula", "a", "--trace-file", join(dir, "nope.trace"));
    expect(missing.code).toBe(EXIT.badInput);
    expect(missing.err).toMatch(/cannot read the trace .*nope\.trace': no such file/);
    const both = await cli("check", "--formula", "a", "--trace", "a", "--trace-file", bad);
    expect(both.err).toMatch(/either --trace or --trace-file/);
  });

  it.skipIf(!built)("reads the trace from standard input with -", () => {
    const r = run(["check", "--formula", "F b", "--atoms", "a,b", "--trace-file", "-"], { input: "a; a; b\n" });
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toMatch(/^accepted: the 3-step trace/);
  }, 60_000);
});

describe("inputs are never silently ignored", () => {
  it("generate refuses an --input for an unknown event or one the model writes, naming the environment's events, before loading a model", async () => {
    const started = performance.now();
    const unknown = await cli("generate", "--spec", REACT, "--model", join(dir, "no-model.gguf"), "--input", "nosuch=1");
    expect(unknown.code).toBe(EXIT.badInput);
    expect(unknown.err).toBe("ltlguard: --input nosuch=…: the spec has no event 'nosuch'; the environment writes question, observation\n");
    const modelWritten = await cli("generate", "--spec", REACT, "--model", join(dir, "no-model.gguf"), "--input", "thought=hello");
    expect(modelWritten.code).toBe(EXIT.badInput);
    expect(modelWritten.err).toBe("ltlguard: --input thought=…: the model writes 'thought', so it cannot be supplied; the environment writes question, observation\n");
    const typo = await cli("generate", "--spec", REACT, "--model", join(dir, "no-model.gguf"), "--input", "observaton=1");
    expect(typo.err).toContain("(did you mean 'observation'?)");
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it("run refuses an existing --transcript before loading the model or the spec", async () => {
    const existing = specFile("existing.jsonl", "{}\n");
    const started = performance.now();
    const r = await cli("run", REACT, "--task", "x", "--model", join(dir, "no-model.gguf"), "--transcript", existing);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.err).toBe(`ltlguard: --transcript '${existing}' exists already; choose a new file\n`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(readFileSync(existing, "utf8")).toBe("{}\n");
  });
});
