/**
 * The model value two ways, on the same trajectories: Koh et al.'s sampled verdict (success 1, on
 * track 0.5, neither 0; n samples averaged) and the one-forward-pass expectation read from the
 * verdict's token probabilities. What each estimate costs (calls, tokens, milliseconds), how far
 * the sampled mean of n samples is from the one-pass value, and whether either tells on-track
 * states from dead ends (ground truth used only to report, never by the value).
 *
 *   npm run bench:role-value -- [--model <gguf>] [--trajectories N] [--samples N] [--threads N] [--gpu auto|off|…] [--out DIR] [--name BASE]
 *
 * Trajectories: random walks of 0–3 legal steps from Game-of-24 puzzles (on track: the numbers
 * left can still make 24), and prefixes of tool-planning tasks' reference plans (all on track)
 * or of random legal calls (mostly not). Writes DIR/BASE.json and DIR/BASE.md (BASE: role-value).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { GpuChoice } from "../src/decoder/llama.js";
import { createGame24Task, game24Puzzles, isSolvable, type Game24Action, type Game24State } from "../src/envs/game24.js";
import { generateToolTasks, type ToolState } from "../src/envs/tool-planning.js";
import type { ToolCall } from "../src/envs/tool-planning-apis.js";
import { ensureModel } from "../src/models/build.js";
import { seededRandom } from "../src/search/random.js";
import { ModelRoles } from "../src/search/roles/model-roles.js";
import { ModelValue } from "../src/search/roles/value.js";
import { Budget, type Environment, type Trajectory } from "../src/search/types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "usage: tsx benchmarks/role-value.ts [--model <gguf>] [--trajectories N] [--samples N] [--threads N] [--gpu KIND] [--out DIR] [--name BASE]";

interface Options {
  model?: string;
  trajectories: number;
  samples: number;
  threads: number;
  gpu: GpuChoice;
  out: string;
  name: string;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { trajectories: 24, samples: 20, threads: 1, gpu: "off", out: join(ROOT, "benchmarks", "results"), name: "role-value" };
  const positive = (text: string | undefined): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) usage();
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--model") options.model = argv[++i] ?? usage();
    else if (arg === "--trajectories") options.trajectories = positive(argv[++i]);
    else if (arg === "--samples") options.samples = positive(argv[++i]);
    else if (arg === "--threads") options.threads = positive(argv[++i]);
    else if (arg === "--gpu") options.gpu = (argv[++i] ?? usage()) as GpuChoice;
    else if (arg === "--out") options.out = resolve(argv[++i] ?? usage());
    else if (arg === "--name" && /^[A-Za-z0-9._-]+$/.test(argv[i + 1] ?? "")) options.name = argv[++i]!;
    else usage();
  }
  return options;
}

function usage(): never {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

interface Case<S, A> {
  readonly env: string;
  readonly environment: Environment<S, A>;
  readonly trajectory: Trajectory<S, A>;
  /** Ground truth, for the report only: can the task still be done from here? */
  readonly onTrack: boolean;
}

async function walk<S, A>(environment: Environment<S, A>, choose: (state: S, legal: readonly A[], step: number) => A | undefined, steps: number): Promise<Trajectory<S, A>> {
  let state = environment.initial();
  const trajectory = { states: [state], actions: [] as A[], observations: [] as (string | undefined)[] };
  for (let i = 0; i < steps; i++) {
    const action = choose(state, environment.legalActions(state), i);
    if (action === undefined) break;
    const outcome = await environment.step(state, action);
    trajectory.actions.push(action);
    trajectory.states.push(outcome.state);
    trajectory.observations.push(outcome.observation);
    state = outcome.state;
    if (outcome.done) break;
  }
  return trajectory;
}

async function cases(count: number): Promise<Case<unknown, unknown>[]> {
  const random = seededRandom(20260101);
  const pick = <T>(list: readonly T[]): T | undefined => (list.length === 0 ? undefined : list[Math.floor(random() * list.length)]);
  const out: Case<unknown, unknown>[] = [];
  const puzzles = game24Puzzles();
  for (let i = 0; i < count / 2; i++) {
    const task = createGame24Task(puzzles[Math.floor(random() * puzzles.length)]!.numbers);
    const trajectory = await walk<Game24State, Game24Action>(task.environment, (_s, legal) => pick(legal), Math.floor(random() * 4));
    const last = trajectory.states.at(-1)!;
    out.push({ env: "game24", environment: task.environment as Environment<unknown, unknown>, trajectory: trajectory as Trajectory<unknown, unknown>, onTrack: isSolvable(last.items.map((it) => it.value)) });
  }
  const tools = generateToolTasks().filter((t) => t.split === "test");
  for (let i = 0; out.length < count; i++) {
    const task = tools[Math.floor(random() * tools.length)]!;
    const followPlan = i % 2 === 0;
    const length = 1 + Math.floor(random() * Math.max(1, task.referencePlan.length - 2));
    const trajectory = await walk<ToolState, ToolCall>(task.environment, (_s, legal, step) => (followPlan ? task.referencePlan[step] : pick(legal.filter((c) => c.api !== "finish"))), length);
    out.push({ env: "tool-planning", environment: task.environment as Environment<unknown, unknown>, trajectory: trajectory as Trajectory<unknown, unknown>, onTrack: followPlan });
  }
  return out;
}

interface Row {
  readonly env: string;
  readonly steps: number;
  readonly onTrack: boolean;
  readonly onePass: number;
  /** Tokens the first call evaluated: the prompt. */
  readonly promptTokens: number;
  readonly samples: readonly number[];
  readonly onePassMs: number;
  readonly sampleMs: number;
  readonly onePassEvaluated: number;
  readonly sampleEvaluated: number;
  readonly sampleGenerated: number;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const f = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const modelPath = options.model ?? (await ensureModel("qwen3-fitted"));
  const roles = await ModelRoles.load({ modelPath, roles: ["value"], threads: options.threads, gpu: options.gpu, seed: 1 });
  const rows: Row[] = [];
  try {
    const list = await cases(options.trajectories);
    for (const [i, c] of list.entries()) {
      process.stderr.write(`[${i + 1}/${list.length}] ${c.env}, ${c.trajectory.actions.length} steps\n`);
      const text = c.environment.text!;
      const onePass = new ModelValue(roles.model, text, { scoring: "probabilities" });
      const sampled = new ModelValue(roles.model, text);
      // A first call evaluates the prompt (counted apart); the measured calls then reuse it, as the calls of a search do.
      const warmBudget = new Budget();
      await onePass.score(c.trajectory, warmBudget);
      const passBudget = new Budget();
      const p = await onePass.score(c.trajectory, passBudget);
      const sampleBudget = new Budget();
      const samples: number[] = [];
      for (let n = 0; n < options.samples; n++) samples.push(await sampled.score(c.trajectory, sampleBudget));
      const pass = passBudget.byRole().value;
      const sample = sampleBudget.byRole().value;
      rows.push({
        env: c.env,
        steps: c.trajectory.actions.length,
        onTrack: c.onTrack,
        onePass: p,
        promptTokens: warmBudget.byRole().value.evaluatedTokens,
        samples,
        onePassMs: pass.ms,
        sampleMs: sample.ms / options.samples,
        onePassEvaluated: pass.evaluatedTokens,
        sampleEvaluated: sample.evaluatedTokens / options.samples,
        sampleGenerated: sample.generatedTokens / options.samples,
      });
    }
  } finally {
    await roles.close();
  }
  const subsets = [1, 5, options.samples].filter((n, i, all) => n <= options.samples && all.indexOf(n) === i);
  const lines = [
    "# Model value: sampled verdicts vs one forward pass",
    "",
    `Reproduce with \`npm run bench:role-value -- --trajectories ${options.trajectories} --samples ${options.samples}${options.model !== undefined ? ` --model ${relative(ROOT, resolve(options.model))}` : ""}${options.threads !== 1 ? ` --threads ${options.threads}` : ""}${options.gpu !== "off" ? ` --gpu ${options.gpu}` : ""}${options.name !== "role-value" ? ` --name ${options.name}` : ""}\`.`,
    "",
    `Model: \`${roles.info.name}\` (${roles.info.bytes.toLocaleString("en")} bytes, SHA-256 ${roles.info.sha256.slice(0, 16)}…) on ${roles.info.device}, ${roles.info.threads} thread(s), chat template ${roles.info.chatTemplate}; ${cpus().length} CPU cores (${cpus()[0]?.model ?? "?"}), shared with other work: times are noisy.`,
    "",
    "| environment | trajectories | prompt tokens | one pass: ms / estimate | one pass: evaluated tokens | sampled: ms / sample | sampled: evaluated tokens / sample | sampled: generated tokens / sample | " +
      subsets.map((n) => `mean distance: mean of ${n} vs one pass`).join(" | ") +
      " | value on track / dead end (one pass) | value on track / dead end (sampled mean) |",
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ${subsets.map(() => "---:").join(" | ")} | --- | --- |`,
  ];
  for (const env of ["game24", "tool-planning"]) {
    const group = rows.filter((r) => r.env === env);
    if (group.length === 0) continue;
    const gaps = subsets.map((n) => f(mean(group.map((r) => Math.abs(mean(r.samples.slice(0, n)) - r.onePass)))));
    const split = (pick: (r: Row) => number): string =>
      `${f(mean(group.filter((r) => r.onTrack).map(pick)), 2)} / ${f(mean(group.filter((r) => !r.onTrack).map(pick)), 2)}`;
    lines.push(
      `| ${env} | ${group.length} | ${f(mean(group.map((r) => r.promptTokens)), 0)} | ${f(mean(group.map((r) => r.onePassMs)), 1)} | ${f(mean(group.map((r) => r.onePassEvaluated)), 1)} | ${f(mean(group.map((r) => r.sampleMs)), 1)} | ${f(mean(group.map((r) => r.sampleEvaluated)), 1)} | ${f(mean(group.map((r) => r.sampleGenerated)), 1)} | ${gaps.join(" | ")} | ${split((r) => r.onePass)} | ${split((r) => mean(r.samples))} |`,
    );
  }
  lines.push(
    "",
    "Prompt tokens: what the first call on a trajectory evaluates (the chat-templated prompt); the measured calls reuse it from the prompt cache, so their evaluated tokens are the verdict's tag and answer. " +
      "The one-pass value is the exact expectation of one sampled verdict under the model, so the mean of n samples approaches it as n grows (roughly 0.5/√n for scores in [0, 1]). " +
      "A value that can tell on-track states from dead ends scores them apart in the last two columns; the project's tiny model is not expected to.",
    "",
  );
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, `${options.name}.json`), JSON.stringify({ model: roles.info, options: { trajectories: options.trajectories, samples: options.samples }, rows }) + "\n");
  writeFileSync(join(options.out, `${options.name}.md`), lines.join("\n"));
  process.stdout.write(lines.join("\n"));
}

await main();
