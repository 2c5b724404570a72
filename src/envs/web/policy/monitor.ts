import type { WebAction } from "../actions.js";
import type { ElementInfo } from "../dom/accessibility.js";
import { actionFacts, type PageContext } from "./events.js";
import { variantOf, type WebPolicy } from "./spec.js";

/**
 * Where a web policy stands after the actions so far: the state of its automaton, stepped by the
 * refined event of every executed action. It says which events may come next (their successor
 * can still satisfy the policy; `stop` must satisfy it, since the episode ends there).
 */
export class PolicyMonitor {
  private q: number;
  /** The refined events seen, in order. */
  readonly trace: string[] = [];

  constructor(
    readonly policy: WebPolicy,
    state?: number,
  ) {
    this.q = state ?? policy.compiled.dfa.initial;
  }

  get state(): number {
    return this.q;
  }

  clone(): PolicyMonitor {
    const copy = new PolicyMonitor(this.policy, this.q);
    copy.trace.push(...this.trace);
    return copy;
  }

  /** The state after event e. */
  after(e: number, q: number = this.q): number {
    return this.policy.compiled.dfa.next(q, (i) => i === e);
  }

  /** Whether event e may happen now. */
  allows(e: number): boolean {
    const next = this.after(e);
    const { dfa, analysis } = this.policy.compiled;
    return this.policy.variants[e]!.kind === "stop" ? dfa.accepting[next] === true : analysis.live[next] === true;
  }

  /** The events that may happen now. */
  allowed(): number[] {
    return this.policy.variants.map((_, e) => e).filter((e) => this.allows(e));
  }

  /** The refined event of an action on a page. */
  eventOf(action: WebAction, page: PageContext, element: ElementInfo | undefined): number {
    return variantOf(this.policy, action.kind, actionFacts(action, page, element));
  }

  /** Records an executed action; returns its event and whether the policy allowed it. */
  step(action: WebAction, page: PageContext, element: ElementInfo | undefined): { event: number; allowed: boolean } {
    const event = this.eventOf(action, page, element);
    const allowed = this.allows(event);
    this.q = this.after(event);
    this.trace.push(this.policy.variants[event]!.event);
    return { event, allowed };
  }
}
