import { guardToFormula, type Dfa } from "../dfa.js";
import type { Formula } from "../ast.js";

/**
 * HOA v1 (the Hanoi Omega-Automata format read by Spot and other tools). HOA has no finite-word
 * acceptance, so we follow the convention Spot uses for LTLf automata: state-based `Inf(0)`
 * marks the accepting states, to be read over finite words. In events mode a letter sets exactly
 * one proposition, so each event's label is the full cube (`0&!1&!2`): valuations that are not a
 * single event have no transition, and the automaton is not declared `complete`.
 */
export function dfaToHoa(dfa: Dfa, name = "ltlguard"): string {
  const k = dfa.atoms.length;
  const lines = [
    "HOA: v1",
    `name: ${quote(name)}`,
    `States: ${dfa.stateCount}`,
    `Start: ${dfa.initial}`,
    `AP: ${k}${dfa.atoms.map((a) => ` ${quote(a)}`).join("")}`,
    "acc-name: Buchi",
    "Acceptance: 1 Inf(0)",
    `properties: trans-labels explicit-labels state-acc deterministic${dfa.mode === "events" ? "" : " complete"}`,
    "--BODY--",
  ];
  for (let s = 0; s < dfa.stateCount; s++) {
    lines.push(`State: ${s}${dfa.accepting[s] ? " {0}" : ""}`);
    if (dfa.mode === "events") {
      for (let e = 0; e < k; e++) lines.push(`[${eventCube(e, k)}] ${dfa.next(s, (i) => i === e)}`);
    } else {
      for (const t of dfa.transitions[s]!) lines.push(`[${label(guardToFormula(dfa, t.guard), dfa.atoms)}] ${t.to}`);
    }
  }
  lines.push("--END--");
  return lines.join("\n") + "\n";
}

function eventCube(event: number, k: number): string {
  return Array.from({ length: k }, (_, i) => (i === event ? `${i}` : `!${i}`)).join("&");
}

/** A propositional guard in HOA label syntax (atoms by index; `t`, `f`, `!`, `&`, `|`). */
function label(f: Formula, atoms: readonly string[]): string {
  switch (f.kind) {
    case "true":
      return "t";
    case "false":
      return "f";
    case "atom":
      return String(atoms.indexOf(f.name));
    case "not":
      return `!${label(f.arg, atoms)}`;
    case "and":
      return `${wrap(f.left, "and", atoms)}&${wrap(f.right, "and", atoms)}`;
    case "or":
      return `${label(f.left, atoms)} | ${label(f.right, atoms)}`;
    default:
      throw new Error(`a guard is propositional, not ${f.kind}`);
  }
}

function wrap(f: Formula, parent: "and", atoms: readonly string[]): string {
  return f.kind === "or" && parent === "and" ? `(${label(f, atoms)})` : label(f, atoms);
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
