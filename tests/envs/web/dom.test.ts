import { describe, expect, it } from "vitest";
import { parseHtml, decodeEntities } from "../../../src/envs/web/dom/html-parser.js";
import { computeTree, renderTree } from "../../../src/envs/web/dom/accessibility.js";
import { formatAction, parseAction, ActionSyntaxError } from "../../../src/envs/web/actions.js";
import { observe, invalidActionText } from "../../../src/envs/web/drivers/driver.js";

const tree = (html: string) => computeTree(parseHtml(html), "http://127.0.0.1:9/page");

describe("HTML parsing", () => {
  it("reads attributes in any quoting, character references, void elements and raw text", () => {
    const doc = parseHtml(`<html><head><title>A &amp; B</title><script>if (a < b) {}</script></head><body><p class=x data-y='1 2' hidden>t&#39;s &lt;ok&gt;<br>next</p><textarea>
line &amp; more</textarea></body></html>`);
    expect(doc.title).toBe("A & B");
    const p = doc.elements.find((e) => e.tag === "p")!;
    expect(p.attrs).toEqual({ class: "x", "data-y": "1 2", hidden: "" });
    expect(p.children.map((c) => (c.type === "text" ? c.text : c.tag))).toEqual(["t's <ok>", "br", "next"]);
    expect(doc.elements.find((e) => e.tag === "textarea")!.value).toBe("line & more");
    expect(decodeEntities("&#x1F600;&nbsp;&unknown;")).toBe("😀\u00a0&unknown;");
  });

  it("closes implied end tags (li, option, td, p) as a browser does", () => {
    const doc = parseHtml("<body><ul><li>a<li>b</ul><select><option>x<option selected>y</select><p>one<p>two<table><tbody><tr><td>1<td>2</tbody></table></body>");
    const tags = (tag: string) => doc.elements.filter((e) => e.tag === tag).length;
    expect(tags("li")).toBe(2);
    expect(tags("td")).toBe(2);
    expect(tags("p")).toBe(2);
    const select = doc.elements.find((e) => e.tag === "select")!;
    expect(select.value).toBe("y");
  });
});

describe("the accessibility tree", () => {
  it("names controls by their labels, prunes generic containers, numbers nodes in document order", () => {
    const t = tree(`<html><head><title>T</title></head><body><main><h2>Cart</h2><div><span><a href="/x">Go <b>there</b></a></span></div>
      <form action="/s"><label for="q">Search</label> <input id="q" name="q" value="tea"><button>Find</button></form>
      <label>Size <select name="size"><option>S</option><option selected>M</option></select></label>
      <input type="checkbox" id="c" checked><label for="c">Gift</label><input type="hidden" name="h" value="1"><p hidden>secret</p></main></body></html>`);
    expect(renderTree(t)).toBe(
      [
        "[1] RootWebArea 'T'",
        "\t[2] main ''",
        "\t\t[3] heading 'Cart' level: 2",
        "\t\t[4] link 'Go there'",
        "\t\t[5] textbox 'Search' value: 'tea'",
        "\t\t[6] button 'Find'",
        "\t\t[7] combobox 'Size' value: 'M' hasPopup: menu expanded: False",
        "\t\t\t[8] option 'S' selected: False",
        "\t\t\t[9] option 'M' selected: True",
        "\t\t[10] checkbox 'Gift' checked: true",
      ].join("\n"),
    );
    const link = t.elements.get(4)!;
    expect(link.url).toBe("http://127.0.0.1:9/x");
    const button = t.elements.get(6)!;
    expect(button).toMatchObject({ submitButton: true, url: "http://127.0.0.1:9/s", form: "http://127.0.0.1:9/s" });
    expect(t.elements.get(5)).toMatchObject({ editable: true, enterSubmits: true, field: "q", input: "text" });
    expect(t.elements.get(7)!.options).toEqual(["S", "M"]);
  });

  it("masks password values and keeps tables and lists", () => {
    const t = tree(`<body><input type="password" aria-label="PIN" value="1234"><table><caption>Prices</caption><tbody><tr><th>Item</th><td><a href="/i">Mug</a></td></tr></tbody></table><ol><li>one</li></ol></body>`);
    const text = renderTree(t);
    expect(text).toContain("textbox 'PIN' value: '••••'");
    expect(text).toContain("table 'Prices'");
    expect(text).toContain("cell 'Mug'\n\t\t\t\t[");
    expect(text).toContain("listitem ''");
  });
});

describe("actions", () => {
  it("read and write WebArena's syntax", () => {
    for (const text of ["click [12]", "type [3] [red shirt] [1]", "type [3] [x] [0]", "select [4] [M]", "scroll [down]", "goto [http://a.b/c?d=1]", "go_back", "stop [42]", "stop []"]) {
      expect(formatAction(parseAction(text))).toBe(text);
    }
    expect(parseAction("type [3] [tea]")).toEqual({ kind: "type", id: 3, text: "tea", enter: true });
    expect(parseAction("scroll [direction=up]")).toEqual({ kind: "scroll", direction: "up" });
  });

  it("refuse bad syntax with a message saying what was expected", () => {
    expect(() => parseAction("clack [1]")).toThrow(/unknown action 'clack'/);
    expect(() => parseAction("click 12")).toThrow(ActionSyntaxError);
    expect(() => parseAction("click [a]")).toThrow(/element id/);
    expect(() => parseAction("type [1] [x] [2]")).toThrow(/1 \(press Enter/);
    expect(() => parseAction("scroll [left]")).toThrow(/up\] or \[down\]/);
  });

  it("an invalid action becomes an error text, not a failure", () => {
    const o = observe(parseHtml(`<body><a href="/a">A</a><select aria-label="S"><option>x</option></select></body>`), "http://h/", 0, undefined);
    expect(invalidActionText({ kind: "click", id: 99 }, o)).toMatch(/no element \[99\]/);
    expect(invalidActionText({ kind: "type", id: 2, text: "x", enter: true }, o)).toMatch(/is not a text field/);
    expect(invalidActionText({ kind: "select", id: 3, option: "y" }, o)).toMatch(/has no option 'y'/);
    expect(invalidActionText({ kind: "click", id: 2 }, o)).toBeUndefined();
  });
});
