/**
 * Tool planning on a live session: the same APIs and tasks, but the environment cannot be
 * branched. Every call acts on one session — a search, a booking, a payment, a saved sheet stays
 * made — and nothing undoes it but resetting the whole sandbox (`initial()`). A search that wants
 * to try another branch must reset and replay the calls that lead there (`Stepper` counts the
 * replayed steps and their time), as a web agent resets its browser.
 *
 * Stepping from any state but the session's current one is refused (an error), so a strategy that
 * forgot to backtrack fails loudly rather than reading a state it could not have reached.
 */
import type { Environment, EnvironmentText, StepOutcome } from "../search/types.js";
import type { ToolCall } from "./tool-planning-apis.js";
import type { ToolPlanningEnvironment, ToolState } from "./tool-planning.js";

export class LiveToolEnvironment implements Environment<ToolState, ToolCall> {
  readonly name: string;
  readonly reversible = false;
  readonly text: EnvironmentText<ToolState, ToolCall>;
  /** Resets so far (each discards the sandbox). */
  resets = 0;
  /** Calls executed on the session, replays included. */
  calls = 0;
  private current: ToolState;

  constructor(readonly inner: ToolPlanningEnvironment) {
    this.name = `${inner.name}-live`;
    this.text = inner.text;
    this.current = inner.initial();
  }

  initial(): ToolState {
    this.resets++;
    this.current = this.inner.initial();
    return this.current;
  }

  legalActions(state: ToolState): readonly ToolCall[] {
    return this.inner.legalActions(state);
  }

  async step(state: ToolState, action: ToolCall): Promise<StepOutcome<ToolState>> {
    if (this.inner.stateKey(state) !== this.inner.stateKey(this.current)) {
      throw new Error("the live session is not in that state: reset and replay to get there");
    }
    this.calls++;
    const outcome = this.inner.stepSync(this.current, action);
    this.current = outcome.state;
    return outcome;
  }

  stateKey(state: ToolState): string {
    return this.inner.stateKey(state);
  }

  actionKey(action: ToolCall): string {
    return this.inner.actionKey(action);
  }

  describe(action: ToolCall): string {
    return this.inner.describe(action);
  }
}
