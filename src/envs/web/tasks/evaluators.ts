import type { FlightsState } from "../sites/flights.js";
import type { Catalog } from "../sites/shop-catalog.js";
import type { ShopState } from "../sites/shop.js";
import type { WikiState } from "../sites/wiki.js";
import type { Check, WebTask } from "./types.js";

/**
 * The evaluators: WebArena's (string match on the answer, URL match, checks of the site's state
 * after the episode) and WebShop's reward for purchases. Each check scores in [0, 1]; a task's
 * score is their product and it succeeds when every check scores 1 (WebArena's rule). Shop
 * purchases judged by `shop_goal` get WebShop's partial reward.
 */

export interface EpisodeOutcome {
  /** The `stop` answer, undefined when the episode never stopped. */
  readonly answer: string | undefined;
  /** The URL of the last page. */
  readonly url: string;
  /** The site's state for the episode's session. */
  readonly state: ShopState | FlightsState | WikiState;
}

export interface EvaluationContext {
  readonly catalog: Catalog;
}

export interface Evaluation {
  readonly score: number;
  readonly success: boolean;
  /** One line per check: what it found. */
  readonly details: readonly string[];
}

/** Lower case, collapsed spaces, no thousands separators or trailing period. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/(\d),(?=\d{3}\b)/g, "$1")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!]+$/, "")
    .trim();
}

const NOT_AVAILABLE = /^(n\/?a|not available|unavailable|none|not possible|impossible)\b/;

export function evaluateTask(task: WebTask, outcome: EpisodeOutcome, context: EvaluationContext): Evaluation {
  const details: string[] = [];
  let score = 1;
  for (const check of task.checks) {
    const [s, detail] = evaluateCheck(check, outcome, context);
    score *= s;
    details.push(`${check.kind}: ${s === 1 ? "ok" : s === 0 ? "failed" : s.toFixed(3)} (${detail})`);
  }
  return { score, success: task.checks.length > 0 && score === 1, details };
}

function evaluateCheck(check: Check, outcome: EpisodeOutcome, context: EvaluationContext): [number, string] {
  const answer = outcome.answer === undefined ? undefined : normalizeAnswer(outcome.answer);
  switch (check.kind) {
    case "answer": {
      if (answer === undefined) return [0, "no answer"];
      const values = check.values.map(normalizeAnswer);
      const ok = check.mode === "exact" ? values.includes(answer) : values.every((v) => answer.includes(v));
      return [ok ? 1 : 0, `answer '${outcome.answer}' vs ${check.mode} ${JSON.stringify(check.values)}`];
    }
    case "not_available":
      return answer !== undefined && NOT_AVAILABLE.test(answer) ? [1, "said not available"] : [0, `answer '${outcome.answer ?? ""}'`];
    case "url": {
      let url: URL;
      try {
        url = new URL(outcome.url);
      } catch {
        return [0, `bad url ${outcome.url}`];
      }
      const ok = url.pathname === check.path && Object.entries(check.query ?? {}).every(([k, v]) => url.searchParams.get(k) === v);
      return [ok ? 1 : 0, `at ${url.pathname}${url.search}`];
    }
    case "shop_order": {
      const orders = (outcome.state as ShopState).orders ?? [];
      const ok = orders.some((o) =>
        o.lines.some(
          (l) => l.productId === check.productId && l.quantity === check.quantity && l.unitCents === check.unitCents && sameOptions(l.options, check.options),
        ),
      );
      return [ok ? 1 : 0, `${orders.length} order(s)`];
    }
    case "shop_goal":
      return webShopReward(check, outcome.state as ShopState, context.catalog);
    case "no_order": {
      const n = (outcome.state as ShopState).orders?.length ?? 0;
      return [n === 0 ? 1 : 0, `${n} order(s)`];
    }
    case "booking": {
      const bookings = (outcome.state as FlightsState).bookings ?? [];
      const ok = bookings.some((b) => b.flightKey === check.flightKey && b.fare === check.fare && normalizeAnswer(b.passenger) === normalizeAnswer(check.passenger));
      return [ok ? 1 : 0, `bookings: ${bookings.map((b) => `${b.flightKey}/${b.fare}`).join(", ") || "none"}`];
    }
    case "no_booking": {
      const n = (outcome.state as FlightsState).bookings?.length ?? 0;
      return [n === 0 ? 1 : 0, `${n} booking(s)`];
    }
    case "talk_post": {
      const posts = (outcome.state as WikiState).posts?.[check.slug] ?? [];
      const ok = posts.some((p) => normalizeAnswer(p.text).includes(normalizeAnswer(check.includes)));
      return [ok ? 1 : 0, `${posts.length} post(s) on ${check.slug}`];
    }
  }
}

function sameOptions(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/**
 * WebShop's reward (Yao et al., 2022) for the best line of any order:
 * r = r_type · (|U_att ∩ Y_att| + |U_opt ∩ Y_opt| + 1[y_price ≤ u_price]) / (|U_att| + |U_opt| + 1),
 * with r_type = 1 when the product is of the goal's type (its category) and 0 otherwise.
 * No order scores 0.
 */
export function webShopReward(goal: Extract<Check, { kind: "shop_goal" }>, state: ShopState, catalog: Catalog): [number, string] {
  let best = 0;
  let bestDetail = "no order";
  for (const order of state.orders ?? []) {
    for (const line of order.lines) {
      const product = catalog.products[line.productId - 1];
      if (product === undefined) continue;
      const attributes = goal.attributes.filter(([k, v]) => product.attributes.some(([pk, pv]) => pk === k && pv === v)).length;
      const options = Object.entries(goal.options).filter(([k, v]) => line.options[k] === v).length;
      const price = line.unitCents <= goal.maxCents ? 1 : 0;
      const type = product.category === goal.category ? 1 : 0;
      const reward = (type * (attributes + options + price)) / (goal.attributes.length + Object.keys(goal.options).length + 1);
      if (reward > best || bestDetail === "no order") {
        best = Math.max(best, reward);
        bestDetail = `product ${product.id}: type ${type}, attributes ${attributes}/${goal.attributes.length}, options ${options}/${Object.keys(goal.options).length}, price ${price}`;
      }
    }
  }
  return [best, bestDetail];
}
