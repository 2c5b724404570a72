import { seededRandom } from "../../../search/random.js";
import { searchProducts, unitPrice, type Catalog, type Product } from "../sites/shop-catalog.js";
import { REVIEWS_SHOWN, SHOP_PAGE_SIZE, CATEGORY_PAGE_SIZE } from "../sites/shop.js";
import { money } from "../sites/html.js";
import { splitOf, type PlanStep, type WebTask } from "./types.js";

/**
 * The shop's tasks: WebShop-style purchases from a goal (attributes, options, a price bound;
 * judged by WebShop's reward), purchases of a named product (judged by the order: product,
 * options, quantity, price), questions answered on product pages, a URL task, tasks that need
 * the page's JavaScript (hidden reviews, the instant filter), and tasks that cannot be done.
 */

const pickFrom = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

function categoryName(catalog: Catalog, slug: string): string {
  return catalog.categories.find((c) => c.slug === slug)!.name;
}

/** Whether a search for the product's name shows it on the first results page. */
function findable(catalog: Catalog, product: Product): boolean {
  return searchProducts(catalog, product.name).slice(0, SHOP_PAGE_SIZE).includes(product);
}

function findProduct(product: Product): PlanStep[] {
  return [
    { do: "type", field: "Search products", text: product.name, enter: true },
    { do: "click", role: "link", name: product.name },
  ];
}

/** The option labels as the select shows them (value, plus the price it adds). */
function optionLabel(product: Product, group: string, value: string): string {
  const g = product.options.find((o) => o.name === group)!;
  const delta = g.deltas[g.values.indexOf(value)]!;
  return delta ? `${value} (+${money(delta)})` : value;
}

function buySteps(product: Product, options: Readonly<Record<string, string>>, quantity: number): PlanStep[] {
  return [
    ...findProduct(product),
    ...Object.entries(options).map(([group, value]): PlanStep => ({ do: "select", field: group, option: optionLabel(product, group, value) })),
    ...(quantity > 1 ? [{ do: "type", field: "Quantity", text: String(quantity), enter: false } as PlanStep] : []),
    { do: "click", role: "button", name: "Add to cart" },
    { do: "click", role: "link", name: "Proceed to checkout" },
    { do: "click", role: "button", name: "Place order" },
    { do: "stop", answer: "done" },
  ];
}

function optionsPhrase(options: Readonly<Record<string, string>>): string {
  return Object.entries(options).map(([k, v]) => `${k.toLowerCase()} ${v}`).join(" and ");
}

export function shopTasks(catalog: Catalog, seed = 1): WebTask[] {
  const random = seededRandom(seed * 31 + 5);
  const tasks: WebTask[] = [];
  const add = (family: string, n: number, task: Omit<WebTask, "id" | "site" | "split" | "family" | "startPath" | "requiresBrowser" | "possible"> & Partial<Pick<WebTask, "requiresBrowser" | "possible">>) => {
    const id = `shop-${family}-${String(n).padStart(3, "0")}`;
    tasks.push({ id, site: "shop", family, startPath: "/", split: splitOf(id), requiresBrowser: false, possible: true, ...task });
  };
  const candidates = catalog.products.filter((p) => p.inStock && findable(catalog, p));
  const used = new Set<number>();
  const fresh = (filter: (p: Product) => boolean = () => true): Product => {
    const list = candidates.filter((p) => !used.has(p.id) && filter(p));
    const p = pickFrom(random, list);
    used.add(p.id);
    return p;
  };
  const randomOptions = (p: Product): Record<string, string> => Object.fromEntries(p.options.map((g) => [g.name, pickFrom(random, g.values)]));

  // WebShop-style goals: two of the product's attributes, its options, a price bound above its price.
  for (let i = 1; i <= 50; i++) {
    const p = fresh();
    const options = randomOptions(p);
    const attributes = [...p.attributes].sort(() => random() - 0.5).slice(0, 2);
    const price = unitPrice(p, options);
    const maxCents = Math.ceil((price + 1) / 1000) * 1000;
    const kind = categoryName(catalog, p.category).toLowerCase();
    add("buy-goal", i, {
      intent: `Buy a product from ${kind} with ${attributes.map(([k, v]) => `${k.toLowerCase()} ${v.toLowerCase()}`).join(" and ")}, ${optionsPhrase(options)}, for less than ${money(maxCents)}.`,
      checks: [{ kind: "shop_goal", category: p.category, attributes, options, maxCents }],
      plan: buySteps(p, options, 1),
    });
  }
  // A named product, exact options and quantity.
  for (let i = 1; i <= 25; i++) {
    const p = fresh();
    const options = randomOptions(p);
    const quantity = 1 + Math.floor(random() * 3);
    add("buy-named", i, {
      intent: `Order ${quantity === 1 ? "one" : quantity} of the "${p.name}" with ${optionsPhrase(options)}.`,
      checks: [{ kind: "shop_order", productId: p.id, options, quantity, unitCents: unitPrice(p, options) }],
      plan: buySteps(p, options, quantity),
    });
  }
  for (let i = 1; i <= 8; i++) {
    const p = fresh();
    add("price", i, {
      intent: `What is the price of the "${p.name}"?`,
      checks: [{ kind: "answer", mode: "must_include", values: [(p.priceCents / 100).toFixed(2)] }],
      plan: [...findProduct(p), { do: "stop", answer: money(p.priceCents) }],
    });
  }
  for (let i = 1; i <= 5; i++) {
    const p = fresh((x) => x.reviews.length > 0);
    add("review-count", i, {
      intent: `How many reviews does the "${p.name}" have?`,
      checks: [{ kind: "answer", mode: "exact", values: [String(p.reviews.length)] }],
      plan: [...findProduct(p), { do: "stop", answer: String(p.reviews.length) }],
    });
  }
  // The cheapest product of a category, found by searching for the category sorted by price.
  let n = 0;
  for (const c of catalog.categories) {
    if (n >= 6) break;
    const cheapest = searchProducts(catalog, c.name, "price-asc")[0];
    if (cheapest === undefined || cheapest.category !== c.slug || !cheapest.inStock) continue;
    n++;
    add("cheapest-url", n, {
      intent: `Open the page of the cheapest product in the ${c.name} category.`,
      checks: [{ kind: "url", path: `/product/${cheapest.id}` }],
      plan: [{ do: "type", field: "Search products", text: c.name, enter: true }, { do: "click", role: "link", name: "Price: low to high" }, { do: "click", role: "link", name: cheapest.name }, { do: "stop", answer: "done" }],
    });
  }
  // Reviews beyond the first three are shown by the page's JavaScript only.
  for (let i = 1; i <= 5; i++) {
    const p = fresh((x) => x.reviews.length > REVIEWS_SHOWN);
    const k = REVIEWS_SHOWN + 1 + Math.floor(random() * (p.reviews.length - REVIEWS_SHOWN));
    const ordinal = ["first", "second", "third", "fourth", "fifth", "sixth"][k - 1]!;
    add("hidden-review", i, {
      intent: `Who wrote the ${ordinal} review of the "${p.name}"? Answer with the reviewer's name.`,
      requiresBrowser: true,
      checks: [{ kind: "answer", mode: "must_include", values: [p.reviews[k - 1]!.author] }],
      plan: [...findProduct(p), { do: "click", role: "button", name: `Show all reviews (${p.reviews.length})` }, { do: "stop", answer: p.reviews[k - 1]!.author }],
    });
  }
  // The instant filter's status line is written by JavaScript.
  for (let i = 1; i <= 3; i++) {
    const c = catalog.categories[(i * 5) % catalog.categories.length]!;
    const firstPage = catalog.products.filter((p) => p.category === c.slug).slice(0, CATEGORY_PAGE_SIZE);
    const prices = firstPage.map((p) => p.priceCents).sort((a, b) => a - b);
    const limit = Math.ceil(prices[Math.floor(prices.length / 2)]! / 100);
    const count = firstPage.filter((p) => p.priceCents <= limit * 100).length;
    add("instant-filter", i, {
      intent: `On the first page of the ${c.name} category, use the instant filter to find how many products cost at most $${limit}.`,
      requiresBrowser: true,
      checks: [{ kind: "answer", mode: "exact", values: [String(count)] }],
      plan: [{ do: "click", role: "link", name: c.name }, { do: "type", field: "Maximum price (instant filter)", text: String(limit), enter: false }, { do: "stop", answer: String(count) }],
    });
  }
  // Tasks that cannot be done.
  n = 0;
  for (let i = 0; i < 3; i++) {
    // Clothing comes in XS to XL only.
    const p = fresh((x) => x.category === "t-shirts" || x.category === "hoodies");
    add("impossible", ++n, {
      intent: `Order the "${p.name}" in size XXL.`,
      possible: false,
      checks: [{ kind: "not_available" }, { kind: "no_order" }],
      plan: [...findProduct(p), { do: "stop", answer: "not available" }],
    });
  }
  const outOfStock = catalog.products.filter((p) => !p.inStock && findable(catalog, p)).slice(0, 3);
  for (const p of outOfStock) {
    add("impossible", ++n, {
      intent: `Order one "${p.name}".`,
      possible: false,
      checks: [{ kind: "not_available" }, { kind: "no_order" }],
      plan: [...findProduct(p), { do: "stop", answer: "not available" }],
    });
  }
  for (const fake of ["Northwind Quantum Silk Tuxedo", "Zephyr Titanium Espresso Robot"]) {
    add("impossible", ++n, {
      intent: `What is the price of the "${fake}"?`,
      possible: false,
      checks: [{ kind: "not_available" }],
      plan: [{ do: "type", field: "Search products", text: fake, enter: true }, { do: "stop", answer: "not available" }],
    });
  }
  return tasks;
}
