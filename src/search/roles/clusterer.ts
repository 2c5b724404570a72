import type { Budget, EnvironmentText, IntentClusterer, Proposal, Trajectory } from "../types.js";
import { clusterQuestion, trajectoryPieces } from "./prompts.js";
import { RoleAnswerError, type RoleModel } from "./role-model.js";
import { clusterSpec } from "./role-specs.js";

/**
 * SimuRA's intent clustering on the model: proposals are taken in order; for each after the first,
 * the model says which earlier group (by its first member) has the same intent, or "new", under a
 * choice segment of the numbers on offer. k proposals cost k − 1 calls; every index ends up in
 * exactly one group.
 */
export class ModelIntentClusterer<S, A> implements IntentClusterer<S, A> {
  readonly name = "model-clusterer";

  constructor(
    private readonly model: RoleModel,
    private readonly text: EnvironmentText<S, A>,
  ) {}

  async cluster(trajectory: Trajectory<S, A>, proposals: readonly Proposal<A>[], budget: Budget): Promise<readonly (readonly number[])[]> {
    const groups: number[][] = [];
    const stem = trajectoryPieces(this.text, trajectory);
    for (const [index, proposal] of proposals.entries()) {
      // The first proposal opens a group; once the budget is out, the rest stay apart (the
      // strategy discards a call the budget cut short anyway).
      if (groups.length === 0 || budget.exhausted("model")) {
        groups.push([index]);
        continue;
      }
      const representatives = groups.map((g) => proposals[g[0]!]!.action);
      const prompt = this.model.prompt([...stem, clusterQuestion(this.text, trajectory, proposal.action, representatives)]);
      const decoder = this.model.decoder(clusterSpec(groups.length), "<clusterer>");
      const answer = await this.model.sample(decoder, prompt, "Same as: ", 8, { budget, role: "clusterer" });
      const choice = answer.content("same");
      if (choice === undefined) throw new RoleAnswerError("no choice in the answer");
      if (choice === "new") groups.push([index]);
      else groups[Number(choice) - 1]!.push(index);
    }
    return groups;
  }
}
