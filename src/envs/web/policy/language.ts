import type { ByteDfa } from "../../../grammars/byte-dfa.js";
import { concatDfa, literalDfa, unionDfa } from "../../../grammars/constructions.js";
import { complementWithinUtf8 } from "../../../grammars/json-schema-automata.js";
import { emptyDfa, intersectDfa, isEmptyLanguage, minimizeDfa } from "../../../grammars/ops.js";
import { MAX_ARGUMENT_BYTES, type ActionKind } from "../actions.js";
import type { WebObservation } from "../drivers/driver.js";
import { elementFacts, typeSubmits, GOTO_URL_REGEX, regexAutomaton, sameOriginRegex, wholeMatch, type PageContext } from "./events.js";
import type { WebPolicy, WebVariant } from "./spec.js";

/**
 * The language of the actions the model may write at one step: exactly the actions that name an
 * element shown on this page (a text field for `type`, a select and one of its options for
 * `select`), in WebArena's syntax, and whose event the policy allows now. Built at every step
 * from the page and the policy's state, as a byte automaton the decoder masks with.
 *
 * Free text (what is typed, a goto URL, an answer) is limited to `MAX_ARGUMENT_BYTES` characters
 * without `]` or a newline; goto URLs to `GOTO_URL_REGEX`. Tests on free text cut its language
 * exactly (intersection with the test's language or with its complement), so a policy about
 * what is typed or where `goto` leads is enforced by the mask like one about elements.
 */

/** Free text inside brackets. */
const TEXT_REGEX = `[^\\]\\n]{0,${MAX_ARGUMENT_BYTES}}`;

export interface StepLanguage {
  /** The action line and its closing newline (what the segment after its tag holds). */
  readonly dfa: ByteDfa;
  /**
   * For each state of `dfa` copied from a cached part (the free text of type, goto and stop),
   * that part and the state's number in it: such states allow the same tokens at every step, so
   * their masks can be kept across steps. Undefined for the states built for this page.
   */
  readonly parts: readonly ({ readonly part: ByteDfa; readonly local: number } | undefined)[];
  /** How many ids each element action may name (for reports). */
  readonly ids: { readonly click: number; readonly type: number; readonly select: number };
}

export class ActionLanguageBuilder {
  private readonly cache = new Map<string, ByteDfa>();

  constructor(readonly policy: WebPolicy) {}

  /** The actions allowed on this page when the policy's automaton is in state `q`. */
  build(allowedEvents: readonly number[], observation: WebObservation): StepLanguage {
    const page: PageContext = { url: observation.url, title: observation.title };
    const memo = new Map<string, boolean>();
    const holds = (regex: string, value: string) => {
      const key = `${regex}\u0000${value}`;
      let r = memo.get(key);
      if (r === undefined) memo.set(key, (r = wholeMatch(regex, value)));
      return r;
    };
    /** Whether variant v's tests on the fields present in `facts` come out as v says. */
    const consistent = (v: WebVariant, facts: Readonly<Record<string, string>>) =>
      v.tests.every(({ test, holds: expected }) => !(test.field in facts) || holds(test.regex, facts[test.field]!) === expected);

    const byKind = new Map<ActionKind, number[]>();
    for (const e of allowedEvents) {
      const v = this.policy.variants[e]!;
      if (!consistent(v, { page: page.url, title: page.title })) continue;
      byKind.set(v.kind, [...(byKind.get(v.kind) ?? []), e]);
    }
    const variantsOf = (kind: ActionKind) => (byKind.get(kind) ?? []).map((e) => ({ e, v: this.policy.variants[e]! }));
    const ids = { click: 0, type: 0, select: 0 };
    const a = new Assembler();
    const root = a.state();
    const close = a.embed(literalDfa("]"));

    const click = variantsOf("click");
    const typeVariants = variantsOf("type");
    const select = variantsOf("select");
    const clickIds: string[] = [];
    const selectChoices: string[] = [];
    const typeGroups = new Map<string, { pairs: { enter: string; events: number[] }[]; ids: string[] }>();
    for (const id of [...observation.visibleIds].sort((x, y) => x - y)) {
      const element = observation.tree.elements.get(id);
      if (element === undefined) continue;
      if (click.length > 0 && click.some(({ v }) => consistent(v, elementFacts("click", element, page)))) clickIds.push(String(id));
      if (element.editable && typeVariants.length > 0) {
        const facts = elementFacts("type", element, page);
        // What is typed (and its tests) is free; whether Enter is pressed decides what it submits.
        const pairs = ["0", "1"]
          .map((enter) => ({ enter, events: typeVariants.filter(({ v }) => consistent(v, { ...facts, enter, submits: typeSubmits(element, enter === "1") })).map(({ e }) => e) }))
          .filter((p) => p.events.length > 0);
        if (pairs.length > 0) {
          const key = pairs.map((p) => `${p.enter}:${p.events.join(",")}`).join(";");
          const group = typeGroups.get(key) ?? { pairs, ids: [] };
          group.ids.push(String(id));
          typeGroups.set(key, group);
        }
      }
      if (element.options !== undefined && select.length > 0) {
        const facts = elementFacts("select", element, page);
        let any = false;
        for (const option of element.options) {
          if (/[\]\n]/.test(option) || Buffer.byteLength(option) > MAX_ARGUMENT_BYTES) continue;
          if (select.some(({ v }) => consistent(v, { ...facts, option }))) {
            selectChoices.push(`${id}] [${option}`);
            any = true;
          }
        }
        if (any) ids.select++;
      }
    }
    ids.click = clickIds.length;
    if (clickIds.length > 0) {
      const start = a.path(root, "click [");
      for (const id of clickIds) a.merge(a.path(start, id), close);
    }
    if (selectChoices.length > 0) {
      const start = a.path(root, "select [");
      for (const choice of selectChoices) a.merge(a.path(start, choice), close);
    }
    for (const [key, group] of typeGroups) {
      const rest = this.cached(`type-group:${key}`, () => {
        let dfa = emptyDfa();
        for (const { enter, events } of group.pairs) {
          let text = emptyDfa();
          for (const e of events) text = unionDfa(text, this.freeText(e, "text"));
          dfa = unionDfa(dfa, concatDfa(text, literalDfa(`] [${enter}]`)));
        }
        return minimizeDfa(dfa);
      });
      if (isEmptyLanguage(rest)) continue;
      const tail = a.embed(rest);
      const start = a.path(root, "type [");
      for (const id of group.ids) a.merge(a.path(start, `${id}] [`), tail);
      ids.type += group.ids.length;
    }
    for (const d of ["up", "down"]) {
      if (variantsOf("scroll").some(({ v }) => consistent(v, { direction: d }))) a.accept(a.path(root, `scroll [${d}]`));
    }
    if (variantsOf("go_back").length > 0) a.accept(a.path(root, "go_back"));
    const gotos = variantsOf("goto");
    if (gotos.length > 0) {
      const key = gotos.map(({ e }) => e).join(",");
      const urls = this.cached(`gotos:${key}:${new URL(page.url).origin}`, () => {
        let dfa = emptyDfa();
        for (const { e, v } of gotos) dfa = unionDfa(dfa, this.gotoUrls(e, v, page.url));
        return minimizeDfa(concatDfa(dfa, literalDfa("]")));
      });
      if (!isEmptyLanguage(urls)) a.merge(a.path(root, "goto ["), a.embed(urls));
    }
    const stops = variantsOf("stop");
    if (stops.length > 0) {
      const answers = this.cached(`stops:${stops.map(({ e }) => e).join(",")}`, () => {
        let dfa = emptyDfa();
        for (const { e } of stops) dfa = unionDfa(dfa, this.freeText(e, "answer"));
        return minimizeDfa(concatDfa(dfa, literalDfa("]")));
      });
      if (!isEmptyLanguage(answers)) a.merge(a.path(root, "stop ["), a.embed(answers));
    }
    const dfa = a.finish(root);
    return { dfa, parts: a.parts(dfa.stateCount), ids };
  }

  /** Free text for one event's tests on `field`: the format cut by each test's language or its complement. */
  private freeText(e: number, field: string): ByteDfa {
    return this.cached(`free:${e}:${field}`, () => {
      let dfa = regexAutomaton(TEXT_REGEX);
      for (const { test, holds } of this.policy.variants[e]!.tests) {
        if (test.field !== field) continue;
        const language = regexAutomaton(test.regex);
        dfa = intersectDfa(dfa, holds ? language : complementWithinUtf8(language));
      }
      return minimizeDfa(dfa);
    });
  }

  /** The goto URLs of one event on a page of this origin. */
  private gotoUrls(e: number, v: WebVariant, pageUrl: string): ByteDfa {
    const origin = new URL(pageUrl).origin;
    return this.cached(`goto:${e}:${origin}`, () => {
      const format = regexAutomaton(GOTO_URL_REGEX);
      const same = intersectDfa(format, regexAutomaton(sameOriginRegex(pageUrl)));
      const other = intersectDfa(format, complementWithinUtf8(regexAutomaton(sameOriginRegex(pageUrl))));
      const origins = ["same", "other"].filter((o) => v.tests.every(({ test, holds }) => test.field !== "origin" || wholeMatch(test.regex, o) === holds));
      let dfa = emptyDfa();
      if (origins.includes("same")) dfa = unionDfa(dfa, same);
      if (origins.includes("other")) dfa = unionDfa(dfa, other);
      for (const { test, holds } of v.tests) {
        if (test.field !== "url") continue;
        const language = regexAutomaton(test.regex);
        dfa = intersectDfa(dfa, holds ? language : complementWithinUtf8(language));
      }
      return minimizeDfa(dfa);
    });
  }

  private cached(key: string, make: () => ByteDfa): ByteDfa {
    let dfa = this.cache.get(key);
    if (dfa === undefined) {
      dfa = make();
      if (this.cache.size > 256) this.cache.clear();
      this.cache.set(key, dfa);
    }
    return dfa;
  }
}

/**
 * Builds the step's automaton directly (no products or minimization per step): a trie of the
 * action keywords and of the ids and options the page offers, whose leaves continue into the
 * cached automata of the free-text parts. Every kind starts with its own keyword, so the parts
 * never overlap and the result is deterministic by construction; a transition set twice would be
 * a bug and throws.
 */
class Assembler {
  private transitions = new Int32Array(256 * 256).fill(-1);
  private accepting: number[] = [];
  private readonly embedded = new Map<ByteDfa, number>();
  private readonly ranges: { base: number; part: ByteDfa }[] = [];

  state(): number {
    const id = this.accepting.length;
    this.accepting.push(0);
    if ((id + 1) * 256 > this.transitions.length) {
      const grown = new Int32Array(this.transitions.length * 2).fill(-1);
      grown.set(this.transitions);
      this.transitions = grown;
    }
    return id;
  }

  /** Follows (creating where needed) the path of `text`'s bytes from `from`; returns its end. */
  path(from: number, text: string): number {
    let s = from;
    for (const b of new TextEncoder().encode(text)) {
      let to = this.transitions[s * 256 + b]!;
      if (to < 0) {
        to = this.state();
        this.transitions[s * 256 + b] = to;
      }
      s = to;
    }
    return s;
  }

  accept(state: number): void {
    this.accepting[state] = 1;
  }

  /** Copies a (trimmed) automaton in; returns the copy of its initial state. Each automaton is copied once. */
  embed(dfa: ByteDfa): number {
    const known = this.embedded.get(dfa);
    if (known !== undefined) return known;
    const base = this.accepting.length;
    for (let s = 0; s < dfa.stateCount; s++) this.state();
    for (let s = 0; s < dfa.stateCount; s++) {
      this.accepting[base + s] = dfa.accepting[s]!;
      for (let b = 0; b < 256; b++) {
        const to = dfa.transitions[s * 256 + b]!;
        if (to >= 0) this.transitions[(base + s) * 256 + b] = base + to;
      }
    }
    this.embedded.set(dfa, base + dfa.initial);
    this.ranges.push({ base, part: dfa });
    return base + dfa.initial;
  }

  /** Makes `state` continue as `initial` does (the language from `initial` is appended at `state`). */
  merge(state: number, initial: number): void {
    for (let b = 0; b < 256; b++) {
      const to = this.transitions[initial * 256 + b]!;
      if (to < 0) continue;
      const slot = state * 256 + b;
      if (this.transitions[slot]! >= 0 && this.transitions[slot] !== to) throw new Error(`action language: two continuations on byte ${b}`);
      this.transitions[slot] = to;
    }
    if (this.accepting[initial]) this.accepting[state] = 1;
  }

  /** Which states are copies of which part's states. */
  parts(stateCount: number): ({ part: ByteDfa; local: number } | undefined)[] {
    const out: ({ part: ByteDfa; local: number } | undefined)[] = new Array(stateCount).fill(undefined);
    for (const { base, part } of this.ranges) for (let s = 0; s < part.stateCount; s++) out[base + s] = { part, local: s };
    return out;
  }

  /** The automaton from `root`, each action closed by a newline. */
  finish(root: number): ByteDfa {
    const end = this.state();
    for (let s = 0; s < end; s++) {
      if (!this.accepting[s]) continue;
      if (this.transitions[s * 256 + 10]! >= 0) throw new Error("action language: an action may contain a newline");
      this.transitions[s * 256 + 10] = end;
      this.accepting[s] = 0;
    }
    this.accepting[end] = 1;
    const n = this.accepting.length;
    return { stateCount: n, initial: root, transitions: this.transitions.slice(0, n * 256), accepting: Uint8Array.from(this.accepting) };
  }
}
