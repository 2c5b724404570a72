import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseMonaDfa, type MonaDfa } from "../../src/ltl/mona.js";

export interface MonaRun {
  readonly dfa: MonaDfa;
  /** Wall-clock time of the `mona` process, start-up included (which dominates small programs). */
  readonly milliseconds: number;
}

export interface RunMonaOptions {
  /** Defaults to 60 s: a runaway program fails the caller instead of hanging it. */
  timeoutMs?: number;
}

const NOT_INSTALLED = "MONA is not installed (the `mona` command was not found); on Debian or Ubuntu: apt-get install mona";
const DEFAULT_TIMEOUT_MS = 60_000;

let available: boolean | undefined;

/** Whether the `mona` command can be run (checked once per process). */
export function monaAvailable(): boolean {
  if (available === undefined) {
    // `mona` with no file prints its usage and exits non-zero; only a spawn error means it is missing.
    const probe = spawnSync("mona", [], { encoding: "utf8", timeout: 10_000 });
    available = probe.error === undefined;
  }
  return available;
}

// One directory per process; a file name per call keeps concurrent async runs apart.
let workDir: string | undefined;
let fileCounter = 0;

function programFile(program: string): string {
  if (workDir === undefined) {
    workDir = mkdtempSync(join(tmpdir(), "ltlguard-mona-"));
    const dir = workDir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  const file = join(workDir, `p${process.pid}-${fileCounter++}.mona`);
  writeFileSync(file, program);
  return file;
}

function failure(program: string, status: number | null, signal: string | null, stdout: string, stderr: string, timeoutMs: number): Error {
  const how = signal !== null ? `was killed by ${signal}${signal === "SIGTERM" ? ` (timeout ${timeoutMs} ms?)` : ""}` : `exited with status ${status}`;
  const excerpt = program.length > 2000 ? `${program.slice(0, 2000)}…` : program;
  return new Error(`mona ${how}\n--- output ---\n${stdout}${stderr}\n--- program ---\n${excerpt}`);
}

/** Runs `mona -xw` on a program and parses the automaton it prints. */
export function runMona(program: string, options: RunMonaOptions = {}): MonaRun {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const file = programFile(program);
  try {
    const start = performance.now();
    const result = spawnSync("mona", ["-xw", file], { encoding: "utf8", timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
    const milliseconds = performance.now() - start;
    if (result.error !== undefined) {
      if ((result.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(NOT_INSTALLED);
      if ((result.error as NodeJS.ErrnoException).code !== "ETIMEDOUT") throw result.error;
    }
    if (result.status !== 0) throw failure(program, result.status, result.signal, result.stdout ?? "", result.stderr ?? "", timeoutMs);
    return { dfa: parseMonaDfa(result.stdout), milliseconds };
  } finally {
    rmSync(file, { force: true });
  }
}

/** `runMona` with an asynchronous child process, so that several can run at once. */
export function runMonaAsync(program: string, options: RunMonaOptions = {}): Promise<MonaRun> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const file = programFile(program);
  return new Promise<MonaRun>((resolve, reject) => {
    const start = performance.now();
    const child = spawn("mona", ["-xw", file], { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new Error(NOT_INSTALLED) : error));
    child.on("close", (status, signal) => {
      const milliseconds = performance.now() - start;
      const out = Buffer.concat(stdout).toString("utf8");
      if (status !== 0) {
        reject(failure(program, status, signal, out, Buffer.concat(stderr).toString("utf8"), timeoutMs));
        return;
      }
      try {
        resolve({ dfa: parseMonaDfa(out), milliseconds });
      } catch (error) {
        reject(error);
      }
    });
  }).finally(() => rmSync(file, { force: true }));
}
