import type { Budget, Environment, EnvironmentText, Policy, ProposeContext, Proposal } from "../types.js";
import { policyPieces } from "./prompts.js";
import { RoleAnswerError, type RoleModel } from "./role-model.js";

export interface ModelPolicyOptions {
  /** Samples drawn per proposal call when the strategy does not say (`ProposeContext.samples`); their frequencies are the self-consistency signal. Defaults to max(k, 4). */
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

  async propose(state: S, k: number, budget: Budget, context: ProposeContext<S, A> = {}): Promise<readonly Proposal<A>[]> {
    const legal = this.environment.legalActions(state);
    if (legal.length === 0 || k <= 0) return [];
    const byText = new Map<string, A>();
    for (const action of legal) byText.set(this.text.action(action).trim(), action);
    const custom = this.text.actionSpec?.(state);
    const decoder = this.model.decoder(custom ?? choiceSpec([...byText.keys()]), `<${this.environment.name} actions>`);
    const prompt = this.model.prompt(policyPieces(this.text, state, context.trajectory));
    const samples = Math.max(1, context.samples ?? this.options.samples ?? Math.max(k, 4));
    const counts = new Map<string, { action: A; count: number }>();
    let drawn = 0;
    for (let i = 0; i < samples && !budget.exhausted("model"); i++) {
      drawn++;
      let answer;
      try {
        answer = await this.model.sample(decoder, prompt, custom === undefined ? ACTION_TAG : "", this.options.maxTokens ?? 64, { budget, role: "policy" });
      } catch (error) {
        if (error instanceof RoleAnswerError) continue; // cut by the token limit: it names no action
        throw error;
      }
      const written = answer.segments.filter((s) => s.writer === "model");
      const key = [written.length === 1 ? written[0]!.content : undefined, answer.text].map((c) => c?.trim()).find((c) => c !== undefined && byText.has(c));
      if (key === undefined) continue;
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { action: byText.get(key)!, count: 1 });
      else entry.count++;
    }
    return [...counts.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, k)
      .map(({ action, count }) => ({ action, frequency: count / drawn }));
  }
}

/** The generic action spec: one segment offering exactly the given action texts. */
export function choiceSpec(actions: readonly string[]): string {
  const options = [...new Set(actions)].sort().map((a) => JSON.stringify(a)).join(", ");
  return ["events action", `segment action ${JSON.stringify(ACTION_TAG)} one of ${options}`, "action & last", ""].join("\n");
}
