/** Why a schema was refused, as a short reason to tally: shared by the JSON-Schema benchmarks. */
import { AutomatonTooLargeError } from "../../src/grammars/errors.js";
import { SchemaError } from "../../src/grammars/json-schema.js";

/** A refusal's reason: the keyword, refined where one keyword has several causes. */
export function refusalReason(error: unknown): string {
  if (error instanceof AutomatonTooLargeError) return "automaton too large";
  if (!(error instanceof SchemaError)) return `crash: ${error instanceof Error ? error.name : String(error)}`;
  const keyword = error.keyword ?? "(schema)";
  if (/^unknown keyword/.test(error.message)) return "unknown keyword";
  if (keyword === "$ref" && /recursive/.test(error.message)) return "recursive $ref";
  if (keyword === "oneOf" && /overlap|may both match/.test(error.message)) return "oneOf not provably exclusive";
  if (keyword === "format") return `format ${/format ("[^"]*")/.exec(error.message)?.[1] ?? ""}`.trim();
  if (/no JSON value satisfies/.test(error.message)) return "unsatisfiable (as generated)";
  if (/combinations of anyOf/.test(error.message)) return "too many anyOf/oneOf combinations";
  return keyword;
}

/** Another engine's error message as a reason to tally: its first line, numbers and quoted names generalized. */
export function messageReason(message: string): string {
  return (message.split("\n")[0] ?? "")
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, "…")
    .replace(/\d+/g, "N")
    .slice(0, 80)
    .trim();
}
