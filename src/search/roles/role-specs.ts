import { VERDICTS } from "./prompts.js";

/**
 * Each model-backed role writes under a small spec of its own, so every answer parses: a verdict
 * is one of three strings, a prediction a bounded text and a yes/no, a cluster choice one of the
 * numbers offered. The specs are events-mode LTL like any other; `ltlguard compile` draws them.
 */

const quoted = (options: readonly string[]): string => options.map((o) => JSON.stringify(o)).join(", ");

/** The verdict tag and options (value and critic). */
export const VERDICT_TAG = "Status: ";
export const VERDICT_OPTIONS = Object.keys(VERDICTS) as (keyof typeof VERDICTS)[];

/**
 * The value's and critic's answer: a status, optionally after a short reasoning segment of at
 * most `reasoningBytes` bytes (Koh et al.'s judge explains itself before its verdict).
 */
export function verdictSpec(reasoningBytes?: number): string {
  const status = `segment status ${JSON.stringify(VERDICT_TAG)} one of ${quoted(VERDICT_OPTIONS)}`;
  if (reasoningBytes === undefined) return ["events status", status, "status & last", ""].join("\n");
  return [
    "events thoughts, status",
    `segment thoughts "Thoughts: " text max ${reasoningBytes}`,
    status,
    "thoughts & X(status & last)",
    "",
  ].join("\n");
}

/** The name under which structured fields' JSON Schema is bound (as the one "tool" of the world model's spec). */
export const FIELDS_RECORD = "next_state";

/**
 * The world model's answer (SimuRA): the next state as text of at most `maxBytes` bytes, with
 * `fields`, a JSON record valid for the schema bound as `FIELDS_RECORD`, then whether the task
 * is over.
 */
export function worldModelSpec(maxBytes: number, fields = false): string {
  const next = `segment next "Next state: " text until "\\n\\n" max ${maxBytes}`;
  const over = 'segment over "Task over: " one of "yes", "no"';
  if (!fields) return ["events next, over", next, over, "next & X(over & last)", ""].join("\n");
  return [
    "events next, record, fields, over",
    next,
    'segment record "Record: " one of tools',
    'segment fields "Fields: " json args(record)',
    over,
    "next & X(record & X(fields & X(over & last)))",
    "",
  ].join("\n");
}

/** The intent clusterer's answer: the number of an earlier group with the same intent, or "new". */
export function clusterSpec(groups: number): string {
  const options = ["new", ...Array.from({ length: groups }, (_, i) => String(i + 1))];
  return ["events same", `segment same "Same as: " one of ${quoted(options)}`, "same & last", ""].join("\n");
}
