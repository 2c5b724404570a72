/** Driving generations to their end for the decoder benchmark, and counting what they do (samples, first uses of masks). */
import { performance } from "node:perf_hooks";
import type { Generation, StopReason } from "../../src/decoder/generation.js";
import { LlamaBackend } from "../../src/decoder/llama.js";
import { type TokenMask } from "../../src/decoder/mask.js";
import { MAX_ENVIRONMENT_ROUNDS, environmentText } from "./decoder-settings.js";

// ---------------------------------------------------------------------------------------------
// Driving generations

export interface EnvironmentChunk {
  readonly from: number;
  readonly to: number;
  readonly event: string;
}

export interface Drive {
  readonly stop: StopReason | "rounds";
  readonly runMs: number;
  readonly environment: readonly EnvironmentChunk[];
}

/** Runs a generation to its end, writing the environment's segments with fixed text. */
export async function drive(generation: Generation, maxTokens: number): Promise<Drive> {
  const environment: EnvironmentChunk[] = [];
  let runMs = 0;
  let stop: StopReason | "rounds" = "rounds";
  for (let round = 0; round <= MAX_ENVIRONMENT_ROUNDS; round++) {
    const t0 = performance.now();
    stop = await generation.run({ maxTokens });
    runMs += performance.now() - t0;
    if (stop !== "environment") break;
    if (round === MAX_ENVIRONMENT_ROUNDS) {
      stop = "rounds";
      break;
    }
    const event = generation.awaiting()!.events[0]!;
    const from = generation.tokens.length;
    generation.supply(environmentText(event), event);
    environment.push({ from, to: generation.tokens.length, event });
  }
  return { stop, runMs, environment };
}

/** Counts the generation's sampling steps (calls into llama.cpp's sampler; forced tokens take none). */
export function countSamples(generation: Generation): { count: number } {
  const counter = { count: 0 };
  const target = generation as unknown as { sample: (bias: unknown) => Promise<number> };
  const original = target.sample.bind(generation);
  target.sample = async (bias: unknown) => {
    counter.count++;
    return original(bias);
  };
  return counter;
}

/** Records, per call of `biasFor`, whether the mask was used for the first time (its bias object built now). */
export class BiasLog {
  entries: boolean[] | undefined;
  /** Microseconds spent in biasFor, per call (the bias object's construction on first use). */
  micros: number[] | undefined;
  /** Tokens listed by each call's mask (allowed or banned, whichever it lists). */
  listed: number[] | undefined;
  constructor(backend: LlamaBackend) {
    const original = backend.biasFor.bind(backend);
    backend.biasFor = (mask: TokenMask) => {
      if (this.entries === undefined) return original(mask);
      this.entries.push(mask.backendCache === undefined);
      this.listed?.push((mask.allowed ?? mask.banned!).length);
      const t0 = performance.now();
      const bias = original(mask);
      this.micros?.push((performance.now() - t0) * 1000);
      return bias;
    };
  }
}
