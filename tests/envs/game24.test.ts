import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allMultisets,
  createGame24Task,
  frac,
  game24Expression,
  game24Puzzles,
  isSolvable,
  solveGame24,
  verifyGame24,
  type Game24State,
} from "../../src/envs/index.js";

/**
 * An independent brute force with BigInt fractions: the set of values each subset of the four
 * numbers can make (split the subset into two non-empty parts, combine every pair of values).
 */
function bruteForceSolvable(numbers: readonly number[]): boolean {
  type Q = readonly [bigint, bigint];
  const g = (a: bigint, b: bigint): bigint => {
    a = a < 0n ? -a : a;
    b = b < 0n ? -b : b;
    while (b !== 0n) [a, b] = [b, a % b];
    return a;
  };
  const norm = (n: bigint, d: bigint): Q => {
    if (d < 0n) [n, d] = [-n, -d];
    const k = g(n, d) || 1n;
    return [n / k, d / k];
  };
  const key = (q: Q): string => `${q[0]}/${q[1]}`;
  const memo = new Map<number, Map<string, Q>>();
  const valuesOf = (mask: number): Map<string, Q> => {
    const cached = memo.get(mask);
    if (cached) return cached;
    const out = new Map<string, Q>();
    const bits = [0, 1, 2, 3].filter((i) => mask & (1 << i));
    if (bits.length === 1) {
      const q = norm(BigInt(numbers[bits[0] as number] as number), 1n);
      out.set(key(q), q);
    } else {
      for (let sub = (mask - 1) & mask; sub > 0; sub = (sub - 1) & mask) {
        const rest = mask & ~sub;
        for (const [an, ad] of valuesOf(sub).values()) {
          for (const [bn, bd] of valuesOf(rest).values()) {
            const results: Q[] = [norm(an * bd + bn * ad, ad * bd), norm(an * bd - bn * ad, ad * bd), norm(an * bn, ad * bd)];
            if (bn !== 0n) results.push(norm(an * bd, ad * bn));
            for (const q of results) out.set(key(q), q);
          }
        }
      }
    }
    memo.set(mask, out);
    return out;
  };
  return valuesOf(15).has("24/1");
}

describe("Game of 24: the exact solver", () => {
  it("finds 1,362 solvable multisets of the 1,820, as an independent brute force does", () => {
    const all = allMultisets();
    expect(all).toHaveLength(1820);
    const puzzles = game24Puzzles();
    expect(puzzles).toHaveLength(1362);
    const solvable = new Set(puzzles.map((p) => p.numbers.join(",")));
    let brute = 0;
    for (const m of all) {
      const b = bruteForceSolvable(m);
      if (b) brute++;
      expect(solvable.has(m.join(","))).toBe(b);
    }
    expect(brute).toBe(1362);
  });

  it("orders puzzles by solution paths (easiest first) and every example verifies", () => {
    const puzzles = game24Puzzles();
    puzzles.forEach((p, i) => {
      expect(p.difficultyRank).toBe(i);
      expect(p.solutionPaths).toBeGreaterThan(0);
      if (i > 0) expect(p.solutionPaths).toBeLessThanOrEqual((puzzles[i - 1] as (typeof puzzles)[number]).solutionPaths);
      expect(verifyGame24(p.numbers, p.example).ok).toBe(true);
    });
    expect(solveGame24([1, 1, 1, 1])).toBeUndefined();
    expect(isSolvable([frac(3), frac(3), frac(8), frac(8)])).toBe(true);
  });
});

describe("Game of 24: the verifier", () => {
  it("accepts correct solutions, including ones that need exact fractions", () => {
    expect(verifyGame24([3, 3, 8, 8], "8/(3-8/3)").ok).toBe(true);
    expect(verifyGame24([3, 3, 8, 8], "8 ÷ (3 − 8 ÷ 3)").ok).toBe(true);
    expect(verifyGame24([1, 5, 5, 5], "5 * (5 - 1/5)").ok).toBe(true);
    expect(verifyGame24([4, 6, 1, 1], "4 × 6 × 1 × 1").ok).toBe(true);
    expect(verifyGame24([1, 2, 3, 4], "(1 + 2 + 3) * 4").ok).toBe(true);
    expect(verifyGame24([3, 4, 6, 13], "(13 - 6) * 4 - 3 - 1").ok).toBe(false);
  });

  it("rejects wrong numbers, reuse, omissions, values other than 24 and malformed input", () => {
    expect(verifyGame24([1, 2, 3, 4], "(1 + 2 + 3) * 5").ok).toBe(false); // wrong number
    expect(verifyGame24([1, 2, 3, 4], "(2 + 2 + 2) * 4").ok).toBe(false); // reuse
    expect(verifyGame24([1, 2, 3, 4], "(2 + 3 + 1) * 4 * 1").ok).toBe(false); // 1 twice
    expect(verifyGame24([1, 2, 3, 4], "6 * 4").ok).toBe(false); // not the numbers
    expect(verifyGame24([1, 2, 3, 4], "1 + 2 + 3 + 4").reason).toMatch(/10/); // not 24
    expect(verifyGame24([3, 3, 8, 8], "8/3-8/3").ok).toBe(false);
    expect(verifyGame24([1, 2, 3, 4], "(1 + 2 + 3 * 4").ok).toBe(false); // unbalanced
    expect(verifyGame24([1, 2, 3, 4], "1 / (2 - 2) + 3 + 4").ok).toBe(false); // division by zero
    expect(verifyGame24([1, 2, 3, 4], "1 + 2 + 3 + 4 = 24").ok).toBe(false);
    // 23.999999… in floating point: exact arithmetic must not round to 24.
    expect(verifyGame24([3, 3, 7, 7], "(3 + 3 / 7) * 7").ok).toBe(true);
    expect(verifyGame24([1, 3, 4, 6], "6 / (1 - 3 / 4)").ok).toBe(true);
    expect(verifyGame24([1, 3, 4, 6], "6 / (1 - 4 / 3)").ok).toBe(false);
  });
});

describe("Game of 24: the environment", () => {
  it("steps through 8/(3-8/3) to a success, with exact fractions in the state", async () => {
    const task = createGame24Task([3, 3, 8, 8]);
    const env = task.environment;
    let state: Game24State = env.initial();
    expect(env.stateKey(state)).toBe("3,3,8,8");
    const first = env.legalActions(state);
    // pairs by value: (3,3) (3,8) (8,8): + × once, − ÷ both orders (3−3 and 3÷3 counted once).
    expect(first.map((a) => env.actionKey(a))).toContain("8 / 3");
    expect(new Set(first.map((a) => env.actionKey(a))).size).toBe(first.length);
    expect(first).toHaveLength(4 + 6 + 4);
    const byKey = (key: string) => {
      const a = env.legalActions(state).find((x) => env.actionKey(x) === key);
      if (!a) throw new Error(`no action ${key} in ${env.stateKey(state)}`);
      return a;
    };
    let out = await env.step(state, byKey("8 / 3"));
    state = out.state;
    expect(env.stateKey(state)).toBe("8/3,3,8");
    expect(out.done).toBe(false);
    state = (await env.step(state, byKey("3 - 8/3"))).state;
    expect(env.stateKey(state)).toBe("1/3,8");
    expect(task.judge(state).success).toBe(false);
    out = await env.step(state, byKey("8 / 1/3"));
    expect(out.done).toBe(true);
    expect(task.judge(out.state)).toEqual({ success: true, score: 1 });
    expect(env.legalActions(out.state)).toEqual([]);
    expect(verifyGame24([3, 3, 8, 8], game24Expression(out.state) as string).ok).toBe(true);
  });

  it("never offers division by zero", async () => {
    const env = createGame24Task([1, 1, 3, 8]).environment;
    const s = env.initial();
    const minus = env.legalActions(s).find((a) => env.actionKey(a) === "1 - 1");
    const zero = (await env.step(s, minus!)).state;
    expect(env.stateKey(zero)).toBe("0,3,8");
    const keys = env.legalActions(zero).map((a) => env.actionKey(a));
    expect(keys).toContain("0 / 3");
    expect(keys.some((k) => k.endsWith("/ 0"))).toBe(false);
  });

  it("random play: success iff the final expression verifies", async () => {
    const puzzles = allMultisets();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: puzzles.length - 1 }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), async (pi, picks) => {
        const numbers = puzzles[pi] as number[];
        const task = createGame24Task(numbers);
        const env = task.environment;
        let state = env.initial();
        for (const pick of picks) {
          const legal = env.legalActions(state);
          state = (await env.step(state, legal[pick % legal.length]!)).state;
        }
        expect(state.items).toHaveLength(1);
        expect(state.history).toHaveLength(3);
        expect(verifyGame24(numbers, game24Expression(state) as string).ok).toBe(task.judge(state).success);
      }),
      { numRuns: 300, seed: 24 },
    );
  });
});
