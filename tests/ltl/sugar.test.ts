import { describe, expect, it } from "vitest";
import { compileFormula } from "../../src/ltl/compile.js";
import { accepts } from "../../src/ltl/dfa.js";
import { SpecError } from "../../src/ltl/errors.js";
import { parseFormula, type SpecMode } from "../../src/ltl/spec.js";
import { matchesRegex, positionsWhere, type StepRegex, type Trace } from "../support/evaluate.js";
import { Rng, allTraces } from "../support/random.js";

const EVENTS = ["a", "b", "c"];
const AB = ["a", "b"];

/** Every event trace (one event per step) up to `maxLength`: 1,092 traces of three events up to length 6. */
function eventTraces(events: readonly string[], maxLength: number): Trace[] {
  const out: Trace[] = [];
  const extend = (prefix: Set<string>[]): void => {
    if (prefix.length > 0) out.push(prefix);
    if (prefix.length === maxLength) return;
    for (const e of events) extend([...prefix, new Set([e])]);
  };
  extend([]);
  return out;
}

const EVENT_TRACES = eventTraces(EVENTS, 6);
const PROPOSITIONAL_TRACES = [...allTraces(AB, 6)];

const showTrace = (trace: Trace): string => trace.map((s) => [...s].join("") || "-").join(" ");

function compile(text: string, atoms: readonly string[], mode: SpecMode) {
  const f = parseFormula(text, { atoms, mode });
  return compileFormula(f, { atoms, mode });
}

describe("counting sugar counts the steps where its argument holds", () => {
  const BOUNDS = [
    ["at most", (count: number, n: number) => count <= n],
    ["at least", (count: number, n: number) => count >= n],
    ["exactly", (count: number, n: number) => count === n],
  ] as const;

  const check = (atoms: readonly string[], mode: SpecMode, args: readonly string[], traces: readonly Trace[]) => {
    for (const [words, expected] of BOUNDS) {
      for (const arg of args) {
        it(`${words} N ${arg}`, () => {
          const argument = parseFormula(arg, { atoms, mode });
          const counts = traces.map((t) => positionsWhere(argument, t).length);
          const failures: string[] = [];
          for (let n = 0; n <= 4; n++) {
            const text = `${words} ${n} (${arg})`;
            const dfa = compile(text, atoms, mode);
            traces.forEach((t, i) => {
              if (accepts(dfa, t) !== expected(counts[i]!, n) && failures.length < 5) {
                failures.push(`${text} on ${showTrace(t)} (${counts[i]} steps): DFA says ${accepts(dfa, t)}`);
              }
            });
          }
          expect(failures).toEqual([]);
        });
      }
    }
  };

  describe("events a, b, c; traces up to length 6", () => {
    check(EVENTS, "events", ["a", "a | b", "!c", "X a", "Y b", "a & WX b"], EVENT_TRACES);
  });
  describe("atoms a, b; traces up to length 6", () => {
    check(AB, "propositional", ["a", "a & b", "a | b", "!a", "X b", "a U b", "O (a & b)"], PROPOSITIONAL_TRACES);
  });

  it("counts past the bounds tried above, with other events in between", () => {
    const dfa = compile("at least 5 a", EVENTS, "events");
    const t = (s: string): Trace => [...s].map((e) => new Set([e]));
    expect(accepts(dfa, t("abacaaca"))).toBe(true);
    expect(accepts(dfa, t("abacaacc"))).toBe(false);
  });
});

/** A random regular expression over single steps, kept as a tree (for the matcher) that prints as pattern syntax. */
type Regex =
  | { t: "letter"; text: string; test: (step: ReadonlySet<string>) => boolean }
  | { t: "seq"; items: Regex[] }
  | { t: "alt"; options: Regex[] }
  | { t: "repeat"; item: Regex; min: number; max: number | undefined; quantifier: string };

function randomLetter(rng: Rng, events: readonly string[], mode: SpecMode): Regex {
  const [x, y] = [rng.pick(events), rng.pick(events)];
  switch (rng.int(mode === "events" ? 5 : 6)) {
    case 0:
      return { t: "letter", text: ".", test: () => true };
    case 1:
      return { t: "letter", text: `[${x} | ${y}]`, test: (s) => s.has(x) || s.has(y) };
    case 2:
      return { t: "letter", text: `[!${x}]`, test: (s) => !s.has(x) };
    case 5:
      return { t: "letter", text: `[${x} & !${y}]`, test: (s) => s.has(x) && !s.has(y) };
    default:
      return { t: "letter", text: x, test: (s) => s.has(x) };
  }
}

function randomRegex(rng: Rng, events: readonly string[], mode: SpecMode, depth: number): Regex {
  if (depth === 0 || rng.int(4) === 0) return randomLetter(rng, events, mode);
  switch (rng.int(5)) {
    case 0:
    case 1: {
      // An empty sequence now and then: it matches only the empty stretch.
      const length = rng.int(12) === 0 ? 0 : 2 + rng.int(2);
      return { t: "seq", items: Array.from({ length }, () => randomRegex(rng, events, mode, depth - 1)) };
    }
    case 2:
      return { t: "alt", options: Array.from({ length: 2 + rng.int(2) }, () => randomRegex(rng, events, mode, depth - 1)) };
    case 3: {
      // Unbounded repetition is only allowed on a single step.
      const item = randomLetter(rng, events, mode);
      const [min, quantifier] = rng.pick([[0, "*"], [1, "+"], [2, "{2,}"], [0, "{,}"]] as const);
      return { t: "repeat", item, min, max: undefined, quantifier };
    }
    default: {
      const item = randomRegex(rng, events, mode, depth - 1);
      const min = rng.int(3);
      const max = min + rng.int(3);
      const upTo = rng.pick([`{,${max}}`, `{<=${max}}`, `{ ≤ ${max} }`]);
      const quantifier = min === 0 && max === 1 && rng.int(2) === 0 ? "?" : min === max ? `{${min}}` : rng.int(3) === 0 && min === 0 ? upTo : `{${min},${max}}`;
      return { t: "repeat", item, min, max, quantifier };
    }
  }
}

function printRegex(r: Regex): string {
  switch (r.t) {
    case "letter":
      return r.text;
    case "seq":
      return r.items.map((i) => (i.t === "alt" ? `(${printRegex(i)})` : printRegex(i))).join(" ");
    case "alt":
      return r.options.map(printRegex).join(" | ");
    case "repeat":
      return `${r.item.t === "letter" ? printRegex(r.item) : `(${printRegex(r.item)})`}${r.quantifier}`;
  }
}

function toStepRegex(r: Regex): StepRegex {
  switch (r.t) {
    case "letter":
      return { t: "letter", test: r.test, text: r.text };
    case "seq":
      return { t: "seq", items: r.items.map(toStepRegex) };
    case "alt":
      return { t: "alt", options: r.options.map(toStepRegex) };
    case "repeat":
      return { t: "repeat", item: toStepRegex(r.item), min: r.min, max: r.max };
  }
}

describe("pattern(R) holds exactly on the traces that R matches as a whole", () => {
  const check = (events: readonly string[], mode: SpecMode, traces: readonly Trace[], firstSeed: number, count: number) => {
    const failures: string[] = [];
    let matchedSome = 0;
    let refused = 0;
    for (let seed = firstSeed; seed < firstSeed + count; seed++) {
      const regex = randomRegex(new Rng(seed), events, mode, 3);
      const text = `pattern(${printRegex(regex)})`;
      const matcher = toStepRegex(regex);
      let dfa;
      try {
        dfa = compile(text, events, mode);
      } catch (error) {
        // A pattern that can match only the empty stretch is refused (traces are never empty);
        // the refusal is right only if the matcher agrees on both halves of that claim.
        const onlyEmpty = matchesRegex(matcher, []) && !traces.some((t) => matchesRegex(matcher, t));
        if (error instanceof SpecError && /matches only the empty sequence/.test(error.message) && onlyEmpty) {
          refused++;
          continue;
        }
        failures.push(`seed ${seed}: ${text} does not compile: ${(error as Error).message}`);
        continue;
      }
      let matched = false;
      for (const t of traces) {
        const expected = matchesRegex(matcher, t);
        matched ||= expected;
        if (accepts(dfa, t) !== expected) {
          failures.push(`seed ${seed}: ${text} on ${showTrace(t)}: matcher says ${expected}, DFA says ${accepts(dfa, t)}`);
          break;
        }
      }
      if (matched) matchedSome++;
    }
    expect(failures).toEqual([]);
    // Guards against a generator whose regexes match nothing, which would make the comparison vacuous.
    expect(matchedSome).toBeGreaterThan(count / 2);
    expect(refused).toBeLessThan(count / 10);
  };

  it("for 300 random regexes over events a, b, c (traces up to length 6)", () => {
    check(EVENTS, "events", EVENT_TRACES, 1, 300);
  });

  it("for 100 random regexes over atoms a, b (traces up to length 5)", () => {
    check(AB, "propositional", [...allTraces(AB, 5)], 100_001, 100);
  });

  it.each([
    ["pattern(a b c)", ["abc"], ["ab", "abca", "acb"]],
    ["pattern(a*)", ["a", "aaaa"], ["b", "aab"]],
    ["pattern(a+ b)", ["ab", "aaab"], ["b", "aba"]],
    ["pattern(. . .)", ["abc", "ccc"], ["ab", "abca"]],
    ["pattern(a{<=2} b)", ["b", "ab", "aab"], ["aaab", "a"]],
    ["pattern(a{2,3})", ["aa", "aaa"], ["a", "aaaa"]],
    ["pattern(a{2})", ["aa"], ["a", "aaa"]],
    ["pattern((a b)?)", ["ab"], ["a", "abab"]],
    ["pattern((a | b c) c)", ["ac", "bcc"], ["bc", "abc"]],
    ["pattern([!a]{,2} a)", ["a", "ba", "cba"], ["bcba", "aa"]],
    ["pattern(a | )", ["a"], ["aa", "b"]],
  ])("%s", (text, yes, no) => {
    const dfa = compile(text, EVENTS, "events");
    const t = (s: string): Trace => [...s].map((e) => new Set([e]));
    for (const s of yes) expect([s, accepts(dfa, t(s))]).toEqual([s, true]);
    for (const s of no) expect([s, accepts(dfa, t(s))]).toEqual([s, false]);
  });
});
