import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { ConstrainedDecoder } from "../decoder/decoder.js";
import type { SamplingOptions } from "../decoder/generation.js";
import { LlamaBackend } from "../decoder/llama.js";
import { ensureModel } from "../models/build.js";
import { buildPrompt, checkExamples, parseExamples, type Example } from "../agents/prompt.js";
import { runAgent, type AgentStop } from "../agents/runtime.js";
import { JsonlTranscript } from "../agents/transcript.js";
import { DEFAULT_MODEL, parseGpu, parseInput, parseNonNegativeInt, parseNumber } from "./generate.js";
import { addChatOptions, chatPrompt, parseChatTemplate, type ChatCommandOptions } from "./chat-options.js";
import { exampleRegistry, loadSpec, loadToolsOption, parsePositiveInt, UsageError, type CliContext } from "./io.js";

interface RunCommandOptions extends ChatCommandOptions {
  tools?: string;
  task: string;
  model?: string;
  maxSteps: string;
  maxTokens: string;
  input: string[];
  examples?: string;
  instructions?: string;
  transcript?: string;
  seed: string;
  temperature: string;
  topK?: string;
  topP?: string;
  json?: boolean;
  gpu: string;
  threads?: string;
  maxStates?: string;
  timeout?: string;
}

export function registerRun(program: Command, context: CliContext): void {
  const command = program
    .command("run")
    .description("run an agent: the model writes what the spec allows, the tools answer its calls; the transcript is written as JSONL")
    .argument("<spec>", "spec file (.ltl) in events mode, with segments")
    .requiredOption("--task <text>", "the task: the content of the spec's first environment segment (e.g. the question)")
    .option("--tools <module>", "JavaScript/TypeScript module exporting the tools (default: the example calculator, search and clock)")
    .option("-m, --model <gguf>", `GGUF model file (default: the project's tiny '${DEFAULT_MODEL}' model, built on first use)`)
    .option("--max-steps <n>", "most rounds of tool execution", "8")
    .option("--max-tokens <n>", "most tokens the model writes in the whole run", "1024")
    .option(
      "-i, --input <event=text>",
      "content for a later environment segment that is not a tool result, e.g. evaluator=… (repeatable, used in order)",
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option("--examples <file>", "worked examples for the prompt, separated by lines '---'; each is checked against the spec first")
    .option("--instructions <text>", "the prompt's opening instructions")
    .option("--transcript <file>", "write the JSONL transcript here (must not exist; default: ltlguard-run-<time>.jsonl)")
    .option("--seed <n>", "sampling seed", "0")
    .option("-t, --temperature <t>", "0 is greedy (default)", "0")
    .option("--top-k <k>", "sample among the k most likely allowed tokens")
    .option("--top-p <p>", "sample among the allowed tokens holding probability p")
    .option("--json", "print a JSON summary instead of streaming the transcript text")
    .option("--gpu <kind>", "llama.cpp backend: auto, cuda, vulkan, metal, off", "off")
    .option("--threads <n>", "CPU threads for llama.cpp (default 1)")
    .option("--max-states <n>", "refuse spec automata larger than this while compiling")
    .option("--timeout <seconds>", "stop compiling the spec after this many seconds");
  // Thinking stays forbidden for agents with tools: their output is the spec's from the first token.
  addChatOptions(command, false).action(async (specFile: string, options: RunCommandOptions) => {
      // Refused before anything slow is loaded (the model, the spec); the transcript is still
      // opened exclusively below, in case the file appears in the meantime.
      if (options.transcript !== undefined && existsSync(options.transcript)) {
        throw new UsageError(`--transcript '${options.transcript}' exists already; choose a new file`);
      }
      const gpu = parseGpu(options.gpu);
      parseChatTemplate(options.chatTemplate);
      const sampling: SamplingOptions = {
        seed: parseNonNegativeInt(options.seed, "--seed"),
        temperature: parseNumber(options.temperature, "--temperature", 0, 100),
        ...(options.topK !== undefined ? { topK: parsePositiveInt(options.topK, "--top-k") } : {}),
        ...(options.topP !== undefined ? { topP: parseNumber(options.topP, "--top-p", 0, 1) } : {}),
      };
      const maxSteps = parseNonNegativeInt(options.maxSteps, "--max-steps");
      const maxTokens = parsePositiveInt(options.maxTokens, "--max-tokens");
      const inputs = options.input.map(parseInput);
      const registry = (await loadToolsOption(options.tools)) ?? exampleRegistry();
      const compiled = loadSpec(specFile, options, context, registry);
      let examples: Example[] = [];
      if (options.examples !== undefined) {
        let text: string;
        try {
          text = readFileSync(options.examples, "utf8");
        } catch (error) {
          throw new UsageError(`cannot read --examples '${options.examples}': ${(error as Error).message}`);
        }
        examples = parseExamples(text, options.examples);
        if (examples.length === 0) throw new UsageError(`--examples '${options.examples}' holds no example`);
      }
      const modelPath = options.model ?? (await ensureModel(DEFAULT_MODEL, { onProgress: (m: string) => context.stderr(`ltlguard: ${m}\n`) }));
      const backend = await LlamaBackend.load({
        modelPath,
        gpu,
        ...(options.threads !== undefined ? { threads: parsePositiveInt(options.threads, "--threads") } : {}),
      });
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort(new Error("interrupted"));
      process.once("SIGINT", onSignal);
      let transcript: JsonlTranscript | undefined;
      try {
        const decoder = ConstrainedDecoder.create(compiled, backend, { precompute: false });
        checkExamples(decoder.automaton, examples);
        const path = options.transcript ?? `ltlguard-run-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`;
        try {
          transcript = new JsonlTranscript(path);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw new UsageError(code === "EEXIST" ? `--transcript '${path}' exists already; choose a new file` : `cannot write the transcript '${path}': ${(error as Error).message}`);
        }
        const streaming = options.json !== true;
        // Through a chat template the instructions, tools and examples are the user's message and
        // the transcript (the task first) is the assistant's turn.
        const instructions = buildPrompt({ tools: registry.tools, examples, ...(options.instructions !== undefined ? { instructions: options.instructions } : {}) });
        const prompt = chatPrompt(backend, options, instructions.trimEnd(), instructions);
        const result = await runAgent({
          decoder,
          tools: registry,
          task: options.task,
          prompt,
          inputs,
          sampling,
          limits: { maxTokens },
          maxSteps,
          transcript,
          signal: interrupt.signal,
          meta: { spec: specFile, model: modelPath },
          ...(streaming ? { listener: { onText: (text: string) => context.stdout(text) } } : {}),
        });
        if (result.stop === "interrupted") transcript.write({ type: "interrupted", time: new Date().toISOString() });
        if (streaming) {
          if (!result.text.endsWith("\n")) context.stdout("\n");
          const note = describeStop(result.stop);
          if (note !== undefined) context.stderr(`ltlguard: ${note}\n`);
          context.stderr(`ltlguard: transcript written to ${path}\n`);
        } else {
          context.stdout(
            JSON.stringify({
              text: result.text,
              segments: result.segments.map((s) => ({ event: s.event, writer: s.writer, content: s.content, ...(s.complete ? {} : { complete: false }) })),
              calls: result.calls.map((c) => ({ tool: c.tool, arguments: c.arguments, ok: c.outcome.ok, text: c.outcome.text })),
              stop: result.stop,
              steps: result.steps,
              transcript: path,
            }) + "\n",
          );
        }
        if (result.stop === "interrupted") context.exitCode = 130;
      } finally {
        process.removeListener("SIGINT", onSignal);
        transcript?.close();
        await backend.dispose();
      }
    });
}

function describeStop(stop: AgentStop): string | undefined {
  switch (stop) {
    case "end":
      return undefined;
    case "max-steps":
      return "stopped at --max-steps before running more tools; the transcript is incomplete";
    case "max-tokens":
    case "max-segment-tokens":
      return "stopped at --max-tokens; the transcript is incomplete";
    case "needs-input":
      return "stopped: the spec has the environment write next and no --input covers it";
    case "interrupted":
      return "interrupted; the transcript is complete up to the last step";
  }
}
