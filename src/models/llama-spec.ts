/**
 * Assembles a llama-architecture GGUF (metadata and tensors) from hyperparameters, a vocabulary's
 * metadata and weight arrays.
 *
 * Weight layout follows ggml: a matrix with dims [in, out] stores output row o at
 * data[o·in … o·in + in), so `token_embd.weight` row t is token t's embedding and a projection
 * computes y[o] = Σ_i W[o·in + i]·x[i].
 */
import { type GgufValue, gv, type WritableTensorType } from "./gguf-format.js";
import type { GgufFileSpec, GgufTensorSpec } from "./gguf-writer.js";

export interface LlamaHyperparameters {
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  contextLength: number;
  rmsEps: number;
  ropeFreqBase: number;
}

export const TINY_LLAMA: LlamaHyperparameters = {
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 4,
  nFf: 128,
  contextLength: 8192,
  rmsEps: 1e-6,
  ropeFreqBase: 10000,
};

export interface LlamaLayerWeights {
  attnNorm: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  o: Float32Array;
  ffnNorm: Float32Array;
  gate: Float32Array;
  up: Float32Array;
  down: Float32Array;
}

export interface LlamaWeights {
  /** [nEmbd, nVocab]. */
  tokenEmbd: Float32Array;
  outputNorm: Float32Array;
  /** [nEmbd, nVocab]; absent = tied to the token embedding. */
  output?: Float32Array;
  layers: LlamaLayerWeights[];
}

/** Zero-filled weights of the right shapes, norms set to 1. */
export function emptyLlamaWeights(h: LlamaHyperparameters, nVocab: number, untiedOutput: boolean): LlamaWeights {
  const headDim = h.nEmbd / h.nHead;
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  const layers: LlamaLayerWeights[] = [];
  for (let l = 0; l < h.nLayer; l++) {
    layers.push({
      attnNorm: ones(h.nEmbd),
      q: new Float32Array(h.nEmbd * h.nHead * headDim),
      k: new Float32Array(h.nEmbd * h.nHeadKv * headDim),
      v: new Float32Array(h.nEmbd * h.nHeadKv * headDim),
      o: new Float32Array(h.nHead * headDim * h.nEmbd),
      ffnNorm: ones(h.nEmbd),
      gate: new Float32Array(h.nEmbd * h.nFf),
      up: new Float32Array(h.nEmbd * h.nFf),
      down: new Float32Array(h.nFf * h.nEmbd),
    });
  }
  return {
    tokenEmbd: new Float32Array(h.nEmbd * nVocab),
    outputNorm: ones(h.nEmbd),
    ...(untiedOutput ? { output: new Float32Array(h.nEmbd * nVocab) } : {}),
    layers,
  };
}

export interface LlamaModelSpec {
  name: string;
  hyper: LlamaHyperparameters;
  nVocab: number;
  tokenizer: [string, GgufValue][];
  weights: LlamaWeights;
  /** Type of the 2-D matrices; norms are always F32. */
  matrixType: WritableTensorType;
  /** Extra metadata (ltlguard.*), appended after the standard keys. */
  extra?: [string, GgufValue][];
}

export function llamaGgufSpec(m: LlamaModelSpec): GgufFileSpec {
  const h = m.hyper;
  if (h.nEmbd % h.nHead !== 0) throw new Error("nEmbd must be a multiple of nHead");
  const headDim = h.nEmbd / h.nHead;
  const metadata: [string, GgufValue][] = [
    ["general.architecture", gv.str("llama")],
    ["general.name", gv.str(m.name)],
    ["general.file_type", gv.u32(m.matrixType === "F16" ? 1 : 0)],
    ["llama.vocab_size", gv.u32(m.nVocab)],
    ["llama.context_length", gv.u32(h.contextLength)],
    ["llama.embedding_length", gv.u32(h.nEmbd)],
    ["llama.block_count", gv.u32(h.nLayer)],
    ["llama.feed_forward_length", gv.u32(h.nFf)],
    ["llama.attention.head_count", gv.u32(h.nHead)],
    ["llama.attention.head_count_kv", gv.u32(h.nHeadKv)],
    ["llama.rope.dimension_count", gv.u32(headDim)],
    ["llama.rope.freq_base", gv.f32(h.ropeFreqBase)],
    ["llama.attention.layer_norm_rms_epsilon", gv.f32(h.rmsEps)],
    ...m.tokenizer,
    ...(m.extra ?? []),
  ];
  const w = m.weights;
  const mt = m.matrixType;
  const tensors: GgufTensorSpec[] = [
    { name: "token_embd.weight", dims: [h.nEmbd, m.nVocab], type: mt, data: w.tokenEmbd },
    { name: "output_norm.weight", dims: [h.nEmbd], type: "F32", data: w.outputNorm },
  ];
  if (w.output) tensors.push({ name: "output.weight", dims: [h.nEmbd, m.nVocab], type: mt, data: w.output });
  w.layers.forEach((l, i) => {
    const p = `blk.${i}.`;
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [h.nEmbd], type: "F32", data: l.attnNorm },
      { name: `${p}attn_q.weight`, dims: [h.nEmbd, h.nHead * headDim], type: mt, data: l.q },
      { name: `${p}attn_k.weight`, dims: [h.nEmbd, h.nHeadKv * headDim], type: mt, data: l.k },
      { name: `${p}attn_v.weight`, dims: [h.nEmbd, h.nHeadKv * headDim], type: mt, data: l.v },
      { name: `${p}attn_output.weight`, dims: [h.nHead * headDim, h.nEmbd], type: mt, data: l.o },
      { name: `${p}ffn_norm.weight`, dims: [h.nEmbd], type: "F32", data: l.ffnNorm },
      { name: `${p}ffn_gate.weight`, dims: [h.nEmbd, h.nFf], type: mt, data: l.gate },
      { name: `${p}ffn_up.weight`, dims: [h.nEmbd, h.nFf], type: mt, data: l.up },
      { name: `${p}ffn_down.weight`, dims: [h.nFf, h.nEmbd], type: mt, data: l.down },
    );
  });
  return { metadata, tensors };
}
