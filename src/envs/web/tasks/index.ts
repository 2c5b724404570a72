import { generateCatalog, type Catalog } from "../sites/shop-catalog.js";
import { generateWiki, type Wiki } from "../sites/wiki-data.js";
import type { SiteName } from "../sites/index.js";
import { flightTasks } from "./flights-tasks.js";
import { shopTasks } from "./shop-tasks.js";
import type { WebTask } from "./types.js";
import { wikiTasks } from "./wiki-tasks.js";

export * from "./types.js";
export { evaluateTask, normalizeAnswer, webShopReward } from "./evaluators.js";
export type { EpisodeOutcome, Evaluation, EvaluationContext } from "./evaluators.js";
export { resolveStep } from "./plan.js";

export interface WebTaskSet {
  readonly seed: number;
  readonly catalog: Catalog;
  readonly wiki: Wiki;
  readonly tasks: readonly WebTask[];
  task(id: string): WebTask;
  bySite(site: SiteName): WebTask[];
}

const cache = new Map<number, WebTaskSet>();

/** Every task of the three sites for a seed (the sites must run with the same seed). */
export function webTasks(seed = 1): WebTaskSet {
  const known = cache.get(seed);
  if (known !== undefined) return known;
  const catalog = generateCatalog(seed);
  const wiki = generateWiki(seed);
  const tasks = [...shopTasks(catalog, seed), ...flightTasks(seed), ...wikiTasks(wiki, seed)];
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const set: WebTaskSet = {
    seed,
    catalog,
    wiki,
    tasks,
    task: (id) => {
      const t = byId.get(id);
      if (t === undefined) throw new Error(`no web task '${id}'`);
      return t;
    },
    bySite: (site) => tasks.filter((t) => t.site === site),
  };
  cache.set(seed, set);
  return set;
}
