import { Graphviz } from "@hpcc-js/wasm-graphviz";
import type { Dfa } from "../dfa.js";
import { dfaToDot, type DotOptions } from "./dot.js";

let graphviz: Promise<Graphviz> | undefined;

/** SVG drawn by Graphviz (compiled to WebAssembly, so no system install is needed). */
export async function dfaToSvg(dfa: Dfa, options: DotOptions = {}): Promise<string> {
  return dotToSvg(dfaToDot(dfa, options));
}

/** Any Graphviz DOT text as SVG. */
export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= Graphviz.load();
  return (await graphviz).dot(dot);
}
