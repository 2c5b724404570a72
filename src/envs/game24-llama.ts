import { plainPrompt, type PromptRenderer } from "../search/decoder-policy.js";
import { compileSpec } from "../ltl/analysis.js";
import { parseSpec } from "../ltl/spec.js";
import { ConstrainedDecoder } from "../decoder/decoder.js";
import { LlamaBackend } from "../decoder/llama.js";
import { ensureModel } from "../models/build.js";
import { DecoderPolicy, type TranscriptCodec } from "../search/decoder-policy.js";
import {
  applyGame24ActionToValues,
  frac,
  fracToString,
  game24ActionKey,
  game24LegalActions,
  type Frac,
  type Game24Action,
  type Game24State,
} from "./game24.js";

/**
 * The Game of 24 played by the constrained decoder on llama.cpp: each step is a segment
 * `Step: a op b` the model writes, each result a segment the environment writes. The spec is made
 * per puzzle: a step may only name an operation on numbers that can occur in this puzzle (its
 * numbers and every intermediate result), so the model cannot write a malformed step or invent a
 * number; whether both numbers are on the table right now is checked when the step is read back.
 */
export function game24PolicySpec(numbers: readonly number[]): string {
  const steps = new Set<string>();
  const seen = new Set<string>();
  const visit = (values: readonly Frac[]): void => {
    const key = values.map(fracToString).sort().join(" ");
    if (seen.has(key)) return;
    seen.add(key);
    for (const action of game24LegalActions(values)) {
      steps.add(game24ActionKey(action));
      const next = applyGame24ActionToValues(values, action);
      if (next !== undefined && next.length > 1) visit(next);
    }
  };
  const initial = numbers.map((n) => frac(n));
  visit(initial);
  const firstSteps = [...new Set(game24LegalActions(initial).map(game24ActionKey))];
  const list = (items: Iterable<string>): string => [...items].sort().map((s) => JSON.stringify(s)).join(", ");
  // The first step can only use the puzzle's own numbers, so it has a segment of its own.
  return [
    "events first, step, left",
    `segment first "First step: " one of ${list(firstSteps)}`,
    `segment step "Step: " one of ${list(steps)}`,
    'segment left "Left: " text max 80 by environment',
    "first",
    "G((first | step) -> WX left)",
    "G(left -> X step)",
    "",
  ].join("\n");
}

/** How a Game-of-24 state reads as a transcript: each step, then the numbers left after it. */
export function game24Codec(numbers: readonly number[]): TranscriptCodec<Game24State, Game24Action> {
  return {
    history: (state) => {
      const segments: { event: string; content: string }[] = [];
      let values: readonly Frac[] = numbers.map((n) => frac(n));
      for (const step of state.history) {
        segments.push({ event: segments.length === 0 ? "first" : "step", content: game24ActionKey(step) });
        values = applyGame24ActionToValues(values, step) ?? [];
        segments.push({ event: "left", content: values.map(fracToString).join(" ") });
      }
      return segments;
    },
    parse: (state, event, content) => {
      if (event !== "step" && event !== "first") return undefined;
      return game24LegalActions(state.items.map((it) => it.value)).find((action) => game24ActionKey(action) === content.trim());
    },
    actionKey: game24ActionKey,
  };
}

/**
 * A llama.cpp backend for the search policies (the project's fitted model unless a path is given;
 * one llama.cpp thread). Longer transcripts (tool plans, thought graphs) ask for a larger context.
 */
export async function game24Backend(modelPath?: string, contextSize = 1024): Promise<LlamaBackend> {
  return LlamaBackend.load({ modelPath: modelPath ?? (await ensureModel("qwen3-fitted")), sequences: 16, contextSize, threads: 1 });
}

/** The llama.cpp policy for one puzzle: its own spec, masks computed on first use. */
export function game24LlamaPolicy(backend: LlamaBackend, numbers: readonly number[], seed: number, render: PromptRenderer = plainPrompt): DecoderPolicy<Game24State, Game24Action> {
  const spec = parseSpec(game24PolicySpec(numbers), { file: `game24-${numbers.join("-")}.ltl` });
  const decoder = ConstrainedDecoder.create(compileSpec(spec), backend, { precompute: false });
  return new DecoderPolicy(decoder, game24Codec(numbers), {
    prompt: render(`Use the numbers ${numbers.join(" ")} and + - * / to make 24. Combine two numbers per step.\n`),
    samples: 4,
    sampling: { temperature: 1 },
    seed,
    maxTokens: 24,
    cachedPrefixes: 8,
  });
}
