import type { Budget, Critic, EnvironmentText, Prediction, Trajectory } from "../types.js";
import { criticQuestion, trajectoryPieces } from "./prompts.js";
import type { RoleModel } from "./role-model.js";
import { checkJudgeOptions, judge, type JudgeOptions } from "./verdict.js";

/**
 * SimuRA's critic on the model: the same judgment as the value (success, on track, neither), over
 * an action and the outcome the world model predicted for it.
 */
export class ModelCritic<S, A> implements Critic<S, A> {
  readonly name: string;

  constructor(
    private readonly model: RoleModel,
    private readonly text: EnvironmentText<S, A>,
    private readonly options: JudgeOptions = {},
  ) {
    checkJudgeOptions(options);
    this.name = options.scoring === "probabilities" ? "model-critic-1pass" : "model-critic";
  }

  score(trajectory: Trajectory<S, A>, action: A, prediction: Prediction<S>, budget: Budget): Promise<number> {
    const pieces = [...trajectoryPieces(this.text, trajectory), criticQuestion(this.text, trajectory, action, prediction)];
    return judge(this.model, pieces, "critic", this.options, budget);
  }
}
