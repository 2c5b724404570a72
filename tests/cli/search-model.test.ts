import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureModel } from "../../src/models/build.js";
import { cli } from "../support/cli.js";

const MAZE = join("examples", "search-maze.ts");
const LOOKAHEAD = join("examples", "search-strategy.ts");

beforeAll(async () => {
  await ensureModel("qwen3-fitted");
}, 600_000);

interface BenchJson {
  command: string;
  model?: { name: string; bytes: number; sha256: string; device: string; threads: number; roles: string[]; chatTemplate: string };
  roles: Record<string, Record<string, string>>;
  parameters: Record<string, Record<string, unknown>>;
  episodes: { env: string; strategy: string; budget: number; byRole?: Record<string, { calls: number; generatedTokens: number; evaluatedTokens: number; ms: number }> }[];
}

describe("bench and plan with a model in several roles, user modules and strategy parameters", () => {
  it("runs a user's environment and strategy with the model as policy and value, and records the model, the roles and their costs", async () => {
    const out = mkdtempSync(join(tmpdir(), "ltlguard-bench-model-"));
    const r = await cli(
      "bench", "--env-module", MAZE, "--strategy-module", LOOKAHEAD, "--strategy", "greedy", "--roles", "policy,value",
      "--budget", "6", "--seeds", "1", "--tasks", "1", "--param", "k=2,samples=2", "--out", out,
    );
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "search.json"), "utf8")) as BenchJson;
    expect(json.command).toContain("--roles policy,value");
    expect(json.command).toContain("--env-module examples/search-maze.ts");
    expect(json.model).toMatchObject({ name: "qwen3-fitted.gguf", device: "cpu", threads: 1, roles: ["policy", "value"], chatTemplate: "gguf" });
    expect(json.model!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.roles["maze"]).toMatchObject({ policy: "model-policy", value: "model-value", "world-model": "none" });
    expect(json.parameters).toEqual({ greedy: { samples: 2 }, lookahead: { k: 2, samples: 2 } });
    const lookahead = json.episodes.find((e) => e.strategy === "lookahead")!;
    expect(lookahead.byRole?.["policy"]?.calls).toBeGreaterThan(0);
    expect(lookahead.byRole?.["value"]?.calls).toBeGreaterThan(0);
    // Every call is on the budget, and only the model's roles evaluate tokens.
    for (const e of json.episodes) {
      const calls = Object.values(e.byRole ?? {}).reduce((n, c) => n + c.calls, 0);
      expect(calls).toBeLessThanOrEqual(e.budget);
      expect(e.byRole?.["policy"]?.evaluatedTokens).toBeGreaterThan(0);
    }
    const md = readFileSync(join(out, "search.md"), "utf8");
    expect(md).toMatch(/Model: `qwen3-fitted\.gguf` \(44,994,944 bytes, SHA-256 [0-9a-f]{16}…\), on cpu, 1 thread/);
    expect(md).toContain("| maze | model-policy | model-value | none | none | none |");
    expect(md).toMatch(/## Cost per role\n\n\| environment \| strategy \| role/);
    expect(md).toMatch(/\| maze \| lookahead \| value \| 1 \|/);
  }, 240_000);

  it("plan runs one episode of a module environment with a module strategy", async () => {
    const r = await cli("plan", "--env-module", MAZE, "--strategy-module", LOOKAHEAD, "--task", "maze-2", "--budget", "40", "--param", "k=4");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/lookahead on maze\/maze-2: (success|failure)/);
    expect(r.out).toMatch(/by role: policy \d+ calls/);
    const list = await cli("plan", "--env-module", MAZE, "--list-tasks");
    expect(list.out.split("\n").filter((l) => l.startsWith("maze-"))).toHaveLength(3);
  }, 60_000);

  it("bad options and modules are clear errors (exit 2, no stack trace)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ltlguard-bad-modules-"));
    const noPolicy = join(dir, "no-policy.mjs");
    writeFileSync(
      noPolicy,
      `const environment = { name: "x", reversible: true, initial: () => 0, legalActions: () => [], step: async (s) => ({ state: s, done: true }), stateKey: String, actionKey: String, describe: String };
       export default { name: "x", tasks: () => [{ id: "t", environment, judge: () => ({ success: true, score: 1 }) }] };`,
    );
    const cases: [string[], RegExp][] = [
      [["bench", "--env-module", join(dir, "missing.ts")], /missing\.ts: no such file/],
      [["bench", "--env-module", noPolicy, "--strategy", "greedy"], /no-policy\.mjs: the environment brings no policy: export `policy\(task, seed\)`, or let the model play it/],
      [["bench", "--env-module", noPolicy, "--strategy", "greedy", "--roles", "value"], /no-policy\.mjs: task 't': its environment has no 'text'/],
      [["bench", "--env", "game24", "--strategy", "best-first", "--param", "zz=3"], /--param zz: no chosen strategy takes 'zz'; they take: branching, b, /],
      [["bench", "--env", "game24", "--strategy", "best-first", "--param", "b=many"], /--param b expects a whole number/],
      [["bench", "--env", "game24", "--strategy", "mcts", "--param", "bfs.k=2"], /--param bfs\.k: 'bfs' is not among the strategies run/],
      [["bench", "--env", "game24", "--roles", "oracle"], /--roles: unknown role 'oracle'; roles: policy, value, world-model, critic, clusterer/],
      [["bench", "--env", "game24", "--scoring", "vibes"], /--scoring expects sampled or probabilities/],
      [["bench", "--env", "game24", "--model", join(dir, "m.gguf"), "--roles", "none"], /--model is given but --roles names no role for it/],
      [["bench", "--env", "game24", "--strategy-module", join(dir, "missing.mjs")], /missing\.mjs: no such file/],
      [["plan", "--task", "x"], /plan runs on one environment: give --env <name> or one --env-module <file>/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});
