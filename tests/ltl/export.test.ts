import { describe, expect, it } from "vitest";
import type { Formula } from "../../src/ltl/ast.js";
import { compileFormula } from "../../src/ltl/compile.js";
import type { Dfa } from "../../src/ltl/dfa.js";
import { dfaToDot } from "../../src/ltl/export/dot.js";
import { dfaToHoa } from "../../src/ltl/export/hoa.js";
import { dfaToJson } from "../../src/ltl/export/json.js";
import { dfaToSvg } from "../../src/ltl/export/svg.js";
import { parseFormula } from "../../src/ltl/spec.js";
import { holds } from "../support/evaluate.js";
import { Rng, randomFormula } from "../support/random.js";

/** Every letter of the automaton's alphabet, as the set of atom indices that hold. */
function letters(dfa: Dfa): number[][] {
  if (dfa.mode === "events") return dfa.atoms.map((_, e) => [e]);
  return Array.from({ length: 1 << dfa.atoms.length }, (_, mask) => dfa.atoms.map((_, i) => i).filter((i) => mask & (1 << i)));
}

/** A guard read back from an export holds for a letter when it holds on the one-step trace of that letter. */
const evaluateGuard = (f: Formula, holding: ReadonlySet<string>): boolean => holds(f, [holding]);

const randomDfas = (count: number, seed: number): Dfa[] => {
  const rng = new Rng(seed);
  const atoms = ["a", "b", "c"];
  return Array.from({ length: count }, () => compileFormula(randomFormula(rng, { atoms, depth: 4 }), { atoms }));
};

describe("JSON export", () => {
  it("lists, for every state and letter, exactly the transition the automaton takes", () => {
    for (const dfa of randomDfas(150, 7)) {
      const json = JSON.parse(JSON.stringify(dfaToJson(dfa)));
      expect(json.states).toBe(dfa.stateCount);
      expect(json.accepting).toEqual(dfa.accepting.flatMap((a, i) => (a ? [i] : [])));
      const guards = json.transitions.map((t: { from: number; to: number; guard: string }) => ({
        ...t,
        formula: parseFormula(t.guard, { atoms: json.atoms }),
      }));
      for (let s = 0; s < dfa.stateCount; s++) {
        for (const letter of letters(dfa)) {
          const holding = new Set(letter.map((i) => dfa.atoms[i]!));
          const taken = guards.filter((t: { from: number; formula: Formula }) => t.from === s && evaluateGuard(t.formula, holding));
          expect(taken.length, `state ${s}, letter {${[...holding]}}`).toBe(1);
          expect(taken[0].to).toBe(dfa.next(s, (i) => letter.includes(i)));
        }
      }
    }
  });

  it("marks the dead state, numbered last", () => {
    const json = dfaToJson(compileFormula(parseFormula("G(a -> X b)")));
    expect(json.dead).toEqual([json.states - 1]);
    expect(dfaToJson(compileFormula(parseFormula("F a"))).dead).toEqual([]);
  });

  it("writes events-mode guards as disjunctions of events", () => {
    const dfa = compileFormula(parseFormula("G(a -> X(b | c))", { atoms: ["a", "b", "c"], mode: "events" }), { atoms: ["a", "b", "c"], mode: "events" });
    const guards = dfaToJson(dfa).transitions.map((t) => t.guard);
    expect(guards).toContain("b | c");
    for (const g of guards) expect(g).toMatch(/^(true|[a-c]( \| [a-c])*)$/);
  });
});

/** A minimal reader of the HOA v1 we write (header, `State:` lines, `[label] target` edges). */
function readHoa(text: string) {
  const lines = text.trim().split("\n");
  expect(lines[0]).toBe("HOA: v1");
  expect(lines.at(-1)).toBe("--END--");
  const header = new Map<string, string>();
  const body = lines.indexOf("--BODY--");
  for (const line of lines.slice(1, body)) {
    const colon = line.indexOf(":");
    header.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const states: { accepting: boolean; edges: { label: string; to: number }[] }[] = [];
  for (const line of lines.slice(body + 1, -1)) {
    const state = /^State: (\d+)( \{0\})?$/.exec(line);
    if (state) {
      expect(Number(state[1])).toBe(states.length);
      states.push({ accepting: state[2] !== undefined, edges: [] });
      continue;
    }
    const edge = /^\[(.+)\] (\d+)$/.exec(line);
    if (!edge) throw new Error(`unexpected HOA line: ${line}`);
    states.at(-1)!.edges.push({ label: edge[1]!, to: Number(edge[2]) });
  }
  return { header, states };
}

/** Evaluates a HOA label (`t`, `f`, AP indices, `!`, `&`, `|`, parentheses). */
function evaluateLabel(label: string, holds: (ap: number) => boolean): boolean {
  const js = label.replace(/\bt\b/g, "true").replace(/\bf\b/g, "false").replace(/\d+/g, (d) => String(holds(Number(d)))).replace(/&/g, "&&").replace(/\|/g, "||");
  if (!/^[truefals!&|() ]*$/.test(js)) throw new Error(`not a label: ${label}`);
  return Function(`return (${js});`)() as boolean;
}

describe("HOA export", () => {
  it("describes the same automaton, read back by an independent reader", () => {
    for (const dfa of randomDfas(100, 11)) {
      const { header, states } = readHoa(dfaToHoa(dfa));
      expect(header.get("States")).toBe(String(dfa.stateCount));
      expect(header.get("Start")).toBe(String(dfa.initial));
      expect(header.get("AP")).toBe(`${dfa.atoms.length}${dfa.atoms.map((a) => ` "${a}"`).join("")}`);
      expect(header.get("Acceptance")).toBe("1 Inf(0)");
      states.forEach((state, s) => {
        expect(state.accepting).toBe(dfa.accepting[s]);
        for (const letter of letters(dfa)) {
          const taken = state.edges.filter((e) => evaluateLabel(e.label, (ap) => letter.includes(ap)));
          expect(taken.map((e) => e.to)).toEqual([dfa.next(s, (i) => letter.includes(i))]);
        }
      });
    }
  });

  it("labels events-mode edges with full cubes, so that only single events move", () => {
    const atoms = ["q", "t", "a"];
    const dfa = compileFormula(parseFormula("q & X G(t | a)", { atoms, mode: "events" }), { atoms, mode: "events" });
    const { header, states } = readHoa(dfaToHoa(dfa));
    expect(header.get("properties")).not.toContain("complete");
    for (const state of states) for (const edge of state.edges) expect(edge.label).toMatch(/^!?\d(&!?\d){2}$/);
    const bothAtOnce = states[0]!.edges.filter((e) => evaluateLabel(e.label, (ap) => ap === 0 || ap === 1));
    expect(bothAtOnce).toEqual([]);
  });
});

describe("DOT and SVG export", () => {
  it("draws every live state and edge, and hides the dead state", async () => {
    const dfa = compileFormula(parseFormula("G(a -> X b)"));
    const dot = dfaToDot(dfa);
    expect(dot).toContain("s0 [label=\"0\", shape=doublecircle];");
    expect(dot).toContain('s1 -> s0 [label="!a & b"];');
    expect(dot).not.toContain("s2");
    expect(dfaToDot(dfa, { showDead: true })).toContain('s1 -> s2 [label="!b"];');
    const svg = await dfaToSvg(dfa, { title: "G(a -> X b)" });
    expect(svg).toContain("<svg");
    expect(svg).toContain("!a &amp; b");
  });
});
