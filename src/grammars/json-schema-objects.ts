/**
 * Objects in complete mode: the declared properties in any order, each at most once, the
 * required ones present, and extra members (keys the schema does not declare, where
 * additionalProperties/patternProperties allow them) anywhere between them.
 *
 * Any order costs a set of written properties in the state: 2^n sets for n properties, each
 * holding a copy of every value automaton. So only some properties are *free* (any order,
 * tracked in a bit set); the others keep the schema's order among themselves (a pointer into
 * that order), while free properties and extra members go anywhere around them. The free ones
 * are those with the smallest value automata, as many as fit a state budget; where they are
 * not all of them, the caller warns. No property is ever written twice either way.
 */
import type { ByteDfa } from "./byte-dfa.js";
import { DfaAssembly } from "./json-schema-automata.js";
import type { DfaBuildOptions } from "./ops.js";

export interface ObjectEntry {
  readonly name: string;
  /** The key and its colon. */
  readonly key: ByteDfa;
  readonly value: ByteDfa;
  readonly required: boolean;
}

/** A class of extra members: keys (with their colon) and the values they may have. */
export interface ExtraMembers {
  readonly key: ByteDfa;
  readonly value: ByteDfa;
}

/** The layout chosen for an object: which properties are free (any order), which follow schema order. */
export interface ObjectLayout {
  readonly free: readonly ObjectEntry[];
  readonly ordered: readonly ObjectEntry[];
}

/**
 * The most properties that can be free within `budget` estimated states. After minimization,
 * an ordered property's value has one copy per set of written free properties (what follows it
 * does not depend on where the pointer was); a free property's value, the keys and the extra
 * members have one per set and pointer position.
 */
export function chooseLayout(entries: readonly ObjectEntry[], extras: readonly ExtraMembers[], budget: number): ObjectLayout {
  const bySize = [...entries].sort((a, b) => a.value.stateCount - b.value.stateCount);
  const keys = entries.reduce((n, e) => n + e.key.stateCount, 0) + extras.reduce((n, x) => n + x.key.stateCount, 0);
  const extraValues = extras.reduce((n, x) => n + x.value.stateCount, 0);
  const estimate = (b: number): number => {
    const free = bySize.slice(0, b).reduce((n, e) => n + e.value.stateCount, 0);
    const ordered = bySize.slice(b).reduce((n, e) => n + e.value.stateCount, 0);
    return 2 ** b * ((entries.length - b + 1) * (keys + free + extraValues) + ordered);
  };
  let free = 0;
  for (let b = 1; b <= entries.length && b <= 20 && estimate(b) <= budget; b++) free = b;
  const chosen = new Set(bySize.slice(0, free));
  return { free: entries.filter((e) => chosen.has(e)), ordered: entries.filter((e) => !chosen.has(e)) };
}

/** The object automaton for a layout: `{`, members separated by `separator`, `}`. */
export function anyOrderObjectDfa(layout: ObjectLayout, extras: readonly ExtraMembers[], separator: ByteDfa, build: DfaBuildOptions): ByteDfa {
  const { free, ordered } = layout;
  const assembly = new DfaAssembly();
  const start = assembly.glue();
  const end = assembly.glue();
  const fullMask = 2 ** free.length - 1;
  const requiredMask = free.reduce((m, e, i) => (e.required ? m | (1 << i) : m), 0);
  // The pointer may not pass a required ordered property without writing it.
  const nextRequired = Array.from({ length: ordered.length + 1 }, (_, p) => {
    for (let q = p; q < ordered.length; q++) if (ordered[q]!.required) return q;
    return ordered.length;
  });
  // before[mask][p]: some member written, the free ones of `mask`, the ordered ones before p passed.
  const before = Array.from({ length: fullMask + 1 }, () => Array.from({ length: ordered.length + 1 }, () => assembly.glue()));
  const empty = assembly.glue();
  assembly.literal("{", start, empty);
  const members = (from: number, mask: number, p: number, first: boolean): void => {
    // One separator, then any of the members that may come next.
    let at = from;
    if (!first) {
      at = assembly.glue();
      assembly.embed(separator, from, at);
    }
    free.forEach((e, i) => {
      if (mask & (1 << i)) return;
      const valueStart = assembly.glue();
      assembly.embed(e.key, at, valueStart);
      assembly.embed(e.value, valueStart, before[mask | (1 << i)]![p]!);
    });
    for (let q = p; q <= nextRequired[p]! && q < ordered.length; q++) {
      const e = ordered[q]!;
      const valueStart = assembly.glue();
      assembly.embed(e.key, at, valueStart);
      assembly.embed(e.value, valueStart, before[mask]![q + 1]!);
    }
    for (const x of extras) {
      const valueStart = assembly.glue();
      assembly.embed(x.key, at, valueStart);
      assembly.embed(x.value, valueStart, before[mask]![p]!);
    }
  };
  const complete = (mask: number, p: number): boolean => (mask & requiredMask) === requiredMask && nextRequired[p] === ordered.length;
  if (complete(0, 0)) assembly.literal("}", empty, end);
  members(empty, 0, 0, true);
  for (let mask = 0; mask <= fullMask; mask++) {
    for (let p = 0; p <= ordered.length; p++) {
      const here = before[mask]![p]!;
      if (complete(mask, p)) assembly.literal("}", here, end);
      members(here, mask, p, false);
    }
  }
  return assembly.build(start, end, build, "object");
}
