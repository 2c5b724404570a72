/**
 * The mask engine as transformers.js generation hooks. One output being generated is followed by
 * an `OutputTracker` (the automaton state after the tokens chosen so far); three hooks share it:
 *
 * - `SpecMaskLogitsProcessor`: sets the logits of the tokens the spec forbids in the current state
 *   to -Infinity (end-of-generation tokens only where the output may end);
 * - `SeededSamplingProcessor`: draws the next token from the masked distribution with its own
 *   seeded generator and leaves only that token finite, so that transformers.js' greedy pick
 *   (`do_sample: false`) takes it. transformers.js' own multinomial sampler draws from a global
 *   `Math.random`-style source, which would make outputs depend on everything else in the process;
 * - `SpecStoppingCriteria`: stops once the output has ended, the environment must write next, or
 *   the token limit is reached.
 *
 * transformers.js calls the processors with the whole sequence (prompt + chosen tokens) before
 * each choice and the stopping criteria after it; each hook first brings the tracker up to date
 * with the tokens it has not seen, so the order of the calls does not matter.
 */
import { LogitsProcessor, StoppingCriteria, type Tensor } from "@huggingface/transformers";
import { environmentAwaited } from "../grammars/output.js";
import { Prng } from "../models/prng.js";
import type { Awaiting } from "./generation.js";
import type { MaskIndex, TokenMask } from "./mask.js";

/** The automaton state of one output, advanced over the tokens the model chose. */
export class OutputTracker {
  private state: number;
  /** How many entries of the sequence (prompt included) have been read. */
  private consumed: number;
  private readonly bytes: number[] = [];
  /** The output's tokens: chosen by the model, and tokenized environment text. */
  readonly tokens: number[] = [];
  /** How many of them the model chose. */
  modelTokens = 0;
  private endedFlag = false;

  constructor(
    readonly index: MaskIndex,
    /** Sequence entries before the first chosen token (the prompt and any earlier text). */
    readonly startAt: number,
    state: number = index.automaton.initial,
  ) {
    this.consumed = startAt;
    this.state = state;
  }

  get automatonState(): number {
    return this.state;
  }

  /** Whether the model chose an end-of-generation token (where the spec allows it). */
  get ended(): boolean {
    return this.endedFlag;
  }

  /** The bytes the chosen tokens wrote. */
  get output(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  /**
   * Reads the tokens of `sequence` not seen yet. A token the mask should have excluded is an
   * internal error (never silently accepted: that would break the guarantee).
   */
  sync(sequence: readonly (bigint | number)[]): void {
    const a = this.index.automaton;
    const eog = this.index.vocabulary.endOfGeneration;
    while (this.consumed < sequence.length) {
      const token = Number(sequence[this.consumed++]);
      if (this.endedFlag) throw new Error(`internal error: token ${token} was chosen after the end of the output`);
      if (eog.includes(token)) {
        if (a.accepting[this.state] !== 1) throw new Error(`internal error: end of generation was chosen where the spec forbids it (state ${this.state})`);
        this.endedFlag = true;
        continue;
      }
      const bytes = this.index.bytesOf(token);
      let s = this.state;
      for (let i = 0; bytes !== undefined && i < bytes.length && s >= 0; i++) s = a.transitions[s * 256 + bytes[i]!]!;
      if (bytes === undefined || s < 0) throw new Error(`internal error: token ${token} was chosen, which the mask of state ${this.state} forbids`);
      this.state = s;
      for (const b of bytes) this.bytes.push(b);
      this.tokens.push(token);
      this.modelTokens++;
    }
  }

  /**
   * Records text the environment wrote (already checked against the spec): its bytes, its tokens
   * (which the next sequence will contain, so they are skipped rather than read) and the state after it.
   */
  appendEnvironment(bytes: Uint8Array, tokens: readonly number[], state: number): void {
    for (const b of bytes) this.bytes.push(b);
    this.tokens.push(...tokens);
    this.consumed += tokens.length;
    this.state = state;
  }

  /** What the environment must write now, if anything (the same rule as `Generation.awaiting`). */
  awaiting(): Awaiting | undefined {
    return environmentAwaited(this.index.automaton, this.state);
  }

  /** The mask of the current state. */
  mask(): TokenMask {
    return this.index.maskFor(this.state);
  }
}

/** The logits of the first (only) sequence of the batch, as the Float32Array to edit in place. */
function logitsRow(input_ids: readonly unknown[], logits: Tensor): Float32Array {
  if (input_ids.length !== 1) throw new Error(`ltlguard's transformers.js hooks follow one output at a time (batch of ${input_ids.length})`);
  const row = (logits as unknown as Tensor[])[0]!.data;
  if (!(row instanceof Float32Array)) throw new Error("expected float32 logits");
  return row;
}

/**
 * Sets every logit the spec forbids in the current state to -Infinity. Allowed tokens keep their
 * logits, so whatever samples afterwards samples the model's distribution restricted to them.
 */
export class SpecMaskLogitsProcessor extends LogitsProcessor {
  constructor(readonly tracker: OutputTracker) {
    super();
  }

  override _call(input_ids: bigint[][], logits: Tensor): Tensor {
    const row = logitsRow(input_ids, logits);
    this.tracker.sync(input_ids[0]!);
    applyMask(this.tracker.mask(), row);
    return logits;
  }
}

/** Forbidden logits to -Infinity: O(banned) for a ban-list, O(vocabulary) fill plus O(allowed) for an allow-list. */
export function applyMask(mask: TokenMask, row: Float32Array): void {
  if (mask.banned !== undefined) {
    for (const t of mask.banned) if (t < row.length) row[t] = -Infinity;
    // Logits beyond the vocabulary (padding rows) are never text.
    row.fill(-Infinity, Math.min(row.length, mask.allowedCount + mask.banned.length));
    return;
  }
  const allowed = mask.allowed!;
  const kept = new Float32Array(allowed.length);
  for (let i = 0; i < allowed.length; i++) kept[i] = row[allowed[i]!] ?? -Infinity;
  row.fill(-Infinity);
  for (let i = 0; i < allowed.length; i++) if (allowed[i]! < row.length) row[allowed[i]!] = kept[i]!;
}

/**
 * Draws the next token from the (already masked) logits: the most likely one at temperature 0
 * (the lowest id among equals), else softmax(logits / temperature) with this processor's seeded
 * generator. Leaves only the chosen logit finite.
 */
export class SeededSamplingProcessor extends LogitsProcessor {
  private readonly prng: Prng;

  constructor(
    readonly temperature: number,
    seed: number,
    /**
     * The only entries that can be finite, when known (an allow-list mask): the draw then scans
     * these instead of the whole vocabulary. Undefined means scan everything.
     */
    private readonly candidates: () => Int32Array | undefined = () => undefined,
  ) {
    super();
    if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new Error(`temperature must be a finite number ≥ 0, got ${temperature}`);
    this.prng = new Prng(seed);
  }

  override _call(input_ids: bigint[][], logits: Tensor): Tensor {
    const row = logitsRow(input_ids, logits);
    const chosen = sampleIndex(row, this.temperature, this.prng, this.candidates());
    if (chosen < 0) throw new Error("internal error: every token is masked (the spec's dead ends should have been rejected)");
    const value = row[chosen]!;
    row.fill(-Infinity);
    row[chosen] = Number.isFinite(value) ? value : 0;
    return logits;
  }
}

/**
 * Index drawn from softmax(row / temperature) over the finite entries (argmax at 0, the lowest
 * index among equals); -1 if none is finite. `candidates` (ascending), when given, must include
 * every finite entry; only those are scanned.
 */
export function sampleIndex(row: Float32Array, temperature: number, prng: Prng, candidates?: Int32Array): number {
  const count = candidates !== undefined ? candidates.length : row.length;
  let best = -1;
  let max = -Infinity;
  for (let k = 0; k < count; k++) {
    const i = candidates !== undefined ? candidates[k]! : k;
    const v = row[i] ?? -Infinity;
    if (v > max) {
      max = v;
      best = i;
    }
  }
  if (best < 0 || temperature === 0) return best;
  // One pass of exponentials into a scratch list of the finite entries, then the draw.
  if (scratchWeights.length < count) {
    scratchWeights = new Float64Array(count);
    scratchIds = new Int32Array(count);
  }
  const weights = scratchWeights, ids = scratchIds;
  let n = 0;
  let sum = 0;
  const inverse = 1 / temperature;
  for (let k = 0; k < count; k++) {
    const i = candidates !== undefined ? candidates[k]! : k;
    const v = row[i] ?? -Infinity;
    if (v === -Infinity) continue;
    const w = Math.exp((v - max) * inverse);
    weights[n] = w;
    ids[n++] = i;
    sum += w;
  }
  let x = prng.next() * sum;
  for (let k = 0; k < n; k++) {
    x -= weights[k]!;
    if (x < 0) return ids[k]!;
  }
  return ids[n - 1]!; // rounding left a sliver of mass: the last finite entry takes it
}

let scratchWeights = new Float64Array(0);
let scratchIds = new Int32Array(0);

/** Stops at the end of the output, where the environment must write, or at the token limit. */
export class SpecStoppingCriteria extends StoppingCriteria {
  constructor(
    readonly tracker: OutputTracker,
    readonly maxTokens: number,
  ) {
    super();
  }

  override _call(input_ids: number[][]): boolean[] {
    if (input_ids.length !== 1) throw new Error(`ltlguard's transformers.js hooks follow one output at a time (batch of ${input_ids.length})`);
    this.tracker.sync(input_ids[0]!);
    const t = this.tracker;
    return [t.ended || t.modelTokens >= this.maxTokens || t.awaiting() !== undefined];
  }
}
