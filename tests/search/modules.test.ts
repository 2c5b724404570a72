import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnvironmentModule, loadStrategyModule, ModuleShapeError } from "../../src/search/modules.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ltlguard-modules-"));
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A counter environment as a user would write it: reach 3 by +1 steps. */
const COUNTER = `
const environment = {
  name: "counter", reversible: true,
  initial: () => 0,
  legalActions: (n: number) => (n >= 3 ? [] : ["+1", "+2"]),
  step: async (n: number, a: string) => ({ state: n + (a === "+1" ? 1 : 2), done: n + (a === "+1" ? 1 : 2) >= 3 }),
  stateKey: (n: number) => String(n), actionKey: (a: string) => a, describe: (a: string) => a,
  text: { task: () => "Count to 3.", state: (n: number) => "at " + n, action: (a: string) => a },
};
export default {
  name: "counter",
  tasks: () => [{ id: "c1", environment, judge: (n: number) => ({ success: n === 3, score: n === 3 ? 1 : 0 }) }],
  policy: () => ({ name: "always-plus-one", propose: async () => [{ action: "+1", frequency: 1 }] }),
};
`;

async function refused(load: () => Promise<unknown>): Promise<string> {
  try {
    await load();
  } catch (error) {
    expect(error).toBeInstanceOf(ModuleShapeError);
    return (error as Error).message;
  }
  throw new Error("the module was accepted");
}

describe("user environment and strategy modules", () => {
  it("a TypeScript environment module and a JavaScript strategy factory load, keep their shape and run", async () => {
    const env = await loadEnvironmentModule(file("counter.ts", COUNTER));
    expect(env.name).toBe("counter");
    const [task] = env.tasks();
    expect(task!.id).toBe("c1");
    const strategyFile = file(
      "walk.mjs",
      `export default (parameters) => ({
        name: "walk",
        async search(problem, budget) {
          let state = problem.environment.initial(); const actions = []; let done = false;
          for (let i = 0; i < (parameters.steps ?? 10) && !done; i++) {
            const [best] = await problem.policy.propose(state, 1, budget);
            const outcome = await problem.environment.step(state, best.action);
            actions.push(best.action); state = outcome.state; done = outcome.done;
          }
          return { actions, finalState: state, done, stop: done ? "done" : "budget", tree: [], spent: budget.snapshot() };
        },
      });`,
    );
    const strategy = await loadStrategyModule(strategyFile, { steps: 5 });
    expect(strategy.name).toBe("walk");
    const policy = env.policy!(task!, 1);
    const { Budget } = await import("../../src/search/types.js");
    const result = await strategy.search({ environment: task!.environment, policy, random: () => 0.5 }, new Budget());
    expect(result.actions).toEqual(["+1", "+1", "+1"]);
    expect(task!.judge(result.finalState).success).toBe(true);
  }, 60_000);

  it("named exports and async factories work too", async () => {
    const named = file(
      "named.mjs",
      `const environment = { name: "one", reversible: true, initial: () => 0, legalActions: () => [], step: async (s) => ({ state: s, done: true }),
        stateKey: String, actionKey: String, describe: String };
      export const environment_ = 0;
      export { makeEnvironment as environment };
      async function makeEnvironment() { return { name: "one", tasks: () => [{ id: "t", environment, judge: () => ({ success: true, score: 1 }) }] }; }
      export const strategy = { name: "noop", search: async () => { throw new Error("unused"); } };`,
    );
    expect((await loadEnvironmentModule(named)).name).toBe("one");
    expect((await loadStrategyModule(named)).name).toBe("noop");
  });

  it("bad modules are clear errors naming the file and what is wrong", async () => {
    expect(await refused(() => loadEnvironmentModule(join(dir, "missing.ts")))).toMatch(/missing\.ts: no such file/);
    expect(await refused(() => loadEnvironmentModule(file("throws.mjs", "throw new Error('database offline');")))).toMatch(/throws\.mjs: could not load the module: database offline/);
    expect(await refused(() => loadEnvironmentModule(file("syntax.ts", "export default {")))).toMatch(/syntax\.ts: could not load the module/);
    expect(await refused(() => loadEnvironmentModule(file("nothing.mjs", "export const x = 1;")))).toMatch(/expected `export default \{ name, tasks\(\), … \}`/);
    expect(await refused(() => loadEnvironmentModule(file("noname.mjs", "export default { tasks: () => [] };")))).toMatch(/'name' must be a plain name/);
    expect(await refused(() => loadEnvironmentModule(file("notasks.mjs", "export default { name: 'x', tasks: () => [] };")))).toMatch(/non-empty array of tasks/);
    expect(await refused(() => loadEnvironmentModule(file("taskthrows.mjs", "export default { name: 'x', tasks: () => { throw new Error('no data'); } };")))).toMatch(/tasks\(\) threw: no data/);
    const noStep = COUNTER.replace(/step: async[^\n]*\n/, "");
    expect(await refused(() => loadEnvironmentModule(file("nostep.ts", noStep)))).toMatch(/task 'c1': the environment has no method 'step'/);
    const noState = COUNTER.replace('state: (n: number) => "at " + n, ', "");
    expect(await refused(() => loadEnvironmentModule(file("notext.ts", noState)))).toMatch(/task 'c1': the environment's text has no method 'state'/);
    const noJudge = COUNTER.replace(/judge: [^}]*}\) /, "");
    expect(await refused(() => loadEnvironmentModule(file("nojudge.ts", noJudge)))).toMatch(/task 'c1': 'judge' must be a function/);
    const twice = COUNTER.replace("tasks: () => [{", "tasks: () => [{ id: 'c1', environment, judge: () => ({ success: true, score: 1 }) }, {");
    expect(await refused(() => loadEnvironmentModule(file("twice.ts", twice)))).toMatch(/two tasks have the id 'c1'/);
    expect(await refused(() => loadEnvironmentModule(file("badpolicy.mjs", "export default { name: 'x', policy: 3, tasks: () => [] };")))).toMatch(/'policy' must be a function/);

    expect(await refused(() => loadStrategyModule(file("nosearch.mjs", "export default { name: 'x' };")))).toMatch(/'search' must be a function/);
    expect(await refused(() => loadStrategyModule(file("factorythrows.mjs", "export default () => { throw new Error('bad parameter b'); };")))).toMatch(/the strategy factory threw: bad parameter b/);
    expect(await refused(() => loadStrategyModule(file("strategythrows.ts", "throw new Error('boom');")))).toMatch(/strategythrows\.ts: could not load the module: boom/);
  }, 60_000);
});
