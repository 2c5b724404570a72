import { generateWiki, KIND_NAMES, searchArticles, type Article, type ArticleKind, type TalkPost, type Wiki } from "./wiki-data.js";
import { button, documentHtml, esc, link, pagination, textField } from "./html.js";
import type { SiteDefinition, SiteRequest, SiteResponse } from "./server.js";

/**
 * The wiki, for information-seeking tasks: search with paging, category listings, articles with
 * an infobox table, sections and "see also" lists, and talk pages that work as a small forum
 * (anyone can post; posts are the session's own state). Talk posts and article text are where the
 * injection suite plants its attacks.
 */

export interface WikiState {
  /** Posts added in this session, by article slug. */
  posts: Record<string, TalkPost[]>;
}

export interface WikiPlant {
  readonly slug: string;
  readonly place: "talk" | "article";
  readonly text: string;
}

export interface WikiOptions {
  readonly seed?: number;
  readonly plants?: readonly WikiPlant[];
}

export const WIKI_PAGE_SIZE = 10;
const NAV = [link("/", "Main page"), ...Object.entries(KIND_NAMES).map(([k, name]) => link(`/category/${k}`, name))].join(" ");

export function createWikiSite(options: WikiOptions = {}): SiteDefinition<WikiState> & { readonly wiki: Wiki } {
  const wiki = generateWiki(options.seed ?? 1);
  const plants = options.plants ?? [];
  const bySlug = new Map(wiki.articles.map((a) => [a.slug, a]));
  const page = (title: string, main: string) => ({ kind: "html" as const, html: documentHtml(`${title} — Wiki`, NAV, main) });
  const notFound = (what: string): SiteResponse => ({ kind: "html", status: 404, html: documentHtml("Not found — Wiki", NAV, `<h1>Not found</h1><p>${esc(what)}</p>`) });
  const pageNumber = (q: URLSearchParams) => Math.max(1, Math.floor(Number(q.get("page") ?? "1")) || 1);
  const searchBox = (value = "") => `<form action="/search" method="get" role="search">${textField("q", "q", "Search the wiki", value)} ${button("Search")}</form>`;
  const articleLink = (a: Article) => link(`/wiki/${a.slug}`, a.title);

  const home = () =>
    page(
      "Main page",
      `<h1>Welcome to the Wiki</h1>${searchBox()}<p>The wiki has ${wiki.articles.length} articles.</p>` +
        `<h2>Browse</h2><ul>${Object.entries(KIND_NAMES).map(([k, name]) => `<li>${link(`/category/${k}`, name)}</li>`).join("")}</ul>`,
    );

  const search = (q: URLSearchParams) => {
    const query = (q.get("q") ?? "").trim();
    const scored = searchArticles(wiki, query).map((a) => ({ a }));
    const pages = Math.max(1, Math.ceil(scored.length / WIKI_PAGE_SIZE));
    const current = Math.min(pageNumber(q), pages);
    const shown = scored.slice((current - 1) * WIKI_PAGE_SIZE, current * WIKI_PAGE_SIZE);
    return page(
      `Search: ${query}`,
      `<h1>Search results</h1>${searchBox(query)}<p>${scored.length} article${scored.length === 1 ? "" : "s"} found</p>` +
        (shown.length > 0 ? `<ol>${shown.map(({ a }) => `<li>${articleLink(a)} (${esc(KIND_NAMES[a.kind])})</li>`).join("")}</ol>` : `<p>There were no results matching the query.</p>`) +
        pagination(current, pages, (p) => `/search?q=${encodeURIComponent(query)}&page=${p}`),
    );
  };

  const category = (kind: ArticleKind, q: URLSearchParams) => {
    const list = wiki.articles.filter((a) => a.kind === kind).sort((x, y) => x.title.localeCompare(y.title));
    const pages = Math.ceil(list.length / 20);
    const current = Math.min(pageNumber(q), pages);
    return page(
      KIND_NAMES[kind],
      `<h1>Category: ${KIND_NAMES[kind]}</h1><p>${list.length} articles</p><ul>${list.slice((current - 1) * 20, current * 20).map((a) => `<li>${articleLink(a)}</li>`).join("")}</ul>` +
        pagination(current, pages, (p) => `/category/${kind}?page=${p}`),
    );
  };

  const article = (a: Article) => {
    const planted = plants.filter((p) => p.slug === a.slug && p.place === "article").map((p) => `<p>${esc(p.text)}</p>`).join("");
    const infobox =
      `<table aria-label="Infobox"><caption>${esc(a.title)}</caption><tbody>` +
      a.facts.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${a.factLinks[k] !== undefined ? link(`/wiki/${a.factLinks[k]}`, v) : esc(v)}</td></tr>`).join("") +
      `</tbody></table>`;
    const sections = a.sections.map((s, i) => `<h2>${esc(s.heading)}</h2>${s.paragraphs.map((p) => `<p>${esc(p)}</p>`).join("")}${i === 0 ? planted : ""}`).join("");
    const seeAlso = a.seeAlso.map((s) => bySlug.get(s)).filter((x): x is Article => x !== undefined);
    return page(
      a.title,
      `<h1>${esc(a.title)}</h1><p>${link(`/talk/${a.slug}`, "Talk")} · ${link(`/category/${a.kind}`, KIND_NAMES[a.kind])}</p>${infobox}${sections}` +
        (seeAlso.length > 0 ? `<h2>See also</h2><ul>${seeAlso.map((s) => `<li>${articleLink(s)}</li>`).join("")}</ul>` : ""),
    );
  };

  const talk = (a: Article, state: WikiState) => {
    const planted = plants.filter((p) => p.slug === a.slug && p.place === "talk").map((p) => ({ author: "Helpful editor", date: "2024-12-01", text: p.text }));
    const posts = [...a.talk, ...planted, ...(state.posts[a.slug] ?? [])];
    const list = posts.map((p) => `<article><h3>${esc(p.author)} — ${esc(p.date)}</h3><p>${esc(p.text)}</p></article>`).join("");
    return page(
      `Talk: ${a.title}`,
      `<h1>Talk: ${esc(a.title)}</h1><p>${link(`/wiki/${a.slug}`, `Back to ${a.title}`)}</p>${posts.length === 0 ? "<p>No discussion yet.</p>" : list}` +
        `<h2>Add a comment</h2><form action="/talk/${esc(a.slug)}" method="post"><p><label for="comment">Your comment</label> <textarea id="comment" name="comment"></textarea></p><p>${button("Post comment")}</p></form>`,
    );
  };

  const handle = (request: SiteRequest<WikiState>): SiteResponse => {
    const { method, path, query, form, state } = request;
    let m = /^\/talk\/([A-Za-z0-9_]+)$/.exec(path);
    if (method === "POST") {
      const a = m ? bySlug.get(m[1]!) : undefined;
      if (a === undefined) return notFound(`No form at ${path}.`);
      const text = (form.get("comment") ?? "").trim();
      if (text.length > 0) (state.posts[a.slug] ??= []).push({ author: "You", date: "2025-01-01", text: text.slice(0, 500) });
      return { kind: "redirect", location: `/talk/${a.slug}` };
    }
    if (path === "/") return home();
    if (path === "/search") return search(query);
    if (m) {
      const a = bySlug.get(m[1]!);
      return a === undefined ? notFound(`No article '${m[1]}'.`) : talk(a, state);
    }
    m = /^\/wiki\/([A-Za-z0-9_]+)$/.exec(path);
    if (m) {
      const a = bySlug.get(m[1]!);
      return a === undefined ? notFound(`No article '${m[1]}'.`) : article(a);
    }
    m = /^\/category\/(city|person|invention|species)$/.exec(path);
    if (m) return category(m[1] as ArticleKind, query);
    return notFound(`No page at ${path}.`);
  };

  return { name: "wiki", wiki, initialState: () => ({ posts: {} }), handle };
}
