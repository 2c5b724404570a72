import type { Budget, Environment, Judgement, Policy, Proposal, StepOutcome, Task } from "../../search/types.js";
import type { SamplingOptions } from "../../decoder/generation.js";
import { ActionSyntaxError, formatAction, parseAction } from "./actions.js";
import { observationText, type WebDriver, type WebObservation } from "./drivers/driver.js";
import type { AgentView, WebRun } from "./episode.js";
import { webPrompt } from "./policy/agent.js";
import { ActionLanguageBuilder } from "./policy/language.js";
import { PolicyMonitor } from "./policy/monitor.js";
import { permissivePolicy, type WebPolicy } from "./policy/spec.js";
import type { WebActionDecoder } from "./policy/step-decoder.js";
import { SESSION_COOKIE } from "./sites/index.js";
import { evaluateTask, type Evaluation } from "./tasks/evaluators.js";
import type { WebTask } from "./tasks/types.js";

/**
 * A web task as the search layer's `Environment`/`Task`. The sites cannot be branched (an order
 * placed stays placed), so the environment is irreversible: it keeps one live episode (a site
 * session and a driver), and stepping from a state that is not where the live episode is resets
 * it — a new session, a new browser context — and replays the state's action prefix, counting the
 * replayed steps and their time apart from the new ones. Actions are the action texts the model
 * writes (`click [12]`).
 *
 * A state carries what judging and the model roles need: the page, the answer, the policy's state,
 * and a copy of the site's state for its session at that point, so `judge` is exact without
 * replaying.
 */

export interface WebState {
  readonly task: WebTask;
  /** The actions from the start page to here (the path). */
  readonly actions: readonly string[];
  readonly observation: WebObservation;
  /** The error text of the last action, if it was invalid. */
  readonly error: string | undefined;
  readonly answer: string | undefined;
  readonly done: boolean;
  /** The web policy's automaton state after these actions. */
  readonly policyState: number;
  /** The site's state for this episode after these actions (a copy). */
  readonly siteState: unknown;
}

export interface WebEnvironmentOptions {
  /** The policy whose state each `WebState` tracks (default: allow everything). */
  readonly policy?: WebPolicy;
  /** Most actions before an episode counts as done (default 30). */
  readonly maxSteps?: number;
}

export interface ReplayStats {
  readonly resets: number;
  /** Steps taken again to bring the live episode to a state. */
  readonly replayedSteps: number;
  readonly replayMs: number;
  /** Steps that moved the search forward. */
  readonly newSteps: number;
  readonly newStepMs: number;
}

export class WebEnvironment implements Environment<WebState, string> {
  readonly name: string;
  readonly reversible = false;
  private driver: WebDriver | undefined;
  private session = "";
  /** The path the live episode is at. */
  private live: readonly string[] | undefined;
  private stats = { resets: 0, replayedSteps: 0, replayMs: 0, newSteps: 0, newStepMs: 0 };
  readonly policy: WebPolicy;
  private readonly maxSteps: number;
  /** The start page, as a fresh session shows it (the same every time). */
  private start: WebObservation | undefined;

  private constructor(
    readonly run: WebRun,
    readonly task: WebTask,
    options: WebEnvironmentOptions,
  ) {
    this.name = `web-${task.site}`;
    this.policy = options.policy ?? permissivePolicy();
    this.maxSteps = options.maxSteps ?? 30;
  }

  /** Opens the task's start page once. */
  static async create(run: WebRun, task: WebTask, options: WebEnvironmentOptions = {}): Promise<WebEnvironment> {
    const env = new WebEnvironment(run, task, options);
    await env.reset();
    env.start = env.driver!.current();
    return env;
  }

  get replay(): ReplayStats {
    return { ...this.stats };
  }

  initial(): WebState {
    const server = this.run.sites.server(this.task.site);
    return {
      task: this.task,
      actions: [],
      observation: this.start!,
      error: undefined,
      answer: undefined,
      done: false,
      policyState: this.policy.compiled.dfa.initial,
      siteState: structuredClone(server.site.initialState()),
    };
  }

  /** The finite actions of a state: clicks, options of selects, scrolling, going back (typing, goto and stop need text from a policy). */
  legalActions(state: WebState): readonly string[] {
    if (state.done) return [];
    const actions: string[] = [];
    for (const id of [...state.observation.visibleIds].sort((a, b) => a - b)) {
      const element = state.observation.tree.elements.get(id);
      if (element === undefined) continue;
      actions.push(`click [${id}]`);
      for (const option of element.options ?? []) actions.push(`select [${id}] [${option}]`);
    }
    actions.push("scroll [up]", "scroll [down]", "go_back");
    return actions;
  }

  async step(state: WebState, action: string): Promise<StepOutcome<WebState>> {
    if (state.done) throw new Error("web environment: the episode is over (it stopped)");
    await this.bringTo(state.actions);
    const t0 = performance.now();
    const result = await this.act(action);
    this.stats.newSteps++;
    this.stats.newStepMs += performance.now() - t0;
    this.live = [...state.actions, action];
    const monitor = new PolicyMonitor(this.policy, state.policyState);
    let parsed;
    try {
      parsed = parseAction(action);
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined && result.error === undefined) {
      const element = "id" in parsed ? state.observation.tree.elements.get(parsed.id) : undefined;
      monitor.step(parsed, { url: state.observation.url, title: state.observation.title }, element);
    }
    const actions = [...state.actions, action];
    const next: WebState = {
      task: this.task,
      actions,
      observation: result.observation,
      error: result.error,
      answer: result.answer,
      done: result.answer !== undefined || actions.length >= this.maxSteps,
      policyState: monitor.state,
      siteState: structuredClone(this.run.sites.server(this.task.site).state(this.session)),
    };
    return { state: next, done: next.done, observation: observationText(next.observation, next.error) };
  }

  stateKey(state: WebState): string {
    return JSON.stringify(state.actions);
  }

  actionKey(action: string): string {
    try {
      return formatAction(parseAction(action));
    } catch {
      return action.trim();
    }
  }

  describe(action: string): string {
    return action;
  }

  /** The task as the model reads it. */
  renderTask(): string {
    return `OBJECTIVE: ${this.task.intent}`;
  }

  /** A state as the model reads it: the page (WebArena's layout) and the last action's error. */
  renderState(state: WebState): string {
    return observationText(state.observation, state.error);
  }

  /** The trajectory to a state: the objective, the actions taken, the page now. */
  renderTrajectory(state: WebState): string {
    return `${this.renderTask()}\nPREVIOUS ACTIONS:\n${state.actions.length === 0 ? "None" : state.actions.join("\n")}\nOBSERVATION:\n${this.renderState(state)}`;
  }

  judge(state: WebState): Evaluation {
    return evaluateTask(this.task, { answer: state.answer, url: state.observation.url, state: state.siteState as never }, { catalog: this.run.tasks.catalog });
  }

  /** Ends the live episode (closes its browser context). */
  async close(): Promise<void> {
    await this.driver?.close();
    this.driver = undefined;
    this.live = undefined;
  }

  private async act(action: string): Promise<{ observation: WebObservation; error?: string; answer?: string }> {
    let parsed;
    try {
      parsed = parseAction(action);
    } catch (error) {
      if (!(error instanceof ActionSyntaxError)) throw error;
      return { observation: this.driver!.current(), error: `The action "${action.trim()}" is invalid: ${error.message}.` };
    }
    return this.driver!.act(parsed);
  }

  /** Brings the live episode to the end of `path`: nothing to do when it is there, else reset and replay. */
  private async bringTo(path: readonly string[]): Promise<void> {
    if (this.live !== undefined && this.live.length === path.length && this.live.every((a, i) => a === path[i])) return;
    await this.reset();
    const t0 = performance.now();
    for (const action of path) {
      await this.act(action);
      this.stats.replayedSteps++;
    }
    this.stats.replayMs += performance.now() - t0;
    this.live = [...path];
  }

  /** A new session on the site and a new driver (browser context) at the start page. */
  private async reset(): Promise<void> {
    await this.driver?.close();
    const server = this.run.sites.server(this.task.site);
    this.session = server.createSession();
    this.driver = await this.run.driver();
    await this.driver.start(server.origin + this.task.startPath, { origin: server.origin, name: SESSION_COOKIE, value: this.session });
    this.live = [];
    this.stats.resets++;
  }
}

/** A web task for the search layer (the harness judges finished episodes with it). */
export class WebSearchTask implements Task<WebState, string> {
  readonly id: string;
  constructor(readonly environment: WebEnvironment) {
    this.id = environment.task.id;
  }
  judge(finalState: WebState): Judgement {
    const e = this.environment.judge(finalState);
    return { success: e.success, score: e.score };
  }
}

/**
 * The constrained decoder as a search policy on the web: k samples of the step's action under
 * its language (the state's page and policy state), merged by action, most frequent first.
 */
export class WebDecoderPolicy implements Policy<WebState, string> {
  readonly name = "llama-web";
  private readonly builder: ActionLanguageBuilder;
  private draws = 0;

  constructor(
    private readonly decoder: WebActionDecoder,
    private readonly policy: WebPolicy,
    private readonly options: { readonly samples?: number; readonly sampling?: Omit<SamplingOptions, "seed">; readonly seed?: number; readonly maxTokens?: number } = {},
  ) {
    this.builder = new ActionLanguageBuilder(policy);
  }

  async propose(state: WebState, k: number, budget: Budget): Promise<readonly Proposal<string>[]> {
    const monitor = new PolicyMonitor(this.policy, state.policyState);
    const language = this.builder.build(monitor.allowed(), state.observation);
    const { index } = this.decoder.prepare(language);
    const view: AgentView = {
      task: state.task,
      observation: state.observation,
      error: state.error,
      history: state.actions.map((a) => ({ action: a, url: "", ms: 0 })),
      origin: new URL(state.observation.url).origin,
    };
    const prompt = webPrompt(view);
    const counts = new Map<string, number>();
    let drawn = 0;
    for (let i = 0; i < Math.max(k, this.options.samples ?? k) && !budget.exhausted("model"); i++) {
      const started = performance.now();
      const out = await this.decoder.generate(index, prompt, { temperature: 1, ...this.options.sampling, seed: (this.options.seed ?? 0) * 1_000_003 + this.draws++ }, this.options.maxTokens ?? 160);
      budget.charge("policy", { calls: 1, generatedTokens: out.tokens, ms: performance.now() - started });
      drawn++;
      if (!out.complete) continue;
      counts.set(out.action, (counts.get(out.action) ?? 0) + 1);
    }
    return [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([action, count]) => ({ action, frequency: count / Math.max(1, drawn) }));
  }
}
