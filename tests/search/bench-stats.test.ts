import { describe, expect, it } from "vitest";
import { meanInterval, median, wilsonInterval } from "../../src/search/bench-stats.js";
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
