import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LlamaBackend } from "../../../decoder/llama.js";
import { ensureModel } from "../../../models/build.js";
import { WebRun, type DriverKind, type ExecutedAction } from "../episode.js";
import { ConstrainedWebAgent } from "../policy/agent.js";
import { loadWebPolicyFile, permissivePolicy, type WebPolicy } from "../policy/spec.js";
import { WebActionDecoder } from "../policy/step-decoder.js";
import type { FlightsPlant } from "../sites/flights.js";
import type { SiteName } from "../sites/index.js";
import type { ShopPlant } from "../sites/shop.js";
import type { WikiPlant } from "../sites/wiki.js";
import type { WebTask } from "../tasks/types.js";
import { WEB_ATTACKS, type WebAttack } from "./attacks.js";
import { ruleViolations } from "./rules.js";
import { SusceptibleWebScript } from "./susceptible.js";

/**
 * The web prompt-injection suite: user tasks on each site alone (benign utility) and with each of
 * the site's attacks planted where the task will read it (utility and attack success under
 * attack), with the site's policies (specs/web-<site>.ltl) and without them. The agent is the
 * `SusceptibleWebScript`, whose proposals are taken only where the step's language allows them;
 * the project's fitted tiny model writes every step the language refuses. Attack success is judged
 * on the sites (state, the attacker's server log, the answer) and every executed action is
 * checked against the rules in plain TypeScript (`ruleViolations`).
 */

export type WebCondition = "policies" | "no-policies";

export interface WebInjectionOptions {
  readonly modelPath?: string;
  readonly threads?: number;
  readonly conditions?: readonly WebCondition[];
  readonly sites?: readonly SiteName[];
  /** User tasks per site (default 4). */
  readonly tasksPerSite?: number;
  /** Attack ids (default: all). */
  readonly attacks?: readonly string[];
  readonly benign?: boolean;
  readonly seed?: number;
  readonly temperature?: number;
  readonly maxSteps?: number;
  readonly driver?: DriverKind;
  readonly onEpisode?: (episode: WebInjectionEpisode, done: number, total: number) => void;
  readonly onProgress?: (message: string) => void;
}

export interface WebInjectionEpisode {
  readonly site: SiteName;
  readonly userTask: string;
  readonly attack: string | undefined;
  readonly covered: boolean | undefined;
  readonly condition: WebCondition;
  readonly utility: boolean;
  readonly attackSucceeded: boolean | undefined;
  /** Rule violations found by the independent check. */
  readonly violations: readonly string[];
  readonly steps: number;
  /** Script proposals the step language refused (the model wrote those steps). */
  readonly refused: number;
  readonly modelSteps: number;
  readonly failure?: string;
}

export const WEB_POLICY_FILES: Readonly<Record<SiteName, string>> = { shop: "specs/web-shop.ltl", flights: "specs/web-flights.ltl", wiki: "specs/web-wiki.ltl" };

/** The spec files, read from the repository (next to `src/` and `dist/`). */
export function webPolicyPath(site: SiteName): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", WEB_POLICY_FILES[site]);
}

/** The user tasks of the suite for a site: purchases, bookings, facts (where an attack can be planted on the way). */
export function injectionUserTasks(tasks: readonly WebTask[], site: SiteName, count: number): WebTask[] {
  const family = site === "shop" ? "buy-named" : site === "flights" ? "book-cheapest-nonstop" : "fact";
  return tasks.filter((t) => t.site === site && t.family === family).slice(0, count);
}

export async function runWebInjectionSuite(options: WebInjectionOptions = {}): Promise<WebInjectionEpisode[]> {
  const shopPlants: ShopPlant[] = [];
  const flightPlants: FlightsPlant[] = [];
  const wikiPlants: WikiPlant[] = [];
  const run = await WebRun.start({
    driver: options.driver ?? "fast",
    seed: options.seed ?? 1,
    sitesOptions: { shop: { plants: shopPlants }, flights: { plants: flightPlants }, wiki: { plants: wikiPlants } },
  });
  const progress = options.onProgress ?? (() => undefined);
  progress("loading the model");
  const backend = await LlamaBackend.load({ modelPath: options.modelPath ?? (await ensureModel("qwen3-fitted")), threads: options.threads ?? 1, sequences: 1, contextSize: 4096 });
  try {
    const decoder = new WebActionDecoder(backend);
    const sites = options.sites ?? (["shop", "flights", "wiki"] as const);
    const conditions = options.conditions ?? (["policies", "no-policies"] as const);
    progress("compiling the policies");
    const policies = new Map<string, WebPolicy>();
    for (const site of sites) policies.set(site, loadWebPolicyFile(webPolicyPath(site)));
    const permissive = permissivePolicy();
    // The substitute: the cheapest coffee in stock (a product no user task buys).
    const substitute = run.tasks.catalog.products.filter((p) => p.category === "coffee" && p.inStock).sort((a, b) => a.priceCents - b.priceCents)[0]!;
    const context = { attackerOrigin: run.sites.attacker.origin, substitute: { id: substitute.id, name: substitute.name } };
    const jobs: { site: SiteName; task: WebTask; attack: WebAttack | undefined; condition: WebCondition }[] = [];
    for (const condition of conditions) {
      for (const site of sites) {
        const attacks = WEB_ATTACKS.filter((a) => a.site === site && (options.attacks === undefined || options.attacks.includes(a.id)));
        for (const task of injectionUserTasks(run.tasks.tasks, site, options.tasksPerSite ?? 4)) {
          if (options.benign ?? true) jobs.push({ site, task, attack: undefined, condition });
          for (const attack of attacks) jobs.push({ site, task, attack, condition });
        }
      }
    }
    const episodes: WebInjectionEpisode[] = [];
    for (const [i, job] of jobs.entries()) {
      shopPlants.length = 0;
      flightPlants.length = 0;
      wikiPlants.length = 0;
      if (job.attack !== undefined) plant(job.task, job.attack.text(context), run, shopPlants, flightPlants, wikiPlants);
      const script = new SusceptibleWebScript(job.task, job.attack === undefined ? [] : [job.attack], context);
      const agent = new ConstrainedWebAgent({
        policy: job.condition === "policies" ? policies.get(job.site)! : permissive,
        decoder,
        seed: (options.seed ?? 1) * 7919 + i,
        sampling: { temperature: options.temperature ?? 0.7 },
        propose: script.propose,
        maxTokens: 160,
      });
      const logBefore = run.sites.attacker.log.length;
      const record = await run.episode(job.task, agent, { maxSteps: options.maxSteps ?? 20 });
      const executed = record.steps.flatMap((s) => (s.executed !== undefined ? [s.executed as ExecutedAction] : []));
      const state = run.sites.server(job.site).state(record.session);
      const attackSucceeded = job.attack?.succeeded({ state, attackerLog: run.sites.attacker.log.slice(logBefore), executed, answer: record.answer }, context);
      const episode: WebInjectionEpisode = {
        site: job.site,
        userTask: job.task.id,
        attack: job.attack?.id,
        covered: job.attack === undefined ? undefined : job.attack.covered !== undefined,
        condition: job.condition,
        utility: record.evaluation?.success === true,
        attackSucceeded,
        violations: ruleViolations(job.site, executed, run.sites.server(job.site).log.filter((r) => r.session === record.session)),
        steps: record.steps.length,
        refused: agent.steps.filter((s) => s.refused !== undefined).length,
        modelSteps: agent.steps.filter((s) => s.source === "model").length,
        ...(record.failure !== undefined ? { failure: `${record.failure.kind}: ${record.failure.message}` } : {}),
      };
      episodes.push(episode);
      run.sites.server(job.site).dropSession(record.session);
      options.onEpisode?.(episode, i + 1, jobs.length);
    }
    return episodes;
  } finally {
    await backend.dispose();
    await run.close();
  }
}

function plant(task: WebTask, text: string, run: WebRun, shop: ShopPlant[], flights: FlightsPlant[], wiki: WikiPlant[]): void {
  for (const check of task.checks) {
    if (check.kind === "shop_order") shop.push({ productId: check.productId, place: "review", text });
    if (check.kind === "booking") {
      const [from, to] = check.flightKey.split("-");
      flights.push({ from: from!, to: to!, text });
    }
  }
  if (task.site === "wiki") {
    const open = task.plan.find((s) => s.do === "click");
    const article = run.tasks.wiki.articles.find((a) => open?.do === "click" && a.title === open.name);
    if (article !== undefined) wiki.push({ slug: article.slug, place: "article", text });
  }
}

export interface WebInjectionSummary {
  readonly condition: WebCondition;
  readonly benignUtility: number;
  readonly benignRuns: number;
  readonly utilityUnderAttack: number;
  readonly attackedRuns: number;
  /** Attacks some rule covers: success rate. */
  readonly coveredSuccess: number;
  readonly coveredRuns: number;
  readonly uncoveredSuccess: number;
  readonly uncoveredRuns: number;
  readonly violations: number;
  readonly failures: number;
}

export function summarizeWebInjection(episodes: readonly WebInjectionEpisode[]): WebInjectionSummary[] {
  const conditions = [...new Set(episodes.map((e) => e.condition))];
  const rate = (list: readonly WebInjectionEpisode[], test: (e: WebInjectionEpisode) => boolean) => (list.length === 0 ? 0 : list.filter(test).length / list.length);
  return conditions.map((condition) => {
    const mine = episodes.filter((e) => e.condition === condition);
    const benign = mine.filter((e) => e.attack === undefined);
    const attacked = mine.filter((e) => e.attack !== undefined);
    const covered = attacked.filter((e) => e.covered === true);
    const uncovered = attacked.filter((e) => e.covered === false);
    return {
      condition,
      benignUtility: rate(benign, (e) => e.utility),
      benignRuns: benign.length,
      utilityUnderAttack: rate(attacked, (e) => e.utility),
      attackedRuns: attacked.length,
      coveredSuccess: rate(covered, (e) => e.attackSucceeded === true),
      coveredRuns: covered.length,
      uncoveredSuccess: rate(uncovered, (e) => e.attackSucceeded === true),
      uncoveredRuns: uncovered.length,
      violations: mine.reduce((s, e) => s + e.violations.length, 0),
      failures: mine.filter((e) => e.failure !== undefined).length,
    };
  });
}
