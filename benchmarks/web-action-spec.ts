/**
 * The per-step cost of the web action constraint: at every step the allowed actions change (the
 * page's ids, its selects' options, its text fields, and what the policy allows now), so the
 * action language, its byte automaton and its token masks are built again. Measured on generated
 * pages of 50 to 500 interactive elements, with each site's policy and with none, on the Qwen3
 * vocabulary (151,936 tokens) of the project's fitted model, which also writes the action.
 *
 *   npm run bench:web-action-spec -- [--sizes 50,100,250,500] [--steps N] [--out DIR]
 *
 * Writes DIR/web-action-spec.json and .md (DIR defaults to benchmarks/results).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LlamaBackend } from "../src/decoder/llama.js";
import { ConstrainedDecoder } from "../src/decoder/decoder.js";
import { compileSpec } from "../src/ltl/analysis.js";
import { parseSpec } from "../src/ltl/spec.js";
import { ensureModel } from "../src/models/build.js";
import { parseHtml } from "../src/envs/web/dom/html-parser.js";
import { observe, type WebObservation } from "../src/envs/web/drivers/driver.js";
import { ActionLanguageBuilder } from "../src/envs/web/policy/language.js";
import { PolicyMonitor } from "../src/envs/web/policy/monitor.js";
import { loadWebPolicyFile, permissivePolicy, type WebPolicy } from "../src/envs/web/policy/spec.js";
import { WebActionDecoder } from "../src/envs/web/policy/step-decoder.js";
import { webPolicyPath } from "../src/envs/web/injection/suite.js";
import { syntheticPage } from "../src/envs/web/sites/synthetic.js";
import { commit, machine, median, parseOptions, quantile, ROOT } from "./web-common.js";

const USAGE = "usage: tsx benchmarks/web-action-spec.ts [--sizes 50,100,250,500] [--steps N] [--out DIR]";

interface Cell {
  readonly elements: number;
  readonly nodes: number;
  readonly policy: string;
  readonly steps: number;
  readonly buildMs: number;
  readonly composeMs: number;
  readonly indexMs: number;
  readonly deadEndMs: number;
  readonly maskMs: number;
  /** The whole constraint update: build + compose + index + dead ends + masks while decoding. */
  readonly totalMs: number;
  readonly totalP90Ms: number;
  readonly firstStepMs: number;
  readonly decodeMs: number;
  readonly states: number;
  readonly tokens: number;
  /** Rebuilding a whole decoder per step from spec text (the ids as a regex), no policy. */
  readonly rebuildMs?: number;
}

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), USAGE, { sizes: "value", steps: "value", out: "value" });
  const sizes = String(args.sizes ?? "50,100,250,500").split(",").map(Number);
  const steps = Number(args.steps ?? 12);
  const out = typeof args.out === "string" ? resolve(args.out) : join(ROOT, "benchmarks", "results");
  const backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-fitted"), threads: 1, sequences: 1, contextSize: 8192 });
  const decoder = new WebActionDecoder(backend);
  const policies: [string, WebPolicy][] = [
    ["none", permissivePolicy()],
    ["web-shop", loadWebPolicyFile(webPolicyPath("shop"))],
    ["web-flights", loadWebPolicyFile(webPolicyPath("flights"))],
    ["web-wiki", loadWebPolicyFile(webPolicyPath("wiki"))],
  ];
  const cells: Cell[] = [];
  const started = performance.now();
  for (const n of sizes) {
    const pages: WebObservation[] = Array.from({ length: steps }, (_, i) => observe(parseHtml(syntheticPage(n, 1000 * n + i)), `http://127.0.0.1:4000/page/${i}`, 0, undefined));
    for (const [name, policy] of policies) {
      const builder = new ActionLanguageBuilder(policy);
      const monitor = new PolicyMonitor(policy);
      const rows: { build: number; compose: number; index: number; dead: number; mask: number; decode: number; states: number; tokens: number }[] = [];
      for (const [i, page] of pages.entries()) {
        const t0 = performance.now();
        const language = builder.build(monitor.allowed(), page);
        const build = performance.now() - t0;
        const { index, timings } = decoder.prepare(language);
        const prompt = `OBJECTIVE: buy a red cotton shirt\nOBSERVATION:\n${page.treeText.slice(0, 4000)}\n`;
        const output = await decoder.generate(index, prompt, { seed: i, temperature: 1 }, 64);
        rows.push({ build, compose: timings.composeMs, index: timings.indexMs, dead: timings.deadEndMs, mask: output.maskMs, decode: output.decodeMs, states: timings.states, tokens: output.tokens });
        process.stderr.write(`${n} elements, ${name}, step ${i + 1}/${steps}: ${(build + timings.composeMs + timings.indexMs + timings.deadEndMs + output.maskMs).toFixed(1)} ms, ${JSON.stringify(output.action).slice(0, 60)}\n`);
      }
      const totals = rows.map((r) => r.build + r.compose + r.index + r.dead + r.mask);
      const steady = rows.slice(1);
      const steadyTotals = totals.slice(1);
      let rebuildMs: number | undefined;
      if (name === "none") {
        const times: number[] = [];
        for (const [i, page] of pages.slice(0, 4).entries()) {
          const t0 = performance.now();
          const d = ConstrainedDecoder.create(compileSpec(parseSpec(rebuildSpec(page), { file: "<rebuild>" })), backend, { precompute: false });
          const created = performance.now() - t0;
          const generation = d.start(`OBJECTIVE: buy a red cotton shirt\nOBSERVATION:\n${page.treeText.slice(0, 4000)}\n`, { seed: i, temperature: 1 });
          generation.maskMicros = [];
          await generation.run({ maxTokens: 64 });
          await generation.dispose();
          times.push(created + generation.maskMicros.reduce((a, b) => a + b, 0) / 1000);
        }
        rebuildMs = median(times);
      }
      cells.push({
        elements: n,
        nodes: pages[0]!.tree.nodes.length,
        policy: name,
        steps,
        buildMs: median(steady.map((r) => r.build)),
        composeMs: median(steady.map((r) => r.compose)),
        indexMs: median(steady.map((r) => r.index)),
        deadEndMs: median(steady.map((r) => r.dead)),
        maskMs: median(steady.map((r) => r.mask)),
        totalMs: median(steadyTotals),
        totalP90Ms: quantile(steadyTotals, 0.9),
        firstStepMs: totals[0]!,
        decodeMs: median(steady.map((r) => r.decode)),
        states: median(rows.map((r) => r.states)),
        tokens: median(rows.map((r) => r.tokens)),
        ...(rebuildMs !== undefined ? { rebuildMs } : {}),
      });
    }
  }
  await backend.dispose();
  const json = { generated: new Date().toISOString(), commit: commit(), machine: machine(), ms: Math.round(performance.now() - started), sizes, steps, vocabulary: backend.vocabulary.size, cells };
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "web-action-spec.json"), JSON.stringify(json, null, 2) + "\n");
  writeFileSync(join(out, "web-action-spec.md"), markdown(json));
  process.stderr.write(`wrote ${join(out, "web-action-spec.json")} and .md\n`);
}

/** The naive alternative: the step's actions as a spec, compiled into a new decoder (no policy). */
function rebuildSpec(page: WebObservation): string {
  const ids = [...page.visibleIds].filter((id) => page.tree.elements.has(id));
  const typeIds = ids.filter((id) => page.tree.elements.get(id)!.editable);
  const alternatives = [`click \\[(${ids.join("|")})\\]`, `type \\[(${typeIds.join("|")})\\] \\[[^\\]\\n]{0,120}\\] \\[[01]\\]`, "scroll \\[(up|down)\\]", "go_back", "stop \\[[^\\]\\n]{0,120}\\]"];
  return `events action\nsegment action "ACTION: " matching /${alternatives.join("|")}/ end "\\n"\nlast\n`;
}

const f = (ms: number | undefined) => (ms === undefined ? "" : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

function markdown(json: { generated: string; commit: string; machine: string; ms: number; steps: number; vocabulary: number; cells: readonly Cell[] }): string {
  const lines = ["# The web action constraint: per-step cost", ""];
  lines.push(`Reproduce with \`npm run bench:web-action-spec\` (${(json.ms / 1000).toFixed(0)} s). ${json.machine}; ltlguard at ${json.commit}; ${json.generated.slice(0, 10)}.`, "");
  lines.push(
    `Every step builds the language of the actions allowed on the page (ids of its elements, text fields for \`type\`, each select's options, under the policy's current state), composes its byte automaton, indexes its masks for the ${json.vocabulary.toLocaleString("en-US")}-token Qwen3 vocabulary and checks it has no dead end; the fitted tiny model then writes one action, and the masks of the states it visits are computed (free-text masks are kept across steps). Generated pages (\`syntheticPage\`); ${json.steps} steps per cell, medians over steps 2–${json.steps} (the first step, which also builds the cached free-text automata, is reported apart). Times in ms.`,
    "",
  );
  lines.push("| interactive elements | tree nodes | policy | build language | compose | index | dead-end check | masks while decoding | **total per step** | p90 | first step | automaton states | model decode (not constraint) | rebuild a decoder per step (no policy) |");
  lines.push("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const c of json.cells) {
    lines.push(`| ${c.elements} | ${c.nodes} | ${c.policy} | ${f(c.buildMs)} | ${f(c.composeMs)} | ${f(c.indexMs)} | ${f(c.deadEndMs)} | ${f(c.maskMs)} | **${f(c.totalMs)}** | ${f(c.totalP90Ms)} | ${f(c.firstStepMs)} | ${c.states} | ${f(c.decodeMs)} | ${f(c.rebuildMs)} |`);
  }
  lines.push("");
  lines.push(
    "*Rebuild a decoder per step*: the alternative design, a spec whose action segment lists the page's ids in a regular expression, parsed, compiled and turned into a `ConstrainedDecoder` at every step (masks on first use, their time while decoding included); without a policy, since free-text tests need automaton operations a regex cannot spell.",
    "",
  );
  return lines.join("\n");
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
