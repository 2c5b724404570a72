import type { CompiledSpec } from "../../src/ltl/analysis.js";
import type { Generation } from "../../src/decoder/generation.js";
import { randomContent, type Rng } from "./random-segments.js";

/** Runs a generation to its end (or a limit), playing the environment with valid random content. */
export async function drive(generation: Generation, compiled: CompiledSpec, rng: Rng, maxTokens: number): Promise<string> {
  for (let round = 0; round < 20; round++) {
    const stop = await generation.run({ maxTokens });
    if (stop !== "environment") return stop;
    const waiting = generation.awaiting()!;
    const event = rng.pick(waiting.events);
    const format = compiled.spec.segments.find((s) => s.event === event)!;
    generation.supply(randomContent(rng, format.content), event);
  }
  return "rounds";
}
