/**
 * A seeded generator of agent traces in ltlguard's trace text format: one segment per line,
 * `Tag` + content + "\n", in seven shapes (direct, cot, react, reflexion, rewoo, pass, chat).
 * Questions cover arithmetic, capitals, geography facts, dates and times, unit conversions and
 * lookups in (fictional) company documents; tools are search, calculator and clock, with inputs
 * and observations that agree with each other and with the final answer.
 *
 * The corpus trains the `qwen3-fitted` model and the `small-vocab` pieces; tests use it as a
 * source of realistic trace texts.
 */
import { Prng } from "./prng.js";

export const SEGMENT_TAGS = {
  question: "Question: ",
  user_problem: "User: ",
  thought: "Thought: ",
  plan: "Plan: ",
  action: "Action: ",
  action_input: "Action Input: ",
  action_label: "Label: ",
  observation: "Observation: ",
  summarize: "Summary: ",
  final_thought: "Final Thought: ",
  proposed_answer: "Proposed Answer: ",
  evaluator: "Evaluation: ",
  reflection: "Reflection: ",
  answer: "Answer: ",
  final_response: "Response: ",
  solver: "Solver: ",
} as const;

export type SegmentKind = keyof typeof SEGMENT_TAGS;
export const TOOLS = ["search", "calculator", "clock"] as const;
export type Tool = (typeof TOOLS)[number];
export const TRACE_SHAPES = ["direct", "cot", "react", "reflexion", "rewoo", "pass", "chat"] as const;
export type TraceShape = (typeof TRACE_SHAPES)[number];

export interface Segment {
  kind: SegmentKind;
  content: string;
}

export interface Trace {
  shape: TraceShape;
  segments: Segment[];
}

/** Longest content the generator writes, in UTF-8 bytes. */
export const MAX_CONTENT_BYTES = 150;

/** The trace as text: every segment is its tag, its content and "\n". */
export function traceText(trace: Trace): string {
  return trace.segments.map((s) => `${SEGMENT_TAGS[s.kind]}${s.content}\n`).join("");
}

// ---------------------------------------------------------------------------------------------
// Facts (real ones, rounded as commonly cited) and fictional document fields.

const COUNTRIES: readonly { country: string; capital: string; largest?: string; continent: string }[] = [
  { country: "France", capital: "Paris", continent: "Europe" },
  { country: "Japan", capital: "Tokyo", continent: "Asia" },
  { country: "Australia", capital: "Canberra", largest: "Sydney", continent: "Oceania" },
  { country: "Canada", capital: "Ottawa", largest: "Toronto", continent: "North America" },
  { country: "Brazil", capital: "Brasília", largest: "São Paulo", continent: "South America" },
  { country: "Turkey", capital: "Ankara", largest: "Istanbul", continent: "Asia" },
  { country: "Germany", capital: "Berlin", continent: "Europe" },
  { country: "Italy", capital: "Rome", continent: "Europe" },
  { country: "Spain", capital: "Madrid", continent: "Europe" },
  { country: "Portugal", capital: "Lisbon", continent: "Europe" },
  { country: "Egypt", capital: "Cairo", continent: "Africa" },
  { country: "Kenya", capital: "Nairobi", continent: "Africa" },
  { country: "Nigeria", capital: "Abuja", largest: "Lagos", continent: "Africa" },
  { country: "South Africa", capital: "Pretoria", largest: "Johannesburg", continent: "Africa" },
  { country: "India", capital: "New Delhi", largest: "Mumbai", continent: "Asia" },
  { country: "China", capital: "Beijing", largest: "Shanghai", continent: "Asia" },
  { country: "South Korea", capital: "Seoul", continent: "Asia" },
  { country: "Vietnam", capital: "Hanoi", largest: "Ho Chi Minh City", continent: "Asia" },
  { country: "Thailand", capital: "Bangkok", continent: "Asia" },
  { country: "Mexico", capital: "Mexico City", continent: "North America" },
  { country: "the United States", capital: "Washington, D.C.", largest: "New York City", continent: "North America" },
  { country: "Argentina", capital: "Buenos Aires", continent: "South America" },
  { country: "Chile", capital: "Santiago", continent: "South America" },
  { country: "Peru", capital: "Lima", continent: "South America" },
  { country: "Colombia", capital: "Bogotá", continent: "South America" },
  { country: "Norway", capital: "Oslo", continent: "Europe" },
  { country: "Sweden", capital: "Stockholm", continent: "Europe" },
  { country: "Finland", capital: "Helsinki", continent: "Europe" },
  { country: "Poland", capital: "Warsaw", continent: "Europe" },
  { country: "Switzerland", capital: "Bern", largest: "Zurich", continent: "Europe" },
  { country: "the Netherlands", capital: "Amsterdam", continent: "Europe" },
  { country: "Greece", capital: "Athens", continent: "Europe" },
  { country: "Morocco", capital: "Rabat", largest: "Casablanca", continent: "Africa" },
  { country: "New Zealand", capital: "Wellington", largest: "Auckland", continent: "Oceania" },
  { country: "Pakistan", capital: "Islamabad", largest: "Karachi", continent: "Asia" },
  { country: "Indonesia", capital: "Jakarta", continent: "Asia" },
];

const MOUNTAINS: readonly { name: string; meters: number; where: string }[] = [
  { name: "Mount Everest", meters: 8849, where: "Nepal and China" },
  { name: "K2", meters: 8611, where: "Pakistan and China" },
  { name: "Kilimanjaro", meters: 5895, where: "Tanzania" },
  { name: "Mont Blanc", meters: 4806, where: "France and Italy" },
  { name: "Denali", meters: 6190, where: "Alaska" },
  { name: "Aconcagua", meters: 6961, where: "Argentina" },
  { name: "Mount Fuji", meters: 3776, where: "Japan" },
  { name: "the Matterhorn", meters: 4478, where: "Switzerland and Italy" },
  { name: "Mount Kosciuszko", meters: 2228, where: "Australia" },
  { name: "Mount Elbrus", meters: 5642, where: "Russia" },
];

const RIVERS: readonly { name: string; km: number }[] = [
  { name: "the Nile", km: 6650 },
  { name: "the Amazon", km: 6400 },
  { name: "the Yangtze", km: 6300 },
  { name: "the Danube", km: 2850 },
  { name: "the Rhine", km: 1230 },
  { name: "the Thames", km: 346 },
  { name: "the Volga", km: 3530 },
  { name: "the Mekong", km: 4909 },
  { name: "the Loire", km: 1006 },
];

const LANDMARKS: readonly { name: string; year: number; verb: string }[] = [
  { name: "Eiffel Tower", year: 1889, verb: "completed" },
  { name: "Sydney Opera House", year: 1973, verb: "opened" },
  { name: "Golden Gate Bridge", year: 1937, verb: "opened" },
  { name: "Empire State Building", year: 1931, verb: "completed" },
  { name: "Brooklyn Bridge", year: 1883, verb: "opened" },
  { name: "Burj Khalifa", year: 2010, verb: "opened" },
  { name: "Panama Canal", year: 1914, verb: "opened" },
  { name: "Statue of Liberty", year: 1886, verb: "dedicated" },
  { name: "Channel Tunnel", year: 1994, verb: "opened" },
  { name: "Tower Bridge", year: 1894, verb: "opened" },
];

const TIMEZONES: readonly { city: string; zone: string; abbr: string; offset: number }[] = [
  { city: "Tokyo", zone: "Asia/Tokyo", abbr: "JST", offset: 9 },
  { city: "London", zone: "Europe/London", abbr: "GMT", offset: 0 },
  { city: "New York", zone: "America/New_York", abbr: "EST", offset: -5 },
  { city: "Paris", zone: "Europe/Paris", abbr: "CET", offset: 1 },
  { city: "Berlin", zone: "Europe/Berlin", abbr: "CET", offset: 1 },
  { city: "Sydney", zone: "Australia/Sydney", abbr: "AEDT", offset: 11 },
  { city: "Los Angeles", zone: "America/Los_Angeles", abbr: "PST", offset: -8 },
  { city: "Mumbai", zone: "Asia/Kolkata", abbr: "IST", offset: 5.5 },
  { city: "Singapore", zone: "Asia/Singapore", abbr: "SGT", offset: 8 },
  { city: "São Paulo", zone: "America/Sao_Paulo", abbr: "BRT", offset: -3 },
  { city: "Chicago", zone: "America/Chicago", abbr: "CST", offset: -6 },
  { city: "Dubai", zone: "Asia/Dubai", abbr: "GST", offset: 4 },
];

const CONVERSIONS: readonly {
  from: string; to: string; factor?: number; kind: "factor" | "f2c" | "c2f"; lo: number; hi: number; decimals: boolean;
}[] = [
  { from: "miles", to: "kilometers", factor: 1.609344, kind: "factor", lo: 1, hi: 500, decimals: false },
  { from: "kilometers", to: "miles", factor: 0.621371, kind: "factor", lo: 1, hi: 800, decimals: false },
  { from: "pounds", to: "kilograms", factor: 0.453592, kind: "factor", lo: 1, hi: 400, decimals: false },
  { from: "kilograms", to: "pounds", factor: 2.20462, kind: "factor", lo: 1, hi: 200, decimals: true },
  { from: "feet", to: "meters", factor: 0.3048, kind: "factor", lo: 1, hi: 30000, decimals: false },
  { from: "meters", to: "feet", factor: 3.28084, kind: "factor", lo: 1, hi: 9000, decimals: false },
  { from: "inches", to: "centimeters", factor: 2.54, kind: "factor", lo: 1, hi: 120, decimals: true },
  { from: "gallons", to: "liters", factor: 3.78541, kind: "factor", lo: 1, hi: 80, decimals: true },
  { from: "liters", to: "gallons", factor: 0.264172, kind: "factor", lo: 1, hi: 300, decimals: false },
  { from: "ounces", to: "grams", factor: 28.3495, kind: "factor", lo: 1, hi: 64, decimals: false },
  { from: "degrees Fahrenheit", to: "degrees Celsius", kind: "f2c", lo: -20, hi: 110, decimals: false },
  { from: "degrees Celsius", to: "degrees Fahrenheit", kind: "c2f", lo: -30, hi: 45, decimals: false },
];

const FIRST = ["Alice", "Bruno", "Chen", "Dana", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemal", "Lena", "Marta", "Nikhil", "Omar", "Priya", "Rosa", "Sven", "Tomás", "Yuki"];
const LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Patel", "Schmidt", "Garcia", "Kowalski", "Haddad", "Rossi", "Nguyen", "Walsh", "Ibrahim", "Berg"];
const PROJECTS = ["Atlas", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer"];
const STATUSES = ["in review", "approved", "draft", "shipped", "on hold"];
const CAUSES = [
  "an expired TLS certificate on the load balancer",
  "a database migration that locked the orders table",
  "a misconfigured DNS record",
  "a memory leak in the session cache",
  "a full disk on the logging cluster",
  "a faulty network switch in the second rack",
  "a bad feature flag rollout",
];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

// ---------------------------------------------------------------------------------------------
// Formatting helpers.

function fmt(x: number, maxDecimals = 4): string {
  if (Number.isInteger(x)) return String(x);
  const s = x.toFixed(maxDecimals).replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

/** Integer with thousands separators ("8,849"), independent of the locale. */
function withCommas(n: number): string {
  const s = String(Math.abs(Math.trunc(n)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 ? `-${grouped}` : grouped;
}

function money(x: number): string {
  return `$${withCommas(x)}`;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function randomDate(prng: Prng, fromYear: number, toYear: number): Date {
  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear, 11, 31);
  return new Date(start + prng.int(Math.floor((end - start) / 86400000) + 1) * 86400000);
}

function addDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * 86400000);
}

function longDate(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Tasks: a question, the tool steps that answer it, and the texts around them.

interface Step {
  tool: Tool;
  input: string;
  /** Input for ReWOO, where earlier results are referred to as #E1, #E2, … */
  rewooInput?: string;
  observation: string;
  thought: string;
  plan: string;
  summary: string;
}

interface Task {
  question: string;
  user: string;
  steps: Step[];
  answer: string;
  finalThought: string;
  reasoning: string;
  response: string;
  solver: string;
  wrong: { answer: string; finalThought: string; evaluation: string; reflection: string };
  /** A vaguer first search that finds nothing (for retries), when the first step is a search. */
  vagueSearch?: string;
}

const POSITIVE_EVALUATIONS = [
  "The proposed answer is correct.",
  "Correct: the answer matches the observation.",
  "The answer is supported by the tool output.",
  "Correct and complete.",
  "The proposed answer agrees with the evidence.",
];
const POSITIVE_REFLECTIONS = [
  "No changes are needed.",
  "The approach worked; I can give the answer.",
  "Using the tool first was the right call.",
  "The answer is grounded in the observation, so I will keep it.",
];
const GIVE_UP_FINAL = ["I now know the final answer.", "I have what I need to answer.", "That answers the question."];

function chatUser(prng: Prng, question: string): string {
  const lower = question.charAt(0).toLowerCase() + question.slice(1);
  return prng.pick([
    question,
    `Hi! ${question}`,
    `Quick question: ${lower}`,
    `Hello, can you help me? ${question}`,
    `I need to know this: ${lower}`,
    `Hey, ${lower}`,
  ]);
}

/**
 * A tool's input as the JSON arguments the agent specs' `json args(action)` segments hold (one
 * space after the colon, as models tend to write it): the calculator takes an `expression`, the
 * search and the clock a `query`.
 */
export function toolArguments(tool: Tool, input: string): string {
  const key = tool === "calculator" ? "expression" : "query";
  return `{"${key}": ${JSON.stringify(input)}}`;
}

function calcStep(prng: Prng, expr: string, result: string, what: string, rewooInput?: string): Step {
  return {
    tool: "calculator",
    input: expr,
    ...(rewooInput !== undefined ? { rewooInput } : {}),
    observation: result,
    thought: prng.pick([
      "I should use the calculator.",
      `I need to compute ${what}.`,
      `Let me calculate ${expr}.`,
      "The calculator will give an exact result.",
      `I will work out ${what} with the calculator.`,
    ]),
    plan: prng.pick([`Compute ${what} with the calculator.`, `Calculate ${what}.`, `Use the calculator to find ${what}.`]),
    summary: prng.pick([`The calculator gives ${result}.`, `${cap(what)} is ${result}.`, `The result is ${result}.`]),
  };
}

function searchStep(prng: Prng, query: string, observation: string, what: string, finding: string): Step {
  return {
    tool: "search",
    input: query,
    observation,
    thought: prng.pick([
      `I need to look up ${what}.`,
      `I should search for ${what}.`,
      `Let me search for ${what}.`,
      "I do not know this for certain, so I will search.",
      `A search should tell me ${what}.`,
    ]),
    plan: prng.pick([`Search for ${what}.`, `Look up ${what}.`, `Find ${what} with a search.`]),
    summary: finding,
  };
}

function clockStep(prng: Prng, input: string, observation: string, what: string, finding: string): Step {
  return {
    tool: "clock",
    input,
    observation,
    thought: prng.pick([`I should ask the clock for ${what}.`, `The clock tool can give ${what}.`, `Let me check ${what} with the clock.`, "I will use the clock."]),
    plan: prng.pick([`Ask the clock for ${what}.`, `Get ${what} from the clock.`, `Use the clock to find ${what}.`]),
    summary: finding,
  };
}

function arithmeticTask(prng: Prng): Task {
  const kind = prng.pick(["mul", "mul", "add", "sub", "div", "pct", "avg", "combo"] as const);
  let question: string, expr: string, result: number, what: string, reasoning: string, finalThought: string;
  switch (kind) {
    case "mul": {
      const a = prng.range(2, 99), b = prng.range(2, 99);
      result = a * b;
      expr = `${a} * ${b}`;
      what = `${a} times ${b}`;
      question = prng.pick([`What is ${a} times ${b}?`, `What is ${a} multiplied by ${b}?`, `Compute ${a} * ${b}.`, `How much is ${a} times ${b}?`, `What do you get when you multiply ${a} by ${b}?`]);
      const tens = b - (b % 10), ones = b % 10;
      reasoning = tens > 0 && ones > 0
        ? `${a} times ${b} is ${a} times ${tens} plus ${a} times ${ones}, which is ${a * tens} + ${a * ones} = ${result}.`
        : `${a} times ${b} is ${result}.`;
      finalThought = prng.pick([`The product is ${result}.`, `${a} times ${b} is ${result}.`, `The calculator returned ${result}.`]);
      break;
    }
    case "add": {
      const a = prng.range(10, 9999), b = prng.range(10, 9999);
      result = a + b;
      expr = `${a} + ${b}`;
      what = `the sum of ${a} and ${b}`;
      question = prng.pick([`What is ${a} plus ${b}?`, `What is the sum of ${a} and ${b}?`, `Add ${a} and ${b}.`, `How much is ${a} + ${b}?`]);
      reasoning = `Adding ${a} and ${b} gives ${result}.`;
      finalThought = prng.pick([`The sum is ${result}.`, `${a} plus ${b} is ${result}.`]);
      break;
    }
    case "sub": {
      const b = prng.range(10, 5000), a = b + prng.range(1, 5000);
      result = a - b;
      expr = `${a} - ${b}`;
      what = `${a} minus ${b}`;
      question = prng.pick([`What is ${a} minus ${b}?`, `Subtract ${b} from ${a}.`, `What is the difference between ${a} and ${b}?`]);
      reasoning = `${a} minus ${b} leaves ${result}.`;
      finalThought = prng.pick([`The difference is ${result}.`, `${a} minus ${b} is ${result}.`]);
      break;
    }
    case "div": {
      const b = prng.range(2, 40), q = prng.range(2, 250), a = b * q;
      result = q;
      expr = `${a} / ${b}`;
      what = `${a} divided by ${b}`;
      question = prng.pick([`What is ${a} divided by ${b}?`, `How much is ${a} / ${b}?`, `If ${a} apples are shared among ${b} people, how many does each get?`]);
      reasoning = `${b} times ${q} is ${a}, so ${a} divided by ${b} is ${q}.`;
      finalThought = prng.pick([`The quotient is ${q}.`, `${a} divided by ${b} is ${q}.`, `Each share is ${q}.`]);
      break;
    }
    case "pct": {
      const p = prng.pick([5, 10, 12, 15, 20, 25, 30, 40, 75]), n = prng.range(2, 400) * 10;
      result = (p * n) / 100;
      expr = `${p} / 100 * ${n}`;
      what = `${p}% of ${n}`;
      question = prng.pick([`What is ${p}% of ${n}?`, `How much is ${p} percent of ${n}?`, `A ${n} dollar bill gets a ${p}% tip. How much is the tip?`]);
      reasoning = `${p}% of ${n} is ${n} times ${p / 100}, which is ${fmt(result)}.`;
      finalThought = prng.pick([`${p}% of ${n} is ${fmt(result)}.`, `The result is ${fmt(result)}.`]);
      break;
    }
    case "avg": {
      const xs = [prng.range(1, 100), prng.range(1, 100), prng.range(1, 100)];
      result = (xs[0]! + xs[1]! + xs[2]!) / 3;
      expr = `(${xs.join(" + ")}) / 3`;
      what = `the average of ${xs[0]}, ${xs[1]} and ${xs[2]}`;
      question = prng.pick([`What is the average of ${xs[0]}, ${xs[1]} and ${xs[2]}?`, `Find the mean of ${xs.join(", ")}.`]);
      reasoning = `The sum is ${xs[0]! + xs[1]! + xs[2]!} and dividing by 3 gives ${fmt(result)}.`;
      finalThought = prng.pick([`The average is ${fmt(result)}.`, `The mean is ${fmt(result)}.`]);
      break;
    }
    case "combo": {
      const a = prng.range(6, 48), b = prng.range(2, 30), c = prng.range(1, 20);
      result = a * b + c;
      expr = `${a} * ${b} + ${c}`;
      what = `${a} times ${b} plus ${c}`;
      question = prng.pick([
        `A box holds ${a} items. How many items are in ${b} boxes plus ${c} loose ones?`,
        `What is ${a} times ${b}, plus ${c}?`,
        `A ticket costs ${a} dollars. What do ${b} tickets and a ${c} dollar fee cost?`,
      ]);
      reasoning = `${a} times ${b} is ${a * b}, and adding ${c} gives ${result}.`;
      finalThought = prng.pick([`The total is ${result}.`, `Altogether that makes ${result}.`]);
      break;
    }
  }
  const answer = fmt(result);
  const delta = prng.pick([-10, -1, 1, 10, 100]);
  const wrongValue = fmt(result + delta);
  return {
    question,
    user: chatUser(prng, question),
    steps: [calcStep(prng, expr, answer, what)],
    answer,
    finalThought,
    reasoning,
    response: prng.pick([`The answer is ${answer}.`, `${cap(what)} comes to ${answer}.`, `That works out to ${answer}.`]),
    solver: prng.pick([`${answer}, from #E1.`, `The calculator result #E1 is ${answer}.`, answer]),
    wrong: {
      answer: wrongValue,
      finalThought: `I think ${what} is ${wrongValue}.`,
      evaluation: prng.pick([`Incorrect: ${expr} is not ${wrongValue}.`, `The proposed answer ${wrongValue} is wrong.`, `Wrong. Recomputing gives a different value.`]),
      reflection: prng.pick(["I did the arithmetic in my head and slipped; I should use the calculator.", "I should not guess numbers; the calculator is exact.", "I made an arithmetic error. Next time I will compute it with the tool."]),
    },
  };
}

function capitalTask(prng: Prng): Task {
  const c = prng.pick(COUNTRIES);
  const question = prng.pick([`What is the capital of ${c.country}?`, `Which city is the capital of ${c.country}?`, `Name the capital city of ${c.country}.`, `What city is ${c.country}'s capital?`]);
  const observation = prng.pick([
    `${c.capital} is the capital of ${c.country}.`,
    `The capital of ${c.country} is ${c.capital}.`,
    `${c.country} (${c.continent}): capital ${c.capital}.`,
  ]);
  const wrongCity = c.largest ?? prng.pick(COUNTRIES.filter((o) => o.capital !== c.capital)).capital;
  return {
    question,
    user: chatUser(prng, question),
    steps: [searchStep(prng, `capital of ${c.country}`, observation, `the capital of ${c.country}`, `The capital of ${c.country} is ${c.capital}.`)],
    answer: c.capital,
    finalThought: prng.pick([`The capital of ${c.country} is ${c.capital}.`, `The search says ${c.capital}.`, ...GIVE_UP_FINAL]),
    reasoning: `The capital of ${c.country} is ${c.capital}${c.largest ? `, not ${c.largest}, its largest city` : ""}.`,
    response: prng.pick([`The capital of ${c.country} is ${c.capital}.`, `It's ${c.capital}.`]),
    solver: prng.pick([`${c.capital}, according to #E1.`, `#E1 says the capital is ${c.capital}.`, c.capital]),
    wrong: {
      answer: wrongCity,
      finalThought: `I believe the capital is ${wrongCity}.`,
      evaluation: c.largest
        ? `Incorrect: ${c.largest} is the largest city, but it is not the capital.`
        : `Incorrect: ${wrongCity} is not the capital of ${c.country}.`,
      reflection: prng.pick(["I confused a large city with the capital; I should check a source.", "I answered from memory. I should search before answering.", "I need to verify facts with a search instead of guessing."]),
    },
    vagueSearch: `${c.country} city`,
  };
}

function geographyTask(prng: Prng): Task {
  const kind = prng.pick(["height", "compare", "river", "landmark", "landmark-age"] as const);
  if (kind === "height") {
    const m = prng.pick(MOUNTAINS);
    const question = prng.pick([`How tall is ${m.name}?`, `What is the height of ${m.name}?`, `How high is ${m.name} in meters?`]);
    const obs = prng.pick([`${cap(m.name)} rises ${withCommas(m.meters)} meters above sea level.`, `${cap(m.name)}, in ${m.where}, is ${withCommas(m.meters)} m high.`]);
    const answer = `${withCommas(m.meters)} meters`;
    return {
      question, user: chatUser(prng, question),
      steps: [searchStep(prng, `${m.name} height`, obs, `the height of ${m.name}`, `${cap(m.name)} is ${answer} tall.`)],
      answer, finalThought: prng.pick([`${cap(m.name)} is ${answer} tall.`, ...GIVE_UP_FINAL]),
      reasoning: `${cap(m.name)} in ${m.where} is about ${answer} high.`,
      response: `${cap(m.name)} is ${answer} tall.`,
      solver: prng.pick([`${answer}, from #E1.`, answer]),
      wrong: { answer: `${withCommas(m.meters + 1000)} meters`, finalThought: `I recall about ${withCommas(m.meters + 1000)} meters.`, evaluation: "Incorrect: the height does not match the source.", reflection: "I trusted my memory for a number; I should search for it." },
      vagueSearch: `${m.name}`,
    };
  }
  if (kind === "compare") {
    const [a, b] = prng.shuffle([...MOUNTAINS]).slice(0, 2) as [typeof MOUNTAINS[number], typeof MOUNTAINS[number]];
    const [hi, lo] = a.meters >= b.meters ? [a, b] : [b, a];
    const diff = hi.meters - lo.meters;
    const question = prng.pick([`How much taller is ${hi.name} than ${lo.name}?`, `What is the height difference between ${hi.name} and ${lo.name}?`]);
    const answer = `${withCommas(diff)} meters`;
    return {
      question, user: chatUser(prng, question),
      steps: [
        searchStep(prng, `${hi.name} height`, `${cap(hi.name)} is ${withCommas(hi.meters)} m high.`, `the height of ${hi.name}`, `${cap(hi.name)} is ${withCommas(hi.meters)} meters.`),
        searchStep(prng, `${lo.name} height`, `${cap(lo.name)} is ${withCommas(lo.meters)} m high.`, `the height of ${lo.name}`, `${cap(lo.name)} is ${withCommas(lo.meters)} meters.`),
        calcStep(prng, `${hi.meters} - ${lo.meters}`, String(diff), "the difference", "#E1 - #E2"),
      ],
      answer, finalThought: prng.pick([`${cap(hi.name)} is ${answer} taller.`, `The difference is ${answer}.`]),
      reasoning: `${cap(hi.name)} is ${withCommas(hi.meters)} m and ${lo.name} is ${withCommas(lo.meters)} m, so the difference is ${withCommas(diff)} m.`,
      response: `${cap(hi.name)} is ${answer} taller than ${lo.name}.`,
      solver: prng.pick([`#E3 = ${diff}, so ${answer}.`, `${answer} (#E1 minus #E2).`]),
      wrong: { answer: `${withCommas(diff + 100)} meters`, finalThought: "I estimated the difference.", evaluation: "Incorrect: the subtraction is off.", reflection: "I should look up both heights and subtract with the calculator." },
    };
  }
  if (kind === "river") {
    const r = prng.pick(RIVERS);
    const question = prng.pick([`How long is ${r.name}?`, `What is the length of ${r.name}?`]);
    const answer = `About ${withCommas(r.km)} km`;
    return {
      question, user: chatUser(prng, question),
      steps: [searchStep(prng, `${r.name.replace(/^the /, "")} river length`, `${cap(r.name)} is about ${withCommas(r.km)} km long.`, `the length of ${r.name}`, `${cap(r.name)} is about ${withCommas(r.km)} km long.`)],
      answer, finalThought: prng.pick([`${cap(r.name)} is about ${withCommas(r.km)} km long.`, ...GIVE_UP_FINAL]),
      reasoning: `${cap(r.name)} is roughly ${withCommas(r.km)} kilometers long.`,
      response: `${cap(r.name)} is about ${withCommas(r.km)} kilometers long.`,
      solver: prng.pick([`${answer}, per #E1.`, answer]),
      wrong: { answer: `About ${withCommas(Math.round(r.km * 1.5))} km`, finalThought: "I think it is longer than most rivers.", evaluation: "Incorrect: the source gives a different length.", reflection: "I should search instead of estimating." },
      vagueSearch: `longest rivers`,
    };
  }
  const l = prng.pick(LANDMARKS);
  if (kind === "landmark") {
    const question = prng.pick([`In what year was the ${l.name} ${l.verb}?`, `When was the ${l.name} ${l.verb}?`]);
    return {
      question, user: chatUser(prng, question),
      steps: [searchStep(prng, `${l.name} ${l.verb} year`, `The ${l.name} was ${l.verb} in ${l.year}.`, `when the ${l.name} was ${l.verb}`, `It was ${l.verb} in ${l.year}.`)],
      answer: String(l.year), finalThought: prng.pick([`The ${l.name} was ${l.verb} in ${l.year}.`, ...GIVE_UP_FINAL]),
      reasoning: `The ${l.name} was ${l.verb} in ${l.year}.`,
      response: `The ${l.name} was ${l.verb} in ${l.year}.`,
      solver: prng.pick([`${l.year}, from #E1.`, String(l.year)]),
      wrong: { answer: String(l.year + 10), finalThought: `I think it was ${l.year + 10}.`, evaluation: "Incorrect: the year does not match the search result.", reflection: "Dates are easy to misremember; I should search first." },
      vagueSearch: `${l.name}`,
    };
  }
  const today = randomDate(prng, 2024, 2026);
  const years = today.getUTCFullYear() - l.year;
  const question = `How many years ago was the ${l.name} ${l.verb}?`;
  return {
    question, user: chatUser(prng, question),
    steps: [
      searchStep(prng, `${l.name} ${l.verb} year`, `The ${l.name} was ${l.verb} in ${l.year}.`, `when the ${l.name} was ${l.verb}`, `It was ${l.verb} in ${l.year}.`),
      clockStep(prng, "today", isoDate(today), "today's date", `Today is ${isoDate(today)}.`),
      calcStep(prng, `${today.getUTCFullYear()} - ${l.year}`, String(years), "the number of years", `${today.getUTCFullYear()} - #E1`),
    ],
    answer: `${years} years`, finalThought: `It was ${l.verb} ${years} years ago.`,
    reasoning: `It was ${l.verb} in ${l.year}, and it is now ${today.getUTCFullYear()}, so ${years} years ago.`,
    response: `The ${l.name} was ${l.verb} in ${l.year}, ${years} years ago.`,
    solver: `${years} years (#E2 minus #E1).`,
    wrong: { answer: `${years - 1} years`, finalThought: "I assumed last year's date.", evaluation: "Incorrect: I used the wrong current year.", reflection: "I should check today's date with the clock." },
  };
}

function dateTask(prng: Prng): Task {
  const kind = prng.pick(["weekday", "between", "add", "now", "today", "age"] as const);
  if (kind === "weekday") {
    const d = randomDate(prng, 1990, 2035);
    const wd = WEEKDAYS[d.getUTCDay()]!;
    const question = prng.pick([`What day of the week is ${isoDate(d)}?`, `Which weekday was ${longDate(d)}?`, `On what day of the week does ${longDate(d)} fall?`]);
    const wrong = WEEKDAYS[(d.getUTCDay() + 1) % 7]!;
    return {
      question, user: chatUser(prng, question),
      steps: [clockStep(prng, `weekday ${isoDate(d)}`, wd, `the weekday of ${isoDate(d)}`, `${isoDate(d)} is a ${wd}.`)],
      answer: wd, finalThought: prng.pick([`${isoDate(d)} is a ${wd}.`, ...GIVE_UP_FINAL]),
      reasoning: `Counting from a known date, ${isoDate(d)} falls on a ${wd}.`,
      response: `${longDate(d)} is a ${wd}.`,
      solver: prng.pick([`${wd}, from #E1.`, wd]),
      wrong: { answer: wrong, finalThought: `I counted the days and got ${wrong}.`, evaluation: "Incorrect: I was off by one day.", reflection: "Counting days by hand is error-prone; I should ask the clock." },
    };
  }
  if (kind === "between") {
    const a = randomDate(prng, 2015, 2030), n = prng.range(2, 400), b = addDays(a, n);
    const question = prng.pick([`How many days are there between ${isoDate(a)} and ${isoDate(b)}?`, `How many days from ${longDate(a)} to ${longDate(b)}?`]);
    return {
      question, user: chatUser(prng, question),
      steps: [clockStep(prng, `days_between ${isoDate(a)} ${isoDate(b)}`, String(n), "the number of days", `There are ${n} days between them.`)],
      answer: `${n} days`, finalThought: prng.pick([`There are ${n} days between the dates.`, ...GIVE_UP_FINAL]),
      reasoning: `Counting month by month from ${isoDate(a)} to ${isoDate(b)} gives ${n} days.`,
      response: `There are ${n} days between ${longDate(a)} and ${longDate(b)}.`,
      solver: prng.pick([`${n} days, from #E1.`, `${n} days.`]),
      wrong: { answer: `${n + 1} days`, finalThought: `I count ${n + 1} days.`, evaluation: "Incorrect: I counted both end dates.", reflection: "I should use the clock to count days between dates." },
    };
  }
  if (kind === "add") {
    const a = randomDate(prng, 2015, 2030), n = prng.range(1, 200), b = addDays(a, n);
    const question = prng.pick([`What date is ${n} days after ${isoDate(a)}?`, `If a trial starts on ${longDate(a)} and lasts ${n} days, when does it end?`]);
    return {
      question, user: chatUser(prng, question),
      steps: [clockStep(prng, `add_days ${isoDate(a)} ${n}`, isoDate(b), `the date ${n} days later`, `${n} days after ${isoDate(a)} is ${isoDate(b)}.`)],
      answer: isoDate(b), finalThought: prng.pick([`The date is ${isoDate(b)}.`, ...GIVE_UP_FINAL]),
      reasoning: `Adding ${n} days to ${isoDate(a)} lands on ${isoDate(b)}.`,
      response: `That is ${longDate(b)}.`,
      solver: prng.pick([`${isoDate(b)}, from #E1.`, isoDate(b)]),
      wrong: { answer: isoDate(addDays(b, 1)), finalThought: "I added the days by hand.", evaluation: "Incorrect: the date is one day late.", reflection: "I should let the clock do date arithmetic." },
    };
  }
  if (kind === "now" || kind === "today") {
    const tz = prng.pick(TIMEZONES);
    const d = randomDate(prng, 2024, 2026);
    const hh = String(prng.range(0, 23)).padStart(2, "0"), mm = String(prng.range(0, 59)).padStart(2, "0");
    if (kind === "today") {
      const question = prng.pick(["What is today's date?", "What's the date today?", "Which day of the week is it today?"]);
      const weekdayQ = question.startsWith("Which");
      const wd = WEEKDAYS[d.getUTCDay()]!;
      const answer = weekdayQ ? wd : isoDate(d);
      return {
        question, user: chatUser(prng, question),
        steps: [clockStep(prng, "today", `${isoDate(d)} (${wd})`, "today's date", `Today is ${wd}, ${isoDate(d)}.`)],
        answer, finalThought: `Today is ${wd}, ${isoDate(d)}.`,
        reasoning: "I cannot know the date without a clock, so I have to check it.",
        response: `Today is ${wd}, ${longDate(d)}.`,
        solver: prng.pick([`${answer}, from #E1.`, answer]),
        wrong: { answer: weekdayQ ? WEEKDAYS[(d.getUTCDay() + 6) % 7]! : isoDate(addDays(d, -1)), finalThought: "I guessed the date.", evaluation: "Incorrect: that was yesterday.", reflection: "I should read the clock instead of guessing." },
      };
    }
    const question = prng.pick([`What time is it in ${tz.city}?`, `What is the current time in ${tz.city}?`, `Is it morning or evening in ${tz.city} right now?`]);
    const morning = Number(hh) < 12;
    const answer = question.startsWith("Is") ? `${morning ? "Morning" : "Evening"}, it is ${hh}:${mm}` : `${hh}:${mm} ${tz.abbr}`;
    return {
      question, user: chatUser(prng, question),
      steps: [clockStep(prng, `now ${tz.zone}`, `${isoDate(d)} ${hh}:${mm} ${tz.abbr}`, `the time in ${tz.city}`, `It is ${hh}:${mm} in ${tz.city}.`)],
      answer, finalThought: `It is ${hh}:${mm} in ${tz.city}.`,
      reasoning: "The current time changes, so I have to ask the clock.",
      response: `It's ${hh}:${mm} in ${tz.city} right now.`,
      solver: prng.pick([`${hh}:${mm} ${tz.abbr}, from #E1.`, `${hh}:${mm}`]),
      wrong: { answer: `${String((Number(hh) + 1) % 24).padStart(2, "0")}:${mm} ${tz.abbr}`, finalThought: "I converted the time zone myself.", evaluation: "Incorrect: the time zone offset is wrong.", reflection: `I should ask the clock for ${tz.zone} directly.` },
    };
  }
  const born = randomDate(prng, 1950, 2015), today = randomDate(prng, 2024, 2026);
  const days = Math.round((today.getTime() - born.getTime()) / 86400000);
  const question = `How many days old is someone born on ${isoDate(born)}?`;
  return {
    question, user: chatUser(prng, question),
    steps: [
      clockStep(prng, "today", isoDate(today), "today's date", `Today is ${isoDate(today)}.`),
      { ...clockStep(prng, `days_between ${isoDate(born)} ${isoDate(today)}`, String(days), "the days since the birth date", `That is ${withCommas(days)} days.`), rewooInput: `days_between ${isoDate(born)} #E1` },
    ],
    answer: `${withCommas(days)} days`, finalThought: `They are ${withCommas(days)} days old.`,
    reasoning: "I need today's date before I can count the days.",
    response: `Someone born on ${longDate(born)} is ${withCommas(days)} days old today.`,
    solver: `${withCommas(days)} days (#E2).`,
    wrong: { answer: `${withCommas(days - 365)} days`, finalThought: "I used last year's date.", evaluation: "Incorrect: the current date was wrong.", reflection: "I should get today's date from the clock first." },
  };
}

function conversionTask(prng: Prng): Task {
  const c = prng.pick(CONVERSIONS);
  const x = c.decimals && prng.chance(0.3) ? prng.range(c.lo * 10, c.hi * 10) / 10 : prng.range(c.lo, c.hi);
  let expr: string, value: number, how: string;
  if (c.kind === "factor") {
    expr = `${x} * ${c.factor}`;
    value = x * c.factor!;
    how = `One ${c.from.replace(/s$/, "").replace(/^feet$/, "foot").replace(/^inche$/, "inch")} is ${c.factor} ${c.to}, so I multiply by ${c.factor}.`;
  } else if (c.kind === "f2c") {
    expr = `(${x} - 32) * 5 / 9`;
    value = ((x - 32) * 5) / 9;
    how = "To convert Fahrenheit to Celsius I subtract 32 and multiply by 5/9.";
  } else {
    expr = `${x} * 9 / 5 + 32`;
    value = (x * 9) / 5 + 32;
    how = "To convert Celsius to Fahrenheit I multiply by 9/5 and add 32.";
  }
  const obs = fmt(value, 6);
  const rounded = fmt(Math.round(value * 100) / 100, 2);
  const question = prng.pick([
    `How many ${c.to} are in ${x} ${c.from}?`,
    `Convert ${x} ${c.from} to ${c.to}.`,
    `What is ${x} ${c.from} in ${c.to}?`,
  ]);
  const answer = `About ${rounded} ${c.to}`;
  const step = calcStep(prng, expr, obs, `${x} ${c.from} in ${c.to}`);
  step.thought = prng.pick([how, step.thought, `I need to convert ${c.from} to ${c.to}.`]);
  return {
    question, user: chatUser(prng, question),
    steps: [step],
    answer, finalThought: prng.pick([`${x} ${c.from} is about ${rounded} ${c.to}.`, `The calculator gives ${obs}, about ${rounded}.`]),
    reasoning: `${how} ${x} ${c.from} is about ${rounded} ${c.to}.`,
    response: `${x} ${c.from} is about ${rounded} ${c.to}.`,
    solver: prng.pick([`About ${rounded} ${c.to}, from #E1.`, answer]),
    wrong: { answer: `About ${fmt(Math.round(x * 100) / 100, 2)} ${c.to}`, finalThought: "I forgot to apply the conversion.", evaluation: "Incorrect: the number was not converted.", reflection: `I must convert ${c.from} to ${c.to} before answering.` },
  };
}

function documentTask(prng: Prng): Task {
  const kind = prng.pick(["hotel", "leave", "revenue", "growth", "owner", "incident", "release"] as const);
  const person = `${prng.pick(FIRST)} ${prng.pick(LAST)}`;
  const project = prng.pick(PROJECTS);
  const simple = (question: string, query: string, obs: string, what: string, answer: string, finding: string, vague: string): Task => ({
    question, user: chatUser(prng, question),
    steps: [searchStep(prng, query, obs, what, finding)],
    answer, finalThought: prng.pick([finding, `The document says ${answer}.`, ...GIVE_UP_FINAL]),
    reasoning: "This is in an internal document, so I would need to look it up.",
    response: finding,
    solver: prng.pick([`${answer}, according to #E1.`, answer]),
    wrong: { answer: "I could not find it", finalThought: "The document does not seem to exist.", evaluation: "Incorrect: the information is in the documents.", reflection: "My search query was too vague; I should use the document's words." },
    vagueSearch: vague,
  });
  switch (kind) {
    case "hotel": {
      const limit = prng.range(12, 30) * 10, meals = prng.range(8, 18) * 5;
      return simple(
        prng.pick(["According to the travel policy, what is the hotel limit per night?", "How much can I spend on a hotel per night on a business trip?"]),
        "travel policy hotel limit",
        `travel-policy.md: Hotel stays are reimbursed up to ${money(limit)} per night; meals up to ${money(meals)} per day.`,
        "the travel policy's hotel limit", `${money(limit)} per night`, `The hotel limit is ${money(limit)} per night.`, "hotel",
      );
    }
    case "leave": {
      const days = prng.range(18, 30);
      return simple(
        prng.pick(["How many days of paid leave do new employees get?", "What does the onboarding guide say about paid leave?"]),
        "onboarding guide paid leave",
        `onboarding-guide.md: New employees receive ${days} days of paid leave per year.`,
        "the paid leave policy", `${days} days per year`, `New employees get ${days} days of paid leave a year.`, "leave",
      );
    }
    case "revenue": {
      const q = prng.range(1, 4), year = prng.range(2019, 2025), rev = prng.range(12, 98) / 10;
      return simple(
        `What was the revenue in Q${q} ${year}?`,
        `Q${q} ${year} revenue report`,
        `q${q}-${year}-report.pdf: Revenue for Q${q} ${year} was $${rev.toFixed(1)} million.`,
        `the Q${q} ${year} revenue`, `$${rev.toFixed(1)} million`, `Revenue in Q${q} ${year} was $${rev.toFixed(1)} million.`, "revenue",
      );
    }
    case "growth": {
      const year = prng.range(2019, 2025), a = prng.range(20, 80) / 10, b = prng.range(20, 80) / 10;
      const pct = Math.round(((b - a) / a) * 1000) / 10;
      const question = `By what percentage did revenue change from Q2 to Q3 ${year}?`;
      return {
        question, user: chatUser(prng, question),
        steps: [
          searchStep(prng, `Q2 ${year} revenue report`, `q2-${year}-report.pdf: Revenue for Q2 ${year} was $${a.toFixed(1)} million.`, `the Q2 ${year} revenue`, `Q2 revenue was $${a.toFixed(1)} million.`),
          searchStep(prng, `Q3 ${year} revenue report`, `q3-${year}-report.pdf: Revenue for Q3 ${year} was $${b.toFixed(1)} million.`, `the Q3 ${year} revenue`, `Q3 revenue was $${b.toFixed(1)} million.`),
          calcStep(prng, `(${b.toFixed(1)} - ${a.toFixed(1)}) / ${a.toFixed(1)} * 100`, fmt(((b - a) / a) * 100, 4), "the percentage change", "(#E2 - #E1) / #E1 * 100"),
        ],
        answer: `${pct > 0 ? "+" : ""}${fmt(pct, 1)}%`,
        finalThought: `Revenue went from $${a.toFixed(1)} million to $${b.toFixed(1)} million, a change of ${fmt(pct, 1)}%.`,
        reasoning: "I need both quarterly figures from the reports before I can compute the change.",
        response: `Revenue changed by ${fmt(pct, 1)}% from Q2 to Q3 ${year}.`,
        solver: `${fmt(pct, 1)}%, computed in #E3 from #E1 and #E2.`,
        wrong: { answer: `${fmt(Math.round((b - a) * 10) / 10, 1)}%`, finalThought: "I subtracted the two figures.", evaluation: "Incorrect: that is the difference in millions, not a percentage.", reflection: "A percentage change must be divided by the starting value." },
      };
    }
    case "owner":
      return simple(
        prng.pick([`Who owns the design doc for Project ${project}?`, `Who wrote the Project ${project} design document?`]),
        `Project ${project} design doc`,
        `project-${project.toLowerCase()}-design.md: Owner: ${person}. Status: ${prng.pick(STATUSES)}.`,
        `the owner of the Project ${project} design doc`, person, `${person} owns the Project ${project} design doc.`, `design doc`,
      );
    case "incident": {
      const month = prng.pick(MONTHS), cause = prng.pick(CAUSES);
      return simple(
        prng.pick([`What caused the ${month} outage?`, `According to the incident report, why did the service go down in ${month}?`]),
        `${month} outage incident report`,
        `incident-${month.toLowerCase()}.md: The outage was caused by ${cause}.`,
        `the cause of the ${month} outage`, cap(cause), `The ${month} outage was caused by ${cause}.`, "outage",
      );
    }
    case "release": {
      const when = randomDate(prng, 2024, 2026), version = `${prng.range(1, 6)}.${prng.range(0, 12)}`;
      return simple(
        prng.pick(["When is the next release planned, according to the meeting notes?", `When will version ${version} ship?`]),
        `release date version ${version} meeting notes`,
        `meeting-notes.md: The team agreed to ship version ${version} on ${isoDate(when)}.`,
        "the planned release date", isoDate(when), `Version ${version} is planned for ${longDate(when)}.`, "release",
      );
    }
  }
}

function randomTask(prng: Prng): Task {
  const r = prng.next();
  if (r < 0.25) return arithmeticTask(prng);
  if (r < 0.4) return capitalTask(prng);
  if (r < 0.55) return geographyTask(prng);
  if (r < 0.72) return dateTask(prng);
  if (r < 0.85) return conversionTask(prng);
  return documentTask(prng);
}

// ---------------------------------------------------------------------------------------------
// Trace shapes.

function seg(kind: SegmentKind, content: string): Segment {
  if (content.includes("\n")) throw new Error(`corpus: ${kind} content contains a newline: ${JSON.stringify(content)}`);
  if (Buffer.byteLength(content, "utf8") > MAX_CONTENT_BYTES) throw new Error(`corpus: ${kind} content is longer than ${MAX_CONTENT_BYTES} bytes: ${content}`);
  return { kind, content };
}

function failedSearch(prng: Prng, task: Task): Step | undefined {
  if (task.vagueSearch === undefined) return undefined;
  return {
    tool: "search",
    input: task.vagueSearch,
    observation: prng.pick([`No results found for "${task.vagueSearch}".`, "No relevant results.", `Too many results for "${task.vagueSearch}"; try a more specific query.`]),
    thought: task.steps[0]!.thought,
    plan: task.steps[0]!.plan,
    summary: "The first search found nothing useful.",
  };
}

/** The task's steps, sometimes preceded by a search that finds nothing or followed by a re-check. */
function reactSteps(prng: Prng, task: Task, max: number): Step[] {
  const steps = [...task.steps];
  const failed = prng.chance(0.2) ? failedSearch(prng, task) : undefined;
  if (failed) {
    steps.unshift(failed);
    steps[1] = { ...steps[1]!, thought: prng.pick(["I should try a more specific query.", "That did not help; let me refine the search.", `Let me search again with better words.`]) };
  }
  if (prng.chance(0.1)) {
    const last = steps[steps.length - 1]!;
    steps.push({ ...last, thought: prng.pick(["Let me double-check that result.", "I will verify it once more.", "To be safe, I will repeat the last call."]) });
  }
  return steps.slice(0, max);
}

function toolSegments(steps: Step[]): Segment[] {
  return steps.flatMap((s) => [seg("thought", s.thought), seg("action", s.tool), seg("action_input", toolArguments(s.tool, s.input)), seg("observation", s.observation)]);
}

function directTrace(task: Task): Segment[] {
  return [seg("question", task.question), seg("answer", task.answer)];
}

function cotTrace(task: Task): Segment[] {
  return [seg("question", task.question), seg("thought", task.reasoning), seg("answer", task.answer)];
}

function reactTrace(prng: Prng, task: Task): Segment[] {
  if (prng.chance(0.08)) {
    return [seg("question", task.question), seg("final_thought", task.reasoning), seg("answer", task.answer)];
  }
  return [seg("question", task.question), ...toolSegments(reactSteps(prng, task, 5)), seg("final_thought", task.finalThought), seg("answer", task.answer)];
}

function reflexionTrace(prng: Prng, task: Task): Segment[] {
  const rounds = prng.pick([0, 1, 1, 1, 2, 2, 2]);
  const out: Segment[] = [seg("question", task.question)];
  if (rounds === 2) {
    out.push(
      seg("final_thought", task.wrong.finalThought),
      seg("proposed_answer", task.wrong.answer),
      seg("evaluator", task.wrong.evaluation),
      seg("reflection", task.wrong.reflection),
    );
  }
  if (rounds >= 1) {
    out.push(
      ...toolSegments(reactSteps(prng, task, 3)),
      seg("final_thought", task.finalThought),
      seg("proposed_answer", task.answer),
      seg("evaluator", prng.pick(POSITIVE_EVALUATIONS)),
      seg("reflection", prng.pick(POSITIVE_REFLECTIONS)),
    );
  }
  out.push(seg("answer", task.answer));
  return out;
}

function rewooTrace(prng: Prng, task: Task): Segment[] {
  const out: Segment[] = [seg("question", task.question)];
  task.steps.slice(0, 5).forEach((s, i) => {
    out.push(seg("plan", s.plan), seg("action_label", `#E${i + 1}`), seg("action", s.tool), seg("action_input", toolArguments(s.tool, s.rewooInput ?? s.input)));
  });
  if (task.steps.length < 5 && prng.chance(0.1)) {
    const s = task.steps[task.steps.length - 1]!;
    const i = task.steps.length + 1;
    out.push(seg("plan", prng.pick(["Double-check the last result.", "Verify the previous step."])), seg("action_label", `#E${i}`), seg("action", s.tool), seg("action_input", toolArguments(s.tool, s.rewooInput ?? s.input)));
  }
  out.push(seg("solver", task.solver));
  return out;
}

function passTrace(prng: Prng, task: Task): Segment[] {
  const out: Segment[] = [seg("question", task.question)];
  if (!prng.chance(0.08)) {
    // Group steps into rounds: usually one call per round, sometimes two calls in one round.
    const steps = reactSteps(prng, task, 5);
    let i = 0;
    let rounds = 0;
    if (prng.chance(0.1)) {
      out.push(seg("plan", "Think about what information is needed."), seg("summarize", prng.pick(["I need to use a tool for this.", task.reasoning])));
      rounds++;
    }
    while (i < steps.length && rounds < 5) {
      const take = i + 1 < steps.length && prng.chance(0.3) ? 2 : 1;
      const group = steps.slice(i, i + take);
      out.push(seg("plan", group[0]!.plan));
      for (const s of group) out.push(seg("action", s.tool), seg("action_input", toolArguments(s.tool, s.input)));
      const joined = group.map((s) => s.summary).join(" ");
      out.push(seg("summarize", Buffer.byteLength(joined, "utf8") <= MAX_CONTENT_BYTES ? joined : group[0]!.summary));
      i += take;
      rounds++;
    }
  }
  out.push(seg("final_thought", task.finalThought), seg("answer", task.answer));
  return out;
}

function chatTrace(prng: Prng, task: Task): Segment[] {
  const steps = prng.chance(0.1) ? [] : reactSteps(prng, task, 6);
  return [seg("user_problem", task.user), ...toolSegments(steps), seg("final_response", task.response)];
}

const SHAPE_WEIGHTS: readonly [TraceShape, number][] = [
  ["direct", 0.07], ["cot", 0.1], ["react", 0.3], ["reflexion", 0.12], ["rewoo", 0.13], ["pass", 0.13], ["chat", 0.15],
];

function pickShape(prng: Prng): TraceShape {
  let r = prng.next();
  for (const [shape, w] of SHAPE_WEIGHTS) {
    if (r < w) return shape;
    r -= w;
  }
  return "react";
}

export function generateTrace(prng: Prng, shape: TraceShape = pickShape(prng)): Trace {
  const task = randomTask(prng);
  let segments: Segment[];
  switch (shape) {
    case "direct": segments = directTrace(task); break;
    case "cot": segments = cotTrace(task); break;
    case "react": segments = reactTrace(prng, task); break;
    case "reflexion": segments = reflexionTrace(prng, task); break;
    case "rewoo": segments = rewooTrace(prng, task); break;
    case "pass": segments = passTrace(prng, task); break;
    case "chat": segments = chatTrace(prng, task); break;
  }
  return { shape, segments };
}

export interface CorpusOptions {
  seed?: number;
  count?: number;
}

export const DEFAULT_CORPUS_SEED = 20250501;
export const DEFAULT_CORPUS_SIZE = 3000;

/** `count` traces, the same ones for the same seed. */
export function generateCorpus(options: CorpusOptions = {}): Trace[] {
  const prng = new Prng(options.seed ?? DEFAULT_CORPUS_SEED);
  const count = options.count ?? DEFAULT_CORPUS_SIZE;
  const out: Trace[] = [];
  for (let i = 0; i < count; i++) out.push(generateTrace(prng));
  return out;
}

/** The last `fraction` of the traces are held out (for measuring a fitted model). */
export function splitCorpus<T>(traces: readonly T[], heldOutFraction = 0.1): { train: T[]; heldOut: T[] } {
  const cut = traces.length - Math.max(1, Math.round(traces.length * heldOutFraction));
  return { train: traces.slice(0, cut), heldOut: traces.slice(cut) };
}
