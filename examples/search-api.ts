// The search API from code: the maze of examples/search-maze.ts, a local model as the policy and
// the value (each reading the maze as text, each metered on the budget), and Koh et al.'s
// best-first search. Run it with `npx tsx examples/search-api.ts`.
import { ensureModel } from "ltlguard";
import { bestFirst, Budget, ModelRoles, seededRandom } from "ltlguard/search";
import maze from "./search-maze.js";

const roles = await ModelRoles.load({ modelPath: await ensureModel("qwen3-fitted"), roles: ["policy", "value"], threads: 1 });
try {
  for (const task of maze.tasks()) {
    // The environment's own roles first; `apply` puts the model into the roles it plays.
    const problem = roles.apply({ environment: task.environment, policy: maze.policy!(task, 1), random: seededRandom(1) });
    const budget = new Budget({ modelCalls: 24 });
    const result = await bestFirst({ branching: 2, candidateSamples: 4, valueSamples: 2 }).search(problem, budget);
    const verdict = result.done ? task.judge(result.finalState) : { success: false, score: 0 };
    const { policy, value } = budget.byRole();
    console.log(
      `${task.id}: ${verdict.success ? "reached G" : "did not reach G"} after ${result.actions.length} moves; ` +
        `policy ${policy.calls} calls (${policy.evaluatedTokens} tokens evaluated), value ${value.calls} calls (${value.evaluatedTokens} evaluated)`,
    );
  }
} finally {
  await roles.close();
}
