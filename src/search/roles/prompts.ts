import type { EnvironmentText, Prediction, Trajectory } from "../types.js";

/**
 * The roles' prompts, as pieces of the user's message. Every role's prompt starts with the same
 * pieces, the task and the trajectory (one piece per step), and ends with the role's own question,
 * so prompts about one trajectory, or about a trajectory and its extension by one step, share
 * their evaluated prefix whichever role asks.
 */
export function trajectoryPieces<S, A>(text: EnvironmentText<S, A>, trajectory: Trajectory<S, A>): string[] {
  const pieces = [taskPiece(text), `\nInitial state:\n${text.state(trajectory.states[0]!)}\n`];
  trajectory.actions.forEach((action, i) => {
    const observation = trajectory.observations[i];
    pieces.push(`\nStep ${i + 1}: ${text.action(action)}\n${observation !== undefined && observation !== "" ? `Observation: ${observation}\n` : ""}`);
  });
  return pieces;
}

/** The first piece of every role's prompt. */
export function taskPiece<S, A>(text: EnvironmentText<S, A>): string {
  return `Task: ${text.task()}\n`;
}

/**
 * The policy's prompt: the trajectory that reached the state where the strategy gives it (so it
 * shares its prefix with the other roles' prompts), else the task and the state; then the question.
 */
export function policyPieces<S, A>(text: EnvironmentText<S, A>, state: S, trajectory?: Trajectory<S, A>): string[] {
  const question = "\nWhat is the best next action toward the task? Write one action.\n";
  if (trajectory !== undefined && trajectory.states.length > 0) {
    return [...trajectoryPieces(text, trajectory), `${trajectory.actions.length === 0 ? "" : `\nCurrent state:\n${text.state(state)}\n`}${question}`];
  }
  return [taskPiece(text), `\nCurrent state:\n${text.state(state)}\n`, question];
}

function currentState<S, A>(text: EnvironmentText<S, A>, trajectory: Trajectory<S, A>): string {
  return trajectory.actions.length === 0 ? "" : `\nCurrent state:\n${text.state(trajectory.states.at(-1)!)}\n`;
}

/** The verdict scale shared by the value and the critic (Koh et al.): success 1, on track 0.5, neither 0. */
export const VERDICTS = { success: 1, "on track": 0.5, neither: 0 } as const;
export type Verdict = keyof typeof VERDICTS;

export function valueQuestion<S, A>(text: EnvironmentText<S, A>, trajectory: Trajectory<S, A>): string {
  return (
    currentState(text, trajectory) +
    '\nJudge the agent\'s progress on the task. Answer "success" if the task is done, "on track" if it is not done yet ' +
    'but the steps so far lead toward it, and "neither" otherwise.\n'
  );
}

export function worldModelQuestion<S, A>(text: EnvironmentText<S, A>, trajectory: Trajectory<S, A>, action: A): string {
  return (
    currentState(text, trajectory) +
    `\nProposed action: ${text.action(action)}\n\n` +
    "Predict the state right after this action, described the way the states above are, and say whether the task would then be over.\n"
  );
}

export function criticQuestion<S, A>(text: EnvironmentText<S, A>, trajectory: Trajectory<S, A>, action: A, prediction: Prediction<S>): string {
  return (
    currentState(text, trajectory) +
    `\nProposed action: ${text.action(action)}\nPredicted state after it:\n${prediction.description}\n\n` +
    'Judge this action by its predicted outcome. Answer "success" if it completes the task, "on track" if it leads toward it, ' +
    'and "neither" otherwise.\n'
  );
}

export function clusterQuestion<S, A>(text: EnvironmentText<S, A>, trajectory: Trajectory<S, A>, candidate: A, groups: readonly A[]): string {
  return (
    currentState(text, trajectory) +
    `\nCandidate next action: ${text.action(candidate)}\nEarlier candidates:\n` +
    groups.map((action, i) => `${i + 1}. ${text.action(action)}\n`).join("") +
    '\nDoes the candidate have the same intent as one of the earlier candidates (the same step, perhaps worded differently)? ' +
    'Answer with its number, or "new".\n'
  );
}
