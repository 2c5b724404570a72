import { analyze } from "../analysis.js";
import { formulaOfCubes, type Dfa } from "../dfa.js";
import { formulaToString } from "../print.js";
import { countEdges, edgesOf } from "./edges.js";

export interface DotOptions {
  /** A title drawn above the graph. Defaults to none. */
  title?: string;
  /** Draw the dead state and the edges into it. Defaults to false: they only clutter the picture. */
  showDead?: boolean;
}

/** Graphviz DOT: accepting states are double circles; the dead state is hidden unless asked for. */
export function dfaToDot(dfa: Dfa, options: DotOptions = {}): string {
  return [...dfaToDotChunks(dfa, options)].join("");
}

/** The DOT text in pieces (a state at a time), to write as it goes. */
export function* dfaToDotChunks(dfa: Dfa, options: DotOptions = {}): Generator<string, void, void> {
  const { live } = analyze(dfa);
  const visible = (s: number): boolean => options.showDead === true || live[s]! || s === dfa.initial;
  const lines = [
    "digraph dfa {",
    "  rankdir=LR;",
    '  node [shape=circle, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=11];',
  ];
  if (options.title !== undefined) lines.push(`  label=${quote(options.title)}; labelloc=t;`);
  lines.push('  start [shape=point, label=""];', `  start -> s${dfa.initial};`);
  for (let s = 0; s < dfa.stateCount; s++) {
    if (!visible(s)) continue;
    const shape = dfa.accepting[s] ? "doublecircle" : "circle";
    const style = live[s] ? "" : ", style=dashed, color=gray50, fontcolor=gray50";
    lines.push(`  s${s} [label="${s}", shape=${shape}${style}];`);
  }
  yield lines.join("\n") + "\n";
  for (let from = 0; from < dfa.stateCount; from++) {
    if (!visible(from)) continue;
    const edges: string[] = [];
    for (const edge of edgesOf(dfa, from)) {
      if (!visible(edge.to)) continue;
      const guard = dfa.mode === "events" && edge.cubes.length === dfa.atoms.length ? "true" : formulaToString(formulaOfCubes(edge.cubes, dfa.atoms));
      edges.push(`  s${from} -> s${edge.to} [label=${quote(guard)}];`);
    }
    if (edges.length > 0) yield edges.join("\n") + "\n";
  }
  yield "}\n";
}

/** About how many bytes `dfaToDotChunks` writes, and how many edges it draws (from path counts; nothing is listed). */
export function estimateDot(dfa: Dfa): { bytes: number; edges: number; exactEdges: boolean; states: number } {
  const { edges, exactEdges, cubes, literals } = countEdges(dfa);
  const stateDigits = String(dfa.stateCount).length;
  const nameLength = dfa.atoms.reduce((sum, a) => sum + a.length, 0) / Math.max(dfa.atoms.length, 1);
  return {
    bytes: 300 + dfa.stateCount * (2 * stateDigits + 40) + edges * (2 * stateDigits + 24) + cubes * 3 + literals * (nameLength + 4),
    edges,
    exactEdges,
    states: dfa.stateCount,
  };
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
