import { atomsOf, type Formula } from "./ast.js";
import type { Dfa } from "./dfa.js";
import { TooManyNodesError, TooManyStatesError, UnsupportedFormulaError } from "./errors.js";
import { Deadline, runSteps, runStepsAsync, stopCheck, type CompileProgress, type Steps } from "./limits.js";
import { FormulaTable, Op } from "./formulas.js";
import { minimizeSteps, type SymbolicDfa } from "./minimize.js";
import { BooleanOps, DEFAULT_MAX_NODES, Mtbdd, NodeLimitError, type ApplyUnits } from "./mtbdd.js";
import { Obligations, TERM_TRUE } from "./obligations.js";
import { PastSteps } from "./past.js";
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

interface ExploreLimits {
  maxStates: number;
  label: string;
  onProgress: ((progress: CompileProgress) => void) | undefined;
}

class Builder {
  readonly store: Mtbdd;
  readonly bool: BooleanOps;
  exploredStates = 0;

  private readonly formulas: FormulaTable;
  private readonly obligations: Obligations;
  private readonly past: PastSteps;
  private readonly termExpansions: number[] = [];
  /** By formula id: its expansion's diagram, -1 when not computed yet. */
  private expansions: Int32Array = new Int32Array(256).fill(-1);

  // `true` and `false` obligations decide a conjunction or disjunction without walking the other side.
  private readonly andUnits: ApplyUnits;
  private readonly orUnits: ApplyUnits;
  private readonly andLeaves = (x: number, y: number): number => this.obligations.and(x, y);
  private readonly orLeaves = (x: number, y: number): number => this.obligations.or(x, y);

  constructor(
    private readonly atoms: readonly string[],
    private readonly mode: SpecMode,
    maxNodes: number,
  ) {
    this.store = new Mtbdd(maxNodes);
    this.bool = new BooleanOps(this.store);
    this.formulas = new FormulaTable(new Map(atoms.map((a, i) => [a, i])));
    this.obligations = new Obligations(this.formulas);
    this.past = new PastSteps(this.store, this.bool, this.formulas, atoms.length);
    const trueLeaf = this.store.leaf(this.obligations.true);
    const falseLeaf = this.store.leaf(this.obligations.false);
    this.andUnits = { identity: trueLeaf, absorbing: falseLeaf };
    this.orUnits = { identity: falseLeaf, absorbing: trueLeaf };
  }

  *explore(formula: Formula, limits: ExploreLimits): Steps<SymbolicDfa> {
    const { maxStates, label, onProgress } = limits;
    const root = this.formulas.nnf(formula, true);
    yield;
    const initialCarries = this.formulas.initialCarries();
    const startDnf = this.obligations.single(this.obligations.term(true, root));

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
      if (id >= maxStates) throw new TooManyStatesError(maxStates, id + 1, label, this.exploredStates);
      stateOf[value] = id;
      const p = this.hasPast ? this.past.pair(value) : { dnf: value, carries: "" };
      states.push(p);
      accepting.push(this.obligations.accepts(p.dnf));
    };

    // Breadth-first by layers: the successors of a whole layer are collected in one shared walk
    // over their diagrams, since states with thousands of successors share most diagram nodes.
    for (let layerStart = 0; layerStart < states.length; ) {
      const layerEnd = states.length;
      const roots: number[] = [];
      for (let s = layerStart; s < layerEnd; s++) {
        this.exploredStates = s;
        // A pause per state: expanding one can take a while when it has thousands of successors.
        if (s > layerStart) {
          onProgress?.({ phase: "explore", expanded: s, found: states.length });
          yield;
        }
        const { dnf, carries } = states[s]!;
        let successor = yield* this.successor(dnf);
        if (this.mode === "events") successor = this.hasPast ? this.past.eventChain(successor, carries) : this.eventChain(successor);
        else if (this.hasPast) successor = this.past.step(successor, carries);
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
            onProgress?.({ phase: "explore", expanded: layerEnd, found: states.length });
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

  private get hasPast(): boolean {
    return this.formulas.carries.length > 0;
  }

  /** The diagram from letters (and past variables) to successor obligations: the disjunction of its terms' expansions. */
  private *successor(dnf: number): Steps<number> {
    let result = this.store.leaf(this.obligations.false);
    for (const t of this.obligations.terms(dnf)) {
      result = yield* this.dnfOr(result, t === TERM_TRUE ? this.store.leaf(this.obligations.true) : yield* this.expandTerm(t));
    }
    return result;
  }

  private *expandTerm(t: number): Steps<number> {
    let e = this.termExpansions[t];
    if (e === undefined) {
      e = yield* this.expand(this.obligations.formulaOf(t));
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
    return this.store.leaf(this.obligations.single(this.obligations.term(strong, g)));
  }

  /** One formula's expansion from its arguments' (already computed): F φ = φ | X F φ, G φ = φ & WX G φ, and so on. */
  private *expandNode(node: number): Steps<number> {
    const f = this.formulas;
    const a = f.a(node);
    const b = f.b(node);
    const store = this.store;
    const yes = store.leaf(this.obligations.true);
    const no = store.leaf(this.obligations.false);
    switch (f.op(node)) {
      case Op.True: return yes;
      case Op.False: return no;
      case Op.Atom: return store.node(a, no, yes);
      case Op.NotAtom: return store.node(a, yes, no);
      case Op.Past: return store.node(this.atoms.length + a, no, yes);
      case Op.NotPast: return store.node(this.atoms.length + a, yes, no);
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

  private dnfAnd(f: number, g: number): Steps<number> {
    return this.store.applySteps("dnfAnd", f, g, this.andLeaves, this.andUnits);
  }

  private dnfOr(f: number, g: number): Steps<number> {
    return this.store.applySteps("dnfOr", f, g, this.orLeaves, this.orUnits);
  }
}
