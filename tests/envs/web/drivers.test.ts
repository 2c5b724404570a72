import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChromiumBrowser, chromiumAvailable, type BrowserDriver } from "../../../src/envs/web/drivers/browser.js";
import { FastDriver } from "../../../src/envs/web/drivers/fast.js";
import { observationText, type WebDriver } from "../../../src/envs/web/drivers/driver.js";
import { formatAction, parseAction, type WebAction } from "../../../src/envs/web/actions.js";
import { PlanAgent, WebRun } from "../../../src/envs/web/episode.js";
import { SESSION_COOKIE, startSites, type RunningSites, type SiteName } from "../../../src/envs/web/sites/index.js";
import { evaluateTask, resolveStep, webTasks, type WebTask } from "../../../src/envs/web/tasks/index.js";

/**
 * The real browser against the fast driver: the same action sequences on the same sites must
 * give the same observations (text, ids) and the same outcomes, on pages without client-side
 * JavaScript; pages whose content JavaScript changes differ, and only the browser sees the
 * change. Chromium is Debian's (`.ci/run` installs it).
 */

const tasks = webTasks(1);
let sites: RunningSites;
let browser: ChromiumBrowser;

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error("Chromium is not installed (apt-get install chromium, or set LTLGUARD_CHROMIUM)");
  sites = await startSites({ seed: 1 });
  browser = await ChromiumBrowser.launch();
});
afterAll(async () => {
  await browser?.close();
  await sites?.close();
});

async function startBoth(site: SiteName, path: string): Promise<{ fast: WebDriver; real: WebDriver; sessions: [string, string] }> {
  const server = sites.server(site);
  const sessions: [string, string] = [server.createSession(), server.createSession()];
  const fast = new FastDriver();
  const real = browser.driver();
  await fast.start(server.origin + path, { origin: server.origin, name: SESSION_COOKIE, value: sessions[0] });
  await real.start(server.origin + path, { origin: server.origin, name: SESSION_COOKIE, value: sessions[1] });
  return { fast, real, sessions };
}

/** Runs a task's plan on both drivers (with detours: an invalid action, going back and forth), comparing every observation. */
async function compare(task: WebTask): Promise<void> {
  const { fast, real, sessions } = await startBoth(task.site, task.startPath);
  const server = sites.server(task.site);
  try {
    expect(observationText(real.current())).toBe(observationText(fast.current()));
    const answers: (string | undefined)[] = [undefined, undefined];
    for (const [i, step] of task.plan.entries()) {
      const action = resolveStep(step, fast.current(), server.origin);
      expect(action, `${task.id} step ${i + 1}`).toBeDefined();
      const detours: WebAction[] = i === 1 ? [{ kind: "click", id: 99999 }, { kind: "scroll", direction: "down" }] : [];
      for (const a of [...detours, action!]) {
        const [rf, rr] = [await fast.act(a), await real.act(a)];
        expect(observationText(rr.observation, rr.error), `${task.id} after ${formatAction(a)}`).toBe(observationText(rf.observation, rf.error));
        if (rf.answer !== undefined) answers[0] = rf.answer;
        if (rr.answer !== undefined) answers[1] = rr.answer;
      }
    }
    const judge = (k: 0 | 1, driver: WebDriver) => evaluateTask(task, { answer: answers[k], url: driver.current().url, state: server.state(sessions[k]) as never }, { catalog: tasks.catalog });
    const [jf, jr] = [judge(0, fast), judge(1, real)];
    expect(jr).toEqual(jf);
    expect(jf.success).toBe(true);
  } finally {
    await fast.close();
    await real.close();
  }
}

describe("the browser and the fast driver", () => {
  const families = ["buy-named", "cheapest-url", "book-cheapest-nonstop", "airline-price", "two-hop", "talk-post"];
  for (const family of families) {
    const task = tasks.tasks.find((t) => t.family === family && !t.requiresBrowser)!;
    it(`observe the same pages and reach the same outcome: ${task.id}`, async () => {
      await compare(task);
    }, 60_000);
  }

  it("answer invalid actions and impossible navigation with the same error texts", async () => {
    const { fast, real } = await startBoth("wiki", "/");
    try {
      for (const text of ["go_back", "type [2] [x] [1]", "select [3] [x]", "goto [javascript:alert(1)]", "click [0]"]) {
        const a = parseAction(text);
        const [rf, rr] = [await fast.act(a), await real.act(a)];
        expect(rf.error, text).toMatch(/is invalid/);
        expect(rr.error).toBe(rf.error);
        expect(observationText(rr.observation)).toBe(observationText(rf.observation));
      }
    } finally {
      await fast.close();
      await real.close();
    }
  }, 60_000);

  it("differ where the page's JavaScript changes it: only the browser shows the hidden reviews and the instant filter", async () => {
    const task = tasks.tasks.find((t) => t.family === "hidden-review")!;
    const { fast, real } = await startBoth("shop", "/");
    try {
      const author = (task.plan.at(-1) as { answer: string }).answer;
      for (const step of task.plan.slice(0, -1)) {
        const a = resolveStep(step, real.current(), sites.shop.origin)!;
        await fast.act(a);
        await real.act(a);
      }
      const hiddenCount = (text: string) => (text.match(/Rating: \d out of 5 — by /g) ?? []).length;
      expect(hiddenCount(real.current().treeText)).toBeGreaterThan(hiddenCount(fast.current().treeText));
      expect(real.current().treeText).toContain(author);
    } finally {
      await fast.close();
      await real.close();
    }
    const filter = tasks.tasks.find((t) => t.family === "instant-filter" && t.site === "flights")!;
    const { fast: f2, real: r2 } = await startBoth("flights", "/");
    try {
      for (const step of filter.plan.slice(0, -1)) {
        const a = resolveStep(step, r2.current(), sites.flights.origin)!;
        await f2.act(a);
        await r2.act(a);
      }
      const answer = (filter.plan.at(-1) as { answer: string }).answer;
      expect(r2.current().treeText).toMatch(new RegExp(`Showing ${answer} of \\d+ flights`));
      expect(f2.current().treeText).not.toMatch(new RegExp(`Showing ${answer} of \\d+ flights`));
    } finally {
      await f2.close();
      await r2.close();
    }
  }, 60_000);

  it("takes screenshots on request", async () => {
    const { fast, real } = await startBoth("shop", "/");
    const png = await real.screenshot!();
    expect([...png.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    await fast.close();
    await real.close();
  });
});

describe("reliability with the browser", () => {
  it("records a browser crash, a page timeout and a server error as episode errors, and the run goes on with a fresh browser", async () => {
    const run = await WebRun.start({ driver: "browser", seed: 1, pageTimeoutMs: 4000 });
    try {
      const task = tasks.tasks.find((t) => t.family === "buy-named")!;
      const crashed = await run.episode(task, new PlanAgent(), {
        afterStep: async (_, i) => {
          if (i === 1) await (await run.chromium()).killForTesting();
        },
      });
      expect(crashed.failure?.kind).toBe("crash");
      expect(crashed.steps.length).toBe(2);
      const after = await run.episode(task, new PlanAgent());
      expect(after.failure).toBeUndefined();
      expect(after.evaluation?.success).toBe(true);
      expect(run.restarts).toBe(1);

      run.sites.shop.faults.push({ path: /^\/cart$/, kind: "hang", times: 1 });
      const slow = await run.episode(task, new PlanAgent());
      expect(slow.failure?.kind).toBe("timeout");

      run.sites.shop.faults.push({ path: /^\/checkout$/, kind: "error", times: 1 });
      const broken = await run.episode(task, new PlanAgent());
      expect(broken.failure?.kind).toBe("server");

      const again = await run.episode(task, new PlanAgent());
      expect(again.evaluation?.success).toBe(true);
    } finally {
      await run.close();
    }
  }, 120_000);

  it("a renderer crash mid-episode is an episode error too", async () => {
    const run = await WebRun.start({ driver: "browser", seed: 1 });
    try {
      const task = tasks.tasks.find((t) => t.family === "fact")!;
      const record = await run.episode(task, new PlanAgent(), {
        afterStep: async (_, i, driver) => {
          if (i === 0) await (driver as BrowserDriver).crashPageForTesting();
        },
      });
      expect(record.failure?.kind).toBe("crash");
      const next = await run.episode(task, new PlanAgent());
      expect(next.evaluation?.success).toBe(true);
    } finally {
      await run.close();
    }
  }, 120_000);
});
