import type { Budget, EnvironmentText, Trajectory, Value } from "../types.js";
import { trajectoryPieces, valueQuestion } from "./prompts.js";
import type { RoleModel } from "./role-model.js";
import { checkJudgeOptions, judge, type JudgeOptions } from "./verdict.js";

/**
 * Koh et al.'s value on the model: the model reads the task, the actions and observations so far
 * and the current state, and judges the trajectory a success, on track, or neither (1, 0.5, 0)
 * under a choice segment, so the answer always parses. `scoring: "probabilities"` reads the
 * expected verdict from one forward pass instead of sampling.
 */
export class ModelValue<S, A> implements Value<S, A> {
  readonly name: string;

  constructor(
    private readonly model: RoleModel,
    private readonly text: EnvironmentText<S, A>,
    private readonly options: JudgeOptions = {},
  ) {
    checkJudgeOptions(options);
    this.name = options.scoring === "probabilities" ? "model-value-1pass" : "model-value";
  }

  score(trajectory: Trajectory<S, A>, budget: Budget): Promise<number> {
    const pieces = [...trajectoryPieces(this.text, trajectory), valueQuestion(this.text, trajectory)];
    return judge(this.model, pieces, "value", this.options, budget);
  }
}
