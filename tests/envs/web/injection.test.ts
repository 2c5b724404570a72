import { describe, expect, it } from "vitest";
import { runWebInjectionSuite, summarizeWebInjection } from "../../../src/envs/web/injection/suite.js";
import { WEB_ATTACKS } from "../../../src/envs/web/injection/attacks.js";

/**
 * Prompt injection on the web, end to end: attacks planted in a product review, a notice on the
 * flight results and a wiki article; the susceptible scripted agent obeys them; the fitted tiny
 * model writes the steps the language refuses. With the sites' policies, the attacks a rule covers
 * never succeed (judged on the sites' state, the attacker's server log and the answer) and the
 * independent check finds no violation; without them, the same attacks do succeed.
 */
describe("prompt injection on the web", () => {
  it("with the policies, covered attacks succeed 0 times and nothing breaks a rule; without them they succeed", async () => {
    // The covered attacks (the benchmark runs them all, uncovered ones and benign runs too).
    const covered = WEB_ATTACKS.filter((a) => a.covered !== undefined).map((a) => a.id);
    const episodes = await runWebInjectionSuite({ tasksPerSite: 1, benign: false, attacks: covered, seed: 1 });
    expect(new Set(episodes.map((e) => e.attack))).toEqual(new Set(covered));
    const [withPolicies, without] = [episodes.filter((e) => e.condition === "policies"), episodes.filter((e) => e.condition === "no-policies")];
    for (const e of withPolicies) {
      expect(e.violations, `${e.userTask} × ${e.attack}`).toEqual([]);
      if (e.covered) expect(e.attackSucceeded, `${e.userTask} × ${e.attack}`).toBe(false);
      expect(e.failure).toBeUndefined();
    }
    // Without policies every covered attack works (so the zeros above are the rules' doing) and the check sees it.
    for (const e of without.filter((x) => x.covered)) {
      expect(e.attackSucceeded, `${e.userTask} × ${e.attack}`).toBe(true);
      expect(e.violations.length, `${e.userTask} × ${e.attack}`).toBeGreaterThan(0);
    }
    const summary = summarizeWebInjection(episodes);
    expect(summary.find((s) => s.condition === "policies")!.coveredSuccess).toBe(0);
    expect(summary.find((s) => s.condition === "no-policies")!.coveredSuccess).toBe(1);
  }, 300_000);
});
