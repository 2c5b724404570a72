import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { conjunction } from "../../src/ltl/ast.js";
import { compileFormula } from "../../src/ltl/compile.js";
import { accepts, stepEvent, type Dfa } from "../../src/ltl/dfa.js";
import { SpecError } from "../../src/ltl/errors.js";
import { parseSpec, type Spec } from "../../src/ltl/spec.js";

/**
 * The agent specs in `specs/` against the shapes of the LTL agent framework (Crouse et al. 2023).
 *
 * Each spec gets a reference written independently of the spec language: a JavaScript regular
 * expression over one-letter codes for its events, transcribed from the framework's shape. The
 * compiled automaton must accept exactly the traces the reference matches:
 *
 * - on every trace up to a length where enumerating the whole alphabet stays fast;
 * - and on every trace up to a much greater length, by exploring only the prefixes that either
 *   side can still complete. That needs the reference's prefixes as a regular expression too, so
 *   references are built with the small combinators below, which derive both.
 */

/** A reference language: `full` matches its words, `prefix` every prefix of one (the empty one included). */
interface Ref {
  readonly full: string;
  readonly prefix: string;
}

/** A string stands for the sequence of its letters. */
type RefLike = Ref | string;

const letter = (code: string): Ref => ({ full: code, prefix: `(?:${code})?` });

function ref(r: RefLike): Ref {
  if (typeof r !== "string") return r;
  const letters = [...r].map(letter);
  return letters.length === 1 ? letters[0]! : seq(...letters);
}

function seq(...parts: RefLike[]): Ref {
  const items = parts.map(ref);
  // A prefix of a concatenation is some items whole, then a prefix of the next one.
  const options = items.map((item, i) => items.slice(0, i).map((x) => x.full).join("") + item.prefix);
  return { full: items.map((x) => x.full).join(""), prefix: `(?:${options.join("|")})` };
}

/** `item{min,max}`, or `item{min,}` when `max` is left out. */
function rep(part: RefLike, min = 0, max?: number): Ref {
  const item = ref(part);
  if (max === undefined) return { full: `(?:${item.full}){${min},}`, prefix: `(?:${item.full})*${item.prefix}` };
  // The prefixes of up to `max` repetitions are those of exactly `max` (every item is non-empty).
  if (max === 0) return { full: "", prefix: "" };
  return { full: `(?:${item.full}){${min},${max}}`, prefix: `(?:${item.full}){0,${max - 1}}${item.prefix}` };
}

interface AgentCase {
  readonly name: string;
  /** A distinct one-letter code per event, for the reference. */
  readonly codes: Readonly<Record<string, string>>;
  /** The framework's shape over the codes. */
  readonly reference: Ref;
  /** Traces as event names separated by spaces. */
  readonly accept: readonly string[];
  readonly reject: readonly string[];
  /** Every trace over the whole alphabet up to this length is compared. */
  readonly exhaustiveLength: number;
  /** Every trace up to this length that either side can still complete is compared. */
  readonly deepLength: number;
}

/** `times(n, "a b")` is "a b a b ..." (n times); joins with the rest, for readable trace tables. */
const times = (n: number, block: string): string => Array.from({ length: n }, () => block).join(" ");
const words = (...parts: string[]): string => parts.filter((p) => p !== "").join(" ");

const ROUND = "thought action action_input observation";

const CASES: readonly AgentCase[] = [
  {
    name: "direct",
    codes: { question: "q", answer: "A" },
    reference: ref("qA"),
    accept: ["question answer"],
    reject: [
      "question",
      "answer",
      "question answer answer",
      "question question answer",
      "answer question",
      "question answer question",
    ],
    exhaustiveLength: 16,
    deepLength: 20,
  },
  {
    name: "cot",
    codes: { question: "q", thought: "t", answer: "A" },
    reference: ref("qtA"),
    accept: ["question thought answer"],
    reject: [
      "question answer",
      "question thought",
      "question thought thought answer",
      "question thought answer thought",
      "thought question answer",
      "question thought answer answer",
    ],
    exhaustiveLength: 12,
    deepLength: 20,
  },
  {
    name: "react",
    codes: { question: "q", thought: "t", action: "a", action_input: "i", observation: "o", final_thought: "f", answer: "A" },
    reference: seq("q", rep("taio", 0, 5), "fA"),
    accept: [
      "question final_thought answer",
      words("question", ROUND, "final_thought answer"),
      words("question", times(3, ROUND), "final_thought answer"),
      words("question", times(5, ROUND), "final_thought answer"),
    ],
    reject: [
      words("question", times(6, ROUND), "final_thought answer"),
      words("question", ROUND, "final_thought"),
      words("question", ROUND),
      words("question", ROUND, "final_thought answer thought"),
      "question final_thought answer answer",
      "question thought action action_input final_thought answer",
      "question thought action action_input observation observation final_thought answer",
      "question action action_input observation final_thought answer",
      "question answer",
      "final_thought answer",
      "question question final_thought answer",
    ],
    exhaustiveLength: 8,
    deepLength: 30,
  },
  {
    name: "reflexion",
    codes: {
      question: "q", thought: "t", action: "a", action_input: "i", observation: "o",
      final_thought: "f", proposed_answer: "p", evaluator: "e", reflection: "r", answer: "A",
    },
    reference: seq("q", rep(seq(rep("taio", 0, 3), "fper"), 0, 2), "A"),
    accept: [
      "question answer",
      "question final_thought proposed_answer evaluator reflection answer",
      words("question", ROUND, "final_thought proposed_answer evaluator reflection answer"),
      words(
        "question",
        times(3, ROUND), "final_thought proposed_answer evaluator reflection",
        times(3, ROUND), "final_thought proposed_answer evaluator reflection",
        "answer",
      ),
      words("question", "final_thought proposed_answer evaluator reflection", times(2, ROUND), "final_thought proposed_answer evaluator reflection answer"),
    ],
    reject: [
      words("question", times(4, ROUND), "final_thought proposed_answer evaluator reflection answer"),
      words("question", times(3, "final_thought proposed_answer evaluator reflection"), "answer"),
      "question final_thought proposed_answer evaluator reflection",
      "question final_thought proposed_answer evaluator reflection answer reflection",
      "question final_thought proposed_answer reflection answer",
      "question final_thought evaluator proposed_answer reflection answer",
      "question thought action action_input final_thought proposed_answer evaluator reflection answer",
      "question final_thought proposed_answer evaluator reflection answer answer",
      "question thought answer",
      "question proposed_answer answer",
    ],
    exhaustiveLength: 7,
    deepLength: 40,
  },
  {
    name: "rewoo",
    codes: { question: "q", plan: "p", action_label: "l", action: "a", action_input: "i", solver: "s" },
    reference: seq("q", rep("plai", 0, 5), "s"),
    accept: [
      "question solver",
      "question plan action_label action action_input solver",
      words("question", times(5, "plan action_label action action_input"), "solver"),
      words("question", times(2, "plan action_label action action_input"), "solver"),
    ],
    reject: [
      words("question", times(6, "plan action_label action action_input"), "solver"),
      "question plan action_label action action_input",
      "question plan action_label action action_input solver solver",
      "question plan action_label action action_input solver plan",
      "question plan action action_input solver",
      "question plan action_label action solver",
      "question plan action_label action_input action solver",
      "question plan plan action_label action action_input solver",
      "solver",
      "question",
    ],
    exhaustiveLength: 9,
    deepLength: 30,
  },
  {
    name: "pass",
    codes: { question: "q", plan: "p", action: "a", action_input: "i", summarize: "s", final_thought: "f", answer: "A" },
    reference: seq("q", rep(seq("p", rep("ai"), "s"), 0, 5), "fA"),
    accept: [
      "question final_thought answer",
      "question plan summarize final_thought answer",
      words("question plan", times(4, "action action_input"), "summarize final_thought answer"),
      words("question", times(5, "plan action action_input summarize"), "final_thought answer"),
      "question plan summarize plan action action_input action action_input summarize final_thought answer",
    ],
    reject: [
      words("question", times(6, "plan summarize"), "final_thought answer"),
      words("question", times(6, "plan action action_input summarize"), "final_thought answer"),
      "question plan action summarize final_thought answer",
      "question plan action_input summarize final_thought answer",
      "question plan action_input action summarize final_thought answer",
      "question plan action action action_input action_input summarize final_thought answer",
      "question plan action action_input final_thought answer",
      "question plan action action_input summarize final_thought",
      "question plan summarize final_thought answer final_thought",
      "question plan summarize answer",
      "question action action_input final_thought answer",
    ],
    exhaustiveLength: 8,
    deepLength: 30,
  },
  {
    name: "chat",
    codes: { user_problem: "u", thought: "t", action: "a", action_input: "i", observation: "o", final_response: "r" },
    reference: seq("u", rep("taio"), "r"),
    accept: [
      "user_problem final_response",
      words("user_problem", ROUND, "final_response"),
      words("user_problem", times(5, ROUND), "final_response"),
      words("user_problem", times(6, ROUND), "final_response"),
      words("user_problem", times(12, ROUND), "final_response"),
    ],
    reject: [
      words("user_problem", ROUND),
      "user_problem",
      "user_problem final_response thought",
      "user_problem final_response final_response",
      "user_problem thought action action_input final_response",
      "user_problem thought action action_input observation action action_input observation final_response",
      "user_problem action action_input observation final_response",
      "user_problem user_problem final_response",
      "final_response",
    ],
    exhaustiveLength: 9,
    deepLength: 30,
  },
];

const SPEC_DIR = fileURLToPath(new URL("../../specs/", import.meta.url));

function compileSpec(text: string, file: string): { spec: Spec; dfa: Dfa } {
  const spec = parseSpec(text, { file });
  const dfa = compileFormula(conjunction(spec.formulas.map((f) => f.formula)), { atoms: spec.atoms, mode: spec.mode });
  return { spec, dfa };
}

function load(name: string): { text: string; spec: Spec; dfa: Dfa } {
  const text = readFileSync(`${SPEC_DIR}${name}.ltl`, "utf8");
  return { text, ...compileSpec(text, `specs/${name}.ltl`) };
}

function toTrace(spec: Spec, trace: string): Set<string>[] {
  const names = trace.split(/\s+/).filter((n) => n !== "");
  for (const n of names) if (!spec.atoms.includes(n)) throw new Error(`test table: '${n}' is not an event of ${spec.file}`);
  return names.map((n) => new Set([n]));
}

/** States from which some trace (possibly empty) reaches acceptance. */
function liveStates(dfa: Dfa): boolean[] {
  const live = dfa.accepting.slice();
  for (let changed = true; changed; ) {
    changed = false;
    for (let s = 0; s < dfa.stateCount; s++) {
      if (!live[s] && dfa.transitions[s]!.some((t) => live[t.to])) live[s] = changed = true;
    }
  }
  return live;
}

/** Whether some non-empty trace is accepted. */
function satisfiable(dfa: Dfa): boolean {
  const live = liveStates(dfa);
  return dfa.transitions[dfa.initial]!.some((t) => live[t.to]);
}

interface Mismatch {
  readonly trace: string;
  readonly what: string;
}

/**
 * Walks the traces over `codes` depth-first up to `maxLength`, stepping the automaton along, and
 * records where it disagrees with the reference: on acceptance, and (with `prune`) on whether the
 * trace can still be completed, where the walk stops descending once neither side can.
 */
function compare(dfa: Dfa, codes: readonly string[], reference: Ref, maxLength: number, prune: boolean): { mismatches: Mismatch[]; traces: number } {
  const full = new RegExp(`^(?:${reference.full})$`);
  const prefix = new RegExp(`^(?:${reference.prefix})$`);
  const live = liveStates(dfa);
  const mismatches: Mismatch[] = [];
  let traces = 0;
  const walk = (state: number, trace: string): void => {
    if (trace.length === maxLength || mismatches.length >= 5) return;
    for (let e = 0; e < codes.length; e++) {
      const next = stepEvent(dfa, state, e);
      const extended = trace + codes[e]!;
      traces++;
      if (dfa.accepting[next] !== full.test(extended)) {
        mismatches.push({ trace: extended, what: dfa.accepting[next] ? "accepted, the reference rejects" : "rejected, the reference accepts" });
      }
      if (!prune) {
        walk(next, extended);
        continue;
      }
      const completable = prefix.test(extended);
      if (completable !== live[next]) {
        mismatches.push({ trace: extended, what: live[next] ? "can still be accepted, not by the reference" : "can never be accepted, the reference can" });
      }
      if (completable || live[next]) walk(next, extended);
    }
  };
  walk(dfa.initial, "");
  return { mismatches, traces };
}

function describeMismatches(mismatches: readonly Mismatch[], codes: readonly string[], atoms: readonly string[]): string[] {
  const name = new Map(codes.map((c, i) => [c, atoms[i]!]));
  return mismatches.map((m) => `${[...m.trace].map((c) => name.get(c)).join(" ")}: ${m.what}`);
}

describe("reference combinators", () => {
  it("derive the prefixes of a nested shape", () => {
    const r = seq("q", rep(seq(rep("ai"), "s"), 0, 2), "A");
    const full = new RegExp(`^(?:${r.full})$`);
    const prefix = new RegExp(`^(?:${r.prefix})$`);
    for (const w of ["qA", "qsA", "qaisaisA", "qssA"]) expect(full.test(w), w).toBe(true);
    for (const w of ["q", "qsssA", "qaA", "qiasA"]) expect(full.test(w), w).toBe(false);
    for (const w of ["", "q", "qa", "qai", "qaia", "qs", "qss", "qssA", "qaisa"]) expect(prefix.test(w), w).toBe(true);
    for (const w of ["A", "qi", "qaa", "qsss", "qAs", "qssAA"]) expect(prefix.test(w), w).toBe(false);
  });
});

describe.each(CASES.map((c) => [c.name, c] as const))("specs/%s.ltl", (_name, c) => {
  const { text, spec, dfa } = load(c.name);
  const codes = spec.atoms.map((a) => c.codes[a]!);

  it("declares events with distinct codes for the reference", () => {
    expect(spec.mode).toBe("events");
    expect(spec.declared).toBe(true);
    expect(new Set(spec.atoms)).toEqual(new Set(Object.keys(c.codes)));
    expect(new Set(codes).size).toBe(codes.length);
    expect(text.trimStart().startsWith("#")).toBe(true);
  });

  it("compiles to a satisfiable automaton", () => {
    expect(dfa.mode).toBe("events");
    expect(satisfiable(dfa)).toBe(true);
  });

  it.each(c.accept)("accepts: %s", (trace) => {
    expect(accepts(dfa, toTrace(spec, trace))).toBe(true);
  });

  it.each(c.reject)("rejects: %s", (trace) => {
    expect(accepts(dfa, toTrace(spec, trace))).toBe(false);
  });

  it("rejects the empty trace", () => {
    expect(accepts(dfa, [])).toBe(false);
  });

  it("agrees with the reference shape on every trace up to the exhaustive length", () => {
    const { mismatches, traces } = compare(dfa, codes, c.reference, c.exhaustiveLength, false);
    expect(describeMismatches(mismatches, codes, spec.atoms)).toEqual([]);
    expect(traces).toBe(Array.from({ length: c.exhaustiveLength }, (_, n) => codes.length ** (n + 1)).reduce((a, b) => a + b));
  });

  it("agrees with the reference shape on every trace up to the deep length", () => {
    const { mismatches } = compare(dfa, codes, c.reference, c.deepLength, true);
    expect(describeMismatches(mismatches, codes, spec.atoms)).toEqual([]);
  });

  it("refuses a rule that names an undeclared event", () => {
    const withTypo = `${text}\nG(tool_call -> X ${spec.atoms[1]})\n`;
    let error: unknown;
    try {
      parseSpec(withTypo, { file: `specs/${c.name}.ltl` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    const specError = error as SpecError;
    expect(specError.kind).toBe("unknown-atom");
    expect(specError.message).toContain("unknown event 'tool_call'");
    expect(specError.location.line).toBe(text.split("\n").length + 1);
  });
});

describe("the comparison with the reference", () => {
  // Near misses of the real specs. The first two differ from their shape only on traces longer than
  // the exhaustive length, so only the deep walk can catch them.
  it.each([
    ["react", "at most 5 action", "at most 4 action"],
    ["reflexion", "){0,2}", "){0,3}"],
    ["pass", "G(action_input -> Y action)", ""],
    ["chat", "then(observation, thought | final_response)", "then(observation, thought | action | final_response)"],
  ])("notices a wrong %s spec", (name, from, to) => {
    const c = CASES.find((x) => x.name === name)!;
    const { text } = load(name);
    expect(text).toContain(from);
    const { spec, dfa } = compileSpec(text.replace(from, to), `specs/${name}.ltl (altered)`);
    const codes = spec.atoms.map((a) => c.codes[a]!);
    expect(compare(dfa, codes, c.reference, c.deepLength, true).mismatches).not.toEqual([]);
  });
});

describe("misspelled events", () => {
  it("are refused with a suggestion", () => {
    const { text } = load("react");
    expect(() => parseSpec(`${text}\nG(obsevation -> X thought)\n`, { file: "specs/react.ltl" })).toThrow(
      /unknown event 'obsevation' \(did you mean 'observation'\?\)/,
    );
  });

  it("are refused inside a pattern too", () => {
    const { text } = load("pass");
    expect(() => parseSpec(text.replace("summarize){0,5}", "summary){0,5}"), { file: "specs/pass.ltl" })).toThrow(SpecError);
  });
});
