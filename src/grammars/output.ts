import type { CompiledSpec } from "../ltl/analysis.js";
import { SpecError, type SourceLocation } from "../ltl/errors.js";
import type { SegmentFormat } from "../ltl/segments.js";
import type { ByteDfa } from "./byte-dfa.js";
import type { EventVariant } from "../ltl/tool-calls.js";
import { segmentDfa, type BoundVariant } from "./segment.js";
import { boundedEquivalenceClasses } from "./analysis.js";

/**
 * The language of a whole output, over bytes: the spec's event automaton composed with each
 * segment's byte automaton (tag, content, end).
 *
 * A state is one of:
 * - a *tag* state: between segments, or inside the tag of a segment that may come next. The
 *   state right after a segment (the root of the tag trie) is where the output may end, when the
 *   event automaton accepts there;
 * - a *content* state: inside a model-written segment, after its tag;
 * - a *pause* state: the tag of an environment-written segment is complete; the model stops and
 *   the caller supplies the content. Pause states have no outgoing bytes here: a model token may
 *   end on one but never run past it into text the environment writes.
 *
 * Tags are prefix-free and every segment's language is prefix-free (both checked), so the
 * composition is deterministic and each state knows which segment it is in, which is what the
 * decoder needs to report segments and to pause.
 */
export interface OutputAutomaton {
  readonly spec: CompiledSpec;
  readonly stateCount: number;
  readonly initial: number;
  /** `transitions[state * 256 + byte]`: the next state, or -1. Every state it reaches is live. */
  readonly transitions: Int32Array;
  /** 1 where the output may end (after a complete segment, where the spec accepts). */
  readonly accepting: Uint8Array;
  /** 1 for the tag states at a segment boundary (before any byte of the next tag). */
  readonly boundary: Uint8Array;
  readonly kind: Uint8Array;
  /** The event automaton's state: for tag states the state reached so far; for content and pause states the state before the segment. */
  readonly eventState: Int32Array;
  /** The event whose segment a content or pause state is in (-1 for tag states). */
  readonly event: Int32Array;
  /** The segment automaton's state for content states (its initial state for pause states); for merged content states, the state's number in its product. */
  readonly local: Int32Array;
  /** 1 for content states where several refined events (tools) are still possible: `event` is then the first of them. */
  readonly merged: Uint8Array;
  /** Segment formats, indexed by event number (the spec's event order). */
  readonly formats: readonly SegmentFormat[];
  /** Each segment's byte automaton (tag excluded: content and end), indexed by event number. */
  readonly segments: readonly ByteDfa[];
  /** The tag state right after a segment of `event` ends, starting from event state `q`. */
  boundaryAfter(q: number, event: number): number;
  /**
   * Mask keys: two states with the same key allow exactly the same byte strings of length ≤ k
   * (so the same tokens of at most k bytes). Free text far from its length limit shares one key,
   * and so do states of different event-automaton states that read the same next k bytes.
   * Computed by k rounds of partition refinement over the whole automaton.
   */
  maskKeys(k: number): { readonly keys: Int32Array; readonly count: number };
  /**
   * Coarser-grained but cheaper keys with the same guarantee: refinement within each segment's
   * own automaton, so states of different event-automaton states never share a key.
   */
  segmentMaskKeys(k: number): { readonly keys: Int32Array; readonly count: number };
}

export const STATE_TAG = 0;
export const STATE_CONTENT = 1;
export const STATE_PAUSE = 2;
/** Slots of segment-automaton states that are never entered (accepting ones map to the next tag state). */
export const STATE_UNUSED = 3;

export interface ComposeOptions {
  /** Refuse to build more composed states than this. */
  maxStates?: number;
  /**
   * A segment's automaton after its tag (content and end string; prefix-free), supplied by the
   * caller instead of the one its format describes; undefined keeps the format's. For languages
   * known only at run time, e.g. the actions a web page offers at this step.
   */
  contentAutomaton?: (format: SegmentFormat, variant: EventVariant) => ByteDfa | undefined;
}

/** Each state holds a 256-entry row (1 KiB): this caps the table at about 400 MiB. */
export const DEFAULT_MAX_OUTPUT_STATES = 400_000;

/** In a group product's table: no transition on this byte (a completion is `~member`, never this). */
const NO_TRANSITION = -(2 ** 31);

/** Builds the byte-level automaton of a compiled events-mode spec that declares segments. */
export function composeOutput(compiled: CompiledSpec, options: ComposeOptions = {}): OutputAutomaton {
  const { spec, dfa, analysis } = compiled;
  const fileLocation: SourceLocation = { file: spec.file, line: 1, column: 1, lineText: "" };
  if (spec.mode !== "events") {
    throw new SpecError("mode", "generating text needs an events-mode spec ('events a, b, …') with a segment for each event", fileLocation);
  }
  if (spec.segments.length === 0) {
    throw new SpecError(
      "segment",
      "the spec declares no segments: say how each event appears in the text, e.g. segment thought \"Thought: \" text max 200",
      fileLocation,
    );
  }
  const maxStates = options.maxStates ?? DEFAULT_MAX_OUTPUT_STATES;
  const events = dfa.atoms;
  const variants = events.map((name, e) => spec.binding?.variants[e] ?? { event: name, base: name });
  const formats = variants.map((v) => spec.segments.find((s) => s.event === v.base)!);
  const segments = variants.map((variant, e) => options.contentAutomaton?.(formats[e]!, variant) ?? segmentDfa(formats[e]!, boundVariant(spec, variant)));
  const eventNext = (q: number, e: number) => dfa.next(q, (i) => i === e);
  const encoder = new TextEncoder();
  const tagBytes = formats.map((f) => encoder.encode(f.tag));

  let transitions = new Int32Array(256 * 1024).fill(-1);
  const accepting: number[] = [];
  const kind: number[] = [];
  const eventState: number[] = [];
  const eventOf: number[] = [];
  const local: number[] = [];
  /** 1 for content states of a merged group of refined events (see `mergedEntry`). */
  const merged: number[] = [];
  const newState = (k: number, q: number, e: number, c: number): number => {
    const id = accepting.length;
    if (id >= maxStates) {
      throw new SpecError("segment", `the output automaton exceeded ${maxStates} states; lower the segments' 'max' limits or simplify the spec`, fileLocation);
    }
    accepting.push(0);
    kind.push(k);
    eventState.push(q);
    eventOf.push(e);
    local.push(c);
    merged.push(0);
    if ((id + 1) * 256 > transitions.length) {
      const grown = new Int32Array(transitions.length * 2).fill(-1);
      grown.set(transitions);
      transitions = grown;
    }
    return id;
  };

  // Group g = 2q + (initial ? 1 : 0): the tag trie from event state q. The initial group differs
  // only in that the output may not end there (an empty output is not a trace).
  const tagRoot = new Map<number, number>();
  const contextBase = new Map<number, number>();
  const pending: { root: number; q: number }[] = [];
  const rootOf = (q: number, initial: boolean): number => {
    const group = 2 * q + (initial ? 1 : 0);
    let root = tagRoot.get(group);
    if (root === undefined) {
      root = newState(STATE_TAG, q, -1, 0);
      accepting[root] = !initial && dfa.accepting[q] ? 1 : 0;
      tagRoot.set(group, root);
      pending.push({ root, q });
    }
    return root;
  };
  const contextKey = (q: number, e: number) => q * events.length + e;
  /** The composed state for segment-automaton state c of event e entered from event state q. */
  const contentEntry = (q: number, e: number): number => {
    const key = contextKey(q, e);
    let base = contextBase.get(key);
    if (base === undefined) {
      const seg = segments[e]!;
      if (formats[e]!.writer === "environment") {
        base = newState(STATE_PAUSE, q, e, seg.initial);
        contextBase.set(key, base);
        rootOf(eventNext(q, e), false); // where the output continues once the environment has written
      } else {
        base = accepting.length;
        contextBase.set(key, base);
        for (let c = 0; c < seg.stateCount; c++) newState(seg.accepting[c] ? STATE_UNUSED : STATE_CONTENT, q, e, c);
        const after = rootOf(eventNext(q, e), false);
        for (let c = 0; c < seg.stateCount; c++) {
          if (seg.accepting[c]) continue;
          for (let b = 0; b < 256; b++) {
            const to = seg.transitions[c * 256 + b]!;
            if (to < 0) continue;
            transitions[(base + c) * 256 + b] = seg.accepting[to] ? after : base + to;
          }
        }
      }
    }
    const seg = segments[e]!;
    if (formats[e]!.writer === "environment") return base;
    return seg.accepting[seg.initial] ? rootOf(eventNext(q, e), false) : base + seg.initial;
  };

  /**
   * Refined events of one declared event (a tool per `action[t]`, a tool and test outcome per
   * arguments event) share the tag; the content says which one it is. Their segment automata run
   * in parallel (a product), and a completed content continues after the refined event it belongs
   * to. The contents are disjoint and their union is prefix-free (checked), so the result stays
   * deterministic.
   */
  const mergedEntries = new Map<string, number>();
  const mergedEntry = (q: number, group: readonly number[]): number => {
    const key = `${q}:${group.join(",")}`;
    const known = mergedEntries.get(key);
    if (known !== undefined) return known;
    const product = groupProduct(group);
    // The roots after each member first: making states may grow (replace) the table.
    const after = group.map((e) => rootOf(eventNext(q, e), false));
    const base = accepting.length;
    for (let t = 0; t < product.stateCount; t++) {
      newState(STATE_CONTENT, q, group[0]!, t);
      merged[base + t] = 1;
    }
    for (let t = 0; t < product.stateCount; t++) {
      for (let b = 0; b < 256; b++) {
        const to = product.transitions[t * 256 + b]!;
        if (to === NO_TRANSITION) continue;
        transitions[(base + t) * 256 + b] = to >= 0 ? base + to : after[~to]!;
      }
    }
    mergedEntries.set(key, base);
    return base;
  };
  /**
   * The product of a group's segment automata, the same at every event state: `transitions` holds
   * a product state, `~j` where member j's content completes, or NO_TRANSITION.
   */
  const groupProducts = new Map<string, { stateCount: number; transitions: Int32Array }>();
  const groupProduct = (group: readonly number[]): { stateCount: number; transitions: Int32Array } => {
    const groupKey = group.join(",");
    const known = groupProducts.get(groupKey);
    if (known !== undefined) return known;
    const ids = new Map<string, number>();
    const queue: Int32Array[] = [];
    const stateOf = (tuple: Int32Array): number => {
      const tupleKey = tuple.join(",");
      let id = ids.get(tupleKey);
      if (id === undefined) {
        id = queue.length;
        ids.set(tupleKey, id);
        queue.push(tuple);
      }
      return id;
    };
    stateOf(Int32Array.from(group, (e) => segments[e]!.initial));
    const rows: Int32Array[] = [];
    for (let from = 0; from < queue.length; from++) {
      const tuple = queue[from]!;
      const row = new Int32Array(256).fill(NO_TRANSITION);
      for (let b = 0; b < 256; b++) {
        const next = new Int32Array(group.length);
        let alive = 0;
        let completed = -1;
        for (let j = 0; j < group.length; j++) {
          const c = tuple[j]!;
          const seg = segments[group[j]!]!;
          const to = c < 0 ? -1 : seg.transitions[c * 256 + b]!;
          next[j] = to;
          if (to < 0) continue;
          alive++;
          if (seg.accepting[to]) completed = j;
        }
        if (alive === 0) continue;
        if (completed >= 0 && alive > 1) {
          const other = group.find((_, j) => j !== completed && next[j]! >= 0)!;
          throw new SpecError(
            "segment",
            `segment '${formats[group[0]!]!.event}': the text of '${events[group[completed]!]}' could end where '${events[other]}' goes on; ` +
              `a segment must end at one definite place (give the segment an 'end' string, or rename the tools)`,
            formats[group[0]!]!.location,
          );
        }
        row[b] = completed >= 0 ? ~completed : stateOf(next);
      }
      rows.push(row);
    }
    const transitions = new Int32Array(rows.length * 256);
    rows.forEach((row, t) => transitions.set(row, t * 256));
    const product = { stateCount: rows.length, transitions };
    groupProducts.set(groupKey, product);
    return product;
  };

  const initial = rootOf(dfa.initial, true);
  while (pending.length > 0) {
    const { root, q } = pending.pop()!;
    // The tag trie of the events that may come next from q; refined events of one declared
    // event share their tag and are entered together.
    const groups = new Map<string, number[]>();
    for (let e = 0; e < events.length; e++) {
      if (!analysis.live[eventNext(q, e)]) continue;
      const base = variants[e]!.base;
      const group = groups.get(base);
      if (group === undefined) groups.set(base, [e]);
      else group.push(e);
    }
    for (const group of groups.values()) {
      const e = group[0]!;
      const entry = group.length === 1 || formats[e]!.writer === "environment" ? contentEntry(q, e) : mergedEntry(q, group);
      const tag = tagBytes[e]!;
      let node = root;
      for (let i = 0; i < tag.length; i++) {
        const slot = node * 256 + tag[i]!;
        if (i === tag.length - 1) {
          transitions[slot] = entry;
        } else {
          let child = transitions[slot]!;
          if (child < 0) {
            child = newState(STATE_TAG, q, -1, 0);
            transitions[slot] = child;
          }
          node = child;
        }
      }
    }
  }

  const stateCount = accepting.length;
  const table = transitions.slice(0, stateCount * 256);
  const boundary = new Uint8Array(stateCount);
  for (const root of tagRoot.values()) boundary[root] = 1;
  const automaton: OutputAutomaton = {
    spec: compiled,
    stateCount,
    initial,
    transitions: table,
    accepting: Uint8Array.from(accepting),
    boundary,
    kind: Uint8Array.from(kind),
    eventState: Int32Array.from(eventState),
    event: Int32Array.from(eventOf),
    local: Int32Array.from(local),
    merged: Uint8Array.from(merged),
    formats,
    segments,
    boundaryAfter: (q, e) => {
      const root = tagRoot.get(2 * eventNext(q, e));
      if (root === undefined) throw new Error(`boundaryAfter: no state after event ${events[e]} from event state ${q}`);
      return root;
    },
    maskKeys: memoize((k: number) => refineBounded(automaton, k)),
    segmentMaskKeys: memoize((k: number) => computeMaskKeys(automaton, k)),
  };
  return automaton;
}

function boundVariant(spec: CompiledSpec["spec"], variant: EventVariant): BoundVariant {
  return { variant, tool: variant.tool === undefined ? undefined : spec.binding?.tools.find((t) => t.name === variant.tool) };
}

function memoize<R>(f: (k: number) => R): (k: number) => R {
  const cache = new Map<number, R>();
  return (k) => {
    let value = cache.get(k);
    if (value === undefined) {
      value = f(k);
      cache.set(k, value);
    }
    return value;
  };
}

/**
 * Content states of one segment context whose segment states are k-equivalent (same observations
 * of "dead / complete" along every byte string of length ≤ k) share a key; a token of ≤ k bytes
 * leaves the segment at the same byte and continues from the same tag state, so it is allowed in
 * both or neither. Every other state has a key of its own.
 */
function computeMaskKeys(automaton: OutputAutomaton, k: number): { keys: Int32Array; count: number } {
  const classesBySegment = automaton.segments.map((seg) => boundedEquivalenceClasses(seg, k));
  const keys = new Int32Array(automaton.stateCount).fill(-1);
  const byContext = new Map<string, number>();
  let count = 0;
  for (let s = 0; s < automaton.stateCount; s++) {
    if (automaton.kind[s] !== STATE_CONTENT || automaton.merged[s] === 1) {
      keys[s] = count++;
      continue;
    }
    const e = automaton.event[s]!;
    const label = `${automaton.eventState[s]}:${e}:${classesBySegment[e]![automaton.local[s]!]}`;
    let key = byContext.get(label);
    if (key === undefined) {
      key = count++;
      byContext.set(label, key);
    }
    keys[s] = key;
  }
  return { keys, count };
}

/**
 * k rounds of Moore refinement where the only observation is "not rejected": afterwards two
 * states share a class iff every byte string of length ≤ k is rejected from both or from neither
 * (the initial partition puts all states together; -1 is the rejecting sink). Stops early once
 * a round splits nothing. Bytes that behave alike in every state are handled once.
 */
function refineBounded(automaton: OutputAutomaton, k: number): { keys: Int32Array; count: number } {
  const { stateCount: n, transitions } = automaton;
  const representatives = byteColumnRepresentatives(transitions, n);
  const width = representatives.length + 1;
  let classes = new Int32Array(n);
  let count = 1;
  const signature = new Int32Array(width);
  const rows = new Int32Array(n * width);
  for (let round = 0; round < k; round++) {
    const next = new Int32Array(n);
    const buckets = new Map<number, number[]>();
    let nextCount = 0;
    for (let s = 0; s < n; s++) {
      signature[0] = classes[s]!;
      let hash = Math.imul(0x9e3779b1, classes[s]! + 1);
      for (let r = 0; r < representatives.length; r++) {
        const to = transitions[s * 256 + representatives[r]!]!;
        const value = to < 0 ? -1 : classes[to]!;
        signature[r + 1] = value;
        hash = Math.imul(hash ^ (value + 2), 0x01000193);
      }
      rows.set(signature, s * width);
      const bucket = buckets.get(hash);
      let found = -1;
      if (bucket !== undefined) {
        for (const other of bucket) {
          let same = true;
          for (let i = 0; i < width && same; i++) same = rows[other * width + i] === signature[i];
          if (same) {
            found = next[other]!;
            break;
          }
        }
      }
      if (found < 0) {
        found = nextCount++;
        if (bucket === undefined) buckets.set(hash, [s]);
        else bucket.push(s);
      }
      next[s] = found;
    }
    classes = next;
    const stable = nextCount === count;
    count = nextCount;
    if (stable) break;
  }
  return { keys: classes, count };
}

/** One byte for each group of bytes whose transition columns are identical in every state. */
function byteColumnRepresentatives(transitions: Int32Array, n: number): number[] {
  const groups = new Map<string, number>();
  const column = new Int32Array(n);
  for (let b = 0; b < 256; b++) {
    for (let s = 0; s < n; s++) column[s] = transitions[s * 256 + b]!;
    const key = column.join(",");
    if (!groups.has(key)) groups.set(key, b);
  }
  return [...groups.values()];
}

/** Runs bytes from a state; -1 once they leave the language (or run past a pause). */
export function stepOutput(automaton: OutputAutomaton, state: number, bytes: Uint8Array): number {
  let s = state;
  for (let i = 0; i < bytes.length && s >= 0; i++) s = automaton.transitions[s * 256 + bytes[i]!]!;
  return s;
}

/**
 * What the environment must write at `state`, if generation is paused for it: after the model
 * wrote an environment segment's tag, that segment; at a boundary where the output may not end
 * and only environment segments may come next, those (the tag not written yet).
 */
export function environmentAwaited(automaton: OutputAutomaton, state: number): { events: string[]; tagWritten: boolean } | undefined {
  const a = automaton;
  if (a.kind[state] === STATE_PAUSE) return { events: [a.formats[a.event[state]!]!.event], tagWritten: true };
  if (a.boundary[state] !== 1 || a.accepting[state] === 1) return undefined;
  const allowed = eventsAllowedAt(a, a.eventState[state]!);
  if (allowed.length > 0 && allowed.every((e) => a.formats[e]!.writer === "environment")) {
    return { events: allowed.map((e) => a.formats[e]!.event), tagWritten: false };
  }
  return undefined;
}

/** The events whose segment may start at a tag-trie root (their tags are what may come next). */
export function eventsAllowedAt(automaton: OutputAutomaton, q: number): number[] {
  const { dfa, analysis } = automaton.spec;
  const allowed: number[] = [];
  for (let e = 0; e < dfa.atoms.length; e++) if (analysis.live[dfa.next(q, (i) => i === e)]) allowed.push(e);
  return allowed;
}

/** Where a complete transcript (model- and environment-written segments) leaves the spec's language. */
export interface TranscriptMismatch {
  /** Character offset (UTF-16, as `text.slice` counts) of the first byte that cannot be read. */
  readonly offset: number;
  /** What could come there instead, in words. */
  readonly expected: string;
}

/**
 * Reads a whole transcript, environment segments included (the model's automaton pauses there;
 * their content is checked against their segment's own automaton). Undefined when the text is an
 * output the spec allows; otherwise the first place it goes wrong.
 */
export function readTranscript(automaton: OutputAutomaton, text: string): TranscriptMismatch | undefined {
  const bytes = new TextEncoder().encode(text);
  const offsetOf = (byte: number): number => new TextDecoder().decode(bytes.subarray(0, byte)).length;
  const a = automaton;
  let s = a.initial;
  let i = 0;
  while (i < bytes.length) {
    if (a.kind[s] === STATE_PAUSE) {
      const e = a.event[s]!;
      const seg = a.segments[e]!;
      let c = seg.initial;
      const start = i;
      while (i < bytes.length && c >= 0 && seg.accepting[c] !== 1) c = seg.transitions[c * 256 + bytes[i++]!]!;
      if (c < 0 || seg.accepting[c] !== 1) {
        return { offset: offsetOf(c < 0 ? i - 1 : start), expected: `the content of '${a.formats[e]!.event}' (${describeContent(a.formats[e]!)}), then ${JSON.stringify(a.formats[e]!.end)}` };
      }
      s = a.boundaryAfter(a.eventState[s]!, e);
      continue;
    }
    const next = a.transitions[s * 256 + bytes[i]!]!;
    if (next < 0) return { offset: offsetOf(i), expected: expectedAt(a, s) };
    s = next;
    i++;
  }
  if (a.accepting[s] !== 1) return { offset: text.length, expected: `more text: the transcript may not end here; ${expectedAt(a, s)}` };
  return undefined;
}

function describeContent(format: SegmentFormat): string {
  const c = format.content;
  switch (c.kind) {
    case "text":
      return `text without ${JSON.stringify(c.until)}${c.maxBytes !== undefined ? `, at most ${c.maxBytes} bytes` : ""}`;
    case "choice":
      return `one of ${c.options.map((o) => JSON.stringify(o)).join(", ")}`;
    case "regex":
      return `a match of /${c.source}/`;
    case "tools":
      return "a tool's name";
    case "arguments":
      return `JSON arguments for the tool named in '${c.of}'`;
  }
}

function expectedAt(a: OutputAutomaton, s: number): string {
  if (a.kind[s] === STATE_CONTENT) {
    const format = a.formats[a.event[s]!]!;
    const next: string[] = [];
    for (let b = 0; b < 128 && next.length < 8; b++) if (a.transitions[s * 256 + b]! >= 0) next.push(JSON.stringify(String.fromCharCode(b)));
    return `inside '${format.event}' (${describeContent(format)}): ${next.length > 0 ? `e.g. ${next.join(", ")}` : "a non-ASCII character"}`;
  }
  const events = [...new Set(eventsAllowedAt(a, a.eventState[s]!).map((e) => a.formats[e]!))];
  if (events.length === 0) return "the end of the transcript";
  return `a segment the spec allows here: ${events.map((f) => `${JSON.stringify(f.tag)} (${f.event})`).join(", ")}`;
}
