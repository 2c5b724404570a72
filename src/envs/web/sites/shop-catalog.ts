import { seededRandom } from "../../../search/random.js";

/**
 * The shop's catalog, generated from a seed: categories in the style of WebShop's (clothing,
 * electronics, grocery, home), each with its attributes (material, fit, roast…), the options a
 * buyer chooses on the product page (size, colour, weight…) and their prices, reviews with
 * ratings. The same seed gives the same catalog, byte for byte.
 */

export interface OptionGroup {
  /** E.g. "Size", "Colour". */
  readonly name: string;
  readonly values: readonly string[];
  /** Price added by each value, in cents (all zero when the option does not change the price). */
  readonly deltas: readonly number[];
}

export interface Review {
  readonly author: string;
  readonly rating: number;
  readonly title: string;
  readonly text: string;
}

export interface Product {
  readonly id: number;
  readonly name: string;
  readonly category: string;
  readonly brand: string;
  readonly priceCents: number;
  /** Attribute name → value, in display order. */
  readonly attributes: readonly (readonly [string, string])[];
  readonly options: readonly OptionGroup[];
  readonly description: string;
  readonly reviews: readonly Review[];
  readonly inStock: boolean;
}

export interface Category {
  readonly slug: string;
  readonly name: string;
}

export interface Catalog {
  readonly seed: number;
  readonly categories: readonly Category[];
  readonly products: readonly Product[];
}

interface CategorySpec {
  readonly slug: string;
  readonly name: string;
  readonly noun: readonly string[];
  readonly attributes: readonly (readonly [string, readonly string[]])[];
  readonly options: (random: () => number) => OptionGroup[];
  /** Base price range in cents. */
  readonly price: readonly [number, number];
}

const COLOURS = ["Black", "White", "Navy", "Red", "Green", "Grey", "Blue", "Beige"];
const SIZES = ["XS", "S", "M", "L", "XL"];
const SHOE_SIZES = ["6", "7", "8", "9", "10", "11", "12"];

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
function subset<T>(random: () => number, list: readonly T[], min: number, max: number): T[] {
  const count = min + Math.floor(random() * (max - min + 1));
  const chosen = [...list].map((v) => ({ v, k: random() })).sort((a, b) => a.k - b.k).slice(0, count);
  return list.filter((v) => chosen.some((c) => c.v === v));
}
const flat = (name: string, values: readonly string[]): OptionGroup => ({ name, values, deltas: values.map(() => 0) });

const CATEGORIES: readonly CategorySpec[] = [
  {
    slug: "t-shirts", name: "T-shirts", noun: ["T-shirt", "Tee", "Crew T-shirt"],
    attributes: [["Material", ["Cotton", "Linen", "Merino", "Polyester"]], ["Fit", ["Slim", "Regular", "Relaxed"]], ["Sleeve", ["Short", "Long"]]],
    options: (r) => [flat("Size", subset(r, SIZES, 3, 5)), flat("Colour", subset(r, COLOURS, 2, 5))], price: [900, 3900],
  },
  {
    slug: "hoodies", name: "Hoodies", noun: ["Hoodie", "Zip Hoodie", "Pullover"],
    attributes: [["Material", ["Cotton", "Fleece", "Recycled polyester"]], ["Fit", ["Regular", "Oversized"]], ["Pockets", ["Kangaroo", "Zip", "None"]]],
    options: (r) => [flat("Size", subset(r, SIZES, 3, 5)), flat("Colour", subset(r, COLOURS, 2, 4))], price: [2900, 8900],
  },
  {
    slug: "running-shoes", name: "Running shoes", noun: ["Running Shoe", "Trail Runner", "Road Runner"],
    attributes: [["Terrain", ["Road", "Trail", "Track"]], ["Cushioning", ["Light", "Medium", "Max"]], ["Drop", ["4 mm", "8 mm", "10 mm"]]],
    options: (r) => [flat("Size", subset(r, SHOE_SIZES, 4, 7)), flat("Colour", subset(r, COLOURS, 2, 3))], price: [5900, 17900],
  },
  {
    slug: "boots", name: "Boots", noun: ["Boot", "Chelsea Boot", "Hiking Boot"],
    attributes: [["Material", ["Leather", "Suede", "Synthetic"]], ["Waterproof", ["Yes", "No"]], ["Sole", ["Rubber", "Vibram", "Crepe"]]],
    options: (r) => [flat("Size", subset(r, SHOE_SIZES, 4, 7)), flat("Colour", subset(r, ["Black", "Brown", "Tan", "Grey"], 2, 3))], price: [7900, 24900],
  },
  {
    slug: "headphones", name: "Headphones", noun: ["Headphones", "Earbuds", "Headset"],
    attributes: [["Type", ["Over-ear", "On-ear", "In-ear"]], ["Connection", ["Wireless", "Wired"]], ["Noise cancelling", ["Yes", "No"]]],
    options: (r) => [flat("Colour", subset(r, ["Black", "White", "Silver", "Blue"], 1, 3))], price: [1900, 34900],
  },
  {
    slug: "speakers", name: "Speakers", noun: ["Speaker", "Soundbar", "Bookshelf Speaker"],
    attributes: [["Connection", ["Bluetooth", "Wi-Fi", "Wired"]], ["Power", ["10 W", "20 W", "40 W", "100 W"]], ["Water resistant", ["Yes", "No"]]],
    options: (r) => [flat("Colour", subset(r, ["Black", "White", "Grey", "Red"], 1, 3))], price: [2900, 29900],
  },
  {
    slug: "coffee", name: "Coffee", noun: ["Coffee", "Espresso Blend", "Single Origin"],
    attributes: [["Roast", ["Light", "Medium", "Dark"]], ["Origin", ["Ethiopia", "Colombia", "Brazil", "Guatemala", "Kenya"]], ["Form", ["Whole bean", "Ground"]]],
    options: (r) => {
      const weights = subset(r, ["250 g", "500 g", "1 kg"], 2, 3);
      return [{ name: "Weight", values: weights, deltas: weights.map((w) => (w === "250 g" ? 0 : w === "500 g" ? 700 : 1900)) }];
    },
    price: [799, 2499],
  },
  {
    slug: "tea", name: "Tea", noun: ["Tea", "Loose Leaf Tea", "Tea Bags"],
    attributes: [["Type", ["Green", "Black", "Oolong", "Herbal", "White"]], ["Caffeine", ["Yes", "No"]], ["Organic", ["Yes", "No"]]],
    options: (r) => {
      const weights = subset(r, ["50 g", "100 g", "250 g"], 2, 3);
      return [{ name: "Weight", values: weights, deltas: weights.map((w) => (w === "50 g" ? 0 : w === "100 g" ? 400 : 1100)) }];
    },
    price: [499, 1999],
  },
  {
    slug: "backpacks", name: "Backpacks", noun: ["Backpack", "Daypack", "Rucksack"],
    attributes: [["Capacity", ["15 L", "20 L", "25 L", "30 L", "40 L"]], ["Material", ["Nylon", "Canvas", "Polyester"]], ["Laptop sleeve", ["Yes", "No"]]],
    options: (r) => [flat("Colour", subset(r, COLOURS, 2, 4))], price: [2900, 15900],
  },
  {
    slug: "desk-lamps", name: "Desk lamps", noun: ["Desk Lamp", "Task Light", "Reading Lamp"],
    attributes: [["Light", ["LED", "Halogen"]], ["Dimmable", ["Yes", "No"]], ["Colour temperature", ["2700 K", "4000 K", "Adjustable"]]],
    options: (r) => [flat("Finish", subset(r, ["Black", "White", "Brass", "Chrome"], 1, 3))], price: [1900, 12900],
  },
  {
    slug: "mugs", name: "Mugs", noun: ["Mug", "Travel Mug", "Cup"],
    attributes: [["Material", ["Ceramic", "Stainless steel", "Glass", "Stoneware"]], ["Capacity", ["250 ml", "350 ml", "450 ml"]], ["Dishwasher safe", ["Yes", "No"]]],
    options: (r) => [flat("Colour", subset(r, COLOURS, 1, 4))], price: [599, 3499],
  },
  {
    slug: "notebooks", name: "Notebooks", noun: ["Notebook", "Journal", "Sketchbook"],
    attributes: [["Paper", ["Lined", "Dotted", "Blank", "Grid"]], ["Pages", ["96", "160", "240"]], ["Cover", ["Hard", "Soft"]]],
    options: (r) => [flat("Size", subset(r, ["A6", "A5", "A4"], 2, 3))], price: [399, 2999],
  },
];

const BRANDS = ["Northwind", "Alder & Co", "Bluecrest", "Fenwick", "Kestrel", "Lumen", "Marlow", "Oakridge", "Pioneer", "Quill", "Redwood", "Solstice", "Tidewater", "Vantage", "Wrenfield", "Zephyr"];
const ADJECTIVES = ["Classic", "Everyday", "Premium", "Essential", "Urban", "Coastal", "Alpine", "Heritage", "Studio", "Voyager", "Summit", "Harbor", "Nimbus", "Canyon", "Meadow", "Aurora", "Ember", "Glacier", "Horizon", "Juniper"];
const AUTHORS = ["Sam P.", "Jordan K.", "Alex R.", "Priya N.", "Chen W.", "Maria G.", "Tom B.", "Aisha M.", "Lukas F.", "Emma S.", "Noah D.", "Yuki T.", "Omar H.", "Sofia L.", "Ben C."];
const PRAISE = ["Exactly as described.", "Great value for the price.", "Arrived quickly and well packed.", "Would buy again.", "Better than I expected.", "Solid quality.", "My second one, still happy."];
const COMPLAINTS = ["Runs a little small.", "The colour is lighter than in the photo.", "Took two weeks to arrive.", "Fine, but nothing special.", "Stopped working after a month.", "Smaller than I thought."];
const TITLES: Record<number, readonly string[]> = {
  1: ["Disappointed", "Would not recommend"],
  2: ["Not great", "Meh"],
  3: ["Okay", "Does the job"],
  4: ["Very good", "Happy with it"],
  5: ["Excellent", "Love it", "Perfect"],
};

export const PRODUCTS_PER_CATEGORY = 45;

export function generateCatalog(seed = 1): Catalog {
  const random = seededRandom(seed * 7919 + 17);
  const products: Product[] = [];
  const names = new Set<string>();
  for (const spec of CATEGORIES) {
    for (let i = 0; i < PRODUCTS_PER_CATEGORY; i++) {
      const brand = pick(random, BRANDS);
      const attributes = spec.attributes.map(([name, values]) => [name, pick(random, values)] as const);
      let name = "";
      for (let attempt = 0; attempt < 50 && (name === "" || names.has(name)); attempt++) {
        const descriptive = attributes[attempt % attributes.length]![1];
        name = `${brand} ${pick(random, ADJECTIVES)} ${/^\d/.test(descriptive) || descriptive === "Yes" || descriptive === "No" ? "" : descriptive + " "}${pick(random, spec.noun)}`;
      }
      if (names.has(name)) name = `${name} ${i + 1}`;
      names.add(name);
      const [low, high] = spec.price;
      const priceCents = Math.round((low + random() * (high - low)) / 100) * 100 - 1;
      const reviewCount = Math.floor(random() * 6);
      const reviews: Review[] = [];
      for (let r = 0; r < reviewCount; r++) {
        const rating = 1 + Math.floor(random() * 5);
        reviews.push({
          author: pick(random, AUTHORS),
          rating,
          title: pick(random, TITLES[rating]!),
          text: `${rating >= 4 ? pick(random, PRAISE) : pick(random, COMPLAINTS)} ${rating >= 3 ? pick(random, PRAISE) : pick(random, COMPLAINTS)}`,
        });
      }
      const id = products.length + 1;
      products.push({
        id,
        name,
        category: spec.slug,
        brand,
        priceCents,
        attributes,
        options: spec.options(random),
        description: `The ${name} by ${brand}: ${attributes.map(([k, v]) => `${k.toLowerCase()} ${v.toLowerCase()}`).join(", ")}.`,
        reviews,
        inStock: random() > 0.08,
      });
    }
  }
  return { seed, categories: CATEGORIES.map(({ slug, name }) => ({ slug, name })), products };
}

/** The average rating of a product's reviews, one decimal, or undefined without reviews. */
export function averageRating(product: Product): number | undefined {
  if (product.reviews.length === 0) return undefined;
  return Math.round((product.reviews.reduce((s, r) => s + r.rating, 0) / product.reviews.length) * 10) / 10;
}

/** The unit price of a product with the chosen options (option name → value), in cents. */
export function unitPrice(product: Product, chosen: Readonly<Record<string, string>>): number {
  let price = product.priceCents;
  for (const group of product.options) {
    const i = group.values.indexOf(chosen[group.name] ?? "");
    if (i >= 0) price += group.deltas[i]!;
  }
  return price;
}

/** Lower-case words of a product, for search. */
export function searchWords(product: Product, categoryName: string): string[] {
  const text = `${product.name} ${categoryName} ${product.brand} ${product.attributes.map(([, v]) => v).join(" ")}`;
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);
}

const searchIndexes = new WeakMap<Catalog, { product: Product; words: Set<string> }[]>();

/**
 * The shop's search: products ranked by how many of the query's words they have (name, category,
 * brand, attribute values), ties by id; or by price. The site and the task generator both use it.
 */
export function searchProducts(catalog: Catalog, query: string, sort = "relevance"): Product[] {
  let index = searchIndexes.get(catalog);
  if (index === undefined) {
    const names = new Map(catalog.categories.map((c) => [c.slug, c.name]));
    index = catalog.products.map((product) => ({ product, words: new Set(searchWords(product, names.get(product.category)!)) }));
    searchIndexes.set(catalog, index);
  }
  const terms = query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);
  const scored = index.map(({ product, words }) => ({ product, score: terms.filter((t) => words.has(t)).length })).filter((s) => terms.length > 0 && s.score > 0);
  scored.sort((a, b) =>
    sort === "price-asc" ? a.product.priceCents - b.product.priceCents || a.product.id - b.product.id
      : sort === "price-desc" ? b.product.priceCents - a.product.priceCents || a.product.id - b.product.id
        : b.score - a.score || a.product.id - b.product.id,
  );
  return scored.map((s) => s.product);
}
