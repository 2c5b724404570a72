/**
 * A document as both drivers see it: elements with their attributes, text, and the live state of
 * form controls. The browser driver serializes Chromium's live DOM into this shape (after the
 * page's JavaScript ran); the fast driver parses the server's HTML into it and keeps the controls'
 * state itself. The accessibility tree is computed from this shape by one function, so the two
 * drivers observe the same tree whenever their documents are the same.
 */

export interface DomElement {
  readonly type: "element";
  /** Lower-case tag name. */
  readonly tag: string;
  readonly attrs: Record<string, string>;
  readonly children: DomNode[];
  /** Live control state: the value of inputs, textareas and selects, the checkedness of checkboxes, the selectedness of options. */
  value?: string;
  checked?: boolean;
  selected?: boolean;
  /** The element's index in its document (preorder over elements), how a driver finds it again. */
  readonly index: number;
}

export interface DomText {
  readonly type: "text";
  readonly text: string;
}

export type DomNode = DomElement | DomText;

export interface DomDocument {
  readonly title: string;
  /** The <body> element (an empty one when the page has none). */
  readonly body: DomElement;
  /** Every element in preorder; `elements[e.index] === e`. */
  readonly elements: readonly DomElement[];
}

/** The text of a node and its descendants, without collapsing whitespace. */
export function rawText(node: DomNode): string {
  if (node.type === "text") return node.text;
  return node.children.map(rawText).join("");
}

/** Whitespace collapsed to single spaces and trimmed, as a browser renders inline text. */
export function collapse(text: string): string {
  return text.replace(/[\t\n\f\r ]+/g, " ").trim();
}

/** Elements that are never rendered. */
const NEVER_RENDERED = new Set(["head", "script", "style", "template", "noscript", "title", "meta", "link"]);

/**
 * Whether an element is rendered. The sites hide content with the `hidden` attribute (set and
 * cleared by their scripts) and `aria-hidden`; both drivers apply this rule, not computed styles,
 * so that what the fast driver cannot see (a stylesheet) never decides what is observed.
 */
export function isRendered(element: DomElement): boolean {
  if (NEVER_RENDERED.has(element.tag)) return false;
  if ("hidden" in element.attrs || element.attrs["aria-hidden"] === "true") return false;
  if (element.tag === "input" && (element.attrs.type ?? "").toLowerCase() === "hidden") return false;
  if (/display\s*:\s*none/i.test(element.attrs.style ?? "")) return false;
  return true;
}

/** Depth-first search for elements. */
export function findAll(root: DomElement, test: (e: DomElement) => boolean): DomElement[] {
  const out: DomElement[] = [];
  const visit = (e: DomElement) => {
    if (test(e)) out.push(e);
    for (const c of e.children) if (c.type === "element") visit(c);
  };
  visit(root);
  return out;
}

/** The nearest ancestor (or the element itself) with the tag, given a parent map. */
export function closest(element: DomElement, tag: string, parents: ReadonlyMap<DomElement, DomElement>): DomElement | undefined {
  for (let e: DomElement | undefined = element; e !== undefined; e = parents.get(e)) if (e.tag === tag) return e;
  return undefined;
}

export function parentMap(root: DomElement): Map<DomElement, DomElement> {
  const parents = new Map<DomElement, DomElement>();
  const visit = (e: DomElement) => {
    for (const c of e.children) {
      if (c.type === "element") {
        parents.set(c, e);
        visit(c);
      }
    }
  };
  visit(root);
  return parents;
}
