import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSpec } from "../../src/ltl/analysis.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { ensureModel } from "../../src/models/build.js";
import { choiceSpec, clusterSpec, verdictSpec, worldModelSpec } from "../../src/search/roles/index.js";
import { cli } from "../support/cli.js";

const ROOT = join(import.meta.dirname, "..", "..");
const DOC = readFileSync(join(ROOT, "docs", "search-api.md"), "utf8");

/** Every fenced block of the doc with the marker comment on the line before it. */
function blocks(): { marker: string; body: string }[] {
  const out: { marker: string; body: string }[] = [];
  const lines = DOC.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith("```")) continue;
    const end = lines.indexOf("```", i + 1);
    out.push({ marker: lines[i - 1] ?? "", body: lines.slice(i + 1, end).join("\n") + "\n" });
    i = end;
  }
  return out;
}

/** What each `<!-- spec: … -->` block must be: the spec the code generates. */
const SPECS: Record<string, string> = {
  "verdictSpec()": verdictSpec(),
  "verdictSpec(200)": verdictSpec(200),
  "worldModelSpec(300)": worldModelSpec(300),
  "clusterSpec(2)": clusterSpec(2),
  'choiceSpec(["up", "left"])': choiceSpec(["up", "left"]),
};

beforeAll(async () => {
  await ensureModel("qwen3-fitted");
}, 600_000);

describe("docs/search-api.md: every block is tested", () => {
  it("each block is an example file, a generated spec or a command, word for word", () => {
    const all = blocks();
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const { marker, body } of all) {
      const example = /^<!-- example: (\S+) -->$/.exec(marker);
      const spec = /^<!-- spec: (.+) -->$/.exec(marker);
      if (example !== null) expect(body, example[1]).toBe(readFileSync(join(ROOT, example[1]!), "utf8"));
      else if (spec !== null) {
        expect(SPECS[spec[1]!], spec[1]).toBeDefined();
        expect(body).toBe(SPECS[spec[1]!]);
        compileSpec(parseSpec(body, { file: spec[1]! }));
      } else expect(marker, `an untested block:\n${body}`).toBe("<!-- command -->");
    }
  });

  it("the command runs: the maze and the lookahead strategy through bench, with the model as policy and value", async () => {
    const command = blocks().find((b) => b.marker === "<!-- command -->")!.body.replace(/\\\n\s*/g, " ").trim();
    const args = command.split(/\s+/);
    expect(args.slice(0, 2)).toEqual(["npx", "ltlguard"]);
    const out = mkdtempSync(join(tmpdir(), "ltlguard-doc-bench-"));
    // As written, but on one task per seed (commander takes the last --tasks), to keep the suite quick.
    const r = await cli(...args.slice(2), "--tasks", "1", "--out", out);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "search.json"), "utf8")) as { roles: Record<string, Record<string, string>>; cells: { strategy: string }[] };
    expect(json.roles["maze"]).toMatchObject({ policy: "model-policy", value: "model-value" });
    expect(new Set(json.cells.map((c) => c.strategy))).toEqual(new Set(["greedy", "best-first", "lookahead"]));
  }, 300_000);

  it("the search API example runs from code", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "examples/search-api.ts"], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^maze-\d: (reached G|did not reach G) after \d+ moves; policy \d+ calls \(\d+ tokens evaluated\), value \d+ calls \(\d+ evaluated\)$/);
  }, 300_000);
});
