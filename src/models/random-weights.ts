/**
 * Random llama weights scaled so that a model's next-token distribution is spread over the whole
 * vocabulary and changes with the context: the adversary for property tests of a decoder that must
 * never let the model step outside a specification.
 */
import type { LlamaHyperparameters, LlamaWeights } from "./llama-spec.js";
import { emptyLlamaWeights } from "./llama-spec.js";
import type { Prng } from "./prng.js";

export interface RandomWeightScales {
  /** Standard deviation of embedding entries. */
  embedding: number;
  /** Gain of the blocks' output projections relative to a unit-variance output. */
  blockOutput: number;
  /** Gain of the final norm (scales every logit). */
  outputNorm: number;
}

export const ADVERSARIAL_SCALES: RandomWeightScales = { embedding: 0.35, blockOutput: 4, outputNorm: 1 };

function fillNormal(a: Float32Array, prng: Prng, std: number): void {
  for (let i = 0; i < a.length; i++) a[i] = prng.normal() * std;
}

export function randomLlamaWeights(
  h: LlamaHyperparameters,
  nVocab: number,
  prng: Prng,
  scales: RandomWeightScales = ADVERSARIAL_SCALES,
): LlamaWeights {
  const w = emptyLlamaWeights(h, nVocab, false);
  fillNormal(w.tokenEmbd, prng, scales.embedding);
  w.outputNorm.fill(scales.outputNorm);
  const headDim = h.nEmbd / h.nHead;
  for (const l of w.layers) {
    // Inputs are RMS-normalized (unit variance per entry), so 1/sqrt(fan_in) keeps unit outputs.
    fillNormal(l.q, prng, 1.5 / Math.sqrt(h.nEmbd));
    fillNormal(l.k, prng, 1.5 / Math.sqrt(h.nEmbd));
    fillNormal(l.v, prng, 1 / Math.sqrt(h.nEmbd));
    fillNormal(l.o, prng, scales.blockOutput / Math.sqrt(h.nHead * headDim));
    fillNormal(l.gate, prng, 1 / Math.sqrt(h.nEmbd));
    fillNormal(l.up, prng, 1 / Math.sqrt(h.nEmbd));
    fillNormal(l.down, prng, (2 * scales.blockOutput) / Math.sqrt(h.nFf));
    for (let i = 0; i < h.nEmbd; i++) {
      l.attnNorm[i] = 1 + 0.1 * prng.normal();
      l.ffnNorm[i] = 1 + 0.1 * prng.normal();
    }
  }
  return w;
}
