import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanAgent, WebRun } from "../../../src/envs/web/episode.js";
import { evaluateTask, normalizeAnswer, webTasks, type PlanStep, type WebTask } from "../../../src/envs/web/tasks/index.js";
import type { ShopState } from "../../../src/envs/web/sites/shop.js";

const set = webTasks(1);
let run: WebRun;
beforeAll(async () => {
  run = await WebRun.start({ driver: "fast", seed: 1 });
});
afterAll(async () => {
  await run.close();
});

/** The plan with some steps replaced (a wrong solution). */
function withPlan(task: WebTask, plan: readonly PlanStep[]): WebTask {
  return { ...task, plan };
}

describe("the web tasks", () => {
  it("number at least 200 over the three sites, with a train/test split, impossible tasks, and tasks that need the browser", () => {
    const tasks = set.tasks;
    expect(tasks.length).toBeGreaterThanOrEqual(200);
    const bySite = (site: string) => tasks.filter((t) => t.site === site).length;
    expect(bySite("shop")).toBeGreaterThanOrEqual(100);
    expect(bySite("flights")).toBeGreaterThanOrEqual(50);
    expect(bySite("wiki")).toBeGreaterThanOrEqual(50);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
    const test = tasks.filter((t) => t.split === "test").length / tasks.length;
    expect(test).toBeGreaterThan(0.2);
    expect(test).toBeLessThan(0.4);
    for (const site of ["shop", "flights", "wiki"]) expect(tasks.filter((t) => t.site === site && !t.possible).length).toBeGreaterThanOrEqual(4);
    expect(tasks.filter((t) => t.requiresBrowser).length).toBeGreaterThanOrEqual(6);
    const kinds = new Set(tasks.flatMap((t) => t.checks.map((c) => c.kind)));
    for (const kind of ["answer", "not_available", "url", "shop_order", "shop_goal", "no_order", "booking", "no_booking", "talk_post"]) expect(kinds).toContain(kind);
  });

  it("are the same for the same seed", () => {
    expect(JSON.stringify(webTasks(7).tasks)).toBe(JSON.stringify(webTasks(7).tasks));
  });

  it("every reference plan (pages without JavaScript) scores 1 on the fast driver", async () => {
    const failures: string[] = [];
    for (const task of set.tasks.filter((t) => !t.requiresBrowser)) {
      const record = await run.episode(task, new PlanAgent());
      if (record.evaluation?.success !== true) failures.push(`${task.id}: ${record.evaluation?.details.join("; ") ?? record.failure?.message}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("wrong solutions score 0, and a purchase with a wrong option gets WebShop's partial reward", async () => {
    const productOf = (t: WebTask) => set.catalog.products.find((p) => t.plan.some((s) => s.do === "click" && s.name === p.name))!;
    const firstSelect = (t: WebTask) => t.plan.find((s) => s.do === "select") as Extract<PlanStep, { do: "select" }> | undefined;
    // A purchase whose first option has another value to choose.
    const goal = set.tasks.find((t) => t.family === "buy-goal" && firstSelect(t) !== undefined && productOf(t).options.find((g) => g.name === firstSelect(t)!.field)!.values.length > 1)!;
    const select = goal.plan.findIndex((s) => s.do === "select");
    const step = goal.plan[select] as Extract<PlanStep, { do: "select" }>;
    const check = goal.checks[0] as Extract<WebTask["checks"][number], { kind: "shop_goal" }>;
    const group = productOf(goal).options.find((g) => g.name === step.field)!;
    const other = group.values.find((v) => v !== check.options[step.field])!;
    const label = group.deltas[group.values.indexOf(other)] ? `${other} (+$${(group.deltas[group.values.indexOf(other)]! / 100).toFixed(2)})` : other;
    const wrong = withPlan(goal, goal.plan.map((s, i) => (i === select ? { ...step, option: label } : s)));
    const record = await run.episode(wrong, new PlanAgent());
    const n = check.attributes.length + Object.keys(check.options).length + 1;
    expect(record.evaluation!.success).toBe(false);
    // One option wrong; the price may also exceed the bound with a dearer option.
    expect([(n - 1) / n, (n - 2) / n]).toContainEqual(record.evaluation!.score);

    const fact = set.tasks.find((t) => t.family === "fact")!;
    const wrongAnswer = await run.episode(withPlan(fact, [...fact.plan.slice(0, -1), { do: "stop", answer: "something else" }]), new PlanAgent());
    expect(wrongAnswer.evaluation!.score).toBe(0);

    const impossible = set.tasks.find((t) => t.site === "shop" && !t.possible && t.checks.some((c) => c.kind === "no_order"))!;
    const buy = set.tasks.find((t) => t.family === "buy-named")!;
    const ordered = await run.episode(withPlan(impossible, [...buy.plan.slice(0, -1), { do: "stop", answer: "not available" }]), new PlanAgent());
    expect(ordered.evaluation!.success).toBe(false);
    expect(ordered.evaluation!.details.join(" ")).toMatch(/no_order: failed/);
  });

  it("the evaluators: exact and must-include matching after normalization, URL match, WebShop's reward formula", () => {
    const task = (checks: WebTask["checks"]): WebTask => ({ ...set.tasks[0]!, checks });
    const empty: ShopState = { cart: [], orders: [], cards: [], password: "", passwordChanges: 0, cardNumbersSubmitted: [] };
    const ctx = { catalog: set.catalog };
    const outcome = (answer: string | undefined, url = "http://h/x?a=1&b=2") => ({ answer, url, state: empty });
    expect(normalizeAnswer("  48,200 People. ")).toBe("48200 people");
    expect(evaluateTask(task([{ kind: "answer", mode: "exact", values: ["Ardenia"] }]), outcome("ardenia."), ctx).success).toBe(true);
    expect(evaluateTask(task([{ kind: "answer", mode: "exact", values: ["Ardenia"] }]), outcome("in Ardenia"), ctx).success).toBe(false);
    expect(evaluateTask(task([{ kind: "answer", mode: "must_include", values: ["37.99"] }]), outcome("It costs $37.99"), ctx).success).toBe(true);
    expect(evaluateTask(task([{ kind: "not_available" }]), outcome("N/A"), ctx).success).toBe(true);
    expect(evaluateTask(task([{ kind: "not_available" }]), outcome(undefined), ctx).success).toBe(false);
    expect(evaluateTask(task([{ kind: "url", path: "/x", query: { b: "2" } }]), outcome("", "http://h/x?b=2"), ctx).success).toBe(true);
    expect(evaluateTask(task([{ kind: "url", path: "/x", query: { b: "2" } }]), outcome("", "http://h/x?b=3"), ctx).success).toBe(false);
    const p = set.catalog.products[0]!;
    const goal = { kind: "shop_goal" as const, category: p.category, attributes: [p.attributes[0]!, p.attributes[1]!], options: { [p.options[0]!.name]: p.options[0]!.values[0]! }, maxCents: p.priceCents + 1000 };
    const bought = (options: Record<string, string>, unitCents: number): ShopState => ({ ...empty, orders: [{ id: 1001, lines: [{ productId: p.id, options, quantity: 1, unitCents }], shipping: "standard", payment: "", name: "", address: "", totalCents: unitCents }] });
    expect(evaluateTask(task([goal]), { answer: "", url: "http://h/", state: bought({ [p.options[0]!.name]: p.options[0]!.values[0]! }, p.priceCents) }, ctx).score).toBe(1);
    expect(evaluateTask(task([goal]), { answer: "", url: "http://h/", state: bought({}, p.priceCents + 5000) }, ctx).score).toBeCloseTo(2 / 4);
    expect(evaluateTask(task([goal]), { answer: "", url: "http://h/", state: empty }, ctx).score).toBe(0);
  });
});
