import { ActionSyntaxError, formatAction, parseAction, type WebAction } from "./actions.js";
import { ChromiumBrowser } from "./drivers/browser.js";
import { WebDriverError, type DriverFailure, type DriverOptions, type WebDriver, type WebObservation } from "./drivers/driver.js";
import { FastDriver } from "./drivers/fast.js";
import { SESSION_COOKIE, startSites, type RunningSites, type SitesOptions } from "./sites/index.js";
import type { ElementInfo } from "./dom/accessibility.js";
import type { PageContext } from "./policy/events.js";
import { evaluateTask, resolveStep, webTasks, type Evaluation, type WebTask, type WebTaskSet } from "./tasks/index.js";

/**
 * Episodes on the sites, and a run of many: one browser per run (started lazily, started again
 * after a crash), a fresh browser context and site session per episode, always closed. A browser
 * crash, a page timeout or a server error mid-episode ends that episode with its error recorded
 * and the run goes on; an invalid action is not an error (it is answered with an error text).
 */

export type DriverKind = "browser" | "fast";

/** What an agent sees at each step. */
export interface AgentView {
  readonly task: WebTask;
  readonly observation: WebObservation;
  /** The error text of the previous action, if it was invalid. */
  readonly error: string | undefined;
  readonly history: readonly StepRecord[];
  /** The site's origin (for resolving paths). */
  readonly origin: string;
}

/**
 * An agent writes the next action: as text (parsed; a syntax error becomes an error observation)
 * or as an action; undefined ends the episode without an answer (e.g. the model ran out of tokens).
 */
export interface WebAgent {
  next(view: AgentView): Promise<string | WebAction | undefined>;
}

/** An action the driver carried out, with the facts a policy (or an auditor) judges it by. */
export interface ExecutedAction {
  readonly action: WebAction;
  /** The page it was taken on. */
  readonly page: PageContext;
  /** The element it named (click, type, select). */
  readonly element: ElementInfo | undefined;
}

export interface StepRecord {
  /** The action text as written (or formatted). */
  readonly action: string;
  readonly error?: string;
  /** Set when the action was carried out (not for syntax errors and invalid actions). */
  readonly executed?: ExecutedAction;
  /** The URL after the step. */
  readonly url: string;
  readonly ms: number;
}

export interface EpisodeRecord {
  readonly taskId: string;
  readonly driver: DriverKind;
  readonly steps: readonly StepRecord[];
  readonly answer: string | undefined;
  readonly finalUrl: string;
  /** Undefined when the episode failed (see `failure`). */
  readonly evaluation: Evaluation | undefined;
  readonly failure?: { readonly kind: DriverFailure; readonly message: string };
  readonly ms: number;
  /** The site session the episode ran in (its state is what was judged). */
  readonly session: string;
}

export interface WebRunOptions extends DriverOptions {
  readonly driver: DriverKind;
  /** Sites to use; started (and closed with the run) when not given. */
  readonly sites?: RunningSites;
  readonly sitesOptions?: SitesOptions;
  readonly seed?: number;
}

export interface EpisodeOptions {
  /** Most actions (default 30). */
  readonly maxSteps?: number;
  /** Called after every step (e.g. to crash the browser in the reliability tests). */
  readonly afterStep?: (step: StepRecord, index: number, driver: WebDriver) => Promise<void> | void;
}

export class WebRun {
  private browser: ChromiumBrowser | undefined;
  /** Browsers started again after a crash. */
  restarts = 0;

  private constructor(
    readonly sites: RunningSites,
    private readonly ownsSites: boolean,
    readonly tasks: WebTaskSet,
    readonly options: WebRunOptions,
  ) {}

  static async start(options: WebRunOptions): Promise<WebRun> {
    const seed = options.seed ?? 1;
    const sites = options.sites ?? (await startSites({ ...options.sitesOptions, seed }));
    return new WebRun(sites, options.sites === undefined, webTasks(seed), options);
  }

  /** The Chromium of this run (launched on first use, relaunched if it died). */
  async chromium(): Promise<ChromiumBrowser> {
    if (this.browser === undefined) this.browser = await ChromiumBrowser.launch();
    else if (await this.browser.ensureRunning()) this.restarts++;
    return this.browser;
  }

  /** A driver for one episode (a new browser context, or a new fast driver). */
  async driver(): Promise<WebDriver> {
    return this.options.driver === "browser" ? (await this.chromium()).driver(this.options) : new FastDriver(this.options);
  }

  async episode(task: WebTask, agent: WebAgent, options: EpisodeOptions = {}): Promise<EpisodeRecord> {
    const server = this.sites.server(task.site);
    const session = server.createSession();
    const started = performance.now();
    const steps: StepRecord[] = [];
    let answer: string | undefined;
    let url = server.origin + task.startPath;
    let driver: WebDriver | undefined;
    try {
      driver = await this.driver();
      let observation = await driver.start(server.origin + task.startPath, { origin: server.origin, name: SESSION_COOKIE, value: session });
      url = observation.url;
      let error: string | undefined;
      for (let i = 0; i < (options.maxSteps ?? 30); i++) {
        const proposed = await agent.next({ task, observation, error, history: steps, origin: server.origin });
        if (proposed === undefined) break;
        const t0 = performance.now();
        const page: PageContext = { url: observation.url, title: observation.title };
        const before = observation;
        let action: WebAction | undefined;
        let text: string;
        if (typeof proposed === "string") {
          text = proposed.trim();
          try {
            action = parseAction(text);
          } catch (e) {
            if (!(e instanceof ActionSyntaxError)) throw e;
            error = `The action "${text}" is invalid: ${e.message}.`;
          }
        } else {
          action = proposed;
          text = formatAction(proposed);
        }
        let executed: ExecutedAction | undefined;
        if (action !== undefined) {
          const result = await driver.act(action);
          observation = result.observation;
          error = result.error;
          if (result.answer !== undefined) answer = result.answer;
          if (error === undefined) {
            const element = "id" in action ? before.tree.elements.get(action.id) : undefined;
            executed = { action, page, element };
          }
        }
        url = observation.url;
        const step: StepRecord = { action: text, ...(error !== undefined ? { error } : {}), ...(executed !== undefined ? { executed } : {}), url, ms: performance.now() - t0 };
        steps.push(step);
        await options.afterStep?.(step, i, driver);
        if (answer !== undefined) break;
      }
      const evaluation = evaluateTask(task, { answer, url, state: server.state(session) as never }, { catalog: this.tasks.catalog });
      return { taskId: task.id, driver: this.options.driver, steps, answer, finalUrl: url, evaluation, ms: performance.now() - started, session };
    } catch (error) {
      if (!(error instanceof WebDriverError)) throw error;
      return { taskId: task.id, driver: this.options.driver, steps, answer, finalUrl: url, evaluation: undefined, failure: { kind: error.failure, message: error.message }, ms: performance.now() - started, session };
    } finally {
      await driver?.close();
    }
  }

  async close(): Promise<void> {
    await this.browser?.close();
    if (this.ownsSites) await this.sites.close();
  }
}

/** The reference plan as an agent: each step resolved against the page; a step that does not fit stops the episode. */
export class PlanAgent implements WebAgent {
  async next(view: AgentView): Promise<string | WebAction | undefined> {
    const step = view.task.plan[view.history.length];
    if (step === undefined) return { kind: "stop", answer: "" };
    return resolveStep(step, view.observation, view.origin) ?? { kind: "stop", answer: `(the plan's step ${view.history.length + 1} does not fit the page)` };
  }
}
