/**
 * `ltlguard/search`: the search API as users import it. Strategies and their registry, the role
 * and environment interfaces, the benchmark harness, the model-backed roles, the llama.cpp policy,
 * and the loaders for a user's own environment and strategy modules. docs/search-api.md documents
 * the contracts.
 */
export * from "./index.js";
export { runBench, countRuns, pickTasks } from "./bench.js";
export type { BenchSuite, BenchCell, BenchOptions, BenchReport, EpisodeRecord, CellSummary, EpisodeCurve } from "./bench.js";
export { benchMarkdown, benchSvg, costSvg, analysisMarkdown, statisticsMarkdown, statisticsJson } from "./bench-report.js";
export { renderTrajectory, startTrajectory, extendTrajectory } from "./text.js";
export { DecoderPolicy } from "./decoder-policy.js";
export type { DecoderPolicyOptions, TranscriptCodec } from "./decoder-policy.js";
export * from "./roles/index.js";
export { loadEnvironmentModule, loadStrategyModule, importUserModule, ModuleShapeError } from "./modules.js";
export type { EnvironmentModule, StrategyParameters, StrategyModuleExport } from "./modules.js";
