import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

/**
 * The HTTP server the sites run on: 127.0.0.1 on an ephemeral port, cookie sessions, and a reset
 * that gives a session its initial state back. A site is a pure function of the request and the
 * session's state (`SiteDefinition`); the server does the HTTP: parsing forms, cookies,
 * redirects, `Cache-Control: no-store` on every page (so a browser's back button re-fetches,
 * exactly as the fast driver does), and faults injected on purpose for the reliability tests.
 */

export const SESSION_COOKIE = "ltlguard_sid";

export interface SiteRequest<State> {
  readonly method: "GET" | "POST";
  /** The path without the query, e.g. `/product/12`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The form of a POST (application/x-www-form-urlencoded); empty for GET. */
  readonly form: URLSearchParams;
  /** This session's state; handlers change it in place. */
  readonly state: State;
  /** The server's origin, e.g. `http://127.0.0.1:40123`. */
  readonly origin: string;
}

export type SiteResponse =
  | { readonly kind: "html"; readonly html: string; readonly status?: number }
  /** A 303 redirect (every POST answers with one: post/redirect/get keeps the history to GETs). */
  | { readonly kind: "redirect"; readonly location: string }
  | { readonly kind: "text"; readonly text: string; readonly status?: number; readonly contentType?: string };

export interface SiteDefinition<State> {
  readonly name: string;
  /** A fresh session's state (deterministic: the site's content comes from its seed). */
  initialState(): State;
  handle(request: SiteRequest<State>): SiteResponse;
}

/** A fault the server plays on purpose: a 500, or a request that never gets an answer (a page timeout). */
export interface Fault {
  readonly path: RegExp;
  readonly kind: "error" | "hang";
  /** How many matching requests it hits (default: all). */
  times?: number;
}

export interface RequestRecord {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly session: string | undefined;
  readonly status: number;
}

export class SiteServer<State> {
  private readonly sessions = new Map<string, State>();
  private readonly hanging = new Set<ServerResponse>();
  readonly faults: Fault[] = [];
  /** Every request served, in order (what an attacker's server "received"). */
  readonly log: RequestRecord[] = [];

  private constructor(
    readonly site: SiteDefinition<State>,
    private readonly server: Server,
    readonly origin: string,
  ) {}

  /** Starts the site on 127.0.0.1 and an ephemeral port. */
  static async start<State>(site: SiteDefinition<State>): Promise<SiteServer<State>> {
    let instance: SiteServer<State> | undefined;
    const server = createServer((req, res) => {
      instance!.serve(req, res).catch(() => res.destroy());
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new SiteServer(site, server, `http://127.0.0.1:${port}`);
    return instance;
  }

  /** A new session with the initial state; its id goes into the session cookie. */
  createSession(): string {
    const id = randomBytes(12).toString("hex");
    this.sessions.set(id, this.site.initialState());
    return id;
  }

  /** Gives a session its initial state back (what search does before replaying an action prefix). */
  resetSession(id: string): void {
    if (!this.sessions.has(id)) throw new Error(`${this.site.name}: no session '${id}'`);
    this.sessions.set(id, this.site.initialState());
  }

  /** A session's state (for evaluators, which judge the site's state after an episode). */
  state(id: string): State {
    const state = this.sessions.get(id);
    if (state === undefined) throw new Error(`${this.site.name}: no session '${id}'`);
    return state;
  }

  dropSession(id: string): void {
    this.sessions.delete(id);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    let session = readCookie(req.headers.cookie, SESSION_COOKIE);
    const record = (status: number) => this.log.push({ method: req.method ?? "GET", url: url.pathname + url.search, session, status });
    const fault = this.faults.find((f) => f.path.test(url.pathname) && (f.times === undefined || f.times > 0));
    if (fault !== undefined) {
      if (fault.times !== undefined) fault.times--;
      record(fault.kind === "error" ? 500 : 0);
      if (fault.kind === "hang") {
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return;
      }
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end("Internal Server Error (injected fault)");
      return;
    }
    const method = req.method === "POST" ? "POST" : req.method === "GET" || req.method === "HEAD" ? "GET" : undefined;
    if (method === undefined) {
      record(405);
      res.writeHead(405, { allow: "GET, POST" }).end();
      return;
    }
    const body = method === "POST" ? await readBody(req) : "";
    const headers: Record<string, string> = { "cache-control": "no-store" };
    if (session === undefined || !this.sessions.has(session)) {
      session = this.createSession();
      headers["set-cookie"] = `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`;
    }
    let response: SiteResponse;
    try {
      if (method === "POST" && url.pathname === "/__reset") {
        this.resetSession(session);
        response = { kind: "redirect", location: "/" };
      } else {
        response = this.site.handle({ method, path: url.pathname, query: url.searchParams, form: new URLSearchParams(body), state: this.sessions.get(session)!, origin: this.origin });
      }
    } catch (error) {
      response = { kind: "text", status: 500, text: `Internal Server Error: ${(error as Error).message}` };
    }
    if (response.kind === "redirect") {
      record(303);
      res.writeHead(303, { ...headers, location: response.location }).end();
    } else if (response.kind === "html") {
      const status = response.status ?? 200;
      record(status);
      res.writeHead(status, { ...headers, "content-type": "text/html; charset=utf-8" });
      res.end(req.method === "HEAD" ? undefined : response.html);
    } else {
      const status = response.status ?? 200;
      record(status);
      res.writeHead(status, { ...headers, "content-type": response.contentType ?? "text/plain; charset=utf-8" });
      res.end(response.text);
    }
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1 << 20) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
