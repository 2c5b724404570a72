import { describe, expect, it } from "vitest";
import { and, atom, binary, conjunction, not, unary, type Formula } from "../../src/ltl/ast.js";
import { SpecError, type SpecErrorKind } from "../../src/ltl/errors.js";
import { formulaToString } from "../../src/ltl/print.js";
import { parseFormula, parseSpec } from "../../src/ltl/spec.js";
import { Rng, randomFormula } from "../support/random.js";

describe("printing and parsing are inverse", () => {
  // Names that start like keywords or operators are where a lexer would go wrong.
  const NAMES = [
    ["a", "b", "c"],
    ["req", "ack_1", "x2"],
    ["lastly", "truth", "at_1"],
    ["exactly_", "pattern2", "eventsx"],
    ["defined", "atomsy", "falsey"],
  ];

  it("for 2,000 random formulas", () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 2000; seed++) {
      const rng = new Rng(seed);
      const atoms = NAMES[seed % NAMES.length]!;
      const f = randomFormula(rng, { atoms, depth: 1 + (seed % 6) });
      const text = formulaToString(f);
      let parsed: Formula;
      try {
        parsed = parseFormula(text);
      } catch (error) {
        failures.push(`seed ${seed}: ${text} does not parse: ${(error as Error).message}`);
        continue;
      }
      // A structural comparison first, so that a failure shows the two trees.
      if (JSON.stringify(parsed) !== JSON.stringify(f)) {
        failures.push(`seed ${seed}: ${text} parses back as ${JSON.stringify(parsed)}`);
        continue;
      }
      const again = formulaToString(parsed);
      if (again !== text) failures.push(`seed ${seed}: ${text} prints again as ${again}`);
    }
    expect(failures).toEqual([]);
  });

  it("deep-equals the original (not just the same JSON)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const f = randomFormula(new Rng(seed), { atoms: ["a", "b"], depth: 4 });
      expect(parseFormula(formulaToString(f))).toEqual(f);
    }
  });

  it("keeps the parentheses that matter", () => {
    const a = atom("a");
    const b = atom("b");
    const c = atom("c");
    const cases: [Formula, string][] = [
      [binary("implies", binary("implies", a, b), c), "(a -> b) -> c"],
      [binary("iff", a, binary("iff", b, c)), "a <-> (b <-> c)"],
      [binary("until", binary("until", a, b), c), "(a U b) U c"],
      [and(a, binary("or", b, c)), "a & (b | c)"],
      [not(binary("until", a, b)), "!(a U b)"],
      [unary("next", and(a, b)), "X(a & b)"],
      [binary("since", binary("since", a, b), c), "(a S b) S c"],
    ];
    for (const [f, text] of cases) {
      expect(formulaToString(f)).toBe(text);
      expect(parseFormula(text)).toEqual(f);
    }
  });
});

describe("precedence and associativity", () => {
  // Each row: the text, its reading with explicit parentheses, and a plausible wrong reading (which
  // must parse differently, so the row can tell the two apart).
  const ROWS: [string, string, string][] = [
    ["a -> b -> c", "a -> (b -> c)", "(a -> b) -> c"],
    ["a <-> b <-> c", "(a <-> b) <-> c", "a <-> (b <-> c)"],
    ["a & b | c", "(a & b) | c", "a & (b | c)"],
    ["a | b & c", "a | (b & c)", "(a | b) & c"],
    ["a | b -> c", "(a | b) -> c", "a | (b -> c)"],
    ["a -> b <-> c", "(a -> b) <-> c", "a -> (b <-> c)"],
    ["a & b & c", "(a & b) & c", "a & (b & c)"],
    ["a | b | c", "(a | b) | c", "a | (b | c)"],
    ["a U b U c", "a U (b U c)", "(a U b) U c"],
    ["a R b W c", "a R (b W c)", "(a R b) W c"],
    ["a M b U c", "a M (b U c)", "(a M b) U c"],
    ["a S b S c", "a S (b S c)", "(a S b) S c"],
    ["!a U b", "(!a) U b", "!(a U b)"],
    ["X a U b", "(X a) U b", "X (a U b)"],
    ["a U X b", "a U (X b)", "X (a U b)"],
    ["F a & b", "(F a) & b", "F (a & b)"],
    ["G a -> b", "(G a) -> b", "G (a -> b)"],
    ["a U b & c", "(a U b) & c", "a U (b & c)"],
    ["a & b U c", "a & (b U c)", "(a & b) U c"],
    ["a U b | c", "(a U b) | c", "a U (b | c)"],
    ["!a & b", "(!a) & b", "!(a & b)"],
    ["Y a S b", "(Y a) S b", "Y (a S b)"],
    ["WX a W b", "(WX a) W b", "WX (a W b)"],
    ["F G a", "F (G a)", "F G a & true"],
    ["at most 1 a & b", "(at most 1 a) & b", "at most 1 (a & b)"],
    ["exactly 2 a | b", "(exactly 2 a) | b", "exactly 2 (a | b)"],
    ["at least 1 a U b", "(at least 1 a) U b", "at least 1 (a U b)"],
  ];

  it.each(ROWS)("%s reads as %s", (text, intended, wrong) => {
    const parsed = parseFormula(text);
    expect(parsed).toEqual(parseFormula(intended));
    expect(parsed).not.toEqual(parseFormula(wrong));
  });

  it("reads operators glued to parentheses and to each other", () => {
    expect(parseFormula("X(a)")).toEqual(unary("next", atom("a")));
    expect(parseFormula("!!a")).toEqual(not(not(atom("a"))));
    expect(parseFormula("WX X a")).toEqual(unary("weakNext", unary("next", atom("a"))));
    expect(parseFormula("G(a->F(b))")).toEqual(parseFormula("G (a -> F b)"));
  });

  it("does not read an operator letter inside an identifier", () => {
    // `Xa` is not `X a`: operators are keywords, and `Xa` is no identifier (they start lower-case).
    expect(() => parseFormula("Xa")).toThrow(SpecError);
    expect(parseFormula("aUb")).toEqual(atom("aUb"));
    expect(parseFormula("a_X")).toEqual(atom("a_X"));
  });
});

describe("spec files", () => {
  const SPEC = [
    "# A ReAct-style agent.",
    "// Comments of both kinds, and blank lines, are ignored.",
    "",
    "events question, thought, action,",
    "       observation, answer",
    "",
    "define responds(x, y) = G (x -> F y)   # a macro with parameters",
    "define done = answer // and one without",
    "question",
    "responds(action, observation); G (done -> WX false)",
    "G (thought &",
    "   F done)",
    "F (observation",
    "   | done)",
    "at most 3 action",
    "pattern(question (thought action observation){0,3} thought answer)",
    "",
  ].join("\n");

  const events = ["question", "thought", "action", "observation", "answer"];
  const expect$ = (text: string): Formula => parseFormula(text, { atoms: events, mode: "events" });

  it("reads declarations, definitions and formulas", () => {
    const spec = parseSpec(SPEC, { file: "react.ltl" });
    expect(spec.file).toBe("react.ltl");
    expect(spec.mode).toBe("events");
    expect(spec.declared).toBe(true);
    expect(spec.atoms).toEqual(events);
    expect(spec.definitions.map((d) => [d.name, d.params, d.location.line, d.location.column])).toEqual([
      ["responds", ["x", "y"], 7, 8],
      ["done", [], 8, 8],
    ]);
    expect(spec.formulas.map((f) => [f.location.line, f.location.column, f.text])).toEqual([
      [9, 1, "question"],
      [10, 1, "responds(action, observation)"],
      [10, 32, "G (done -> WX false)"],
      [11, 1, "G (thought &\n   F done)"],
      [13, 1, "F (observation\n   | done)"],
      [15, 1, "at most 3 action"],
      [16, 1, "pattern(question (thought action observation){0,3} thought answer)"],
    ]);
  });

  it("expands macros and sugar into plain formulas", () => {
    const spec = parseSpec(SPEC);
    const formulas = spec.formulas.map((f) => f.formula);
    expect(formulas.slice(0, 5)).toEqual([
      expect$("question"),
      expect$("G (action -> F observation)"),
      expect$("G (answer -> WX false)"),
      expect$("G (thought & F answer)"),
      expect$("F (observation | answer)"),
    ]);
    expect(formulas[5]).toEqual(expect$("at most 3 action"));
    expect(formulaToString(formulas[5]!)).not.toContain("at most");
    expect(formulas[6]).toEqual(expect$("pattern(question (thought action observation){0,3} thought answer)"));
  });

  it("infers atoms in order of use when none are declared", () => {
    const spec = parseSpec("G (req -> F ack)\nack | idle; !req");
    expect(spec.declared).toBe(false);
    expect(spec.mode).toBe("propositional");
    expect(spec.atoms).toEqual(["req", "ack", "idle"]);
    expect(spec.formulas.map((f) => formulaToString(f.formula))).toEqual(["G(req -> F ack)", "ack | idle", "!req"]);
    // The spec is the conjunction of its formulas.
    expect(conjunction(spec.formulas.map((f) => f.formula))).toEqual(parseFormula("G (req -> F ack) & (ack | idle) & !req"));
  });

  it("accepts atoms declared over several statements and ';' everywhere", () => {
    const spec = parseSpec("atoms a, b;; atoms c\n;a;b ; c;\n");
    expect(spec.atoms).toEqual(["a", "b", "c"]);
    expect(spec.formulas.map((f) => formulaToString(f.formula))).toEqual(["a", "b", "c"]);
  });

  it("continues a formula over lines that end in an operator or inside parentheses", () => {
    const spec = parseSpec("a &\nb;\n(a ->\n  b)\nG (a\n\n U\n b)\na\n& b");
    expect(spec.formulas.map((f) => formulaToString(f.formula))).toEqual(["a & b", "a -> b", "G(a U b)", "a & b"]);
  });

  it("starts a new formula on a line that opens a parenthesis after a line ending in an atom", () => {
    // `a` then `(b | c)` on the next line are two statements, not a call of a macro named `a`.
    const spec = parseSpec("a\n(b | c)");
    expect(spec.formulas.map((f) => formulaToString(f.formula))).toEqual(["a", "b | c"]);
  });

  it("passes macro arguments as formulas and lets a macro use an earlier one", () => {
    const spec = parseSpec(
      ["define resp(p, q) = G (p -> F q)", "define both(p) = resp(p, p & b)", "define nothing() = false", "both(a | c) | nothing()"].join("\n"),
    );
    expect(spec.formulas[0]!.formula).toEqual(parseFormula("G (a | c -> F ((a | c) & b)) | false"));
    expect(spec.atoms).toEqual(expect.arrayContaining(["a", "b", "c"]));
  });

  it("expands counting sugar", () => {
    const f = parseFormula("at least 2 a");
    expect(f).toEqual(parseFormula("F (a & X F a)"));
    expect(parseFormula("at most 1 a")).toEqual(not(f));
    expect(parseFormula("exactly 0 a")).toEqual(parseFormula("true & !F a"));
    expect(parseFormula("at least 0 a")).toEqual(parseFormula("true"));
  });
});

describe("errors", () => {
  interface ErrorRow {
    what: string;
    text: string;
    kind: SpecErrorKind;
    line: number;
    column: number;
    message: RegExp;
  }
  const ROWS: ErrorRow[] = [
    { what: "a missing operand", text: "atoms a, b\nG (a ->)", kind: "syntax", line: 2, column: 8, message: /^expected / },
    { what: "an unclosed parenthesis", text: "F (a", kind: "syntax", line: 1, column: 5, message: /^expected "\)"/ },
    { what: "a stray character", text: "a\nb $ c", kind: "syntax", line: 2, column: 3, message: /^expected / },
    { what: "an upper-case atom", text: "G Ready", kind: "syntax", line: 1, column: 3, message: /^expected / },
    { what: "a keyword as an atom", text: "atoms a, true", kind: "syntax", line: 1, column: 10, message: /^expected / },
    {
      what: "an unknown atom, with a suggestion",
      text: "atoms request, grant\nG (reqest -> F grant)",
      kind: "unknown-atom",
      line: 2,
      column: 4,
      message: /^unknown atom 'reqest' \(did you mean 'request'\?\); declared atoms: request, grant$/,
    },
    {
      what: "an unknown event, without a far-fetched suggestion",
      text: "events start, stop\n\nF zebra",
      kind: "unknown-atom",
      line: 3,
      column: 3,
      message: /^unknown event 'zebra'; declared events: start, stop$/,
    },
    { what: "an undefined macro", text: "a\nG resp(a, a)", kind: "undefined-macro", line: 2, column: 3, message: /^undefined macro 'resp'$/ },
    {
      what: "an undefined macro close to a defined one",
      text: "define resp(p, q) = G (p -> F q)\nrsp(a, b)",
      kind: "undefined-macro",
      line: 2,
      column: 1,
      message: /did you mean 'resp'/,
    },
    {
      what: "too few arguments",
      text: "define resp(p, q) = G (p -> F q)\nF resp(a)",
      kind: "macro-arity",
      line: 2,
      column: 3,
      message: /^macro 'resp' takes 2 arguments \(p, q\), got 1$/,
    },
    { what: "arguments to a macro without parameters", text: "define m = a\nm(b)", kind: "macro-arity", line: 2, column: 1, message: /takes 0 arguments/ },
    { what: "no arguments to a macro with parameters", text: "define m(x) = x\nm", kind: "macro-arity", line: 2, column: 1, message: /takes 1 argument \(x\), got 0/ },
    { what: "a parameter called like a macro", text: "define m(x) = x(a)", kind: "macro-arity", line: 1, column: 15, message: /is a parameter/ },
    { what: "a duplicate atom", text: "atoms a, b\natoms b", kind: "duplicate", line: 2, column: 7, message: /^'b' is declared twice \(first at line 1\)$/ },
    { what: "a duplicate macro", text: "define m = a\n\ndefine m = b", kind: "duplicate", line: 3, column: 8, message: /^'m' is defined twice \(first at line 1\)$/ },
    { what: "a macro named like an atom", text: "atoms a\ndefine a = true", kind: "duplicate", line: 2, column: 8, message: /already declared/ },
    { what: "a repeated parameter", text: "define m(x, x) = x", kind: "duplicate", line: 1, column: 13, message: /parameter 'x' appears twice/ },
    {
      what: "atoms and events mixed",
      text: "atoms a\nevents b",
      kind: "mode",
      line: 2,
      column: 1,
      message: /^a spec declares either atoms or events, not both \(this file declared atoms at line 1\)$/,
    },
    {
      what: "two formulas on one line",
      text: "atoms a, b\nF a   G b",
      kind: "syntax",
      line: 2,
      column: 7,
      message: /^expected an operator, or a newline or ';' between two statements$/,
    },
    { what: "a declaration and a formula on one line", text: "atoms a a", kind: "syntax", line: 1, column: 9, message: /between two statements/ },
    {
      what: "a future operator inside a past one",
      text: "atoms a, b\nG (a -> O (b & F a))",
      kind: "unsupported",
      line: 2,
      column: 16,
      message: /^'F' looks into the future inside the past operator 'O' \(line 2, column 9\)/,
    },
    { what: "`last` inside a past operator", text: "H (a | last)", kind: "unsupported", line: 1, column: 8, message: /^'last' looks into the future inside the past operator 'H'/ },
    { what: "an until inside since", text: "a S (b U a)", kind: "unsupported", line: 1, column: 6, message: /'U' looks into the future inside the past operator 'S'/ },
    {
      what: "a future macro used inside a past operator",
      text: "define ev(x) = F x\nO ev(a)",
      kind: "unsupported",
      line: 1,
      column: 16,
      message: /'F' looks into the future inside the past operator 'O' \(line 2, column 1\)/,
    },
    { what: "a count too large", text: "at most 65 a", kind: "unsupported", line: 1, column: 1, message: /limited to 64/ },
    { what: "a reversed repetition", text: "pattern(a{3,1})", kind: "syntax", line: 1, column: 9, message: /upper bound below its lower bound/ },
    { what: "an unbounded group", text: "pattern(b (a b)*)", kind: "unsupported", line: 1, column: 11, message: /single step only/ },
    { what: "a pattern that matches only the empty sequence", text: "a\npattern(b{0})", kind: "unsupported", line: 2, column: 1, message: /only the empty sequence/ },
    {
      what: "a space between a macro and its arguments",
      text: "define m(x) = F x\nm (a)",
      kind: "syntax",
      line: 2,
      column: 3,
      message: /between two statements/,
    },
    { what: "a temporal pattern step", text: "pattern([X a] b)", kind: "unsupported", line: 1, column: 9, message: /must be propositional/ },
  ];

  it.each(ROWS)("reports $what", ({ text, kind, line, column, message }) => {
    let caught: unknown;
    try {
      parseSpec(text, { file: "spec.ltl" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    const error = caught as SpecError;
    expect({ kind: error.kind, line: error.location.line, column: error.location.column }).toEqual({ kind, line, column });
    expect(error.message).toMatch(message);
    expect(error.location.file).toBe("spec.ltl");
    expect(error.location.lineText).toBe(text.split("\n")[line - 1]);
  });

  it("formats an error like a compiler, with the line and a caret under the column", () => {
    let caught: unknown;
    try {
      parseSpec("atoms request, grant\n\tG (reqest -> F grant)\n", { file: "specs/grant.ltl" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    const lines = (caught as SpecError).format().split("\n");
    expect(lines[0]).toMatch(/^specs\/grant\.ltl:2:5: error: unknown atom 'reqest' \(did you mean 'request'\?\)/);
    expect(lines[1]).toBe("  \tG (reqest -> F grant)");
    // The caret padding copies the tab, so the caret lands under `r` whatever the tab width.
    expect(lines[2]).toBe("  \t   ^");
    expect(lines).toHaveLength(3);
  });

  it("formats a syntax error in a single formula", () => {
    let caught: unknown;
    try {
      parseFormula("G (a -> ", { file: "--formula" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    const error = caught as SpecError;
    expect(error.kind).toBe("syntax");
    expect(error.format().split("\n")).toEqual([expect.stringMatching(/^--formula:1:9: error: expected /), "  G (a -> ", "          ^"]);
  });

  it("restricts a single formula to the given atoms", () => {
    expect(() => parseFormula("a & d", { atoms: ["a", "b"] })).toThrow(/unknown atom 'd'/);
    expect(parseFormula("a & b", { atoms: ["a", "b"], mode: "events" })).toEqual(and(atom("a"), atom("b")));
  });
});
