import { PairMap } from "./hash.js";
import { PastOp, type FormulaTable } from "./formulas.js";
import type { BooleanOps, Mtbdd } from "./mtbdd.js";
import { FIRST_VALUE } from "./obligations.js";

/**
 * The past half of a state: one "carry" bit per temporal past operator, summarizing the trace
 * so far. A past formula's value at a step is a function of the letter and the carries; its
 * variable in the successor diagrams (numbered after the atoms) is replaced by that function,
 * and each leaf (an obligation) is paired with the carries the next step will see.
 *
 * Everything here depends on the carries only, so it is computed once per distinct carries and
 * shared by the states that have them.
 */

/** The past operators' part of a step from states whose carries are the same. */
interface CarriesStep {
  /** Past variables to their values at this step (diagrams over the letter). */
  readonly substitute: (variable: number) => number | undefined;
  /** `compose`'s memo for `substitute`. */
  readonly composed: Map<number, number>;
  /** The bit each carry passes to the next step, as a diagram over the letter. */
  readonly carried: readonly number[];
}

export class PastSteps {
  /** Pairs (obligation, carries); value FIRST_VALUE + i is `pairs[i]`. */
  private readonly pairs: { dnf: number; carries: string }[] = [];
  /** By obligation: the pair (obligation, no carries yet). */
  private readonly emptyPairs: number[] = [];
  /** (pair, bit) to the pair with that carry bit appended. */
  private readonly extendedPairs = new PairMap();
  private readonly carriesSteps = new Map<string, CarriesStep>();
  /** By diagram: it with each obligation leaf paired with no carries yet. */
  private readonly startedPairs = new Map<number, number>();

  constructor(
    private readonly store: Mtbdd,
    private readonly bool: BooleanOps,
    private readonly formulas: FormulaTable,
    private readonly atomCount: number,
  ) {}

  /** The obligation and carries of a pair (a leaf value of the diagrams made here). */
  pair(value: number): { readonly dnf: number; readonly carries: string } {
    return this.pairs[value - FIRST_VALUE]!;
  }

  /**
   * Propositional mode: the successor diagram with past variables replaced by their values and
   * obligations paired with the next carries.
   */
  step(successor: number, carries: string): number {
    const atCarries = this.atCarries(carries);
    let diagram = this.store.compose(successor, atCarries.substitute, atCarries.composed);
    let started = this.startedPairs.get(diagram);
    if (started === undefined) {
      started = this.store.mapLeaves(diagram, this.startPair);
      this.startedPairs.set(diagram, started);
    }
    diagram = started;
    for (const carried of atCarries.carried) diagram = this.store.apply("appendCarry", diagram, carried, this.extendPair);
    return diagram;
  }

  /**
   * Events mode: one event holds, so each past operator's value at this step is a constant per
   * event, and the successor per event is read off the diagram directly — no substitution into
   * diagrams is needed. Returns the chain "if e0 then t0 else if e1 then t1 ...".
   */
  eventChain(successor: number, carries: string): number {
    const step = this.atCarries(carries);
    const n = this.atomCount;
    const values = new Uint8Array(n + this.formulas.carries.length);
    let chain = -1;
    for (let e = n - 1; e >= 0; e--) {
      values.fill(0);
      values[e] = 1;
      for (let i = 0; i < this.formulas.carries.length; i++) values[n + i] = this.store.evaluateEvent(step.substitute(n + i)!, e);
      let pair = this.startPair(this.store.evaluateAssignment(successor, values));
      for (const carried of step.carried) pair = this.extendPair(pair, this.store.evaluateEvent(carried, e));
      const leaf = this.store.leaf(pair);
      chain = chain === -1 ? leaf : this.store.node(e, chain, leaf);
    }
    return chain;
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

  /** What the past operators give at a step where the carries are `carries` (computed once per carries). */
  private atCarries(carries: string): CarriesStep {
    let step = this.carriesSteps.get(carries);
    if (step === undefined) {
      const values = new Map<number, number>();
      const n = this.atomCount;
      const f = this.formulas;
      step = {
        substitute: (v) => (v >= n ? this.value(f.carries[v - n]!, carries, values) : undefined),
        composed: new Map(),
        carried: f.carries.map((p) => {
          const op = f.pastOp(p);
          return this.value(op === PastOp.Yesterday || op === PastOp.WeakYesterday ? f.pastA(p) : p, carries, values);
        }),
      };
      this.carriesSteps.set(carries, step);
    }
    return step;
  }

  /** The value of a pure-past formula at the current step, as a 0/1 diagram over the letter (children first, without recursion). */
  private value(root: number, carries: string, memo: Map<number, number>): number {
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
      memo.set(p, this.valueNode(p, carries, memo));
      stack.pop();
    }
    return memo.get(root)!;
  }

  private valueNode(p: number, carries: string, memo: Map<number, number>): number {
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
}
