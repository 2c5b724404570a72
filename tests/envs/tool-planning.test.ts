import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSpec, type CompiledSpec } from "../../src/ltl/analysis.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { checkTrace } from "../../src/ltl/verdict.js";
import { Prng } from "../../src/models/prng.js";
import { Budget } from "../../src/search/types.js";
import { DOMAINS, TOOL_APIS, apisOf, callKey, validateSchema, type Domain, type ToolCall } from "../../src/envs/tool-planning-apis.js";
import { SimulatedToolPolicy, SimulatedToolValue, nextPlanStep, toolVerdict } from "../../src/envs/tool-planning-policy.js";
import {
  MAX_CALLS,
  TOOL_PLANNING_SPECS,
  finishCall,
  generateToolTasks,
  replay,
  splitOf,
  traceOf,
  trainingPlans,
  type ToolState,
  type ToolTask,
} from "../../src/envs/tool-planning.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const tasks = generateToolTasks();
const byDomain = (domain: Domain): ToolTask[] => tasks.filter((t) => t.domain === domain);

const specs = new Map<Domain, CompiledSpec>();
const compileMs = new Map<Domain, number>();
beforeAll(() => {
  for (const domain of DOMAINS) {
    const file = TOOL_PLANNING_SPECS[domain];
    const started = performance.now();
    specs.set(domain, compileSpec(parseSpec(readFileSync(`${ROOT}${file}`, "utf8"), { file })));
    compileMs.set(domain, performance.now() - started);
  }
});

function ltlAccepts(domain: Domain, events: readonly string[]): boolean {
  const { dfa, analysis } = specs.get(domain)!;
  return checkTrace(dfa, analysis, events.map((e) => new Set([e]))).accepted;
}

/** Steps through calls; returns the final state and the observations. */
function play(task: ToolTask, calls: readonly ToolCall[]): { state: ToolState; observations: string[] } {
  const env = task.environment;
  let state = env.initial();
  const observations: string[] = [];
  for (const c of calls) {
    const outcome = env.stepSync(state, c);
    observations.push(outcome.observation ?? "");
    state = outcome.state;
  }
  return { state, observations };
}

describe("tool-planning APIs", () => {
  it("has at least 30 APIs over 3 domains, with unique names and JSON-Schema object parameters", () => {
    expect(TOOL_APIS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(TOOL_APIS.map((a) => a.name)).size).toBe(TOOL_APIS.length);
    for (const domain of DOMAINS) expect(apisOf(domain).length).toBeGreaterThanOrEqual(10);
    for (const api of TOOL_APIS) {
      expect(api.description.length).toBeGreaterThan(10);
      expect(api.parameters.type).toBe("object");
      expect(api.parameters.additionalProperties).toBe(false);
      for (const name of api.parameters.required ?? []) expect(api.parameters.properties?.[name]).toBeDefined();
      // The API's events are exactly its domain's spec's events (plus `finish`).
      expect(readFileSync(`${ROOT}${TOOL_PLANNING_SPECS[api.domain]}`, "utf8")).toContain(api.name);
    }
  });

  it("validates arguments against the schemas", () => {
    const schema = apisOf("home").find((a) => a.name === "schedule_visit")!.parameters;
    expect(validateSchema(schema, { listing_id: "H3", day: 4 })).toEqual([]);
    expect(validateSchema(schema, { listing_id: "H3" })).toEqual(["$.day: required"]);
    expect(validateSchema(schema, { listing_id: "H3", day: 40 })).toEqual(["$.day: above the maximum 28"]);
    expect(validateSchema(schema, { listing_id: "H3", day: 2.5 })).toEqual(["$.day: expected an integer"]);
    expect(validateSchema(schema, { listing_id: "X3", day: 1, extra: true })).toHaveLength(2);
    expect(validateSchema(apisOf("home")[0]!.parameters, { city: "paris" })[0]).toMatch(/not one of/);
  });

  it("answers failed preconditions and bad arguments with error observations, never throwing", () => {
    const home = byDomain("home")[0]!;
    const env = home.environment;
    const start = env.initial();
    const cases: [ToolCall, RegExp][] = [
      [{ api: "search_homes", args: {} }, /set_location must be called first/],
      [{ api: "schedule_visit", args: { listing_id: "H1", day: 3 } }, /get_home_details must be called first/],
      [{ api: "set_budget", args: { max_price: "cheap" } }, /invalid arguments.*expected a integer/],
      [{ api: "set_location", args: {} }, /\$\.city: required/],
      [{ api: "set_location", args: { city: "austin", zip: 1 } }, /unexpected property/],
      [{ api: "teleport", args: {} }, /unknown API/],
      [{ api: "pay", args: {} }, /unknown API/], // another domain's API
    ];
    for (const [c, message] of cases) {
      const outcome = env.stepSync(start, c);
      expect(outcome.observation).toMatch(/^error: /);
      expect(outcome.observation).toMatch(message);
      expect(outcome.state.session).toBe(start.session);
      expect(outcome.state.history.at(-1)!.ok).toBe(false);
      expect(outcome.done).toBe(false);
    }
    // An id that is not among the results, after a search.
    const searched = replay(env, [{ api: "set_location", args: { city: "austin" } }, { api: "search_homes", args: {} }]);
    expect(env.stepSync(searched, { api: "get_home_details", args: { listing_id: "H99999" } }).observation).toMatch(/not among the search results/);

    const trip = byDomain("trip")[0]!.environment;
    expect(trip.stepSync(trip.initial(), { api: "pay", args: {} }).observation).toMatch(/^error: pay: select_flight must be called first/);
    expect(trip.stepSync(trip.initial(), { api: "search_flights", args: { origin: "austin", destination: "austin", day: 3 } }).observation).toMatch(/must differ/);
    const sheets = byDomain("sheets")[0]!.environment;
    expect(sheets.stepSync(sheets.initial(), { api: "save_sheet", args: {} }).observation).toMatch(/^error: save_sheet: open_sheet must be called first/);
    expect(sheets.stepSync(sheets.initial(), { api: "open_sheet", args: { name: "nope" } }).observation).toMatch(/no sheet named/);
    const opened = replay(sheets, [{ api: "open_sheet", args: { name: "sales" } }]);
    expect(sheets.stepSync(opened, { api: "sort_range", args: { order: "asc" } }).observation).toMatch(/select_range must be called first/);
  });
});

describe("tool-planning tasks", () => {
  it("has at least 200 tasks, 80 per domain, with unique ids and every kind of goal", () => {
    expect(tasks.length).toBeGreaterThanOrEqual(200);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
    for (const domain of DOMAINS) expect(byDomain(domain)).toHaveLength(80);
    expect(new Set(tasks.map((t) => t.kind))).toEqual(
      new Set(["visit-cheapest", "favorite-largest", "contact-cheapest", "flight", "flight-hotel", "flight-car", "sum-append", "sort", "filter", "filter-sum"]),
    );
  });

  it("reaches every goal with the reference plan, each step legal and successful", () => {
    for (const task of tasks) {
      const env = task.environment;
      expect(task.referencePlan.at(-1)).toEqual(finishCall);
      expect(task.referencePlan.length).toBeLessThanOrEqual(MAX_CALLS);
      let state = env.initial();
      expect(task.judge(state).success, task.id).toBe(false);
      for (const c of task.referencePlan) {
        const legal = env.legalActions(state).map(callKey);
        expect(legal, `${task.id}: ${callKey(c)}`).toContain(callKey(c));
        const outcome = env.stepSync(state, c);
        expect(outcome.observation, `${task.id}: ${callKey(c)}`).not.toMatch(/^error/);
        state = outcome.state;
      }
      expect(state.done).toBe(true);
      expect(env.legalActions(state)).toEqual([]);
      expect(task.judge(state), task.id).toEqual({ success: true, score: 1 });
    }
  });

  it("fails the goal when the plan is cut short or a wrong choice is made", () => {
    const decisive = ["listing_id", "flight_id", "hotel_id", "car_id", "order", "equals"];
    let alternatives = 0;
    for (const task of tasks) {
      const plan = task.referencePlan;
      const env = task.environment;
      // Without the last effective call (the one before `finish`), the goal does not hold.
      const cut = [...plan.slice(0, -2), finishCall];
      expect(task.judge(replay(env, cut)).success, task.id).toBe(false);
      // Choosing another item (listing, flight, hotel, car, sort order, filter value) at a step,
      // then going on with the plan, misses the goal.
      plan.forEach((step, i) => {
        if (!decisive.some((name) => name in step.args)) return;
        const state = replay(env, plan.slice(0, i));
        for (const other of env.legalActions(state)) {
          if (other.api !== step.api || !decisive.some((name) => name in other.args && other.args[name] !== step.args[name])) continue;
          alternatives++;
          const final = replay(env, [...plan.slice(0, i), other, ...plan.slice(i + 1)]);
          expect(task.judge(final).success, `${task.id}: ${callKey(other)} instead of ${callKey(step)}`).toBe(false);
        }
      });
    }
    expect(alternatives).toBeGreaterThan(tasks.length);
  });

  it("is deterministic for a seed, and another seed gives other tasks", () => {
    const summary = (ts: readonly ToolTask[]) => JSON.stringify(ts.map((t) => [t.id, t.instruction, t.referencePlan, t.split]));
    expect(summary(generateToolTasks())).toBe(summary(tasks));
    expect(summary(generateToolTasks({ seed: 2 }))).not.toBe(summary(tasks));
    const a = byDomain("trip")[3]!;
    const b = generateToolTasks().find((t) => t.id === a.id)!;
    const plan = a.referencePlan;
    expect(a.environment.stateKey(replay(a.environment, plan))).toBe(b.environment.stateKey(replay(b.environment, plan)));
  });

  it("has a disjoint, stable train/test split of about 30% / 70%", () => {
    const train = tasks.filter((t) => t.split === "train");
    const test = tasks.filter((t) => t.split === "test");
    expect(train.length + test.length).toBe(tasks.length);
    expect(train.some((t) => test.some((u) => u.id === t.id))).toBe(false);
    expect(train.length / tasks.length).toBeGreaterThan(0.2);
    expect(train.length / tasks.length).toBeLessThan(0.4);
    for (const domain of DOMAINS) {
      expect(train.some((t) => t.domain === domain)).toBe(true);
      expect(test.some((t) => t.domain === domain)).toBe(true);
    }
    for (const t of tasks) expect(splitOf(t.id)).toBe(t.split);
    expect([...trainingPlans(tasks).keys()]).toEqual(train.map((t) => t.id));
    // Stable: a task keeps its split whatever else is generated.
    const fewer = generateToolTasks({ perDomain: 10 });
    for (const t of fewer) expect(t.split).toBe(tasks.find((u) => u.id === t.id)!.split);
  });
});

describe("tool-planning protocol in LTL", () => {
  it("compiles each domain's spec to a small automaton without blowing up", () => {
    for (const domain of DOMAINS) {
      const { dfa, spec } = specs.get(domain)!;
      // A guard against a blow-up (seconds to minutes), not a timing claim: the machine is shared.
      expect(compileMs.get(domain)!).toBeLessThan(10_000);
      expect(dfa.stateCount).toBeLessThan(1000);
      expect([...spec.atoms].sort()).toEqual([...apisOf(domain).map((a) => a.name), "finish"].sort());
    }
  });

  it("accepts every reference plan", () => {
    for (const task of tasks) expect(ltlAccepts(task.domain, traceOf(task.referencePlan)), task.id).toBe(true);
  });

  it("rejects plans that violate a precondition (and the environment answers them with an error)", () => {
    const violations: [Domain, string][] = [
      ["home", "search_homes finish"],
      ["home", "set_location get_home_details finish"],
      ["home", "set_location search_homes schedule_visit finish"],
      ["trip", "pay finish"],
      ["trip", "search_flights select_flight pay finish"],
      ["trip", "search_flights select_flight add_traveler pay add_traveler pay finish"],
      ["trip", "search_flights select_flight clear_cart add_traveler finish"],
      ["trip", "book_hotel finish"],
      ["sheets", "save_sheet finish"],
      ["sheets", "open_sheet close_sheet save_sheet finish"],
      ["sheets", "open_sheet sort_range finish"],
      ["sheets", "open_sheet select_range filter_rows sort_range finish"],
    ];
    for (const [domain, trace] of violations) expect(ltlAccepts(domain, trace.split(" ")), trace).toBe(false);
    // Not ending with finish, going on after it, or too many calls.
    expect(ltlAccepts("home", ["set_location"])).toBe(false);
    expect(ltlAccepts("home", ["finish", "set_location", "finish"])).toBe(false);
    expect(ltlAccepts("home", [...Array<string>(MAX_CALLS - 1).fill("set_location"), "finish"])).toBe(true);
    expect(ltlAccepts("home", [...Array<string>(MAX_CALLS).fill("set_location"), "finish"])).toBe(false);

    // Dropping any one step of a reference plan: whenever the spec rejects the result, the
    // environment answers some call of it with an error (the spec's rules are necessary conditions).
    let rejected = 0;
    for (const task of tasks) {
      const plan = task.referencePlan;
      for (let i = 0; i < plan.length - 1; i++) {
        const dropped = plan.filter((_, j) => j !== i);
        if (ltlAccepts(task.domain, traceOf(dropped))) continue;
        rejected++;
        expect(play(task, dropped).observations.some((o) => o.startsWith("error:")), `${task.id} without step ${i}`).toBe(true);
      }
    }
    expect(rejected).toBeGreaterThan(tasks.length);
  });

  it("accepts every random walk over the legal actions, none of which errs", () => {
    const rng = new Prng(11);
    for (const task of tasks.filter((_, i) => i % 4 === 0)) {
      for (let walk = 0; walk < 5; walk++) {
        const env = task.environment;
        let state = env.initial();
        while (!state.done) {
          const legal = env.legalActions(state);
          // Prefer calls over `finish` so that walks get long.
          const pick = rng.chance(0.1) ? legal[legal.length - 1]! : legal[rng.int(Math.max(1, legal.length - 1))]!;
          const outcome = env.stepSync(state, pick);
          expect(outcome.observation, `${task.id}: ${callKey(pick)}`).not.toMatch(/^error/);
          state = outcome.state;
        }
        const calls = state.history.map((h) => h.call);
        expect(calls.at(-1)!.api).toBe("finish");
        expect(ltlAccepts(task.domain, traceOf(calls)), `${task.id}: ${traceOf(calls).join(" ")}`).toBe(true);
      }
    }
  });
});

describe("SimulatedToolPolicy", () => {
  const task = byDomain("trip")[1]!;

  it("with accuracy 1 proposes the plan's next step and spends one model call and 20 tokens per sample", async () => {
    const policy = new SimulatedToolPolicy(task.environment, task.referencePlan, { accuracy: 1, samples: 5, random: () => 0.5 });
    const budget = new Budget();
    let state = task.environment.initial();
    for (const step of task.referencePlan) {
      const proposals = await policy.propose(state, 3, budget);
      expect(proposals).toEqual([{ action: step, frequency: 1 }]);
      state = (await task.environment.step(state, proposals[0]!.action)).state;
    }
    expect(task.judge(state).success).toBe(true);
    expect(budget.used.modelCalls).toBe(5 * task.referencePlan.length);
    expect(budget.used.tokens).toBe(20 * 5 * task.referencePlan.length);
  });

  it("proposes a premature finish with the probability it is given (a real model does), never with 0", async () => {
    const early = replay(task.environment, task.referencePlan.slice(0, 1));
    const share = async (pFinish: number) => {
      const rng = new Prng(11);
      const policy = new SimulatedToolPolicy(task.environment, task.referencePlan, { accuracy: 0, pFinish, samples: 1, random: () => rng.next() });
      let finishes = 0;
      for (let i = 0; i < 2000; i++) if ((await policy.propose(early, 1, new Budget()))[0]!.action.api === "finish") finishes++;
      return finishes / 2000;
    };
    expect(await share(0)).toBe(0);
    expect(Math.abs((await share(0.2)) - 0.2)).toBeLessThan(0.03);
    // The default is above 0: a finished episode is not always a success.
    const policy = new SimulatedToolPolicy(task.environment, task.referencePlan, { accuracy: 0.4, random: () => 0.5 });
    expect(policy.name).toMatch(/finish=0\.05/);
  });

  it("imagines the rest of the plan in one model call, and the simulated value judges trajectories on Koh et al.'s scale", async () => {
    const policy = new SimulatedToolPolicy(task.environment, task.referencePlan, { accuracy: 1, random: () => 0.5 });
    const budget = new Budget();
    const state = replay(task.environment, task.referencePlan.slice(0, 2));
    const imagined = await policy.imagine(state, budget);
    expect(imagined).toEqual(task.referencePlan.slice(2).map(callKey));
    expect(budget.used.modelCalls).toBe(1);
    expect(toolVerdict(task, state)).toBe(0.5);
    expect(toolVerdict(task, replay(task.environment, task.referencePlan))).toBe(1);
    expect(toolVerdict(task, replay(task.environment, [finishCall]))).toBe(0);
    const value = new SimulatedToolValue(task, { q: 1, random: () => 0.5 });
    const b = new Budget();
    expect(await value.score({ states: [state], actions: [], observations: [] }, b)).toBe(0.5);
    expect(b.byRole().value.calls).toBe(1);
  });

  it("proposes legal actions only, at most k, frequencies summing to at most 1, deterministic for a seed", async () => {
    const run = async (seed: number) => {
      const rng = new Prng(seed);
      const policy = new SimulatedToolPolicy(task.environment, task.referencePlan, { accuracy: 0.5, samples: 10, random: () => rng.next() });
      // (frequencies are shares of the 10 samples; the 4 most frequent are kept)
      const state = replay(task.environment, task.referencePlan.slice(0, 2));
      return policy.propose(state, 4, new Budget());
    };
    const proposals = await run(3);
    expect(proposals.length).toBeGreaterThan(0);
    expect(proposals.length).toBeLessThanOrEqual(4);
    const state = replay(task.environment, task.referencePlan.slice(0, 2));
    const legal = task.environment.legalActions(state).map(callKey);
    for (const p of proposals) expect(legal).toContain(callKey(p.action));
    expect(proposals.reduce((a, p) => a + p.frequency, 0)).toBeLessThanOrEqual(1 + 1e-9);
    for (let i = 1; i < proposals.length; i++) expect(proposals[i]!.frequency).toBeLessThanOrEqual(proposals[i - 1]!.frequency);
    expect(await run(3)).toEqual(proposals);
  });

  it("finds the plan's next step again after a detour", () => {
    const plan = task.referencePlan;
    const detour = replay(task.environment, [plan[0]!, { api: "get_weather", args: { city: "austin", day: 1 } }, { api: "pay", args: {} }]);
    expect(nextPlanStep(plan, detour)).toEqual(plan[1]);
  });

  it("with high accuracy mostly reaches the goal by following its top proposal", async () => {
    const rng = new Prng(5);
    let successes = 0;
    const sample = tasks.filter((_, i) => i % 10 === 0);
    for (const t of sample) {
      const policy = new SimulatedToolPolicy(t.environment, t.referencePlan, { accuracy: 0.8, samples: 5, random: () => rng.next() });
      let state = t.environment.initial();
      while (!state.done) {
        const [top] = await policy.propose(state, 1, new Budget());
        state = (await t.environment.step(state, top!.action)).state;
      }
      if (t.judge(state).success) successes++;
    }
    expect(successes / sample.length).toBeGreaterThan(0.7);
  });
});
