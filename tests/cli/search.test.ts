import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../support/cli.js";

describe("ltlguard bench", () => {
  it("runs a small grid with progress, and writes JSON, a table and success-vs-budget plots", async () => {
    const out = mkdtempSync(join(tmpdir(), "ltlguard-bench-"));
    const r = await cli("bench", "--env", "game24,sorting-32", "--strategy", "greedy,astar,mcts,got", "--budget", "8,32", "--seeds", "2", "--tasks", "3", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/\[#+\.*\] \d+\/\d+ episodes/);
    const json = JSON.parse(readFileSync(join(out, "search.json"), "utf8")) as { cells: { env: string; strategy: string; budget: number; episodes: number }[]; skipped: string[] };
    expect(json.cells.some((c) => c.env === "game24" && c.strategy === "astar" && c.budget === 32 && c.episodes === 6)).toBe(true);
    expect(json.cells.some((c) => c.env === "sorting-32" && c.strategy === "got")).toBe(true);
    expect(json.skipped).toContain("got on game24");
    expect(readFileSync(join(out, "search.md"), "utf8")).toMatch(/\| astar \| 32 \| 6 \| \d+\.\d% \[/);
    expect(readFileSync(join(out, "search.svg"), "utf8")).toContain("<svg");
  }, 60_000);

  it("refuses unknown environments, strategies and policies", async () => {
    expect((await cli("bench", "--env", "chess")).err).toMatch(/unknown environment 'chess'; known: tool-planning, game24/);
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
    expect(r.err).toMatch(/has no task 'nope' \(tasks: .*, … \d+ in all\)/);
  });
});
