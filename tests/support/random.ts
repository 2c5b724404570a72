import { BINARY_KINDS, UNARY_KINDS, atom, type BinaryKind, type Formula, type UnaryKind } from "../../src/ltl/ast.js";

/** A small seeded generator (mulberry32): the same seed gives the same formulas on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

export interface RandomFormulaOptions {
  atoms: readonly string[];
  /** Maximum depth (a lone atom has depth 0). */
  depth: number;
  /** Whether past operators may appear (always over pure-past subformulas). Defaults to true. */
  past?: boolean;
}

const PAST_UNARY: readonly UnaryKind[] = ["yesterday", "weakYesterday", "once", "historically"];
const FUTURE_UNARY = UNARY_KINDS.filter((k) => !PAST_UNARY.includes(k));
const PAST_BINARY: readonly BinaryKind[] = ["since"];
const FUTURE_BINARY = BINARY_KINDS.filter((k) => k !== "since");
const BOOLEAN_UNARY: readonly UnaryKind[] = ["not"];
const BOOLEAN_BINARY: readonly BinaryKind[] = ["and", "or", "implies", "iff"];

/**
 * A random formula over all operators. Past operators only take pure-past arguments (atoms,
 * Boolean connectives and past operators), which is the fragment the compiler accepts.
 */
export function randomFormula(rng: Rng, options: RandomFormulaOptions): Formula {
  const allowPast = options.past ?? true;
  const leaf = (): Formula => {
    const r = rng.int(12);
    if (r === 0) return { kind: "true" };
    if (r === 1) return { kind: "false" };
    if (r === 2) return { kind: "last" };
    return atom(rng.pick(options.atoms));
  };
  const pureLeaf = (): Formula => {
    const r = rng.int(10);
    if (r === 0) return { kind: "true" };
    if (r === 1) return { kind: "false" };
    return atom(rng.pick(options.atoms));
  };
  const gen = (depth: number, pastOnly: boolean): Formula => {
    if (depth === 0 || rng.int(5) === 0) return pastOnly ? pureLeaf() : leaf();
    const unaryKinds = pastOnly ? [...BOOLEAN_UNARY, ...PAST_UNARY] : allowPast ? UNARY_KINDS : FUTURE_UNARY.concat();
    const binaryKinds = pastOnly ? [...BOOLEAN_BINARY, ...PAST_BINARY] : allowPast ? BINARY_KINDS : FUTURE_BINARY.concat();
    if (rng.int(2) === 0) {
      const kind = rng.pick(unaryKinds);
      const inPast = pastOnly || PAST_UNARY.includes(kind);
      return { kind, arg: gen(depth - 1, inPast) };
    }
    const kind = rng.pick(binaryKinds);
    const inPast = pastOnly || PAST_BINARY.includes(kind);
    return { kind, left: gen(depth - 1, inPast), right: gen(depth - 1, inPast) };
  };
  return gen(options.depth, false);
}

/** All traces over `atoms` (each step a set of atoms) of lengths 1..maxLength. */
export function* allTraces(atoms: readonly string[], maxLength: number): Generator<Set<string>[]> {
  const letters: Set<string>[] = [];
  for (let mask = 0; mask < 1 << atoms.length; mask++) letters.push(new Set(atoms.filter((_, i) => mask & (1 << i))));
  const trace: Set<string>[] = [];
  function* extend(): Generator<Set<string>[]> {
    if (trace.length > 0) yield [...trace];
    if (trace.length === maxLength) return;
    for (const letter of letters) {
      trace.push(letter);
      yield* extend();
      trace.pop();
    }
  }
  yield* extend();
}
