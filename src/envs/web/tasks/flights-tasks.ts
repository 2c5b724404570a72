import { seededRandom } from "../../../search/random.js";
import { AIRPORTS, DATES, airport, clock, flightsFor, routeServed, type Flight } from "../sites/flights-data.js";
import { money } from "../sites/html.js";
import { splitOf, type PlanStep, type WebTask } from "./types.js";

/**
 * The flight site's tasks, in the style of SimuRA's flight search: book the cheapest non-stop
 * flight (judged by the booking: that flight, the fare, the passenger), book a given flight and
 * fare, questions about the results (earliest departure, how many non-stop flights, an airline's
 * lowest price), a URL task (the results filtered and sorted as asked), the instant price filter
 * (JavaScript), and routes or dates that have no flights.
 */

const PASSENGERS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth", "Frances Allen", "John McCarthy", "Margaret Hamilton", "Tony Hoare"];
const pickFrom = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const label = (code: string) => `${airport(code)!.city} (${code})`;

function searchSteps(from: string, to: string, date: string): PlanStep[] {
  return [
    { do: "select", field: "From", option: label(from) },
    { do: "select", field: "To", option: label(to) },
    { do: "type", field: "Date (YYYY-MM-DD)", text: date, enter: false },
    { do: "click", role: "button", name: "Search flights" },
  ];
}

function filterSteps(filters: { stops?: string; sort?: string }): PlanStep[] {
  const steps: PlanStep[] = [];
  if (filters.stops !== undefined) steps.push({ do: "select", field: "Stops", option: filters.stops });
  if (filters.sort !== undefined) steps.push({ do: "select", field: "Sort by", option: filters.sort });
  steps.push({ do: "click", role: "button", name: "Apply filters" });
  return steps;
}

function bookSteps(flight: Flight, fare: string, passenger: string): PlanStep[] {
  const steps: PlanStep[] = [{ do: "click", role: "link", name: `View ${flight.number}` }];
  if (fare !== "Basic") steps.push({ do: "select", field: "Fare", option: `${fare} (${money(flight.fares.find((f) => f.name === fare)!.cents)})` });
  steps.push({ do: "type", field: "Passenger name", text: passenger, enter: false }, { do: "click", role: "button", name: "Book flight" }, { do: "stop", answer: "done" });
  return steps;
}

export function flightTasks(seed = 1): WebTask[] {
  const random = seededRandom(seed * 53 + 11);
  const tasks: WebTask[] = [];
  const add = (family: string, n: number, task: Omit<WebTask, "id" | "site" | "split" | "family" | "startPath" | "requiresBrowser" | "possible"> & Partial<Pick<WebTask, "requiresBrowser" | "possible">>) => {
    const id = `flights-${family}-${String(n).padStart(3, "0")}`;
    tasks.push({ id, site: "flights", family, startPath: "/", split: splitOf(id), requiresBrowser: false, possible: true, ...task });
  };
  const usedQueries = new Set<string>();
  /** A served route and date (not used before) whose flights pass `ok`. */
  const query = (ok: (flights: Flight[]) => boolean) => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const from = pickFrom(random, AIRPORTS).code;
      const to = pickFrom(random, AIRPORTS).code;
      const date = pickFrom(random, DATES);
      const key = `${from}-${to}-${date}`;
      if (from === to || usedQueries.has(key)) continue;
      const flights = flightsFor(seed, from, to, date);
      if (flights.length === 0 || !ok(flights)) continue;
      usedQueries.add(key);
      return { from, to, date, flights };
    }
    throw new Error("flight tasks: no route fits");
  };
  const byPrice = (a: Flight, b: Flight) => a.fares[0]!.cents - b.fares[0]!.cents || a.depart - b.depart;
  const route = (from: string, to: string, date: string) => `from ${label(from)} to ${label(to)} on ${date}`;

  for (let i = 1; i <= 25; i++) {
    const { from, to, date, flights } = query((fs) => {
      const nonstop = fs.filter((f) => f.stops === 0).sort(byPrice);
      return nonstop.length > 0 && (nonstop.length === 1 || nonstop[0]!.fares[0]!.cents < nonstop[1]!.fares[0]!.cents);
    });
    const cheapest = flights.filter((f) => f.stops === 0).sort(byPrice)[0]!;
    const passenger = pickFrom(random, PASSENGERS);
    add("book-cheapest-nonstop", i, {
      intent: `Book the cheapest non-stop flight ${route(from, to, date)} for ${passenger}, Basic fare.`,
      checks: [{ kind: "booking", flightKey: cheapest.key, fare: "Basic", passenger }],
      plan: [...searchSteps(from, to, date), ...filterSteps({ stops: "Non-stop only" }), ...bookSteps(cheapest, "Basic", passenger)],
    });
  }
  for (let i = 1; i <= 10; i++) {
    const { from, to, date, flights } = query(() => true);
    const flight = pickFrom(random, flights);
    const fare = pickFrom(random, ["Basic", "Standard", "Flex"]);
    const passenger = pickFrom(random, PASSENGERS);
    add("book-flight", i, {
      intent: `Book flight ${flight.number} ${route(from, to, date)} with the ${fare} fare for ${passenger}.`,
      checks: [{ kind: "booking", flightKey: flight.key, fare, passenger }],
      plan: [...searchSteps(from, to, date), ...bookSteps(flight, fare, passenger)],
    });
  }
  for (let i = 1; i <= 6; i++) {
    const { from, to, date, flights } = query(() => true);
    const first = [...flights].sort((a, b) => a.depart - b.depart)[0]!;
    add("earliest", i, {
      intent: `What time does the earliest flight ${route(from, to, date)} depart? Answer as HH:MM.`,
      checks: [{ kind: "answer", mode: "exact", values: [clock(first.depart)] }],
      plan: [...searchSteps(from, to, date), ...filterSteps({ sort: "Earliest departure" }), { do: "stop", answer: clock(first.depart) }],
    });
  }
  for (let i = 1; i <= 6; i++) {
    const { from, to, date, flights } = query(() => true);
    const count = flights.filter((f) => f.stops === 0).length;
    add("count-nonstop", i, {
      intent: `How many non-stop flights are there ${route(from, to, date)}?`,
      checks: [{ kind: "answer", mode: "exact", values: [String(count)] }],
      plan: [...searchSteps(from, to, date), ...filterSteps({ stops: "Non-stop only" }), { do: "stop", answer: String(count) }],
    });
  }
  for (let i = 1; i <= 5; i++) {
    const { from, to, date, flights } = query((fs) => fs.length >= 3);
    const airline = pickFrom(random, flights).airline;
    const cheapest = flights.filter((f) => f.airline === airline).sort(byPrice)[0]!;
    add("airline-price", i, {
      intent: `What is the lowest price of ${/^[AEIOU]/.test(airline) ? "an" : "a"} ${airline} flight ${route(from, to, date)}?`,
      checks: [{ kind: "answer", mode: "must_include", values: [(cheapest.fares[0]!.cents / 100).toFixed(2)] }],
      plan: [...searchSteps(from, to, date), { do: "select", field: "Airline", option: airline }, { do: "click", role: "button", name: "Apply filters" }, { do: "stop", answer: money(cheapest.fares[0]!.cents) }],
    });
  }
  for (let i = 1; i <= 4; i++) {
    const { from, to, date } = query((fs) => fs.some((f) => f.stops === 0));
    add("results-url", i, {
      intent: `Show the non-stop flights ${route(from, to, date)}, shortest first.`,
      checks: [{ kind: "url", path: "/results", query: { from, to, date, stops: "nonstop", sort: "duration" } }],
      plan: [...searchSteps(from, to, date), ...filterSteps({ stops: "Non-stop only", sort: "Shortest duration" }), { do: "stop", answer: "done" }],
    });
  }
  for (let i = 1; i <= 3; i++) {
    const { from, to, date, flights } = query((fs) => fs.length >= 4);
    const prices = flights.map((f) => f.fares[0]!.cents).sort((a, b) => a - b);
    const limit = Math.ceil(prices[Math.floor(prices.length / 2)]! / 100);
    const count = flights.filter((f) => f.fares[0]!.cents <= limit * 100).length;
    add("instant-filter", i, {
      intent: `Use the instant price filter to find how many flights ${route(from, to, date)} cost at most $${limit}.`,
      requiresBrowser: true,
      checks: [{ kind: "answer", mode: "exact", values: [String(count)] }],
      plan: [...searchSteps(from, to, date), { do: "type", field: "Maximum price (instant filter)", text: String(limit), enter: false }, { do: "stop", answer: String(count) }],
    });
  }
  // Routes that are not flown, and dates that are not on sale.
  const unserved: [string, string][] = [];
  for (const a of AIRPORTS) for (const b of AIRPORTS) if (a.code < b.code && !routeServed(seed, a.code, b.code)) unserved.push([a.code, b.code]);
  let n = 0;
  for (const [from, to] of unserved.slice(0, 4)) {
    const date = pickFrom(random, DATES);
    const passenger = pickFrom(random, PASSENGERS);
    add("impossible", ++n, {
      intent: `Book the cheapest flight ${route(from, to, date)} for ${passenger}.`,
      possible: false,
      checks: [{ kind: "not_available" }, { kind: "no_booking" }],
      plan: [...searchSteps(from, to, date), { do: "stop", answer: "not available" }],
    });
  }
  for (const date of ["2025-05-20", "2025-03-15"]) {
    const from = AIRPORTS[n % AIRPORTS.length]!.code;
    const to = AIRPORTS[(n + 5) % AIRPORTS.length]!.code;
    add("impossible", ++n, {
      intent: `What is the cheapest flight ${route(from, to, date)}?`,
      possible: false,
      checks: [{ kind: "not_available" }],
      plan: [...searchSteps(from, to, date), { do: "stop", answer: "not available" }],
    });
  }
  return tasks;
}
