import { describe, expect, it } from "vitest";
import { LiveToolEnvironment } from "../../src/envs/tool-planning-live.js";
import { argumentRole, memoryFrom, planKeys, toolMemoryKey } from "../../src/envs/tool-planning-memory.js";
import { SimulatedToolPolicy } from "../../src/envs/tool-planning-policy.js";
import { generateToolTasks, replay } from "../../src/envs/tool-planning.js";
import { callKey, type ToolCall } from "../../src/envs/tool-planning-apis.js";
import { bfs } from "../../src/search/bfs.js";
import { seededRandom } from "../../src/search/random.js";
import { Budget } from "../../src/search/types.js";

const tasks = generateToolTasks();
const trip = tasks.find((t) => t.kind === "flight")!;

describe("tool planning on a live session (irreversible)", () => {
  it("acts on one session: stepping from a state it is not in is refused; a reset starts a fresh sandbox", async () => {
    const live = new LiveToolEnvironment(trip.environment);
    expect(live.reversible).toBe(false);
    let state = live.initial();
    for (const call of trip.referencePlan) state = (await live.step(state, call)).state;
    expect(trip.judge(state).success).toBe(true);
    // Paying again from an earlier state would need that state back: refused.
    const earlier = replay(trip.environment, trip.referencePlan.slice(0, 2));
    await expect(live.step(earlier, trip.referencePlan[2]!)).rejects.toThrow(/reset and replay/);
    const fresh = live.initial();
    expect(live.resets).toBe(2);
    expect(live.stateKey(fresh)).toBe(trip.environment.stateKey(trip.environment.initial()));
  });

  it("a search backtracks by reset and replay, reaching what branching reaches, every replayed call counted", async () => {
    const problem = (environment: typeof trip.environment | LiveToolEnvironment) => ({
      environment,
      policy: new SimulatedToolPolicy(trip.environment, trip.referencePlan, { accuracy: 0.4, pFinish: 0, samples: 3, random: seededRandom(3) }),
      random: seededRandom(4),
    });
    const direct = await bfs({ k: 3 }).search(problem(trip.environment), new Budget({ modelCalls: 120 }));
    const live = new LiveToolEnvironment(trip.environment);
    const replayed = await bfs({ k: 3 }).search(problem(live), new Budget({ modelCalls: 120 }));
    expect((replayed.actions as ToolCall[]).map(callKey)).toEqual((direct.actions as ToolCall[]).map(callKey));
    expect(replayed.tree).toEqual(direct.tree);
    expect(replayed.replaySteps).toBeGreaterThan(0);
    expect(replayed.spent.envSteps).toBe(direct.spent.envSteps + replayed.replaySteps!);
    expect(live.calls).toBe(replayed.spent.envSteps);
    expect(live.resets).toBeGreaterThan(1);
  });
});

describe("ToolChain*'s memory keys for tool planning", () => {
  it("keys arguments by their role (from the task statement, observed, other), not their literal value", () => {
    const home = tasks.find((t) => t.kind === "visit-cheapest")!;
    const keys = planKeys(home, home.referencePlan, "roles");
    expect(keys[0]).toBe("set_location(city=task)");
    expect(keys).toContain("schedule_visit(day=task,listing_id=observed)");
    expect(keys.at(-1)).toBe("finish()");
    // Another task of the same template has other cities, ids and days, but the same keys.
    const other = tasks.filter((t) => t.kind === "visit-cheapest")[3]!;
    expect(planKeys(other, other.referencePlan, "roles")).toEqual(keys);
    expect(planKeys(other, other.referencePlan, "literal")).not.toEqual(planKeys(home, home.referencePlan, "literal"));
    expect(planKeys(home, home.referencePlan, "api")).toEqual(home.referencePlan.map((c) => c.api));
    // A distractor city (offered, but not in the statement) is "other".
    const distractor = home.environment.hints.cities.find((c) => !home.instruction.toLowerCase().includes(c))!;
    expect(argumentRole(distractor, new Set(home.instruction.toLowerCase().split(/\s+/)), home.environment.initial())).toBe("other");
    expect(toolMemoryKey("roles", home.instruction)(home.environment.initial(), { api: "set_location", args: { city: distractor } })).toBe("set_location(city=other)");
  });

  it("a memory from one template's train tasks matches another's test plan fully by roles, hardly at all by literal calls", () => {
    const kind = tasks.filter((t) => t.kind === "flight");
    const train = kind.filter((t) => t.split === "train");
    const test = kind.find((t) => t.split === "test")!;
    expect(memoryFrom(train, "roles").similarity(planKeys(test, test.referencePlan, "roles"))).toBe(1);
    expect(memoryFrom(train, "literal").similarity(planKeys(test, test.referencePlan, "literal"))).toBeLessThan(1);
  });
});
