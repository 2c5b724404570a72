import { describe, expect, it } from "vitest";
import { compileFormula } from "../../src/ltl/compile.js";
import type { Dfa } from "../../src/ltl/dfa.js";
import { dfaToDot } from "../../src/ltl/export/dot.js";
import { dfaToHoa } from "../../src/ltl/export/hoa.js";
import { dfaToJson, dfaToJsonChunks, estimateJsonBytes } from "../../src/ltl/export/json.js";
import { dfaToSvg } from "../../src/ltl/export/svg.js";
import { parseFormula } from "../../src/ltl/spec.js";
import { Rng, randomFormula } from "../support/random.js";

/** Every letter of the automaton's alphabet, as the set of atom indices that hold. */
function letters(dfa: Dfa): number[][] {
  if (dfa.mode === "events") return dfa.atoms.map((_, e) => [e]);
  return Array.from({ length: 1 << dfa.atoms.length }, (_, mask) => dfa.atoms.map((_, i) => i).filter((i) => mask & (1 << i)));
}

const randomDfas = (count: number, seed: number): Dfa[] => {
  const rng = new Rng(seed);
  const atoms = ["a", "b", "c"];
  return Array.from({ length: count }, () => compileFormula(randomFormula(rng, { atoms, depth: 4 }), { atoms }));
};

/** Reads the JSON form as a consumer would, from the documented fields only: the target of a state on a letter. */
function jsonStep(json: { next: number[]; nodes: [number, number, number][] }, state: number, holds: (atom: number) => boolean): number {
  let r = json.next[state]!;
  for (let steps = 0; r >= 0; steps++) {
    if (steps > json.nodes.length) throw new Error("the diagram has a cycle");
    const [atom, low, high] = json.nodes[r]!;
    r = holds(atom) ? high : low;
  }
  return -r - 1;
}

describe("JSON export", () => {
  it("gives, for every state and letter, the state the automaton goes to", () => {
    for (const dfa of randomDfas(150, 7)) {
      const json = JSON.parse([...dfaToJsonChunks(dfa, "random")].join(""));
      expect(json).toEqual(JSON.parse(JSON.stringify(dfaToJson(dfa, "random"))));
      expect(json).toMatchObject({ format: "ltlguard-dfa", version: 2, states: dfa.stateCount, initial: dfa.initial, source: "random" });
      expect(json.accepting).toEqual(dfa.accepting.flatMap((a, i) => (a ? [i] : [])));
      for (let s = 0; s < dfa.stateCount; s++) {
        for (const letter of letters(dfa)) {
          expect(jsonStep(json, s, (atom) => letter.includes(atom)), `state ${s}, letter {${letter}}`).toBe(dfa.next(s, (i) => letter.includes(i)));
        }
      }
    }
  });

  it("is as large as the decision diagrams, not as the transitions, and says so before writing", () => {
    const n = 10;
    const formula = Array.from({ length: n }, (_, i) => `G(a${i} -> F b${i})`).join(" & ");
    const dfa = compileFormula(parseFormula(formula));
    expect(dfa.stateCount).toBe(2 ** n);
    const text = [...dfaToJsonChunks(dfa)].join("");
    // 2^10 states with 2^10 successors each: a million transitions, written as about n·2^n nodes.
    expect(dfa.table.variable.length).toBeLessThanOrEqual(n * 2 ** n);
    expect(text.length).toBeLessThan(400_000);
    const estimate = estimateJsonBytes(dfa);
    expect(estimate).toBeGreaterThanOrEqual(text.length);
    expect(estimate).toBeLessThan(text.length * 1.5);
    const json = JSON.parse(text);
    const letter = (holding: Set<number>) => (atom: number) => holding.has(atom);
    // a0 pending, then b0 resolves it: back to the initial (accepting) state's behaviour.
    const pending = jsonStep(json, json.initial, letter(new Set([0])));
    expect(json.accepting).not.toContain(pending);
    expect(json.accepting).toContain(jsonStep(json, pending, letter(new Set([1]))));
  });

  it("marks the dead state, numbered last", () => {
    const json = dfaToJson(compileFormula(parseFormula("G(a -> X b)")));
    expect(json.dead).toEqual([json.states - 1]);
    expect(dfaToJson(compileFormula(parseFormula("F a"))).dead).toEqual([]);
  });

  it("reads events-mode diagrams with the one event that happens", () => {
    const atoms = ["a", "b", "c"];
    const dfa = compileFormula(parseFormula("G(a -> X(b | c))", { atoms, mode: "events" }), { atoms, mode: "events" });
    const json = dfaToJson(dfa);
    expect(json.mode).toBe("events");
    for (let s = 0; s < dfa.stateCount; s++) {
      for (let e = 0; e < atoms.length; e++) expect(jsonStep(json as never, s, (atom) => atom === e)).toBe(dfa.next(s, (i) => i === e));
    }
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
