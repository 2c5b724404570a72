import type { OutputAutomaton } from "../grammars/output.js";
import type { Vocabulary } from "./vocabulary.js";

/** The special tokens whose whole text appears in a tag, an end string, a terminator or a choice of the spec. */
export function namedSpecialTokens(automaton: OutputAutomaton, vocabulary: Vocabulary): Map<number, Uint8Array> {
  const literals: string[] = [];
  for (const format of automaton.formats) {
    literals.push(format.tag, format.end);
    if (format.content.kind === "choice") literals.push(...format.content.options);
  }
  const named = new Map<number, Uint8Array>();
  const decoder = new TextDecoder();
  for (const [id, bytes] of vocabulary.special) {
    const text = decoder.decode(bytes);
    if (literals.some((literal) => literal.includes(text))) named.set(id, bytes);
  }
  return named;
}
