import { acceptsBytes, type ByteDfa } from "../../../grammars/byte-dfa.js";
import { regexDfa } from "../../../grammars/regex.js";
import { encodeUtf8 } from "../../../grammars/utf8.js";
import type { ActionKind, WebAction } from "../actions.js";
import type { ElementInfo } from "../dom/accessibility.js";

/**
 * Web actions as events a policy can talk about. Each action kind is a "tool" of the spec, and
 * `call(kind, field matching /R/)` tests one fact of the action:
 *
 * | kind | fields |
 * |---|---|
 * | every kind | `page` (the URL of the page the action is taken on), `title` (its title) |
 * | click, type, select | the element's `role`, `name` (its accessible name: a link's text, a field's label), `input` (an input's type, `textarea`, `select`, or empty), `autocomplete`, `field` (the form field's name) |
 * | click | `url` (a link's target or a submit button's form action, absolute), `origin` (`same` or `other` than the page's; empty without a target) |
 * | click, type | `submits`: the action URL of the form the action submits (a submit button's click, Enter in a field that submits its form), else empty |
 * | type | `text`, `enter` (`1` or `0`) |
 * | select | `option` |
 * | scroll | `direction` (`up` or `down`) |
 * | goto | `url` (as written), `origin` (`same` or `other`) |
 * | stop | `answer` |
 *
 * A test holds when the whole value matches the regular expression (the project's regex dialect,
 * matched by its byte automaton: the same semantics everywhere, here and in the mask).
 */

export const ELEMENT_FIELDS = ["role", "name", "input", "autocomplete", "field"] as const;
export const CONTEXT_FIELDS = ["page", "title"] as const;

export const FIELDS: Readonly<Record<ActionKind, readonly string[]>> = {
  click: [...CONTEXT_FIELDS, ...ELEMENT_FIELDS, "url", "origin", "submits"],
  type: [...CONTEXT_FIELDS, ...ELEMENT_FIELDS, "text", "enter", "submits"],
  select: [...CONTEXT_FIELDS, ...ELEMENT_FIELDS, "option"],
  scroll: [...CONTEXT_FIELDS, "direction"],
  goto: [...CONTEXT_FIELDS, "url", "origin"],
  go_back: [...CONTEXT_FIELDS],
  stop: [...CONTEXT_FIELDS, "answer"],
};

/** Fields the page fixes for every action of a step. */
export function isContextField(field: string): boolean {
  return field === "page" || field === "title";
}

/** Fields fixed by the element an action names (click, type, select). */
export function isElementField(kind: ActionKind, field: string): boolean {
  return (kind === "click" || kind === "type" || kind === "select") && ((ELEMENT_FIELDS as readonly string[]).includes(field) || (kind === "click" && (field === "url" || field === "origin" || field === "submits")));
}

/** The values a field can take at all, where they are few (used to leave out impossible events). */
export function finiteDomain(kind: ActionKind, field: string): readonly string[] | undefined {
  if (field === "enter") return ["0", "1"];
  if (field === "direction") return ["up", "down"];
  if (field === "origin") return kind === "goto" ? ["same", "other"] : ["same", "other", ""];
  return undefined;
}

/** What the page says about the step: the context of every action. */
export interface PageContext {
  readonly url: string;
  readonly title: string;
}

/**
 * The URLs a model may write in `goto`: an absolute http(s) URL with a lower-case host, or a
 * path from the site's root. Other spellings are not in the action language (a policy cannot be
 * fooled by `HTTP://…`, a backslash or a tab that a URL parser would quietly repair).
 */
export const GOTO_URL_CHARS = "A-Za-z0-9._~%!$&'()*+,;=:@/?#-";
export const GOTO_URL_REGEX = `https?://[a-z0-9.-]{1,60}(:[0-9]{1,5})?(/[${GOTO_URL_CHARS}]{0,100})?|/[${GOTO_URL_CHARS}]{0,100}`;

/**
 * The goto URLs (within `GOTO_URL_REGEX`) that stay on the page's origin: a path from the root
 * (but not `//host`, which names another host), or the page's origin written out, then nothing
 * or a path. Everything else counts as another origin (`http://127.1:…` too: stricter than a URL
 * parser, never looser).
 */
export function sameOriginRegex(pageUrl: string): string {
  const origin = new URL(pageUrl).origin;
  const escaped = origin.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  return `/([${GOTO_URL_CHARS.replace("/", "")}][${GOTO_URL_CHARS}]{0,99})?|${escaped}(/[${GOTO_URL_CHARS}]{0,100})?`;
}

const dfaCache = new Map<string, ByteDfa>();

/** The byte automaton of a regex's whole matches (cached). */
export function regexAutomaton(source: string): ByteDfa {
  let dfa = dfaCache.get(source);
  if (dfa === undefined) {
    dfa = regexDfa(source);
    if (dfaCache.size > 2000) dfaCache.clear();
    dfaCache.set(source, dfa);
  }
  return dfa;
}

export function wholeMatch(source: string, value: string): boolean {
  return acceptsBytes(regexAutomaton(source), encodeUtf8(value, "value"));
}

/** `same` or `other`: where a goto URL (as written) leads, relative to the page. */
export function gotoOrigin(urlText: string, pageUrl: string): "same" | "other" {
  return wholeMatch(sameOriginRegex(pageUrl), urlText) ? "same" : "other";
}

/** A link's or form's target origin relative to the page: `same`, `other`, or "" without a target. */
export function targetOrigin(targetUrl: string, pageUrl: string): "" | "same" | "other" {
  if (targetUrl === "") return "";
  try {
    return new URL(targetUrl).origin === new URL(pageUrl).origin ? "same" : "other";
  } catch {
    return "other";
  }
}

/** The facts of an element, as element fields (for `type`, `submits` depends on `enter`: see `typeSubmits`). */
export function elementFacts(kind: ActionKind, element: ElementInfo, page: PageContext): Record<string, string> {
  const facts: Record<string, string> = { role: element.role, name: element.name, input: element.input, autocomplete: element.autocomplete, field: element.field };
  if (kind === "click") {
    facts.url = element.url;
    facts.origin = targetOrigin(element.url, page.url);
    facts.submits = element.submitButton ? element.form : "";
  }
  return facts;
}

/** What typing into a field submits: its form's action when Enter is pressed and submits it. */
export function typeSubmits(element: ElementInfo, enter: boolean): string {
  return enter && element.enterSubmits ? element.form : "";
}

/** Every field of an action taken on a page (element fields from the element it names). */
export function actionFacts(action: WebAction, page: PageContext, element: ElementInfo | undefined): Record<string, string> {
  const facts: Record<string, string> = { page: page.url, title: page.title };
  if ((action.kind === "click" || action.kind === "type" || action.kind === "select") && element !== undefined) Object.assign(facts, elementFacts(action.kind, element, page));
  switch (action.kind) {
    case "type":
      facts.text = action.text;
      facts.enter = action.enter ? "1" : "0";
      facts.submits = element === undefined ? "" : typeSubmits(element, action.enter);
      break;
    case "select":
      facts.option = action.option;
      break;
    case "scroll":
      facts.direction = action.direction;
      break;
    case "goto":
      facts.url = action.url;
      facts.origin = gotoOrigin(action.url, page.url);
      break;
    case "stop":
      facts.answer = action.answer;
      break;
  }
  return facts;
}
