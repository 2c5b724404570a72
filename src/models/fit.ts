/**
 * Fits a small next-token model to token sequences and writes it into llama weights.
 *
 * The model conditions on the previous token a and the one before it, c:
 *   logit(next = j | c, a) = b_j + U_j · V_a + W_j · Y_c
 * over the tokens that occur in the training sequences (a low-rank bigram plus a low-rank
 * "skip" term), fitted by Adam on the softmax cross-entropy over the used tokens. For the first
 * token of a sequence c = a.
 *
 * How the llama network computes it (n_embd 64, everything not mentioned is zero):
 * - Embedding row of token t: [α·V_t | β·Y_t, padY_t | 0 (copy slot) | padV_t | κ]. The pads give
 *   every row the same norm, so RMSNorm is one constant scale; the "carry" block [β·Y_t, padY_t]
 *   has the same norm for every token too.
 * - Layer 0, head 0 attends to the previous position only: its query and key are constant vectors
 *   (read from the κ entry) that RoPE rotates so that the score peaks at relative position 1 and is
 *   at least ~50 lower everywhere else in the context (rope.freq_base 3). Its value reads the
 *   carry block and its output projection writes it into the copy slot. At position 0 the head can
 *   only attend to itself, hence c = a there.
 * - The output row of a used token j is [U_j/α | 0 | W_j/β, 0 | 0 | b_j/κ] (times the final norm
 *   scale); unused tokens get only a constant entry that puts their logit at UNUSED_LOGIT.
 */
import { f16BitsToF32, f32ToF16Bits } from "./gguf-format.js";
import type { LlamaHyperparameters, LlamaWeights } from "./llama-spec.js";
import { emptyLlamaWeights } from "./llama-spec.js";
import { Prng } from "./prng.js";

export interface FitOptions {
  /** Rank of the previous-token term U·V. */
  rank: number;
  /** Rank of the term W·Y for the token before it (0: a plain bigram model). */
  prevRank: number;
  epochs: number;
  /** Approximate number of distinct (c, a) contexts per minibatch. */
  batchContexts: number;
  learningRate: number;
  /** L2 penalty on the factors (keeps their norms small enough for the embedding). */
  l2: number;
  seed: number;
  onEpoch?: (epoch: number, trainCrossEntropy: number) => void;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = {
  rank: 32,
  prevRank: 14,
  epochs: 20,
  batchContexts: 160,
  learningRate: 0.04,
  l2: 1e-5,
  seed: 7,
};

export interface TokenModelFit {
  rank: number;
  prevRank: number;
  /** Token ids that occur in the training sequences, ascending. */
  used: Int32Array;
  /** used.length × rank. */
  U: Float64Array;
  V: Float64Array;
  /** used.length × prevRank. */
  W: Float64Array;
  Y: Float64Array;
  /** used.length. */
  b: Float64Array;
  /** Mean cross-entropy per token on the training data (nats) during the last epoch. */
  trainCrossEntropy: number;
}

interface ContextCounts {
  used: Int32Array;
  /** For context p: previous token a (index into used), the one before c, and its next tokens. */
  ctxA: Int32Array;
  ctxC: Int32Array;
  ctxStart: Int32Array;
  next: Int32Array;
  count: Float64Array;
  ctxTotal: Float64Array;
  unigram: Float64Array;
  total: number;
  /** Contexts grouped by a: contexts of a are byA[aStart[a]] … byA[aStart[a+1]-1]. */
  aStart: Int32Array;
}

/** The (c, a, next) triples of a sequence, with c = a at the first position. */
function forEachTriple(s: ArrayLike<number>, f: (c: number, a: number, j: number) => void): void {
  for (let i = 1; i < s.length; i++) f(i >= 2 ? s[i - 2]! : s[i - 1]!, s[i - 1]!, s[i]!);
}

function countContexts(sequences: readonly ArrayLike<number>[], vocabSize: number): ContextCounts {
  const seen = new Uint8Array(vocabSize);
  for (const s of sequences) for (let i = 0; i < s.length; i++) seen[s[i]!] = 1;
  const usedList: number[] = [];
  for (let t = 0; t < vocabSize; t++) if (seen[t]) usedList.push(t);
  const used = Int32Array.from(usedList);
  const index = new Int32Array(vocabSize).fill(-1);
  used.forEach((t, i) => (index[t] = i));
  const n = used.length;
  // context key a·n + c → (next → count)
  const contexts = new Map<number, Map<number, number>>();
  const unigram = new Float64Array(n);
  let total = 0;
  for (const s of sequences) {
    forEachTriple(s, (c, a, j) => {
      const key = index[a]! * n + index[c]!;
      let m = contexts.get(key);
      if (!m) contexts.set(key, (m = new Map()));
      const jj = index[j]!;
      m.set(jj, (m.get(jj) ?? 0) + 1);
      unigram[jj]! += 1;
      total++;
    });
  }
  const keys = [...contexts.keys()].sort((x, y) => x - y);
  const ctxA = new Int32Array(keys.length), ctxC = new Int32Array(keys.length);
  const ctxStart = new Int32Array(keys.length + 1), ctxTotal = new Float64Array(keys.length);
  let entries = 0;
  for (const key of keys) entries += contexts.get(key)!.size;
  const next = new Int32Array(entries), count = new Float64Array(entries);
  const aStart = new Int32Array(n + 1);
  let e = 0;
  keys.forEach((key, p) => {
    const a = Math.floor(key / n);
    ctxA[p] = a;
    ctxC[p] = key - a * n;
    aStart[a + 1]!++;
    ctxStart[p] = e;
    const m = contexts.get(key)!;
    for (const j of [...m.keys()].sort((x, y) => x - y)) {
      next[e] = j;
      count[e] = m.get(j)!;
      ctxTotal[p]! += count[e]!;
      e++;
    }
  });
  ctxStart[keys.length] = e;
  for (let a = 0; a < n; a++) aStart[a + 1]! += aStart[a]!;
  return { used, ctxA, ctxC, ctxStart, next, count, ctxTotal, unigram, total, aStart };
}

class Adam {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;
  constructor(size: number, private readonly b1 = 0.9, private readonly b2 = 0.999, private readonly eps = 1e-8) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  step(params: Float64Array, grad: Float64Array, lr: number): void {
    this.t++;
    const { m, v, b1, b2, eps } = this;
    const c1 = 1 - b1 ** this.t, c2 = 1 - b2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      params[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
    }
  }
}

/** Fits the model to sequences of token ids (each sequence's first token is only context). */
export function fitTokenModel(sequences: readonly ArrayLike<number>[], vocabSize: number, options: Partial<FitOptions> = {}): TokenModelFit {
  const o = { ...DEFAULT_FIT_OPTIONS, ...options };
  const data = countContexts(sequences, vocabSize);
  const n = data.used.length, r1 = o.rank, r2 = o.prevRank;
  const prng = new Prng(o.seed);
  const U = new Float64Array(n * r1), V = new Float64Array(n * r1);
  const W = new Float64Array(n * r2), Y = new Float64Array(n * r2), b = new Float64Array(n);
  for (let i = 0; i < n * r1; i++) { U[i] = 0.05 * prng.normal(); V[i] = 0.05 * prng.normal(); }
  for (let i = 0; i < n * r2; i++) { W[i] = 0.05 * prng.normal(); Y[i] = 0.05 * prng.normal(); }
  for (let j = 0; j < n; j++) b[j] = Math.log((data.unigram[j]! + 0.5) / (data.total + 0.5 * n));
  const gU = new Float64Array(n * r1), gV = new Float64Array(n * r1);
  const gW = new Float64Array(n * r2), gY = new Float64Array(n * r2), gb = new Float64Array(n);
  const aU = new Adam(n * r1), aV = new Adam(n * r1), aW = new Adam(n * r2), aY = new Adam(n * r2), ab = new Adam(n);

  const groups: number[] = [];
  for (let a = 0; a < n; a++) if (data.aStart[a + 1]! > data.aStart[a]!) groups.push(a);
  const cSlot = new Int32Array(n).fill(-1);
  const z = new Float64Array(n), p = new Float64Array(n);
  let Z1: Float64Array = new Float64Array(0), Z2: Float64Array = new Float64Array(0);
  let G1: Float64Array = new Float64Array(0), G2: Float64Array = new Float64Array(0);
  const grow = (buf: Float64Array, size: number): Float64Array => (buf.length >= size ? buf : new Float64Array(Math.max(size, buf.length * 2)));

  let trainCE = Infinity;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    prng.shuffle(groups);
    let epochLoss = 0;
    let g0 = 0;
    while (g0 < groups.length) {
      // A minibatch: whole groups of contexts sharing the previous token a.
      const batchAs: number[] = [];
      let nContexts = 0;
      while (g0 < groups.length && (nContexts < o.batchContexts || batchAs.length === 0)) {
        const a = groups[g0++]!;
        batchAs.push(a);
        nContexts += data.aStart[a + 1]! - data.aStart[a]!;
      }
      const progress = (epoch + g0 / groups.length) / o.epochs;
      const lr = o.learningRate * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
      const cList: number[] = [];
      let batchTokens = 0;
      for (const a of batchAs) {
        for (let q = data.aStart[a]!; q < data.aStart[a + 1]!; q++) {
          batchTokens += data.ctxTotal[q]!;
          const c = data.ctxC[q]!;
          if (cSlot[c]! < 0) { cSlot[c] = cList.length; cList.push(c); }
        }
      }
      Z1 = grow(Z1, batchAs.length * n); G1 = grow(G1, batchAs.length * n);
      Z2 = grow(Z2, cList.length * n); G2 = grow(G2, cList.length * n);
      G1.fill(0, 0, batchAs.length * n);
      G2.fill(0, 0, cList.length * n);
      batchAs.forEach((a, k) => {
        const va = a * r1, base = k * n;
        for (let j = 0; j < n; j++) {
          let s = b[j]!;
          const uj = j * r1;
          for (let d = 0; d < r1; d++) s += U[uj + d]! * V[va + d]!;
          Z1[base + j] = s;
        }
      });
      if (r2 > 0) {
        cList.forEach((c, k) => {
          const yc = c * r2, base = k * n;
          for (let j = 0; j < n; j++) {
            let s = 0;
            const wj = j * r2;
            for (let d = 0; d < r2; d++) s += W[wj + d]! * Y[yc + d]!;
            Z2[base + j] = s;
          }
        });
      }
      batchAs.forEach((a, k) => {
        const b1 = k * n;
        for (let q = data.aStart[a]!; q < data.aStart[a + 1]!; q++) {
          const b2 = cSlot[data.ctxC[q]!]! * n;
          let max = -Infinity;
          for (let j = 0; j < n; j++) {
            const v = Z1[b1 + j]! + (r2 > 0 ? Z2[b2 + j]! : 0);
            z[j] = v;
            if (v > max) max = v;
          }
          let sum = 0;
          for (let j = 0; j < n; j++) { const e = Math.exp(z[j]! - max); p[j] = e; sum += e; }
          const lse = max + Math.log(sum);
          const total = data.ctxTotal[q]!;
          const scale = total / sum;
          for (let j = 0; j < n; j++) p[j] = p[j]! * scale;
          for (let e = data.ctxStart[q]!; e < data.ctxStart[q + 1]!; e++) {
            const j = data.next[e]!, cnt = data.count[e]!;
            epochLoss += cnt * (lse - z[j]!);
            p[j]! -= cnt;
          }
          for (let j = 0; j < n; j++) {
            const g = p[j]!;
            G1[b1 + j]! += g;
            if (r2 > 0) G2[b2 + j]! += g;
          }
        }
      });
      gU.fill(0); gV.fill(0); gW.fill(0); gY.fill(0); gb.fill(0);
      const inv = 1 / batchTokens;
      batchAs.forEach((a, k) => {
        const va = a * r1, base = k * n;
        for (let j = 0; j < n; j++) {
          const g = G1[base + j]! * inv;
          if (g < 1e-8 && g > -1e-8) continue;
          gb[j]! += g;
          const uj = j * r1;
          for (let d = 0; d < r1; d++) {
            gV[va + d]! += g * U[uj + d]!;
            gU[uj + d]! += g * V[va + d]!;
          }
        }
      });
      if (r2 > 0) {
        cList.forEach((c, k) => {
          const yc = c * r2, base = k * n;
          for (let j = 0; j < n; j++) {
            const g = G2[base + j]! * inv;
            if (g < 1e-8 && g > -1e-8) continue;
            const wj = j * r2;
            for (let d = 0; d < r2; d++) {
              gY[yc + d]! += g * W[wj + d]!;
              gW[wj + d]! += g * Y[yc + d]!;
            }
          }
        });
      }
      for (const c of cList) cSlot[c] = -1;
      if (o.l2 > 0) {
        for (let i = 0; i < n * r1; i++) { gU[i]! += o.l2 * U[i]!; gV[i]! += o.l2 * V[i]!; }
        for (let i = 0; i < n * r2; i++) { gW[i]! += o.l2 * W[i]!; gY[i]! += o.l2 * Y[i]!; }
      }
      aU.step(U, gU, lr);
      aV.step(V, gV, lr);
      if (r2 > 0) { aW.step(W, gW, lr); aY.step(Y, gY, lr); }
      ab.step(b, gb, lr);
    }
    trainCE = epochLoss / data.total;
    o.onEpoch?.(epoch, trainCE);
  }
  return { rank: r1, prevRank: r2, used: data.used, U, V, W, Y, b, trainCrossEntropy: trainCE };
}

/** Logit given to every token that never occurs in the training data. */
export const UNUSED_LOGIT = -30;

/** RoPE base and query amplitude of the previous-token head (see the module comment). */
export const PREV_HEAD_ROPE_BASE = 3;
const PREV_HEAD_AMPLITUDE = 150;
/** Norm of every token's carry block. */
const CARRY_NORM = 4;
const KAPPA = 1;

/** Where things sit in the residual stream. */
interface Layout {
  d: number;
  r1: number;
  r2: number;
  carry: number;
  carryPad: number;
  copy: number;
  copyPad: number;
  padV: number;
  constDim: number;
  carryNorm: number;
}

function layoutFor(fit: TokenModelFit, h: LlamaHyperparameters): Layout {
  const d = h.nEmbd, r1 = fit.rank, r2 = fit.prevRank;
  const headDim = d / h.nHead;
  const needed = r2 > 0 ? r1 + 2 * r2 + 4 : r1 + 2;
  if (needed > d) throw new Error(`ranks ${r1} + 2·${r2} need an embedding of at least ${needed}, have ${d}`);
  if (r2 + 1 > headDim) throw new Error(`prevRank ${r2} needs a head size of at least ${r2 + 1}`);
  return {
    d, r1, r2,
    carry: r1, carryPad: r1 + r2, copy: r1 + r2 + 1, copyPad: r1 + 2 * r2 + 1,
    padV: d - 2, constDim: d - 1,
    carryNorm: r2 > 0 ? CARRY_NORM : 0,
  };
}

function maxRowNorm(m: Float64Array, rows: number, cols: number): number {
  let max = 0;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = 0; k < cols; k++) s += m[i * cols + k]! ** 2;
    max = Math.max(max, Math.sqrt(s));
  }
  return max;
}

/** Hyperparameters the fitted weights need (the previous-token head relies on its RoPE base). */
export function fittedHyperparameters(h: LlamaHyperparameters): LlamaHyperparameters {
  return { ...h, ropeFreqBase: PREV_HEAD_ROPE_BASE };
}

/** The llama weights that compute the fitted model (up to float16 rounding). */
export function fitToLlamaWeights(fit: TokenModelFit, h: LlamaHyperparameters, nVocab: number): LlamaWeights {
  if (fit.prevRank > 0 && h.ropeFreqBase !== PREV_HEAD_ROPE_BASE) {
    throw new Error(`the previous-token head needs rope.freq_base ${PREV_HEAD_ROPE_BASE} (use fittedHyperparameters)`);
  }
  const L = layoutFor(fit, h);
  const { d, r1, r2 } = L;
  const n = fit.used.length;
  const budget = d - KAPPA * KAPPA - L.carryNorm ** 2; // squared norm left for [α·V, padV]
  const vMax = maxRowNorm(fit.V, n, r1);
  const alpha = vMax > 0 ? (0.97 * Math.sqrt(budget)) / vMax : 1;
  const yMax = r2 > 0 ? maxRowNorm(fit.Y, n, r2) : 0;
  const beta = yMax > 0 ? (0.97 * L.carryNorm) / yMax : 1;
  // RMSNorm at the output divides by sqrt(mean square + eps); mean square is (d + carryNorm²)/d.
  const outScale = Math.sqrt((d + L.carryNorm ** 2) / d + h.rmsEps);
  const inScale = Math.sqrt(1 + h.rmsEps); // layer 0's RMSNorm divisor (mean square 1)

  const w = emptyLlamaWeights(h, nVocab, true);
  const E = w.tokenEmbd, O = w.output!;
  for (let t = 0; t < nVocab; t++) {
    const base = t * d;
    E[base + L.padV] = Math.sqrt(budget);
    E[base + L.constDim] = KAPPA;
    if (r2 > 0) E[base + L.carryPad] = L.carryNorm;
    O[base + L.constDim] = (UNUSED_LOGIT * outScale) / KAPPA;
  }
  for (let i = 0; i < n; i++) {
    const base = fit.used[i]! * d;
    let sv = 0;
    for (let k = 0; k < r1; k++) {
      const x = alpha * fit.V[i * r1 + k]!;
      E[base + k] = x;
      sv += x * x;
      O[base + k] = (fit.U[i * r1 + k]! * outScale) / alpha;
    }
    E[base + L.padV] = Math.sqrt(Math.max(0, budget - sv));
    if (r2 > 0) {
      let sy = 0;
      for (let k = 0; k < r2; k++) {
        const y = beta * fit.Y[i * r2 + k]!;
        E[base + L.carry + k] = y;
        sy += y * y;
        O[base + L.copy + k] = (fit.W[i * r2 + k]! * outScale) / beta;
      }
      E[base + L.carryPad] = Math.sqrt(Math.max(0, L.carryNorm ** 2 - sy));
    }
    O[base + L.constDim] = (fit.b[i]! * outScale) / KAPPA;
  }

  if (r2 > 0) {
    // Layer 0, head 0: attend to the previous position and copy its carry block.
    const layer = w.layers[0]!;
    const headDim = d / h.nHead;
    const pairs = headDim / 2;
    for (let pr = 0; pr < pairs; pr++) {
      const omega = h.ropeFreqBase ** (-(2 * pr) / headDim);
      // q = A·e^{-iω}, k = 1: after RoPE the score is A·cos((Δ-1)ω) per pair.
      layer.q[(2 * pr) * d + L.constDim] = (PREV_HEAD_AMPLITUDE * Math.cos(omega) * inScale) / KAPPA;
      layer.q[(2 * pr + 1) * d + L.constDim] = (-PREV_HEAD_AMPLITUDE * Math.sin(omega) * inScale) / KAPPA;
      layer.k[(2 * pr) * d + L.constDim] = inScale / KAPPA;
    }
    for (let m = 0; m <= r2; m++) {
      layer.v[m * d + (L.carry + m)] = inScale;
      layer.o[(L.copy + m) * (h.nHead * headDim) + m] = 1;
    }
  }
  return w;
}

const q16 = (x: number): number => f16BitsToF32(f32ToF16Bits(x));

/**
 * Per-token cross-entropy (nats) of the network `fitToLlamaWeights` builds, evaluated from its
 * float16-rounded weights with the softmax over the whole vocabulary, assuming (as constructed)
 * that head 0 of layer 0 attends only to the previous position.
 */
export function llamaCrossEntropy(w: LlamaWeights, h: LlamaHyperparameters, nVocab: number, fit: TokenModelFit, sequences: readonly ArrayLike<number>[]): number {
  const L = layoutFor(fit, h);
  const d = L.d;
  const out = w.output!;
  const posOf = new Int32Array(nVocab).fill(-1);
  fit.used.forEach((t, i) => (posOf[t] = i));
  let unusedRow = -1;
  for (let t = 0; t < nVocab && unusedRow < 0; t++) if (posOf[t]! < 0) unusedRow = t;
  const nUnused = nVocab - fit.used.length;
  const usedOut = new Float64Array(fit.used.length * d);
  fit.used.forEach((t, i) => { for (let k = 0; k < d; k++) usedOut[i * d + k] = q16(out[t * d + k]!); });
  const unusedOut = new Float64Array(d);
  if (unusedRow >= 0) for (let k = 0; k < d; k++) unusedOut[k] = q16(out[unusedRow * d + k]!);
  const layer = w.layers[0]!;
  const headDim = d / h.nHead;
  const x = new Float64Array(d);
  const cache = new Map<number, { lse: number; logits: Float64Array; unused: number }>();
  const forContext = (c: number, a: number): { lse: number; logits: Float64Array; unused: number } => {
    const key = a * nVocab + c;
    const hit = cache.get(key);
    if (hit) return hit;
    for (let k = 0; k < d; k++) x[k] = q16(w.tokenEmbd[a * d + k]!);
    if (L.r2 > 0) {
      let ssC = 0;
      for (let k = 0; k < d; k++) ssC += q16(w.tokenEmbd[c * d + k]!) ** 2;
      const invC = 1 / Math.sqrt(ssC / d + h.rmsEps);
      for (let m = 0; m <= L.r2; m++) {
        // value (stored as f16 in the KV cache), then the output projection
        const v = q16(q16(w.tokenEmbd[c * d + L.carry + m]!) * invC * q16(layer.v[m * d + L.carry + m]!));
        x[L.copy + m]! += v * q16(layer.o[(L.copy + m) * (h.nHead * headDim) + m]!);
      }
    }
    let ss = 0;
    for (let k = 0; k < d; k++) ss += x[k]! ** 2;
    const inv = 1 / Math.sqrt(ss / d + h.rmsEps);
    for (let k = 0; k < d; k++) x[k] = x[k]! * inv * w.outputNorm[k]!;
    const logits = new Float64Array(fit.used.length);
    let max = -Infinity;
    for (let i = 0; i < fit.used.length; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += usedOut[i * d + k]! * x[k]!;
      logits[i] = s;
      if (s > max) max = s;
    }
    let unused = -Infinity;
    if (nUnused > 0) { unused = 0; for (let k = 0; k < d; k++) unused += unusedOut[k]! * x[k]!; }
    max = Math.max(max, unused);
    let sum = 0;
    for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
    if (nUnused > 0) sum += nUnused * Math.exp(unused - max);
    const entry = { lse: max + Math.log(sum), logits, unused };
    cache.set(key, entry);
    return entry;
  };
  let loss = 0, count = 0;
  for (const s of sequences) {
    forEachTriple(s, (c, a, j) => {
      const ctx = forContext(c, a);
      const i = posOf[j]!;
      loss += ctx.lse - (i >= 0 ? ctx.logits[i]! : ctx.unused);
      count++;
    });
  }
  return loss / count;
}

/**
 * Cross-entropy (nats per token) of a unigram model estimated on `train` with add-`alpha`
 * smoothing over the whole vocabulary, measured on `test` (the same positions the fitted model is
 * scored on: every token but each sequence's first).
 */
export function unigramCrossEntropy(train: readonly ArrayLike<number>[], test: readonly ArrayLike<number>[], vocabSize: number, alpha = 0.01): number {
  const counts = new Map<number, number>();
  let total = 0;
  for (const s of train) for (let i = 1; i < s.length; i++) { counts.set(s[i]!, (counts.get(s[i]!) ?? 0) + 1); total++; }
  const denom = total + alpha * vocabSize;
  let loss = 0, n = 0;
  for (const s of test) for (let i = 1; i < s.length; i++) { loss -= Math.log(((counts.get(s[i]!) ?? 0) + alpha) / denom); n++; }
  return loss / n;
}
