import { AIRLINES, AIRPORTS, DATES, airport, arrival, clock, durationText, flightByKey, flightsFor, stopsText, type Flight } from "./flights-data.js";
import { button, documentHtml, esc, link, money, selectField, table, textField } from "./html.js";
import type { SiteDefinition, SiteRequest, SiteResponse } from "./server.js";

/**
 * The flight site, in the style of SimuRA's flight search: an origin/destination/date form,
 * results with server-side filters (stops, airline, departure time) and sorting, an instant price
 * filter in client-side JavaScript, flight details with fares, and booking, which cannot be undone.
 */

export interface Booking {
  readonly id: number;
  readonly flightKey: string;
  readonly fare: string;
  readonly passenger: string;
  readonly cents: number;
}

export interface FlightsState {
  bookings: Booking[];
}

/** Text planted on a route's results pages (any date): the injection suite's attacks. */
export interface FlightsPlant {
  readonly from: string;
  readonly to: string;
  readonly text: string;
}

export interface FlightsOptions {
  readonly seed?: number;
  readonly plants?: readonly FlightsPlant[];
}

const NAV = [link("/", "Search flights"), link("/bookings", "My bookings")].join(" ");

const SCRIPT = `
var max = document.getElementById("maxprice");
if (max) max.addEventListener("input", function () {
  var limit = parseFloat(max.value);
  var shown = 0, rows = document.querySelectorAll("tr[data-price]");
  rows.forEach(function (row) {
    var keep = isNaN(limit) || parseFloat(row.getAttribute("data-price")) <= limit;
    row.hidden = !keep;
    if (keep) shown++;
  });
  document.getElementById("filter-status").textContent = "Showing " + shown + " of " + rows.length + " flights";
});`;

const TIMES: Record<string, readonly [number, number]> = { morning: [300, 720], afternoon: [720, 1080], evening: [1080, 1440] };

export function createFlightsSite(options: FlightsOptions = {}): SiteDefinition<FlightsState> & { readonly seed: number } {
  const seed = options.seed ?? 1;
  const plants = options.plants ?? [];
  const page = (title: string, main: string) => ({ kind: "html" as const, html: documentHtml(`${title} — Flights`, NAV, main, SCRIPT) });
  const notFound = (what: string): SiteResponse => ({ kind: "html", status: 404, html: documentHtml("Not found — Flights", NAV, `<h1>Not found</h1><p>${esc(what)}</p>`) });
  const airportOptions = AIRPORTS.map((a) => ({ value: a.code, label: `${a.city} (${a.code})` }));

  const searchForm = (from = "BOS", to = "LAX", date = "") =>
    `<form action="/results" method="get" aria-label="Flight search">` +
    `<p>${selectField("from", "from", "From", airportOptions, from)}</p><p>${selectField("to", "to", "To", airportOptions, to)}</p>` +
    `<p>${textField("date", "date", "Date (YYYY-MM-DD)", date)}</p><p>${button("Search flights")}</p></form>`;

  const home = () => page("Search", `<h1>Find flights</h1>${searchForm()}<p>Flights are on sale from ${DATES[0]} to ${DATES[DATES.length - 1]}.</p>`);

  const results = (q: URLSearchParams): SiteResponse => {
    const from = q.get("from") ?? "";
    const to = q.get("to") ?? "";
    const date = (q.get("date") ?? "").trim();
    const a = airport(from);
    const b = airport(to);
    if (a === undefined || b === undefined || from === to || !DATES.includes(date)) {
      const problem =
        a === undefined || b === undefined ? "Choose an origin and a destination." : from === to ? "The origin and the destination must differ." : `Enter a date from ${DATES[0]} to ${DATES[DATES.length - 1]} as YYYY-MM-DD.`;
      return page("Search", `<h1>Find flights</h1><p role="alert">${esc(problem)}</p>${searchForm(from || undefined, to || undefined, date)}`);
    }
    const stops = q.get("stops") ?? "any";
    const airlineFilter = q.get("airline") ?? "any";
    const time = q.get("time") ?? "any";
    const sort = q.get("sort") ?? "price";
    const all = flightsFor(seed, from, to, date);
    const shown = all
      .filter((f) => stops === "any" || (stops === "nonstop" ? f.stops === 0 : f.stops <= 1))
      .filter((f) => airlineFilter === "any" || f.airline === airlineFilter)
      .filter((f) => time === "any" || (TIMES[time] !== undefined && f.depart >= TIMES[time]![0] && f.depart < TIMES[time]![1]))
      .sort((x, y) =>
        sort === "duration" ? x.durationMinutes - y.durationMinutes || x.depart - y.depart
          : sort === "departure" ? x.depart - y.depart
            : x.fares[0]!.cents - y.fares[0]!.cents || x.depart - y.depart,
      );
    const hidden = `<input type="hidden" name="from" value="${esc(from)}"><input type="hidden" name="to" value="${esc(to)}"><input type="hidden" name="date" value="${esc(date)}">`;
    const filters =
      `<form action="/results" method="get" aria-label="Filters">${hidden}` +
      `<p>${selectField("stops", "stops", "Stops", [{ value: "any", label: "Any number of stops" }, { value: "nonstop", label: "Non-stop only" }, { value: "max1", label: "At most 1 stop" }], stops)}</p>` +
      `<p>${selectField("airline", "airline", "Airline", [{ value: "any", label: "Any airline" }, ...AIRLINES.map((l) => ({ value: l.name, label: l.name }))], airlineFilter)}</p>` +
      `<p>${selectField("time", "time", "Departure time", [{ value: "any", label: "Any time" }, { value: "morning", label: "Morning (05:00–12:00)" }, { value: "afternoon", label: "Afternoon (12:00–18:00)" }, { value: "evening", label: "Evening (18:00–24:00)" }], time)}</p>` +
      `<p>${selectField("sort", "sort", "Sort by", [{ value: "price", label: "Lowest price" }, { value: "duration", label: "Shortest duration" }, { value: "departure", label: "Earliest departure" }], sort)}</p>` +
      `<p>${button("Apply filters")}</p></form>`;
    const notices = plants.filter((p) => p.from === from && p.to === to).map((p) => `<aside aria-label="Traveller notice"><p>${esc(p.text)}</p></aside>`).join("");
    const rows = shown
      .map(
        (f) =>
          `<tr data-price="${(f.fares[0]!.cents / 100).toFixed(2)}"><td>${esc(f.airline)}</td><td>${esc(f.number)}</td><td>${clock(f.depart)}</td><td>${esc(arrival(f))}</td>` +
          `<td>${durationText(f.durationMinutes)}</td><td>${esc(stopsText(f.stops) + (f.via.length > 0 ? ` via ${f.via.join(", ")}` : ""))}</td><td>${money(f.fares[0]!.cents)}</td>` +
          `<td>${link(`/flight/${f.key}`, `View ${f.number}`)}</td></tr>`,
      )
      .join("");
    const body =
      all.length === 0
        ? `<p>No flights found for this route and date.</p>`
        : `${filters}<section aria-label="Instant filter">${textField("maxprice", "maxprice", "Maximum price (instant filter)", "", { inputmode: "decimal" })}` +
          `<p id="filter-status" role="status">Showing ${shown.length} of ${shown.length} flights</p></section>` +
          `<p>${shown.length} of ${all.length} flights match</p>` +
          `<table><thead><tr><th>Airline</th><th>Flight</th><th>Departs</th><th>Arrives</th><th>Duration</th><th>Stops</th><th>Price</th><th>Details</th></tr></thead><tbody>${rows}</tbody></table>`;
    return page(`${from} to ${to}`, `<h1>Flights from ${esc(a.city)} to ${esc(b.city)} on ${esc(date)}</h1>${notices}${body}<p>${link("/", "New search")}</p>`);
  };

  const details = (flight: Flight, error: string | null) => {
    const a = airport(flight.from)!;
    const b = airport(flight.to)!;
    const info = table(
      ["Detail", "Value"],
      [
        ["From", esc(`${a.city} (${a.code})`)],
        ["To", esc(`${b.city} (${b.code})`)],
        ["Date", esc(flight.date)],
        ["Departs", clock(flight.depart)],
        ["Arrives", esc(arrival(flight))],
        ["Duration", durationText(flight.durationMinutes)],
        ["Stops", esc(stopsText(flight.stops) + (flight.via.length > 0 ? ` via ${flight.via.join(", ")}` : ""))],
      ],
    );
    const fares = table(["Fare", "Price", "Changes", "Checked bag"], flight.fares.map((f) => [f.name, money(f.cents), f.name === "Flex" ? "Free" : f.name === "Standard" ? "$75" : "Not allowed", f.name === "Basic" ? "Not included" : "Included"]));
    const form =
      `<form action="/book" method="post" aria-label="Booking"><input type="hidden" name="flight" value="${esc(flight.key)}">` +
      `<p>${selectField("fare", "fare", "Fare", flight.fares.map((f) => ({ value: f.name, label: `${f.name} (${money(f.cents)})` })))}</p>` +
      `<p>${textField("passenger", "passenger", "Passenger name", "")}</p><p>${button("Book flight")}</p></form>`;
    return page(
      `${flight.airline} ${flight.number}`,
      `<h1>${esc(flight.airline)} ${esc(flight.number)}</h1>${error !== null ? `<p role="alert">${esc(error)}</p>` : ""}${info}<h2>Fares</h2>${fares}<h2>Book this flight</h2>${form}` +
        `<p>${link(`/results?from=${flight.from}&to=${flight.to}&date=${flight.date}`, "Back to results")}</p>`,
    );
  };

  const bookingsPage = (state: FlightsState) =>
    page(
      "Bookings",
      `<h1>My bookings</h1>` +
        (state.bookings.length === 0
          ? `<p>You have no bookings yet.</p>`
          : table(["Booking", "Flight", "Fare", "Price"], state.bookings.map((b) => [link(`/bookings/${b.id}`, `Booking ${b.id}`), esc(describe(b.flightKey)), esc(b.fare), money(b.cents)]))),
    );

  const describe = (key: string) => {
    const f = flightByKey(seed, key);
    return f === undefined ? key : `${f.airline} ${f.number}, ${f.from} to ${f.to}, ${f.date} ${clock(f.depart)}`;
  };

  const handle = (request: SiteRequest<FlightsState>): SiteResponse => {
    const { method, path, query, form, state } = request;
    if (method === "GET") {
      if (path === "/") return home();
      if (path === "/results") return results(query);
      let m = /^\/flight\/([A-Z0-9-]+)$/.exec(path);
      if (m) {
        const flight = flightByKey(seed, m[1]!);
        return flight === undefined ? notFound(`No flight ${m[1]}.`) : details(flight, query.get("error") === "name" ? "Enter the passenger's name." : null);
      }
      if (path === "/bookings") return bookingsPage(state);
      m = /^\/bookings\/(\d+)$/.exec(path);
      if (m) {
        const booking = state.bookings.find((b) => b.id === Number(m![1]));
        if (booking === undefined) return notFound(`No booking ${m[1]}.`);
        return page(
          `Booking ${booking.id}`,
          `<h1>Booking ${booking.id}</h1><p role="status">Your flight is booked.</p>` +
            table(["Detail", "Value"], [["Flight", esc(describe(booking.flightKey))], ["Fare", esc(booking.fare)], ["Passenger", esc(booking.passenger)], ["Price", money(booking.cents)]]),
        );
      }
      return notFound(`No page at ${path}.`);
    }
    if (path === "/book") {
      const flight = flightByKey(seed, form.get("flight") ?? "");
      if (flight === undefined) return notFound("No such flight.");
      const passenger = (form.get("passenger") ?? "").trim();
      if (passenger.length === 0) return { kind: "redirect", location: `/flight/${flight.key}?error=name` };
      const fare = flight.fares.find((f) => f.name === form.get("fare")) ?? flight.fares[0]!;
      const id = 5001 + state.bookings.length;
      state.bookings.push({ id, flightKey: flight.key, fare: fare.name, passenger, cents: fare.cents });
      return { kind: "redirect", location: `/bookings/${id}` };
    }
    return notFound(`No form at ${path}.`);
  };

  return { name: "flights", seed, initialState: () => ({ bookings: [] }), handle };
}
