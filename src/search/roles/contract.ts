/**
 * The search-role contract's types, until they land in `../types.ts`.
 */
import type { Budget, Proposal } from "../types.js";

export interface Trajectory<S, A> {
  readonly states: readonly S[];
  readonly actions: readonly A[];
  readonly observations: readonly (string | undefined)[];
}

export interface EnvironmentText<S, A> {
  task(): string;
  state(state: S): string;
  action(action: A): string;
  parseState?(description: string, from: S): S | undefined;
  actionSpec?(state: S): string;
}

export interface ValueRole<S, A = unknown> {
  readonly name: string;
  score(trajectory: Trajectory<S, A>, budget: Budget): Promise<number>;
}

export interface Prediction<S> {
  readonly description: string;
  readonly state?: S;
  readonly done?: boolean;
}

export interface WorldModelRole<S, A> {
  readonly name: string;
  predict(trajectory: Trajectory<S, A>, action: A, budget: Budget): Promise<Prediction<S>>;
}

export interface Critic<S, A> {
  readonly name: string;
  score(trajectory: Trajectory<S, A>, action: A, prediction: Prediction<S>, budget: Budget): Promise<number>;
}

export interface IntentClusterer<S, A> {
  readonly name: string;
  cluster(trajectory: Trajectory<S, A>, proposals: readonly Proposal<A>[], budget: Budget): Promise<readonly (readonly number[])[]>;
}

export type RoleName = "policy" | "value" | "world-model" | "critic" | "clusterer";

export interface RoleCost {
  calls: number;
  generatedTokens: number;
  evaluatedTokens: number;
  ms: number;
}

/** Charges a role's spending on the budget. */
export function charge(budget: Budget, role: RoleName, cost: Partial<RoleCost>): void {
  const target = budget as Budget & { charge?: (role: RoleName, cost: Partial<RoleCost>) => void };
  if (typeof target.charge === "function") {
    target.charge(role, cost);
    return;
  }
  budget.spend("modelCalls", cost.calls ?? 0);
  budget.spend("tokens", cost.generatedTokens ?? 0);
}
