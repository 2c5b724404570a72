import { seededRandom } from "../../../search/random.js";
import { fact, searchArticles as searchRank, type Article, type Wiki } from "../sites/wiki-data.js";
import { WIKI_PAGE_SIZE } from "../sites/wiki.js";
import { splitOf, type Check, type PlanStep, type WebTask } from "./types.js";

/**
 * The wiki's information-seeking tasks: a fact from an article's infobox, two-hop questions
 * (the birthplace of an invention's inventor: two articles), the talk page's URL, posting on a
 * talk page (judged by the site's state), and questions whose answer the wiki does not have.
 */

const pickFrom = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

function open(article: Article): PlanStep[] {
  return [
    { do: "type", field: "Search the wiki", text: article.title, enter: true },
    { do: "click", role: "link", name: article.title },
  ];
}

/** How a fact's value is checked: numbers by their digits, text exactly. */
function valueCheck(value: string): Check {
  const digits = /^[\d,]+( (m|cm|years))?$/.test(value) ? value.replace(/[^\d]/g, "") : undefined;
  return digits !== undefined ? { kind: "answer", mode: "must_include", values: [digits] } : { kind: "answer", mode: "exact", values: [value] };
}

const FACT_QUESTIONS: Record<string, (title: string) => string> = {
  Population: (t) => `What is the population of ${t}?`,
  Founded: (t) => `In which year was ${t} founded?`,
  Elevation: (t) => `What is the elevation of ${t} in metres?`,
  Country: (t) => `In which country is ${t}?`,
  Mayor: (t) => `Who is the mayor of ${t}?`,
  Born: (t) => `In which year was ${t} born?`,
  Occupation: (t) => `What was the occupation of ${t}?`,
  Inventor: (t) => `Who invented the ${t}?`,
  Year: (t) => `In which year was the ${t} first built?`,
  Habitat: (t) => `What is the habitat of the ${t}?`,
  Diet: (t) => `What does the ${t} eat?`,
  Lifespan: (t) => `How many years does the ${t} live?`,
  "Conservation status": (t) => `What is the conservation status of the ${t}?`,
};

export function wikiTasks(wiki: Wiki, seed = 1): WebTask[] {
  const random = seededRandom(seed * 97 + 13);
  const tasks: WebTask[] = [];
  const add = (family: string, n: number, task: Omit<WebTask, "id" | "site" | "split" | "family" | "startPath" | "requiresBrowser" | "possible"> & Partial<Pick<WebTask, "possible">>) => {
    const id = `wiki-${family}-${String(n).padStart(3, "0")}`;
    tasks.push({ id, site: "wiki", family, startPath: "/", split: splitOf(id), requiresBrowser: false, possible: true, ...task });
  };
  const findable = wiki.articles.filter((a) => searchRank(wiki, a.title).slice(0, WIKI_PAGE_SIZE).includes(a));
  const bySlug = new Map(wiki.articles.map((a) => [a.slug, a]));
  const used = new Set<string>();

  let n = 0;
  for (let attempt = 0; n < 30 && attempt < 2000; attempt++) {
    const a = pickFrom(random, findable);
    const [name, value] = pickFrom(random, a.facts);
    const question = FACT_QUESTIONS[name];
    if (question === undefined || used.has(`${a.slug}:${name}`)) continue;
    used.add(`${a.slug}:${name}`);
    add("fact", ++n, { intent: question(a.title), checks: [valueCheck(value)], plan: [...open(a), { do: "stop", answer: value }] });
  }
  n = 0;
  const inventions = findable.filter((a) => a.kind === "invention");
  for (const inv of inventions.slice(0, 6)) {
    const inventor = bySlug.get(inv.factLinks.Inventor!)!;
    const birthplace = fact(inventor, "Birthplace")!;
    add("two-hop", ++n, {
      intent: `In which city was the inventor of the ${inv.title} born?`,
      checks: [{ kind: "answer", mode: "exact", values: [birthplace] }],
      plan: [...open(inv), { do: "click", role: "link", name: inventor.title }, { do: "stop", answer: birthplace }],
    });
  }
  const people = findable.filter((a) => a.kind === "person");
  for (const person of people.slice(0, 6)) {
    const city = bySlug.get(person.factLinks.Birthplace!)!;
    const population = fact(city, "Population")!;
    add("two-hop", ++n, {
      intent: `What is the population of the city where ${person.title} was born?`,
      checks: [valueCheck(population)],
      plan: [...open(person), { do: "click", role: "link", name: city.title }, { do: "stop", answer: population }],
    });
  }
  n = 0;
  for (const city of findable.filter((a) => a.kind === "city" && fact(a, "Mayor") === undefined).slice(0, 4)) {
    add("impossible", ++n, {
      intent: `Who is the mayor of ${city.title}?`,
      possible: false,
      checks: [{ kind: "not_available" }],
      plan: [...open(city), { do: "stop", answer: "not available" }],
    });
  }
  for (const fake of ["Quorvath Springs", "Lesser Glimmer Yak"]) {
    add("impossible", ++n, {
      intent: `What is the population of ${fake}?`,
      possible: false,
      checks: [{ kind: "not_available" }],
      plan: [{ do: "type", field: "Search the wiki", text: fake, enter: true }, { do: "stop", answer: "not available" }],
    });
  }
  n = 0;
  for (let i = 0; i < 5; i++) {
    const a = findable[(i * 17 + 3) % findable.length]!;
    add("talk-url", ++n, {
      intent: `Open the talk page of the article on ${a.title}.`,
      checks: [{ kind: "url", path: `/talk/${a.slug}` }],
      plan: [...open(a), { do: "click", role: "link", name: "Talk" }, { do: "stop", answer: "done" }],
    });
  }
  const comments = ["Thanks for the update", "Please add a map", "The infobox looks correct", "A source for the population would help", "Great article", "Could someone add a photo"];
  n = 0;
  for (let i = 0; i < 6; i++) {
    const a = findable[(i * 23 + 7) % findable.length]!;
    const text = comments[i]!;
    add("talk-post", ++n, {
      intent: `Post the comment "${text}" on the talk page of the article on ${a.title}.`,
      checks: [{ kind: "talk_post", slug: a.slug, includes: text }],
      plan: [...open(a), { do: "click", role: "link", name: "Talk" }, { do: "type", field: "Your comment", text, enter: false }, { do: "click", role: "button", name: "Post comment" }, { do: "stop", answer: "done" }],
    });
  }
  return tasks;
}
