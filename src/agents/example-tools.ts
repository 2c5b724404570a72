import type { Tool } from "./tools.js";

/**
 * The example tools the agents run with when no --tools module is given: a calculator, a search
 * over a small local document store, and a clock. They are deterministic (the clock can be pinned),
 * so transcripts in tests and in the README are reproducible.
 */

/** Evaluates + - * / ^ and parentheses over decimal numbers; no names, no code. */
export function evaluateArithmetic(expression: string): number {
  let at = 0;
  const text = expression;
  const skip = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const fail = (what: string): never => {
    throw new Error(`cannot read the expression at character ${at + 1}: ${what}`);
  };
  const primary = (): number => {
    skip();
    if (text[at] === "(") {
      at++;
      const value = sum();
      skip();
      if (text[at] !== ")") fail("expected ')'");
      at++;
      return value;
    }
    if (text[at] === "-") {
      at++;
      return -power();
    }
    const match = /^\d+(?:\.\d+)?|^\.\d+/.exec(text.slice(at));
    if (match === null) return fail(at >= text.length ? "it ends too early" : `unexpected '${text[at]}'`);
    at += match[0].length;
    return Number(match[0]);
  };
  const power = (): number => {
    const base = primary();
    skip();
    if (text[at] === "^") {
      at++;
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let value = power();
    for (;;) {
      skip();
      const op = text[at];
      if (op !== "*" && op !== "/" && op !== "x" && op !== "×") return value;
      at++;
      const right = power();
      if (op === "/" && right === 0) throw new Error("division by zero");
      value = op === "/" ? value / right : value * right;
    }
  };
  const sum = (): number => {
    let value = product();
    for (;;) {
      skip();
      const op = text[at];
      if (op !== "+" && op !== "-") return value;
      at++;
      value = op === "+" ? value + product() : value - product();
    }
  };
  const value = sum();
  skip();
  if (at < text.length) fail(`unexpected '${text[at]}'`);
  if (!Number.isFinite(value)) throw new Error("the result is not a finite number");
  return value;
}

export interface Document {
  readonly title: string;
  readonly text: string;
}

/** A small store of facts the search tool looks through (generated here, so nothing is downloaded). */
export const EXAMPLE_DOCUMENTS: readonly Document[] = [
  { title: "Mount Everest", text: "Mount Everest is 8849 metres high, the highest mountain above sea level, on the border of Nepal and China." },
  { title: "Nile", text: "The Nile is about 6650 kilometres long and flows north into the Mediterranean Sea." },
  { title: "Speed of light", text: "Light travels 299792 kilometres per second in a vacuum." },
  { title: "Water", text: "Water boils at 100 degrees Celsius at sea level and freezes at 0 degrees Celsius." },
  { title: "Paris", text: "Paris is the capital of France; about 2.1 million people live in the city proper." },
  { title: "Tokyo", text: "Tokyo is the capital of Japan; the greater Tokyo area has about 37 million people." },
  { title: "Moon", text: "The Moon is about 384400 kilometres from Earth on average and orbits it every 27.3 days." },
  { title: "Python", text: "Python is a programming language first released in 1991 by Guido van Rossum." },
  { title: "Marathon", text: "A marathon is 42.195 kilometres long." },
  { title: "Chess", text: "A chess board has 64 squares and each player starts with 16 pieces." },
  { title: "Human heart", text: "An adult human heart beats about 70 times per minute at rest." },
  { title: "Amazon", text: "The Amazon rainforest covers about 5.5 million square kilometres." },
];

/** Documents ranked by how many of the query's words they contain (ties: store order). */
export function searchDocuments(query: string, documents: readonly Document[] = EXAMPLE_DOCUMENTS, limit = 2): Document[] {
  const words = new Set(query.toLowerCase().match(/[a-z0-9]+/g) ?? []);
  const scored = documents.map((doc, i) => {
    const text = `${doc.title} ${doc.text}`.toLowerCase().match(/[a-z0-9]+/g) ?? [];
    let score = 0;
    for (const w of new Set(text)) if (words.has(w)) score++;
    return { doc, score, i };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, limit)
    .map((s) => s.doc);
}

export interface ExampleToolOptions {
  /** Pins the clock (tests, reproducible transcripts); default: the real time. */
  readonly now?: () => Date;
  readonly documents?: readonly Document[];
}

export function exampleTools(options: ExampleToolOptions = {}): Tool[] {
  const now = options.now ?? (() => new Date());
  const documents = options.documents ?? EXAMPLE_DOCUMENTS;
  return [
    {
      name: "calculator",
      description: "Evaluates an arithmetic expression with + - * / ^ and parentheses.",
      parameters: {
        type: "object",
        properties: { expression: { type: "string", minLength: 1, maxLength: 60 } },
        required: ["expression"],
        additionalProperties: false,
      },
      run: (args) => String(evaluateArithmetic(String(args["expression"]))),
    },
    {
      name: "search",
      description: "Searches a small document store and returns the best matching passages.",
      parameters: {
        type: "object",
        properties: { query: { type: "string", minLength: 1, maxLength: 80 } },
        required: ["query"],
        additionalProperties: false,
      },
      run: (args) => {
        const found = searchDocuments(String(args["query"]), documents);
        return found.length === 0 ? "No results." : found.map((d) => `${d.title}: ${d.text}`).join(" ");
      },
    },
    {
      name: "clock",
      description:
        "Dates (UTC): 'today' or 'now'; 'weekday YYYY-MM-DD'; 'days_between YYYY-MM-DD YYYY-MM-DD'; 'add_days YYYY-MM-DD N'.",
      parameters: {
        type: "object",
        properties: { query: { type: "string", maxLength: 60 } },
        additionalProperties: false,
      },
      run: (args) => clockQuery(String(args["query"] ?? "now"), now()),
    },
  ];
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const DAY_MS = 86_400_000;

/** The clock tool's small query language (see its description). */
export function clockQuery(query: string, now: Date): string {
  const words = query.trim().split(/\s+/).filter((w) => w.length > 0);
  const date = (text: string | undefined): Date => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
    const value = match === null ? NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    if (Number.isNaN(value)) throw new Error(`expected a date YYYY-MM-DD, got '${text ?? ""}'`);
    return new Date(value);
  };
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  switch (words[0]?.toLowerCase() ?? "now") {
    case "now":
      return now.toISOString();
    case "today":
      return iso(now);
    case "weekday":
      return WEEKDAYS[date(words[1]).getUTCDay()]!;
    case "days_between":
      return String(Math.round((date(words[2]).getTime() - date(words[1]).getTime()) / DAY_MS));
    case "add_days": {
      const n = Number(words[2]);
      if (!Number.isInteger(n)) throw new Error(`expected a whole number of days, got '${words[2] ?? ""}'`);
      return iso(new Date(date(words[1]).getTime() + n * DAY_MS));
    }
    default:
      throw new Error(`unknown clock query '${words[0]}'; try 'today', 'weekday 2024-05-01', 'days_between A B' or 'add_days A N'`);
  }
}
