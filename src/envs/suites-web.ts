/**
 * The web sites as benchmark suites: `web-shop`, `web-flights` and `web-forum` (the wiki, whose
 * talk pages are its forum). Each draws from its site's test split (the tasks that need the
 * page's JavaScript only with `--driver chromium`), under the site's web policy
 * (specs/web-<site>.ltl), on the fast driver by default. The budget unit is model calls, as for
 * tool planning; environment steps, replays included, are reported beside it.
 *
 * One run of sites (and at most one browser) serves every web suite of a bench run; each episode
 * opens its own site session and driver (browser context) and closes them when released.
 *
 * Roles: simulated ones (`simulated-roles.ts`, error models documented there; `--right-rate` sets
 * the policy's pRight), or with a model the constrained decoder writes each action under the
 * step's language (`WebDecoderPolicy`) and the model plays the other roles it is given through
 * the environment's text.
 */
import { bestFirst } from "../search/best-first.js";
import type { BenchSuite } from "../search/bench.js";
import { mcts } from "../search/mcts.js";
import type { ModelRoles } from "../search/roles/model-roles.js";
import type { SearchProblem, Task } from "../search/types.js";
import { WebDecoderPolicy, WebEnvironment, WebSearchTask, type WebState } from "./web/environment.js";
import { WebRun } from "./web/episode.js";
import { ActionSyntaxError, parseAction } from "./web/actions.js";
import type { WebDriver } from "./web/drivers/driver.js";
import { SESSION_COOKIE } from "./web/sites/index.js";
import type { WebTask } from "./web/tasks/types.js";
import { webPolicyPath } from "./web/injection/suite.js";
import { WebActionDecoder } from "./web/policy/step-decoder.js";
import { loadWebPolicyFile, type WebPolicy } from "./web/policy/spec.js";
import { SimulatedWebCritic, SimulatedWebPolicy, SimulatedWebValue, SimulatedWebWorldModel, WebOracle, WebReference } from "./web/simulated-roles.js";
import type { SiteName } from "./web/sites/index.js";
import { MODEL_CALLS_UNIT, roleRandom, withModel, type SimulationOptions, type SuiteFactory } from "./suite-common.js";

/** The web suites' names and sites. */
export const WEB_SUITES: readonly { readonly name: string; readonly site: SiteName; readonly description: string }[] = [
  { name: "web-shop", site: "shop", description: "the shop site (search, product options, cart, checkout), test split" },
  { name: "web-flights", site: "flights", description: "the flight site (search, filters, fares, booking), test split" },
  { name: "web-forum", site: "wiki", description: "the wiki and its talk pages as a forum (facts, two hops, posts), test split" },
];

/** Defaults of the web suites' simulated roles (see `web/simulated-roles.ts`). */
export const WEB_SIMULATION = { pRight: 0.5, pDecoy: 0.3, valueQ: 0.8, criticQ: 0.8, worldModelR: 0.2, samples: 5 } as const;

/** Most actions of a web episode (the environment counts it done after this many). */
const MAX_STEPS = 20;

/** The runs of sites in use, by driver: shared by the suites of one process, closed with the last. */
const shared = new Map<string, { run: Promise<WebRun>; users: number }>();

async function acquire(driver: "fast" | "chromium"): Promise<WebRun> {
  let entry = shared.get(driver);
  if (entry === undefined) {
    entry = { run: WebRun.start({ driver: driver === "chromium" ? "browser" : "fast", seed: 1 }), users: 0 };
    shared.set(driver, entry);
  }
  entry.users++;
  try {
    return await entry.run;
  } catch (error) {
    await release(driver);
    throw error;
  }
}

async function release(driver: "fast" | "chromium"): Promise<void> {
  const entry = shared.get(driver);
  if (entry === undefined) return;
  if (--entry.users > 0) return;
  shared.delete(driver);
  await (await entry.run.catch(() => undefined))?.close();
}

/** The run of sites the web suites of this process share for a driver, while any is open (tests, benchmarks). */
export async function sharedWebRun(driver: "fast" | "chromium"): Promise<WebRun | undefined> {
  return shared.get(driver)?.run;
}

/** What a web problem holds open (closed by `release`). */
interface Opened {
  readonly env: WebEnvironment;
  readonly oracle?: WebOracle;
}

/**
 * Screenshots of a path on Chromium: the path replayed in a fresh session and browser context (the
 * run's browser, or one started for this and closed), a full-page PNG at the start and after each
 * action.
 */
async function screenshots(run: WebRun, task: WebTask, actions: readonly string[]): Promise<{ caption: string; png: Uint8Array }[]> {
  const browserRun = run.options.driver === "browser" ? run : await WebRun.start({ driver: "browser", sites: run.sites, seed: 1 });
  const server = run.sites.server(task.site);
  let driver: WebDriver | undefined;
  try {
    driver = await browserRun.driver();
    const start = await driver.start(server.origin + task.startPath, { origin: server.origin, name: SESSION_COOKIE, value: server.createSession() });
    const shots = [{ caption: `start: ${start.title} (${start.url})`, png: await driver.screenshot!() }];
    for (const [i, text] of actions.entries()) {
      let caption: string;
      try {
        const result = await driver.act(parseAction(text));
        caption = `${i + 1}. ${text} → ${result.error ?? (result.answer !== undefined ? `answer "${result.answer}"` : `${result.observation.title} (${result.observation.url})`)}`;
      } catch (error) {
        if (!(error instanceof ActionSyntaxError)) throw error;
        caption = `${i + 1}. ${text} → not an action (${error.message})`;
      }
      shots.push({ caption, png: await driver.screenshot!() });
    }
    return shots;
  } finally {
    await driver?.close();
    if (browserRun !== run) await browserRun.close();
  }
}

export function webSuites(): SuiteFactory[] {
  return WEB_SUITES.map(({ name, site, description }) => ({
    name,
    description: `${description} (${MODEL_CALLS_UNIT})`,
    policies: ["simulated", "llama"],
    async create(policyKind, simulation: SimulationOptions = {}, model?: ModelRoles) {
      if (policyKind === "llama" && model === undefined) throw new Error(`${name}: the llama policy runs on the run's model (give ModelRoles)`);
      const driver = simulation.driver ?? "fast";
      // The oracle (reference path, world model) runs on the same driver as the search, so that a
      // page the search sees and the page the oracle knows are the same tree.
      const run = await acquire(driver);
      const oracleRun = run;
      const policy: WebPolicy = loadWebPolicyFile(webPolicyPath(site));
      const envOptions = { policy, maxSteps: MAX_STEPS };
      const tasks: Task<WebState, string>[] = run.tasks
        .bySite(site)
        .filter((t) => t.split === "test" && (driver === "chromium" || !t.requiresBrowser))
        .map((t) => {
          const judge = new WebSearchTask(WebEnvironment.unopened(run, t, envOptions));
          return { id: t.id, environment: judge.environment, judge: (s: WebState) => judge.judge(s), statement: t.intent };
        });
      const references = new Map<string, Promise<WebReference>>();
      const reference = (task: Task<WebState, string>): Promise<WebReference> => {
        let known = references.get(task.id);
        if (known === undefined) {
          known = WebReference.create(oracleRun, run.tasks.task(task.id), envOptions);
          references.set(task.id, known);
        }
        return known;
      };
      const decoder = policyKind === "llama" ? new WebActionDecoder(model!.backend) : undefined;
      const opened = new WeakMap<object, Opened>();
      const pRight = simulation.rightRate ?? WEB_SIMULATION.pRight;
      const suite: BenchSuite<WebState, string> = {
        name,
        tasks: () => tasks,
        problem: () => {
          throw new Error(`${name}: a web problem opens a site session first (openProblem)`);
        },
        async openProblem(task, seed): Promise<SearchProblem<WebState, string>> {
          const web = run.tasks.task(task.id);
          const env = await WebEnvironment.create(run, web, envOptions);
          let oracle: WebOracle | undefined;
          try {
            const ref = await reference(task);
            oracle = await WebOracle.create(oracleRun, ref, envOptions);
            const problem: SearchProblem<WebState, string> = withModel(model, {
              environment: env,
              policy:
                decoder !== undefined
                  ? new WebDecoderPolicy(decoder, policy, { seed, samples: WEB_SIMULATION.samples })
                  : new SimulatedWebPolicy(ref, env, policy, roleRandom(task.id, seed, 1), { pRight, pDecoy: Math.min(WEB_SIMULATION.pDecoy, 1 - pRight), samples: WEB_SIMULATION.samples }),
              value: new SimulatedWebValue(ref, roleRandom(task.id, seed, 2), WEB_SIMULATION.valueQ),
              worldModel: new SimulatedWebWorldModel(oracle, env, roleRandom(task.id, seed, 3), WEB_SIMULATION.worldModelR),
              critic: new SimulatedWebCritic(ref, roleRandom(task.id, seed, 5), WEB_SIMULATION.criticQ),
              random: roleRandom(task.id, seed, 4),
            });
            opened.set(problem, { env, oracle });
            return problem;
          } catch (error) {
            await oracle?.close();
            await env.close();
            throw error;
          }
        },
        async release(problem) {
          const open = opened.get(problem);
          await open?.oracle?.close();
          await open?.env.close();
        },
        limits: (amount) => ({ modelCalls: amount }),
        budgetResource: "modelCalls",
        budgetUnit: MODEL_CALLS_UNIT,
        strategies: ["greedy", "best-first", "mcts", "simura", "beam"],
        // MCTS runs until the budget is spent; both search at most an episode's length deep.
        strategy: (strategyName, parameters) =>
          strategyName === "mcts" ? mcts({ iterations: Infinity, maxDepth: MAX_STEPS, ...parameters }) : strategyName === "best-first" ? bestFirst({ maxSteps: MAX_STEPS, ...parameters }) : undefined,
        pictures: (task, actions) => screenshots(run, run.tasks.task(task.id), actions),
        close: () => release(driver),
      };
      return suite as unknown as BenchSuite;
    },
  }));
}
