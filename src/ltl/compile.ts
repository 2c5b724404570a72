import { atomsOf, type Formula } from "./ast.js";
import type { Dfa } from "./dfa.js";
import { TooManyStatesError, UnsupportedFormulaError } from "./errors.js";
import { Deadline, type CompileProgress } from "./limits.js";
import { FormulaTable, Op, PastOp } from "./formulas.js";
import { minimize, type SymbolicDfa } from "./minimize.js";
import { BooleanOps, Mtbdd, NodeLimitError } from "./mtbdd.js";
import type { SpecMode } from "./spec.js";

/**
 * LTLf (with pure-past subformulas) to a minimal DFA, by formula progression.
 *
 * A state is a set of obligations for the next step: a disjunctive normal form over terms `X φ`
 * (there must be a next step, and φ holds there) and `WX φ` (if there is a next step, φ holds
 * there), plus, when the formula has past operators, one "carry" bit per past operator that
 * summarizes the trace so far. Reading a letter replaces each term by the expansion of φ at that
 * step (F φ = φ | X F φ, G φ = φ & WX G φ, ...), computed as a decision diagram over the atoms
 * whose leaves are the next obligations — so a state's successors come with symbolic guards and
 * the alphabet 2^atoms is never enumerated. A state accepts when one of its cubes has weak terms
 * only (no step is owed). Formulas are hash-consed in negation normal form, so equal obligations
 * are equal integers; the result is minimized afterwards.
 */

export interface CompileOptions {
  /** Refuse to explore more than this many states (before minimization). Defaults to 100,000. */
  maxStates?: number;
  /** What the error names when the limit is hit. Defaults to `the formula`. */
  label?: string;
  /**
   * Stop with a `CompileTimeoutError` after this many milliseconds. Compilation is synchronous,
   * so this is a deadline it checks, not a timer. Defaults to none.
   */
  timeLimitMs?: number;
  /** Called often during long compilations (callers throttle what they print). Defaults to none. */
  onProgress?: (progress: CompileProgress) => void;
}

export interface CompileTarget {
  readonly mode: SpecMode;
  /** The alphabet's atoms (or events) in order; must include every atom the formula uses. */
  readonly atoms: readonly string[];
}

export const DEFAULT_MAX_STATES = 100_000;

export type { CompileProgress };

/** Compiles a formula over the given atoms to its minimal DFA. */
export function compileFormula(formula: Formula, target?: Partial<CompileTarget>, options: CompileOptions = {}): Dfa {
  const atoms = target?.atoms ?? atomsOf(formula);
  const mode = target?.mode ?? "propositional";
  for (const name of atomsOf(formula)) {
    if (!atoms.includes(name)) throw new UnsupportedFormulaError(`the formula uses '${name}', which is not among the atoms (${atoms.join(", ")})`);
  }
  if (mode === "events" && atoms.length === 0) throw new UnsupportedFormulaError("an events-mode automaton needs at least one event");
  const builder = new Builder(atoms, mode);
  try {
    const label = options.label ?? "the formula";
    const deadline = new Deadline(options.timeLimitMs, label);
    const limits = { ...options, maxStates: options.maxStates ?? DEFAULT_MAX_STATES, label, deadline };
    return minimize(builder.explore(formula, limits), deadline, options.onProgress);
  } catch (error) {
    if (error instanceof NodeLimitError) {
      throw new TooManyStatesError(options.maxStates ?? DEFAULT_MAX_STATES, builder.exploredStates, `${options.label ?? "the formula"} (${error.message})`);
    }
    throw error;
  }
}

const FIRST_VALUE = 2; // diagram terminals 0 and 1 are booleans; obligations and states come after

class Builder {
  readonly store = new Mtbdd();
  readonly bool = new BooleanOps(this.store);
  exploredStates = 0;

  // Terms X φ / WX φ, obligations (DNFs over terms) and states (obligation × carries).
  private readonly termIds = new Map<string, number>();
  private readonly termStrong: boolean[] = [];
  private readonly termNode: number[] = [];
  private readonly dnfs: number[][][] = [];
  private readonly dnfIds = new Map<string, number>();
  private readonly pairs: { dnf: number; carries: string }[] = [];
  private readonly pairIds = new Map<string, number>();

  private readonly expansions = new Map<number, number>();
  private readonly termExpansions = new Map<number, number>();
  private readonly dnfFalse: number;
  private readonly dnfTrue: number;
  private readonly formulas: FormulaTable;

  constructor(
    private readonly atoms: readonly string[],
    private readonly mode: SpecMode,
  ) {
    this.formulas = new FormulaTable(new Map(atoms.map((a, i) => [a, i])));
    this.dnfFalse = this.internDnf([]);
    this.dnfTrue = this.internDnf([[]]);
  }

  explore(formula: Formula, options: CompileOptions & { maxStates: number; label: string; deadline: Deadline }): SymbolicDfa {
    const { maxStates, label, deadline, onProgress } = options;
    const root = this.formulas.nnf(formula, true);
    const initialCarries = this.formulas.initialCarries();
    const startTerm = this.term(true, root);
    const startDnf = startTerm < 0 ? this.dnfFalse : this.internDnf([[startTerm]]);

    // State 0 is a start state of its own that nothing returns to: minimization may then give it
    // either acceptance, since the empty trace is not a trace (see minimize.ts).
    const states: { dnf: number; carries: string }[] = [{ dnf: startDnf, carries: initialCarries }];
    // Indexed by leaf value (small integers, -1 for none yet): a Map is too slow on this path.
    let stateOf = new Int32Array(1024).fill(-1);
    const accepting: boolean[] = [false];
    const behaviour: number[] = [];

    // Successor diagrams keep their own leaf values (obligations, or obligation-carry pairs when
    // the formula looks into the past); `stateOf` maps those to states, so no diagram is rebuilt
    // just to rename its leaves.
    const stateFor = (value: number): number => {
      if (value >= stateOf.length) {
        const grown = new Int32Array(Math.max(value + 1, stateOf.length * 2)).fill(-1);
        grown.set(stateOf);
        stateOf = grown;
      }
      let id = stateOf[value]!;
      if (id === -1) {
        id = states.length;
        if (id >= maxStates) throw new TooManyStatesError(maxStates, id, label);
        stateOf[value] = id;
        if ((id & 1023) === 0) {
          onProgress?.({ phase: "explore", expanded: behaviour.length, found: id + 1 });
          deadline.check();
        }
        const p = this.hasPast ? this.pairs[value - FIRST_VALUE]! : { dnf: value, carries: "" };
        states.push(p);
        accepting.push(this.dnfAccepts(p.dnf));
      }
      return id;
    };

    // Breadth-first by layers: the successors of a whole layer are collected in one shared walk
    // over their diagrams, since states with thousands of successors share most diagram nodes.
    for (let layerStart = 0; layerStart < states.length; ) {
      const layerEnd = states.length;
      const roots: number[] = [];
      for (let s = layerStart; s < layerEnd; s++) {
        this.exploredStates = states.length;
        if ((s & 15) === 15) {
          onProgress?.({ phase: "explore", expanded: s + 1, found: states.length });
          deadline.check();
        }
        let successor = this.successor(states[s]!.dnf, states[s]!.carries);
        if (this.mode === "events") successor = this.eventChain(successor);
        behaviour.push(successor);
        roots.push(successor);
      }
      for (const value of this.store.terminalsOfAll(roots)) stateFor(value);
      layerStart = layerEnd;
    }
    return { store: this.store, mode: this.mode, atoms: this.atoms, accepting, behaviour, initial: 0, stateOf: (value) => stateOf[value]! };
  }

  /**
   * Events mode: only letters with exactly one event occur, so the successor diagram is rebuilt as
   * "if e0 then t0 else if e1 then t1 ...". Equal targets per event give the same node, which is
   * what minimization compares.
   */
  private eventChain(successor: number): number {
    const targets = this.atoms.map((_, e) => this.store.evaluate(successor, (v) => v === e));
    let chain = this.store.leaf(targets[targets.length - 1]!);
    for (let e = targets.length - 2; e >= 0; e--) chain = this.store.node(e, chain, this.store.leaf(targets[e]!));
    return chain;
  }

  private get hasPast(): boolean {
    return this.formulas.carries.length > 0;
  }

  /** The diagram from letters to successor obligations (paired with carries when the formula has past operators). */
  private successor(dnf: number, carries: string): number {
    let result = this.store.leaf(this.dnfFalse);
    for (const cube of this.dnfs[dnf - FIRST_VALUE]!) {
      let conj = this.store.leaf(this.dnfTrue);
      for (const t of cube) conj = this.dnfAnd(conj, this.expandTerm(t));
      result = this.dnfOr(result, conj);
    }
    if (!this.hasPast) return result;
    // Past operators: substitute their values at this step (functions of the letter and the
    // carries) for their variables, then attach the carries the next step will see.
    const values = new Map<number, number>();
    const value = (p: number): number => this.pastValue(p, carries, values);
    const n = this.atoms.length;
    let withPast = this.store.compose(result, (v) => (v >= n ? value(this.formulas.carries[v - n]!) : undefined));
    withPast = this.store.mapLeaves(withPast, (d) => this.internPair(d, ""));
    for (const p of this.formulas.carries) {
      const op = this.formulas.pastOps[p]!;
      const carried = op === PastOp.Yesterday || op === PastOp.WeakYesterday ? value(this.formulas.pastAs[p]!) : value(p);
      withPast = this.store.apply("appendCarry", withPast, carried, (pair, bit) => {
        const { dnf: d, carries: c } = this.pairs[pair - FIRST_VALUE]!;
        return this.internPair(d, c + String(bit));
      });
    }
    return withPast;
  }

  /** The value of a pure-past formula at the current step, as a 0/1 diagram over the letter. */
  private pastValue(p: number, carries: string, memo: Map<number, number>): number {
    const cached = memo.get(p);
    if (cached !== undefined) return cached;
    const b = this.bool;
    const sub = (q: number): number => this.pastValue(q, carries, memo);
    const carry = (): number => (carries[this.formulas.carryIndex.get(p)!] === "1" ? b.trueNode : b.falseNode);
    let result: number;
    switch (this.formulas.pastOps[p]!) {
      case PastOp.True: result = b.trueNode; break;
      case PastOp.False: result = b.falseNode; break;
      case PastOp.Atom: result = b.variable(this.formulas.pastAs[p]!); break;
      case PastOp.Not: result = b.not(sub(this.formulas.pastAs[p]!)); break;
      case PastOp.And: result = b.and(sub(this.formulas.pastAs[p]!), sub(this.formulas.pastBs[p]!)); break;
      case PastOp.Or: result = b.or(sub(this.formulas.pastAs[p]!), sub(this.formulas.pastBs[p]!)); break;
      case PastOp.Yesterday:
      case PastOp.WeakYesterday: result = carry(); break;
      case PastOp.Once: result = b.or(sub(this.formulas.pastAs[p]!), carry()); break;
      case PastOp.Historically: result = b.and(sub(this.formulas.pastAs[p]!), carry()); break;
      case PastOp.Since: result = b.or(sub(this.formulas.pastBs[p]!), b.and(sub(this.formulas.pastAs[p]!), carry())); break;
    }
    memo.set(p, result);
    return result;
  }

  private expandTerm(t: number): number {
    let e = this.termExpansions.get(t);
    if (e === undefined) {
      e = this.expand(this.termNode[t]!);
      this.termExpansions.set(t, e);
    }
    return e;
  }

  /** The formula at the current step: a diagram over the letter (and past variables) to obligations for the next. */
  private expand(node: number): number {
    const cached = this.expansions.get(node);
    if (cached !== undefined) return cached;
    const a = this.formulas.as[node]!;
    const b = this.formulas.bs[node]!;
    const leaf = (dnf: number): number => this.store.leaf(dnf);
    const obligation = (strong: boolean, f: number): number => {
      const t = this.term(strong, f);
      return leaf(t === -1 ? this.dnfFalse : t === -2 ? this.dnfTrue : this.internDnf([[t]]));
    };
    let result: number;
    switch (this.formulas.ops[node]!) {
      case Op.True: result = leaf(this.dnfTrue); break;
      case Op.False: result = leaf(this.dnfFalse); break;
      case Op.Atom: result = this.store.node(a, leaf(this.dnfFalse), leaf(this.dnfTrue)); break;
      case Op.NotAtom: result = this.store.node(a, leaf(this.dnfTrue), leaf(this.dnfFalse)); break;
      case Op.Past: result = this.store.node(this.atoms.length + a, leaf(this.dnfFalse), leaf(this.dnfTrue)); break;
      case Op.NotPast: result = this.store.node(this.atoms.length + a, leaf(this.dnfTrue), leaf(this.dnfFalse)); break;
      case Op.And: result = this.dnfAnd(this.expand(a), this.expand(b)); break;
      case Op.Or: result = this.dnfOr(this.expand(a), this.expand(b)); break;
      case Op.Next: result = obligation(true, a); break;
      case Op.WeakNext: result = obligation(false, a); break;
      case Op.Eventually: result = this.dnfOr(this.expand(a), obligation(true, node)); break;
      case Op.Always: result = this.dnfAnd(this.expand(a), obligation(false, node)); break;
      case Op.Until: result = this.dnfOr(this.expand(b), this.dnfAnd(this.expand(a), obligation(true, node))); break;
      case Op.Release: result = this.dnfAnd(this.expand(b), this.dnfOr(this.expand(a), obligation(false, node))); break;
      case Op.WeakUntil: result = this.dnfOr(this.expand(b), this.dnfAnd(this.expand(a), obligation(false, node))); break;
      case Op.StrongRelease: result = this.dnfAnd(this.expand(b), this.dnfOr(this.expand(a), obligation(true, node))); break;
    }
    this.expansions.set(node, result);
    return result;
  }

  private dnfAnd(f: number, g: number): number {
    return this.store.apply("dnfAnd", f, g, (x, y) => this.andDnf(x, y));
  }

  private dnfOr(f: number, g: number): number {
    return this.store.apply("dnfOr", f, g, (x, y) => this.orDnf(x, y));
  }

  private andDnf(x: number, y: number): number {
    if (x === this.dnfFalse || y === this.dnfFalse) return this.dnfFalse;
    if (x === this.dnfTrue) return y;
    if (y === this.dnfTrue) return x;
    const cubes: number[][] = [];
    for (const c of this.dnfs[x - FIRST_VALUE]!) {
      for (const d of this.dnfs[y - FIRST_VALUE]!) {
        const merged = this.conjoinCubes(c, d);
        if (merged !== undefined) cubes.push(merged);
      }
    }
    return this.internDnf(cubes);
  }

  /**
   * A cube is one term (or none: `true`). Two terms merge into one, since `X α & X β`,
   * `X α & WX β` and `WX α & WX β` are `X(α & β)`, `X(α & β)` and `WX(α & β)`; the conjunction
   * is normalized (flattened, sorted, implied conjuncts dropped), so obligations that differ only
   * in redundant conjuncts — `X(F a & G F a)` and `X(G F a)` — become the same state. `undefined`
   * is a contradictory cube (e.g. `WX false`, "this is the last step", with any `X`).
   */
  private conjoinCubes(c: readonly number[], d: readonly number[]): number[] | undefined {
    if (c.length === 0) return d as number[];
    if (d.length === 0) return c as number[];
    const t = c[0]!;
    const u = d[0]!;
    const merged = this.term(this.termStrong[t]! || this.termStrong[u]!, this.formulas.conjoin(this.termNode[t]!, this.termNode[u]!));
    return merged === -1 ? undefined : merged === -2 ? [] : [merged];
  }

  private orDnf(x: number, y: number): number {
    if (x === this.dnfTrue || y === this.dnfTrue) return this.dnfTrue;
    if (x === this.dnfFalse) return y;
    if (y === this.dnfFalse) return x;
    return this.internDnf([...this.dnfs[x - FIRST_VALUE]!, ...this.dnfs[y - FIRST_VALUE]!]);
  }

  /**
   * Interns a DNF after removing duplicate cubes and cubes that imply another cube (they add
   * nothing to the disjunction): e.g. `X(b) | X(a U b)` is `X(a U b)`. Without this, formula
   * progression through an until chain produces exponentially many equivalent obligations.
   */
  private internDnf(input: number[][]): number {
    const unique = new Map<string, number[]>();
    for (const c of input) unique.set(c.join(","), c);
    const cubes = [...unique.values()].sort((a, b) => a.length - b.length || compareCubes(a, b));
    const kept: number[][] = [];
    for (const c of cubes) {
      if (kept.some((k) => this.cubeImplies(c, k))) continue;
      // A later (longer or equal) cube may be weaker than kept ones: drop those it absorbs.
      for (let i = kept.length - 1; i >= 0; i--) if (this.cubeImplies(kept[i]!, c)) kept.splice(i, 1);
      kept.push(c);
    }
    kept.sort(compareCubes);
    const key = kept.map((c) => `[${c.join(",")}]`).join("");
    let id = this.dnfIds.get(key);
    if (id === undefined) {
      id = this.dnfs.length + FIRST_VALUE;
      this.dnfs.push(kept);
      this.dnfIds.set(key, id);
    }
    return id;
  }

  /** Whether cube `c` implies cube `d`: every term of `d` is implied by a term of `c`. */
  private cubeImplies(c: readonly number[], d: readonly number[]): boolean {
    return d.every((t) => c.some((u) => this.termImplies(u, t)));
  }

  /** `X α ⊨ X β`, `X α ⊨ WX β` and `WX α ⊨ WX β` when `α ⊨ β`. */
  private termImplies(u: number, t: number): boolean {
    if (u === t) return true;
    if (!this.termStrong[u] && this.termStrong[t]) return false;
    return this.formulas.implies(this.termNode[u]!, this.termNode[t]!);
  }

  private internPair(dnf: number, carries: string): number {
    const key = `${dnf}|${carries}`;
    let id = this.pairIds.get(key);
    if (id === undefined) {
      id = this.pairs.length + FIRST_VALUE;
      this.pairs.push({ dnf, carries });
      this.pairIds.set(key, id);
    }
    return id;
  }

  private dnfAccepts(dnf: number): boolean {
    return this.dnfs[dnf - FIRST_VALUE]!.some((cube) => cube.every((t) => !this.termStrong[t]));
  }

  /** The term X f (strong) or WX f; -1 stands for `false` (X false), -2 for `true` (WX true). */
  private term(strong: boolean, f: number): number {
    if (strong && this.formulas.ops[f] === Op.False) return -1;
    if (!strong && this.formulas.ops[f] === Op.True) return -2;
    const key = `${strong ? "X" : "W"}${f}`;
    let id = this.termIds.get(key);
    if (id === undefined) {
      id = this.termStrong.length;
      this.termStrong.push(strong);
      this.termNode.push(f);
      this.termIds.set(key, id);
    }
    return id;
  }

}

function compareCubes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
