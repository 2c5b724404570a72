import { existsSync } from "node:fs";
import { chromium, errors, type Browser, type BrowserContext, type ElementHandle, type Page } from "playwright-core";
import type { WebAction } from "../actions.js";
import type { DomDocument, DomElement, DomNode } from "../dom/dom.js";
import { DEFAULT_PAGE_TIMEOUT_MS, invalidActionText, observe, scrolled, WebDriverError, type DriverOptions, type SessionCookie, type StepResult, type WebDriver, type WebObservation } from "./driver.js";

/**
 * The browser driver: Debian's Chromium driven through playwright-core (no browser download; the
 * executable is given by path). One browser per run (`ChromiumBrowser`), a fresh context per
 * episode (its own cookies and history), always closed. Actions are real input: clicks through
 * the mouse on links, buttons and form controls, text through the keyboard events of `fill` and
 * Enter, options through the select. After each action the live DOM (what the page's
 * JavaScript made of it) is serialized and turned into the same accessibility tree the fast
 * driver computes.
 */

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Where Chromium is: `LTLGUARD_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.LTLGUARD_CHROMIUM ?? "/usr/bin/chromium";
}

export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath());
}

export class ChromiumBrowser {
  private constructor(private browser: Browser) {}

  static async launch(): Promise<ChromiumBrowser> {
    return new ChromiumBrowser(await launchChromium());
  }

  get connected(): boolean {
    return this.browser.isConnected();
  }

  /** A driver for one episode, in a context of its own. */
  driver(options: DriverOptions = {}): BrowserDriver {
    return new BrowserDriver(this.browser, options);
  }

  /** Starts a fresh browser if this one is gone (after a crash). Returns whether it had to. */
  async ensureRunning(): Promise<boolean> {
    if (this.browser.isConnected()) return false;
    await this.browser.close().catch(() => undefined);
    this.browser = await launchChromium();
    return true;
  }

  /** Closes the browser as a crash would (for the reliability tests). */
  async killForTesting(): Promise<void> {
    await this.browser.close();
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is not at ${executablePath}: install Debian's 'chromium' package (apt-get install chromium) or set LTLGUARD_CHROMIUM`);
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
}

/** Serializes the live DOM under <body> and keeps the elements in `window.__ltlguardElements` (their index is their place there). */
const SNAPSHOT = `(() => {
  const list = [];
  const walk = (el) => {
    const i = list.length;
    list.push(el);
    const tag = el.tagName.toLowerCase();
    const a = {};
    for (const attr of el.attributes) a[attr.name] = attr.value;
    const node = { t: tag, a, i, c: [] };
    if (tag === "input" || tag === "textarea" || tag === "select") node.v = el.value;
    if (tag === "input" && (el.type === "checkbox" || el.type === "radio")) node.k = el.checked;
    if (tag === "option") node.s = el.selected;
    if (tag !== "script" && tag !== "style" && tag !== "template") {
      for (const child of el.childNodes) {
        if (child.nodeType === 1) node.c.push(walk(child));
        else if (child.nodeType === 3) node.c.push(child.data);
      }
    }
    return node;
  };
  const body = document.body ? walk(document.body) : null;
  window.__ltlguardElements = list;
  return { title: document.title, body };
})()`;

interface SnapshotNode {
  t: string;
  a: Record<string, string>;
  i: number;
  c: (SnapshotNode | string)[];
  v?: string;
  k?: boolean;
  s?: boolean;
}

/** Elements a click activates (the rest get a DOM click event on themselves, see `act`). */
const ACTIVATABLE = new Set(["a", "button", "input", "select", "textarea", "option", "summary", "label"]);

export class BrowserDriver implements WebDriver {
  readonly kind = "browser";
  private context: BrowserContext | undefined;
  private page: Page | undefined;
  private document: DomDocument | undefined;
  private offset = 0;
  private observation: WebObservation | undefined;
  private documentStatus = 200;
  private crashed = false;
  private startIndex = 0;

  constructor(
    private readonly browser: Browser,
    private readonly options: DriverOptions = {},
  ) {}

  private get timeout(): number {
    return this.options.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
  }

  async start(url: string, session: SessionCookie): Promise<WebObservation> {
    await this.guard(async () => {
      this.context = await this.browser.newContext({ viewport: { width: 1280, height: 900 } });
      await this.context.addCookies([{ name: session.name, value: session.value, url: session.origin }]);
      const page = await this.context.newPage();
      this.page = page;
      page.setDefaultTimeout(this.timeout);
      page.setDefaultNavigationTimeout(this.timeout);
      page.on("crash", () => (this.crashed = true));
      page.on("response", (response) => {
        if (response.frame() === page.mainFrame() && response.request().isNavigationRequest() && (response.status() < 300 || response.status() >= 400)) this.documentStatus = response.status();
      });
      this.documentStatus = 200;
      await page.goto(url, { waitUntil: "load" });
      // The start page's place in the history (a new page starts on about:blank before it).
      this.startIndex = await this.historyIndex();
      await this.afterNavigation(true);
    });
    return this.current();
  }

  current(): WebObservation {
    if (this.observation === undefined) throw new Error("BrowserDriver: no page yet (call start first)");
    return this.observation;
  }

  async act(action: WebAction): Promise<StepResult> {
    const before = this.current();
    const error = invalidActionText(action, before);
    if (error !== undefined) return { observation: before, error };
    let result: StepResult | undefined;
    await this.guard(async () => {
      const page = this.page!;
      const urlBefore = page.url();
      this.documentStatus = 200;
      switch (action.kind) {
        case "click": {
          const element = this.elementOf(action.id);
          const handle = await this.handleOf(element);
          if (element.tag === "option") {
            const select = await handle.evaluateHandle((o) => (o as unknown as { parentElement: unknown }).parentElement);
            await (select as ElementHandle).selectOption({ index: await handle.evaluate((o) => (o as unknown as { index: number }).index) });
          } else if (ACTIVATABLE.has(element.tag)) {
            await handle.click();
          } else {
            // Not a control: the click goes to the element itself rather than to whatever sits at
            // its centre (a link inside a table cell), as the fast driver does; scripts listening
            // on the element still run.
            await handle.dispatchEvent("click");
          }
          break;
        }
        case "type": {
          const handle = await this.handleOf(this.elementOf(action.id));
          await handle.fill(action.text);
          if (action.enter) await handle.press("Enter");
          break;
        }
        case "select": {
          const handle = await this.handleOf(this.elementOf(action.id));
          await handle.selectOption({ label: action.option });
          break;
        }
        case "scroll":
          this.offset = scrolled(before, action.direction, this.options.viewportLines);
          await page.evaluate(`window.scrollBy(0, ${action.direction === "down" ? "window.innerHeight" : "-window.innerHeight"})`);
          break;
        case "goto": {
          let target: URL;
          try {
            target = new URL(action.url, page.url());
          } catch {
            result = { observation: before, error: `The action "goto [${action.url}]" is invalid: it is not a URL.` };
            return;
          }
          if (target.protocol !== "http:" && target.protocol !== "https:") {
            result = { observation: before, error: `The action "goto [${action.url}]" is invalid: only http and https URLs can be opened.` };
            return;
          }
          await page.goto(target.href, { waitUntil: "load" });
          break;
        }
        case "go_back": {
          if ((await this.historyIndex()) <= this.startIndex) {
            result = { observation: before, error: `The action "go_back" is invalid: there is no previous page.` };
            return;
          }
          await page.goBack({ waitUntil: "load" });
          break;
        }
        case "stop":
          result = { observation: before, answer: action.answer };
          return;
      }
      await page.waitForLoadState("load");
      await this.afterNavigation(page.url() !== urlBefore);
    });
    return result ?? { observation: this.current() };
  }

  async screenshot(): Promise<Uint8Array> {
    let png: Uint8Array | undefined;
    await this.guard(async () => {
      png = await this.page!.screenshot({ fullPage: true });
    });
    return png!;
  }

  /** Crashes the page's renderer (for the reliability tests). */
  async crashPageForTesting(): Promise<void> {
    await this.page?.goto("chrome://crash").catch(() => undefined);
  }

  async close(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    this.page = undefined;
    if (context !== undefined) await context.close().catch(() => undefined);
  }

  /** The current entry's index in the page's session history. */
  private async historyIndex(): Promise<number> {
    const cdp = await this.context!.newCDPSession(this.page!);
    try {
      return ((await cdp.send("Page.getNavigationHistory")) as { currentIndex: number }).currentIndex;
    } finally {
      await cdp.detach();
    }
  }

  private elementOf(id: number): DomElement {
    return this.current().tree.nodes[id - 1]!.element!;
  }

  private async handleOf(element: DomElement): Promise<ElementHandle> {
    const handle = await this.page!.evaluateHandle(`window.__ltlguardElements[${element.index}]`);
    const asElement = handle.asElement();
    if (asElement === null) throw new WebDriverError("crash", "the page lost the element the observation named (the page changed under the driver)");
    return asElement as ElementHandle;
  }

  private async afterNavigation(navigated: boolean): Promise<void> {
    if (this.documentStatus >= 500) throw new WebDriverError("server", `${this.page!.url()} answered ${this.documentStatus}`);
    if (navigated) this.offset = 0;
    const snapshot = (await this.page!.evaluate(SNAPSHOT)) as { title: string; body: SnapshotNode | null };
    const elements: DomElement[] = [];
    const convert = (node: SnapshotNode): DomElement => {
      const element: DomElement = { type: "element", tag: node.t, attrs: node.a, children: [], index: node.i };
      elements[node.i] = element;
      if (node.v !== undefined) element.value = node.v;
      if (node.k !== undefined) element.checked = node.k;
      if (node.s !== undefined) element.selected = node.s;
      for (const child of node.c) (element.children as DomNode[]).push(typeof child === "string" ? { type: "text", text: child } : convert(child));
      return element;
    };
    const body = snapshot.body === null ? ({ type: "element", tag: "body", attrs: {}, children: [], index: 0 } as DomElement) : convert(snapshot.body);
    this.document = { title: snapshot.title, body, elements };
    this.observation = observe(this.document, this.page!.url(), this.offset, this.options.viewportLines);
  }

  /** Runs browser work, turning what fails into `WebDriverError`s (crash, timeout). */
  private async guard(work: () => Promise<void>): Promise<void> {
    if (this.crashed || !this.browser.isConnected()) throw new WebDriverError("crash", "the browser page crashed or the browser is gone");
    try {
      await work();
    } catch (error) {
      if (error instanceof WebDriverError) throw error;
      if (error instanceof errors.TimeoutError) throw new WebDriverError("timeout", `page timeout: ${firstLine(error)}`);
      if (this.crashed || !this.browser.isConnected() || /crash|closed|Target.*closed|disconnected/i.test((error as Error).message)) {
        throw new WebDriverError("crash", `browser crash: ${firstLine(error as Error)}`);
      }
      if (/net::ERR_/.test((error as Error).message)) throw new WebDriverError("network", firstLine(error as Error));
      throw error;
    }
  }
}

function firstLine(error: Error): string {
  return error.message.split("\n")[0]!;
}
