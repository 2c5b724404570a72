import { computeTree, renderTree, type AxTree } from "../dom/accessibility.js";
import type { DomDocument } from "../dom/dom.js";
import { formatAction, invalidReason, type WebAction } from "../actions.js";

/**
 * What drives a site: the real browser (Chromium through playwright-core) or the fast driver
 * (HTTP and an HTML parser, no JavaScript). Both observe the page as the same accessibility tree
 * text, execute WebArena's actions, and answer an invalid action with an error text instead of
 * failing; what does fail (a browser crash, a page that times out, a server error) is thrown as a
 * `WebDriverError`, for the episode runner to record.
 */

export interface WebObservation {
  readonly url: string;
  readonly title: string;
  readonly tree: AxTree;
  /** The ids shown in the observation (the whole page, or the scrolled window). */
  readonly visibleIds: ReadonlySet<number>;
  /** The tree as the model reads it (the visible lines). */
  readonly treeText: string;
  /** First visible line and the number of lines of the whole tree. */
  readonly offset: number;
  readonly lineCount: number;
}

export interface StepResult {
  readonly observation: WebObservation;
  /** Why the action was not executed (an invalid action); the page is unchanged then. */
  readonly error?: string;
  /** Set by `stop`: the episode is over with this answer. */
  readonly answer?: string;
}

export type DriverFailure = "crash" | "timeout" | "server" | "network";

export class WebDriverError extends Error {
  override readonly name = "WebDriverError";
  constructor(
    readonly failure: DriverFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface SessionCookie {
  readonly origin: string;
  readonly name: string;
  readonly value: string;
}

export interface WebDriver {
  readonly kind: "browser" | "fast";
  /** Opens the start page with the session's cookie set. */
  start(url: string, session: SessionCookie): Promise<WebObservation>;
  act(action: WebAction): Promise<StepResult>;
  current(): WebObservation;
  /** A PNG of the page (the browser only). */
  screenshot?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface DriverOptions {
  /** Lines of the tree shown at once (scroll moves by this many); default: the whole page. */
  readonly viewportLines?: number;
  /** How long a page may take to load, ms (default 10,000). */
  readonly pageTimeoutMs?: number;
}

export const DEFAULT_PAGE_TIMEOUT_MS = 10_000;

/** The observation of a document at a scroll offset (shared by both drivers). */
export function observe(document: DomDocument, url: string, offset: number, viewportLines: number | undefined): WebObservation {
  const tree = computeTree(document, url);
  const lineCount = tree.nodes.length;
  const lines = viewportLines ?? lineCount;
  const start = Math.max(0, Math.min(offset, Math.max(0, lineCount - lines)));
  const visible = tree.nodes.slice(start, start + lines).map((n) => n.id);
  return {
    url,
    title: document.title,
    tree,
    visibleIds: new Set(visible),
    treeText: renderTree(tree, { offset: start, lines }),
    offset: start,
    lineCount,
  };
}

/** The scroll offset after scrolling (by a viewport, clamped to the page). */
export function scrolled(observation: WebObservation, direction: "up" | "down", viewportLines: number | undefined): number {
  const lines = viewportLines ?? observation.lineCount;
  const last = Math.max(0, observation.lineCount - lines);
  return Math.max(0, Math.min(last, observation.offset + (direction === "down" ? lines : -lines)));
}

/** The error text of an invalid action, as the next observation shows it. */
export function invalidActionText(action: WebAction, observation: WebObservation): string | undefined {
  const reason = invalidReason(action, observation.tree, observation.visibleIds);
  return reason === undefined ? undefined : `The action "${formatAction(action)}" is invalid: ${reason}.`;
}

/** The observation as the model reads it, in WebArena's layout. */
export function observationText(observation: WebObservation, error?: string): string {
  return (
    (error !== undefined ? `${error}\n` : "") +
    `Tab 0 (current): ${observation.title}\n\n${observation.treeText}\nURL: ${observation.url}`
  );
}
