import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebRun } from "../../../src/envs/web/episode.js";
import { WebEnvironment, WebSearchTask } from "../../../src/envs/web/environment.js";
import { resolveStep, webTasks } from "../../../src/envs/web/tasks/index.js";
import { formatAction } from "../../../src/envs/web/actions.js";
import { observationText } from "../../../src/envs/web/drivers/driver.js";
import type { ShopState } from "../../../src/envs/web/sites/shop.js";

/**
 * The web task as the search layer sees it: an irreversible environment that backtracks by
 * resetting the site session and replaying the path, counting the replayed steps apart.
 */
let run: WebRun;
beforeAll(async () => {
  run = await WebRun.start({ driver: "fast", seed: 1 });
});
afterAll(async () => {
  await run.close();
});

describe("the web environment for search", () => {
  it("branches by reset and replay: stepping a sibling replays the prefix in a fresh session, the old branch's order is not in it", async () => {
    const task = webTasks(1).tasks.find((t) => t.family === "buy-named")!;
    const env = await WebEnvironment.create(run, task);
    expect(env.reversible).toBe(false);
    let state = env.initial();
    const path = [];
    // Follow the reference plan up to the order.
    for (const step of task.plan.slice(0, -1)) {
      const action = formatAction(resolveStep(step, state.observation, run.sites.shop.origin)!);
      path.push(state);
      state = (await env.step(state, action)).state;
    }
    const ordered = state;
    expect((ordered.siteState as ShopState).orders).toHaveLength(1);
    expect(env.replay).toMatchObject({ resets: 1, replayedSteps: 0 });
    // Back to the cart page's state: a sibling branch. The live episode is past it, so the
    // environment resets (a new session) and replays the path to the cart.
    const cart = path.at(-2)!;
    const sibling = await env.step(cart, "go_back");
    expect(env.replay.resets).toBe(2);
    expect(env.replay.replayedSteps).toBe(cart.actions.length);
    expect((sibling.state.siteState as ShopState).orders).toHaveLength(0);
    // The replayed page is the page the first branch saw there.
    const again = await env.step(path.at(-1)!, "scroll [down]");
    expect(observationText(again.state.observation)).toBe(observationText(path.at(-1)!.observation));
    // The first branch is judged on its own copy of the site's state.
    expect(new WebSearchTask(env).judge({ ...ordered, answer: "done" }).success).toBe(true);
    expect(new WebSearchTask(env).judge(sibling.state).success).toBe(false);
    expect(env.stateKey(ordered)).not.toBe(env.stateKey(sibling.state));
    expect(env.legalActions(env.initial())).toContain("go_back");
    expect(env.renderTrajectory(ordered)).toContain(`OBJECTIVE: ${task.intent}`);
    await env.close();
  }, 60_000);
});
