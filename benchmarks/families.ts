/**
 * Formula families for the compile-time benchmark (benchmarks/ltl-compile.ts), as text in our
 * concrete syntax, parametrized by a size n. Each instance lists its atoms, so that ours and MONA
 * compile over the same alphabet.
 */
import { Rng } from "../tests/support/random.js";

export interface Instance {
  readonly family: string;
  readonly n: number;
  /** Distinguishes the instances of one size (random families); 0 otherwise. */
  readonly variant: number;
  /** Shown instead of n where n is not a size (the agent specs). */
  readonly label?: string;
  readonly text: string;
  readonly atoms: readonly string[];
}

const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const conj = (parts: readonly string[]): string => (parts.length === 0 ? "true" : parts.map((p) => `(${p})`).join(" & "));

/**
 * Common LTLf specification patterns (Dwyer et al. 1999; the Declare templates of van der Aalst
 * et al. are mostly the same ones), over distinct atoms p, q, r.
 */
export const PATTERNS: readonly { readonly name: string; readonly make: (p: string, q: string, r: string) => string }[] = [
  { name: "absence", make: (p) => `G !${p}` },
  { name: "existence", make: (p) => `F ${p}` },
  { name: "universality", make: (p) => `G ${p}` },
  { name: "response", make: (p, q) => `G(${p} -> F ${q})` },
  { name: "precedence", make: (p, q) => `!${q} W ${p}` },
  { name: "precedence (past)", make: (p, q) => `G(${q} -> O ${p})` },
  { name: "immediate response", make: (p, q) => `G(${p} -> X ${q})` },
  { name: "until", make: (p, q) => `${p} U ${q}` },
  { name: "constrained response", make: (p, q, r) => `G(${p} -> (${q} U ${r}))` },
  { name: "persistence", make: (p) => `F G ${p}` },
  { name: "recurrence", make: (p) => `G F ${p}` },
  { name: "at most once", make: (p) => `G(${p} -> WX G !${p})` },
  { name: "responded existence", make: (p, q) => `F ${p} -> F ${q}` },
];

export const RANDOM_ATOMS = names("a", 6);

/** A conjunction of n patterns, each over distinct atoms drawn at random from a0..a5. */
export function randomConjunction(n: number, variant: number, seed: number): Instance {
  const rng = new Rng(seed * 1_000_003 + n * 1_009 + variant);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const pool = [...RANDOM_ATOMS];
    const [p, q, r] = [0, 1, 2].map(() => pool.splice(rng.int(pool.length), 1)[0]!) as [string, string, string];
    parts.push(rng.pick(PATTERNS).make(p, q, r));
  }
  return { family: "random conjunctions", n, variant, text: conj(parts), atoms: RANDOM_ATOMS };
}

/**
 * The n-bit binary counter: it starts at 0, increments at every step but the last (bit i flips
 * exactly when the bits below it are all 1; bit 0 always flips), and reaches 2^n - 1.
 */
export function counter(n: number): Instance {
  const b = names("b", n);
  const parts = [b.map((x) => `!${x}`).join(" & ")];
  for (let i = 0; i < n; i++) {
    const unchanged = `(${b[i]} <-> X ${b[i]})`;
    parts.push(i === 0 ? `G(!last -> !${unchanged})` : `G(!last -> (${unchanged} <-> !(${b.slice(0, i).join(" & ")})))`);
  }
  parts.push(`F(${b.join(" & ")})`);
  return { family: "counters", n, variant: 0, text: conj(parts), atoms: b };
}

/** a0 U (a1 U (... U an)). */
export function untilChain(n: number): Instance {
  const a = names("a", n + 1);
  let text = a[n]!;
  for (let i = n - 1; i >= 0; i--) text = `${a[i]} U (${text})`;
  return { family: "nested until", n, variant: 0, text, atoms: a };
}

/** a0 U (a1 R (a2 U (a3 R ... an))): until and release alternate. */
export function untilReleaseChain(n: number): Instance {
  const a = names("a", n + 1);
  let text = a[n]!;
  for (let i = n - 1; i >= 0; i--) text = `${a[i]} ${i % 2 === 0 ? "U" : "R"} (${text})`;
  return { family: "nested until/release", n, variant: 0, text, atoms: a };
}

/** G F a0 & ... & G F a{n-1}. */
export function gfConjunction(n: number): Instance {
  const a = names("a", n);
  return { family: "GF conjunction", n, variant: 0, text: conj(a.map((x) => `G F ${x}`)), atoms: a };
}

/** G(a0 -> F b0) & ... & G(a{n-1} -> F b{n-1}): independent response pairs, 2^n pending sets. */
export function responsePairs(n: number): Instance {
  const a = names("a", n);
  const b = names("b", n);
  return { family: "GF response pairs", n, variant: 0, text: conj(a.map((x, i) => `G(${x} -> F ${b[i]})`)), atoms: a.flatMap((x, i) => [x, b[i]!]) };
}
