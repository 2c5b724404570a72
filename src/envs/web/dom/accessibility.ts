import { collapse, isRendered, parentMap, type DomDocument, type DomElement, type DomNode } from "./dom.js";
import { optionLabel, optionsOf } from "./html-parser.js";
import { enterSubmits, isSubmitButton } from "./forms.js";

/**
 * The accessibility tree of a document, as WebArena shows it to a model: one line per node,
 * `[id] role 'name' properties`, indented by depth, with generic containers pruned and text that
 * repeats its parent's name left out. Roles and names follow HTML-AAM and the accessible-name
 * rules for the elements real sites use (links, buttons, labelled inputs, selects and their
 * options, headings, tables, lists, landmarks); ids number the nodes in document order from 1.
 */

export interface AxNode {
  readonly id: number;
  readonly role: string;
  readonly name: string;
  readonly properties: readonly (readonly [string, string])[];
  readonly children: readonly AxNode[];
  /** The element the node stands for (undefined for text). */
  readonly element: DomElement | undefined;
  readonly depth: number;
}

/** What actions and policies need to know of an element of the tree. */
export interface ElementInfo {
  readonly id: number;
  readonly role: string;
  readonly name: string;
  /** A link's target or a submit button's form action, absolute; "" otherwise. */
  readonly url: string;
  /** The action URL (absolute) of the form the element belongs to; "" outside a form. */
  readonly form: string;
  /** Whether clicking it submits its form (a submit button). */
  readonly submitButton: boolean;
  /** Whether pressing Enter in it submits its form (HTML's implicit submission). */
  readonly enterSubmits: boolean;
  /** The input's type (`text`, `password`, …), `textarea`, `select`, or "" for other elements. */
  readonly input: string;
  readonly autocomplete: string;
  /** The control's form field name (its `name` attribute), or "". */
  readonly field: string;
  /** Whether `type` may target it (a text field that is not disabled or read-only). */
  readonly editable: boolean;
  /** For a select: its options' labels (what `select [id] [option]` names). */
  readonly options: readonly string[] | undefined;
}

export interface AxTree {
  readonly title: string;
  readonly root: AxNode;
  /** Every node, `nodes[id - 1]`. */
  readonly nodes: readonly AxNode[];
  /** The elements actions may name, by id. */
  readonly elements: ReadonlyMap<number, ElementInfo>;
}

const TEXT_INPUTS = new Set(["text", "search", "email", "tel", "url", "number", "password", "date", "time", "month", "week", "datetime-local"]);
const NAME_FROM_CONTENT = new Set(["link", "button", "heading", "cell", "columnheader", "rowheader", "option", "tab", "menuitem"]);

/** The role of an element, or "generic" for containers that are pruned when unnamed. */
function roleOf(e: DomElement, parents: ReadonlyMap<DomElement, DomElement>): string {
  const explicit = e.attrs.role?.trim().split(/\s+/)[0];
  if (explicit !== undefined && explicit.length > 0) return explicit;
  switch (e.tag) {
    case "a":
      return "href" in e.attrs ? "link" : "generic";
    case "button":
      return "button";
    case "input": {
      const type = (e.attrs.type ?? "text").toLowerCase();
      if (type === "submit" || type === "button" || type === "reset" || type === "image") return "button";
      if (type === "checkbox") return "checkbox";
      if (type === "radio") return "radio";
      if (type === "search") return "searchbox";
      return "textbox";
    }
    case "textarea":
      return "textbox";
    case "select":
      return "combobox";
    case "option":
      return "option";
    case "h1": case "h2": case "h3": case "h4": case "h5": case "h6":
      return "heading";
    case "table":
      return "table";
    case "tr":
      return "row";
    case "th":
      return e.attrs.scope === "row" ? "rowheader" : "columnheader";
    case "td":
      return "cell";
    case "ul": case "ol":
      return "list";
    case "li":
      return "listitem";
    case "nav":
      return "navigation";
    case "main":
      return "main";
    case "header":
      return insideSectioning(e, parents) ? "generic" : "banner";
    case "footer":
      return insideSectioning(e, parents) ? "generic" : "contentinfo";
    case "aside":
      return "complementary";
    case "section":
      return "aria-label" in e.attrs ? "region" : "generic";
    case "form":
      return "aria-label" in e.attrs ? "form" : "generic";
    case "article":
      return "article";
    case "img":
      return "img";
    default:
      return "generic";
  }
}

function insideSectioning(e: DomElement, parents: ReadonlyMap<DomElement, DomElement>): boolean {
  for (let p = parents.get(e); p !== undefined; p = parents.get(p)) if (p.tag === "article" || p.tag === "section" || p.tag === "main") return true;
  return false;
}

/** Rendered text of a subtree, for names computed from content. */
function contentText(node: DomNode): string {
  if (node.type === "text") return node.text;
  if (!isRendered(node)) return "";
  if (node.tag === "select" || node.tag === "textarea") return "";
  if (node.tag === "input") return "";
  return node.children.map(contentText).join("");
}

export function computeTree(document: DomDocument, pageUrl: string): AxTree {
  const parents = parentMap(document.body);
  const byId = new Map<string, DomElement>();
  const labelsFor = new Map<string, DomElement[]>();
  const collect = (e: DomElement) => {
    if (e.attrs.id !== undefined && !byId.has(e.attrs.id)) byId.set(e.attrs.id, e);
    if (e.tag === "label" && e.attrs.for !== undefined) {
      const list = labelsFor.get(e.attrs.for) ?? [];
      list.push(e);
      labelsFor.set(e.attrs.for, list);
    }
    for (const c of e.children) if (c.type === "element") collect(c);
  };
  collect(document.body);

  const nameOf = (e: DomElement, role: string): string => {
    const label = e.attrs["aria-label"]?.trim();
    if (label) return collapse(label);
    const by = e.attrs["aria-labelledby"];
    if (by !== undefined) {
      const text = by.split(/\s+/).map((id) => (byId.has(id) ? contentText(byId.get(id)!) : "")).join(" ");
      if (collapse(text)) return collapse(text);
    }
    if (e.tag === "input" || e.tag === "select" || e.tag === "textarea") {
      const type = (e.attrs.type ?? "text").toLowerCase();
      if (e.tag === "input" && (type === "submit" || type === "button" || type === "reset")) return collapse(e.attrs.value ?? (type === "reset" ? "Reset" : "Submit"));
      const labels = [...(e.attrs.id !== undefined ? labelsFor.get(e.attrs.id) ?? [] : [])];
      for (let p = parents.get(e); p !== undefined; p = parents.get(p)) if (p.tag === "label" && !labels.includes(p)) labels.push(p);
      const text = collapse(labels.map(contentText).join(" "));
      if (text) return text;
      return collapse(e.attrs.placeholder ?? e.attrs.title ?? "");
    }
    if (e.tag === "img") return collapse(e.attrs.alt ?? "");
    if (e.tag === "table") {
      const caption = e.children.find((c): c is DomElement => c.type === "element" && c.tag === "caption");
      return caption !== undefined ? collapse(contentText(caption)) : "";
    }
    if (e.tag === "option") return optionLabel(e);
    if (NAME_FROM_CONTENT.has(role)) return collapse(contentText(e));
    return collapse(e.attrs.title ?? "");
  };

  const propertiesOf = (e: DomElement, role: string): [string, string][] => {
    const props: [string, string][] = [];
    if (role === "heading") props.push(["level", e.tag.length === 2 && e.tag[0] === "h" ? e.tag[1]! : e.attrs["aria-level"] ?? "2"]);
    if (role === "textbox" || role === "searchbox") {
      const value = e.value ?? "";
      const masked = (e.attrs.type ?? "").toLowerCase() === "password" ? "•".repeat([...value].length) : value;
      if (value.length > 0) props.push(["value", quote(masked)]);
      if (e.tag === "textarea") props.push(["multiline", "True"]);
    }
    if (role === "combobox" && e.tag === "select") {
      const chosen = optionsOf(e).find((o) => o.selected);
      props.push(["value", quote(chosen === undefined ? "" : optionLabel(chosen))], ["hasPopup", "menu"], ["expanded", "False"]);
    }
    if (role === "option") props.push(["selected", e.selected ? "True" : "False"]);
    if (role === "checkbox" || role === "radio") props.push(["checked", e.checked ? "true" : "false"]);
    if ("disabled" in e.attrs) props.push(["disabled", "True"]);
    if ("required" in e.attrs) props.push(["required", "True"]);
    return props;
  };

  let nextId = 1;
  const nodes: AxNode[] = [];
  const elements = new Map<number, ElementInfo>();
  type Draft = { role: string; name: string; properties: [string, string][]; element: DomElement | undefined; children: Draft[] };

  /** The drafts a DOM node contributes to its parent (pruned containers contribute their children). */
  const build = (node: DomNode): Draft[] => {
    if (node.type === "text") {
      const text = collapse(node.text);
      return text.length === 0 ? [] : [{ role: "StaticText", name: text, properties: [], element: undefined, children: [] }];
    }
    if (!isRendered(node)) return [];
    const e = node;
    if (e.tag === "label" || e.tag === "caption") {
      // A label's text is its control's name; controls inside it still appear.
      return e.children.flatMap((c) => (c.type === "element" ? collectControls(c) : []));
    }
    const role = roleOf(e, parents);
    const name = nameOf(e, role);
    let children: Draft[];
    if (e.tag === "select") children = optionsOf(e).filter(isRendered).map((o) => ({ role: "option", name: optionLabel(o), properties: propertiesOf(o, "option"), element: o, children: [] }));
    else if (e.tag === "textarea" || e.tag === "input" || e.tag === "img") children = [];
    else children = e.children.flatMap(build);
    // Text that repeats the node's own name says nothing new (WebArena prunes it too).
    if (name.length > 0) children = children.filter((c) => !(c.role === "StaticText" && name.includes(c.name)));
    if (role === "generic" || role === "none" || role === "presentation") return name.length > 0 && role === "generic" ? [{ role, name, properties: [], element: e, children }] : children;
    return [{ role, name, properties: propertiesOf(e, role), element: e, children }];
  };
  const collectControls = (e: DomElement): Draft[] => {
    if (!isRendered(e)) return [];
    if (e.tag === "input" || e.tag === "select" || e.tag === "textarea" || e.tag === "button" || (e.tag === "a" && "href" in e.attrs)) return build(e);
    return e.children.flatMap((c) => (c.type === "element" ? collectControls(c) : []));
  };

  const finish = (draft: Draft, depth: number): AxNode => {
    const id = nextId++;
    const slot = nodes.length;
    nodes.push(undefined as unknown as AxNode);
    const children = draft.children.map((c) => finish(c, depth + 1));
    const node: AxNode = { id, role: draft.role, name: draft.name, properties: draft.properties, children, element: draft.element, depth };
    nodes[slot] = node;
    if (draft.element !== undefined) elements.set(id, elementInfo(node, draft.element, parents, pageUrl));
    return node;
  };
  const rootDraft: Draft = { role: "RootWebArea", name: document.title, properties: [], element: document.body, children: document.body.children.flatMap(build) };
  const root = finish(rootDraft, 0);
  return { title: document.title, root, nodes, elements };
}

function elementInfo(node: AxNode, e: DomElement, parents: ReadonlyMap<DomElement, DomElement>, pageUrl: string): ElementInfo {
  const type = (e.attrs.type ?? "text").toLowerCase();
  const input = e.tag === "input" ? type : e.tag === "textarea" || e.tag === "select" ? e.tag : "";
  let form: DomElement | undefined;
  for (let p = parents.get(e); p !== undefined && form === undefined; p = parents.get(p)) if (p.tag === "form") form = p;
  const formUrl = form === undefined ? "" : resolve(form.attrs.action ?? "", pageUrl);
  const submitButton = form !== undefined && isSubmitButton(e) && !("disabled" in e.attrs);
  let url = "";
  if (e.tag === "a" && "href" in e.attrs) url = resolve(e.attrs.href!, pageUrl);
  else if (submitButton) url = formUrl;
  const editable = (e.tag === "textarea" || (e.tag === "input" && TEXT_INPUTS.has(type))) && !("disabled" in e.attrs) && !("readonly" in e.attrs);
  return {
    id: node.id,
    role: node.role,
    name: node.name,
    url,
    form: formUrl,
    submitButton,
    enterSubmits: editable && e.tag === "input" && form !== undefined && enterSubmits(form),
    input,
    autocomplete: e.attrs.autocomplete ?? "",
    field: e.attrs.name ?? "",
    editable,
    options: e.tag === "select" && !("disabled" in e.attrs) ? optionsOf(e).filter(isRendered).map(optionLabel) : undefined,
  };
}

function resolve(href: string, base: string): string {
  try {
    return new URL(href, base).href;
  } catch {
    return "";
  }
}

function quote(text: string): string {
  return `'${text}'`;
}

/** The tree as text, one node per line (what the model reads). */
export function renderTree(tree: AxTree, window?: { readonly offset: number; readonly lines: number }): string {
  const lines = tree.nodes.map((n) => {
    const props = n.properties.map(([k, v]) => ` ${k}: ${v}`).join("");
    return `${"\t".repeat(n.depth)}[${n.id}] ${n.role} '${n.name}'${props}`;
  });
  if (window === undefined) return lines.join("\n");
  return lines.slice(window.offset, window.offset + window.lines).join("\n");
}
