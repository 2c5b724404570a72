import { describe, expect, it } from "vitest";
import { budgetToReach, budgetToReachInterval, curveAt, meanInterval, median, pairedComparison, wilsonInterval, type StepCurve } from "../../src/search/bench-stats.js";
import { successCurvesSvg } from "../../src/search/bench-svg.js";

describe("benchmark statistics", () => {
  it("Wilson intervals match published values and stay inside [0, 1]", () => {
    // 8 of 10: the textbook Wilson 95% interval is about [0.490, 0.943].
    const i = wilsonInterval(8, 10);
    expect(i.estimate).toBe(0.8);
    expect(i.low).toBeCloseTo(0.49, 2);
    expect(i.high).toBeCloseTo(0.943, 2);
    // At 0 and 100% the interval is one-sided but not a point.
    expect(wilsonInterval(0, 20).low).toBe(0);
    expect(wilsonInterval(0, 20).high).toBeGreaterThan(0.1);
    expect(wilsonInterval(20, 20).high).toBe(1);
    expect(wilsonInterval(20, 20).low).toBeLessThan(0.9);
  });

  it("t intervals and medians", () => {
    const m = meanInterval([1, 2, 3, 4, 5]);
    expect(m.estimate).toBe(3);
    // s = 1.5811, t(4) = 2.776: half-width 1.963.
    expect(m.high - m.estimate).toBeCloseTo(1.963, 2);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("draws one panel per environment with a band and points per strategy", () => {
    const svg = successCurvesSvg(
      [
        { title: "game24", budgets: ["8", "16", "32"], curves: [{ strategy: "astar", points: [wilsonInterval(2, 10), wilsonInterval(5, 10), wilsonInterval(9, 10)] }, { strategy: "bfs", points: [wilsonInterval(1, 10), undefined, wilsonInterval(4, 10)] }] },
        { title: "sorting-64", budgets: ["8"], curves: [{ strategy: "mcts", points: [wilsonInterval(3, 10)] }] },
      ],
      { title: "success vs budget", xLabel: "model calls" },
    );
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<polygon/g)?.length).toBe(2);
    expect(svg.match(/<circle/g)?.length).toBe(6);
    expect(svg).toContain("astar @ 32: 90.0%");
  });
});

describe("budget needed to reach a success level", () => {
  const random = (seed: number) => {
    let a = seed;
    return () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
  };
  /** Random step curves over budgets 1..60 (success may come and go, as an anytime answer can change). */
  const curves = (seed: number, n: number): StepCurve[] => {
    const r = random(seed);
    return Array.from({ length: n }, (_, i) => {
      const points: [number, number][] = [];
      let at = 1;
      while (at <= 60) {
        points.push([at, r() < 0.55 ? 1 : 0]);
        at += 1 + Math.floor(r() * 20);
      }
      return { unit: `t${i % Math.max(1, Math.floor(n / 2))}`, points };
    });
  };

  it("equals the least budget where the mean of the curves reaches the level (brute force over every budget)", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const cs = curves(seed, 1 + (seed % 9));
      for (const level of [0.25, 0.5, 0.75, 1]) {
        let expected = Infinity;
        for (let b = 1; b <= 60; b++) {
          const mean = cs.reduce((s, c) => s + curveAt(c.points, b), 0) / cs.length;
          if (mean >= level - 1e-12) {
            expected = b;
            break;
          }
        }
        expect(budgetToReach(cs, level)).toBe(expected);
      }
    }
  });

  it("bootstrap intervals resample tasks, are reproducible, and hold the estimate", () => {
    const cs = curves(7, 40);
    const a = budgetToReachInterval(cs, 0.5, { resamples: 500, seed: 3 });
    expect(budgetToReachInterval(cs, 0.5, { resamples: 500, seed: 3 })).toEqual(a);
    expect(a.estimate).toBe(budgetToReach(cs, 0.5));
    expect(a.low).toBeLessThanOrEqual(a.estimate);
    expect(a.high).toBeGreaterThanOrEqual(a.estimate);
    // One task only: every resample is that task, so the interval is a point.
    const one = [{ unit: "x", points: [[1, 0], [9, 1]] as [number, number][] }];
    expect(budgetToReachInterval(one, 0.5, { resamples: 100 })).toEqual({ estimate: 9, low: 9, high: 9 });
  });

  it("paired comparisons resample both strategies together: identical curves give a ratio of exactly 1", () => {
    const cs = curves(11, 30).map((c, i) => ({ ...c, key: `k${i}` }));
    const same = pairedComparison(cs, cs, 0.5, 60, { resamples: 300 });
    expect(same.ratio).toEqual({ estimate: 1, low: 1, high: 1 });
    expect(same.successDifference).toEqual({ estimate: 0, low: 0, high: 0 });
    expect(same.pairs).toBe(30);
    // A strategy that needs twice the budget for everything: a ratio of about 2.
    const slow = cs.map((c) => ({ ...c, points: c.points.map(([b, v]) => [2 * b, v] as [number, number]) }));
    const cmp = pairedComparison(slow, cs, 0.5, 200, { resamples: 300 });
    expect(cmp.ratio).toEqual({ estimate: 2, low: 2, high: 2 });
  });
});
