import { formulaToString } from "../../src/ltl/print.js";
import type { SegmentContent } from "../../src/ltl/segments.js";
import { randomFormula, Rng } from "./random.js";

/**
 * Random events-mode specs with segment formats, as spec text: random formulas over 2–4
 * events, tags that share prefixes (but are prefix-free, as the language requires), and every
 * kind of content — bounded free text with one- and multi-byte terminators, choices, regular
 * expressions — written by the model or by the environment.
 */
export interface RandomSegmentSpecOptions {
  /** Upper bound on a text segment's `max` (small bounds make outputs end quickly). */
  maxTextBytes?: number;
  /** Probability that a segment is written by the environment. */
  environmentShare?: number;
  /** Formula depth. */
  depth?: number;
}

const TAG_CHARS = ["A", "B", "é", "1", "<"];
const TERMINATORS = ["\n", "|", "\n\n", "</e>", ";"];
const CHOICE_WORDS = ["go", "stop", "gone", "ok", "été", "x", "xy"];
/** Regexes with an independent JavaScript meaning (no `.`, whose meaning differs between dialects). */
const REGEXES = ["[0-9]{1,3}", "(ab|c)+", "[a-zé]{0,4}x", "\\d+(\\.\\d+)?", "(yes|no)", "[A-Z][a-z]*", "a?b?c"];
const ENDS = ["\n", ";", " |"];

/** A few matches of each regex, for environment-written segments (checked by JavaScript's RegExp in the tests). */
export const REGEX_EXAMPLES: Record<string, readonly string[]> = {
  "[0-9]{1,3}": ["7", "42", "905"],
  "(ab|c)+": ["c", "abc", "abab"],
  "[a-zé]{0,4}x": ["x", "éx", "abcdx"],
  "\\d+(\\.\\d+)?": ["3", "3.14", "10.5"],
  "(yes|no)": ["yes", "no"],
  "[A-Z][a-z]*": ["A", "Paris"],
  "a?b?c": ["c", "ac", "abc"],
};

/** Valid content for a segment format, to play the environment. */
export function randomContent(rng: Rng, content: SegmentContent): string {
  if (content.kind === "choice") return rng.pick(content.options);
  if (content.kind === "regex") return rng.pick(REGEX_EXAMPLES[content.source] ?? [""]);
  if (content.kind === "tools" || content.kind === "arguments") throw new Error("randomContent: tool segments are written by the model");
  const letters = "abcdeé xyz";
  const limit = Math.min(content.maxBytes ?? 8, 8);
  let text = "";
  while (new TextEncoder().encode(text).length < limit - 1 && rng.int(4) !== 0) text += rng.pick([...letters]);
  while (new TextEncoder().encode(text).length > limit) text = text.slice(0, -1);
  return text.includes(content.until) ? "" : text;
}

export function randomSegmentSpec(rng: Rng, options: RandomSegmentSpecOptions = {}): string {
  const count = 2 + rng.int(3);
  const events = Array.from({ length: count }, (_, i) => `e${i}`);
  const maxText = options.maxTextBytes ?? 12;
  const envShare = options.environmentShare ?? 0.2;
  const tags = new Set<string>();
  while (tags.size < count) {
    let tag = "";
    const length = 1 + rng.int(3);
    for (let i = 0; i < length; i++) tag += rng.pick(TAG_CHARS);
    tags.add(tag + (rng.int(2) === 0 ? ": " : ":"));
  }
  // Tags ending in ":" or ": " are prefix-free only if no tag is another plus more; drop such clashes.
  const tagList = [...tags].filter((t, _, all) => !all.some((o) => o !== t && o.startsWith(t)));
  while (tagList.length < count) tagList.push(`Z${tagList.length}:`);
  const lines = [`events ${events.join(", ")}`];
  events.forEach((event, i) => {
    const writer = rng.next() < envShare ? " by environment" : "";
    const r = rng.int(3);
    let content: string;
    if (r === 0) {
      const until = rng.pick(TERMINATORS);
      const max = 1 + rng.int(maxText);
      content = `text until ${JSON.stringify(until)} max ${max}`;
    } else if (r === 1) {
      const options = new Set<string>();
      const n = 1 + rng.int(3);
      while (options.size < n) options.add(rng.pick(CHOICE_WORDS));
      content = `one of ${[...options].map((o) => JSON.stringify(o)).join(", ")} end ${JSON.stringify(rng.pick(ENDS))}`;
    } else {
      content = `matching /${rng.pick(REGEXES)}/ end ${JSON.stringify(rng.pick(ENDS))}`;
    }
    lines.push(`segment ${event} ${JSON.stringify(tagList[i]!)} ${content}${writer}`);
  });
  lines.push(formulaToString(randomFormula(rng, { atoms: events, depth: options.depth ?? 3 })));
  return lines.join("\n") + "\n";
}

export { Rng };
