import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acceptsBytes } from "../../../src/grammars/byte-dfa.js";
import { sampleWord } from "../../../src/grammars/analysis.js";
import { SpecError } from "../../../src/ltl/errors.js";
import { parseHtml } from "../../../src/envs/web/dom/html-parser.js";
import { observe, invalidActionText, type WebObservation } from "../../../src/envs/web/drivers/driver.js";
import { formatAction, parseAction, MAX_ARGUMENT_BYTES, type WebAction } from "../../../src/envs/web/actions.js";
import { ActionLanguageBuilder } from "../../../src/envs/web/policy/language.js";
import { PolicyMonitor } from "../../../src/envs/web/policy/monitor.js";
import { loadWebPolicy, permissivePolicy, type WebPolicy } from "../../../src/envs/web/policy/spec.js";
import { GOTO_URL_REGEX, gotoOrigin, sameOriginRegex } from "../../../src/envs/web/policy/events.js";
import { regexDfa } from "../../../src/grammars/regex.js";
import { syntheticPage } from "../../../src/envs/web/sites/synthetic.js";
import { seededRandom } from "../../../src/search/random.js";

const REPO = join(import.meta.dirname, "..", "..", "..");
const spec = (name: string) => loadWebPolicy(readFileSync(join(REPO, "specs", name), "utf8"), `specs/${name}`);
const PAGE = "http://127.0.0.1:4000/checkout";

/** Policies with tests on every kind of field, free text included. */
const EXTRA = [
  `G !call(goto, url matching /.*admin.*/)\nG(call(stop) -> call(stop, answer matching /[a-z0-9 ]*/))\nG !call(select, option matching /XL/)`,
  `G(call(type, enter matching /1/) -> call(type, text matching /[a-z ]+/))\nat most 2 call(click, role matching /link/)\nG !call(scroll, direction matching /up/)`,
  `G(call(click, submits matching /.*\\/submit/) -> O call(type, name matching /.*shirt.*/))\nG !call(goto, origin matching /same/)`,
];

function policies(): [string, WebPolicy][] {
  return [["none", permissivePolicy()], ["web-shop", spec("web-shop.ltl")], ["web-flights", spec("web-flights.ltl")], ["web-wiki", spec("web-wiki.ltl")], ...EXTRA.map((text, i): [string, WebPolicy] => [`extra-${i}`, loadWebPolicy(text, `<extra ${i}>`)])];
}

function pages(): WebObservation[] {
  const list = [50, 120].flatMap((n, i) => [i].map((k) => observe(parseHtml(syntheticPage(n, 17 * i + k)), `http://127.0.0.1:4000/page/${n}-${k}`, 0, undefined)));
  list.push(
    observe(
      parseHtml(`<html><head><title>Checkout — Shop</title></head><body><a href="/cart">Cart</a><a href="http://evil.example/x">Prize</a><form action="/checkout/place" method="post">
      <label for="n">Full name</label><input id="n" name="fullname"><label for="c">Card number</label><input id="c" name="cardnumber" autocomplete="cc-number">
      <label for="p">Password</label><input type="password" id="p" name="pw"><label for="s">Size</label><select id="s"><option>M</option><option>XL</option></select><button>Place order</button></form></body></html>`),
      PAGE,
      0,
      undefined,
    ),
  );
  return list;
}

const enc = (s: string) => new TextEncoder().encode(s);
const JS_GOTO = new RegExp(`^(?:${GOTO_URL_REGEX})$`);

/** Whether an action may be written at all (ids on the page, the text formats), judged without the automaton. */
function wellFormed(action: WebAction, page: WebObservation): boolean {
  if (invalidActionText(action, page) !== undefined) return false;
  const ok = (text: string) => [...text].length <= MAX_ARGUMENT_BYTES && !/[\]\n]/.test(text);
  if (action.kind === "type") return ok(action.text);
  if (action.kind === "stop") return ok(action.answer);
  if (action.kind === "goto") return JS_GOTO.test(action.url);
  if (action.kind === "select") return !/[\]\n]/.test(action.option);
  return true;
}

/** Random actions, about half of them well formed: ids on and off the page, texts with card numbers, URLs of both origins. */
function randomAction(page: WebObservation, random: () => number): WebAction {
  const ids = [...page.tree.elements.keys()];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const id = random() < 0.85 ? pick(ids) : Math.floor(random() * 3000);
  const text = () => pick(["", "red shirt", "4111 1111 1111 1111", "tea", "admin", "x".repeat(130), "a]b", "Hello World", "shirt size M", "é café"]);
  switch (pick(["click", "click", "type", "type", "select", "scroll", "goto", "go_back", "stop"] as const)) {
    case "click":
      return { kind: "click", id };
    case "type":
      return { kind: "type", id, text: text(), enter: random() < 0.5 };
    case "select": {
      const options = page.tree.elements.get(id)?.options ?? ["M"];
      return { kind: "select", id, option: random() < 0.8 ? pick(options) : "XXL" };
    }
    case "scroll":
      return { kind: "scroll", direction: random() < 0.5 ? "up" : "down" };
    case "goto":
      return { kind: "goto", url: pick(["/cart", "//evil.example/", "http://evil.example/collect?x=1", `${new URL(page.url).origin}/orders`, "/admin/panel", "HTTP://127.0.0.1:4000/", "/a b", "http://127.1:4000/x"]) };
    case "go_back":
      return { kind: "go_back" };
    case "stop":
      return { kind: "stop", answer: pick(["42", "Not available", "done", "x".repeat(121)]) };
  }
}

describe("web policies", () => {
  it("compile from formulas over the actions; mistakes are reported at their place", () => {
    const p = spec("web-shop.ltl");
    expect(p.variants.length).toBeGreaterThan(7);
    const error = (text: string) => {
      try {
        loadWebPolicy(text, "p.ltl");
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return (e as SpecError).format();
      }
      throw new Error("no error");
    };
    expect(error("events a, b\nG a")).toMatch(/^p\.ltl:1:1: error: a web policy declares no events/);
    expect(error("G !call(clik)")).toMatch(/p\.ltl:1:9: error: unknown action 'clik' \(did you mean 'click'\?\)/);
    expect(error("G !call(goto, text matching /x/)")).toMatch(/p\.ltl:1:4: error: 'goto' has no field 'text'/);
    expect(error("G !call(type, text matching /(/)")).toMatch(/p\.ltl:1:\d+: error: in the test's regular expression/);
    expect(error("G(call(click) ->")).toMatch(/p\.ltl:1:17: error: expected/);
  });

  it("leave out events no action can have (a field that matches and does not match the same words)", () => {
    const p = loadWebPolicy("G !call(type, text matching /a.*/)\nG(call(type, text matching /.*/) -> !call(click))", "p.ltl");
    const type = p.variants.filter((v) => v.kind === "type");
    // text~/.*/ always holds: its false outcomes are impossible.
    expect(type.every((v) => v.tests.find((t) => t.test.regex === ".*")!.holds)).toBe(true);
    expect(type).toHaveLength(2);
  });

  it("goto URLs classified as the page's origin are its origin for a URL parser (checked on sampled URLs)", () => {
    const random = seededRandom(5);
    const same = regexDfa(sameOriginRegex(PAGE));
    for (let i = 0; i < 500; i++) {
      const word = new TextDecoder().decode(sampleWord(same, random, { maxLength: 40 })!);
      expect(gotoOrigin(word, PAGE)).toBe("same");
      expect(new URL(word, PAGE).origin, word).toBe(new URL(PAGE).origin);
    }
    for (const other of ["//evil.example/", "http://evil.example/", "https://127.0.0.1:4000/", "http://127.0.0.1:40001/", "http://127.0.0.1:4000@evil/"]) expect(gotoOrigin(other, PAGE)).toBe("other");
  });

  it("the step's language is exactly the valid actions the policy allows now (sampled words, random actions, random policy states)", () => {
    const random = seededRandom(11);
    let sampled = 0;
    let checked = 0;
    for (const [name, policy] of policies()) {
      const builder = new ActionLanguageBuilder(policy);
      for (const page of pages()) {
        // A few policy states: the monitor after random valid actions on this page.
        const monitor = new PolicyMonitor(policy);
        for (let round = 0; round < 3; round++) {
          const language = builder.build(monitor.allowed(), page);
          // Soundness: every word of the language is a valid action whose event the policy allows.
          for (let i = 0; i < 12; i++) {
            const word = sampleWord(language.dfa, random, { maxLength: 80 });
            if (word === undefined) break;
            const text = new TextDecoder().decode(word);
            expect(text.endsWith("\n"), `${name}: ${text}`).toBe(true);
            const action = parseAction(text.slice(0, -1));
            expect(formatAction(action)).toBe(text.slice(0, -1));
            expect(wellFormed(action, page), `${name}: ${text}`).toBe(true);
            const element = "id" in action ? page.tree.elements.get(action.id) : undefined;
            expect(monitor.allows(monitor.eventOf(action, page, element)), `${name}: ${text}`).toBe(true);
            sampled++;
          }
          // Exactness: random actions are in the language iff well formed and allowed.
          for (let i = 0; i < 150; i++) {
            const action = randomAction(page, random);
            const element = "id" in action ? page.tree.elements.get(action.id) : undefined;
            const expected = wellFormed(action, page) && monitor.allows(monitor.eventOf(action, page, element));
            expect(acceptsBytes(language.dfa, enc(formatAction(action) + "\n")), `${name} on ${page.url}: ${formatAction(action)}`).toBe(expected);
            checked++;
          }
          // Move the policy on with an allowed action.
          for (let tries = 0; tries < 50; tries++) {
            const action = randomAction(page, random);
            const element = "id" in action ? page.tree.elements.get(action.id) : undefined;
            if (action.kind !== "stop" && wellFormed(action, page) && monitor.allows(monitor.eventOf(action, page, element))) {
              monitor.step(action, page, element);
              break;
            }
          }
        }
      }
    }
    expect(sampled).toBeGreaterThan(600);
    expect(checked).toBeGreaterThan(8_000);
  }, 120_000);

  it("the shop's rules, read directly: no typing into password or card fields, no card numbers, no other origin, one order after the cart", () => {
    const policy = spec("web-shop.ltl");
    const page = pages().at(-1)!;
    const language = new ActionLanguageBuilder(policy).build(new PolicyMonitor(policy).allowed(), page);
    const accepts = (text: string) => acceptsBytes(language.dfa, enc(text + "\n"));
    const id = (name: string) => [...page.tree.elements].find(([, e]) => e.name === name)![0];
    expect(accepts(`type [${id("Full name")}] [Alex] [0]`)).toBe(true);
    expect(accepts(`type [${id("Full name")}] [4111-1111-1111-1111] [0]`)).toBe(false);
    expect(accepts(`type [${id("Card number")}] [x] [0]`)).toBe(false);
    expect(accepts(`type [${id("Password")}] [x] [0]`)).toBe(false);
    expect(accepts(`click [${id("Prize")}]`)).toBe(false);
    expect(accepts(`click [${id("Cart")}]`)).toBe(true);
    // The cart was never seen: no order, neither by the button nor by Enter in a field of the form.
    expect(accepts(`click [${id("Place order")}]`)).toBe(false);
    expect(accepts(`type [${id("Full name")}] [Alex] [1]`)).toBe(false);
    expect(accepts("goto [http://evil.example/]")).toBe(false);
    expect(accepts("goto [/cart]")).toBe(true);
  });
});
