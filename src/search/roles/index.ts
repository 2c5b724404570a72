/** Model-backed search roles: value, critic, world model and intent clusterer on one llama.cpp model, each under its own spec. */
export { PromptCache } from "./prompt-cache.js";
export { RoleModel, RoleAnswerError, type RoleModelOptions, type RoleCharge, type RoleAnswer } from "./role-model.js";
export { VERDICTS, type Verdict, trajectoryPieces } from "./prompts.js";
export { verdictSpec, worldModelSpec, clusterSpec, VERDICT_OPTIONS, VERDICT_TAG, FIELDS_RECORD } from "./role-specs.js";
export type { JudgeOptions } from "./verdict.js";
export { ModelValue } from "./value.js";
export { ModelCritic } from "./critic.js";
export { ModelWorldModel, type ModelWorldModelOptions, type StructuredFields } from "./world-model.js";
export { ModelIntentClusterer } from "./clusterer.js";
export { ModelPolicy, choiceSpec, type ModelPolicyOptions } from "./policy.js";
export { ModelRoles, roleNames, type ModelRolesOptions, type ModelInfo } from "./model-roles.js";
export { roleCostMarkdown, modelHeaderMarkdown } from "./role-report.js";
