import type { Budget, EnvironmentText, Prediction, Trajectory, WorldModel } from "../types.js";
import { trajectoryPieces, worldModelQuestion } from "./prompts.js";
import { RoleAnswerError, type RoleModel } from "./role-model.js";
import { FIELDS_RECORD, worldModelSpec } from "./role-specs.js";

/** Structured fields the world model writes after its description, valid for a JSON Schema. */
export interface StructuredFields<S> {
  /** The fields' JSON Schema (the subset ltlguard enforces; see the README's JSON Schema section). */
  readonly schema: Readonly<Record<string, unknown>>;
  /** Reads the fields into a state; undefined when they describe none. Takes precedence over `text.parseState`. */
  parse?(fields: unknown, from: S): S | undefined;
}

export interface ModelWorldModelOptions<S = unknown> {
  /** Most bytes of the predicted state's description (1–2048). Defaults to 400. */
  readonly maxBytes?: number;
  /** Most tokens one answer may take. Defaults to maxBytes + 16 (+ 200 with fields). */
  readonly maxTokens?: number;
  /** Structured fields after the description. Default: none. */
  readonly fields?: StructuredFields<S>;
}

/**
 * SimuRA's world model on the model: given the trajectory and a proposed action, it predicts the
 * next state as text (a bounded segment), optionally structured fields valid for a JSON Schema,
 * and whether the task would be over (yes/no). Where the environment can read the prediction back
 * (`fields.parse`, `text.parseState`), the prediction carries the state.
 */
export class ModelWorldModel<S, A> implements WorldModel<S, A> {
  readonly name = "model-world-model";
  private readonly maxBytes: number;

  constructor(
    private readonly model: RoleModel,
    private readonly text: EnvironmentText<S, A>,
    private readonly options: ModelWorldModelOptions<S> = {},
  ) {
    this.maxBytes = options.maxBytes ?? 400;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 1 || this.maxBytes > 2048) throw new RangeError(`maxBytes must be an integer from 1 to 2048, got ${this.maxBytes}`);
    // The schema is compiled (and refused with the keyword and its path, if ltlguard cannot enforce it) here, not at the first call.
    if (options.fields !== undefined) this.decoder();
  }

  async predict(trajectory: Trajectory<S, A>, action: A, budget: Budget): Promise<Prediction<S>> {
    const pieces = [...trajectoryPieces(this.text, trajectory), worldModelQuestion(this.text, trajectory, action)];
    const prompt = this.model.prompt(pieces);
    const fields = this.options.fields;
    const maxTokens = this.options.maxTokens ?? this.maxBytes + 16 + (fields !== undefined ? 200 : 0);
    const answer = await this.model.sample(this.decoder(), prompt, "Next state: ", maxTokens, { budget, role: "world-model" });
    const description = answer.content("next");
    const over = answer.content("over");
    if (description === undefined || over === undefined) throw new RoleAnswerError("the prediction is incomplete");
    const from = trajectory.states.at(-1)!;
    let state: S | undefined;
    if (fields !== undefined) {
      const record = answer.content("fields");
      if (record === undefined) throw new RoleAnswerError("the prediction has no fields");
      state = fields.parse?.(JSON.parse(record) as unknown, from);
    }
    state ??= this.text.parseState?.(description, from);
    return { description, done: over === "yes", ...(state !== undefined ? { state } : {}) };
  }

  private decoder() {
    const fields = this.options.fields;
    const tools = fields === undefined ? undefined : [{ name: FIELDS_RECORD, parameters: fields.schema as Record<string, unknown> }];
    return this.model.decoder(worldModelSpec(this.maxBytes, fields !== undefined), "<world model>", tools);
  }
}
