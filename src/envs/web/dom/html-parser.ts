import type { DomDocument, DomElement, DomNode } from "./dom.js";

/**
 * An HTML parser for the fast driver: enough of HTML's tokenizer and tree rules for real-world
 * server-rendered pages written in canonical form (the project's sites): tags and attributes in
 * any quoting, character references, void elements, raw text (script, style) and escapable raw
 * text (title, textarea), comments and doctypes, and the common implied end tags (p, li, option,
 * tr, td, th, thead, tbody). Form controls get their initial state as a browser gives it.
 */

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const RAW_TEXT = new Set(["script", "style"]);
const ESCAPABLE_RAW_TEXT = new Set(["title", "textarea"]);
/** Start tags that close an open element of these tags first (a subset of HTML's implied end tags). */
const CLOSES: Record<string, readonly string[]> = {
  li: ["li"],
  option: ["option"],
  tr: ["tr", "td", "th"],
  td: ["td", "th"],
  th: ["td", "th"],
  thead: ["tbody", "thead"],
  tbody: ["thead", "tbody"],
  p: ["p"],
};
const BLOCKS_CLOSING_P = new Set(["address", "article", "aside", "div", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "section", "table", "ul"]);

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", ndash: "–", mdash: "—", hellip: "…", copy: "©", middot: "·" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    }
    return NAMED[body] ?? whole;
  });
}

export function parseHtml(html: string): DomDocument {
  const elements: DomElement[] = [];
  const make = (tag: string, attrs: Record<string, string>): DomElement => {
    const e: DomElement = { type: "element", tag, attrs, children: [], index: elements.length };
    elements.push(e);
    return e;
  };
  const root = make("#document", {});
  const stack: DomElement[] = [root];
  const top = () => stack[stack.length - 1]!;
  const append = (node: DomNode) => {
    const parent = top();
    const last = parent.children[parent.children.length - 1];
    if (node.type === "text" && last?.type === "text") parent.children[parent.children.length - 1] = { type: "text", text: last.text + node.text };
    else parent.children.push(node);
  };
  const closeTo = (tag: string): boolean => {
    for (let i = stack.length - 1; i > 0; i--) {
      if (stack[i]!.tag === tag) {
        stack.length = i;
        return true;
      }
    }
    return false;
  };

  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      append({ type: "text", text: decodeEntities(html.slice(i)) });
      break;
    }
    if (lt > i) append({ type: "text", text: decodeEntities(html.slice(i, lt)) });
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html[lt + 1] === "!" || html[lt + 1] === "?") {
      const end = html.indexOf(">", lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    const endTag = /^<\/([A-Za-z][A-Za-z0-9-]*)\s*>/.exec(html.slice(lt, lt + 64));
    if (endTag !== null) {
      closeTo(endTag[1]!.toLowerCase());
      i = lt + endTag[0].length;
      continue;
    }
    const start = readStartTag(html, lt);
    if (start === undefined) {
      append({ type: "text", text: "<" });
      i = lt + 1;
      continue;
    }
    const { tag, attrs, selfClosing, end } = start;
    i = end;
    if (BLOCKS_CLOSING_P.has(tag) && stack.some((e) => e.tag === "p")) closeTo("p");
    const closes = CLOSES[tag];
    if (closes !== undefined) {
      // Close an open element of these tags only within the nearest table/list/select scope.
      for (let s = stack.length - 1; s > 0; s--) {
        const open = stack[s]!.tag;
        if (closes.includes(open)) {
          stack.length = s;
          break;
        }
        if (open === "table" || open === "ul" || open === "ol" || open === "select") break;
      }
    }
    const element = make(tag, attrs);
    append(element);
    if (VOID.has(tag) || selfClosing) continue;
    if (RAW_TEXT.has(tag) || ESCAPABLE_RAW_TEXT.has(tag)) {
      const close = html.toLowerCase().indexOf(`</${tag}`, i);
      const raw = html.slice(i, close < 0 ? html.length : close);
      let text = RAW_TEXT.has(tag) ? raw : decodeEntities(raw);
      if (tag === "textarea" && text.startsWith("\n")) text = text.slice(1);
      if (text.length > 0) element.children.push({ type: "text", text });
      const gt = close < 0 ? html.length : html.indexOf(">", close);
      i = gt < 0 ? html.length : gt + 1;
      continue;
    }
    stack.push(element);
  }

  const find = (e: DomElement, tag: string): DomElement | undefined => {
    if (e.tag === tag) return e;
    for (const c of e.children) {
      if (c.type !== "element") continue;
      const found = find(c, tag);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const titleElement = find(root, "title");
  const body = find(root, "body") ?? make("body", {});
  initControls(elements);
  return { title: titleElement === undefined ? "" : collapseTitle(titleElement), body, elements };
}

function collapseTitle(title: DomElement): string {
  return title.children.map((c) => (c.type === "text" ? c.text : "")).join("").replace(/[\t\n\f\r ]+/g, " ").trim();
}

function readStartTag(html: string, at: number): { tag: string; attrs: Record<string, string>; selfClosing: boolean; end: number } | undefined {
  const name = /^<([A-Za-z][A-Za-z0-9-]*)/.exec(html.slice(at, at + 64));
  if (name === null) return undefined;
  const tag = name[1]!.toLowerCase();
  const attrs: Record<string, string> = {};
  let i = at + name[0].length;
  const attr = /\s*([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/y;
  for (;;) {
    while (i < html.length && /\s/.test(html[i]!)) i++;
    if (i >= html.length) return { tag, attrs, selfClosing: false, end: i };
    if (html[i] === ">") return { tag, attrs, selfClosing: false, end: i + 1 };
    if (html.startsWith("/>", i)) return { tag, attrs, selfClosing: true, end: i + 2 };
    if (html[i] === "/") {
      i++;
      continue;
    }
    attr.lastIndex = i;
    const m = attr.exec(html);
    if (m === null) return { tag, attrs, selfClosing: false, end: i + 1 };
    const key = m[1]!.toLowerCase();
    if (!(key in attrs)) attrs[key] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
    i = attr.lastIndex;
  }
}

/** Gives form controls the initial state a browser gives them. */
export function initControls(elements: readonly DomElement[]): void {
  for (const e of elements) {
    if (e.tag === "input") {
      const type = (e.attrs.type ?? "text").toLowerCase();
      if (type === "checkbox" || type === "radio") e.checked = "checked" in e.attrs;
      e.value = e.attrs.value ?? (type === "checkbox" || type === "radio" ? "on" : "");
    } else if (e.tag === "textarea") {
      e.value = e.children.map((c) => (c.type === "text" ? c.text : "")).join("");
    } else if (e.tag === "select") {
      const options = optionsOf(e);
      const chosen = options.find((o) => "selected" in o.attrs) ?? (("multiple" in e.attrs) ? undefined : options[0]);
      for (const o of options) o.selected = o === chosen;
      e.value = chosen === undefined ? "" : optionValue(chosen);
    }
  }
}

/** The options of a select, in order (inside optgroups too). */
export function optionsOf(select: DomElement): DomElement[] {
  const out: DomElement[] = [];
  const visit = (e: DomElement) => {
    for (const c of e.children) {
      if (c.type !== "element") continue;
      if (c.tag === "option") out.push(c);
      else if (c.tag === "optgroup") visit(c);
    }
  };
  visit(select);
  return out;
}

/** An option's value: its value attribute, else its text (whitespace collapsed). */
export function optionValue(option: DomElement): string {
  return option.attrs.value ?? optionLabel(option);
}

export function optionLabel(option: DomElement): string {
  return option.children.map((c) => (c.type === "text" ? c.text : "")).join("").replace(/[\t\n\f\r ]+/g, " ").trim();
}
