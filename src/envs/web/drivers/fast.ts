import type { WebAction } from "../actions.js";
import type { DomDocument, DomElement } from "../dom/dom.js";
import { optionLabel, optionsOf, parseHtml } from "../dom/html-parser.js";
import { DEFAULT_PAGE_TIMEOUT_MS, invalidActionText, observe, scrolled, WebDriverError, type DriverOptions, type SessionCookie, type StepResult, type WebDriver, type WebObservation } from "./driver.js";
import { defaultButton, enterSubmits, formOf, isSubmitButton, submission } from "../dom/forms.js";

/**
 * The fast driver: HTTP requests and an HTML parser, no browser and no JavaScript. It follows
 * links, submits forms as a browser would (the same entry list, the same redirects), keeps the
 * form controls' state, and goes back by fetching the previous page again (the sites send
 * `Cache-Control: no-store`, so a browser does the same). For pages without client-side
 * JavaScript it observes exactly what the browser driver observes; the tests hold it to that.
 */
export class FastDriver implements WebDriver {
  readonly kind = "fast";
  private cookies = new Map<string, Map<string, string>>();
  private history: string[] = [];
  private position = -1;
  private document: DomDocument | undefined;
  private url = "";
  private offset = 0;
  private observation: WebObservation | undefined;
  /** Page loads (requests answered with a document), for the benchmark. */
  requests = 0;

  constructor(private readonly options: DriverOptions = {}) {}

  async start(url: string, session: SessionCookie): Promise<WebObservation> {
    this.cookies = new Map([[session.origin, new Map([[session.name, session.value]])]]);
    this.history = [];
    this.position = -1;
    await this.navigate({ method: "GET", url }, "push");
    return this.current();
  }

  current(): WebObservation {
    if (this.observation === undefined) throw new Error("FastDriver: no page yet (call start first)");
    return this.observation;
  }

  async act(action: WebAction): Promise<StepResult> {
    const before = this.current();
    const error = invalidActionText(action, before);
    if (error !== undefined) return { observation: before, error };
    switch (action.kind) {
      case "click":
        await this.click(this.elementOf(action.id));
        break;
      case "type": {
        const e = this.elementOf(action.id);
        e.value = action.text;
        if (action.enter) {
          if (e.tag === "textarea") e.value += "\n";
          else {
            const form = formOf(this.document!, e);
            if (form !== undefined && enterSubmits(form)) await this.navigate(submission(form, defaultButton(form), this.url), "push");
          }
        }
        break;
      }
      case "select": {
        const e = this.elementOf(action.id);
        const chosen = optionsOf(e).find((o) => optionLabel(o) === action.option)!;
        for (const o of optionsOf(e)) o.selected = o === chosen;
        e.value = chosen.attrs.value ?? optionLabel(chosen);
        break;
      }
      case "scroll":
        this.offset = scrolled(before, action.direction, this.options.viewportLines);
        break;
      case "goto": {
        let target: URL;
        try {
          target = new URL(action.url, this.url);
        } catch {
          return { observation: before, error: `The action "goto [${action.url}]" is invalid: it is not a URL.` };
        }
        if (target.protocol !== "http:" && target.protocol !== "https:") return { observation: before, error: `The action "goto [${action.url}]" is invalid: only http and https URLs can be opened.` };
        await this.navigate({ method: "GET", url: target.href }, "push");
        break;
      }
      case "go_back":
        if (this.position <= 0) return { observation: before, error: `The action "go_back" is invalid: there is no previous page.` };
        this.position--;
        await this.navigate({ method: "GET", url: this.history[this.position]! }, "stay");
        break;
      case "stop":
        return { observation: before, answer: action.answer };
    }
    this.refresh();
    return { observation: this.current() };
  }

  async close(): Promise<void> {
    this.document = undefined;
    this.observation = undefined;
  }

  private elementOf(id: number): DomElement {
    return this.current().tree.nodes[id - 1]!.element!;
  }

  private async click(e: DomElement): Promise<void> {
    if ("disabled" in e.attrs) return;
    if (e.tag === "a" && e.attrs.href !== undefined) {
      const target = new URL(e.attrs.href, this.url);
      if (target.protocol === "http:" || target.protocol === "https:") await this.navigate({ method: "GET", url: target.href }, "push");
      return;
    }
    if (isSubmitButton(e)) {
      const form = formOf(this.document!, e);
      if (form !== undefined) await this.navigate(submission(form, e, this.url), "push");
      return;
    }
    if (e.tag === "input" && (e.attrs.type ?? "").toLowerCase() === "checkbox") e.checked = !e.checked;
    else if (e.tag === "input" && (e.attrs.type ?? "").toLowerCase() === "radio") {
      const form = formOf(this.document!, e);
      for (const other of this.document!.elements) if (other.tag === "input" && other.attrs.name === e.attrs.name && formOf(this.document!, other) === form) other.checked = false;
      e.checked = true;
    } else if (e.tag === "option") {
      const select = this.document!.elements.find((s) => s.tag === "select" && optionsOf(s).includes(e));
      if (select !== undefined) {
        for (const o of optionsOf(select)) o.selected = o === e;
        select.value = e.attrs.value ?? optionLabel(e);
      }
    }
    // Other elements (a button that runs script) do nothing without JavaScript.
  }

  /** Loads a page (following redirects); `push` adds it to the history, `stay` replaces the current entry. */
  private async navigate(request: { method: "GET" | "POST"; url: string; body?: string }, history: "push" | "stay"): Promise<void> {
    let { method, url, body } = request;
    const timeout = this.options.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
    for (let hop = 0; ; hop++) {
      if (hop > 10) throw new WebDriverError("network", `too many redirects loading ${request.url}`);
      const origin = new URL(url).origin;
      const jar = this.cookies.get(origin);
      const headers: Record<string, string> = {};
      if (jar !== undefined && jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
      if (method === "POST") headers["content-type"] = "application/x-www-form-urlencoded";
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body: method === "POST" ? body : undefined, redirect: "manual", signal: AbortSignal.timeout(timeout) });
      } catch (error) {
        const name = (error as Error).name;
        if (name === "TimeoutError" || name === "AbortError") throw new WebDriverError("timeout", `${url} did not load within ${timeout} ms`);
        throw new WebDriverError("network", `cannot load ${url}: ${(error as Error).message}`);
      }
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const eq = pair!.indexOf("=");
        if (eq > 0) {
          const cookies = this.cookies.get(origin) ?? new Map<string, string>();
          cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
          this.cookies.set(origin, cookies);
        }
      }
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        url = new URL(location, url).href;
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
        }
        continue;
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw new WebDriverError("timeout", `${url} did not finish loading: ${(error as Error).message}`);
      }
      if (response.status >= 500) throw new WebDriverError("server", `${url} answered ${response.status}: ${text.slice(0, 120)}`);
      const type = response.headers.get("content-type") ?? "";
      // A browser shows plain text in a <pre>; so does this driver.
      this.document = /html/i.test(type) ? parseHtml(text) : parseHtml(`<html><head></head><body><pre>${escapeText(text)}</pre></body></html>`);
      this.url = url;
      this.offset = 0;
      this.requests++;
      if (history === "push") {
        this.history = this.history.slice(0, this.position + 1);
        this.history.push(url);
        this.position = this.history.length - 1;
      } else {
        this.history[this.position] = url;
      }
      this.refresh();
      return;
    }
  }

  private refresh(): void {
    this.observation = observe(this.document!, this.url, this.offset, this.options.viewportLines);
  }
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}
