import { atomsOf, formulaSize, type Formula } from "./ast.js";
import { MAX_PRINTED_NODES } from "./print.js";
import type { SpecMode } from "./spec.js";

/**
 * A bridge to MONA (https://www.brics.dk/mona/), used as an independent oracle for the compiler:
 * `toMonaProgram` writes a formula as a closed M2L-Str formula over the trace's positions, and
 * `parseMonaDfa` reads back the automaton `mona -xw` prints. Pure: running MONA is the caller's job.
 *
 * The translation is the textbook first-order one, deliberately unlike the compiler (no
 * progression, no normal forms), so that agreement between the two means something.
 */

export interface MonaProgramOptions {
  readonly mode: SpecMode;
  /**
   * What the program says about the empty word. MONA marks the empty string "don't care" in
   * M2L-Str as soon as a first-order variable is involved, which the translation always has, so
   * this does not change MONA's automaton; it is kept so that the program states the intended
   * language exactly and stays right under a MONA that did honour it.
   */
  readonly emptyTrace: "reject" | "accept";
}

/**
 * The MONA program whose language is the formula's on non-empty finite traces (LTLf: `X` strong,
 * `WX` weak). Atom number i is the second-order variable `A<i>` (the set of positions where it
 * holds); every atom is declared, used or not, so MONA's alphabet is always the full one.
 * No `$` variable: in `m2l-str` first-order variables range over the string's positions, so the
 * word MONA reads is exactly the trace.
 */
export function toMonaProgram(formula: Formula, atoms: readonly string[], options: MonaProgramOptions): string {
  const index = new Map<string, number>();
  atoms.forEach((a, i) => {
    if (index.has(a)) throw new Error(`toMonaProgram: the atom '${a}' is listed twice`);
    index.set(a, i);
  });
  for (const name of atomsOf(formula)) {
    if (!index.has(name)) throw new Error(`toMonaProgram: the formula uses '${name}', which is not among the atoms (${atoms.join(", ")})`);
  }
  if (options.mode === "events" && atoms.length === 0) throw new Error("toMonaProgram: events mode needs at least one event");
  const size = formulaSize(formula);
  if (size > MAX_PRINTED_NODES) {
    throw new RangeError(`toMonaProgram: the formula written out would have ${size.toExponential(2)} operators and atoms (its subformulas are shared), more than ${MAX_PRINTED_NODES}`);
  }

  let fresh = 0;
  const variable = (): string => `t${fresh++}`;
  const set = (name: string): string => `A${index.get(name)!}`;

  // Every case is fully parenthesized: MONA's quantifiers extend as far right as they can. Each
  // case is text with the translations of subformulas (at a position variable) in between,
  // expanded with a stack so that deep formulas need no recursion.
  type Piece = string | [Formula, string];
  const pieces = (f: Formula, v: string): Piece[] => {
    switch (f.kind) {
      case "true":
        return ["true"];
      case "false":
        return ["false"];
      case "atom":
        return [`(${v} in ${set(f.name)})`];
      case "last": {
        const w = variable();
        return [`(~ex1 ${w}: ${w} = ${v} + 1)`];
      }
      case "not":
        return ["(~", [f.arg, v], ")"];
      case "and":
        return ["(", [f.left, v], " & ", [f.right, v], ")"];
      case "or":
        return ["(", [f.left, v], " | ", [f.right, v], ")"];
      case "implies":
        return ["(", [f.left, v], " => ", [f.right, v], ")"];
      case "iff":
        return ["(", [f.left, v], " <=> ", [f.right, v], ")"];
      case "next": {
        const w = variable();
        return [`(ex1 ${w}: ${w} = ${v} + 1 & `, [f.arg, w], ")"];
      }
      case "weakNext": {
        const w = variable();
        return [`(all1 ${w}: ${w} = ${v} + 1 => `, [f.arg, w], ")"];
      }
      case "eventually": {
        const w = variable();
        return [`(ex1 ${w}: ${v} <= ${w} & `, [f.arg, w], ")"];
      }
      case "always": {
        const w = variable();
        return [`(all1 ${w}: ${v} <= ${w} => `, [f.arg, w], ")"];
      }
      case "until": {
        // ψ at some w ≥ v, φ on [v, w)
        const w = variable();
        const u = variable();
        return [`(ex1 ${w}: ${v} <= ${w} & `, [f.right, w], ` & (all1 ${u}: (${v} <= ${u} & ${u} < ${w}) => `, [f.left, u], "))"];
      }
      case "release": {
        // ¬(¬φ U ¬ψ): at every w ≥ v, ψ holds or φ held somewhere in [v, w)
        const w = variable();
        const u = variable();
        return [`(all1 ${w}: ${v} <= ${w} => (`, [f.right, w], ` | (ex1 ${u}: ${v} <= ${u} & ${u} < ${w} & `, [f.left, u], ")))"];
      }
      case "weakUntil": {
        // φ U ψ | G φ, written so that each argument appears once (the output stays linear):
        // φ holds at every w ≥ v that ψ has not yet reached, [v, w] included.
        const w = variable();
        const u = variable();
        return [`(all1 ${w}: (${v} <= ${w} & (all1 ${u}: (${v} <= ${u} & ${u} <= ${w}) => ~`, [f.right, u], ")) => ", [f.left, w], ")"];
      }
      case "strongRelease": {
        // ψ U (φ & ψ), each argument once: φ & ψ at some w ≥ v, ψ on [v, w]
        const w = variable();
        const u = variable();
        return [`(ex1 ${w}: ${v} <= ${w} & `, [f.left, w], ` & (all1 ${u}: (${v} <= ${u} & ${u} <= ${w}) => `, [f.right, u], "))"];
      }
      case "yesterday": {
        const w = variable();
        return [`(ex1 ${w}: ${w} + 1 = ${v} & `, [f.arg, w], ")"];
      }
      case "weakYesterday": {
        const w = variable();
        return [`(${v} = 0 | (ex1 ${w}: ${w} + 1 = ${v} & `, [f.arg, w], "))"];
      }
      case "once": {
        const w = variable();
        return [`(ex1 ${w}: ${w} <= ${v} & `, [f.arg, w], ")"];
      }
      case "historically": {
        const w = variable();
        return [`(all1 ${w}: ${w} <= ${v} => `, [f.arg, w], ")"];
      }
      case "since": {
        // ψ at some w ≤ v, φ on (w, v]
        const w = variable();
        const u = variable();
        return [`(ex1 ${w}: ${w} <= ${v} & `, [f.right, w], ` & (all1 ${u}: (${w} < ${u} & ${u} <= ${v}) => `, [f.left, u], "))"];
      }
    }
  };
  const at = (f: Formula, v: string): string => {
    const out: string[] = [];
    const pending: Piece[] = [[f, v]];
    while (pending.length > 0) {
      const piece = pending.pop()!;
      if (typeof piece === "string") out.push(piece);
      else {
        const parts = pieces(piece[0], piece[1]);
        for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
      }
    }
    return out.join("");
  };

  const z = variable();
  let body = `(ex1 ${z}: ${z} = 0 & ${at(formula, z)})`;
  if (options.emptyTrace === "accept") {
    const e = variable();
    body = `(${body} | (~ex1 ${e}: ${e} = 0))`;
  }
  const lines = ["m2l-str;"];
  if (atoms.length > 0) lines.push(`var2 ${atoms.map((_, i) => `A${i}`).join(", ")};`);
  if (options.mode === "events") {
    const p = variable();
    const member = atoms.map((_, i) => `${p} in A${i}`);
    const clauses = [`(${member.join(" | ")})`];
    for (let i = 0; i < atoms.length; i++) {
      for (let j = i + 1; j < atoms.length; j++) clauses.push(`~(${member[i]} & ${member[j]})`);
    }
    lines.push(`(all1 ${p}: ${clauses.join(" & ")}) &`);
  }
  lines.push(`${body};`);
  return `${lines.join("\n")}\n`;
}

/** A state's status in MONA's output: 1 accepting, -1 rejecting, 0 don't care. */
export type MonaStatus = -1 | 0 | 1;

/**
 * A deterministic automaton as `mona -xw` prints it. Each state's transitions are a shared
 * decision diagram over `variables` (node n tests `variables[bddVariable[n]]`, taking `bddHigh[n]`
 * when it holds and `bddLow[n]` when not); a leaf (`bddVariable[n] === -1`) leads to state `bddLow[n]`.
 *
 * For an M2L-Str program MONA adds a dummy state 0 whose only transition goes to state 1 on any
 * letter; state 1 is where the empty word ends, so words are read from state 1.
 */
export interface MonaDfa {
  readonly variables: readonly string[];
  readonly stateCount: number;
  readonly initial: number;
  readonly final: readonly MonaStatus[];
  /** The root diagram node of each state. */
  readonly behaviour: readonly number[];
  readonly bddVariable: Int32Array;
  readonly bddLow: Int32Array;
  readonly bddHigh: Int32Array;
}

/** Parses the output of `mona -xw`. Throws an Error saying what is wrong on anything unexpected. */
export function parseMonaDfa(text: string): MonaDfa {
  const lines = text.split(/\r?\n/);
  let line = 0;
  const fail = (message: string): never => {
    throw new Error(`parseMonaDfa: line ${line + 1}: ${message} (got ${JSON.stringify(lines[line] ?? "<end of input>")})`);
  };
  const nextLine = (): string => {
    if (line >= lines.length) fail("unexpected end of input");
    return lines[line]!;
  };
  const field = (name: string): string => {
    const current = nextLine();
    const prefix = `${name}:`;
    if (!current.startsWith(prefix)) fail(`expected '${prefix}'`);
    line++;
    return current.slice(prefix.length).trim();
  };
  const integers = (text: string, what: string): number[] => {
    if (text === "") return [];
    return text.split(/\s+/).map((word) => {
      if (!/^-?\d+$/.test(word)) {
        line--;
        fail(`'${word}' in ${what} is not an integer`);
      }
      return Number(word);
    });
  };
  const count = (name: string): number => {
    const values = integers(field(name), name);
    if (values.length !== 1 || values[0]! < 0) {
      line--;
      fail(`expected one non-negative integer after '${name}:'`);
    }
    return values[0]!;
  };

  while (line < lines.length && lines[line]!.trim() === "") line++;
  if (nextLine().trim() !== "MONA DFA") fail("expected the header 'MONA DFA' (is this the output of `mona -xw`?)");
  line++;
  const variableCount = count("number of variables");
  const variablesText = field("variables");
  const variables = variablesText === "" ? [] : variablesText.split(/\s+/);
  if (variables.length !== variableCount) {
    line--;
    fail(`${variables.length} variables listed, ${variableCount} announced`);
  }
  field("orders"); // M2L-Str variables all have order 2; nothing to check against
  const stateCount = count("states");
  if (stateCount === 0) {
    line--;
    fail("an automaton needs at least one state");
  }
  const initial = count("initial");
  if (initial >= stateCount) {
    line--;
    fail(`initial state ${initial} is out of range`);
  }
  const nodeCount = count("bdd nodes");
  const final = integers(field("final"), "final");
  if (final.length !== stateCount || final.some((s) => s !== -1 && s !== 0 && s !== 1)) {
    line--;
    fail(`expected ${stateCount} statuses, each -1, 0 or 1`);
  }
  const behaviour = integers(field("behaviour"), "behaviour");
  if (behaviour.length !== stateCount || behaviour.some((n) => n < 0 || n >= nodeCount)) {
    line--;
    fail(`expected ${stateCount} diagram nodes below ${nodeCount}`);
  }
  if (nextLine().trim() !== "bdd:") fail("expected 'bdd:'");
  line++;
  const bddVariable = new Int32Array(nodeCount);
  const bddLow = new Int32Array(nodeCount);
  const bddHigh = new Int32Array(nodeCount);
  for (let n = 0; n < nodeCount; n++) {
    const values = integers(nextLine().trim(), "a bdd node");
    line++;
    if (values.length !== 3) {
      line--;
      fail("expected a bdd node 'variable low high'");
    }
    const [v, lo, hi] = values as [number, number, number];
    if (v === -1) {
      if (lo < 0 || lo >= stateCount) {
        line--;
        fail(`leaf target ${lo} is not a state`);
      }
    } else if (v < 0 || v >= variableCount || lo < 0 || lo >= nodeCount || hi < 0 || hi >= nodeCount) {
      line--;
      fail("bdd node refers to a variable or node out of range");
    }
    bddVariable[n] = v;
    bddLow[n] = lo;
    bddHigh[n] = hi;
  }
  if (nextLine().trim() !== "end") fail("expected 'end' after the bdd nodes");
  // MONA's diagrams are ordered; checking it here is what guarantees that `monaStep` terminates.
  for (let n = 0; n < nodeCount; n++) {
    if (bddVariable[n] === -1) continue;
    for (const child of [bddLow[n]!, bddHigh[n]!]) {
      if (bddVariable[child] !== -1 && bddVariable[child]! <= bddVariable[n]!) {
        throw new Error(`parseMonaDfa: bdd node ${n} tests variable ${bddVariable[n]} but its child ${child} tests ${bddVariable[child]}: the diagram is not ordered`);
      }
    }
  }
  return { variables, stateCount, initial, final: final as MonaStatus[], behaviour, bddVariable, bddLow, bddHigh };
}

/** The state MONA reaches from `state` on the letter given as a predicate on indices into `variables`. */
export function monaStep(dfa: MonaDfa, state: number, isTrue: (varIndex: number) => boolean): number {
  if (!Number.isInteger(state) || state < 0 || state >= dfa.stateCount) throw new Error(`monaStep: ${state} is not a state`);
  let node = dfa.behaviour[state]!;
  while (dfa.bddVariable[node] !== -1) node = isTrue(dfa.bddVariable[node]!) ? dfa.bddHigh[node]! : dfa.bddLow[node]!;
  return dfa.bddLow[node]!;
}

/**
 * The state where the empty word ends: state 1, after checking that state 0 is the dummy start
 * state MONA puts in front of M2L-Str automata (a single leaf leading to 1).
 */
export function monaStartState(dfa: MonaDfa): number {
  const root = dfa.behaviour[dfa.initial]!;
  if (dfa.initial !== 0 || dfa.stateCount < 2 || dfa.bddVariable[root] !== -1 || dfa.bddLow[root] !== 1) {
    throw new Error("monaStartState: expected MONA's M2L-Str layout, a dummy state 0 leading to state 1 on every letter");
  }
  return 1;
}
