import { findAll, parentMap, type DomDocument, type DomElement } from "./dom.js";
import { optionsOf, optionValue } from "./html-parser.js";

/**
 * HTML form submission for the fast driver: which control a click or an Enter submits, and the
 * form data set a browser would send (the WHATWG "constructing the entry list" rules for the
 * controls real sites use).
 */

export interface Submission {
  readonly method: "GET" | "POST";
  /** Absolute URL (for GET, with the form data as its query). */
  readonly url: string;
  /** The urlencoded body of a POST. */
  readonly body?: string;
}

export function formOf(document: DomDocument, element: DomElement): DomElement | undefined {
  const parents = parentMap(document.body);
  if (element.attrs.form !== undefined) return findAll(document.body, (e) => e.tag === "form" && e.attrs.id === element.attrs.form)[0];
  for (let p = parents.get(element); p !== undefined; p = parents.get(p)) if (p.tag === "form") return p;
  return undefined;
}

export function isSubmitButton(e: DomElement): boolean {
  if (e.tag === "button") return (e.attrs.type ?? "submit").toLowerCase() === "submit";
  if (e.tag === "input") return ["submit", "image"].includes((e.attrs.type ?? "").toLowerCase());
  return false;
}

/** The form's default button: its first submit button in tree order. */
export function defaultButton(form: DomElement): DomElement | undefined {
  return findAll(form, isSubmitButton)[0];
}

/** Whether pressing Enter in a field submits the form: it has a default button, or exactly one field that blocks implicit submission. */
export function enterSubmits(form: DomElement): boolean {
  if (defaultButton(form) !== undefined) return true;
  const blocking = findAll(form, (e) => e.tag === "input" && ["text", "search", "email", "tel", "url", "number", "password", "date"].includes((e.attrs.type ?? "text").toLowerCase()));
  return blocking.length === 1;
}

export function submission(form: DomElement, submitter: DomElement | undefined, pageUrl: string): Submission {
  const entries = new URLSearchParams();
  for (const e of findAll(form, (x) => x !== form)) {
    const name = e.attrs.name;
    if (name === undefined || name === "" || "disabled" in e.attrs) continue;
    if (e.tag === "input") {
      const type = (e.attrs.type ?? "text").toLowerCase();
      if (type === "submit" || type === "image" || type === "button" || type === "reset") {
        if (e === submitter) entries.append(name, e.attrs.value ?? "");
      } else if (type === "checkbox" || type === "radio") {
        if (e.checked) entries.append(name, e.value ?? "on");
      } else if (type !== "file") {
        entries.append(name, e.value ?? "");
      }
    } else if (e.tag === "button") {
      if (e === submitter) entries.append(name, e.attrs.value ?? "");
    } else if (e.tag === "select") {
      for (const o of optionsOf(e)) if (o.selected && !("disabled" in o.attrs)) entries.append(name, optionValue(o));
    } else if (e.tag === "textarea") {
      entries.append(name, (e.value ?? "").replace(/\r\n|\r|\n/g, "\r\n"));
    }
  }
  const method = ((submitter?.attrs.formmethod ?? form.attrs.method ?? "get").toLowerCase() === "post" ? "POST" : "GET") as "GET" | "POST";
  const action = new URL(submitter?.attrs.formaction ?? form.attrs.action ?? "", pageUrl);
  action.hash = "";
  if (method === "GET") {
    action.search = entries.toString();
    return { method, url: action.href };
  }
  return { method, url: action.href, body: entries.toString() };
}
