/** The machine a decoder benchmark ran on, and the GBNF grammar of a decoder's automaton for llama.cpp. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LlamaGrammarEvaluationState, type LlamaGrammar } from "node-llama-cpp";
import { ConstrainedDecoder } from "../../src/decoder/decoder.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { outputToGbnf } from "../../src/grammars/output-gbnf.js";
import { ROOT, r3 } from "./decoder-settings.js";

// ---------------------------------------------------------------------------------------------
// Main

export interface GrammarInfo {
  chars: number;
  rules: number;
  build_ms: number;
  create_ms: number;
  /** The first LlamaGrammarEvaluationState (llama.cpp parses the grammar here). */
  first_state_ms: number;
}

export async function grammarFor(backend: LlamaBackend, decoder: ConstrainedDecoder): Promise<{ grammar: LlamaGrammar; info: GrammarInfo }> {
  const t0 = performance.now();
  const text = outputToGbnf(decoder.automaton);
  const t1 = performance.now();
  const grammar = await backend.llama.createGrammar({ grammar: text });
  const t2 = performance.now();
  new LlamaGrammarEvaluationState({ model: backend.model, grammar });
  const t3 = performance.now();
  const rules = text.split("\n").filter((line) => /^[A-Za-z0-9-]+\s*::=/.test(line)).length;
  return { grammar, info: { chars: text.length, rules, build_ms: r3(t1 - t0), create_ms: r3(t2 - t1), first_state_ms: r3(t3 - t2) } };
}

export function machine(): Record<string, string | number> {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line !== undefined) cpu = line.split(":")[1]!.trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  const version = (file: string): string => {
    try {
      return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
      return "unknown";
    }
  };
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    if (dirty) commit += " (src/ with uncommitted changes)";
  } catch {
    // not a git checkout
  }
  return {
    cpu,
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    node_llama_cpp: version(join(ROOT, "node_modules", "node-llama-cpp", "package.json")),
    platform: `${process.platform} ${process.arch}`,
    commit,
    llama_threads: 1,
    load_average_at_start: loadavg().map((x) => x.toFixed(2)).join(" "),
    date: new Date().toISOString().slice(0, 10),
  };
}
