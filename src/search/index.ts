/** The search strategies and their registry by name. */
import { astar, type AStarOptions } from "./astar.js";
import { beam, type BeamOptions } from "./beam.js";
import { bestFirst, type BestFirstOptions } from "./best-first.js";
import { bfs, type BfsOptions } from "./bfs.js";
import { dfs, type DfsOptions } from "./dfs.js";
import { greedy, type GreedyOptions } from "./greedy.js";
import { mcts, type MctsOptions } from "./mcts.js";
import { simura, type SimuraOptions } from "./simura.js";
import type { Strategy } from "./types.js";

export * from "./types.js";
export { seededRandom } from "./random.js";
export { mergeProposals, Stepper, TreeRecorder } from "./common.js";
export { extendTrajectory, renderTrajectory, startTrajectory, type RenderOptions } from "./text.js";
export type { Guarded, Reached } from "./common.js";
export * from "./greedy.js";
export * from "./bfs.js";
export * from "./dfs.js";
export type { UninformedOptions } from "./uninformed.js";
export * from "./beam.js";
export * from "./astar.js";
export * from "./best-first.js";
export * from "./mcts.js";
export * from "./simura.js";

/** Every strategy by name, each a factory taking its options. */
export const STRATEGIES = {
  greedy: (options?: GreedyOptions): Strategy => greedy(options),
  bfs: (options?: BfsOptions): Strategy => bfs(options),
  dfs: (options?: DfsOptions): Strategy => dfs(options),
  beam: (options?: BeamOptions): Strategy => beam(options),
  astar: (options?: AStarOptions<unknown, unknown>): Strategy => astar(options),
  "best-first": (options?: BestFirstOptions): Strategy => bestFirst(options),
  mcts: (options?: MctsOptions): Strategy => mcts(options),
  simura: (options?: SimuraOptions): Strategy => simura(options),
} as const;

export type StrategyName = keyof typeof STRATEGIES;
