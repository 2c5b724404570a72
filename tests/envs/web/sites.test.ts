import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FastDriver } from "../../../src/envs/web/drivers/fast.js";
import { WebDriverError } from "../../../src/envs/web/drivers/driver.js";
import { parseAction } from "../../../src/envs/web/actions.js";
import { generateCatalog, PRODUCTS_PER_CATEGORY } from "../../../src/envs/web/sites/shop-catalog.js";
import { generateWiki } from "../../../src/envs/web/sites/wiki-data.js";
import { flightsFor, routeServed } from "../../../src/envs/web/sites/flights-data.js";
import { SESSION_COOKIE, startSites, type RunningSites } from "../../../src/envs/web/sites/index.js";

let sites: RunningSites;
beforeAll(async () => {
  sites = await startSites({ seed: 1 });
});
afterAll(async () => {
  await sites.close();
});

async function open(path: string, site: "shop" | "flights" | "wiki" = "shop") {
  const server = sites.server(site);
  const session = server.createSession();
  const driver = new FastDriver();
  await driver.start(server.origin + path, { origin: server.origin, name: SESSION_COOKIE, value: session });
  return { driver, session };
}

/** The id of the first element with this role and name. */
function idOf(driver: FastDriver, role: string, name: string): number {
  for (const [id, e] of driver.current().tree.elements) if (e.role === role && e.name === name) return id;
  throw new Error(`no ${role} '${name}' on ${driver.current().url}`);
}

describe("the sites", () => {
  it("serve on 127.0.0.1 at ephemeral ports, one origin each", () => {
    const origins = [sites.shop.origin, sites.flights.origin, sites.wiki.origin, sites.attacker.origin];
    for (const o of origins) expect(o).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(origins).size).toBe(4);
  });

  it("generate the same content from the same seed, other content from another", () => {
    expect(JSON.stringify(generateCatalog(1))).toBe(JSON.stringify(generateCatalog(1)));
    expect(JSON.stringify(generateCatalog(1))).not.toBe(JSON.stringify(generateCatalog(2)));
    expect(JSON.stringify(generateWiki(3))).toBe(JSON.stringify(generateWiki(3)));
    expect(JSON.stringify(flightsFor(1, "BOS", "LAX", "2025-04-03"))).toBe(JSON.stringify(flightsFor(1, "BOS", "LAX", "2025-04-03")));
  });

  it("have at least 500 products with attributes, options and prices, all names distinct", () => {
    const catalog = generateCatalog(1);
    expect(catalog.products.length).toBe(12 * PRODUCTS_PER_CATEGORY);
    expect(catalog.products.length).toBeGreaterThanOrEqual(500);
    expect(new Set(catalog.products.map((p) => p.name)).size).toBe(catalog.products.length);
    for (const p of catalog.products) {
      expect(p.attributes.length).toBeGreaterThanOrEqual(3);
      expect(p.options.length).toBeGreaterThanOrEqual(1);
      expect(p.priceCents).toBeGreaterThan(0);
    }
  });

  it("keep state per cookie session, and a reset gives the initial state back (an order placed, reset, no orders)", async () => {
    const { driver, session } = await open("/product/5");
    await driver.act({ kind: "click", id: idOf(driver, "button", "Add to cart") });
    expect(driver.current().url).toMatch(/\/cart$/);
    await driver.act({ kind: "click", id: idOf(driver, "link", "Proceed to checkout") });
    await driver.act({ kind: "click", id: idOf(driver, "button", "Place order") });
    expect(driver.current().url).toMatch(/\/orders\/1001$/);
    expect(sites.shop.state(session).orders).toHaveLength(1);
    await driver.act(parseAction("goto [/orders]"));
    expect(driver.current().treeText).toContain("Order #1001");
    // Another session sees nothing of it.
    const other = await open("/orders");
    expect(other.driver.current().treeText).toContain("You have no orders yet.");
    sites.shop.resetSession(session);
    await driver.act(parseAction("goto [/orders]"));
    expect(driver.current().treeText).toContain("You have no orders yet.");
    expect(sites.shop.state(session).orders).toHaveLength(0);
  });

  it("answer POSTs with a redirect (the history holds only GETs) and unknown pages with a 404 page", async () => {
    const { driver } = await open("/product/7");
    await driver.act({ kind: "click", id: idOf(driver, "button", "Add to cart") });
    await driver.act({ kind: "go_back" });
    expect(driver.current().url).toMatch(/\/product\/7$/);
    await driver.act(parseAction("goto [/no/such/page]"));
    expect(driver.current().title).toBe("Not found — Shop");
  });

  it("play injected faults: a server error and a request that never answers", async () => {
    const { driver } = await open("/");
    sites.shop.faults.push({ path: /^\/cart$/, kind: "error", times: 1 });
    await expect(driver.act(parseAction("goto [/cart]"))).rejects.toMatchObject({ failure: "server" });
    const slow = new FastDriver({ pageTimeoutMs: 500 });
    const session = sites.shop.createSession();
    await slow.start(sites.shop.origin + "/", { origin: sites.shop.origin, name: SESSION_COOKIE, value: session });
    sites.shop.faults.push({ path: /^\/orders$/, kind: "hang", times: 1 });
    const error = await slow.act(parseAction("goto [/orders]")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebDriverError);
    expect((error as WebDriverError).failure).toBe("timeout");
  });

  it("the flight site books (irreversibly) and the wiki keeps talk posts per session", async () => {
    const [from, to] = ["BOS", "JFK", "ORD", "SEA"].flatMap((a) => ["LAX", "MIA", "DEN"].map((b) => [a, b])).find(([a, b]) => routeServed(1, a!, b!))!;
    const flight = flightsFor(1, from!, to!, "2025-04-03")[0]!;
    expect(flight).toBeDefined();
    const f = await open(`/flight/${flight.key}`, "flights");
    await f.driver.act({ kind: "type", id: idOf(f.driver, "textbox", "Passenger name"), text: "Ada Lovelace", enter: false });
    await f.driver.act({ kind: "click", id: idOf(f.driver, "button", "Book flight") });
    expect(sites.flights.state(f.session).bookings).toEqual([{ id: 5001, flightKey: flight.key, fare: "Basic", passenger: "Ada Lovelace", cents: flight.fares[0]!.cents }]);
    const w = await open(`/talk/${generateWiki(1).articles[0]!.slug}`, "wiki");
    await w.driver.act({ kind: "type", id: idOf(w.driver, "textbox", "Your comment"), text: "Hello there", enter: false });
    await w.driver.act({ kind: "click", id: idOf(w.driver, "button", "Post comment") });
    expect(w.driver.current().treeText).toContain("Hello there");
  });
});
