import type { Budget } from "../types.js";
import type { EnvironmentText, Prediction, Trajectory, WorldModelRole } from "./contract.js";
import { trajectoryPieces, worldModelQuestion } from "./prompts.js";
import { RoleAnswerError, type RoleModel } from "./role-model.js";
import { worldModelSpec } from "./role-specs.js";

export interface ModelWorldModelOptions {
  /** Most bytes of the predicted state's description (1–2048). Defaults to 400. */
  readonly maxBytes?: number;
  /** Most tokens one answer may take. Defaults to maxBytes + 16. */
  readonly maxTokens?: number;
}

/**
 * SimuRA's world model on the model: given the trajectory and a proposed action, it predicts the
 * next state as text (a bounded segment) and whether the task would be over (yes/no). Where the
 * environment can read a description back (`text.parseState`), the prediction carries the state.
 */
export class ModelWorldModel<S, A> implements WorldModelRole<S, A> {
  readonly name = "model-world-model";
  private readonly maxBytes: number;

  constructor(
    private readonly model: RoleModel,
    private readonly text: EnvironmentText<S, A>,
    private readonly options: ModelWorldModelOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 400;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 1 || this.maxBytes > 2048) throw new RangeError(`maxBytes must be an integer from 1 to 2048, got ${this.maxBytes}`);
  }

  predict(trajectory: Trajectory<S, A>, action: A, budget: Budget): Promise<Prediction<S>> {
    const pieces = [...trajectoryPieces(this.text, trajectory), worldModelQuestion(this.text, trajectory, action)];
    const prompt = this.model.prompt(pieces);
    return this.model.metered(budget, "world-model", async (meter) => {
      const decoder = this.model.decoder(worldModelSpec(this.maxBytes), "<world model>");
      const answer = await this.model.sample(decoder, prompt, "Next state: ", this.options.maxTokens ?? this.maxBytes + 16, meter);
      const description = answer.content("next");
      const over = answer.content("over");
      if (description === undefined || over === undefined) throw new RoleAnswerError("the prediction is incomplete");
      const from = trajectory.states.at(-1)!;
      const state = this.text.parseState?.(description, from);
      return { description, done: over === "yes", ...(state !== undefined ? { state } : {}) };
    });
  }
}
