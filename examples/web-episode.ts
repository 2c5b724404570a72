// The web environment in code: the sites on local ports, a task, an episode driven by the fast
// driver (the task's reference plan), the shop's policy following the episode's actions, and the
// actions that policy lets a model write on the shop's home page.
import { readFileSync } from "node:fs";
import { ActionLanguageBuilder, PlanAgent, PolicyMonitor, SESSION_COOKIE, WebRun, loadWebPolicy } from "ltlguard/web";

const run = await WebRun.start({ driver: "fast" }); // "browser" drives Debian's Chromium instead
try {
  const task = run.tasks.task("shop-buy-named-001");
  console.log(`${run.tasks.tasks.length} tasks; ${task.id}: ${task.intent}`);
  const record = await run.episode(task, new PlanAgent());
  console.log(`score ${record.evaluation!.score}: ${record.evaluation!.details.join("; ")}`);

  // The policy's automaton reads one event per executed action.
  const policy = loadWebPolicy(readFileSync("specs/web-shop.ltl", "utf8"), "specs/web-shop.ltl");
  const monitor = new PolicyMonitor(policy);
  for (const step of record.steps) {
    const { action, page, element } = step.executed!;
    const { allowed } = monitor.step(action, page, element);
    console.log(`  ${step.action.padEnd(44)} ${allowed ? "allowed" : "FORBIDDEN"}`);
  }

  // What a model may write on the home page now: the page's ids, under the policy's rules.
  const driver = await run.driver();
  const shop = run.sites.shop;
  const home = await driver.start(`${shop.origin}/`, { origin: shop.origin, name: SESSION_COOKIE, value: shop.createSession() });
  const language = new ActionLanguageBuilder(policy).build(new PolicyMonitor(policy).allowed(), home);
  console.log(`home page: ${language.ids.click} elements to click, ${language.ids.type} text field(s)`);
  await driver.close();
} finally {
  await run.close();
}
