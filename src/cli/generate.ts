import type { Command } from "commander";
import { ConstrainedDecoder } from "../decoder/decoder.js";
import type { GeneratedSegment, SamplingOptions, StopReason } from "../decoder/generation.js";
import { LlamaBackend, type GpuChoice } from "../decoder/llama.js";
import { ensureModel } from "../models/build.js";
import { startOutput } from "../decoder/thinking.js";
import { didYouMean } from "../ltl/names.js";
import type { Spec } from "../ltl/spec.js";
import { addChatOptions, chatPrompt, parseChatTemplate, parseThinking, type ChatCommandOptions } from "./chat-options.js";
import { CommandDeadline, interruptible, loadSpecAsync, loadToolsOption, parsePositiveInt, UsageError, type CliContext } from "./io.js";

interface GenerateCommandOptions extends ChatCommandOptions {
  spec: string;
  model?: string;
  prompt?: string;
  input: string[];
  seed?: string;
  temperature?: string;
  topK?: string;
  topP?: string;
  maxTokens?: string;
  maxSegmentTokens?: string;
  json?: boolean;
  gpu: string;
  threads?: string;
  maxStates?: string;
  maxNodes?: string;
  timeout?: string;
  tools?: string;
}

/** The model used when no --model is given: the tiny one the project builds, fitted on agent traces. */
export const DEFAULT_MODEL = "qwen3-fitted";

const GPU_CHOICES: readonly GpuChoice[] = ["auto", "cuda", "vulkan", "metal", "off"];

export function registerGenerate(program: Command, context: CliContext): void {
  const command = program
    .command("generate")
    .description("generate text that the spec provably allows, on a local GGUF model (llama.cpp)")
    .requiredOption("-s, --spec <file>", "spec file (.ltl) in events mode, with a segment for each event")
    .option("-m, --model <gguf>", `GGUF model file (default: the project's tiny '${DEFAULT_MODEL}' model, built on first use)`)
    .option("-p, --prompt <text>", "text before the output; when the spec starts with an environment segment, its content", "")
    .option(
      "-i, --input <event=text>",
      "content for the next environment-written segment (repeatable, used in order)",
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option("--seed <n>", "sampling seed (same seed, same output)", "0")
    .option("-t, --temperature <t>", "0 is greedy (default); higher samples more freely", "0")
    .option("--top-k <k>", "sample among the k most likely allowed tokens (default: all)")
    .option("--top-p <p>", "sample among the allowed tokens holding probability p (default: 1)")
    .option("--max-tokens <n>", "stop after the model wrote this many tokens", "512")
    .option("--max-segment-tokens <n>", "stop when one segment reaches this many tokens")
    .option("--json", 'print {"text", "segments", "stop"} instead of streaming the text')
    .option("--gpu <kind>", `llama.cpp backend: ${GPU_CHOICES.join(", ")} (default off: the CPU)`, "off")
    .option("--threads <n>", "CPU threads for llama.cpp (default 1; on small machines more is slower)")
    .option("--tools <module>", "JavaScript/TypeScript module exporting the tools a spec's 'one of tools' segments name (default: the example tools)")
    .option("--max-states <n>", "refuse spec automata larger than this while compiling")
    .option("--max-nodes <n>", "refuse to build more decision-diagram nodes than this while compiling the spec")
    .option("--timeout <seconds>", "stop compiling the spec after this many seconds");
  addChatOptions(command, true).action(async (options: GenerateCommandOptions) => {
      const gpu = parseGpu(options.gpu);
      parseChatTemplate(options.chatTemplate);
      parseThinking(options.thinking);
      const sampling: SamplingOptions = {
        seed: parseNonNegativeInt(options.seed ?? "0", "--seed"),
        temperature: parseNumber(options.temperature ?? "0", "--temperature", 0, 100),
        ...(options.topK !== undefined ? { topK: parsePositiveInt(options.topK, "--top-k") } : {}),
        ...(options.topP !== undefined ? { topP: parseNumber(options.topP, "--top-p", 0, 1) } : {}),
      };
      const limits = {
        maxTokens: parsePositiveInt(options.maxTokens ?? "512", "--max-tokens"),
        ...(options.maxSegmentTokens !== undefined ? { maxSegmentTokens: parsePositiveInt(options.maxSegmentTokens, "--max-segment-tokens") } : {}),
      };
      const inputs = options.input.map(parseInput);
      const deadline = new CommandDeadline(options.timeout === undefined ? undefined : parsePositiveInt(options.timeout, "--timeout"));
      const tools = await loadToolsOption(options.tools);
      // Compiling is interruptible; generation keeps the default handling of Ctrl-C.
      const compiled = await interruptible((signal) => loadSpecAsync(options.spec, options, context, tools, true, { signal, deadline }));
      checkInputs(inputs, compiled.spec);
      const modelPath =
        options.model ??
        (await ensureModel(DEFAULT_MODEL, {
          onProgress: (message: string) => context.stderr(`ltlguard: ${message}\n`),
        }));
      const backend = await LlamaBackend.load({
        modelPath,
        gpu,
        ...(options.threads !== undefined ? { threads: parsePositiveInt(options.threads, "--threads") } : {}),
      });
      try {
        const started = performance.now();
        let lastReport = started;
        // One output visits a few hundred states at most: computing their masks on first use is
        // cheaper than precomputing all of them (what long runs and the benchmark do).
        const decoder = ConstrainedDecoder.create(compiled, backend, {
          precompute: false,
          onProgress: (done, total) => {
            const now = performance.now();
            if (now - started < 2000 || now - lastReport < 1000) return;
            lastReport = now;
            context.stderr(`ltlguard: preparing token masks: ${done} of ${total}\n`);
          },
        });
        const streaming = options.json !== true;
        // A spec that opens with an environment segment (a question) takes the prompt as its content.
        const promptIsFirstSegment = decoder.startsWithEnvironment();
        // Through a chat template the prompt is the user's message (and the output starts in the
        // assistant's turn); without one it is plain text before the output, as before.
        const prompt = chatPrompt(backend, options, options.prompt ?? "", promptIsFirstSegment ? "" : (options.prompt ?? ""));
        let promptUsed = !promptIsFirstSegment;
        let stop: StopReason;
        const listener = streaming ? { onText: (text: string) => context.stdout(text) } : {};
        const { generation, thought } = await startOutput(decoder, prompt, sampling, limits, listener);
        const outputLimits = thought === undefined ? limits : { ...limits, maxTokens: Math.max(0, limits.maxTokens - thought.tokens) };
        for (;;) {
          if (thought?.complete === false) {
            stop = "max-tokens";
            break;
          }
          stop = await generation.run(outputLimits, listener);
          if (stop !== "environment") break;
          const waiting = generation.awaiting()!;
          let content: string | undefined;
          let event: string | undefined;
          if (!promptUsed) {
            promptUsed = true;
            content = options.prompt ?? "";
            event = waiting.events[0];
          } else if (inputs.length > 0) {
            ({ event, content } = inputs.shift()!);
            if (!waiting.events.includes(event)) {
              throw new UsageError(`--input ${event}=…: the spec expects ${waiting.events.join(" or ")} from the environment here`);
            }
          } else break;
          generation.supply(content, event, listener);
        }
        if (inputs.length > 0) {
          context.stderr(
            `ltlguard: ${inputs.length} --input ${inputs.length === 1 ? "value was" : "values were"} not used (${inputs.map((i) => i.event).join(", ")}): ` +
              "the output stopped before the environment wrote again\n",
          );
        }
        const segments: GeneratedSegment[] = thought?.complete === false ? [] : generation.segments;
        if (streaming) {
          if (!generation.text.endsWith("\n")) context.stdout("\n");
          if (stop !== "end") context.stderr(describeStop(stop, generation.awaiting()?.events));
        } else {
          context.stdout(
            JSON.stringify({
              prompt: { template: prompt.template, text: prompt.text },
              ...(thought !== undefined ? { thinking: { text: thought.text, complete: thought.complete } } : {}),
              text: thought?.complete === false ? "" : generation.text,
              segments: segments.map((s) => ({ event: s.event, content: s.content, ...(s.complete ? {} : { complete: false }) })),
              stop,
              ...(stop === "environment" ? { awaiting: generation.awaiting()?.events } : {}),
            }) + "\n",
          );
        }
        await generation.dispose();
      } finally {
        await backend.dispose();
      }
    });
}

function describeStop(stop: StopReason, awaiting: readonly string[] | undefined): string {
  switch (stop) {
    case "environment":
      return `ltlguard: stopped: the environment writes next (${awaiting?.join(" or ")}); supply it with --input ${awaiting?.[0]}=<text>\n`;
    case "max-tokens":
      return "ltlguard: stopped at --max-tokens: the output is incomplete\n";
    case "max-segment-tokens":
      return "ltlguard: stopped at --max-segment-tokens: the output is incomplete\n";
    default:
      return "";
  }
}

/**
 * Every --input must name an event the environment writes: an unknown event or one the model
 * writes would otherwise be skipped without a word.
 */
export function checkInputs(inputs: readonly { event: string }[], spec: Spec): void {
  const events = spec.segments.map((s) => s.event);
  const environment = spec.segments.filter((s) => s.writer === "environment").map((s) => s.event);
  const written = environment.length > 0 ? `the environment writes ${environment.join(", ")}` : "the environment writes no segment of this spec";
  for (const { event } of inputs) {
    if (!events.includes(event)) {
      throw new UsageError(`--input ${event}=…: the spec has no event '${event}'${didYouMean(event, environment)}; ${written}`);
    }
    if (!environment.includes(event)) {
      throw new UsageError(`--input ${event}=…: the model writes '${event}', so it cannot be supplied; ${written}`);
    }
  }
}

export function parseInput(text: string): { event: string; content: string } {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--input expects <event>=<text>, got '${text}'`);
  return { event: text.slice(0, eq), content: text.slice(eq + 1) };
}

export function parseNumber(text: string, option: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${option} expects a number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

export function parseNonNegativeInt(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} expects a non-negative integer, got '${text}'`);
  return Number(text);
}

export function parseGpu(text: string): GpuChoice {
  if (!(GPU_CHOICES as readonly string[]).includes(text)) throw new UsageError(`--gpu expects one of ${GPU_CHOICES.join(", ")}, got '${text}'`);
  return text as GpuChoice;
}
