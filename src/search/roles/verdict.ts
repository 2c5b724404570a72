import type { Budget, RoleName } from "../types.js";
import { VERDICTS, type Verdict } from "./prompts.js";
import { RoleAnswerError, type RoleModel } from "./role-model.js";
import { VERDICT_OPTIONS, VERDICT_TAG, verdictSpec } from "./role-specs.js";

/** How a judge (value or critic) turns the model's verdict into a number in [0, 1]. */
export interface JudgeOptions {
  /**
   * `sampled` (Koh et al.): one verdict sampled under the spec per call, scored success 1, on track
   * 0.5, neither 0; strategies average n calls. `probabilities`: the expected score under the
   * model's probabilities of the three verdicts, read in one forward pass (no sampling, so one call
   * gives what many samples would estimate). Defaults to `sampled`.
   */
  readonly scoring?: "sampled" | "probabilities";
  /** Sampled scoring only: a reasoning segment of at most this many bytes (1–2048) before the verdict. Default: none. */
  readonly reasoningBytes?: number;
  /** Most tokens one answer may take. Defaults to 16 (plus the reasoning's bytes when there is reasoning). */
  readonly maxTokens?: number;
}

/** Checks a judge's options once, where they are given. */
export function checkJudgeOptions(options: JudgeOptions): void {
  const bytes = options.reasoningBytes;
  if (bytes !== undefined && (!Number.isInteger(bytes) || bytes < 1 || bytes > 2048)) throw new RangeError(`reasoningBytes must be an integer from 1 to 2048, got ${bytes}`);
  if (bytes !== undefined && options.scoring === "probabilities") throw new RangeError("probability scoring reads the verdict directly; it takes no reasoning segment");
}

/** Asks the model for a verdict on a prompt and scores it, charging `role`. */
export async function judge(model: RoleModel, pieces: readonly string[], role: RoleName, options: JudgeOptions, budget: Budget): Promise<number> {
  const prompt = model.prompt(pieces);
  const charge = { budget, role };
  if (options.scoring === "probabilities") {
    const decoder = model.decoder(verdictSpec(), `<${role} verdict>`);
    const p = await model.choiceProbabilities(decoder, prompt, VERDICT_TAG, VERDICT_OPTIONS, charge);
    let total = 0;
    let mass = 0;
    for (const [option, probability] of p) {
      total += probability * VERDICTS[option as Verdict];
      mass += probability;
    }
    if (!(mass > 0)) throw new RoleAnswerError("the model gave the verdicts no probability");
    return total / mass;
  }
  const decoder = model.decoder(verdictSpec(options.reasoningBytes), `<${role} verdict>`);
  const tag = options.reasoningBytes !== undefined ? "Thoughts: " : VERDICT_TAG;
  const answer = await model.sample(decoder, prompt, tag, options.maxTokens ?? 16 + (options.reasoningBytes ?? 0), charge);
  const status = answer.content("status");
  if (status === undefined || !(status in VERDICTS)) throw new RoleAnswerError("no verdict in the answer");
  return VERDICTS[status as Verdict];
}
