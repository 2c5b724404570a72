import { describe, expect, it } from "vitest";
import { compactJson, hasNonFinite, member, parseOrderedJson } from "../../benchmarks/support/ordered-json.js";
import { percentiles, quantile } from "../../benchmarks/support/stats.js";
import { Rng } from "../support/random.js";

/** The MaskBench harness writes each instance compactly in its own key order: checked against JSON.stringify on random values. */
describe("MaskBench support", () => {
  it("writes instances compactly in the file's key order, integer-like keys included", () => {
    const text = '{\n  "b": 1,\n  "10": [true, null, 2.50, "é\\n"],\n  "a": {"z": -0.0, "1": "x"}\n}';
    expect(compactJson(parseOrderedJson(text))).toBe('{"b":1,"10":[true,null,2.50,"é\\n"],"a":{"z":-0.0,"1":"x"}}');
    expect(hasNonFinite(parseOrderedJson('{"x": [NaN]}'))).toBe(true);
    expect(member(parseOrderedJson('{"tests": []}'), "tests")?.kind).toBe("array");
    expect(() => parseOrderedJson('{"a": 1,}')).toThrow(/offset/);
  });

  it("agrees with JSON.stringify wherever key order cannot differ (200 random values)", () => {
    const rng = new Rng(4);
    const value = (depth: number): unknown => {
      const r = rng.next();
      if (depth > 3 || r < 0.3) return [null, true, false, rng.int(1000) - 500, rng.next() * 100, "a\"b\\c\u0001é😀"][rng.int(6)];
      if (r < 0.6) return Array.from({ length: rng.int(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [`k${i}${"xyz"[rng.int(3)]}`, value(depth + 1)]));
    };
    for (let i = 0; i < 200; i++) {
      const v = value(0);
      expect(compactJson(parseOrderedJson(JSON.stringify(v, null, 2)))).toBe(JSON.stringify(v));
    }
  });

  it("reports nearest-rank percentiles", () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(quantile(values, 0.99)).toBe(990);
    const p = percentiles(values);
    expect([p.p50, p.p99, p.p999, p.max, p.count]).toEqual([500, 990, 999, 1000, 1000]);
  });
});
