/**
 * Trajectories as text, for model-backed roles (values, world models, critics, clusterers): the
 * task, then each action with what the environment said after it, then the current state.
 */
import type { EnvironmentText, Trajectory } from "./types.js";

export interface RenderOptions {
  /** Keep only the last n steps (older ones are summarized as a count). Default: all. */
  readonly lastSteps?: number;
}

export function renderTrajectory<S, A>(text: EnvironmentText<S, A>, trajectory: Trajectory<S, A>, options: RenderOptions = {}): string {
  const lines = [`Task: ${text.task()}`];
  const steps = trajectory.actions.length;
  const first = options.lastSteps === undefined ? 0 : Math.max(0, steps - options.lastSteps);
  if (first > 0) lines.push(`(${first} earlier step${first === 1 ? "" : "s"} not shown)`);
  for (let i = first; i < steps; i++) {
    lines.push(`Step ${i + 1}: ${text.action(trajectory.actions[i]!)}`);
    const observation = trajectory.observations[i];
    if (observation !== undefined && observation !== "") lines.push(`Observation: ${observation}`);
  }
  const last = trajectory.states[trajectory.states.length - 1];
  if (last !== undefined) lines.push(`State: ${text.state(last)}`);
  return lines.join("\n");
}

/** A one-state trajectory (the initial state, no actions yet). */
export function startTrajectory<S, A>(state: S): Trajectory<S, A> {
  return { states: [state], actions: [], observations: [] };
}

/** The trajectory extended by one step. */
export function extendTrajectory<S, A>(trajectory: Trajectory<S, A>, action: A, state: S, observation?: string): Trajectory<S, A> {
  return {
    states: [...trajectory.states, state],
    actions: [...trajectory.actions, action],
    observations: [...trajectory.observations, observation],
  };
}
