import { describe, expect, it } from "vitest";
import { createGame24Task, generateSortingProblem, SimulatedThoughtOperator, ThoughtGraphEnvironment, type Game24Environment } from "../../src/envs/index.js";
import { generateToolTasks } from "../../src/envs/tool-planning.js";
import { extendTrajectory, renderTrajectory, startTrajectory } from "../../src/search/text.js";

describe("trajectories as text (for model-backed roles)", () => {
  it("renders the task, each action with its observation, and the current state, for every environment", async () => {
    const game = createGame24Task([4, 6, 1, 1]).environment as Game24Environment;
    const s0 = game.initial();
    const action = game.legalActions(s0)[0]!;
    const out = await game.step(s0, action);
    const text = renderTrajectory(game.text, extendTrajectory(startTrajectory(s0), action, out.state, out.observation));
    expect(text).toMatch(/^Task: Use the numbers 4 6 1 1/);
    expect(text).toContain(`Step 1: ${game.describe(action)}`);
    expect(text).toContain(`Observation: ${out.observation}`);
    expect(text).toMatch(/State: left: /);

    const tool = generateToolTasks()[0]!;
    const t0 = tool.environment.initial();
    const call = tool.referencePlan[0]!;
    const next = tool.environment.stepSync(t0, call);
    const toolText = renderTrajectory(tool.environment.text, extendTrajectory(startTrajectory(t0), call, next.state, next.observation));
    expect(toolText.split("\n")[0]).toBe(`Task: ${tool.instruction}`);
    expect(toolText).toContain("State: 1 call(s) made; last: set_location");

    const graph = new ThoughtGraphEnvironment(generateSortingProblem(8, 1), new SimulatedThoughtOperator());
    expect(renderTrajectory(graph.text, startTrajectory(graph.initial()))).toContain("State: #0[0,8) unsolved");
    // Only the last steps, when asked.
    const long = [1, 2, 3].reduce((t, i) => extendTrajectory(t, call, t0, `o${i}`), startTrajectory(t0));
    expect(renderTrajectory(tool.environment.text, long, { lastSteps: 1 })).toContain("(2 earlier steps not shown)");
  });
});
