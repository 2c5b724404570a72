/**
 * The two web drivers side by side: milliseconds per step of the reference plans on the three
 * sites, with the fast driver (HTTP and an HTML parser) and with Chromium (playwright-core), and
 * the cost of backtracking by reset and replay (a new session and browser context, then the
 * path's actions again), which is what search on the web pays instead of branching.
 *
 *   npm run bench:web-drivers -- [--tasks N|all] [--out DIR]
 *
 * `--tasks N` (default 10) runs N tasks per site without client-side JavaScript on both drivers;
 * `--tasks all` runs every task's plan, the JavaScript ones on Chromium only.
 * Writes DIR/web-drivers.json and .md (DIR defaults to benchmarks/results).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PlanAgent, WebRun, type DriverKind } from "../src/envs/web/episode.js";
import { WebEnvironment } from "../src/envs/web/environment.js";
import { formatAction } from "../src/envs/web/actions.js";
import { resolveStep, type WebTask } from "../src/envs/web/tasks/index.js";
import { commit, machine, median, parseOptions, quantile, ROOT } from "./web-common.js";

const USAGE = "usage: tsx benchmarks/web-drivers.ts [--tasks N|all] [--out DIR]";

interface DriverRow {
  readonly driver: DriverKind;
  readonly site: string;
  readonly episodes: number;
  readonly steps: number;
  readonly msPerStep: number;
  readonly meanMsPerStep: number;
  readonly p90: number;
  readonly startMs: number;
  readonly success: number;
}

interface ReplayRow {
  readonly driver: DriverKind;
  readonly prefix: number;
  /** Backtracking to a state `prefix` steps deep: reset, then the replayed steps. */
  readonly backtrackMs: number;
  readonly replayedSteps: number;
  readonly replayMsPerStep: number;
}

async function main(): Promise<void> {
  const args = parseOptions(process.argv.slice(2), USAGE, { tasks: "value", out: "value" });
  const all = args.tasks === "all";
  const perSite = all ? Infinity : Number(args.tasks ?? 10);
  const out = typeof args.out === "string" ? resolve(args.out) : join(ROOT, "benchmarks", "results");
  const started = performance.now();
  const rows: DriverRow[] = [];
  const replays: ReplayRow[] = [];
  for (const driver of ["fast", "browser"] as const) {
    const run = await WebRun.start({ driver, seed: 1 });
    try {
      for (const site of ["shop", "flights", "wiki"] as const) {
        const tasks = all
          ? run.tasks.bySite(site).filter((t) => driver === "browser" || !t.requiresBrowser)
          : run.tasks.bySite(site).filter((t) => !t.requiresBrowser).filter((_, i) => i % 7 === 0).slice(0, perSite);
        const stepMs: number[] = [];
        const startMs: number[] = [];
        let success = 0;
        for (const task of tasks) {
          const t0 = performance.now();
          const record = await run.episode(task, new PlanAgent());
          const stepsTotal = record.steps.reduce((s, x) => s + x.ms, 0);
          startMs.push(record.ms - stepsTotal);
          stepMs.push(...record.steps.map((s) => s.ms));
          if (record.evaluation?.success) success++;
          process.stderr.write(`${driver} ${task.id}: ${record.steps.length} steps, ${(performance.now() - t0).toFixed(0)} ms\n`);
        }
        rows.push({ driver, site, episodes: tasks.length, steps: stepMs.length, msPerStep: median(stepMs), meanMsPerStep: stepMs.reduce((a, b) => a + b, 0) / Math.max(1, stepMs.length), p90: quantile(stepMs, 0.9), startMs: median(startMs), success });
      }
      // Backtracking: bring the environment to a state `prefix` steps deep after it moved elsewhere.
      const task = run.tasks.tasks.find((t) => t.family === "book-cheapest-nonstop")!;
      for (const prefix of [2, 4, 8]) {
        const times: number[] = [];
        let replayed = 0;
        for (let repeat = 0; repeat < 3; repeat++) {
          const env = await WebEnvironment.create(run, task);
          const states = await walk(env, task, prefix);
          const target = states[prefix]!;
          await env.step(states[1]!, "scroll [down]"); // move the live episode elsewhere
          const before = env.replay;
          const t0 = performance.now();
          await env.step(target, "scroll [down]");
          times.push(performance.now() - t0);
          replayed = env.replay.replayedSteps - before.replayedSteps;
          await env.close();
        }
        const ms = median(times);
        replays.push({ driver, prefix, backtrackMs: ms, replayedSteps: replayed, replayMsPerStep: ms / Math.max(1, replayed) });
        process.stderr.write(`${driver} backtrack ${prefix} steps deep: ${ms.toFixed(0)} ms\n`);
      }
    } finally {
      await run.close();
    }
  }
  const json = { generated: new Date().toISOString(), commit: commit(), machine: machine(), ms: Math.round(performance.now() - started), rows, replays };
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "web-drivers.json"), JSON.stringify(json, null, 2) + "\n");
  writeFileSync(join(out, "web-drivers.md"), markdown(json));
  process.stderr.write(`wrote ${join(out, "web-drivers.json")} and .md\n`);
}

/** The states along the reference plan, `depth` steps deep. */
async function walk(env: WebEnvironment, task: WebTask, depth: number) {
  const states = [env.initial()];
  for (const step of task.plan.slice(0, depth)) {
    const state = states.at(-1)!;
    const action = resolveStep(step, state.observation, new URL(state.observation.url).origin);
    if (action === undefined) throw new Error(`${task.id}: the plan does not fit`);
    states.push((await env.step(state, formatAction(action))).state);
  }
  return states;
}

function markdown(json: { generated: string; commit: string; machine: string; ms: number; rows: readonly DriverRow[]; replays: readonly ReplayRow[] }): string {
  const f = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
  const lines = ["# Web drivers: the fast driver and Chromium", ""];
  lines.push(`Reproduce with \`npm run bench:web-drivers\` (${(json.ms / 1000).toFixed(0)} s). ${json.machine}; ltlguard at ${json.commit}; ${json.generated.slice(0, 10)}.`, "");
  lines.push("The reference plans of the tasks (with `--tasks all`: every task, those that need JavaScript on Chromium only; otherwise a sample without JavaScript), both drivers against the same local sites; a step is the action and the observation after it (the accessibility tree computed from the DOM). Times in ms. Steps that load no page (typing, choosing an option) cost the fast driver almost nothing, so its median is low; the mean includes the page loads.", "");
  lines.push("| driver | site | episodes | steps | median ms per step | mean | p90 | episode start (context, session, first page) | plans solved |");
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of json.rows) lines.push(`| ${r.driver} | ${r.site} | ${r.episodes} | ${r.steps} | ${f(r.msPerStep)} | **${f(r.meanMsPerStep)}** | ${f(r.p90)} | ${f(r.startMs)} | ${r.success}/${r.episodes} |`);
  const ratio = (site: string) => {
    const b = json.rows.find((r) => r.driver === "browser" && r.site === site)!;
    const fa = json.rows.find((r) => r.driver === "fast" && r.site === site)!;
    return (b.meanMsPerStep / fa.meanMsPerStep).toFixed(0);
  };
  lines.push("", `On the mean, Chromium takes ${["shop", "flights", "wiki"].map((s) => `${ratio(s)}×`).join(", ")} the fast driver's time per step (shop, flights, wiki).`, "");
  lines.push("## Backtracking by reset and replay", "");
  lines.push("A search state `prefix` steps deep is reached again after the live episode moved elsewhere: a new site session and driver (a new browser context), then the prefix's actions (counted as replayed steps, apart from new ones), then one new step.", "");
  lines.push("| driver | prefix | backtrack + step (ms) | replayed steps | ms per replayed step (reset included) |");
  lines.push("| --- | ---: | ---: | ---: | ---: |");
  for (const r of json.replays) lines.push(`| ${r.driver} | ${r.prefix} | ${f(r.backtrackMs)} | ${r.replayedSteps} | ${f(r.replayMsPerStep)} |`);
  lines.push("");
  return lines.join("\n");
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
