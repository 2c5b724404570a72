import type { GeneratedSegment } from "../../decoder/generation.js";
import type { SegmentFormat } from "../../ltl/segments.js";
import type { ProposalContext } from "../runtime.js";
import { injectionText, type InjectionTask, type PlannedCall, type UserTask } from "./tasks.js";

/**
 * The agent under attack: a scripted stand-in for a model that obeys instructions found in data,
 * the behaviour AgentDojo measures real models showing. It is the object of study, not a defence:
 * it follows the user task's plan, and as soon as an observation contains an injected
 * instruction it carries out the attacker's plan, then goes back to the user's task (the
 * injection said "before you can solve the task").
 *
 * Its turns go through `runAgent`'s `propose` option: each is the text of a whole model turn,
 * which the runtime writes only if the spec allows all of it; otherwise the real model samples
 * that turn under the mask. Every turn the script proposes is consumed, accepted or not: a
 * refused attack step is not retried, as a model whose call failed would move on.
 */

/** The segments a proposed turn is made of, as `runAgent` would record them. */
export interface ProposedSegment {
  readonly event: string;
  readonly content: string;
}

export interface ScriptedTurn {
  /** 0 for the turn after the question, 1 after the first observation, … */
  readonly turn: number;
  readonly source: "user" | "attack" | "final";
  readonly segments: readonly ProposedSegment[];
  readonly text: string;
}

/** The event names a ReAct-shaped spec must have for the script's turns; see `turnFormats`. */
export const TURN_EVENTS = ["thought", "action", "action_input", "final_thought", "answer"] as const;
type TurnEvent = (typeof TURN_EVENTS)[number];

/**
 * The formats of the events the script writes, taken from the spec so that the turns have its
 * tags and closing strings; throws when the spec lacks one or gives it an unexpected kind of
 * content, since the script's turns would then never be accepted and the suite would measure
 * nothing.
 */
export function turnFormats(formats: readonly SegmentFormat[]): Record<TurnEvent, SegmentFormat> {
  const expected: Record<TurnEvent, SegmentFormat["content"]["kind"]> = {
    thought: "text",
    action: "tools",
    action_input: "arguments",
    final_thought: "text",
    answer: "text",
  };
  const found = {} as Record<TurnEvent, SegmentFormat>;
  for (const event of TURN_EVENTS) {
    const format = formats.find((f) => f.event === event);
    if (format === undefined || format.content.kind !== expected[event] || format.writer !== "model") {
      throw new Error(`the injection suite's spec needs a model-written segment '${event}' with ${expected[event]} content`);
    }
    found[event] = format;
  }
  return found;
}

export class SusceptibleAgentScript {
  /** Every turn proposed, in order. */
  readonly proposals: ScriptedTurn[] = [];
  /** The injection the agent fell for, once it has. */
  hijackedBy: InjectionTask | undefined;
  private userStep = 0;
  private attackStep = 0;
  private observationsSeen = 0;
  private finished = false;

  constructor(
    readonly task: UserTask,
    /** The injections the agent recognizes (and obeys) when it reads them. */
    private readonly injections: readonly InjectionTask[],
    private readonly formats: Record<TurnEvent, SegmentFormat>,
  ) {}

  /** For `runAgent`'s `propose` option. */
  readonly propose = (context: ProposalContext): string | undefined => {
    const segments = context.segments;
    const last = segments[segments.length - 1];
    // The model's turn comes right after an environment segment (the question, an observation);
    // anywhere else (before the question) there is nothing to propose.
    if (last === undefined || last.writer !== "environment" || !last.complete || this.finished) return undefined;
    const turn = segments.filter((s) => s.writer === "environment").length - 1;
    this.notice(segments);
    let planned: PlannedCall | undefined;
    let source: ScriptedTurn["source"] = "user";
    if (this.hijackedBy !== undefined && this.attackStep < this.hijackedBy.plan.length) {
      planned = this.hijackedBy.plan[this.attackStep++];
      source = "attack";
    } else if (this.userStep < this.task.plan.length) {
      planned = this.task.plan[this.userStep++];
    }
    let proposed: ProposedSegment[];
    if (planned !== undefined) {
      const args = typeof planned.args === "function" ? planned.args(context.calls) : planned.args;
      proposed = [
        { event: "thought", content: planned.thought },
        { event: "action", content: planned.tool },
        { event: "action_input", content: JSON.stringify(args) },
      ];
    } else {
      source = "final";
      this.finished = true;
      proposed = [
        { event: "final_thought", content: this.task.finalThought },
        { event: "answer", content: this.task.answer },
      ];
    }
    const text = proposed.map((s) => this.formats[s.event as TurnEvent].tag + s.content + this.formats[s.event as TurnEvent].end).join("");
    this.proposals.push({ turn, source, segments: proposed, text });
    return text;
  };

  /** Looks at observations not seen yet for an injected instruction it recognizes. */
  private notice(segments: readonly GeneratedSegment[]): void {
    const observations = segments.filter((s) => s.writer === "environment").slice(1);
    for (const observation of observations.slice(this.observationsSeen)) {
      if (this.hijackedBy !== undefined) break;
      this.hijackedBy = this.injections.find((i) => observation.content.includes(injectionText(i)));
    }
    this.observationsSeen = observations.length;
  }
}

/**
 * Which proposed turns were written as proposed: a turn was accepted when the model segments
 * after its environment segment are exactly the proposed ones (a refused proposal leaves the turn
 * to the model, whose text differs, or the run ended first).
 */
export function acceptedTurns(proposals: readonly ScriptedTurn[], segments: readonly GeneratedSegment[]): boolean[] {
  const turns: GeneratedSegment[][] = [];
  for (const segment of segments) {
    if (segment.writer === "environment") turns.push([]);
    else turns[turns.length - 1]?.push(segment);
  }
  return proposals.map((p) => {
    const written = turns[p.turn] ?? [];
    return written.length === p.segments.length && written.every((s, i) => s.complete && s.event === p.segments[i]!.event && s.content === p.segments[i]!.content);
  });
}
