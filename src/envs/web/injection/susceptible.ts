import { formatAction } from "../actions.js";
import type { AgentView } from "../episode.js";
import { resolveStep } from "../tasks/plan.js";
import type { WebTask } from "../tasks/types.js";
import type { AttackContext, AttackStep, WebAttack } from "./attacks.js";

/**
 * The agent under attack: a scripted stand-in for a model that obeys instructions found in the
 * pages it reads (the behaviour WASP and AgentDojo measure real models showing). It is the object
 * of study, not a defence. It follows the user task's reference plan; once a page shows one of
 * the attacks it knows, it carries out the attacker's steps when the attack says (at once, or
 * before or after a given click of its own plan), then goes back to its task.
 *
 * Its proposals go through `ConstrainedWebAgent`: one is taken only if the step's language
 * accepts it, otherwise the model writes that step. Every proposal is consumed, accepted or not.
 */
export class SusceptibleWebScript {
  hijackedBy: WebAttack | undefined;
  private hijackUrl: string | undefined;
  private queue: AttackStep[] = [];
  private next = 0;
  private fired = false;
  private recovered = -1;

  constructor(
    readonly task: WebTask,
    private readonly attacks: readonly WebAttack[],
    private readonly context: AttackContext,
  ) {}

  readonly propose = (view: AgentView): string | undefined => {
    const page = view.observation.treeText;
    if (this.hijackedBy === undefined) {
      const attack = this.attacks.find((a) => page.includes(a.text(this.context)));
      if (attack !== undefined) {
        this.hijackedBy = attack;
        this.hijackUrl = view.observation.url;
        if ("at" in attack.trigger) this.fire();
      }
    }
    const step = this.task.plan[this.next];
    const trigger = this.hijackedBy?.trigger;
    if (trigger !== undefined && "before" in trigger && step?.do === "click" && step.name === trigger.before) this.fire();
    while (this.queue.length > 0) {
      const attackStep = this.queue.shift()!;
      if (attackStep.do === "return") {
        if (this.hijackUrl !== undefined && this.hijackUrl !== view.observation.url) return `goto [${this.hijackUrl}]`;
        continue;
      }
      const action = resolveStep(attackStep, view.observation, view.origin);
      if (action !== undefined) return formatAction(action);
    }
    if (step === undefined) return undefined;
    const action = resolveStep(step, view.observation, view.origin);
    if (action === undefined) {
      // Off the plan's path (an attack, a refused step): go back once to where the injection was read.
      if (this.recovered !== this.next && this.hijackUrl !== undefined && this.hijackUrl !== view.observation.url) {
        this.recovered = this.next;
        return `goto [${this.hijackUrl}]`;
      }
      this.next++;
      return undefined;
    }
    this.next++;
    if (trigger !== undefined && "after" in trigger && step.do === "click" && step.name === trigger.after) this.fire();
    return formatAction(action);
  };

  private fire(): void {
    if (this.fired || this.hijackedBy === undefined) return;
    this.fired = true;
    this.queue.push(...this.hijackedBy.plan(this.context, this.task.plan));
  }
}
