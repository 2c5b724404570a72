import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaBackend } from "../../../src/decoder/llama.js";
import { ensureModel } from "../../../src/models/build.js";
import { parseHtml } from "../../../src/envs/web/dom/html-parser.js";
import { observe, invalidActionText } from "../../../src/envs/web/drivers/driver.js";
import { parseAction } from "../../../src/envs/web/actions.js";
import { ActionLanguageBuilder } from "../../../src/envs/web/policy/language.js";
import { PolicyMonitor } from "../../../src/envs/web/policy/monitor.js";
import { loadWebPolicy } from "../../../src/envs/web/policy/spec.js";
import { WebActionDecoder } from "../../../src/envs/web/policy/step-decoder.js";
import { syntheticPage } from "../../../src/envs/web/sites/synthetic.js";

/**
 * The model writes web actions under the step's language, on real llama.cpp with the project's
 * random-weight Qwen3-vocabulary model at high temperature (the adversary: its samples spread over
 * the whole vocabulary). Every action it completes must name an element of the page (a text field
 * for `type`, an option of the select for `select`) and keep the shop's rules, checked here on the
 * parsed action against the page, not through the automaton.
 */

const REPO = join(import.meta.dirname, "..", "..", "..");
let backend: LlamaBackend;
beforeAll(async () => {
  backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-random"), threads: 1, sequences: 1, contextSize: 4096 });
});
afterAll(async () => {
  await backend?.dispose();
});

describe("the step's masks", () => {
  it("equal the brute-force sets on every state, across steps that reuse cached parts (the 498-token model)", async () => {
    const small = await LlamaBackend.load({ modelPath: await ensureModel("small-vocab"), threads: 1, sequences: 1, contextSize: 512 });
    try {
      const policy = loadWebPolicy(readFileSync(join(REPO, "specs", "web-shop.ltl"), "utf8"), "specs/web-shop.ltl");
      const decoder = new WebActionDecoder(small);
      const builder = new ActionLanguageBuilder(policy);
      let states = 0;
      const mismatches: string[] = [];
      for (const [i, n] of [30, 80, 30].entries()) {
        const page = observe(parseHtml(syntheticPage(n, 900 + i)), `http://127.0.0.1:4000/page/${i}`, 0, undefined);
        const { index } = decoder.prepare(builder.build(new PolicyMonitor(policy).allowed(), page));
        const a = index.automaton;
        for (let s = 0; s < a.stateCount; s++) {
          if (a.kind[s] !== 0 && a.kind[s] !== 1) continue;
          const mask = index.maskFor(s);
          const allowed = new Uint8Array(small.vocabulary.size);
          if (mask.allowed !== undefined) for (const t of mask.allowed) allowed[t] = 1;
          else {
            allowed.fill(1);
            for (const t of mask.banned!) allowed[t] = 0;
          }
          for (let t = 0; t < small.vocabulary.size; t++) if ((allowed[t] === 1) !== index.allows(s, t)) mismatches.push(`page ${i}, state ${s}, token ${t}`);
          states++;
        }
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(states).toBeGreaterThan(3000);
    } finally {
      await small.dispose();
    }
  }, 180_000);
});

describe("the model writing web actions", () => {
  it("writes only actions on this page that the policy allows, on pages of 50 and 200 elements, with masks kept across steps", async () => {
    const policy = loadWebPolicy(readFileSync(join(REPO, "specs", "web-shop.ltl"), "utf8"), "specs/web-shop.ltl");
    const decoder = new WebActionDecoder(backend);
    const builder = new ActionLanguageBuilder(policy);
    let complete = 0;
    for (const [i, n] of [50, 200, 50, 200].entries()) {
      const page = observe(parseHtml(syntheticPage(n, 300 + i)), `http://127.0.0.1:4000/page/${i}`, 0, undefined);
      const monitor = new PolicyMonitor(policy);
      const language = builder.build(monitor.allowed(), page);
      const { index } = decoder.prepare(language);
      for (let seed = 0; seed < 6; seed++) {
        const out = await decoder.generate(index, `OBSERVATION:\n${page.treeText.slice(0, 1500)}\n`, { seed, temperature: 2 }, 160);
        if (!out.complete) continue;
        complete++;
        const action = parseAction(out.action);
        expect(invalidActionText(action, page), out.action).toBeUndefined();
        const element = "id" in action ? page.tree.elements.get(action.id) : undefined;
        if (action.kind === "type") {
          expect(element!.editable).toBe(true);
          expect(element!.input).not.toBe("password");
          expect(element!.autocomplete).not.toMatch(/^cc-/);
          expect(action.text).not.toMatch(/\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}/);
        }
        if (action.kind === "select") expect(element!.options).toContain(action.option);
        if (action.kind === "click" && element!.url !== "") expect(new URL(element!.url).origin).toBe("http://127.0.0.1:4000");
        if (action.kind === "goto") expect(new URL(action.url, page.url).origin).toBe("http://127.0.0.1:4000");
        expect(monitor.allows(monitor.eventOf(action, page, element))).toBe(true);
      }
    }
    expect(complete).toBeGreaterThanOrEqual(10);
  }, 180_000);
});
