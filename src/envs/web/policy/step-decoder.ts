import { compileSpec, type CompiledSpec } from "../../../ltl/analysis.js";
import { parseSpec } from "../../../ltl/spec.js";
import type { ByteDfa } from "../../../grammars/byte-dfa.js";
import { composeOutput } from "../../../grammars/output.js";
import { Generation, type SamplingOptions } from "../../../decoder/generation.js";
import type { LlamaBackend } from "../../../decoder/llama.js";
import { MaskIndex, type TokenMask } from "../../../decoder/mask.js";
import type { Vocabulary } from "../../../decoder/vocabulary.js";
import { STATE_CONTENT, STATE_TAG, type OutputAutomaton } from "../../../grammars/output.js";
import type { StepLanguage } from "./language.js";
import { SpecError } from "../../../ltl/errors.js";
import { boundedEquivalenceClasses } from "../../../grammars/analysis.js";

/**
 * The model writes one action per step under that step's language: a one-segment output
 * `ACTION: <action>\n` whose content automaton is supplied per step (the page's ids, the
 * policy's state). The segment's format is a placeholder that is never used; the byte automaton,
 * its token masks and the generation are built for the step. Masks are computed on first use,
 * so a step pays for the states the model actually visits.
 */

const STEP_SPEC = `# One web action per output; its language is supplied by the web environment at every step.
events action
segment action "ACTION: " matching /[^\\n]*/ end "\\n"
last
`;

export const ACTION_TAG = "ACTION: ";

export interface StepTimings {
  /** Composing the output automaton from the step's language, ms. */
  readonly composeMs: number;
  /** Building the mask index (mask keys), ms. */
  readonly indexMs: number;
  /** Checking that no state leaves the model without a token, ms. */
  readonly deadEndMs: number;
  readonly states: number;
}

export interface StepOutput {
  /** The action line the model wrote (without the tag and the newline). */
  readonly action: string;
  /** False when the token limit cut it. */
  readonly complete: boolean;
  readonly tokens: number;
  /** Time to get masks ready while decoding (first-use trie walks included), ms. */
  readonly maskMs: number;
  readonly decodeMs: number;
}

export class WebActionDecoder {
  private readonly compiled: CompiledSpec;

  constructor(readonly backend: LlamaBackend) {
    this.compiled = compileSpec(parseSpec(STEP_SPEC, { file: "<web step>" }));
  }

  /** The masks of one step's language (compose, index, dead-end check). */
  prepare(language: StepLanguage, options: { checkDeadEnds?: boolean } = {}): { index: MaskIndex; timings: StepTimings } {
    const t0 = performance.now();
    const automaton = composeOutput(this.compiled, { contentAutomaton: () => language.dfa });
    const t1 = performance.now();
    const index = new StepMaskIndex(automaton, this.backend.vocabulary, language.parts);
    const t2 = performance.now();
    if (options.checkDeadEnds ?? true) index.rejectDeadEnds(this.backend.modelPath);
    const t3 = performance.now();
    return { index, timings: { composeMs: t1 - t0, indexMs: t2 - t1, deadEndMs: t3 - t2, states: automaton.stateCount } };
  }

  /** Samples one action after `prompt` under the prepared masks. */
  async generate(index: MaskIndex, prompt: string, sampling: SamplingOptions, maxTokens = 64): Promise<StepOutput> {
    let prefix = prompt.length > 0 ? this.backend.tokenizePrompt(prompt) : [];
    if (prefix.length === 0) prefix = [this.backend.documentStartToken()];
    const generation = new Generation(this.backend, index, undefined, prefix, sampling);
    generation.maskMicros = [];
    const t0 = performance.now();
    try {
      const stop = await generation.run({ maxTokens });
      const segment = generation.segments[0];
      const content = segment?.content ?? "";
      return {
        action: content,
        complete: stop === "end" && segment?.complete === true,
        tokens: generation.tokens.length,
        maskMs: generation.maskMicros.reduce((s, x) => s + x, 0) / 1000,
        decodeMs: performance.now() - t0,
      };
    } finally {
      await generation.dispose();
    }
  }
}

const singleByteCache = new WeakMap<Vocabulary, Uint8Array>();
function singleByteTokens(vocabulary: Vocabulary): Uint8Array {
  let bytes = singleByteCache.get(vocabulary);
  if (bytes === undefined) {
    bytes = new Uint8Array(256);
    for (const token of vocabulary.bytes) if (token !== undefined && token.length === 1) bytes[token[0]!] = 1;
    singleByteCache.set(vocabulary, bytes);
  }
  return bytes;
}

/** Masks of part states, per vocabulary and part: they are the same at every step. */
const partMasks = new WeakMap<Vocabulary, WeakMap<ByteDfa, Map<number, TokenMask>>>();
/** Bounded-equivalence classes of each part's states, per string length k (computed once per part and k). */
const partClasses = new WeakMap<ByteDfa, Map<number, Int32Array>>();

function classesOf(part: ByteDfa, k: number): Int32Array {
  let byK = partClasses.get(part);
  if (byK === undefined) partClasses.set(part, (byK = new Map()));
  let classes = byK.get(k);
  if (classes === undefined) byK.set(k, (classes = boundedEquivalenceClasses(part, k)));
  return classes;
}

/**
 * Mask keys for a step's automaton without refining it as a whole: a state copied from a cached
 * part takes its bounded-equivalence class in that part (the part's continuation, a newline and
 * the end, is the same for all its states), every other state a key of its own. States with one
 * key agree on every string of length ≤ k, which is what `MaskIndex` needs to share masks.
 */
function partKeys(automaton: OutputAutomaton, parts: StepLanguage["parts"], k: number): { keys: Int32Array; count: number } {
  const n = automaton.stateCount;
  const keys = new Int32Array(n);
  const offsets = new Map<ByteDfa, number>();
  let count = 0;
  for (let s = 0; s < n; s++) {
    const part = automaton.kind[s] === STATE_CONTENT ? parts[automaton.local[s]!] : undefined;
    if (part === undefined) {
      keys[s] = count++;
      continue;
    }
    const classes = classesOf(part.part, k);
    let offset = offsets.get(part.part);
    if (offset === undefined) {
      offset = count;
      offsets.set(part.part, offset);
      let max = -1;
      for (const c of classes) if (c > max) max = c;
      count += max + 1;
    }
    keys[s] = offset + classes[part.local]!;
  }
  return { keys, count };
}
/** Parts whose every state was found to have a token (per vocabulary). */
const partsChecked = new WeakMap<Vocabulary, WeakSet<ByteDfa>>();

/**
 * The mask index of one step. Refining the whole automaton for mask keys at every step would cost
 * more than the step's decoding; instead a state copied from a cached part (free text) takes its
 * part's bounded-equivalence class, computed once per part (`partKeys`), and every state built for
 * the page a key of its own. The masks of part states are also kept across steps, one per class:
 * a part state allows the same tokens wherever it is copied, since what follows a part (the
 * closing newline, the end of the output) is the same at every step. The masks themselves are
 * computed as `MaskIndex` computes them (a walk of the token trie), so they are exact.
 */
export class StepMaskIndex extends MaskIndex {
  private readonly cache: WeakMap<ByteDfa, Map<number, TokenMask>>;

  constructor(
    automaton: OutputAutomaton,
    vocabulary: Vocabulary,
    private readonly parts: StepLanguage["parts"],
  ) {
    super({ ...automaton, maskKeys: (k) => partKeys(automaton, parts, k), segmentMaskKeys: (k) => partKeys(automaton, parts, k) }, vocabulary);
    let cache = partMasks.get(vocabulary);
    if (cache === undefined) partMasks.set(vocabulary, (cache = new WeakMap()));
    this.cache = cache;
  }

  override maskFor(state: number): TokenMask {
    const a = this.automaton;
    const part = a.kind[state] === STATE_CONTENT ? this.parts[a.local[state]!] : undefined;
    if (part === undefined) return super.maskFor(state);
    let masks = this.cache.get(part.part);
    if (masks === undefined) this.cache.set(part.part, (masks = new Map()));
    // States of a part that agree on every string as long as a token (and its observations:
    // live, accepting) allow the same tokens: free text far from its limit is one class.
    const key = classesOf(part.part, this.vocabulary.maxTokenBytes + 1)[part.local]!;
    let mask = masks.get(key);
    if (mask === undefined) masks.set(key, (mask = super.maskFor(state)));
    return mask;
  }

  /**
   * Refuses a step where generation could get stuck: a state with no token of the vocabulary and
   * no end (the check `ConstrainedDecoder` makes, done once per cached part and per step for the
   * states built for the page).
   */
  rejectDeadEnds(modelPath: string): void {
    const a = this.automaton;
    const vocabulary = this.vocabulary;
    let checked = partsChecked.get(vocabulary);
    if (checked === undefined) partsChecked.set(vocabulary, (checked = new WeakSet()));
    const singleByte = singleByteTokens(vocabulary);
    const fresh = new Set<ByteDfa>();
    for (let s = 0; s < a.stateCount; s++) {
      if ((a.kind[s] !== STATE_TAG && a.kind[s] !== STATE_CONTENT) || a.accepting[s]) continue;
      const part = a.kind[s] === STATE_CONTENT ? this.parts[a.local[s]!] : undefined;
      if (part !== undefined) {
        if (checked.has(part.part)) continue;
        fresh.add(part.part);
      }
      let ok = false;
      for (let b = 0; b < 256 && !ok; b++) ok = singleByte[b] === 1 && a.transitions[s * 256 + b]! >= 0;
      if (!ok) ok = this.maskFor(s).allowedCount > 0;
      if (!ok) throw new SpecError("segment", `with the vocabulary of ${modelPath}, the model could get stuck writing a web action (state ${s})`, a.formats[0]!.location);
    }
    for (const part of fresh) checked.add(part);
  }
}
