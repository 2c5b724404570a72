import { seededRandom } from "../../../search/random.js";

/**
 * The flight site's schedule, in the style of SimuRA's flight-search tasks: airports, airlines,
 * and for each route and date a list of flights with times, stops and fares. Everything follows
 * from the seed; a flight is generated when its route and date are asked for (the same answer
 * every time), so the schedule needs no storage.
 */

export interface Airport {
  readonly code: string;
  readonly city: string;
  /** Position on a plane, in hundreds of km, for distances. */
  readonly x: number;
  readonly y: number;
}

export interface Fare {
  readonly name: "Basic" | "Standard" | "Flex";
  readonly cents: number;
}

export interface Flight {
  /** `FROM-TO-DATE-N`, unique. */
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly date: string;
  readonly airline: string;
  readonly number: string;
  /** Minutes after midnight. */
  readonly depart: number;
  readonly durationMinutes: number;
  readonly stops: number;
  readonly via: readonly string[];
  readonly fares: readonly Fare[];
}

export const AIRPORTS: readonly Airport[] = [
  { code: "BOS", city: "Boston", x: 42, y: 7 },
  { code: "JFK", city: "New York", x: 41, y: 9 },
  { code: "IAD", city: "Washington", x: 39, y: 12 },
  { code: "ATL", city: "Atlanta", x: 33, y: 18 },
  { code: "MIA", city: "Miami", x: 36, y: 27 },
  { code: "ORD", city: "Chicago", x: 30, y: 10 },
  { code: "DFW", city: "Dallas", x: 21, y: 20 },
  { code: "DEN", city: "Denver", x: 15, y: 12 },
  { code: "PHX", city: "Phoenix", x: 9, y: 18 },
  { code: "LAX", city: "Los Angeles", x: 3, y: 16 },
  { code: "SFO", city: "San Francisco", x: 1, y: 11 },
  { code: "SEA", city: "Seattle", x: 2, y: 2 },
];

export const AIRLINES: readonly { readonly name: string; readonly code: string; readonly factor: number }[] = [
  { name: "Aurora Air", code: "AU", factor: 1.0 },
  { name: "Bluebird Airlines", code: "BB", factor: 0.85 },
  { name: "Cascade", code: "CS", factor: 1.1 },
  { name: "Meridian", code: "MD", factor: 1.25 },
  { name: "Northstar", code: "NS", factor: 0.95 },
];

/** The dates the site sells: 14 days from 2025-04-01. */
export const DATES: readonly string[] = Array.from({ length: 14 }, (_, i) => `2025-04-${String(i + 1).padStart(2, "0")}`);

export function airport(code: string): Airport | undefined {
  return AIRPORTS.find((a) => a.code === code);
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Whether a route is flown at all (about four in five are); both directions alike. */
export function routeServed(seed: number, from: string, to: string): boolean {
  if (from === to || airport(from) === undefined || airport(to) === undefined) return false;
  const [a, b] = [from, to].sort();
  return seededRandom(hash(`${seed}:route:${a}-${b}`))() < 0.8;
}

/** The flights of a route on a date, in schedule order (by departure). */
export function flightsFor(seed: number, from: string, to: string, date: string): Flight[] {
  if (!DATES.includes(date) || !routeServed(seed, from, to)) return [];
  const a = airport(from)!;
  const b = airport(to)!;
  const random = seededRandom(hash(`${seed}:${from}-${to}:${date}`));
  const distance = Math.hypot(a.x - b.x, a.y - b.y) * 100;
  const count = 6 + Math.floor(random() * 9);
  const hubs = AIRPORTS.filter((h) => h.code !== from && h.code !== to);
  const flights: Omit<Flight, "key">[] = [];
  const numbers = new Set<string>();
  for (let i = 0; i < count; i++) {
    const airline = AIRLINES[Math.floor(random() * AIRLINES.length)]!;
    const r = random();
    const stops = r < 0.5 ? 0 : r < 0.85 ? 1 : 2;
    const via: string[] = [];
    for (let s = 0; s < stops; s++) {
      const options = hubs.filter((h) => !via.includes(h.code));
      via.push(options[Math.floor(random() * options.length)]!.code);
    }
    const depart = 5 * 60 + Math.floor(random() * 72) * 15;
    const durationMinutes = Math.round((45 + distance / 12 + stops * (70 + random() * 80)) / 5) * 5;
    const basic = Math.round((59 + distance / 18) * airline.factor * (stops === 0 ? 1.15 : stops === 1 ? 0.95 : 0.85) * (0.75 + random() * 0.6)) * 100 - 1;
    let number = "";
    do number = `${airline.code} ${100 + Math.floor(random() * 900)}`;
    while (numbers.has(number));
    numbers.add(number);
    flights.push({
      from,
      to,
      date,
      airline: airline.name,
      number,
      depart,
      durationMinutes,
      stops,
      via,
      fares: [
        { name: "Basic", cents: basic },
        { name: "Standard", cents: basic + 4000 },
        { name: "Flex", cents: basic + 11000 },
      ],
    });
  }
  flights.sort((x, y) => x.depart - y.depart || x.number.localeCompare(y.number));
  return flights.map((f, i) => ({ ...f, key: `${from}-${to}-${date}-${i + 1}` }));
}

/** The flight with this key, or undefined. */
export function flightByKey(seed: number, key: string): Flight | undefined {
  const m = /^([A-Z]{3})-([A-Z]{3})-(\d{4}-\d{2}-\d{2})-(\d+)$/.exec(key);
  if (m === null) return undefined;
  return flightsFor(seed, m[1]!, m[2]!, m[3]!)[Number(m[4]) - 1];
}

export function clock(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** Arrival as `HH:MM`, with ` (+1)` when it is the next day. */
export function arrival(flight: Flight): string {
  const end = flight.depart + flight.durationMinutes;
  return `${clock(end)}${end >= 1440 ? " (+1)" : ""}`;
}

export function durationText(minutes: number): string {
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export function stopsText(stops: number): string {
  return stops === 0 ? "Non-stop" : `${stops} stop${stops > 1 ? "s" : ""}`;
}
