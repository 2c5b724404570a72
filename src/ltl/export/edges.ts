import type { Dfa } from "../dfa.js";

/**
 * A state's outgoing edges read off its transition diagram, for the exporters that need one edge
 * per target (HOA, DOT): each path from the root to a target is a cube (a conjunction of
 * literals), and a target's guard is the disjunction of its cubes. The cubes of one state are
 * disjoint, and together they cover every letter.
 *
 * The cost is the number of paths, which can be exponential in the number of atoms even where the
 * diagram is small, so `estimateEdgeText` counts paths and literals first (one pass over the
 * shared diagram nodes) and the exporters refuse what would be too large.
 */

/** A literal: atom index and whether it holds. */
export type Literal = readonly [atom: number, holds: boolean];

export interface Edge {
  readonly to: number;
  /** Propositional mode: the cubes of the guard. Events mode: one single-literal cube per event. */
  readonly cubes: readonly (readonly Literal[])[];
}

/** The edges out of `state`, in increasing order of target (events mode: one cube per event). */
export function edgesOf(dfa: Dfa, state: number): Edge[] {
  const byTarget = new Map<number, Literal[][]>();
  const add = (to: number, cube: Literal[]): void => {
    const list = byTarget.get(to);
    if (list === undefined) byTarget.set(to, [cube]);
    else list.push(cube);
  };
  if (dfa.mode === "events") {
    dfa.atoms.forEach((_, e) => add(dfa.next(state, (i) => i === e), [[e, true]]));
  } else {
    const { variable, low, high } = dfa.table;
    const stack: [number, Literal[]][] = [[dfa.behaviour[state]!, []]];
    while (stack.length > 0) {
      const [x, path] = stack.pop()!;
      if (x < 0) {
        add(~x, path);
        continue;
      }
      const v = variable[x]!;
      stack.push([high[x]!, [...path, [v, true]]], [low[x]!, [...path, [v, false]]]);
    }
  }
  return [...byTarget.entries()].sort(([a], [b]) => a - b).map(([to, cubes]) => ({ to, cubes }));
}

/** Totals over all states, computed without listing a single path. */
export interface EdgeCounts {
  /** Edges, one per state and target (where cubes exceed 200,000, the number of cubes stands for it: an upper bound). */
  readonly edges: number;
  /** Whether `edges` is exact. */
  readonly exactEdges: boolean;
  /** Paths (cubes), summed over states. */
  readonly cubes: number;
  /** Literals in all cubes. */
  readonly literals: number;
}

const EXACT_EDGES_UP_TO = 200_000;

/** How many edges, cubes and literals the exporters would write (floating point: the counts can be astronomical). */
export function countEdges(dfa: Dfa): EdgeCounts {
  let edges = 0;
  if (dfa.mode === "events") {
    for (let s = 0; s < dfa.stateCount; s++) edges += dfa.successors(s).length;
    const k = dfa.atoms.length;
    return { edges, exactEdges: true, cubes: dfa.stateCount * k, literals: dfa.stateCount * k };
  }
  // Diagram nodes are stored children first, so one forward pass counts each node's paths and
  // literals from its children's.
  const { variable, low, high } = dfa.table;
  const paths = new Float64Array(variable.length);
  const literals = new Float64Array(variable.length);
  const pathsOf = (r: number): number => (r < 0 ? 1 : paths[r]!);
  const literalsOf = (r: number): number => (r < 0 ? 0 : literals[r]!);
  for (let x = 0; x < variable.length; x++) {
    paths[x] = pathsOf(low[x]!) + pathsOf(high[x]!);
    literals[x] = literalsOf(low[x]!) + literalsOf(high[x]!) + paths[x]!;
  }
  let cubes = 0;
  let total = 0;
  for (let s = 0; s < dfa.stateCount; s++) {
    const root = dfa.behaviour[s]!;
    cubes += pathsOf(root);
    total += literalsOf(root);
  }
  // Listing the targets walks every state's diagram: done only where that is cheap; otherwise
  // the number of cubes bounds the number of edges.
  const exactEdges = cubes <= EXACT_EDGES_UP_TO;
  if (exactEdges) for (let s = 0; s < dfa.stateCount; s++) edges += dfa.successors(s).length;
  else edges = cubes;
  return { edges, exactEdges, cubes, literals: total };
}

/** Bytes as people read them: 812 B, 27.9 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "more than 10^300 bytes";
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ["kB", "MB", "GB", "TB", "PB", "EB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)} ${units[unit]}`;
}
