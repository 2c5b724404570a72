/**
 * Small helpers for the sites' server-rendered HTML. Pages are written in a canonical form that a
 * browser's parser keeps as it is (tables with <tbody>, no block elements inside <p>, every
 * element closed), so that the browser and the fast driver's parser build the same document.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML content and double-quoted attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Attributes from an object; `undefined`/`false` values are left out, `true` writes a bare attribute. */
export function attrs(values: Readonly<Record<string, string | number | boolean | undefined>>): string {
  let out = "";
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${esc(value)}"`;
  }
  return out;
}

export function link(href: string, text: string, extra: Readonly<Record<string, string | undefined>> = {}): string {
  return `<a${attrs({ href, ...extra })}>${esc(text)}</a>`;
}

/** A labelled text input (the label names the field, as a screen reader would read it). */
export function textField(id: string, name: string, label: string, value = "", extra: Readonly<Record<string, string | boolean | undefined>> = {}): string {
  return `<label for="${esc(id)}">${esc(label)}</label> <input${attrs({ type: "text", id, name, value, ...extra })}>`;
}

/** A labelled select; `selected` is the value of the selected option (default: the first). */
export function selectField(
  id: string,
  name: string,
  label: string,
  options: readonly { readonly value: string; readonly label: string }[],
  selected?: string,
): string {
  const items = options.map((o) => `<option${attrs({ value: o.value, selected: o.value === selected })}>${esc(o.label)}</option>`).join("");
  return `<label for="${esc(id)}">${esc(label)}</label> <select${attrs({ id, name })}>${items}</select>`;
}

export function button(text: string, extra: Readonly<Record<string, string | undefined>> = {}): string {
  return `<button${attrs({ type: "submit", ...extra })}>${esc(text)}</button>`;
}

/** A table with a header row. Cells are HTML (escape text yourself). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], extra: Readonly<Record<string, string | undefined>> = {}): string {
  const head = `<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody>`;
  return `<table${attrs(extra)}>${head}${body}</table>`;
}

/** A whole document: every site uses this shell, so pages differ only in their navigation and content. */
export function documentHtml(title: string, nav: string, main: string, script?: string): string {
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
    `<body><header><nav aria-label="Site">${nav}</nav></header><main>${main}</main>` +
    `<footer><p>Served by ltlguard's test sites.</p></footer>` +
    (script !== undefined ? `<script>${script}</script>` : "") +
    `</body></html>`
  );
}

/** Pagination links (1-based pages), each a plain link to `hrefOf(page)`. */
export function pagination(page: number, pages: number, hrefOf: (page: number) => string): string {
  if (pages <= 1) return "";
  const parts: string[] = [];
  if (page > 1) parts.push(`<li>${link(hrefOf(page - 1), "Previous page")}</li>`);
  parts.push(`<li>Page ${page} of ${pages}</li>`);
  if (page < pages) parts.push(`<li>${link(hrefOf(page + 1), "Next page")}</li>`);
  return `<nav aria-label="Pagination"><ul>${parts.join("")}</ul></nav>`;
}

/** Formats a price in dollars with cents. */
export function money(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
