import { atomsOf, type Formula } from "./ast.js";
import type { Dfa } from "./dfa.js";
import { TooManyNodesError, TooManyStatesError, UnsupportedFormulaError } from "./errors.js";
import { ListInterner, PairMap } from "./hash.js";
import { Deadline, runSteps, runStepsAsync, stopCheck, type CompileProgress, type Steps } from "./limits.js";
import { FormulaTable, Op, PastOp } from "./formulas.js";
import { minimizeSteps, type SymbolicDfa } from "./minimize.js";
import { BooleanOps, DEFAULT_MAX_NODES, Mtbdd, NodeLimitError, type ApplyUnits } from "./mtbdd.js";
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
 * the alphabet 2^atoms is never enumerated. A state accepts when one of its terms is weak (no
 * step is owed). Formulas are hash-consed in negation normal form, so equal obligations are equal
 * integers; the result is minimized afterwards.
 */

export interface CompileOptions {
  /** Refuse to explore more than this many states (before minimization). Defaults to 100,000. */
  maxStates?: number;
  /**
   * Refuse to build more than this many decision-diagram nodes (each about 30 bytes). Defaults to
   * 8,388,608 (`DEFAULT_MAX_NODES`).
   */
  maxNodes?: number;
  /** What the error names when a limit is hit. Defaults to `the formula`. */
  label?: string;
  /**
   * Stop with a `CompileTimeoutError` after this many milliseconds (checked between states and
   * refinement rounds). Defaults to none.
   */
  timeLimitMs?: number;
  /**
   * Stop with the signal's reason once it is aborted. The synchronous functions check it between
   * states (so only an abort from a callback such as `onProgress` can stop them early); the
   * `…Async` ones hand the event loop a turn every few milliseconds, so any abort does.
   */
  signal?: AbortSignal;
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
  const deadline = new Deadline(options.timeLimitMs, options.label ?? "the formula");
  return runSteps(compileFormulaSteps(formula, target, options, deadline), stopCheck(deadline, options.signal));
}

/** `compileFormula` that gives the event loop a turn every few milliseconds, so that `signal` can stop it. */
export async function compileFormulaAsync(formula: Formula, target?: Partial<CompileTarget>, options: CompileOptions = {}): Promise<Dfa> {
  const deadline = new Deadline(options.timeLimitMs, options.label ?? "the formula");
  return runStepsAsync(compileFormulaSteps(formula, target, options, deadline), stopCheck(deadline, options.signal));
}

/** The compilation as resumable steps (see `Steps`); `deadline` is checked at each of them as well. */
export function* compileFormulaSteps(formula: Formula, target: Partial<CompileTarget> | undefined, options: CompileOptions, deadline: Deadline): Steps<Dfa> {
  const atoms = target?.atoms ?? atomsOf(formula);
  const mode = target?.mode ?? "propositional";
  const known = new Set(atoms);
  for (const name of atomsOf(formula)) {
    if (!known.has(name)) throw new UnsupportedFormulaError(`the formula uses '${name}', which is not among the atoms (${atoms.join(", ")})`);
  }
  if (mode === "events" && atoms.length === 0) throw new UnsupportedFormulaError("an events-mode automaton needs at least one event");
  const label = options.label ?? "the formula";
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  const builder = new Builder(atoms, mode, maxNodes);
  try {
    const symbolic = yield* builder.explore(formula, { maxStates, label, onProgress: options.onProgress });
    return yield* minimizeSteps(symbolic, options.onProgress);
  } catch (error) {
    if (error instanceof NodeLimitError) throw new TooManyNodesError(maxNodes, builder.exploredStates, label);
    throw error;
  } finally {
    deadline.check();
  }
}

const FIRST_VALUE = 2; // diagram terminals 0 and 1 are booleans; obligations and states come after

/** The past operators' part of a step from states whose carries are the same. */
interface CarriesStep {
  /** Past variables to their values at this step (diagrams over the letter). */
  readonly substitute: (variable: number) => number | undefined;
  /** `compose`'s memo for `substitute`. */
  readonly composed: Map<number, number>;
  /** The bit each carry passes to the next step, as a diagram over the letter. */
  readonly carried: readonly number[];
}
const TERM_TRUE = -2; // the term WX true: no obligation
const TERM_FALSE = -1; // the term X false: unsatisfiable

interface ExploreLimits {
  maxStates: number;
  label: string;
  onProgress: ((progress: CompileProgress) => void) | undefined;
}

class Builder {
  readonly store: Mtbdd;
  readonly bool: BooleanOps;
  exploredStates = 0;

  // Terms X φ / WX φ by formula id (-1: not made yet), and their expansions.
  private strongTerm: Int32Array = new Int32Array(256).fill(-1);
  private weakTerm: Int32Array = new Int32Array(256).fill(-1);
  private readonly termStrong: boolean[] = [];
  private readonly termNode: number[] = [];
  private readonly termExpansions: number[] = [];

  // Obligations: DNFs over terms, each a sorted list of terms none of which implies another
  // (`dnfTrue` is the one holding the empty cube). Value FIRST_VALUE + i is `dnfs[i]`.
  private readonly dnfs: (readonly number[])[] = [];
  private readonly lists = new ListInterner();
  private readonly dnfOfList = new Map<number, number>();
  private readonly pairs: { dnf: number; carries: string }[] = [];
  /** By obligation: the pair (obligation, no carries yet); -1 when not made. */
  private readonly emptyPairs: number[] = [];
  /** (pair, bit) to the pair with that carry bit appended. */
  private readonly extendedPairs = new PairMap();

  private readonly dnfFalse: number;
  private readonly dnfTrue: number;
  private readonly formulas: FormulaTable;

  constructor(
    private readonly atoms: readonly string[],
    private readonly mode: SpecMode,
    maxNodes: number,
  ) {
    this.store = new Mtbdd(maxNodes);
    this.bool = new BooleanOps(this.store);
    this.formulas = new FormulaTable(new Map(atoms.map((a, i) => [a, i])));
    this.dnfFalse = this.newDnf([]);
    this.dnfTrue = this.newDnf([TERM_TRUE]);
    const trueLeaf = this.store.leaf(this.dnfTrue);
    const falseLeaf = this.store.leaf(this.dnfFalse);
    this.andUnits = { identity: trueLeaf, absorbing: falseLeaf };
    this.orUnits = { identity: falseLeaf, absorbing: trueLeaf };
  }

  *explore(formula: Formula, limits: ExploreLimits): Steps<SymbolicDfa> {
    const { maxStates, label, onProgress } = limits;
    const root = this.formulas.nnf(formula, true);
    yield;
    const initialCarries = this.formulas.initialCarries();
    const startDnf = this.termDnf(this.term(true, root));

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
    const stateFor = (value: number): void => {
      if (value >= stateOf.length) {
        const grown = new Int32Array(Math.max(value + 1, stateOf.length * 2)).fill(-1);
        grown.set(stateOf);
        stateOf = grown;
      }
      if (stateOf[value] !== -1) return;
      const id = states.length;
      if (id >= maxStates) throw new TooManyStatesError(maxStates, id, label);
      stateOf[value] = id;
      const p = this.hasPast ? this.pairs[value - FIRST_VALUE]! : { dnf: value, carries: "" };
      states.push(p);
      accepting.push(this.dnfAccepts(p.dnf));
    };

    // Breadth-first by layers: the successors of a whole layer are collected in one shared walk
    // over their diagrams, since states with thousands of successors share most diagram nodes.
    for (let layerStart = 0; layerStart < states.length; ) {
      const layerEnd = states.length;
      const roots: number[] = [];
      for (let s = layerStart; s < layerEnd; s++) {
        this.exploredStates = s;
        // A pause per state: expanding one can take a while when it has thousands of successors.
        if ((s & 15) === 15) onProgress?.({ phase: "explore", expanded: s + 1, found: states.length });
        if (s > layerStart) yield;
        let successor = yield* this.successor(states[s]!.dnf, states[s]!.carries);
        if (this.mode === "events") successor = this.hasPast ? this.eventChainWithPast(successor, states[s]!.carries) : this.eventChain(successor);
        behaviour.push(successor);
        roots.push(successor);
      }
      this.exploredStates = layerEnd;
      const walk = this.store.beginTerminalWalk();
      try {
        for (let i = 0; i < roots.length; i++) {
          const values: number[] = [];
          for (const _ of walk.visit(roots[i]!, values)) {
            for (const value of values) stateFor(value);
            values.length = 0;
            yield;
          }
          for (const value of values) stateFor(value);
          if ((i & 15) === 15) {
            onProgress?.({ phase: "explore", expanded: layerEnd, found: states.length });
            yield;
          }
        }
      } finally {
        walk.finish();
      }
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
    const targets = this.atoms.map((_, e) => this.store.evaluateEvent(successor, e));
    let chain = this.store.leaf(targets[targets.length - 1]!);
    for (let e = targets.length - 2; e >= 0; e--) chain = this.store.node(e, chain, this.store.leaf(targets[e]!));
    return chain;
  }

  /**
   * Events mode with past operators: one event holds, so each past operator's value at this step
   * is a constant per event, and the successor per event is read off the diagram directly — no
   * substitution into diagrams is needed.
   */
  private eventChainWithPast(successor: number, carries: string): number {
    const step = this.atCarries(carries);
    const n = this.atoms.length;
    const values = new Uint8Array(n + this.formulas.carries.length);
    let chain = -1;
    for (let e = n - 1; e >= 0; e--) {
      values.fill(0);
      values[e] = 1;
      this.formulas.carries.forEach((_, i) => (values[n + i] = this.store.evaluateEvent(step.substitute(n + i)!, e)));
      let pair = this.startPair(this.store.evaluateAssignment(successor, values));
      for (const carried of step.carried) pair = this.extendPair(pair, this.store.evaluateEvent(carried, e));
      const leaf = this.store.leaf(pair);
      chain = chain === -1 ? leaf : this.store.node(e, chain, leaf);
    }
    return chain;
  }

  private get hasPast(): boolean {
    return this.formulas.carries.length > 0;
  }

  /** The diagram from letters to successor obligations (paired with carries when the formula has past operators). */
  private *successor(dnf: number, carries: string): Steps<number> {
    let result = this.store.leaf(this.dnfFalse);
    for (const t of this.dnfs[dnf - FIRST_VALUE]!) {
      result = yield* this.dnfOr(result, t === TERM_TRUE ? this.store.leaf(this.dnfTrue) : yield* this.expandTerm(t));
    }
    if (!this.hasPast || this.mode === "events") return result;
    // Past operators: substitute their values at this step (functions of the letter and the
    // carries) for their variables, then attach the carries the next step will see. All of it
    // depends on the carries only, so it is kept per carries for the states that share them.
    const atCarries = this.atCarries(carries);
    let withPast = this.store.compose(result, atCarries.substitute, atCarries.composed);
    let started = this.startedPairs.get(withPast);
    if (started === undefined) {
      started = this.store.mapLeaves(withPast, this.startPair);
      this.startedPairs.set(withPast, started);
    }
    withPast = started;
    for (const carried of atCarries.carried) withPast = this.store.apply("appendCarry", withPast, carried, this.extendPair);
    return withPast;
  }

  /** What the past operators give at a step where the carries are `carries` (computed once per carries). */
  private atCarries(carries: string): CarriesStep {
    let step = this.carriesSteps.get(carries);
    if (step === undefined) {
      const values = new Map<number, number>();
      const n = this.atoms.length;
      const f = this.formulas;
      step = {
        substitute: (v) => (v >= n ? this.pastValue(f.carries[v - n]!, carries, values) : undefined),
        composed: new Map(),
        carried: f.carries.map((p) => {
          const op = f.pastOp(p);
          return this.pastValue(op === PastOp.Yesterday || op === PastOp.WeakYesterday ? f.pastA(p) : p, carries, values);
        }),
      };
      this.carriesSteps.set(carries, step);
    }
    return step;
  }

  private readonly carriesSteps = new Map<string, CarriesStep>();
  /** By diagram: it with each obligation leaf paired with no carries yet. */
  private readonly startedPairs = new Map<number, number>();

  /** The value of a pure-past formula at the current step, as a 0/1 diagram over the letter (children first, without recursion). */
  private pastValue(root: number, carries: string, memo: Map<number, number>): number {
    const f = this.formulas;
    const stack = [root];
    while (stack.length > 0) {
      const p = stack[stack.length - 1]!;
      if (memo.has(p)) {
        stack.pop();
        continue;
      }
      const op = f.pastOp(p);
      const unary = op === PastOp.Not || op === PastOp.Once || op === PastOp.Historically;
      const binary = op === PastOp.And || op === PastOp.Or || op === PastOp.Since;
      const missingA = (unary || binary) && !memo.has(f.pastA(p));
      const missingB = binary && !memo.has(f.pastB(p));
      if (missingA || missingB) {
        if (missingB) stack.push(f.pastB(p));
        if (missingA) stack.push(f.pastA(p));
        continue;
      }
      memo.set(p, this.pastNode(p, carries, memo));
      stack.pop();
    }
    return memo.get(root)!;
  }

  private pastNode(p: number, carries: string, memo: Map<number, number>): number {
    const b = this.bool;
    const f = this.formulas;
    const op = f.pastOp(p);
    if (op === PastOp.True) return b.trueNode;
    if (op === PastOp.False) return b.falseNode;
    if (op === PastOp.Atom) return b.variable(f.pastA(p));
    const a = op === PastOp.Yesterday || op === PastOp.WeakYesterday ? -1 : memo.get(f.pastA(p))!;
    const carry = op >= PastOp.Yesterday ? (carries[f.carryIndex.get(p)!] === "1" ? b.trueNode : b.falseNode) : -1;
    switch (op) {
      case PastOp.Not: return b.not(a);
      case PastOp.And: return b.and(a, memo.get(f.pastB(p))!);
      case PastOp.Or: return b.or(a, memo.get(f.pastB(p))!);
      case PastOp.Yesterday:
      case PastOp.WeakYesterday: return carry;
      case PastOp.Once: return b.or(a, carry);
      case PastOp.Historically: return b.and(a, carry);
      default: return b.or(memo.get(f.pastB(p))!, b.and(a, carry)); // Since
    }
  }

  private *expandTerm(t: number): Steps<number> {
    let e = this.termExpansions[t];
    if (e === undefined) {
      e = yield* this.expand(this.termNode[t]!);
      this.termExpansions[t] = e;
    }
    return e;
  }

  /** The formula at the current step: a diagram over the letter (and past variables) to obligations for the next. */
  private *expand(root: number): Steps<number> {
    const f = this.formulas;
    const stack = [root];
    while (stack.length > 0) {
      const node = stack[stack.length - 1]!;
      if (this.expansionOf(node) !== -1) {
        stack.pop();
        continue;
      }
      // Arguments first: both for the binary operators, the one for F and G (X and WX only make obligations).
      const op = f.op(node);
      if (op === Op.And || op === Op.Or || op >= Op.Until || op === Op.Eventually || op === Op.Always) {
        const a = f.a(node);
        const missingA = this.expansionOf(a) === -1;
        const missingB = op !== Op.Eventually && op !== Op.Always && this.expansionOf(f.b(node)) === -1;
        if (missingA || missingB) {
          if (missingB) stack.push(f.b(node));
          if (missingA) stack.push(a);
          continue;
        }
      }
      this.setExpansion(node, yield* this.expandNode(node));
      stack.pop();
    }
    return this.expansionOf(root);
  }

  /** By formula id: its expansion's diagram, -1 when not computed yet. */
  private expansions: Int32Array = new Int32Array(256).fill(-1);

  private expansionOf(node: number): number {
    return node < this.expansions.length ? this.expansions[node]! : -1;
  }

  private setExpansion(node: number, diagram: number): void {
    if (node >= this.expansions.length) {
      const grown = new Int32Array(Math.max(node + 1, this.expansions.length * 2)).fill(-1);
      grown.set(this.expansions);
      this.expansions = grown;
    }
    this.expansions[node] = diagram;
  }

  /** The obligation `X g` or `WX g` as a constant diagram. */
  private obligation(strong: boolean, g: number): number {
    return this.store.leaf(this.termDnf(this.term(strong, g)));
  }

  /** One formula's expansion from its arguments' (already computed). */
  private *expandNode(node: number): Steps<number> {
    const f = this.formulas;
    const a = f.a(node);
    const b = f.b(node);
    const store = this.store;
    switch (f.op(node)) {
      case Op.True: return store.leaf(this.dnfTrue);
      case Op.False: return store.leaf(this.dnfFalse);
      case Op.Atom: return store.node(a, store.leaf(this.dnfFalse), store.leaf(this.dnfTrue));
      case Op.NotAtom: return store.node(a, store.leaf(this.dnfTrue), store.leaf(this.dnfFalse));
      case Op.Past: return store.node(this.atoms.length + a, store.leaf(this.dnfFalse), store.leaf(this.dnfTrue));
      case Op.NotPast: return store.node(this.atoms.length + a, store.leaf(this.dnfTrue), store.leaf(this.dnfFalse));
      case Op.And: return yield* this.dnfAnd(this.expansionOf(a), this.expansionOf(b));
      case Op.Or: return yield* this.dnfOr(this.expansionOf(a), this.expansionOf(b));
      case Op.Next: return this.obligation(true, a);
      case Op.WeakNext: return this.obligation(false, a);
      case Op.Eventually: return yield* this.dnfOr(this.expansionOf(a), this.obligation(true, node));
      case Op.Always: return yield* this.dnfAnd(this.expansionOf(a), this.obligation(false, node));
      case Op.Until: return yield* this.dnfOr(this.expansionOf(b), yield* this.dnfAnd(this.expansionOf(a), this.obligation(true, node)));
      case Op.Release: return yield* this.dnfAnd(this.expansionOf(b), yield* this.dnfOr(this.expansionOf(a), this.obligation(false, node)));
      case Op.WeakUntil: return yield* this.dnfOr(this.expansionOf(b), yield* this.dnfAnd(this.expansionOf(a), this.obligation(false, node)));
      case Op.StrongRelease: return yield* this.dnfAnd(this.expansionOf(b), yield* this.dnfOr(this.expansionOf(a), this.obligation(true, node)));
    }
  }

  private readonly andLeaves = (x: number, y: number): number => this.andDnf(x, y);
  private readonly orLeaves = (x: number, y: number): number => this.orDnf(x, y);

  // `true` and `false` obligations decide a conjunction or disjunction without walking the other side.
  private readonly andUnits: ApplyUnits;
  private readonly orUnits: ApplyUnits;

  private dnfAnd(f: number, g: number): Steps<number> {
    return this.store.applySteps("dnfAnd", f, g, this.andLeaves, this.andUnits);
  }

  private dnfOr(f: number, g: number): Steps<number> {
    return this.store.applySteps("dnfOr", f, g, this.orLeaves, this.orUnits);
  }

  /**
   * The conjunction of two obligations. Two terms merge into one, since `X α & X β`,
   * `X α & WX β` and `WX α & WX β` are `X(α & β)`, `X(α & β)` and `WX(α & β)`; the conjunction
   * is normalized (flattened, sorted, implied conjuncts dropped), so obligations that differ only
   * in redundant conjuncts — `X(F a & G F a)` and `X(G F a)` — become the same state. A merged
   * term may be contradictory (e.g. `WX false`, "this is the last step", with any `X`).
   */
  private andDnf(x: number, y: number): number {
    if (x === this.dnfFalse || y === this.dnfFalse) return this.dnfFalse;
    if (x === this.dnfTrue) return y;
    if (y === this.dnfTrue) return x;
    const xs = this.dnfs[x - FIRST_VALUE]!;
    const ys = this.dnfs[y - FIRST_VALUE]!;
    if (xs.length === 1 && ys.length === 1) return this.termDnf(this.mergeTerms(xs[0]!, ys[0]!));
    const terms: number[] = [];
    for (const t of xs) {
      for (const u of ys) {
        const merged = this.mergeTerms(t, u);
        if (merged === TERM_TRUE) return this.dnfTrue;
        if (merged !== TERM_FALSE) terms.push(merged);
      }
    }
    return this.internDnf(terms);
  }

  /** The one term equivalent to `t & u`. */
  private mergeTerms(t: number, u: number): number {
    return this.term(this.termStrong[t]! || this.termStrong[u]!, this.formulas.conjoin(this.termNode[t]!, this.termNode[u]!));
  }

  private orDnf(x: number, y: number): number {
    if (x === this.dnfTrue || y === this.dnfTrue) return this.dnfTrue;
    if (x === this.dnfFalse) return y;
    if (y === this.dnfFalse) return x;
    return this.internDnf([...this.dnfs[x - FIRST_VALUE]!, ...this.dnfs[y - FIRST_VALUE]!]);
  }

  /** The obligation that is the single term `t` (or `true`, `false`). */
  private termDnf(t: number): number {
    if (t === TERM_FALSE) return this.dnfFalse;
    if (t === TERM_TRUE) return this.dnfTrue;
    let id = this.singleTermDnf[t];
    if (id === undefined) {
      id = this.internDnf([t]);
      this.singleTermDnf[t] = id;
    }
    return id;
  }

  /** By term: the obligation that is that term alone. */
  private readonly singleTermDnf: number[] = [];

  /**
   * Interns a DNF after removing duplicate terms and terms that imply another term (they add
   * nothing to the disjunction): e.g. `X(b) | X(a U b)` is `X(a U b)`. Without this, formula
   * progression through an until chain produces exponentially many equivalent obligations.
   */
  private internDnf(input: readonly number[]): number {
    let terms = [...new Set(input)].sort((a, b) => a - b);
    if (terms.length > 1) {
      terms = terms.filter((t) => !terms.some((k) => k !== t && this.termImplies(t, k) && !(this.termImplies(k, t) && k > t)));
    }
    const list = this.lists.intern(terms);
    let id = this.dnfOfList.get(list);
    if (id === undefined) {
      id = this.newDnf(terms);
      this.dnfOfList.set(list, id);
    }
    return id;
  }

  private newDnf(terms: readonly number[]): number {
    this.dnfs.push(terms);
    return this.dnfs.length - 1 + FIRST_VALUE;
  }

  /** `X α ⊨ X β`, `X α ⊨ WX β` and `WX α ⊨ WX β` when `α ⊨ β`. */
  private termImplies(u: number, t: number): boolean {
    if (u === t) return true;
    if (!this.termStrong[u] && this.termStrong[t]) return false;
    return this.formulas.implies(this.termNode[u]!, this.termNode[t]!);
  }

  /** The leaf value of an obligation paired with the carries appended next (none yet). */
  private readonly startPair = (dnf: number): number => {
    let id = this.emptyPairs[dnf];
    if (id === undefined) {
      id = this.pairs.length + FIRST_VALUE;
      this.pairs.push({ dnf, carries: "" });
      this.emptyPairs[dnf] = id;
    }
    return id;
  };

  /** A pair with one more carry bit (0 or 1). */
  private readonly extendPair = (pair: number, bit: number): number => {
    let id = this.extendedPairs.get(pair, bit);
    if (id === -1) {
      const { dnf, carries } = this.pairs[pair - FIRST_VALUE]!;
      id = this.pairs.length + FIRST_VALUE;
      this.pairs.push({ dnf, carries: carries + String(bit) });
      this.extendedPairs.set(pair, bit, id);
    }
    return id;
  };

  private dnfAccepts(dnf: number): boolean {
    return this.dnfs[dnf - FIRST_VALUE]!.some((t) => t === TERM_TRUE || !this.termStrong[t]);
  }

  /** The term X f (strong) or WX f; TERM_FALSE stands for `X false`, TERM_TRUE for `WX true`. */
  private term(strong: boolean, f: number): number {
    if (strong && this.formulas.op(f) === Op.False) return TERM_FALSE;
    if (!strong && this.formulas.op(f) === Op.True) return TERM_TRUE;
    if (f >= this.strongTerm.length) {
      const size = Math.max(f + 1, this.strongTerm.length * 2);
      const grow = (old: Int32Array): Int32Array => {
        const next = new Int32Array(size).fill(-1);
        next.set(old);
        return next;
      };
      this.strongTerm = grow(this.strongTerm);
      this.weakTerm = grow(this.weakTerm);
    }
    const table = strong ? this.strongTerm : this.weakTerm;
    let id = table[f]!;
    if (id === -1) {
      id = this.termStrong.length;
      this.termStrong.push(strong);
      this.termNode.push(f);
      table[f] = id;
    }
    return id;
  }
}
