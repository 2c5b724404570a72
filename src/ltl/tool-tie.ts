import { Dfa } from "./dfa.js";
import type { Spec } from "./spec.js";

/**
 * Ties each arguments event to the tool named just before it: after `action[t]`, an arguments
 * step of `action` must be one of `args[t|…]`, and an arguments step may only follow its action.
 *
 * As LTL this is one past formula per tool (`G(args[t] -> Y action[t])`), and the compiler pays
 * for each past operator with a carry bit: with ten tools the decision diagrams outgrow their
 * limit. As an automaton it is a monitor with one state per tool (plus "no tool"), so the tie is
 * applied here as a product of the compiled event automaton with that monitor, minimized again
 * (explicit Moore refinement: events mode has few letters). The result is an ordinary `Dfa`.
 */
export function tieArguments(dfa: Dfa, spec: Spec): Dfa {
  const binding = spec.binding;
  if (binding === undefined || dfa.mode !== "events") return dfa;
  const formatOf = new Map(spec.segments.map((s) => [s.event, s] as const));
  const argumentsOf = new Map<string, string>();
  for (const s of spec.segments) if (s.content.kind === "arguments") argumentsOf.set(s.content.of, s.event);
  if (argumentsOf.size === 0) return dfa;

  const events = dfa.atoms;
  const variants = binding.variants;
  // Monitor states: 0 = no tool just named; otherwise one per (action event, tool) whose
  // arguments segment must come next.
  const monitorIds = new Map<string, number>();
  const monitor = (action: string, tool: string): number => {
    const key = JSON.stringify([action, tool]);
    let id = monitorIds.get(key);
    if (id === undefined) monitorIds.set(key, (id = monitorIds.size + 1));
    return id;
  };
  /** The monitor state after each event. */
  const monitorAfter = new Int32Array(events.length);
  /** For an arguments event, the monitor state it needs; -1 for any other event. */
  const needs = new Int32Array(events.length).fill(-1);
  events.forEach((_, e) => {
    const v = variants[e]!;
    const content = formatOf.get(v.base)?.content;
    if (content?.kind === "tools" && argumentsOf.has(v.base) && v.tool !== undefined) monitorAfter[e] = monitor(v.base, v.tool);
    if (content?.kind === "arguments" && v.tool !== undefined) needs[e] = monitor(content.of, v.tool);
  });

  // Explicit product, breadth first from (initial, 0); a missing transition is the dead state.
  const ids = new Map<string, number>();
  const pairs: [number, number][] = [];
  const idOf = (q: number, m: number): number => {
    const key = `${q}:${m}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = pairs.length;
      ids.set(key, id);
      pairs.push([q, m]);
    }
    return id;
  };
  const next: number[][] = [];
  idOf(dfa.initial, 0);
  for (let i = 0; i < pairs.length; i++) {
    const [q, m] = pairs[i]!;
    const row: number[] = [];
    for (let e = 0; e < events.length; e++) {
      const need = needs[e]!;
      row.push(need >= 0 && need !== m ? -1 : idOf(dfa.next(q, (a) => a === e), monitorAfter[e]!));
    }
    next.push(row);
  }
  return minimalDfa(dfa, pairs.map(([q]) => dfa.accepting[q]!), next);
}

/**
 * Moore refinement of an explicit events-mode automaton (state 0 initial, -1 the rejecting sink),
 * then the `Dfa` with one decision chain per state: node i tests event e_i and leads to its target;
 * events that lead to the dead state are left out and fall through to it.
 */
function minimalDfa(template: Dfa, accepting: readonly boolean[], next: readonly number[][]): Dfa {
  const n = accepting.length;
  const events = template.atoms.length;
  const sink = n; // explicit rejecting sink
  const target = (s: number, e: number): number => (s === sink ? sink : next[s]![e]! < 0 ? sink : next[s]![e]!);
  let block = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) block[s] = accepting[s] ? 1 : 0;
  block[sink] = 0;
  let count = 2;
  for (;;) {
    const signatures = new Map<string, number>();
    const refined = new Int32Array(n + 1);
    for (let s = 0; s <= n; s++) {
      const parts = [block[s]!];
      for (let e = 0; e < events; e++) parts.push(block[target(s, e)]!);
      const key = parts.join(",");
      let b = signatures.get(key);
      if (b === undefined) {
        b = signatures.size;
        signatures.set(key, b);
      }
      refined[s] = b;
    }
    const stable = signatures.size === count;
    block = refined;
    count = signatures.size;
    if (stable) break;
  }
  // Number blocks breadth first from the initial state; the dead block (if reached) goes last.
  const deadBlock = block[sink]!;
  const order: number[] = [];
  const seen = new Set<number>();
  const representative = new Map<number, number>();
  for (let s = 0; s <= n; s++) if (!representative.has(block[s]!)) representative.set(block[s]!, s);
  const queue = [block[0]!];
  seen.add(block[0]!);
  for (let i = 0; i < queue.length; i++) {
    const b = queue[i]!;
    if (b !== deadBlock) order.push(b);
    const s = representative.get(b)!;
    for (let e = 0; e < events; e++) {
      const t = block[target(s, e)]!;
      if (!seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  const reachesDead = seen.has(deadBlock);
  if (reachesDead) order.push(deadBlock);
  const position = new Map(order.map((b, i) => [b, i] as const));
  const deadPosition = reachesDead ? position.get(deadBlock)! : -1;

  const variable: number[] = [];
  const low: number[] = [];
  const high: number[] = [];
  const behaviour = new Int32Array(order.length);
  const acceptingOut: boolean[] = [];
  order.forEach((b, i) => {
    const s = representative.get(b)!;
    acceptingOut.push(s !== sink && accepting[s]!);
    if (b === deadBlock) {
      behaviour[i] = ~i; // the sink: every letter leads back to it
      return;
    }
    // Chain from the last event to the first, so the root tests event 0.
    let root = ~(deadPosition >= 0 ? deadPosition : i);
    for (let e = events - 1; e >= 0; e--) {
      const t = position.get(block[target(s, e)]!)!;
      if (t === deadPosition) continue;
      variable.push(e);
      low.push(root);
      high.push(~t);
      root = variable.length - 1;
    }
    behaviour[i] = root;
  });
  return new Dfa(template.mode, [...template.atoms], 0, acceptingOut, behaviour, {
    variable: Int32Array.from(variable),
    low: Int32Array.from(low),
    high: Int32Array.from(high),
  });
}
