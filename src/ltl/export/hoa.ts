import type { Dfa } from "../dfa.js";
import { countEdges, edgesOf, type Literal } from "./edges.js";

/**
 * HOA v1 (the Hanoi Omega-Automata format read by Spot and other tools). HOA has no finite-word
 * acceptance, so we follow the convention Spot uses for LTLf automata: state-based `Inf(0)`
 * marks the accepting states, to be read over finite words. Each state has one edge per target,
 * labeled with the disjunction of the paths of its transition diagram that lead there. In events
 * mode a letter sets exactly one proposition, so each event's label is the full cube
 * (`0&!1&!2`): valuations that are not a single event have no transition, and the automaton is
 * not declared `complete`.
 */
export function dfaToHoa(dfa: Dfa, name = "ltlguard"): string {
  return [...dfaToHoaChunks(dfa, name)].join("");
}

/** The HOA text in pieces (a state at a time), to write as it goes. */
export function* dfaToHoaChunks(dfa: Dfa, name = "ltlguard"): Generator<string, void, void> {
  const k = dfa.atoms.length;
  yield [
    "HOA: v1",
    `name: ${quote(name)}`,
    `States: ${dfa.stateCount}`,
    `Start: ${dfa.initial}`,
    `AP: ${k}${dfa.atoms.map((a) => ` ${quote(a)}`).join("")}`,
    "acc-name: Buchi",
    "Acceptance: 1 Inf(0)",
    `properties: trans-labels explicit-labels state-acc deterministic${dfa.mode === "events" ? "" : " complete"}`,
    "--BODY--",
    "",
  ].join("\n");
  for (let s = 0; s < dfa.stateCount; s++) {
    const lines = [`State: ${s}${dfa.accepting[s] ? " {0}" : ""}`];
    if (dfa.mode === "events") {
      for (let e = 0; e < k; e++) lines.push(`[${eventCube(e, k)}] ${dfa.next(s, (i) => i === e)}`);
    } else {
      for (const edge of edgesOf(dfa, s)) lines.push(`[${label(edge.cubes)}] ${edge.to}`);
    }
    yield lines.join("\n") + "\n";
  }
  yield "--END--\n";
}

/** About how many bytes `dfaToHoaChunks` writes, from counts of the diagrams' paths (nothing is listed). */
export function estimateHoaBytes(dfa: Dfa): number {
  const stateDigits = String(dfa.stateCount).length;
  const atomDigits = String(Math.max(dfa.atoms.length, 1)).length;
  const names = dfa.atoms.reduce((sum, a) => sum + a.length + 3, 0);
  if (dfa.mode === "events") {
    const k = dfa.atoms.length;
    return 200 + names + dfa.stateCount * (stateDigits + 12 + k * (k * (atomDigits + 2) + stateDigits + 4));
  }
  const { edges, cubes, literals } = countEdges(dfa);
  return 200 + names + dfa.stateCount * (stateDigits + 12) + edges * (stateDigits + 4) + cubes * 5 + literals * (atomDigits + 2);
}

function eventCube(event: number, k: number): string {
  return Array.from({ length: k }, (_, i) => (i === event ? `${i}` : `!${i}`)).join("&");
}

/** A guard in HOA label syntax (atoms by index; `t`, `!`, `&`, `|`). */
function label(cubes: readonly (readonly Literal[])[]): string {
  const parts = cubes.map((cube) => (cube.length === 0 ? "t" : [...cube].sort(([a], [b]) => a - b).map(([v, holds]) => (holds ? `${v}` : `!${v}`)).join("&")));
  return parts.length === 0 ? "f" : parts.join(" | ");
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
