/**
 * The tool APIs of the tool-planning environment (the kind of benchmark ToolChain* was evaluated
 * on): three domains — home search, trip booking, spreadsheets — each a dozen typed APIs over a
 * small in-memory world generated with a seeded PRNG.
 *
 * An API has a name, a description, JSON-Schema parameters (plain JSON-Schema objects), a
 * state-level precondition (`ready`: which earlier calls it needs; `specs/tool-planning-*.ltl`
 * states the same protocol in LTL), argument-level checks (the listing must be among the search
 * results, the sheet must exist), a deterministic implementation, and `candidates`: the small
 * finite set of argument values a policy may choose among in a state (derived from the task's
 * hints and the current results), so that search has a finite branching factor.
 *
 * `executeCall` never throws: a call whose arguments violate the schema, or whose precondition
 * fails, returns an error observation and leaves the session unchanged.
 *
 * The world has a static catalog (listings, flights, hotels, cars, sheets: never changed by
 * calls) and a session (filters, results, carts, bookings, open sheet: what calls change). A
 * session is a plain JSON value, so it is cloned with `structuredClone` and keyed with JSON.
 */
import { Prng } from "../models/prng.js";

// ---------------------------------------------------------------------------------------------
// Calls and JSON Schema
// ---------------------------------------------------------------------------------------------

export type Domain = "home" | "trip" | "sheets";
export const DOMAINS: readonly Domain[] = ["home", "trip", "sheets"];

export type ArgValue = string | number | boolean;
export type Args = Readonly<Record<string, ArgValue>>;

/** An action: one API call with its arguments (`finish` ends the episode). */
export interface ToolCall {
  readonly api: string;
  readonly args: Args;
}

/** The subset of JSON Schema the APIs use. */
export interface JsonSchema {
  readonly type?: "object" | "string" | "integer" | "number" | "boolean";
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly enum?: readonly ArgValue[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** The problems with a value against a schema (empty: valid). */
export function validateSchema(schema: JsonSchema, value: unknown, path = "$"): string[] {
  const errors: string[] = [];
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: expected an object`];
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? []) if (!(name in record)) errors.push(`${path}.${name}: required`);
      for (const [name, v] of Object.entries(record)) {
        const sub = schema.properties?.[name];
        if (sub === undefined) {
          if (schema.additionalProperties === false) errors.push(`${path}.${name}: unexpected property`);
        } else errors.push(...validateSchema(sub, v, `${path}.${name}`));
      }
      return errors;
    }
    case "string":
      if (typeof value !== "string") return [`${path}: expected a string`];
      if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) errors.push(`${path}: does not match ${schema.pattern}`);
      break;
    case "integer":
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return [`${path}: expected a ${schema.type}`];
      if (schema.type === "integer" && !Number.isInteger(value)) return [`${path}: expected an integer`];
      if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below the minimum ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above the maximum ${schema.maximum}`);
      break;
    case "boolean":
      if (typeof value !== "boolean") return [`${path}: expected a boolean`];
      break;
    case undefined:
      break;
  }
  if (schema.enum !== undefined && !schema.enum.includes(value as ArgValue)) errors.push(`${path}: not one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  return errors;
}

const obj = (properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});
const str = (description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: "string", description, ...extra });
const int = (description: string, minimum: number, maximum: number): JsonSchema => ({ type: "integer", description, minimum, maximum });

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------

export const CITIES = ["austin", "boston", "denver", "seattle", "chicago", "portland"] as const;
export const PROPERTY_TYPES = ["house", "apartment", "condo"] as const;
export const MAX_DAY = 28;

export interface Listing {
  readonly id: string;
  readonly city: string;
  readonly price: number;
  readonly bedrooms: number;
  readonly sqft: number;
  readonly type: string;
  readonly agent: string;
}

export interface Flight {
  readonly id: string;
  readonly origin: string;
  readonly destination: string;
  readonly day: number;
  readonly price: number;
  readonly stops: number;
  readonly airline: string;
  readonly departHour: number;
}

export interface Hotel {
  readonly id: string;
  readonly city: string;
  readonly name: string;
  readonly pricePerNight: number;
  /** Tenths of a star, 10–50 (integers keep comparisons exact). */
  readonly rating: number;
}

export interface Car {
  readonly id: string;
  readonly city: string;
  readonly carClass: string;
  readonly pricePerDay: number;
}

export type Cell = string | number;

export interface Sheet {
  readonly columns: readonly string[];
  /** Which columns hold numbers. */
  readonly numeric: readonly boolean[];
  readonly rows: readonly (readonly Cell[])[];
}

/** What calls never change. */
export interface Catalog {
  readonly listings: readonly Listing[];
  readonly flights: readonly Flight[];
  readonly hotels: readonly Hotel[];
  readonly cars: readonly Car[];
  readonly coupons: Readonly<Record<string, number>>;
  readonly sheets: Readonly<Record<string, Sheet>>;
}

export interface Booking {
  readonly flight: string;
  readonly hotel?: { readonly id: string; readonly nights: number };
  readonly car?: { readonly id: string; readonly days: number };
  readonly travelers: readonly string[];
  readonly coupon?: string;
  readonly total: number;
}

/** What calls change: a plain JSON value. */
export interface Session {
  home: {
    location?: string;
    maxPrice?: number;
    minBedrooms?: number;
    propertyType?: string;
    results: string[];
    viewed: string[];
    favorites: string[];
    visits: { listingId: string; day: number }[];
    contacted: string[];
  };
  trip: {
    flightResults: string[];
    hotelResults: string[];
    carResults: string[];
    cart: {
      flight?: string;
      hotel?: { id: string; nights: number };
      car?: { id: string; days: number };
      travelers: string[];
      coupon?: string;
    };
    bookings: Booking[];
  };
  sheets: {
    open?: string;
    rows?: Cell[][];
    selection?: { column: string; startRow: number; endRow: number };
    lastResult?: number;
    /** The saved contents of each sheet that was saved (others are as in the catalog). */
    saved: Record<string, Cell[][]>;
  };
}

export function emptySession(): Session {
  return {
    home: { results: [], viewed: [], favorites: [], visits: [], contacted: [] },
    trip: { flightResults: [], hotelResults: [], carResults: [], cart: { travelers: [] }, bookings: [] },
    sheets: { saved: {} },
  };
}

export const SHEET_TEMPLATES: Readonly<Record<string, { columns: readonly string[]; numeric: readonly boolean[]; text: readonly (readonly string[])[] }>> = {
  sales: { columns: ["region", "product", "units", "revenue"], numeric: [false, false, true, true], text: [["north", "south", "east", "west"], ["widget", "gadget", "gizmo"]] },
  inventory: { columns: ["warehouse", "item", "stock", "cost"], numeric: [false, false, true, true], text: [["alpha", "beta", "gamma"], ["bolts", "nuts", "screws", "washers"]] },
  staff: { columns: ["team", "name", "hours", "salary"], numeric: [false, false, true, true], text: [["ops", "dev", "sales"], ["ana", "ben", "cho", "dev", "eli", "fay", "gus"]] },
};

const AIRLINES = ["skyway", "aerolux", "northjet"];
const HOTEL_WORDS = ["grand", "plaza", "harbor", "summit", "garden", "central", "royal"];
const CAR_CLASSES = ["economy", "compact", "midsize", "suv"];
const AGENTS = ["kim", "lopez", "nguyen", "okafor", "smith"];

/** A deterministic world for one seed. Prices are distinct within each kind, so "the cheapest" is unique. */
export function generateCatalog(seed: number): Catalog {
  const rng = new Prng(seed);
  const distinct = (used: Set<number>, draw: () => number): number => {
    for (;;) {
      const v = draw();
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
  };

  const listings: Listing[] = [];
  const prices = new Set<number>();
  const areas = new Set<number>();
  for (const city of CITIES) {
    const n = rng.range(6, 9);
    for (let i = 0; i < n; i++) {
      const bedrooms = rng.range(1, 5);
      listings.push({
        id: `H${listings.length + 1}`,
        city,
        price: distinct(prices, () => rng.range(150, 900) * 1000),
        bedrooms,
        sqft: distinct(areas, () => 400 + bedrooms * 300 + rng.range(0, 60) * 10),
        type: rng.pick(PROPERTY_TYPES),
        agent: rng.pick(AGENTS),
      });
    }
  }

  const flights: Flight[] = [];
  const flightPrices = new Set<number>();
  for (let r = 0; r < 10; r++) {
    const origin = rng.pick(CITIES);
    let destination = rng.pick(CITIES);
    while (destination === origin) destination = rng.pick(CITIES);
    const day = rng.range(1, MAX_DAY);
    if (flights.some((f) => f.origin === origin && f.destination === destination && f.day === day)) continue;
    const n = rng.range(3, 5);
    for (let i = 0; i < n; i++) {
      // The first flight of a route is nonstop, so every route has one; stops make flights cheaper.
      const stops = i === 0 ? 0 : rng.range(0, 2);
      flights.push({
        id: `F${flights.length + 1}`,
        origin,
        destination,
        day,
        price: distinct(flightPrices, () => rng.range(120, 520) - stops * 60),
        stops,
        airline: rng.pick(AIRLINES),
        departHour: rng.range(6, 21),
      });
    }
  }

  const hotels: Hotel[] = [];
  const cars: Car[] = [];
  const hotelPrices = new Set<number>();
  const ratings = new Set<number>();
  const carPrices = new Set<number>();
  for (const city of CITIES) {
    for (let i = 0; i < 5; i++) {
      hotels.push({
        id: `R${hotels.length + 1}`,
        city,
        name: `${rng.pick(HOTEL_WORDS)} ${city}`,
        pricePerNight: distinct(hotelPrices, () => rng.range(60, 400)),
        // Distinct within the world (30 hotels, 41 possible ratings), so "the best rated" is unique.
        rating: distinct(ratings, () => rng.range(10, 50)),
      });
    }
    for (let i = 0; i < 4; i++) {
      cars.push({ id: `C${cars.length + 1}`, city, carClass: rng.pick(CAR_CLASSES), pricePerDay: distinct(carPrices, () => rng.range(25, 140)) });
    }
  }

  const coupons: Record<string, number> = { SAVE10: 10, TRAVEL5: 5 };

  const sheets: Record<string, Sheet> = {};
  for (const [name, template] of Object.entries(SHEET_TEMPLATES)) {
    const n = rng.range(6, 10);
    const rows: Cell[][] = [];
    for (let r = 0; r < n; r++) {
      rows.push(template.columns.map((_, c) => (template.numeric[c] ? rng.range(1, 99) * (c === 3 ? 10 : 1) : rng.pick(template.text[c]!))));
    }
    sheets[name] = { columns: template.columns, numeric: template.numeric, rows };
  }

  return { listings, flights, hotels, cars, coupons, sheets };
}

// ---------------------------------------------------------------------------------------------
// APIs
// ---------------------------------------------------------------------------------------------

/** Argument values a task offers the policy (the task's own values plus distractors). */
export interface TaskHints {
  readonly cities: readonly string[];
  readonly days: readonly number[];
  readonly budgets: readonly number[];
  readonly bedrooms: readonly number[];
  readonly nights: readonly number[];
  readonly travelers: readonly string[];
  readonly coupons: readonly string[];
  readonly messages: readonly string[];
}

export interface ApiContext {
  readonly catalog: Catalog;
  readonly session: Session;
  readonly hints: TaskHints;
}

export interface CallResult {
  /** The session after the call (a fresh object; the input is never mutated). */
  readonly session: Session;
  readonly ok: boolean;
  readonly observation: string;
}

export interface ToolApi {
  readonly name: string;
  readonly domain: Domain;
  readonly description: string;
  readonly parameters: JsonSchema;
  /** The state-level precondition: undefined when it holds, else why not (mirrors the LTL spec). */
  ready(session: Session): string | undefined;
  /** Argument-level checks against the world (run after the schema and `ready`). */
  check?(ctx: ApiContext, args: Args): string | undefined;
  /** Runs the call on a fresh copy of the session (may mutate `session`); returns the observation. */
  apply(catalog: Catalog, session: Session, args: Args): string;
  /** The finite argument choices offered in a state. */
  candidates(ctx: ApiContext): Args[];
}

const s = (args: Args, name: string): string => args[name] as string;
const n = (args: Args, name: string): number => args[name] as number;
const listingSummary = (l: Listing): string => `${l.id} ${l.type} ${l.bedrooms}bd ${l.sqft}sqft $${l.price}`;
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const need = (ok: boolean, message: string): string | undefined => (ok ? undefined : message);
const noArgs = (): Args[] => [{}];

function findListing(catalog: Catalog, id: string): Listing | undefined {
  return catalog.listings.find((l) => l.id === id);
}

function sheetOf(ctx: ApiContext): Sheet | undefined {
  const name = ctx.session.sheets.open;
  return name === undefined ? undefined : ctx.catalog.sheets[name];
}

function columnIndex(ctx: ApiContext, column: string): number {
  return sheetOf(ctx)?.columns.indexOf(column) ?? -1;
}

function checkNumericColumn(ctx: ApiContext, args: Args): string | undefined {
  const i = columnIndex(ctx, s(args, "column"));
  if (i < 0) return `no column '${s(args, "column")}' in sheet '${ctx.session.sheets.open}'`;
  return need(sheetOf(ctx)!.numeric[i]!, `column '${s(args, "column")}' is not numeric`);
}

function numericColumns(ctx: ApiContext): string[] {
  const sheet = sheetOf(ctx);
  return sheet === undefined ? [] : sheet.columns.filter((_, i) => sheet.numeric[i]);
}

function columnValues(session: Session, catalog: Catalog, column: string): number[] {
  const i = catalog.sheets[session.sheets.open!]!.columns.indexOf(column);
  return (session.sheets.rows ?? []).map((r) => r[i]).filter((v): v is number => typeof v === "number");
}

const homeReady = {
  location: (x: Session) => need(x.home.location !== undefined, "set_location must be called first"),
  searched: (x: Session) => need(x.home.results.length > 0, "search_homes must return results first"),
  viewed: (x: Session) => need(x.home.viewed.length > 0, "get_home_details must be called first"),
};
const inResults = (ctx: ApiContext, args: Args): string | undefined =>
  need(ctx.session.home.results.includes(s(args, "listing_id")), `listing ${s(args, "listing_id")} is not among the search results`);
const isViewed = (ctx: ApiContext, args: Args): string | undefined =>
  need(ctx.session.home.viewed.includes(s(args, "listing_id")), `get_home_details(${s(args, "listing_id")}) must be called first`);
const listingId = str("a listing id from the search results", { pattern: "^H[0-9]+$" });
const city = str("a city", { enum: CITIES });
const day = int("day of the month", 1, MAX_DAY);

const HOME_APIS: ToolApi[] = [
  {
    name: "set_location",
    domain: "home",
    description: "Sets the city to search homes in.",
    parameters: obj({ city }),
    ready: () => undefined,
    apply: (_c, x, a) => ((x.home.location = s(a, "city")), `location set to ${s(a, "city")}`),
    candidates: (ctx) => ctx.hints.cities.map((c) => ({ city: c })),
  },
  {
    name: "set_budget",
    domain: "home",
    description: "Sets the highest price (in dollars) of the homes to search.",
    parameters: obj({ max_price: int("maximum price in dollars", 10_000, 10_000_000) }),
    ready: () => undefined,
    apply: (_c, x, a) => ((x.home.maxPrice = n(a, "max_price")), `budget set to $${n(a, "max_price")}`),
    candidates: (ctx) => ctx.hints.budgets.map((b) => ({ max_price: b })),
  },
  {
    name: "set_bedrooms",
    domain: "home",
    description: "Sets the least number of bedrooms of the homes to search.",
    parameters: obj({ min_bedrooms: int("minimum number of bedrooms", 1, 6) }),
    ready: () => undefined,
    apply: (_c, x, a) => ((x.home.minBedrooms = n(a, "min_bedrooms")), `at least ${n(a, "min_bedrooms")} bedrooms`),
    candidates: (ctx) => ctx.hints.bedrooms.map((b) => ({ min_bedrooms: b })),
  },
  {
    name: "set_property_type",
    domain: "home",
    description: "Restricts the search to one type of property.",
    parameters: obj({ property_type: str("the type of property", { enum: PROPERTY_TYPES }) }),
    ready: () => undefined,
    apply: (_c, x, a) => ((x.home.propertyType = s(a, "property_type")), `property type set to ${s(a, "property_type")}`),
    candidates: () => PROPERTY_TYPES.map((t) => ({ property_type: t })),
  },
  {
    name: "clear_filters",
    domain: "home",
    description: "Removes the budget, bedroom and property-type filters (keeps the location).",
    parameters: obj({}),
    ready: () => undefined,
    apply: (_c, x) => {
      delete x.home.maxPrice;
      delete x.home.minBedrooms;
      delete x.home.propertyType;
      return "filters cleared";
    },
    candidates: noArgs,
  },
  {
    name: "search_homes",
    domain: "home",
    description: "Searches the homes for sale in the location that pass the filters, cheapest first.",
    parameters: obj({}),
    ready: homeReady.location,
    apply: (c, x) => {
      const h = x.home;
      const found = c.listings
        .filter((l) => l.city === h.location && (h.maxPrice === undefined || l.price <= h.maxPrice))
        .filter((l) => (h.minBedrooms === undefined || l.bedrooms >= h.minBedrooms) && (h.propertyType === undefined || l.type === h.propertyType))
        .sort((a, b) => a.price - b.price);
      h.results = found.map((l) => l.id);
      return found.length === 0 ? "no homes found" : `found ${found.length}: ${found.map(listingSummary).join("; ")}`;
    },
    candidates: noArgs,
  },
  {
    name: "get_home_details",
    domain: "home",
    description: "Shows the details of a listing from the search results.",
    parameters: obj({ listing_id: listingId }),
    ready: homeReady.searched,
    check: inResults,
    apply: (c, x, a) => {
      const l = findListing(c, s(a, "listing_id"))!;
      if (!x.home.viewed.includes(l.id)) x.home.viewed.push(l.id);
      return `${listingSummary(l)} in ${l.city}, agent ${l.agent}`;
    },
    candidates: (ctx) => ctx.session.home.results.map((id) => ({ listing_id: id })),
  },
  {
    name: "save_favorite",
    domain: "home",
    description: "Saves a listing from the search results to the favorites.",
    parameters: obj({ listing_id: listingId }),
    ready: homeReady.searched,
    check: inResults,
    apply: (_c, x, a) => {
      if (!x.home.favorites.includes(s(a, "listing_id"))) x.home.favorites.push(s(a, "listing_id"));
      return `saved ${s(a, "listing_id")}`;
    },
    candidates: (ctx) => ctx.session.home.results.map((id) => ({ listing_id: id })),
  },
  {
    name: "schedule_visit",
    domain: "home",
    description: "Schedules a visit of a listing whose details were viewed, on a day of the month.",
    parameters: obj({ listing_id: listingId, day }),
    ready: homeReady.viewed,
    check: (ctx, a) =>
      isViewed(ctx, a) ?? need(!ctx.session.home.visits.some((v) => v.listingId === s(a, "listing_id")), `a visit of ${s(a, "listing_id")} is already scheduled`),
    apply: (_c, x, a) => (x.home.visits.push({ listingId: s(a, "listing_id"), day: n(a, "day") }), `visit of ${s(a, "listing_id")} on day ${n(a, "day")}`),
    candidates: (ctx) => ctx.session.home.viewed.flatMap((id) => ctx.hints.days.map((d) => ({ listing_id: id, day: d }))),
  },
  {
    name: "contact_agent",
    domain: "home",
    description: "Sends a message to the agent of a listing whose details were viewed.",
    parameters: obj({ listing_id: listingId, message: str("the message", { minLength: 1, maxLength: 200 }) }),
    ready: homeReady.viewed,
    check: isViewed,
    apply: (c, x, a) => {
      if (!x.home.contacted.includes(s(a, "listing_id"))) x.home.contacted.push(s(a, "listing_id"));
      return `message sent to ${findListing(c, s(a, "listing_id"))!.agent}`;
    },
    candidates: (ctx) => ctx.session.home.viewed.flatMap((id) => ctx.hints.messages.map((m) => ({ listing_id: id, message: m }))),
  },
  {
    name: "estimate_mortgage",
    domain: "home",
    description: "Estimates the monthly payment of a 30-year mortgage at 6% for a listing whose details were viewed.",
    parameters: obj({ listing_id: listingId, down_payment_pct: int("down payment, percent of the price", 0, 100) }),
    ready: homeReady.viewed,
    check: isViewed,
    apply: (c, _x, a) => {
      const principal = (findListing(c, s(a, "listing_id"))!.price * (100 - n(a, "down_payment_pct"))) / 100;
      const r = 0.005;
      return `monthly payment $${Math.round((principal * r) / (1 - Math.pow(1 + r, -360)))}`;
    },
    candidates: (ctx) => ctx.session.home.viewed.map((id) => ({ listing_id: id, down_payment_pct: 20 })),
  },
  {
    name: "cancel_visit",
    domain: "home",
    description: "Cancels a scheduled visit.",
    parameters: obj({ listing_id: listingId }),
    ready: (x) => need(x.home.visits.length > 0, "no visit is scheduled"),
    check: (ctx, a) => need(ctx.session.home.visits.some((v) => v.listingId === s(a, "listing_id")), `no visit of ${s(a, "listing_id")} is scheduled`),
    apply: (_c, x, a) => ((x.home.visits = x.home.visits.filter((v) => v.listingId !== s(a, "listing_id"))), `visit of ${s(a, "listing_id")} cancelled`),
    candidates: (ctx) => ctx.session.home.visits.map((v) => ({ listing_id: v.listingId })),
  },
];

const cartHas = {
  flight: (x: Session) => need(x.trip.cart.flight !== undefined, "select_flight must be called first (since the last pay or clear_cart)"),
};
const flightId = str("a flight id from the search results", { pattern: "^F[0-9]+$" });

function cartTotal(c: Catalog, cart: Session["trip"]["cart"]): number {
  const flight = c.flights.find((f) => f.id === cart.flight);
  const hotel = cart.hotel === undefined ? undefined : c.hotels.find((h) => h.id === cart.hotel!.id);
  const car = cart.car === undefined ? undefined : c.cars.find((k) => k.id === cart.car!.id);
  const gross = (flight?.price ?? 0) * Math.max(1, cart.travelers.length) + (hotel?.pricePerNight ?? 0) * (cart.hotel?.nights ?? 0) + (car?.pricePerDay ?? 0) * (cart.car?.days ?? 0);
  const discount = cart.coupon === undefined ? 0 : c.coupons[cart.coupon] ?? 0;
  return Math.round((gross * (100 - discount)) / 100);
}

const TRIP_APIS: ToolApi[] = [
  {
    name: "search_flights",
    domain: "trip",
    description: "Searches the flights from one city to another on a day, cheapest first.",
    parameters: obj({ origin: city, destination: city, day }),
    ready: () => undefined,
    check: (_ctx, a) => need(s(a, "origin") !== s(a, "destination"), "origin and destination must differ"),
    apply: (c, x, a) => {
      const found = c.flights
        .filter((f) => f.origin === s(a, "origin") && f.destination === s(a, "destination") && f.day === n(a, "day"))
        .sort((p, q) => p.price - q.price);
      x.trip.flightResults = found.map((f) => f.id);
      return found.length === 0 ? "no flights found" : `found ${found.length}: ${found.map((f) => `${f.id} ${f.airline} ${f.stops === 0 ? "nonstop" : `${f.stops} stop(s)`} $${f.price}`).join("; ")}`;
    },
    candidates: (ctx) =>
      ctx.hints.cities.flatMap((o) => ctx.hints.cities.filter((d) => d !== o).flatMap((d) => ctx.hints.days.map((dd) => ({ origin: o, destination: d, day: dd })))),
  },
  {
    name: "get_flight_details",
    domain: "trip",
    description: "Shows the details of a flight from the search results.",
    parameters: obj({ flight_id: flightId }),
    ready: (x) => need(x.trip.flightResults.length > 0, "search_flights must return results first"),
    check: (ctx, a) => need(ctx.session.trip.flightResults.includes(s(a, "flight_id")), `flight ${s(a, "flight_id")} is not among the search results`),
    apply: (c, _x, a) => {
      const f = c.flights.find((g) => g.id === s(a, "flight_id"))!;
      return `${f.id}: ${f.airline} ${f.origin}->${f.destination} day ${f.day} ${f.departHour}:00, ${f.stops} stop(s), $${f.price}`;
    },
    candidates: (ctx) => ctx.session.trip.flightResults.map((id) => ({ flight_id: id })),
  },
  {
    name: "select_flight",
    domain: "trip",
    description: "Puts a flight from the search results in the cart (replacing any selected flight).",
    parameters: obj({ flight_id: flightId }),
    ready: (x) => need(x.trip.flightResults.length > 0, "search_flights must return results first"),
    check: (ctx, a) => need(ctx.session.trip.flightResults.includes(s(a, "flight_id")), `flight ${s(a, "flight_id")} is not among the search results`),
    apply: (_c, x, a) => ((x.trip.cart.flight = s(a, "flight_id")), `flight ${s(a, "flight_id")} selected`),
    candidates: (ctx) => ctx.session.trip.flightResults.map((id) => ({ flight_id: id })),
  },
  {
    name: "search_hotels",
    domain: "trip",
    description: "Searches the hotels of a city, optionally under a price per night, best rated first.",
    parameters: obj({ city, max_price: int("maximum price per night in dollars", 1, 10_000) }, ["city"]),
    ready: () => undefined,
    apply: (c, x, a) => {
      const max = a["max_price"] as number | undefined;
      const found = c.hotels.filter((h) => h.city === s(a, "city") && (max === undefined || h.pricePerNight <= max)).sort((p, q) => q.rating - p.rating);
      x.trip.hotelResults = found.map((h) => h.id);
      return found.length === 0 ? "no hotels found" : `found ${found.length}: ${found.map((h) => `${h.id} ${h.name} ${(h.rating / 10).toFixed(1)}★ $${h.pricePerNight}/night`).join("; ")}`;
    },
    candidates: (ctx) => ctx.hints.cities.flatMap((c) => [{ city: c }, ...ctx.hints.budgets.map((b) => ({ city: c, max_price: b }))]),
  },
  {
    name: "book_hotel",
    domain: "trip",
    description: "Puts a hotel from the search results in the cart for a number of nights.",
    parameters: obj({ hotel_id: str("a hotel id from the search results", { pattern: "^R[0-9]+$" }), nights: int("number of nights", 1, 30) }),
    ready: (x) => need(x.trip.hotelResults.length > 0, "search_hotels must return results first"),
    check: (ctx, a) => need(ctx.session.trip.hotelResults.includes(s(a, "hotel_id")), `hotel ${s(a, "hotel_id")} is not among the search results`),
    apply: (_c, x, a) => ((x.trip.cart.hotel = { id: s(a, "hotel_id"), nights: n(a, "nights") }), `hotel ${s(a, "hotel_id")} for ${n(a, "nights")} night(s) in the cart`),
    candidates: (ctx) => ctx.session.trip.hotelResults.flatMap((id) => ctx.hints.nights.map((k) => ({ hotel_id: id, nights: k }))),
  },
  {
    name: "search_cars",
    domain: "trip",
    description: "Searches the rental cars of a city, cheapest first.",
    parameters: obj({ city }),
    ready: () => undefined,
    apply: (c, x, a) => {
      const found = c.cars.filter((k) => k.city === s(a, "city")).sort((p, q) => p.pricePerDay - q.pricePerDay);
      x.trip.carResults = found.map((k) => k.id);
      return `found ${found.length}: ${found.map((k) => `${k.id} ${k.carClass} $${k.pricePerDay}/day`).join("; ")}`;
    },
    candidates: (ctx) => ctx.hints.cities.map((c) => ({ city: c })),
  },
  {
    name: "rent_car",
    domain: "trip",
    description: "Puts a car from the search results in the cart for a number of days.",
    parameters: obj({ car_id: str("a car id from the search results", { pattern: "^C[0-9]+$" }), days: int("number of days", 1, 30) }),
    ready: (x) => need(x.trip.carResults.length > 0, "search_cars must be called first"),
    check: (ctx, a) => need(ctx.session.trip.carResults.includes(s(a, "car_id")), `car ${s(a, "car_id")} is not among the search results`),
    apply: (_c, x, a) => ((x.trip.cart.car = { id: s(a, "car_id"), days: n(a, "days") }), `car ${s(a, "car_id")} for ${n(a, "days")} day(s) in the cart`),
    candidates: (ctx) => ctx.session.trip.carResults.flatMap((id) => ctx.hints.nights.map((k) => ({ car_id: id, days: k }))),
  },
  {
    name: "add_traveler",
    domain: "trip",
    description: "Adds a traveler to the selected flight.",
    parameters: obj({ name: str("the traveler's name", { minLength: 1, maxLength: 60 }) }),
    ready: cartHas.flight,
    check: (ctx, a) => need(!ctx.session.trip.cart.travelers.includes(s(a, "name")), `${s(a, "name")} is already a traveler`),
    apply: (_c, x, a) => (x.trip.cart.travelers.push(s(a, "name")), `traveler ${s(a, "name")} added`),
    candidates: (ctx) => ctx.hints.travelers.map((t) => ({ name: t })),
  },
  {
    name: "apply_coupon",
    domain: "trip",
    description: "Applies a coupon code to the cart.",
    parameters: obj({ code: str("the coupon code", { pattern: "^[A-Z0-9]{3,12}$" }) }),
    ready: cartHas.flight,
    check: (ctx, a) => need(ctx.catalog.coupons[s(a, "code")] !== undefined, `coupon ${s(a, "code")} is not valid`),
    apply: (_c, x, a) => ((x.trip.cart.coupon = s(a, "code")), `coupon ${s(a, "code")} applied`),
    candidates: (ctx) => ctx.hints.coupons.map((code) => ({ code })),
  },
  {
    name: "pay",
    domain: "trip",
    description: "Pays for the cart (a selected flight with at least one traveler, and any hotel and car), which books it and empties the cart.",
    parameters: obj({}),
    ready: (x) => cartHas.flight(x) ?? need(x.trip.cart.travelers.length > 0, "add_traveler must be called first (since the last pay or clear_cart)"),
    apply: (c, x) => {
      const cart = x.trip.cart;
      const total = cartTotal(c, cart);
      const booking: Booking = {
        flight: cart.flight!,
        travelers: [...cart.travelers],
        total,
        ...(cart.hotel === undefined ? {} : { hotel: cart.hotel }),
        ...(cart.car === undefined ? {} : { car: cart.car }),
        ...(cart.coupon === undefined ? {} : { coupon: cart.coupon }),
      };
      x.trip.bookings.push(booking);
      x.trip.cart = { travelers: [] };
      return `paid $${total}; booking ${x.trip.bookings.length} confirmed`;
    },
    candidates: noArgs,
  },
  {
    name: "get_weather",
    domain: "trip",
    description: "The weather forecast for a city on a day.",
    parameters: obj({ city, day }),
    ready: () => undefined,
    apply: (_c, _x, a) => {
      const h = [...`${s(a, "city")}${n(a, "day")}`].reduce((acc, ch) => (acc * 31 + ch.charCodeAt(0)) >>> 0, 7);
      return `${["sunny", "cloudy", "rainy", "windy"][h % 4]}, ${5 + (h % 25)}°C`;
    },
    candidates: (ctx) => ctx.hints.cities.slice(0, 2).flatMap((c) => ctx.hints.days.slice(0, 1).map((d) => ({ city: c, day: d }))),
  },
  {
    name: "clear_cart",
    domain: "trip",
    description: "Empties the cart (selected flight, hotel, car, travelers, coupon).",
    parameters: obj({}),
    ready: () => undefined,
    apply: (_c, x) => ((x.trip.cart = { travelers: [] }), "cart emptied"),
    candidates: noArgs,
  },
];

const sheetReady = {
  open: (x: Session) => need(x.sheets.open !== undefined, "open_sheet must be called first (and the sheet not closed since)"),
};
const column = str("a column name");
const row = int("a row number (1 is the first data row)", 1, 1000);

const SHEET_APIS: ToolApi[] = [
  {
    name: "list_sheets",
    domain: "sheets",
    description: "Lists the sheets of the workbook with their columns.",
    parameters: obj({}),
    ready: () => undefined,
    apply: (c) => Object.entries(c.sheets).map(([name, sh]) => `${name}(${sh.columns.join(", ")}; ${sh.rows.length} rows)`).join("; "),
    candidates: noArgs,
  },
  {
    name: "open_sheet",
    domain: "sheets",
    description: "Opens a sheet (its saved contents) for editing; any open sheet is closed without saving.",
    parameters: obj({ name: str("the sheet's name", { pattern: "^[a-z_]+$" }) }),
    ready: () => undefined,
    check: (ctx, a) => need(ctx.catalog.sheets[s(a, "name")] !== undefined, `no sheet named '${s(a, "name")}'`),
    apply: (c, x, a) => {
      const name = s(a, "name");
      const rows = x.sheets.saved[name] ?? c.sheets[name]!.rows;
      x.sheets.open = name;
      x.sheets.rows = rows.map((r) => [...r]);
      delete x.sheets.selection;
      delete x.sheets.lastResult;
      return `opened ${name}: ${c.sheets[name]!.columns.join(", ")}; ${rows.length} rows`;
    },
    candidates: (ctx) => Object.keys(ctx.catalog.sheets).map((name) => ({ name })),
  },
  {
    name: "read_cell",
    domain: "sheets",
    description: "Reads one cell of the open sheet.",
    parameters: obj({ row, column }),
    ready: sheetReady.open,
    check: (ctx, a) =>
      need(columnIndex(ctx, s(a, "column")) >= 0, `no column '${s(a, "column")}'`) ?? need(n(a, "row") <= ctx.session.sheets.rows!.length, `no row ${n(a, "row")}`),
    apply: (c, x, a) => String(x.sheets.rows![n(a, "row") - 1]![c.sheets[x.sheets.open!]!.columns.indexOf(s(a, "column"))]),
    candidates: (ctx) => (sheetOf(ctx)?.columns ?? []).map((col) => ({ row: 1, column: col })),
  },
  {
    name: "select_range",
    domain: "sheets",
    description: "Selects the rows start_row..end_row (inclusive) of the open sheet, keyed by a column (for sort_range).",
    parameters: obj({ column, start_row: row, end_row: row }),
    ready: sheetReady.open,
    check: (ctx, a) =>
      need(columnIndex(ctx, s(a, "column")) >= 0, `no column '${s(a, "column")}'`) ??
      need(n(a, "start_row") <= n(a, "end_row") && n(a, "end_row") <= ctx.session.sheets.rows!.length, "the range is outside the sheet"),
    apply: (_c, x, a) => {
      x.sheets.selection = { column: s(a, "column"), startRow: n(a, "start_row"), endRow: n(a, "end_row") };
      return `selected ${s(a, "column")} rows ${n(a, "start_row")}-${n(a, "end_row")}`;
    },
    candidates: (ctx) => {
      const rows = ctx.session.sheets.rows?.length ?? 0;
      return rows === 0 ? [] : (sheetOf(ctx)?.columns ?? []).map((col) => ({ column: col, start_row: 1, end_row: rows }));
    },
  },
  {
    name: "sort_range",
    domain: "sheets",
    description: "Sorts the selected rows by the selected column (stable), ascending or descending.",
    parameters: obj({ order: str("the sort order", { enum: ["asc", "desc"] }) }),
    ready: (x) => sheetReady.open(x) ?? need(x.sheets.selection !== undefined, "select_range must be called first (since the sheet was opened or its rows changed)"),
    apply: (c, x, a) => {
      const sel = x.sheets.selection!;
      const i = c.sheets[x.sheets.open!]!.columns.indexOf(sel.column);
      const rows = x.sheets.rows!;
      const part = rows.slice(sel.startRow - 1, sel.endRow);
      const sign = s(a, "order") === "asc" ? 1 : -1;
      part.sort((p, q) => {
        const u = p[i]!;
        const v = q[i]!;
        return sign * (typeof u === "number" && typeof v === "number" ? u - v : String(u) < String(v) ? -1 : String(u) > String(v) ? 1 : 0);
      });
      rows.splice(sel.startRow - 1, part.length, ...part);
      return `sorted rows ${sel.startRow}-${sel.endRow} by ${sel.column} ${s(a, "order")}`;
    },
    candidates: () => [{ order: "asc" }, { order: "desc" }],
  },
  {
    name: "filter_rows",
    domain: "sheets",
    description: "Keeps only the rows of the open sheet whose cell in a column equals a value (clears the selection).",
    parameters: obj({ column, equals: str("the value to keep") }),
    ready: sheetReady.open,
    check: (ctx, a) => need(columnIndex(ctx, s(a, "column")) >= 0, `no column '${s(a, "column")}'`),
    apply: (c, x, a) => {
      const i = c.sheets[x.sheets.open!]!.columns.indexOf(s(a, "column"));
      x.sheets.rows = x.sheets.rows!.filter((r) => String(r[i]) === s(a, "equals"));
      delete x.sheets.selection;
      return `${x.sheets.rows.length} rows kept`;
    },
    candidates: (ctx) => {
      const sheet = sheetOf(ctx);
      if (sheet === undefined) return [];
      return sheet.columns.flatMap((col, i) =>
        sheet.numeric[i] ? [] : [...new Set(ctx.session.sheets.rows!.map((r) => String(r[i])))].sort().map((v) => ({ column: col, equals: v })),
      );
    },
  },
  {
    name: "sum_column",
    domain: "sheets",
    description: "The sum of a numeric column of the open sheet (kept as the last result).",
    parameters: obj({ column }),
    ready: sheetReady.open,
    check: checkNumericColumn,
    apply: (c, x, a) => {
      const total = sum(columnValues(x, c, s(a, "column")));
      x.sheets.lastResult = total;
      return `sum of ${s(a, "column")} = ${total}`;
    },
    candidates: (ctx) => numericColumns(ctx).map((col) => ({ column: col })),
  },
  {
    name: "average_column",
    domain: "sheets",
    description: "The average of a numeric column of the open sheet, rounded to 2 decimals (kept as the last result).",
    parameters: obj({ column }),
    ready: sheetReady.open,
    check: (ctx, a) => checkNumericColumn(ctx, a) ?? need((ctx.session.sheets.rows?.length ?? 0) > 0, "the sheet has no rows"),
    apply: (c, x, a) => {
      const values = columnValues(x, c, s(a, "column"));
      const avg = Math.round((sum(values) / values.length) * 100) / 100;
      x.sheets.lastResult = avg;
      return `average of ${s(a, "column")} = ${avg}`;
    },
    candidates: (ctx) => ((ctx.session.sheets.rows?.length ?? 0) > 0 ? numericColumns(ctx).map((col) => ({ column: col })) : []),
  },
  {
    name: "write_cell",
    domain: "sheets",
    description: "Writes a number into a cell of the open sheet; row n+1 (one past the last) appends a blank row first.",
    parameters: obj({ row, column, value: { type: "number", description: "the number to write" } }),
    ready: sheetReady.open,
    check: (ctx, a) =>
      checkNumericColumn(ctx, a) ?? need(n(a, "row") <= ctx.session.sheets.rows!.length + 1, `row ${n(a, "row")} is past the end (at most one past the last row)`),
    apply: (c, x, a) => {
      const sheet = c.sheets[x.sheets.open!]!;
      const rows = x.sheets.rows!;
      if (n(a, "row") === rows.length + 1) rows.push(sheet.columns.map(() => ""));
      rows[n(a, "row") - 1]![sheet.columns.indexOf(s(a, "column"))] = n(a, "value");
      return `wrote ${n(a, "value")} to ${s(a, "column")}${n(a, "row")}`;
    },
    candidates: (ctx) => {
      const last = ctx.session.sheets.lastResult;
      if (last === undefined) return [];
      const rows = ctx.session.sheets.rows?.length ?? 0;
      return numericColumns(ctx).flatMap((col) => [rows + 1, 1].map((r) => ({ row: r, column: col, value: last })));
    },
  },
  {
    name: "delete_row",
    domain: "sheets",
    description: "Deletes a row of the open sheet (clears the selection).",
    parameters: obj({ row }),
    ready: sheetReady.open,
    check: (ctx, a) => need(n(a, "row") <= ctx.session.sheets.rows!.length, `no row ${n(a, "row")}`),
    apply: (_c, x, a) => {
      x.sheets.rows!.splice(n(a, "row") - 1, 1);
      delete x.sheets.selection;
      return `row ${n(a, "row")} deleted`;
    },
    candidates: (ctx) => {
      const rows = ctx.session.sheets.rows?.length ?? 0;
      return rows === 0 ? [] : [...new Set([1, rows])].map((r) => ({ row: r }));
    },
  },
  {
    name: "save_sheet",
    domain: "sheets",
    description: "Saves the open sheet.",
    parameters: obj({}),
    ready: sheetReady.open,
    apply: (_c, x) => {
      x.sheets.saved[x.sheets.open!] = x.sheets.rows!.map((r) => [...r]);
      return `saved ${x.sheets.open}`;
    },
    candidates: noArgs,
  },
  {
    name: "close_sheet",
    domain: "sheets",
    description: "Closes the open sheet without saving.",
    parameters: obj({}),
    ready: sheetReady.open,
    apply: (_c, x) => {
      const name = x.sheets.open;
      delete x.sheets.open;
      delete x.sheets.rows;
      delete x.sheets.selection;
      delete x.sheets.lastResult;
      return `closed ${name}`;
    },
    candidates: noArgs,
  },
];

/** Every API of every domain. */
export const TOOL_APIS: readonly ToolApi[] = [...HOME_APIS, ...TRIP_APIS, ...SHEET_APIS];

export const FINISH = "finish";

export function apisOf(domain: Domain): readonly ToolApi[] {
  return TOOL_APIS.filter((api) => api.domain === domain);
}

export function findApi(name: string): ToolApi | undefined {
  return TOOL_APIS.find((api) => api.name === name);
}

/**
 * Runs one call against a session. Never throws: an unknown API, arguments that violate the
 * schema, a failed precondition or a failed check give `ok: false`, an error observation and the
 * session unchanged (the same object).
 */
export function executeCall(catalog: Catalog, session: Session, hints: TaskHints, call: ToolCall, domain?: Domain): CallResult {
  const fail = (why: string): CallResult => ({ session, ok: false, observation: `error: ${why}` });
  const api = findApi(call.api);
  if (api === undefined || (domain !== undefined && api.domain !== domain)) return fail(`unknown API '${call.api}'`);
  try {
    const problems = validateSchema(api.parameters, call.args);
    if (problems.length > 0) return fail(`invalid arguments for ${api.name}: ${problems.join("; ")}`);
    const notReady = api.ready(session);
    if (notReady !== undefined) return fail(`${api.name}: ${notReady}`);
    const bad = api.check?.({ catalog, session, hints }, call.args);
    if (bad !== undefined) return fail(`${api.name}: ${bad}`);
    const next = structuredClone(session);
    const observation = api.apply(catalog, next, call.args);
    return { session: next, ok: true, observation };
  } catch (error) {
    return fail(`${api.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The calls a policy may choose among: APIs whose preconditions hold, with their candidate arguments that pass every check. */
export function candidateCalls(catalog: Catalog, session: Session, hints: TaskHints, domain: Domain): ToolCall[] {
  const ctx: ApiContext = { catalog, session, hints };
  const calls: ToolCall[] = [];
  for (const api of apisOf(domain)) {
    if (api.ready(session) !== undefined) continue;
    for (const args of api.candidates(ctx)) {
      if (validateSchema(api.parameters, args).length > 0) continue;
      if (api.check?.(ctx, args) !== undefined) continue;
      calls.push({ api: api.name, args });
    }
  }
  return calls;
}

/** A canonical text for a call: the API and its arguments with sorted keys. */
export function callKey(call: ToolCall): string {
  const keys = Object.keys(call.args).sort();
  return `${call.api}(${keys.map((k) => `${k}=${JSON.stringify(call.args[k])}`).join(",")})`;
}
