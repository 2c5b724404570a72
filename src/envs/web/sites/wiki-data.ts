import { seededRandom } from "../../../search/random.js";

/**
 * The wiki's articles, generated from a seed: cities, people, inventions and species, each with
 * an infobox of facts, prose sections, and links to related articles (an inventor's article links
 * to the invention and to the city of birth, so questions can need several pages). Some facts are
 * missing on purpose (a city without a listed mayor): questions about them have no answer on the
 * site. Talk pages hold discussion posts.
 */

export type ArticleKind = "city" | "person" | "invention" | "species";

export interface Article {
  readonly slug: string;
  readonly title: string;
  readonly kind: ArticleKind;
  /** Infobox rows, in order (a fact that is missing has no row). */
  readonly facts: readonly (readonly [string, string])[];
  /** Slugs of articles an infobox value links to, by fact name. */
  readonly factLinks: Readonly<Record<string, string>>;
  readonly sections: readonly { readonly heading: string; readonly paragraphs: readonly string[] }[];
  readonly seeAlso: readonly string[];
  readonly talk: readonly TalkPost[];
}

export interface TalkPost {
  readonly author: string;
  readonly date: string;
  readonly text: string;
}

export interface Wiki {
  readonly seed: number;
  readonly articles: readonly Article[];
}

export const KIND_NAMES: Record<ArticleKind, string> = { city: "Cities", person: "People", invention: "Inventions", species: "Species" };

const SYLLABLES = ["val", "mor", "ka", "ren", "do", "li", "bran", "sel", "tor", "mi", "ra", "ven", "cor", "dal", "e", "sa", "tin", "lo", "ber", "gan"];
const COUNTRIES = ["Ardenia", "Belmar", "Corvath", "Dunmore", "Estria"];
const RIVERS = ["Sable", "Linden", "Ovra", "Carrow", "Tessel", "Wend"];
const INDUSTRIES = ["textiles", "shipbuilding", "glassmaking", "software", "tea trading", "mining", "printing", "tourism"];
const FIRST = ["Ada", "Bruno", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Katya", "Leon", "Mira", "Nils", "Olga", "Pavel", "Rosa", "Stefan", "Tilde", "Viktor"];
const LAST = ["Albrecht", "Brandt", "Castell", "Dorn", "Eskel", "Falk", "Grell", "Hartig", "Ivers", "Janek", "Kross", "Lindqvist", "Marek", "Novak", "Orlov", "Pell", "Quist", "Roth", "Sander", "Tamm"];
const OCCUPATIONS = ["engineer", "chemist", "clockmaker", "physician", "architect", "botanist", "mathematician"];
const INVENTION_ADJ = ["Rotary", "Pneumatic", "Folding", "Magnetic", "Double", "Spiral", "Tidal", "Hydraulic", "Optical", "Thermal"];
const INVENTION_NOUN = ["Loom", "Press", "Lantern", "Compass", "Pump", "Engine", "Valve", "Telegraph", "Kiln", "Scale", "Lens", "Bellows"];
const FIELDS = ["textiles", "printing", "navigation", "mining", "medicine", "optics", "farming"];
const ANIMAL_ADJ = ["Crested", "Greater", "Lesser", "Striped", "Spotted", "Ashen", "Golden", "Marsh", "Dusky", "Ringed"];
const ANIMALS = ["Heron", "Vole", "Owl", "Newt", "Finch", "Marten", "Plover", "Toad", "Shrew", "Kite", "Salamander", "Lark"];
const HABITATS = ["wetlands", "pine forests", "grasslands", "rocky coasts", "river valleys", "alpine meadows"];
const DIETS = ["insects", "seeds", "small fish", "snails", "berries", "small mammals"];
const STATUS = ["Least concern", "Near threatened", "Vulnerable", "Endangered"];
const TALK_AUTHORS = ["Quillon", "MapMaker", "Tern42", "OldArchivist", "Verity", "BlueLedger", "Skerry"];

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const slugOf = (title: string) => title.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "");
const number = (n: number) => n.toLocaleString("en-US");

export function generateWiki(seed = 1): Wiki {
  const random = seededRandom(seed * 104729 + 3);
  const used = new Set<string>();
  const unique = (make: () => string) => {
    for (let i = 0; i < 100; i++) {
      const t = make();
      if (!used.has(t)) return used.add(t), t;
    }
    throw new Error("wiki generation: names exhausted");
  };
  const cityNames = Array.from({ length: 40 }, () =>
    unique(() => {
      const n = 2 + Math.floor(random() * 2);
      const word = Array.from({ length: n }, () => pick(random, SYLLABLES)).join("");
      return word[0]!.toUpperCase() + word.slice(1) + (random() < 0.2 ? pick(random, [" Bay", " Falls", " Harbour"]) : "");
    }),
  );
  const personNames = Array.from({ length: 30 }, () => unique(() => `${pick(random, FIRST)} ${pick(random, LAST)}`));
  const inventionNames = Array.from({ length: 30 }, () => unique(() => `${pick(random, INVENTION_ADJ)} ${pick(random, INVENTION_NOUN)}`));
  const speciesNames = Array.from({ length: 40 }, () => unique(() => `${pick(random, ANIMAL_ADJ)} ${pick(random, ANIMALS)}`));

  const talk = (subject: string): TalkPost[] =>
    Array.from({ length: Math.floor(random() * 4) }, (_, i) => ({
      author: pick(random, TALK_AUTHORS),
      date: `2024-${String(1 + Math.floor(random() * 12)).padStart(2, "0")}-${String(1 + Math.floor(random() * 28)).padStart(2, "0")}`,
      text: pick(random, [`Is the information on ${subject} up to date?`, `I added a source for the ${subject} article.`, `Could someone add a picture of ${subject}?`, `The history section of ${subject} needs more detail.`]) + (i > 0 ? " Agreed." : ""),
    }));

  const articles: Article[] = [];
  const inventorOf = new Map<string, string>();
  inventionNames.forEach((inv, i) => inventorOf.set(inv, personNames[i % personNames.length]!));

  for (const city of cityNames) {
    const population = 1000 * (5 + Math.floor(random() * 900)) + 100 * Math.floor(random() * 10);
    const founded = 900 + Math.floor(random() * 1000);
    const elevation = 5 + Math.floor(random() * 1500);
    const river = pick(random, RIVERS);
    const hasMayor = random() < 0.75;
    const facts: [string, string][] = [["Country", pick(random, COUNTRIES)], ["Population", number(population)], ["Founded", String(founded)], ["Elevation", `${number(elevation)} m`]];
    if (hasMayor) facts.push(["Mayor", `${pick(random, FIRST)} ${pick(random, LAST)}`]);
    const industry = pick(random, INDUSTRIES);
    articles.push({
      slug: slugOf(city), title: city, kind: "city", facts, factLinks: {},
      sections: [
        { heading: "History", paragraphs: [`${city} was founded in ${founded}. It grew as a market town on the ${river} river.`] },
        { heading: "Geography", paragraphs: [`The town lies on the ${river} at an elevation of ${number(elevation)} metres.`] },
        { heading: "Economy", paragraphs: [`${city} is known for ${industry}.`] },
      ],
      seeAlso: [], talk: talk(city),
    });
  }
  personNames.forEach((person, i) => {
    const born = 1700 + Math.floor(random() * 200);
    const birthplace = pick(random, cityNames);
    const occupation = pick(random, OCCUPATIONS);
    const inventions = inventionNames.filter((inv) => inventorOf.get(inv) === person);
    const facts: [string, string][] = [["Born", String(born)], ["Birthplace", birthplace], ["Occupation", occupation[0]!.toUpperCase() + occupation.slice(1)]];
    if (inventions.length > 0) facts.push(["Known for", inventions.join(", ")]);
    articles.push({
      slug: slugOf(person), title: person, kind: "person", facts,
      factLinks: { Birthplace: slugOf(birthplace), ...(inventions.length === 1 ? { "Known for": slugOf(inventions[0]!) } : {}) },
      sections: [{ heading: "Life", paragraphs: [`${person} (born ${born} in ${birthplace}) was a ${occupation}.${inventions.length > 0 ? ` ${person.split(" ")[0]} is remembered for the ${inventions.join(" and the ")}.` : ""}`] }],
      seeAlso: [], talk: talk(person),
    });
    void i;
  });
  for (const invention of inventionNames) {
    const inventor = inventorOf.get(invention)!;
    const year = 1750 + Math.floor(random() * 200);
    const field = pick(random, FIELDS);
    articles.push({
      slug: slugOf(invention), title: invention, kind: "invention",
      facts: [["Inventor", inventor], ["Year", String(year)], ["Field", field[0]!.toUpperCase() + field.slice(1)]],
      factLinks: { Inventor: slugOf(inventor) },
      sections: [{ heading: "Description", paragraphs: [`The ${invention} is a device used in ${field}, first built by ${inventor} in ${year}.`] }],
      seeAlso: [], talk: talk(`the ${invention}`),
    });
  }
  for (const species of speciesNames) {
    const lifespan = 2 + Math.floor(random() * 25);
    const length = 5 + Math.floor(random() * 90);
    const facts: [string, string][] = [["Habitat", pick(random, HABITATS)], ["Diet", pick(random, DIETS)], ["Lifespan", `${lifespan} years`], ["Length", `${length} cm`]];
    if (random() < 0.8) facts.push(["Conservation status", pick(random, STATUS)]);
    articles.push({
      slug: slugOf(species), title: species, kind: "species", facts, factLinks: {},
      sections: [{ heading: "Description", paragraphs: [`The ${species} lives in ${facts[0]![1]} and feeds on ${facts[1]![1]}. It grows to about ${length} cm.`] }],
      seeAlso: [], talk: talk(`the ${species}`),
    });
  }
  // See also: three other articles of the same kind, chosen by the seed.
  const final = articles.map((a) => {
    const same = articles.filter((b) => b.kind === a.kind && b.slug !== a.slug);
    const seeAlso = Array.from({ length: 3 }, () => pick(random, same).slug).filter((s, i, all) => all.indexOf(s) === i);
    return { ...a, seeAlso };
  });
  return { seed, articles: final };
}

/** An infobox fact of an article, or undefined when the article does not list it. */
export function fact(article: Article, name: string): string | undefined {
  return article.facts.find(([k]) => k === name)?.[1];
}

/** The wiki's search: articles by how well their title (3 per word) and facts (1) match the query's words, ties by title. */
export function searchArticles(wiki: Wiki, query: string): Article[] {
  const terms = query.toLowerCase().split(/[^a-z0-9]+/).filter((t) => t.length > 0);
  return wiki.articles
    .map((a) => {
      const title = a.title.toLowerCase();
      const text = `${title} ${a.facts.map(([, v]) => v).join(" ")}`.toLowerCase();
      return { a, score: terms.reduce((s, t) => s + (title.split(/[^a-z0-9]+/).includes(t) ? 3 : text.includes(t) ? 1 : 0), 0) };
    })
    .filter((s) => s.score > 0)
    .sort((x, y) => y.score - x.score || x.a.title.localeCompare(y.a.title))
    .map((s) => s.a);
}
