import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli.js";

const REPO = join(import.meta.dirname, "..", "..");
const REACT = join(REPO, "specs", "react.ltl");
const REACT_TRACE = "question; thought; action; action_input; observation; final_thought; answer";


let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ltlguard-cli-"));
});

function specFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("ltlguard check", () => {
  it("accepts a ReAct trace with exit code 0", async () => {
    const r = await cli("check", REACT, "--trace", REACT_TRACE);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^accepted/);
  });

  it("rejects at the first step after which nothing can be accepted, and says what was allowed", async () => {
    const r = await cli("check", REACT, "--trace", "question; thought; action; observation; final_thought; answer");
    expect(r.code).toBe(1);
    expect(r.out).toContain("rejected at step 4 (observation)");
    expect(r.out).toContain("allowed at step 4: action_input");
  });

  it("rejects a trace that stops too early, saying how it could go on", async () => {
    const r = await cli("check", REACT, "--trace", "question; thought; action; action_input; observation");
    expect(r.code).toBe(1);
    expect(r.out).toContain("ends after step 5 (observation)");
    expect(r.out).toContain("thought, final_thought");
  });

  it("prints a JSON verdict", async () => {
    const r = await cli("check", "--formula", "G(a -> X b)", "--trace", "a; !b", "--json").catch(() => undefined);
    // `!b` is not an atom name: the trace syntax lists the atoms that hold, so this is a bad trace.
    expect(r?.code).toBe(2);
    const ok = await cli("check", "--formula", "G(a -> X b)", "--trace", "a; {}", "--json");
    expect(ok.code).toBe(1);
    const verdict = JSON.parse(ok.out);
    expect(verdict).toMatchObject({ accepted: false, reason: "dead", failedAt: 1, steps: 2 });
  });

  it("checks propositional traces with several atoms per step and empty steps", async () => {
    expect((await cli("check", "--formula", "G(a -> X b) & F c", "--trace", "a; b,c; {}")).code).toBe(0);
    expect((await cli("check", "--formula", "G(a -> X b) & F c", "--trace", "a; {b}")).code).toBe(1);
  });

  it("reports an unknown event in the trace at its column", async () => {
    const r = await cli("check", REACT, "--trace", "question; thougth");
    expect(r.code).toBe(2);
    expect(r.err).toContain("<trace>:1:11: error: unknown event 'thougth'");
    expect(r.err).toContain("           ^");
  });

  it("requires one event per step in events mode", async () => {
    const r = await cli("check", "--formula", "F a", "--events", "a,b", "--trace", "a b");
    expect(r.code).toBe(2);
    expect(r.err).toContain("exactly one event");
  });
});

describe("ltlguard compile", () => {
  it("writes the documented JSON", async () => {
    const r = await cli("compile", "--formula", "G(a -> X b)");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ format: "ltlguard-dfa", version: 2, mode: "propositional", atoms: ["a", "b"], states: 3, initial: 0 });
    expect(json.dead).toEqual([2]);
    // From state 1 (an `a` was read), a letter without b leads to the dead state 2.
    const step = (state: number, holds: (atom: number) => boolean): number => {
      let r = json.next[state] as number;
      while (r >= 0) r = holds(json.nodes[r][0]) ? json.nodes[r][2] : json.nodes[r][1];
      return -r - 1;
    };
    expect(step(1, () => false)).toBe(2);
    expect(step(1, (atom) => atom === 1)).not.toBe(2);
    expect(r.err).toMatch(/compiled G\(a -> X b\): 3 states, 2 atoms/);
  });

  it.each(["dot", "hoa", "svg", "mona"])("writes %s atomically to a file", async (format) => {
    const out = join(dir, `react.${format}`);
    writeFileSync(out, "old content");
    const r = await cli("compile", REACT, "--format", format, "-o", out);
    expect(r.code).toBe(0);
    const text = readFileSync(out, "utf8");
    const head = { dot: "digraph dfa {", hoa: "HOA: v1", svg: "<?xml", mona: "m2l-str;" }[format]!;
    expect(text.startsWith(head)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("leaves nothing half-written when the output cannot be written", async () => {
    const r = await cli("compile", REACT, "-o", join(dir, "no", "such", "dir", "out.json"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("cannot write");
    expect(existsSync(join(dir, "no"))).toBe(false);
  });

  it("reports syntax errors with file:line:col, the line and a caret", async () => {
    const file = specFile("bad.ltl", "atoms a, b\nG(a -> X b\n");
    const r = await cli("compile", file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:3:1: error: expected`);
  });

  it("reports an unknown atom with a suggestion", async () => {
    const file = specFile("typo.ltl", "events thought, action\nG(thought -> X actoin)\n");
    const r = await cli("compile", file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:2:16: error: unknown event 'actoin' (did you mean 'action'?)`);
    expect(r.err).toContain("  G(thought -> X actoin)\n                 ^");
  });

  it("reports an undefined macro and a wrong argument count", async () => {
    const undefinedMacro = await cli("compile", specFile("m1.ltl", "atoms a\nrespond(a, a)\n"));
    expect(undefinedMacro.err).toContain("2:1: error: undefined macro 'respond'");
    const arity = await cli("compile", specFile("m2.ltl", "atoms a, b\ndefine respond(p, q) = G(p -> F q)\nrespond(a)\n"));
    expect(arity.err).toContain("3:1: error: macro 'respond' takes 2 arguments (p, q), got 1");
    expect(undefinedMacro.code).toBe(2);
    expect(arity.code).toBe(2);
  });

  it("reports an unsatisfiable spec with its conflicting formulas", async () => {
    const file = specFile("unsat.ltl", "atoms a, b\nF b\nX a & G(a -> X a)\n");
    const r = await cli("compile", file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:3:1: error: this formula is unsatisfiable`);
    const core = await cli("compile", specFile("unsat2.ltl", "atoms a, b\nG(a -> X b)\nF a\nG !b\n!b\n"));
    expect(core.err).toContain("these 3 formulas together");
    expect(core.err).toMatch(/:2:1: G\(a -> X b\)\n.*:3:1: F a\n.*:4:1: G !b/);
    expect(core.err).not.toContain(":5:1");
  });

  it("explains misuse without a stack trace", async () => {
    for (const args of [
      ["compile"],
      ["compile", REACT, "--formula", "a"],
      ["compile", REACT, "--format", "pdf"],
      ["compile", join(dir, "missing.ltl")],
      ["compile", "--formula", "a", "--atoms", "A,b"],
      ["compile", "--formula", "a", "--max-states", "zero"],
      ["frobnicate"],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err, args.join(" ")).not.toMatch(/\n\s+at /);
      expect(r.err.length, args.join(" ")).toBeGreaterThan(0);
    }
  });

  it("stops at --timeout with an explanation and shows progress while it works", async () => {
    const formula = Array.from({ length: 16 }, (_, i) => `G(a${i} -> F b${i})`).join(" & ");
    const started = performance.now();
    const r = await cli("compile", "--formula", formula, "--timeout", "3", "--max-states", "1000000");
    expect(r.code).toBe(3);
    expect(r.err).toContain("compiling took longer than the limit of 3 s");
    expect(r.err).toMatch(/compiling <formula>: ([\d,]+ of [\d,]+ states expanded|minimizing [\d,]+ states, round \d+, [\d,]+ classes), \d+ s/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it("stops at --max-states with an explanation", async () => {
    const r = await cli("compile", "--formula", "G(a0 -> F b0) & G(a1 -> F b1) & G(a2 -> F b2)", "--max-states", "4");
    expect(r.code).toBe(3);
    expect(r.err).toContain("exceeded the limit of 4 states");
  });
});

describe("the installed command", () => {
  const bin = join(REPO, "bin", "ltlguard.js");
  const built = existsSync(join(REPO, "dist", "cli", "main.js"));

  it.skipIf(!built)("runs from bin/ with the exit codes of the CLI", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: REPO });
    const accepted = run("check", "specs/react.ltl", "--trace", REACT_TRACE);
    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toMatch(/^accepted/);
    const rejected = run("check", "specs/react.ltl", "--trace", "question; answer");
    expect(rejected.status).toBe(1);
    const bad = run("compile", "--formula", "G(");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("<formula>:1:3: error: expected");
  });
});
