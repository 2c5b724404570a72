/** Per-cell summaries of benchmark episodes: success with its interval, and the cost medians. */
import { meanInterval, median, wilsonInterval, type Interval } from "./bench-stats.js";
import type { RoleCost, RoleName } from "./types.js";

export interface EpisodeRecord {
  readonly env: string;
  readonly strategy: string;
  readonly budget: number;
  readonly seed: number;
  readonly task: string;
  readonly success: boolean;
  readonly score: number;
  readonly stop: string;
  readonly modelCalls: number;
  readonly tokens: number;
  readonly envSteps: number;
  readonly wallMs: number;
  /** Nodes expanded (the strategy's own count of expansions; of the whole run for prefix runs). */
  readonly expansions: number;
  /** Tokens the model evaluated during the episode (suites with a real model only). */
  readonly evaluatedTokens?: number;
  /** What each role that made calls spent (calls, generated and evaluated tokens, ms). */
  readonly byRole?: Readonly<Partial<Record<RoleName, RoleCost>>>;
  /** Whether the strategy's chosen episode reached a terminal state (only those are judged). */
  readonly answered: boolean;
  /** Actions in the chosen episode. */
  readonly pathLength: number;
  /** Environment steps spent resetting and replaying (irreversible environments). */
  readonly replaySteps?: number;
  /** Whether the record was read off a prefix run (else the episode was run at this budget). */
  readonly prefix: boolean;
  /** With `analysis`: how often each operation (an action's description up to its first "(" or "[") occurs on the chosen path … */
  readonly pathOps?: Readonly<Record<string, number>>;
  /** … and among all nodes of the search tree. */
  readonly treeOps?: Readonly<Record<string, number>>;
  /** Set when the strategy threw: the episode counts as a failure. */
  readonly error?: string;
}

export interface CellSummary {
  readonly env: string;
  readonly strategy: string;
  readonly budget: number;
  readonly episodes: number;
  readonly success: Interval;
  readonly score: Interval;
  /** Share of episodes whose answer reached a terminal state that the judge failed (finished, but wrong). */
  readonly terminalFailed: number;
  readonly modelCalls: number;
  readonly tokens: number;
  readonly envSteps: number;
  readonly wallMs: number;
  readonly expansions: number;
  /** Median environment steps spent resetting and replaying (irreversible environments). */
  readonly replaySteps?: number;
  /** Median evaluated tokens (suites with a real model only). */
  readonly evaluatedTokens?: number;
}

export const medianOf = median;

export function summarize(episodes: readonly EpisodeRecord[]): CellSummary[] {
  const groups = new Map<string, EpisodeRecord[]>();
  for (const e of episodes) {
    const key = `${e.env}\u0000${e.strategy}\u0000${e.budget}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  return [...groups.values()].map((list) => {
    const first = list[0]!;
    return {
      env: first.env,
      strategy: first.strategy,
      budget: first.budget,
      episodes: list.length,
      success: wilsonInterval(list.filter((e) => e.success).length, list.length),
      score: meanInterval(list.map((e) => e.score)),
      terminalFailed: list.filter((e) => e.answered && !e.success).length / list.length,
      modelCalls: median(list.map((e) => e.modelCalls)),
      tokens: median(list.map((e) => e.tokens)),
      envSteps: median(list.map((e) => e.envSteps)),
      wallMs: median(list.map((e) => e.wallMs)),
      expansions: median(list.map((e) => e.expansions)),
      ...(list.some((e) => e.replaySteps !== undefined) ? { replaySteps: median(list.map((e) => e.replaySteps ?? 0)) } : {}),
      ...(list.every((e) => e.evaluatedTokens !== undefined) ? { evaluatedTokens: median(list.map((e) => e.evaluatedTokens!)) } : {}),
    };
  });
}
