import { analyze } from "../analysis.js";
import type { Dfa } from "../dfa.js";

/**
 * The documented JSON form of a compiled automaton (see docs/automaton-json.md), version 2:
 * states are numbered 0..states-1, and each state's transitions are one decision diagram over the
 * atoms, in a node table all states share — the automaton's own representation, so the size is
 * that of the diagrams, never one entry per letter or per transition.
 *
 * A reference r is a node when r ≥ 0 (`nodes[r]` is `[atom, low, high]`: go to `high` when the
 * atom holds in the letter, `low` when not) and the state -r-1 when r < 0. `next[s]` is state s's
 * root reference. In events mode a letter is one event: the atom that "holds" is that event.
 */
export interface DfaJson {
  readonly format: "ltlguard-dfa";
  readonly version: 2;
  readonly mode: "propositional" | "events";
  readonly atoms: readonly string[];
  readonly states: number;
  readonly initial: number;
  /** Accepting states. The empty trace is never accepted, so the initial state's entry only counts after a step. */
  readonly accepting: readonly number[];
  /** States from which no continuation is accepted (at most one in a minimal automaton). */
  readonly dead: readonly number[];
  /** Optional provenance: the spec file or formula. */
  readonly source?: string;
  /** Each state's root reference. */
  readonly next: readonly number[];
  /** The decision-diagram nodes: [atom index, low reference, high reference]. */
  readonly nodes: readonly (readonly [number, number, number])[];
}

export const DFA_JSON_VERSION = 2;

export function dfaToJson(dfa: Dfa, source?: string): DfaJson {
  const { variable, low, high } = dfa.table;
  return {
    ...header(dfa, source),
    next: Array.from(dfa.behaviour),
    nodes: Array.from({ length: variable.length }, (_, x) => [variable[x]!, low[x]!, high[x]!] as const),
  };
}

/** The target of state `state` on a letter, read from the JSON form (what a consumer does). */
export function stepJson(json: Pick<DfaJson, "next" | "nodes">, state: number, holds: (atom: number) => boolean): number {
  let r = json.next[state]!;
  while (r >= 0) {
    const [atom, lo, hi] = json.nodes[r]!;
    r = holds(atom) ? hi : lo;
  }
  return -r - 1;
}

function header(dfa: Dfa, source: string | undefined) {
  const { live } = analyze(dfa);
  return {
    format: "ltlguard-dfa" as const,
    version: DFA_JSON_VERSION as 2,
    mode: dfa.mode,
    atoms: [...dfa.atoms],
    states: dfa.stateCount,
    initial: dfa.initial,
    accepting: indicesWhere(dfa.accepting),
    dead: indicesWhere(live.map((l) => !l)),
    ...(source === undefined ? {} : { source }),
  };
}

/** Numbers per line in long arrays. */
const PER_LINE = 32;
/** Lines per chunk. */
const LINES_PER_CHUNK = 256;

/**
 * The JSON text in pieces (one object, readable: one diagram node per line), so that a caller can
 * write it as it goes, pause between pieces, and stop early.
 */
export function* dfaToJsonChunks(dfa: Dfa, source?: string): Generator<string, void, void> {
  const head = header(dfa, source);
  let text = "{\n";
  for (const [key, value] of Object.entries(head)) {
    if (key === "accepting" || key === "dead") continue;
    text += `  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`;
  }
  yield text;
  yield* numberArray("accepting", head.accepting, true);
  yield* numberArray("dead", head.dead, true);
  yield* numberArray("next", dfa.behaviour, true);
  const { variable, low, high } = dfa.table;
  const n = variable.length;
  yield n === 0 ? '  "nodes": []\n}\n' : '  "nodes": [\n';
  if (n === 0) return;
  let lines: string[] = [];
  for (let x = 0; x < n; x++) {
    lines.push(`    [${variable[x]}, ${low[x]}, ${high[x]}]${x + 1 < n ? "," : ""}`);
    if (lines.length === LINES_PER_CHUNK) {
      yield lines.join("\n") + "\n";
      lines = [];
    }
  }
  yield `${lines.join("\n")}${lines.length > 0 ? "\n" : ""}  ]\n}\n`;
}

function* numberArray(key: string, values: ArrayLike<number>, comma: boolean): Generator<string, void, void> {
  if (values.length <= PER_LINE) {
    yield `  ${JSON.stringify(key)}: [${Array.from(values).join(", ")}]${comma ? "," : ""}\n`;
    return;
  }
  let text = `  ${JSON.stringify(key)}: [\n`;
  for (let i = 0; i < values.length; i += PER_LINE) {
    const line = Array.from({ length: Math.min(PER_LINE, values.length - i) }, (_, j) => values[i + j]).join(", ");
    text += `    ${line}${i + PER_LINE < values.length ? "," : ""}\n`;
    if ((i / PER_LINE) % LINES_PER_CHUNK === LINES_PER_CHUNK - 1) {
      yield text;
      text = "";
    }
  }
  yield `${text}  ]${comma ? "," : ""}\n`;
}

/** About how many bytes `dfaToJsonChunks` writes (an upper bound within a few percent). */
export function estimateJsonBytes(dfa: Dfa, source?: string): number {
  const digits = (x: number): number => String(Math.max(Math.abs(x), 1)).length + 1;
  const stateDigits = digits(dfa.stateCount);
  const nodeDigits = Math.max(digits(dfa.table.variable.length), stateDigits);
  const atomDigits = digits(dfa.atoms.length);
  const names = dfa.atoms.reduce((sum, a) => sum + a.length + 4, 0);
  return 300 + names + (source?.length ?? 0) * 2 + dfa.stateCount * (2 * stateDigits + nodeDigits + 8) + dfa.table.variable.length * (atomDigits + 2 * nodeDigits + 12);
}

function indicesWhere(flags: readonly boolean[]): number[] {
  return flags.flatMap((flag, i) => (flag ? [i] : []));
}
