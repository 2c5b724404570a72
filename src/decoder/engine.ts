/**
 * The public engine API: compile a constraint (a JSON Schema, a regular expression, or an
 * ltlguard spec) for a vocabulary once, then drive any number of matchers with it, in the style
 * of XGrammar's GrammarMatcher and llguidance's matcher. The decoder and the benchmarks use it too.
 *
 * ```ts
 * const vocabulary = Vocabulary.fromTokenizerJson(tokenizerJson, { endOfGeneration: [128001, 128009] });
 * const constraint = compileConstraint({ jsonSchema }, vocabulary);
 * const matcher = constraint.matcher();
 * const bitmask = new Int32Array(constraint.bitmaskWords);
 * matcher.fillBitmask(bitmask);          // bit t & 31 of word t >>> 5: token t is allowed
 * matcher.accept(token);                 // false (and no change) for a token the mask bans
 * ```
 */
import { compileSpec, type CompiledSpec } from "../ltl/analysis.js";
import { parseSpec } from "../ltl/spec.js";
import type { ByteDfa } from "../grammars/byte-dfa.js";
import { jsonSchemaDfa, type JsonSchemaOptions } from "../grammars/json-schema.js";
import { trimDfa } from "../grammars/ops.js";
import { composeOutput, STATE_CONTENT, STATE_TAG, type OutputAutomaton } from "../grammars/output.js";
import { regexDfa } from "../grammars/regex.js";
import { namedSpecialTokens } from "./special-tokens.js";
import { MaskEngine } from "./mask-engine.js";
import { StateMasks } from "./state-masks.js";
import { TokenTrie } from "./token-trie.js";
import { VocabularyFactory } from "./vocabulary-sources.js";
import type { Vocabulary as VocabularyTable } from "./vocabulary.js";

/** A vocabulary as exact bytes per token id; build one with `Vocabulary.fromTokenizerJson` or `Vocabulary.fromGguf`. */
export type Vocabulary = VocabularyTable;
export const Vocabulary = VocabularyFactory;

/** What a constraint is made from. A spec is its text (events mode, with segments), or one already compiled. */
export type ConstraintSource =
  | { readonly jsonSchema: unknown }
  | { readonly regex: string }
  | { readonly spec: string | CompiledSpec };

export interface CompileConstraintOptions {
  /** Options of the JSON-Schema compiler (whitespace, recursion depth, …); see `JsonSchemaOptions`. */
  readonly jsonSchema?: JsonSchemaOptions;
  /** The file name errors in a spec's text are reported against. Default "<spec>". */
  readonly file?: string;
  /**
   * Compute the masks of the states nearest the start (breadth first) during compilation, for up
   * to this many milliseconds: the first tokens of an output are then lookups. 0 computes none,
   * Infinity every state (the whole automaton: seconds for a large one). Default 10.
   */
  readonly precomputeMs?: number;
  /**
   * Settle every state's slice margins during compilation (time linear in the automaton, a
   * fraction of building it), so that no mask pays for the free-text region it enters. false
   * leaves them to the first mask that needs them. Default true.
   */
  readonly settleMargins?: boolean;
}

/** Default time budget for masks computed during compilation, in milliseconds. */
export const DEFAULT_PRECOMPUTE_MS = 10;

const STATE_NONE = -1;

/**
 * A constraint compiled for one vocabulary: immutable apart from its mask cache, which only ever
 * gains entries, so it can be shared by any number of matchers (of one thread).
 */
export class CompiledConstraint {
  /** Words of a bitmask over the vocabulary (`Math.ceil(size / 32)`). */
  readonly bitmaskWords: number;
  readonly masks: StateMasks;
  /** Milliseconds spent compiling the automaton, settling margins, and computing masks during compilation. */
  readonly timings: { readonly automatonMs: number; readonly marginsMs: number; readonly precomputeMs: number; readonly precomputedStates: number };

  constructor(
    readonly vocabulary: Vocabulary,
    /** The automaton over bytes; states that take no model tokens (a spec's pauses for the environment) are listed in `paused`. */
    readonly automaton: { readonly stateCount: number; readonly initial: number; readonly transitions: Int32Array; readonly accepting: Uint8Array },
    private readonly paused: Uint8Array | undefined,
    extraTrie: TokenTrie | undefined,
    private readonly extraBytes: ReadonlyMap<number, Uint8Array>,
    automatonMs: number,
    precomputeBudgetMs: number,
    settleMargins = true,
  ) {
    this.masks = new StateMasks(automaton, MaskEngine.for(vocabulary), { extraTrie });
    this.bitmaskWords = this.masks.engine.words;
    const marginsStarted = performance.now();
    if (settleMargins) this.masks.settleMargins();
    const started = performance.now();
    const precomputed = this.precompute(precomputeBudgetMs);
    this.timings = { automatonMs, marginsMs: started - marginsStarted, precomputeMs: performance.now() - started, precomputedStates: precomputed };
  }

  /** A new matcher at the start of an output. */
  matcher(): ConstraintMatcher {
    return new ConstraintMatcher(this);
  }

  /** The state after `token` from `state`, or -1 where the token is not allowed (end-of-generation tokens excepted: see `isEndOfGeneration`). */
  step(state: number, token: number): number {
    if (this.paused?.[state] === 1) return STATE_NONE;
    const bytes = this.vocabulary.bytes[token] ?? this.extraBytes.get(token);
    if (bytes === undefined) return STATE_NONE;
    const t = this.automaton.transitions;
    let s = state;
    for (let i = 0; i < bytes.length && s >= 0; i++) s = t[s * 256 + bytes[i]!]!;
    return s;
  }

  isEndOfGeneration(token: number): boolean {
    return this.masks.engine.endOfGeneration[token >>> 5]! & (1 << (token & 31)) ? true : false;
  }

  /** The mask of a state as a bitset (shared: never modify it). A pause state's mask is empty. */
  bitsOf(state: number): Uint32Array {
    if (this.paused?.[state] === 1) return (this.emptyBits ??= new Uint32Array(this.bitmaskWords));
    return this.masks.bits(state);
  }

  /** The same mask as an Int32Array view (shared: never modify it). */
  int32BitsOf(state: number): Int32Array {
    if (this.paused?.[state] === 1) return (this.emptyInt32 ??= new Int32Array(this.bitmaskWords));
    return this.masks.int32Bits(state);
  }

  private emptyBits: Uint32Array | undefined;
  private emptyInt32: Int32Array | undefined;

  /** Masks of the states nearest the start, breadth first, until the budget is spent. */
  private precompute(budgetMs: number): number {
    if (!(budgetMs > 0)) return 0;
    const { transitions, stateCount, initial } = this.automaton;
    const deadline = performance.now() + budgetMs;
    const seen = new Uint8Array(stateCount);
    const queue = new Int32Array(stateCount);
    let head = 0;
    let tail = 0;
    queue[tail++] = initial;
    seen[initial] = 1;
    let done = 0;
    while (head < tail) {
      const s = queue[head++]!;
      if (this.paused?.[s] !== 1) {
        this.masks.maskId(s);
        done++;
      }
      if ((done & 7) === 0 && performance.now() > deadline) break;
      for (let b = 0; b < 256; b++) {
        const next = transitions[s * 256 + b]!;
        if (next >= 0 && seen[next] === 0) {
          seen[next] = 1;
          queue[tail++] = next;
        }
      }
    }
    return done;
  }
}

/**
 * One output being constrained: the current state, the masks, and a history for `rollback`.
 * `accept` checks the token exactly (its bytes through the automaton), whatever the mask cache holds.
 */
export class ConstraintMatcher {
  private state: number;
  private readonly history: number[] = [];
  private ended = false;

  constructor(readonly constraint: CompiledConstraint) {
    this.state = constraint.automaton.initial;
  }

  /** The allowed tokens now, as a bitmask over the vocabulary (a view of a shared mask: read it, do not write it). */
  allowedTokens(): TokenBitmask {
    return new TokenBitmask(this.ended ? new Uint32Array(this.constraint.bitmaskWords) : this.constraint.bitsOf(this.state), this.constraint.vocabulary.size);
  }

  /** Writes the mask into `bitmask` (at least `bitmaskWords` words from `offset`): bit `t & 31` of word `t >>> 5` set where token t is allowed. */
  fillBitmask(bitmask: Int32Array | Uint32Array, offset = 0): void {
    const words = this.constraint.bitmaskWords;
    if (bitmask.length < offset + words) throw new RangeError(`fillBitmask: the bitmask needs ${words} words from offset ${offset}, it has ${bitmask.length - offset}`);
    if (this.ended) {
      bitmask.fill(0, offset, offset + words);
      return;
    }
    if (bitmask instanceof Uint32Array) bitmask.set(this.constraint.bitsOf(this.state), offset);
    else bitmask.set(this.constraint.int32BitsOf(this.state), offset);
  }

  /** Whether `token` is allowed now (computes the mask if needed). */
  isAllowed(token: number): boolean {
    if (this.ended || token < 0 || token >= this.constraint.vocabulary.size) return false;
    return (this.constraint.bitsOf(this.state)[token >>> 5]! & (1 << (token & 31))) !== 0;
  }

  /**
   * Advances by one token. Returns false, changing nothing, when the token is not allowed. An
   * end-of-generation token is allowed where the output may end, and ends it (`isDone`).
   */
  accept(token: number): boolean {
    if (this.ended) return false;
    const c = this.constraint;
    if (c.isEndOfGeneration(token)) {
      if (c.automaton.accepting[this.state] !== 1) return false;
      this.history.push(this.state);
      this.ended = true;
      return true;
    }
    const next = c.step(this.state, token);
    if (next < 0) return false;
    this.history.push(this.state);
    this.state = next;
    return true;
  }

  /** Accepts tokens in order; stops at the first refused one and returns how many were accepted. */
  acceptTokens(tokens: ArrayLike<number>): number {
    for (let i = 0; i < tokens.length; i++) if (!this.accept(tokens[i]!)) return i;
    return tokens.length;
  }

  /** Undoes the last `n` accepted tokens (all of them at most). */
  rollback(n = 1): void {
    if (!Number.isInteger(n) || n < 0 || n > this.history.length) throw new RangeError(`rollback: ${n} tokens asked, ${this.history.length} accepted`);
    for (let i = 0; i < n; i++) {
      const previous = this.history.pop()!;
      if (this.ended) this.ended = false;
      else this.state = previous;
    }
  }

  /** Back to the start of an output. */
  reset(): void {
    this.state = this.constraint.automaton.initial;
    this.history.length = 0;
    this.ended = false;
  }

  /** Whether the output may end here (the end-of-generation tokens are allowed). */
  canEnd(): boolean {
    return !this.ended && this.constraint.automaton.accepting[this.state] === 1;
  }

  /** Whether the output is over: an end-of-generation token was accepted, or nothing may follow and the output is complete. */
  isDone(): boolean {
    if (this.ended) return true;
    const { accepting, transitions } = this.constraint.automaton;
    if (accepting[this.state] !== 1) return false;
    const row = this.state * 256;
    for (let b = 0; b < 256; b++) if (transitions[row + b]! >= 0) return false;
    return true;
  }

  /** Tokens accepted so far. */
  get accepted(): number {
    return this.history.length;
  }

  /** The automaton state (for diagnostics and for tools built on the automaton). */
  get automatonState(): number {
    return this.state;
  }
}

/** A mask as a bitmask over the vocabulary, backed by an Int32Array (bit `t & 31` of word `t >>> 5`). */
export class TokenBitmask {
  /** The words, as XGrammar and llguidance lay them out. A view of a shared mask: do not modify. */
  readonly bitmask: Int32Array;

  constructor(
    private readonly bits: Uint32Array,
    readonly vocabularySize: number,
  ) {
    this.bitmask = new Int32Array(bits.buffer, bits.byteOffset, bits.length);
  }

  has(token: number): boolean {
    return token >= 0 && token < this.vocabularySize && (this.bits[token >>> 5]! & (1 << (token & 31))) !== 0;
  }

  /** How many tokens are allowed. */
  count(): number {
    let n = 0;
    for (let w = 0; w < this.bits.length; w++) {
      let x = this.bits[w]!;
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  /** The allowed token ids, ascending. */
  tokens(): Int32Array {
    const out: number[] = [];
    for (let w = 0; w < this.bits.length; w++) {
      let word = this.bits[w]!;
      while (word !== 0) {
        const low = word & -word;
        const token = w * 32 + (31 - Math.clz32(low));
        if (token < this.vocabularySize) out.push(token);
        word = (word ^ low) >>> 0;
      }
    }
    return Int32Array.from(out);
  }
}

/**
 * Compiles a constraint for a vocabulary. Errors are the compilers' own: `SchemaError` (naming
 * the keyword and its place), `RegexSyntaxError`, `SpecError` (file, line, column).
 */
export function compileConstraint(source: ConstraintSource, vocabulary: Vocabulary, options: CompileConstraintOptions = {}): CompiledConstraint {
  const started = performance.now();
  const budget = options.precomputeMs ?? DEFAULT_PRECOMPUTE_MS;
  const settle = options.settleMargins ?? true;
  if ("jsonSchema" in source) {
    const dfa = jsonSchemaDfa(source.jsonSchema, options.jsonSchema);
    return fromDfa(dfa, vocabulary, performance.now() - started, budget, settle);
  }
  if ("regex" in source) {
    const dfa = trimDfa(regexDfa(source.regex));
    return fromDfa(dfa, vocabulary, performance.now() - started, budget, settle);
  }
  if ("spec" in source) {
    const compiled = typeof source.spec === "string" ? compileSpec(parseSpec(source.spec, { file: options.file ?? "<spec>" })) : source.spec;
    const automaton = composeOutput(compiled);
    return fromOutput(automaton, vocabulary, performance.now() - started, budget, settle);
  }
  throw new TypeError("compileConstraint: the source must be { jsonSchema }, { regex } or { spec }");
}

function fromDfa(dfa: ByteDfa, vocabulary: Vocabulary, automatonMs: number, budget: number, settle: boolean): CompiledConstraint {
  return new CompiledConstraint(vocabulary, dfa, undefined, undefined, new Map(), automatonMs, budget, settle);
}

/** A spec's output automaton: pause states (the environment writes next) take no tokens; special tokens the spec names literally are allowed where their text fits. */
export function constraintFromOutput(automaton: OutputAutomaton, vocabulary: Vocabulary, options: { precomputeMs?: number; settleMargins?: boolean } = {}): CompiledConstraint {
  return fromOutput(automaton, vocabulary, 0, options.precomputeMs ?? DEFAULT_PRECOMPUTE_MS, options.settleMargins ?? true);
}

function fromOutput(automaton: OutputAutomaton, vocabulary: Vocabulary, automatonMs: number, budget: number, settle: boolean): CompiledConstraint {
  const paused = new Uint8Array(automaton.stateCount);
  for (let s = 0; s < automaton.stateCount; s++) if (automaton.kind[s] !== STATE_TAG && automaton.kind[s] !== STATE_CONTENT) paused[s] = 1;
  const named = namedSpecialTokens(automaton, vocabulary);
  const extraTrie = named.size > 0 ? new TokenTrie({ ...vocabulary, bytes: [...Array(vocabulary.size).keys()].map((id) => named.get(id)) }) : undefined;
  return new CompiledConstraint(vocabulary, automaton, paused, extraTrie, named, automatonMs, budget, settle);
}
