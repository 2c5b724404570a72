import type { Budget, Environment, Policy, Proposal } from "../types.js";
import type { EnvironmentText } from "./contract.js";
import { policyPieces } from "./prompts.js";
import { RoleAnswerError, type RoleModel } from "./role-model.js";

export interface ModelPolicyOptions {
  /** Samples drawn per proposal call (at least k); their frequencies are the self-consistency signal. Defaults to max(k, 4). */
  readonly samples?: number;
  /** Most tokens one sample may take. Defaults to 64. */
  readonly maxTokens?: number;
}

/** The tag of the action segment in the generic action spec. */
const ACTION_TAG = "Action: ";

/**
 * Any environment's policy on the model: the model reads the task and the current state as text
 * and writes an action under the environment's action spec (`text.actionSpec(state)`) or, where
 * the environment gives none, under a spec that offers exactly the legal actions' texts, so every
 * sample names a legal action. A sample is read back by matching the legal actions' texts
 * (`text.action`): the content of its one model-written segment, or its whole output. Samples of
 * one state share its evaluated prompt; every sample is charged to the `policy` role.
 */
export class ModelPolicy<S, A> implements Policy<S, A> {
  readonly name = "model-policy";

  constructor(
    private readonly model: RoleModel,
    private readonly environment: Environment<S, A>,
    private readonly text: EnvironmentText<S, A>,
    private readonly options: ModelPolicyOptions = {},
  ) {}

  async propose(state: S, k: number, budget: Budget): Promise<readonly Proposal<A>[]> {
    const legal = this.environment.legalActions(state);
    if (legal.length === 0 || k <= 0) return [];
    const byText = new Map<string, A>();
    for (const action of legal) byText.set(this.text.action(action).trim(), action);
    const custom = this.text.actionSpec?.(state);
    const source = custom ?? choiceSpec([...byText.keys()]);
    const initial = this.environment.stateKey(state) === this.environment.stateKey(this.environment.initial());
    const prompt = this.model.prompt(policyPieces(this.text, state, initial));
    return this.model.metered(budget, "policy", async (meter) => {
      const decoder = this.model.decoder(source, `<${this.environment.name} actions>`);
      const tag = custom === undefined ? ACTION_TAG : undefined;
      const samples = Math.max(k, this.options.samples ?? Math.max(k, 4));
      const counts = new Map<string, { action: A; count: number }>();
      let drawn = 0;
      for (let i = 0; i < samples && !budget.exhausted(); i++) {
        let output;
        try {
          output = await this.model.sample(decoder, prompt, tag ?? "", this.options.maxTokens ?? 64, meter);
        } catch (error) {
          if (!(error instanceof RoleAnswerError)) throw error;
          drawn++;
          continue; // an answer cut by the token limit names no action
        }
        drawn++;
        const written = output.segments.filter((s) => s.writer === "model");
        const candidates = [written.length === 1 ? written[0]!.content : undefined, output.text];
        const key = candidates.map((c) => c?.trim()).find((c) => c !== undefined && byText.has(c));
        if (key === undefined) continue;
        const entry = counts.get(key);
        if (entry === undefined) counts.set(key, { action: byText.get(key)!, count: 1 });
        else entry.count++;
      }
      return [...counts.values()]
        .sort((a, b) => b.count - a.count)
        .slice(0, k)
        .map(({ action, count }) => ({ action, frequency: count / Math.max(1, drawn) }));
    });
  }
}

/** The generic action spec: one segment offering exactly the given action texts. */
export function choiceSpec(actions: readonly string[]): string {
  const options = [...new Set(actions)].sort().map((a) => JSON.stringify(a)).join(", ");
  return ["events action", `segment action ${JSON.stringify(ACTION_TAG)} one of ${options}`, "action & last", ""].join("\n");
}
