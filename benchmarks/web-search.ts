/**
 * Search on the web: greedy, best-first (Koh et al.), MCTS and SimuRA on the shop, the flight site
 * and the forum (the wiki's talk pages), with the simulated web roles, on the fast driver; success
 * versus budget with intervals, environment steps (replays included) and wall time per episode
 * (`ltlguard bench`'s tables, statistics and SVG curves); then the cost of a search step on the
 * fast driver against Chromium on a few episodes.
 *
 *   npm run bench:web-search -- [--quick] [--drivers-only] [--record | --out DIR]
 *
 * `--drivers-only` runs only the second part (web-search-drivers.{json,md}).
 *
 * Results go to a new folder under bench-results/ unless `--record` (the checked-in
 * benchmarks/results/) or `--out DIR` is given; progress goes to stderr.
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { main } from "../src/cli/main.js";
import { findSuite } from "../src/envs/suites.js";
import type { WebEnvironment } from "../src/envs/web/environment.js";
import { webTasks } from "../src/envs/web/tasks/index.js";
import { problemFor, type BenchSuite } from "../src/search/bench.js";
import { bestFirst, greedy } from "../src/search/index.js";
import { Budget, type Strategy } from "../src/search/types.js";
import { resultsLocation } from "./support/results-location.js";

const USAGE = "usage: npm run bench:web-search -- [--quick] [--drivers-only] [--record | --out DIR]";

function parse(argv: readonly string[]): { quick: boolean; driversOnly: boolean; record: boolean; out?: string } {
  const options: { quick: boolean; driversOnly: boolean; record: boolean; out?: string } = { quick: false, driversOnly: false, record: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") options.quick = true;
    else if (arg === "--drivers-only") options.driversOnly = true;
    else if (arg === "--record") options.record = true;
    else if (arg === "--out" && argv[i + 1] !== undefined) options.out = argv[++i]!;
    else {
      process.stderr.write(`unknown argument '${arg}'\n${USAGE}\n`);
      process.exit(2);
    }
  }
  if (options.record && options.quick) {
    process.stderr.write(`--record writes the checked-in results: run the full grid (no --quick)\n${USAGE}\n`);
    process.exit(2);
  }
  return options;
}

const options = parse(process.argv.slice(2));
const location = resultsLocation("web-search", options);
const grid = options.quick
  ? ["--budget", "50,400,3200", "--seeds", "1", "--tasks", "4"]
  : ["--budget", "25,50,100,200,400,800,1600,3200,6400", "--seeds", "2", "--tasks", "15"];
const args = [
  "bench",
  "--env", "web-shop,web-flights,web-forum",
  "--strategy", "greedy,best-first,mcts,simura",
  ...grid,
  "--compare", "best-first:greedy,simura:greedy,mcts:greedy",
  "--reach", "0.5,0.8",
  "--name", "web-search",
  "--out", location.dir,
];
if (!options.driversOnly) {
  process.stderr.write(`web search: ltlguard ${args.join(" ")}\n`);
  const code = await main(args);
  if (code !== 0) process.exit(code);
}

// The cost of a step: the same searches on both drivers (the shortest test task of each site).
interface DriverRow {
  driver: string;
  site: string;
  strategy: string;
  episodes: number;
  successes: number;
  /** Environment steps, replays included (the search's `spent.envSteps`). */
  envSteps: number;
  /** Of which replays after resets (the search's `replaySteps`). */
  replayedSteps: number;
  resets: number;
  /** Time in the driver: actions and observations, resets. */
  stepMs: number;
  resetMs: number;
  wallMs: number;
}
const strategies: Record<string, { strategy: Strategy; budget: number }> = {
  greedy: { strategy: greedy(), budget: 200 },
  "best-first": { strategy: bestFirst({ valueBudget: 5, valueSamples: 4 }), budget: 400 },
};
const rows: DriverRow[] = [];
for (const driver of ["fast", "chromium"] as const) {
  for (const name of ["web-shop", "web-flights", "web-forum"]) {
    const suite: BenchSuite = await findSuite(name)!.create("simulated", { driver });
    try {
      const steps = (id: string) => webTasks(1).task(id).plan.length;
      const tasks = suite.tasks().filter((t) => !webTasks(1).task(t.id).requiresBrowser).sort((a, b) => steps(a.id) - steps(b.id) || a.id.localeCompare(b.id)).slice(0, options.quick ? 1 : 2);
      for (const [label, { strategy, budget }] of Object.entries(strategies)) {
        const row: DriverRow = { driver, site: name, strategy: label, episodes: 0, successes: 0, envSteps: 0, replayedSteps: 0, resets: 0, stepMs: 0, resetMs: 0, wallMs: 0 };
        for (const task of tasks) {
          process.stderr.write(`drivers: ${driver} ${name} ${label} ${task.id}\n`);
          const problem = await problemFor(suite, task, 1);
          const started = performance.now();
          try {
            const result = await strategy.search(problem, new Budget(suite.limits(budget)));
            row.wallMs += performance.now() - started;
            row.successes += result.done && task.judge(result.finalState).success ? 1 : 0;
            const replay = (problem.environment as WebEnvironment).replay;
            row.episodes++;
            row.envSteps += result.spent.envSteps;
            row.replayedSteps += result.replaySteps ?? 0;
            row.resets += replay.resets;
            row.stepMs += replay.newStepMs + replay.replayMs;
            row.resetMs += replay.resetMs;
          } finally {
            await suite.release?.(problem);
          }
        }
        rows.push(row);
      }
    } finally {
      await suite.close?.();
    }
  }
}
const fixed = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "–");
const table = [
  "| driver | site | strategy | episodes | solved | env steps (replays included) | of which replayed | resets | ms per step | ms per reset | wall s per episode |",
  "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map((r) =>
    `| ${r.driver} | ${r.site} | ${r.strategy} | ${r.episodes} | ${r.successes} | ${r.envSteps} | ${r.replayedSteps} | ${r.resets} | ${fixed(r.stepMs / r.envSteps)} | ${fixed(r.resetMs / r.resets)} | ${fixed(r.wallMs / r.episodes / 1000, 2)} |`,
  ),
].join("\n");
const ratio = (site: string) => {
  const per = (d: string) => {
    const rs = rows.filter((r) => r.site === site && r.driver === d);
    return rs.reduce((n, r) => n + r.stepMs, 0) / rs.reduce((n, r) => n + r.envSteps, 0);
  };
  return per("chromium") / per("fast");
};
const command = `npm run bench:web-search --${options.quick ? " --quick" : ""} --drivers-only`;
const section =
  `# Fast driver and Chromium: the cost of a search step\n\nReproduce with \`${command}\` (part of \`npm run bench:web-search\`).\n\n` +
  `The same searches on both drivers, seed 1, the ${options.quick ? "shortest test task" : "two shortest test tasks"} of each site: greedy at 200 model calls and best-first (c = 5, n = 4) at 400. ` +
  `An environment step is an action and the observation after it, whether it moves the search forward or replays a path after a reset; a reset is a fresh site session and driver (on Chromium a fresh browser context) at the start page. ` +
  `Wall time includes the simulated roles (their oracle runs on the fast driver).\n\n${table}\n\n` +
  `Per environment step, Chromium takes ${["web-shop", "web-flights", "web-forum"].map((s) => `${fixed(ratio(s))}×`).join(", ")} the fast driver's time (shop, flights, forum).\n`;
writeFileSync(join(location.dir, "web-search-drivers.md"), section);
writeFileSync(join(location.dir, "web-search-drivers.json"), JSON.stringify({ command, rows }, null, 1) + "\n");
process.stderr.write(`wrote ${location.dir}/web-search-drivers.{json,md}\n`);
