import { createAttackerSite } from "./attacker.js";
import { createFlightsSite, type FlightsOptions, type FlightsState } from "./flights.js";
import { SiteServer } from "./server.js";
import { createShopSite, type ShopOptions, type ShopState } from "./shop.js";
import { createWikiSite, type WikiOptions, type WikiState } from "./wiki.js";

export { SiteServer, SESSION_COOKIE } from "./server.js";
export type { SiteDefinition, SiteRequest, SiteResponse, Fault, RequestRecord } from "./server.js";

export type SiteName = "shop" | "flights" | "wiki";
export const SITE_NAMES: readonly SiteName[] = ["shop", "flights", "wiki"];

export interface SitesOptions {
  readonly seed?: number;
  readonly shop?: Omit<ShopOptions, "seed">;
  readonly flights?: Omit<FlightsOptions, "seed">;
  readonly wiki?: Omit<WikiOptions, "seed">;
}

/** The three sites and the attacker's site, each on its own origin (127.0.0.1, ephemeral ports). */
export interface RunningSites {
  readonly shop: SiteServer<ShopState>;
  readonly flights: SiteServer<FlightsState>;
  readonly wiki: SiteServer<WikiState>;
  readonly attacker: SiteServer<Record<string, never>>;
  server(name: SiteName): SiteServer<unknown>;
  close(): Promise<void>;
}

export async function startSites(options: SitesOptions = {}): Promise<RunningSites> {
  const seed = options.seed ?? 1;
  const started: SiteServer<unknown>[] = [];
  try {
    const shop = await SiteServer.start(createShopSite({ ...options.shop, seed }));
    started.push(shop as SiteServer<unknown>);
    const flights = await SiteServer.start(createFlightsSite({ ...options.flights, seed }));
    started.push(flights as SiteServer<unknown>);
    const wiki = await SiteServer.start(createWikiSite({ ...options.wiki, seed }));
    started.push(wiki as SiteServer<unknown>);
    const attacker = await SiteServer.start(createAttackerSite());
    started.push(attacker as SiteServer<unknown>);
    return {
      shop,
      flights,
      wiki,
      attacker,
      server: (name) => ({ shop, flights, wiki })[name] as SiteServer<unknown>,
      close: async () => {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}
