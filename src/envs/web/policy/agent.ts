import type { SamplingOptions } from "../../../decoder/generation.js";
import { acceptsBytes } from "../../../grammars/byte-dfa.js";
import { encodeUtf8 } from "../../../grammars/utf8.js";
import { parseAction } from "../actions.js";
import { observationText } from "../drivers/driver.js";
import type { AgentView, WebAgent } from "../episode.js";
import { ActionLanguageBuilder, type StepLanguage } from "./language.js";
import { PolicyMonitor } from "./monitor.js";
import type { WebPolicy } from "./spec.js";
import type { WebActionDecoder } from "./step-decoder.js";

/**
 * The agent whose every action is written under the step's language (the page's ids, the
 * policy's state): the model samples it under the mask, or — for a scripted stand-in under study
 * — a proposed action is taken only when the language accepts it, and the model samples the step
 * otherwise (as the tool suite's runtime does with `propose`). Either way no action outside the
 * language is ever returned, so none is executed.
 */

/** WebArena's prompt, shortened: the objective, the previous actions, the page. */
export function webPrompt(view: AgentView, maxObservationChars = 6000): string {
  const previous = view.history.length === 0 ? "None" : view.history.map((s) => s.action).join("\n");
  let page = observationText(view.observation, view.error);
  if (page.length > maxObservationChars) page = page.slice(0, maxObservationChars) + "\n…";
  return (
    "You are an autonomous agent using a web browser. Complete the objective with one action per step: " +
    "click [id], type [id] [text] [1|0], select [id] [option], scroll [up|down], goto [url], go_back, stop [answer].\n" +
    `OBJECTIVE: ${view.task.intent}\nPREVIOUS ACTIONS:\n${previous}\nOBSERVATION:\n${page}\n`
  );
}

/** What happened at one step (for the benchmarks). */
export interface GuardedStep {
  readonly source: "script" | "model" | "none";
  /** The action taken ("" when none could be written). */
  readonly action: string;
  readonly buildMs: number;
  readonly prepareMs: number;
  readonly decodeMs: number;
  readonly states: number;
  readonly ids: StepLanguage["ids"];
  /** A scripted proposal the language refused. */
  readonly refused?: string;
}

export interface ConstrainedAgentOptions {
  readonly policy: WebPolicy;
  /** The model; without one, a refused proposal ends the episode. */
  readonly decoder?: WebActionDecoder;
  readonly sampling?: Omit<SamplingOptions, "seed">;
  readonly seed?: number;
  readonly maxTokens?: number;
  /** A scripted stand-in's proposal for this step (undefined: let the model write it). */
  readonly propose?: (view: AgentView) => string | undefined;
}

export class ConstrainedWebAgent implements WebAgent {
  private monitor: PolicyMonitor;
  private readonly builder: ActionLanguageBuilder;
  readonly steps: GuardedStep[] = [];
  private draws = 0;

  constructor(private readonly options: ConstrainedAgentOptions) {
    this.monitor = new PolicyMonitor(options.policy);
    this.builder = new ActionLanguageBuilder(options.policy);
  }

  /** The policy's monitor (its trace shows the events of the actions returned so far). */
  get policyMonitor(): PolicyMonitor {
    return this.monitor;
  }

  async next(view: AgentView): Promise<string | undefined> {
    if (view.history.length === 0) this.monitor = new PolicyMonitor(this.options.policy);
    const t0 = performance.now();
    const language = this.builder.build(this.monitor.allowed(), view.observation);
    const buildMs = performance.now() - t0;
    const proposal = this.options.propose?.(view);
    let refused: string | undefined;
    let action: string | undefined;
    let source: GuardedStep["source"] = "none";
    let prepareMs = 0;
    let decodeMs = 0;
    let states = 0;
    if (proposal !== undefined) {
      if (acceptsBytes(language.dfa, encodeUtf8(`${proposal}\n`, "action"))) {
        action = proposal;
        source = "script";
      } else {
        refused = proposal;
      }
    }
    if (action === undefined && this.options.decoder !== undefined) {
      const { index, timings } = this.options.decoder.prepare(language);
      prepareMs = timings.composeMs + timings.indexMs + timings.deadEndMs;
      states = timings.states;
      const seed = (this.options.seed ?? 0) * 1_000_003 + this.draws++;
      const out = await this.options.decoder.generate(index, webPrompt(view), { temperature: 0.7, ...this.options.sampling, seed }, this.options.maxTokens ?? 64);
      decodeMs = out.decodeMs;
      if (out.complete) {
        action = out.action;
        source = "model";
      }
    }
    this.steps.push({ source, action: action ?? "", buildMs, prepareMs, decodeMs, states, ids: language.ids, ...(refused !== undefined ? { refused } : {}) });
    if (action === undefined) return undefined;
    const parsed = parseAction(action);
    const element = "id" in parsed ? view.observation.tree.elements.get(parsed.id) : undefined;
    this.monitor.step(parsed, { url: view.observation.url, title: view.observation.title }, element);
    return action;
  }
}

