import type { ConstrainedDecoder } from "../../decoder/decoder.js";
import type { Generation } from "../../decoder/generation.js";

/**
 * Evaluated prompt prefixes, kept as llama.cpp sequences and shared by every role on one model.
 *
 * A prompt comes with its break points (where its pieces end: `RenderedPrompt.breaks`). Its
 * generation is cloned from the longest kept prefix that ends at one of them (llama.cpp copies the
 * KV cache; nothing is evaluated again), extended by the rest, and kept in turn at its last break
 * and at its end. So the next prompt that extends this one by a step of the trajectory, or asks
 * another role about the same trajectory, evaluates only what is new, and n samples of one prompt
 * evaluate it once. Each kept prefix holds a sequence: beyond `limit`, the least recently used
 * are released.
 */
export class PromptCache {
  /** By token prefix; iteration order is least recently used first. */
  private readonly kept = new Map<string, Generation>();

  constructor(private readonly limit = 6) {}

  /**
   * A generation paused at the end of `tokens` under `decoder`, prefilled, to be cloned (the cache
   * owns it: do not run or dispose it). `breaks` are where a kept prefix may end; `stem` is the
   * break to keep for later prompts (e.g. the end of the trajectory, before a role's question).
   */
  async at(decoder: ConstrainedDecoder, tokens: readonly number[], breaks: readonly number[] = [], stemAt?: number): Promise<Generation> {
    const fullKey = keyOf(tokens, tokens.length);
    const exact = this.kept.get(fullKey);
    if (exact !== undefined && exact.automaton === decoder.automaton) return this.touch(fullKey, exact);
    const stem = stemAt !== undefined && stemAt > 0 && stemAt < tokens.length ? stemAt : 0;
    let base: Generation | undefined;
    let covered = 0;
    for (const point of [tokens.length, ...breaks.filter((b) => b > 0 && b < tokens.length).sort((a, b) => b - a)]) {
      const found = this.kept.get(keyOf(tokens, point));
      if (found !== undefined) {
        base = this.touch(keyOf(tokens, point), found);
        covered = point;
        break;
      }
    }
    const found = covered;
    let current: Generation;
    if (base === undefined) {
      covered = stem > 0 ? stem : tokens.length;
      current = decoder.start({ tokens: tokens.slice(0, covered) });
    } else {
      current = await base.clone();
    }
    if (covered < stem) {
      current.appendPrompt(tokens.slice(covered, stem));
      covered = stem;
    }
    if (stem > 0 && found < stem) {
      // The stem is new: keep it for the prompts that extend it, and go on from a copy.
      await current.prefill();
      await this.keep(keyOf(tokens, stem), current);
      current = await current.clone();
    }
    if (covered < tokens.length) current.appendPrompt(tokens.slice(covered));
    if (current.automaton !== decoder.automaton) current = await current.continueUnder(decoder.index);
    await current.prefill();
    await this.keep(fullKey, current);
    return current;
  }

  /** Releases every kept prefix. */
  async dispose(): Promise<void> {
    for (const generation of this.kept.values()) await generation.dispose();
    this.kept.clear();
  }

  get size(): number {
    return this.kept.size;
  }

  private touch(key: string, generation: Generation): Generation {
    this.kept.delete(key);
    this.kept.set(key, generation);
    return generation;
  }

  private async keep(key: string, generation: Generation): Promise<void> {
    const old = this.kept.get(key);
    if (old !== undefined && old !== generation) await old.dispose();
    this.touch(key, generation);
    while (this.kept.size > this.limit) {
      const [oldest, evicted] = this.kept.entries().next().value as [string, Generation];
      this.kept.delete(oldest);
      await evicted.dispose();
    }
  }
}

function keyOf(tokens: readonly number[], length: number): string {
  return tokens.slice(0, length).join(",");
}
