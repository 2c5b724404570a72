import { analyze } from "../analysis.js";
import { guardToFormula, type Dfa } from "../dfa.js";
import { formulaToString } from "../print.js";

export interface DotOptions {
  /** A title drawn above the graph. Defaults to none. */
  title?: string;
  /** Draw the dead state and the edges into it. Defaults to false: they only clutter the picture. */
  showDead?: boolean;
}

/** Graphviz DOT: accepting states are double circles; the dead state is hidden unless asked for. */
export function dfaToDot(dfa: Dfa, options: DotOptions = {}): string {
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
  dfa.transitions.forEach((ts, from) => {
    if (!visible(from)) return;
    for (const t of ts) {
      if (!visible(t.to)) continue;
      lines.push(`  s${from} -> s${t.to} [label=${quote(formulaToString(guardToFormula(dfa, t.guard)))}];`);
    }
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
