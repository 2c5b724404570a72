import type { ConstrainedDecoder, PromptTokens } from "../decoder/decoder.js";
import { SegmentContentError, type GeneratedSegment, type Generation, type GenerationLimits, type SamplingOptions, type StopReason } from "../decoder/generation.js";
import type { SegmentFormat } from "../ltl/segments.js";
import { callTool, type ToolOutcome, type ToolRegistry } from "./tools.js";
import type { TranscriptSink } from "./transcript.js";

/**
 * The agent loop: the model writes its segments under the spec's mask; where the spec says the
 * environment writes (a question, a tool's observation, an evaluator's verdict), the runtime
 * writes: the task first, then the results of the tool calls the model made, then inputs the
 * caller queued or answers its `respond` callback gives. Every segment and every tool call goes
 * to the transcript the moment it is complete.
 */
export interface AgentRunOptions {
  readonly decoder: ConstrainedDecoder;
  readonly tools?: ToolRegistry;
  /** The task: the content of the first environment-written segment (e.g. `Question: `). */
  readonly task: string;
  /** Text before the output (see `buildPrompt`), or its tokens as a chat template renders them (`renderPrompt`). */
  readonly prompt?: string | PromptTokens;
  /** Contents for later environment segments other than tool observations, used in order. */
  readonly inputs?: readonly { readonly event: string; readonly content: string }[];
  /** Asked for an environment segment no input covers; undefined ends the run ("needs-input"). */
  readonly respond?: (request: EnvironmentRequest) => string | undefined | Promise<string | undefined>;
  readonly sampling?: SamplingOptions;
  /** Token limits for the whole run (default: 1024 model tokens). */
  readonly limits?: GenerationLimits;
  /** Most rounds of tool execution (default 8); the run stops before the next one. */
  readonly maxSteps?: number;
  readonly transcript?: TranscriptSink;
  readonly listener?: AgentListener;
  /** Aborts the run between steps and aborts running tool calls. */
  readonly signal?: AbortSignal;
  /**
   * A scripted stand-in for the model's intent, for studying enforcement (the injection suite):
   * before each model turn it may propose the turn's text; the text is written only if the spec
   * allows all of it, and otherwise the model samples under the mask as usual.
   */
  readonly propose?: (context: ProposalContext) => string | undefined;
  /** For the transcript's first line. */
  readonly meta?: { readonly spec: string; readonly model: string };
}

export interface EnvironmentRequest {
  /** The environment segments the spec allows now. */
  readonly events: readonly string[];
  readonly segments: readonly GeneratedSegment[];
}

export interface ProposalContext {
  readonly segments: readonly GeneratedSegment[];
  readonly calls: readonly ToolCallRecord[];
}

export interface AgentListener {
  onText?(text: string): void;
  onSegment?(segment: GeneratedSegment): void;
  onToolCall?(call: ToolCallRecord): void;
}

export interface ToolCallRecord {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly outcome: ToolOutcome;
}

/**
 * Why a run ended: the generation's reasons (`end`: the output is complete), or `max-steps`
 * (the tool-round limit), `needs-input` (an environment segment nobody supplied),
 * `interrupted` (the signal was aborted).
 */
export type AgentStop = Exclude<StopReason, "environment"> | "max-steps" | "needs-input" | "interrupted";

export interface AgentRunResult {
  readonly text: string;
  readonly segments: readonly GeneratedSegment[];
  readonly calls: readonly ToolCallRecord[];
  readonly stop: AgentStop;
  /** Rounds of tool execution. */
  readonly steps: number;
  readonly tokens: number;
  /** Proposals (see `propose`) the spec refused: the turns were sampled under the mask instead. */
  readonly refusedProposals: number;
}

interface PendingCall {
  readonly tool: string;
  readonly argumentsText: string;
}

export async function runAgent(options: AgentRunOptions): Promise<AgentRunResult> {
  const { decoder } = options;
  const started = performance.now();
  const automaton = decoder.automaton;
  const formatOf = new Map<string, SegmentFormat>();
  for (const f of automaton.formats) formatOf.set(f.event, f);
  const actionsWithArguments = new Set(automaton.formats.flatMap((f) => (f.content.kind === "arguments" ? [f.content.of] : [])));
  const limits: GenerationLimits = { maxTokens: 1024, ...options.limits };
  const maxSteps = options.maxSteps ?? 8;
  const inputs = [...(options.inputs ?? [])];
  const transcript = options.transcript;
  const calls: ToolCallRecord[] = [];
  const pending: PendingCall[] = [];
  let lastTool: string | undefined;
  let segmentCount = 0;
  let steps = 0;
  let refusedProposals = 0;

  transcript?.write({
    type: "start",
    time: new Date().toISOString(),
    spec: options.meta?.spec ?? automaton.spec.spec.file,
    model: options.meta?.model ?? decoder.backend.modelPath,
    task: options.task,
    tools: options.tools?.tools.map((t) => t.name) ?? [],
    sampling: options.sampling ?? {},
  });

  const listener = {
    onText: (text: string) => options.listener?.onText?.(text),
    onSegmentEnd: (segment: GeneratedSegment) => {
      segmentCount++;
      transcript?.write({ type: "segment", step: segmentCount, event: segment.event, writer: segment.writer, content: segment.content, complete: segment.complete });
      options.listener?.onSegment?.(segment);
      const kind = formatOf.get(segment.event)?.content.kind;
      if (kind === "tools") {
        lastTool = segment.content;
        if (!actionsWithArguments.has(segment.event)) pending.push({ tool: segment.content, argumentsText: "{}" });
      } else if (kind === "arguments" && lastTool !== undefined) {
        pending.push({ tool: lastTool, argumentsText: segment.content });
      }
    },
  };

  const generation: Generation = decoder.start(options.prompt ?? "", options.sampling ?? {});
  let stop: AgentStop;
  let taskGiven = false;
  try {
    for (;;) {
      if (options.signal?.aborted === true) {
        stop = "interrupted";
        break;
      }
      const proposal = options.propose?.({ segments: generation.segments, calls });
      if (proposal !== undefined && generation.awaiting() === undefined) {
        try {
          generation.write(proposal, listener);
        } catch (error) {
          if (!(error instanceof SegmentContentError)) throw error;
          refusedProposals++;
        }
      }
      const reason = await generation.run(limits, listener);
      if (reason !== "environment") {
        stop = reason;
        break;
      }
      const waiting = generation.awaiting()!;
      const events = [...new Set(waiting.events)];
      let content: string | undefined;
      let event = events[0]!;
      if (!taskGiven) {
        taskGiven = true;
        content = options.task;
      } else if (pending.length > 0) {
        if (steps >= maxSteps) {
          stop = "max-steps";
          break;
        }
        steps++;
        const results: string[] = [];
        for (const call of pending.splice(0)) {
          const record = await execute(call, options, segmentCount, transcript);
          calls.push(record);
          options.listener?.onToolCall?.(record);
          results.push(record.outcome.text);
        }
        content = results.join(" | ");
      } else {
        const input = inputs.findIndex((i) => events.includes(i.event));
        if (input >= 0) {
          ({ event, content } = inputs.splice(input, 1)[0]!);
        } else if (options.respond !== undefined) {
          content = await options.respond({ events, segments: generation.segments });
        }
        if (content === undefined) {
          stop = "needs-input";
          break;
        }
      }
      generation.supply(fitToSegment(content, formatOf.get(event)!), event, listener);
    }
    const result: AgentRunResult = {
      text: generation.text,
      segments: generation.segments,
      calls,
      stop,
      steps,
      tokens: generation.tokens.length,
      refusedProposals,
    };
    transcript?.write({ type: "end", stop, steps, toolCalls: calls.length, tokens: result.tokens, ms: Math.round(performance.now() - started) });
    return result;
  } finally {
    await generation.dispose();
  }
}

async function execute(call: PendingCall, options: AgentRunOptions, step: number, transcript: TranscriptSink | undefined): Promise<ToolCallRecord> {
  let args: Record<string, unknown> = {};
  let outcome: ToolOutcome;
  const tool = options.tools?.get(call.tool);
  try {
    const parsed: unknown = JSON.parse(call.argumentsText);
    args = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    // The spec's arguments segment guarantees JSON; a spec with free-text arguments passes the text.
    args = { input: call.argumentsText };
  }
  if (tool === undefined) {
    const error = `no tool named '${call.tool}'`;
    outcome = { ok: false, error, timedOut: false, text: `Error: ${error}`, ms: 0 };
  } else {
    outcome = await callTool(tool, args, options.signal);
  }
  transcript?.write({
    type: "tool",
    step,
    tool: call.tool,
    arguments: args,
    ok: outcome.ok,
    ...(outcome.ok ? { result: outcome.result } : { error: outcome.error, timedOut: outcome.timedOut }),
    ms: Math.round(outcome.ms),
  });
  return { tool: call.tool, arguments: args, outcome };
}

/**
 * Environment text made to fit its segment: a text segment cannot contain its closing string
 * (usually a newline: replaced by spaces) and has a byte limit (cut at a character boundary,
 * marked with "…"). Other formats are passed as they are and checked by `supply`.
 */
export function fitToSegment(content: string, format: SegmentFormat): string {
  const c = format.content;
  if (c.kind !== "text") return content;
  let text = content.normalize("NFC").split(c.until).join(c.until === "\n" ? " " : "");
  const limit = c.maxBytes;
  const encoder = new TextEncoder();
  if (limit !== undefined && encoder.encode(text).length > limit) {
    const ellipsis = "…";
    const room = limit - encoder.encode(ellipsis).length;
    let cut = "";
    for (const ch of text) {
      if (encoder.encode(cut + ch).length > room) break;
      cut += ch;
    }
    text = room > 0 ? cut + ellipsis : cut;
    // Cutting may have reassembled the closing string across the cut: remove it again.
    while (text.includes(c.until)) text = text.split(c.until).join("");
  }
  return text;
}
