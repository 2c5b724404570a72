import { plainPrompt, type PromptRenderer } from "../search/decoder-policy.js";
import { compileSpec } from "../ltl/analysis.js";
import { parseSpec } from "../ltl/spec.js";
import { ConstrainedDecoder } from "../decoder/decoder.js";
import type { LlamaBackend } from "../decoder/llama.js";
import { DecoderPolicy, type TranscriptCodec } from "../search/decoder-policy.js";
import type { ThoughtAction, ThoughtGraphEnvironment, ThoughtGraphState } from "./thought-graph.js";

/**
 * The thought-graph environment driven by the constrained decoder on llama.cpp: the model writes
 * one operation per line (`Solve: #3`, `Merge: #4 and #5`, …), the environment answers with the
 * thoughts the operation created. The spec states the operations' protocol in LTL — an operation
 * on a solved thought needs an earlier solve, keep-best needs an earlier score, every operation
 * but the answer gets a result, the answer is last — and the shape of each operation (regular
 * expressions over thought ids and ranges, written without leading zeros). Which ids exist right now is checked when an
 * operation is read back (ids are created as the graph grows, so no fixed spec can list them).
 */
/**
 * The spec for an accounting (`ThoughtGraphOptions.scoring`): with "in-step" scoring there is no
 * score operation (a produced thought comes scored), so keep-best needs an earlier solve instead.
 */
export function thoughtPolicySpec(scoring: "operation" | "in-step"): string {
  if (scoring === "operation") return OPERATION_SPEC;
  return OPERATION_SPEC.replace("events split, solve, refine, merge, score, keep_best, answer, result", "events split, solve, refine, merge, keep_best, answer, result")
    .replace(/segment score .*\n/, "")
    .replace("define operation = split | solve | refine | merge | score | keep_best", "define operation = split | solve | refine | merge | keep_best")
    .replace("G((refine | merge | score | answer) -> O solve)   # these need a solved thought", "G((refine | merge | answer) -> O solve)   # these need a solved thought")
    .replace("G(keep_best -> O score)                   # keep-best compares scores", "G(keep_best -> O solve)                   # keep-best compares the scores solved thoughts come with");
}

const OPERATION_SPEC = `# Thought operations (src/envs/thought-graph.ts) as the llama.cpp policy writes them.
events split, solve, refine, merge, score, keep_best, answer, result
segment split     "Split: "     matching /#(0|[1-9][0-9]{0,2}) into [248]/
segment solve     "Solve: "     matching /#(0|[1-9][0-9]{0,2})/
segment refine    "Refine: "    matching /#(0|[1-9][0-9]{0,2})/
segment merge     "Merge: "     matching /#(0|[1-9][0-9]{0,2}) and #(0|[1-9][0-9]{0,2})/
segment score     "Score: "     matching /#(0|[1-9][0-9]{0,2})/
segment keep_best "Keep best: " matching /\\[(0|[1-9][0-9]?),(0|[1-9][0-9]?)\\)/
segment answer    "Answer: "    matching /#(0|[1-9][0-9]{0,2})/
segment result    "Result: "    text until "\\n" max 160 by environment

define operation = split | solve | refine | merge | score | keep_best

!result                                   # the model starts
G(operation -> X result)                  # each operation but the answer gets its result
G(result -> WX !result)                   # one result per operation
G(answer -> last)
G((refine | merge | score | answer) -> O solve)   # these need a solved thought
G(keep_best -> O score)                   # keep-best compares scores
`;

/** The spec with scoring as an operation of its own (`ThoughtGraphOptions.scoring` "operation"). */
export const THOUGHT_POLICY_SPEC = OPERATION_SPEC;

/** The segment an action is written as. */
export function thoughtSegment(action: ThoughtAction): { event: string; content: string } {
  switch (action.op) {
    case "split":
      return { event: "split", content: `#${action.thought} into ${action.k}` };
    case "merge":
      return { event: "merge", content: `#${action.a} and #${action.b}` };
    case "keep-best":
      return { event: "keep_best", content: `[${action.lo},${action.hi})` };
    default:
      return { event: action.op, content: `#${action.thought}` };
  }
}

/** The action an environment action key stands for (`ThoughtGraphEnvironment.actionKey`'s inverse). */
export function thoughtActionFromKey(key: string): ThoughtAction {
  let m: RegExpMatchArray | null;
  if ((m = key.match(/^split\(#(\d+),(\d+)\)$/))) return { op: "split", thought: Number(m[1]), k: Number(m[2]) };
  if ((m = key.match(/^merge\(#(\d+),#(\d+)\)$/))) return { op: "merge", a: Number(m[1]), b: Number(m[2]) };
  if ((m = key.match(/^keep-best\[(\d+),(\d+)\)$/))) return { op: "keep-best", lo: Number(m[1]), hi: Number(m[2]) };
  if ((m = key.match(/^(solve|refine|score|answer)\(#(\d+)\)$/))) return { op: m[1] as "solve", thought: Number(m[2]) };
  throw new Error(`not a thought action key: ${key}`);
}

/**
 * How a thought-graph state reads as a transcript: each operation, then what it created. Thought
 * ids are handed out in order (split k: k new ids; solve, refine, merge: one; the others none),
 * so the results follow from the operations alone.
 */
export function thoughtCodec(environment: ThoughtGraphEnvironment): TranscriptCodec<ThoughtGraphState, ThoughtAction> {
  return {
    history: (state) => {
      const segments: { event: string; content: string }[] = [];
      let nextId = 1;
      for (const key of state.history) {
        const action = thoughtActionFromKey(key);
        segments.push(thoughtSegment(action));
        if (action.op === "answer") continue;
        const created = action.op === "split" ? action.k : action.op === "solve" || action.op === "refine" || action.op === "merge" ? 1 : 0;
        const ids = Array.from({ length: created }, (_, i) => `#${nextId + i}`);
        nextId += created;
        segments.push({ event: "result", content: ids.length > 0 ? `new ${ids.join(" ")}` : "done" });
      }
      return segments;
    },
    parse: (state, event, content) =>
      environment.legalActions(state).find((action) => {
        const segment = thoughtSegment(action);
        return segment.event === event && segment.content === content.trim();
      }),
    actionKey: (action) => environment.actionKey(action),
  };
}

/** The task as the prompt states it (shortened: the tiny model's context is small). */
function describeProblem(environment: ThoughtGraphEnvironment): string {
  const problem = environment.problem;
  switch (problem.kind) {
    case "sorting":
      return `Sort these ${problem.input.length} digits: ${problem.input.join(" ")}`;
    case "set-intersection":
      return `Intersect two sets of ${problem.set2.length} numbers: ${problem.set1.join(" ")} and ${problem.set2.join(" ")}`;
    case "keyword-counting":
      return `Count the countries named in ${problem.sentences.length} sentences, e.g. ${problem.sentences[0] ?? ""}`;
  }
}

/** The constrained decoder for thought operations (one spec for every task, so one decoder and its masks serve them all). */
export function thoughtDecoder(backend: LlamaBackend, scoring: "operation" | "in-step" = "operation"): ConstrainedDecoder {
  return ConstrainedDecoder.create(compileSpec(parseSpec(thoughtPolicySpec(scoring), { file: "thought-operations.ltl" })), backend, { precompute: false });
}

/** The llama.cpp policy for one thought-graph task. */
export function thoughtLlamaPolicy(decoder: ConstrainedDecoder, environment: ThoughtGraphEnvironment, seed: number, render: PromptRenderer = plainPrompt): DecoderPolicy<ThoughtGraphState, ThoughtAction> {
  return new DecoderPolicy(decoder, thoughtCodec(environment), {
    prompt: render(`${describeProblem(environment)}\nThought #0 is the whole task. Operations: split, solve, refine, merge, ${environment.scoring === "operation" ? "score, " : ""}keep best, answer.\n`),
    samples: 4,
    sampling: { temperature: 1 },
    seed,
    maxTokens: 24,
    cachedPrefixes: 8,
  });
}
