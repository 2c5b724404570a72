import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cli } from "../support/cli.js";

const BIN = fileURLToPath(new URL("../../bin/ltlguard.js", import.meta.url));

/** Runs the built command in a folder of its own (the default output folder is relative to it). */
function cliIn(cwd: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe("ltlguard bench", () => {
  it("runs a small grid with progress, and writes JSON, a table and success-vs-budget plots", async () => {
    const out = mkdtempSync(join(tmpdir(), "ltlguard-bench-"));
    const r = await cli("bench", "--env", "game24,sorting-32", "--strategy", "greedy,astar,mcts,got", "--budget", "8,32", "--seeds", "2", "--tasks", "3", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/\[#+\.*\] \d+\/\d+ searches/);
    const json = JSON.parse(readFileSync(join(out, "search.json"), "utf8")) as { cells: { env: string; strategy: string; budget: number; episodes: number }[]; skipped: string[] };
    expect(json.cells.some((c) => c.env === "game24" && c.strategy === "astar" && c.budget === 32 && c.episodes === 6)).toBe(true);
    expect(json.cells.some((c) => c.env === "sorting-32" && c.strategy === "got")).toBe(true);
    expect(json.skipped).toContain("got on game24");
    expect(readFileSync(join(out, "search.md"), "utf8")).toMatch(/\| astar \| 32 \| 6 \| \d+\.\d% \[/);
    expect(readFileSync(join(out, "search.svg"), "utf8")).toContain("<svg");
    expect(readFileSync(join(out, "search-costs.svg"), "utf8")).toContain("vs wall time");
    expect(readFileSync(join(out, "search.md"), "utf8")).toContain("budget needed to reach a success level");
  }, 60_000);

  it("writes to a new folder under bench-results/ unless --out says otherwise, never over the checked-in results", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "ltlguard-bench-cwd-"));
    const r = await cliIn(cwd, "bench", "--env", "game24", "--strategy", "greedy", "--budget", "8", "--seeds", "1", "--tasks", "1");
    expect(r.code, r.err).toBe(0);
    const written = readdirSync(join(cwd, "bench-results"));
    expect(written).toHaveLength(1);
    expect(readdirSync(join(cwd, "bench-results", written[0]!))).toContain("search.json");
    expect(existsSync(join(cwd, "benchmarks"))).toBe(false);
  }, 60_000);

  it("refuses sizes it cannot hold, up front, and a grid where nothing can run, saying why (exit 2)", async () => {
    const big = await cli("bench", "--env", "game24", "--strategy", "greedy", "--seeds", "100000000", "--tasks", "100000000");
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/--seeds and --tasks may be at most/);
    const wide = await cli("bench", "--env", "game24", "--strategy", "greedy", "--seeds", "200", "--tasks", "1362", "--budget", "8");
    expect(wide.code).toBe(2);
    expect(wide.err).toMatch(/the grid would run 272,400 searches \(at most 200,000\)/);
    const none = await cli("bench", "--env", "game24", "--strategy", "got", "--budget", "8", "--seeds", "1", "--tasks", "1", "--out", mkdtempSync(join(tmpdir(), "ltlguard-none-")));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/nothing to run: no strategy given is meaningful for the environments given \(got on game24\)/);
  }, 60_000);

  it("refuses unknown environments, strategies and policies", async () => {
    expect((await cli("bench", "--env", "chess")).err).toMatch(/unknown environment 'chess'; known: tool-planning, tool-planning-live, tool-planning-unseen, game24/);
    expect((await cli("bench", "--strategy", "magic")).err).toMatch(/unknown strategy 'magic'/);
    expect((await cli("bench", "--policy", "oracle")).err).toMatch(/--policy expects simulated or llama/);
  });
});

describe("ltlguard plan", () => {
  it("runs one episode, prints the tree and the plan, and draws it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ltlguard-plan-"));
    const svg = join(dir, "tree.svg");
    const json = join(dir, "tree.json");
    const r = await cli("plan", "--env", "game24", "--task", "g24-0100", "--strategy", "astar", "--budget", "64", "--svg", svg, "--json", json);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^\*#0 \(start\)/);
    expect(r.out).toMatch(/astar on game24\/g24-0100: (success|failure)/);
    expect(r.out).toMatch(/spent: \d+ model calls/);
    expect(readFileSync(svg, "utf8")).toContain("<svg");
    const episode = JSON.parse(readFileSync(json, "utf8")) as { tree: unknown[]; strategy: string };
    expect(episode.strategy).toBe("astar");
    expect(episode.tree.length).toBeGreaterThan(1);
  }, 60_000);

  it("names the tasks when the id is wrong", async () => {
    const r = await cli("plan", "--env", "tool-planning", "--task", "nope");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/has no task 'nope' \(tasks: .*, … \d+ in all; --list-tasks lists them\)/);
  });

  it("lists an environment's tasks with their goals, one per line", async () => {
    for (const env of ["game24", "tool-planning", "tool-planning-live", "sorting-64"]) {
      const r = await cli("plan", "--env", env, "--list-tasks");
      expect(r.code, r.err).toBe(0);
      const lines = r.out.trim().split("\n");
      expect(lines.length).toBeGreaterThan(10);
      for (const line of lines) expect(line).toMatch(/^\S+\t\S.*$/);
    }
    const tools = await cli("plan", "--env", "tool-planning", "--list-tasks");
    expect(tools.out).toMatch(/^tool-home-\d{3}\t(Find|Save|Contact) .*\.$/m);
  }, 60_000);

  it("says which of the strategy's own limits stopped it when the budget did not", async () => {
    const r = await cli("plan", "--env", "sorting-32", "--task", "sorting-32-1", "--strategy", "greedy", "--budget", "100000000");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/stop: (done|exhausted-frontier|limit \(maxSteps = 50\))/);
    expect(r.out).not.toMatch(/stop: budget/);
  }, 60_000);
});
