import type { Command } from "commander";
import { ChatTemplate, readTemplateFile, renderPrompt, type ChatTemplateChoice, type RenderedPrompt, type ThinkingChoice } from "../decoder/chat-template.js";
import type { LlamaBackend } from "../decoder/llama.js";
import { UsageError } from "./io.js";

/** The chat-template options shared by the commands that prompt a model. */
export interface ChatCommandOptions {
  chatTemplate: string;
  system?: string;
  thinking?: string;
}

/** Adds `--chat-template` and `--system` (and, where a command supports it, `--thinking`). */
export function addChatOptions(command: Command, withThinking: boolean): Command {
  command
    .option(
      "--chat-template <how>",
      "auto: the model's own chat template when the GGUF has one (the output starts in the assistant's turn); none: the prompt as plain text; or a Jinja template file",
      "auto",
    )
    .option("--system <text>", "the system message (with no template: text before the prompt)");
  if (withThinking) {
    command.option(
      "--thinking <how>",
      "a reasoning model's <think>…</think> block before the output: forbid (default), allow, or the most bytes it may take (1–2048)",
      "forbid",
    );
  }
  return command;
}

/** The `--chat-template` choice; a template file is read and parsed here, so a bad one fails before a model loads. */
export function parseChatTemplate(text: string): ChatTemplateChoice {
  if (text === "auto" || text === "none") return text;
  if (text.trim() === "") throw new UsageError("--chat-template expects auto, none or a Jinja template file");
  readTemplateFile(text);
  return { file: text };
}

export function parseThinking(text: string | undefined): ThinkingChoice {
  if (text === undefined || text === "forbid" || text === "allow") return text ?? "forbid";
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 2048) {
    throw new UsageError(`--thinking expects forbid, allow or a number of bytes from 1 to 2048, got '${text}'`);
  }
  return { maxBytes: Number(text) };
}

/**
 * The prompt for the model: `user` (and the system message) through the chosen chat template;
 * with no template, plain text: the system message and `plainUser` (default `user`), which
 * differs where the user's text is also the output's first segment.
 */
export function chatPrompt(backend: LlamaBackend, options: ChatCommandOptions, user: string, plainUser = user): RenderedPrompt {
  const thinking = parseThinking(options.thinking);
  const system = options.system !== undefined ? { system: options.system } : {};
  const template = ChatTemplate.resolve(backend, parseChatTemplate(options.chatTemplate));
  if (template !== undefined) return template.render({ ...system, user }, thinking);
  return renderPrompt(backend, "none", { ...system, user: plainUser }, thinking);
}
