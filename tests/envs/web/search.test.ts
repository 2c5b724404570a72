import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSuite } from "../../../src/envs/suites.js";
import { sharedWebRun } from "../../../src/envs/suites-web.js";
import { WebRun } from "../../../src/envs/web/episode.js";
import { WebEnvironment, type WebState } from "../../../src/envs/web/environment.js";
import { pageKey, SimulatedWebCritic, SimulatedWebPolicy, SimulatedWebValue, WebReference } from "../../../src/envs/web/simulated-roles.js";
import { permissivePolicy } from "../../../src/envs/web/policy/spec.js";
import { formatAction } from "../../../src/envs/web/actions.js";
import { resolveStep, webTasks } from "../../../src/envs/web/tasks/index.js";
import { runBench, type BenchSuite } from "../../../src/search/bench.js";
import { bestFirst, greedy, seededRandom } from "../../../src/search/index.js";
import { Budget, type SearchProblem, type Strategy } from "../../../src/search/types.js";
import { cli } from "../../support/cli.js";

/**
 * Search on the web: the simulated roles' error models measured against their documentation, the
 * suites in the benchmark on the fast driver, and on Chromium a few short episodes, a report of
 * screenshots, and a browser killed mid-episode (recorded as that episode's error; the run goes on
 * with a fresh browser).
 */
let run: WebRun;
beforeAll(async () => {
  run = await WebRun.start({ driver: "fast", seed: 1 });
});
afterAll(async () => {
  await run.close();
});

const testTasks = () => webTasks(1).tasks.filter((t) => t.split === "test" && !t.requiresBrowser);

describe("the simulated web roles", () => {
  it("the reference path: every reference page is at its stage or later, a detour is off it, a stop is at none", async () => {
    for (const task of testTasks().filter((_, i) => i % 6 === 0)) {
      const ref = await WebReference.create(run, task);
      expect(ref.states).toHaveLength(task.plan.length + 1);
      ref.states.forEach((s, j) => (s.done ? expect(ref.stage(s)).toBe(-1) : expect(ref.stage(s)).toBeGreaterThanOrEqual(j)));
      expect(ref.verdict(ref.states.at(-1)!)).toBe(1);
      expect(ref.verdict(ref.states[0]!)).toBe(0.5);
    }
  }, 60_000);

  it("the policy's samples are the right action about pRight of the time and its page's decoy about pDecoy, on many pages and seeds", async () => {
    let right = 0;
    let decoy = 0;
    let samples = 0;
    for (const [i, task] of testTasks().slice(0, 12).entries()) {
      const ref = await WebReference.create(run, task);
      const env = await WebEnvironment.create(run, task);
      const origin = run.sites.server(task.site).origin;
      for (const state of ref.states.filter((s) => !s.done)) {
        const truth = formatAction(ref.rightAction(state, origin)!);
        expect(truth).toBe(formatAction(resolveStep(task.plan[ref.stage(state)]!, state.observation, origin)!));
        const policy = new SimulatedWebPolicy(ref, env, permissivePolicy(), seededRandom(100 + i), { pRight: 0.5, pDecoy: 0.3 });
        const proposals = await policy.propose(state, 50, new Budget(), { samples: 200 });
        const count = (a: string | undefined) => Math.round((proposals.find((p) => p.action === a)?.frequency ?? 0) * 200);
        right += count(truth);
        // The decoy is the same at every call on this page: the most frequent wrong action.
        decoy += count(proposals.find((p) => p.action !== truth)?.action);
        samples += 200;
      }
      await env.close();
    }
    expect(right / samples).toBeGreaterThan(0.46);
    expect(right / samples).toBeLessThan(0.54);
    expect(decoy / samples).toBeGreaterThan(0.27);
    expect(decoy / samples).toBeLessThan(0.36);
  }, 60_000);

  it("the value answers the truth with probability q, the critic judges progress of the predicted page, both seeded", async () => {
    const task = testTasks().find((t) => t.family === "fact")!;
    const ref = await WebReference.create(run, task);
    const trajectory = (s: WebState) => ({ states: [s], actions: [], observations: [] });
    const value = new SimulatedWebValue(ref, seededRandom(7), 0.8);
    let agree = 0;
    for (let i = 0; i < 2000; i++) agree += (await value.score(trajectory(ref.states[1]!), new Budget())) === 0.5 ? 1 : 0;
    expect(agree / 2000).toBeGreaterThan(0.77);
    expect(agree / 2000).toBeLessThan(0.83);
    const again = new SimulatedWebValue(ref, seededRandom(7), 0.8);
    const first = new SimulatedWebValue(ref, seededRandom(7), 0.8);
    for (let i = 0; i < 20; i++) expect(await again.score(trajectory(ref.states[0]!), new Budget())).toBe(await first.score(trajectory(ref.states[0]!), new Budget()));
    // Progress: the next reference page is on track (0.5), the same page is not (0) with an exact critic.
    const critic = new SimulatedWebCritic(ref, seededRandom(1), 1);
    const from = trajectory(ref.states[0]!);
    expect(await critic.score(from, "x", { description: "", state: ref.states[1]! }, new Budget())).toBe(0.5);
    expect(await critic.score(from, "scroll [down]", { description: "", state: ref.states[0]! }, new Budget())).toBe(0);
    expect(await critic.score(from, "x", { description: "", state: ref.states.at(-1)! }, new Budget())).toBe(1);
    expect(pageKey(ref.states[0]!)).toContain(ref.states[0]!.observation.url);
  }, 30_000);
});

describe("web suites in the benchmark (fast driver)", () => {
  it("greedy, best-first, MCTS and SimuRA run on the three sites; env steps count replays; the same seed gives the same episodes", async () => {
    const suites: BenchSuite[] = [];
    for (const name of ["web-shop", "web-flights", "web-forum"]) suites.push(await findSuite(name)!.create("simulated", {}));
    try {
      const strategies: Record<string, Strategy> = { greedy: greedy(), "best-first": bestFirst({ valueSamples: 2, valueBudget: 6 }) };
      const options = { suites, strategies, budgets: [40, 400], seeds: 1, tasksPerSeed: 2 };
      const report = await runBench(options);
      expect(report.episodes.filter((e) => e.stop === "error")).toEqual([]);
      expect(new Set(report.episodes.map((e) => e.env))).toEqual(new Set(["web-shop", "web-flights", "web-forum"]));
      for (const suite of suites) expect(suite.tasks().every((t) => webTasks(1).task(t.id).split === "test")).toBe(true);
      const searched = report.episodes.filter((e) => e.strategy === "best-first" && e.budget === 400);
      expect(searched.some((e) => (e.replaySteps ?? 0) > 0)).toBe(true);
      // Replays are counted at every budget of a prefix run: never more than the env steps, never fewer at a larger budget.
      for (const e of report.episodes.filter((x) => x.strategy === "best-first")) {
        expect(e.replaySteps).toBeDefined();
        expect(e.envSteps).toBeGreaterThanOrEqual(e.replaySteps!);
        const larger = searched.find((x) => x.task === e.task && x.env === e.env)!;
        expect(larger.replaySteps!).toBeGreaterThanOrEqual(e.replaySteps!);
      }
      expect(report.episodes.some((e) => e.strategy === "best-first" && e.budget === 40 && e.replaySteps! < searched.find((x) => x.task === e.task && x.env === e.env)!.replaySteps!)).toBe(true);
      const again = await runBench(options);
      expect(again.episodes.map((e) => [e.task, e.success, e.modelCalls, e.envSteps])).toEqual(report.episodes.map((e) => [e.task, e.success, e.modelCalls, e.envSteps]));
      const simura = await runBench({ suites: [suites[2]!], strategies: { simura: (await import("../../../src/search/simura.js")).simura({ criticSamples: 3 }), mcts: (await import("../../../src/search/mcts.js")).mcts() }, budgets: [300], seeds: 1, tasksPerSeed: 2 });
      expect(simura.episodes.filter((e) => e.stop === "error")).toEqual([]);
      expect(simura.episodes.some((e) => e.strategy === "simura" && (e.byRole?.["world-model"]?.calls ?? 0) > 0)).toBe(true);
    } finally {
      for (const suite of suites) await suite.close?.();
    }
    expect(await sharedWebRun("fast")).toBeUndefined();
  }, 120_000);

  it("a server error mid-episode is that episode's error, and the next episode runs", async () => {
    const suite = await findSuite("web-forum")!.create("simulated", { rightRate: 1 });
    try {
      const sites = (await sharedWebRun("fast"))!.sites;
      // The second page load of the first episode fails (the first is the start page).
      let loads = 0;
      const wrapped: BenchSuite = {
        ...suite,
        openProblem: async (task, seed) => {
          const problem = await suite.openProblem!(task, seed);
          if (loads++ === 0) sites.wiki.faults.push({ path: /^\/search/, kind: "error", times: 1 });
          return problem;
        },
      };
      const task = suite.tasks().find((t) => t.id.startsWith("wiki-fact"))!;
      const report = await runBench({ suites: [{ ...wrapped, tasks: () => [task] }], strategies: { greedy: greedy() }, budgets: [50], seeds: 2, tasksPerSeed: 1 });
      expect(report.episodes.map((e) => e.stop)).toEqual(["error", "done"]);
      expect(report.episodes[0]!.error).toMatch(/500|server/i);
      expect(report.episodes[1]!.success).toBe(true);
    } finally {
      await suite.close?.();
    }
  }, 60_000);
});

describe("web search on Chromium", () => {
  it("a short episode per site, a browser killed mid-episode recorded as that episode's error, the next on a fresh browser", async () => {
    const suites: BenchSuite[] = [];
    for (const name of ["web-shop", "web-flights", "web-forum"]) suites.push(await findSuite(name)!.create("simulated", { driver: "chromium", rightRate: 1 }));
    try {
      const browserRun = (await sharedWebRun("chromium"))!;
      const steps = (id: string) => webTasks(1).task(id).plan.length;
      const short = (suite: BenchSuite) => [...suite.tasks()].sort((a, b) => steps(a.id) - steps(b.id)).slice(0, 1);
      const report = await runBench({ suites: suites.map((s) => ({ ...s, tasks: () => short(s) })), strategies: { greedy: greedy({ samples: 1 }) }, budgets: [20], seeds: 1, tasksPerSeed: 1 });
      expect(report.episodes).toHaveLength(3);
      for (const e of report.episodes) expect([e.env, e.stop, e.success]).toEqual([e.env, "done", true]);
      // The policy kills the browser at its second call of the first episode.
      const forum = suites[2]!;
      let calls = 0;
      let episodes = 0;
      const killing: BenchSuite = {
        ...forum,
        tasks: () => short(forum),
        openProblem: async (task, seed) => {
          const problem = (await forum.openProblem!(task, seed)) as SearchProblem<unknown, unknown>;
          const first = episodes++ === 0;
          return {
            ...problem,
            policy: {
              name: problem.policy.name,
              propose: async (state, k, budget, context) => {
                if (first && ++calls === 2) await (await browserRun.chromium()).killForTesting();
                return problem.policy.propose(state, k, budget, context);
              },
            },
          };
        },
      };
      const restartsBefore = browserRun.restarts;
      const crashed = await runBench({ suites: [killing], strategies: { greedy: greedy({ samples: 1 }) }, budgets: [20], seeds: 2, tasksPerSeed: 1 });
      expect(crashed.episodes.map((e) => e.stop)).toEqual(["error", "done"]);
      expect(crashed.episodes[0]!.error).toMatch(/crash|closed|browser/i);
      expect(crashed.episodes[1]!.success).toBe(true);
      expect(browserRun.restarts).toBe(restartsBefore + 1);
    } finally {
      for (const suite of suites) await suite.close?.();
    }
  }, 120_000);

  it("plan --screenshots writes a PNG per step of the chosen path, the tree as SVG and an index.html with both", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ltlguard-shots-"));
    const task = testTasks().find((t) => t.family === "fact")!;
    const r = await cli("plan", "--env", "web-forum", "--task", task.id, "--strategy", "greedy", "--budget", "40", "--right-rate", "1", "--screenshots", dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`greedy on web-forum/${task.id}: success`);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(["index.html", ...task.plan.map((_, i) => `step-${String(i).padStart(2, "0")}.png`), `step-${String(task.plan.length).padStart(2, "0")}.png`, "tree.svg"].sort());
    expect([...readFileSync(join(dir, "step-01.png")).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).toContain('src="tree.svg"');
    expect(html).toContain('src="step-00.png"');
    expect(html).toContain(task.plan.length > 0 ? "1. type" : "");
    expect(readFileSync(join(dir, "tree.svg"), "utf8")).toContain("<svg");
  }, 60_000);
});

describe("web search with the model in its roles", () => {
  it("one episode runs with the constrained decoder as the policy and the model as the value (mechanics, the tiny model)", async () => {
    const { ModelRoles } = await import("../../../src/search/roles/model-roles.js");
    const { ensureModel } = await import("../../../src/models/build.js");
    const model = await ModelRoles.load({ modelPath: await ensureModel("qwen3-fitted"), roles: ["policy", "value"], threads: 1, contextSize: 4096, sequences: 4 });
    const suite = await findSuite("web-forum")!.create("llama", {}, model);
    try {
      const task = suite.tasks().find((t) => t.id.startsWith("wiki-fact"))!;
      const problem = await suite.openProblem!(task, 1);
      expect(problem.policy.name).toBe("llama-web");
      expect(problem.value?.name).toMatch(/^model-/);
      const budget = new Budget({ modelCalls: 8 });
      const result = await bestFirst({ branching: 2, candidateSamples: 2, valueSamples: 1, valueBudget: 2, maxSteps: 1 }).search(problem, budget);
      await suite.release?.(problem);
      const roles = result.spent.byRole;
      expect(roles.policy.calls).toBeGreaterThan(0);
      expect(roles.policy.generatedTokens).toBeGreaterThan(0);
      expect(roles.value.calls).toBeGreaterThan(0);
      expect(roles.value.evaluatedTokens).toBeGreaterThan(0);
      expect(result.spent.modelCalls).toBeLessThanOrEqual(8);
      // Every action taken is one the page offered, in the action language.
      for (const action of result.actions) expect(action).toMatch(/^(click|type|select|scroll|goto|go_back|stop)\b/);
    } finally {
      await suite.close?.();
      await model.close();
    }
  }, 180_000);
});
