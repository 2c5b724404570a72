import { plainPrompt, type PromptRenderer } from "../search/decoder-policy.js";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSpec } from "../ltl/analysis.js";
import { parseSpec } from "../ltl/spec.js";
import { ConstrainedDecoder } from "../decoder/decoder.js";
import type { LlamaBackend } from "../decoder/llama.js";
import { seededRandom } from "../search/random.js";
import { DecoderPolicy, type TranscriptCodec } from "../search/decoder-policy.js";
import { FINISH, apisOf, type Args, type ToolCall } from "./tool-planning-apis.js";
import { TOOL_PLANNING_SPECS, type ToolPlanningEnvironment, type ToolState, type ToolTask } from "./tool-planning.js";

/**
 * Tool planning driven by the constrained decoder on llama.cpp. The policy's spec is the domain's
 * protocol spec (`specs/tool-planning-<domain>.ltl`) exactly as checked in — its events are the
 * API calls, its formulas the preconditions between calls — with one segment per event added:
 * `Call: <api> <arguments as JSON>`. So every call the model writes satisfies the protocol (a
 * call needing an earlier call cannot be written before it; `finish` ends the plan) and is
 * well-formed: its arguments are one of the argument objects this task's world can offer that API
 * (collected by walking the environment from its initial state, never from the reference plan).
 * Whether a call is legal in the state at hand (the listing is among the current results) is
 * checked when the call is read back, as the environment's own preconditions are finer than LTL.
 */

/** The JSON of an argument object with sorted keys (the form the model writes and the codec reads). */
export function argumentsText(args: Args): string {
  return JSON.stringify(Object.fromEntries(Object.keys(args).sort().map((k) => [k, args[k]])));
}

/** The protocol spec file of a domain, read from the repository (next to `src/` and `dist/`). */
export function protocolSpecText(domain: ToolTask["domain"]): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return readFileSync(resolve(root, TOOL_PLANNING_SPECS[domain]), "utf8");
}

/**
 * For each API, the argument texts the task's world offers it, from seeded random walks over the
 * environment (every state's candidate calls are collected). Deterministic; the reference plan is
 * not consulted.
 */
export function argumentUniverse(environment: ToolPlanningEnvironment, options: { walks?: number; depth?: number; seed?: number } = {}): Map<string, Set<string>> {
  const walks = options.walks ?? 300;
  const depth = options.depth ?? 8;
  const random = seededRandom(options.seed ?? 1);
  const universe = new Map<string, Set<string>>();
  for (const api of apisOf(environment.domain)) universe.set(api.name, new Set());
  universe.set(FINISH, new Set([argumentsText({})]));
  const collect = (calls: readonly ToolCall[]) => {
    for (const call of calls) universe.get(call.api)?.add(argumentsText(call.args));
  };
  for (let w = 0; w < walks; w++) {
    let state = environment.initial();
    for (let d = 0; d < depth && !state.done; d++) {
      const legal = environment.legalActions(state);
      collect(legal);
      const moves = legal.filter((a) => a.api !== FINISH);
      if (moves.length === 0) break;
      state = environment.stepSync(state, moves[Math.floor(random() * moves.length)]!).state;
    }
  }
  return universe;
}

/** The policy's spec for a task: the protocol spec, plus a segment for each of its events. */
export function toolPolicySpec(task: ToolTask): string {
  const universe = argumentUniverse(task.environment);
  const lines = [protocolSpecText(task.domain), "", "# Segments (added by the llama.cpp policy): one line per call, its arguments as JSON."];
  for (const [api, texts] of universe) {
    // An API no walk could call keeps a segment (the spec needs one per event); its only option
    // is the empty object, which the read-back check will find illegal if it is ever written.
    const options = texts.size > 0 ? [...texts].sort() : [argumentsText({})];
    lines.push(`segment ${api} ${JSON.stringify(`Call: ${api} `)} one of ${options.map((o) => JSON.stringify(o)).join(", ")}`);
  }
  return lines.join("\n") + "\n";
}

/** How a tool-planning state reads as a transcript: one segment per call made. */
export function toolCodec(environment: ToolPlanningEnvironment): TranscriptCodec<ToolState, ToolCall> {
  return {
    history: (state) => state.history.map((entry) => ({ event: entry.call.api, content: argumentsText(entry.call.args) })),
    parse: (state, event, content) => environment.legalActions(state).find((a) => a.api === event && argumentsText(a.args) === content.trim()),
    actionKey: (action) => environment.actionKey(action),
  };
}

/** The llama.cpp policy for one tool-planning task (masks computed on first use). */
export function toolLlamaPolicy(backend: LlamaBackend, task: ToolTask, seed: number, render: PromptRenderer = plainPrompt): DecoderPolicy<ToolState, ToolCall> {
  const spec = parseSpec(toolPolicySpec(task), { file: `tool-planning-${task.id}.ltl` });
  const decoder = ConstrainedDecoder.create(compileSpec(spec), backend, { precompute: false });
  const apis = apisOf(task.domain).map((a) => a.name).join(", ");
  return new DecoderPolicy(decoder, toolCodec(task.environment), {
    prompt: render(`Task: ${task.instruction}\nAPIs: ${apis}, finish. Write one call per line.\n`),
    samples: 4,
    sampling: { temperature: 1 },
    seed,
    maxTokens: 48,
    cachedPrefixes: 8,
  });
}
