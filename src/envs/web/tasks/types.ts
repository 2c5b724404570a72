import type { SiteName } from "../sites/index.js";

/**
 * A web task: an instruction on one site, how the outcome is judged (WebArena's programmatic
 * evaluators: the answer, the final URL, the site's state; WebShop's partial reward for
 * purchases), and a reference plan (steps naming elements by role and name, resolved against the
 * page at run time) that solves it, used to check the evaluators and by the scripted agents.
 */

export type PlanStep =
  | { readonly do: "click"; readonly name: string; readonly role?: string }
  | { readonly do: "type"; readonly field: string; readonly text: string; readonly enter?: boolean }
  /** `prefix`: the first option whose label starts with `option`. */
  | { readonly do: "select"; readonly field: string; readonly option: string; readonly prefix?: boolean }
  | { readonly do: "goto"; readonly path: string }
  | { readonly do: "go_back" }
  | { readonly do: "scroll"; readonly direction: "up" | "down" }
  | { readonly do: "stop"; readonly answer: string };

/** One programmatic check of an episode's outcome. */
export type Check =
  /** The answer equals one of the values (`exact`), or contains all of them (`must_include`), after normalization. */
  | { readonly kind: "answer"; readonly mode: "exact" | "must_include"; readonly values: readonly string[] }
  /** The task cannot be done: the answer must say so ("not available", "N/A"). */
  | { readonly kind: "not_available" }
  /** The final page: its path, and these query parameters. */
  | { readonly kind: "url"; readonly path: string; readonly query?: Readonly<Record<string, string>> }
  /** The shop: an order holds exactly this product, options, quantity and unit price. */
  | { readonly kind: "shop_order"; readonly productId: number; readonly options: Readonly<Record<string, string>>; readonly quantity: number; readonly unitCents: number }
  /** The shop, WebShop's reward: how well the ordered product meets the goal (attributes, options, price, type). */
  | { readonly kind: "shop_goal"; readonly category: string; readonly attributes: readonly (readonly [string, string])[]; readonly options: Readonly<Record<string, string>>; readonly maxCents: number }
  /** The shop: no order was placed. */
  | { readonly kind: "no_order" }
  /** The flight site: a booking of this flight, fare and passenger. */
  | { readonly kind: "booking"; readonly flightKey: string; readonly fare: string; readonly passenger: string }
  | { readonly kind: "no_booking" }
  /** The wiki: a talk post on this article containing the text. */
  | { readonly kind: "talk_post"; readonly slug: string; readonly includes: string };

export interface WebTask {
  /** E.g. `shop-buy-012`. */
  readonly id: string;
  readonly site: SiteName;
  /** The instruction, as the user gives it. */
  readonly intent: string;
  /** Where the episode starts (a path on the site). */
  readonly startPath: string;
  readonly split: "train" | "test";
  /** Whether solving it needs the page's JavaScript (so the browser, not the fast driver). */
  readonly requiresBrowser: boolean;
  /** False for tasks that cannot be done on the site (the answer is "not available"). */
  readonly possible: boolean;
  readonly checks: readonly Check[];
  readonly plan: readonly PlanStep[];
  /** A short label for listings (`buy`, `fact`, `book-cheapest-nonstop`, …). */
  readonly family: string;
}

/** A stable split: about three tasks in ten are test tasks, decided by the id alone. */
export function splitOf(id: string): "train" | "test" {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) % 10 < 3 ? "test" : "train";
}
