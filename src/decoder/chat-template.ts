import { readFileSync } from "node:fs";
import { Template } from "@huggingface/jinja";
import type { LlamaBackend } from "./llama.js";
import type { PromptTokens } from "./decoder.js";

/**
 * Which chat template renders a prompt: the model's own (`auto`: the GGUF's
 * `tokenizer.chat_template`, or no template when it has none), none (`none`: the prompt is plain
 * text, as for a base model), or a Jinja template read from a file.
 */
export type ChatTemplateChoice = "auto" | "none" | { readonly file: string };

/**
 * A reasoning model's thinking block (`<think>…</think>`) before the spec's output: forbidden
 * (the template's "no thinking" form where it has one, and the mask never allows the markers),
 * allowed, or allowed up to a number of bytes (1–2048, the bound of a text segment).
 */
export type ThinkingChoice = "forbid" | "allow" | { readonly maxBytes: number };

/** A chat template that cannot be read, parsed or rendered, or does not fit how ltlguard uses it. */
export class ChatTemplateError extends Error {
  override readonly name = "ChatTemplateError";
  constructor(
    /** The template's source: the model file or the template file. */
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}

/**
 * The conversation before the output: an optional system message and the user's message. The
 * message may be given in pieces (joined as they are): each piece is tokenized on its own, and
 * the prompt records where each ends (`RenderedPrompt.breaks`), so prompts that share their first
 * pieces share their first tokens, and a model's evaluated prefix can be reused between them.
 */
export interface ChatTurn {
  readonly system?: string;
  readonly user: string | readonly string[];
}

/** The thinking block the model writes first when thinking is allowed. */
export interface ThinkingBlock {
  /** Opens the block (e.g. `<think>\n`). */
  readonly open: string;
  /** Closes it and leads to the answer (e.g. `\n</think>\n\n`). */
  readonly close: string;
  /** Most bytes of thinking (undefined: bounded only by the token limit). */
  readonly maxBytes?: number;
}

/** A prompt ready for the decoder: its tokens, and the text they spell. */
export interface RenderedPrompt extends PromptTokens {
  /** The prompt as text, special tokens spelled out. */
  readonly text: string;
  /** Where the template came from: `gguf` (the model's own), a file name, or `none`. */
  readonly template: string;
  /** Set when thinking is allowed: the model writes this block before the spec's output. */
  readonly thinking?: ThinkingBlock;
  /** With a message in pieces: the number of prompt tokens up to the end of each piece. */
  readonly breaks?: readonly number[];
}

/** The markers of a thinking block, as reasoning models (Qwen3, DeepSeek-R1) write them. */
const THINK_OPEN = "<think>";
const THINK_CLOSE = "</think>";

/**
 * Placeholders stand in for the messages while the template renders, so that the template's own
 * markup (where `<|im_start|>` is a control token) can be told apart from what a user wrote
 * (where the same characters are plain text: a message can never write a control token).
 * Private-use characters, so no template trims or escapes them.
 */
const PLACEHOLDER = { system: "\u{F0001}ltlguard-system\u{F0002}", user: "\u{F0001}ltlguard-user\u{F0002}" } as const;

/**
 * A model's chat template: renders a system and a user message followed by the opening of the
 * assistant's turn (the template's own generation prompt, `add_generation_prompt`), so the
 * constrained output starts inside the assistant turn. The template is evaluated by the Jinja
 * engine node-llama-cpp uses (`@huggingface/jinja`) with the variables Hugging Face templates
 * expect: `messages`, `add_generation_prompt`, `bos_token`, `eos_token`, `enable_thinking`.
 */
export class ChatTemplate {
  private constructor(
    private readonly backend: LlamaBackend,
    private readonly template: Template,
    /** `gguf` or the template file. */
    readonly source: string,
    private readonly jinja: string,
  ) {}

  /** The template a choice names for this model; undefined for `none`, and for `auto` when the model has no template. */
  static resolve(backend: LlamaBackend, choice: ChatTemplateChoice): ChatTemplate | undefined {
    if (choice === "none") return undefined;
    if (choice === "auto") {
      const text = modelChatTemplate(backend);
      return text === undefined ? undefined : ChatTemplate.fromText(backend, text, "gguf", backend.modelPath);
    }
    const { text, template } = readTemplateFile(choice.file);
    return new ChatTemplate(backend, template, choice.file, text);
  }

  /** A template from its Jinja text; `where` names it in errors. */
  static fromText(backend: LlamaBackend, text: string, source: string, where = source): ChatTemplate {
    return new ChatTemplate(backend, parseTemplate(text, where), source, text);
  }

  /** Whether the template knows thinking blocks (it mentions `<think>` or `enable_thinking`). */
  get mentionsThinking(): boolean {
    return this.jinja.includes(THINK_OPEN) || this.jinja.includes("enable_thinking");
  }

  /**
   * The prompt for one turn. With thinking forbidden, a block the template opens is closed empty
   * (Qwen3's own `enable_thinking=false` form, `<think>\n\n</think>\n\n`); with thinking allowed,
   * the model writes the block itself (see `ThinkingBlock`), so an opening the template already
   * wrote is left to the model's side.
   */
  render(turn: ChatTurn, thinking: ThinkingChoice = "forbid"): RenderedPrompt {
    const where = this.source === "gguf" ? this.backend.modelPath : this.source;
    const allowThinking = thinking !== "forbid";
    const render = (system: string | undefined, user: string, merged: boolean): string => {
      const messages = merged || system === undefined ? [{ role: "user", content: system === undefined ? user : `${system}\n\n${user}` }] : [
        { role: "system", content: system },
        { role: "user", content: user },
      ];
      return this.template.render({
        messages,
        add_generation_prompt: true,
        bos_token: this.backend.model.tokens.bosString ?? "",
        eos_token: this.backend.model.tokens.eosString ?? "",
        enable_thinking: allowThinking,
      });
    };
    // Templates without a system role (they raise an exception for one) get the system text at
    // the start of the user's message, as node-llama-cpp does for them.
    let merged = false;
    let skeleton: string;
    try {
      skeleton = render(turn.system === undefined ? undefined : PLACEHOLDER.system, PLACEHOLDER.user, false);
    } catch (error) {
      if (turn.system === undefined) throw new ChatTemplateError(where, `the chat template failed to render: ${(error as Error).message}`);
      merged = true;
      try {
        skeleton = render(PLACEHOLDER.system, PLACEHOLDER.user, true);
      } catch (again) {
        throw new ChatTemplateError(where, `the chat template failed to render: ${(again as Error).message}`);
      }
    }
    const parts = splitAtPlaceholders(skeleton, turn, where);
    const full = render(turn.system, userText(turn), merged);
    if (parts.map((p) => p.text).join("") !== full) {
      throw new ChatTemplateError(where, "the chat template changes the messages' text (it trims or rewrites them), so their text cannot be kept apart from its markup");
    }
    let block: ThinkingBlock | undefined;
    const last = parts.at(-1)!;
    if (last.markup) {
      const { markup, block: thinkingBlock } = this.fitThinking(last.text, thinking, where);
      last.text = markup;
      block = thinkingBlock;
    } else if (allowThinking) {
      block = this.fitThinking("", thinking, where).block;
    }
    return this.tokenizeParts(parts, block, turn);
  }

  /** Closes or hands over a thinking block at the end of the prompt's markup. */
  private fitThinking(markup: string, thinking: ThinkingChoice, where: string): { markup: string; block?: ThinkingBlock } {
    const open = markup.lastIndexOf(THINK_OPEN);
    const opened = open >= 0 && markup.indexOf(THINK_CLOSE, open) < 0;
    if (thinking === "forbid") return { markup: opened ? `${markup.trimEnd()}\n\n${THINK_CLOSE}\n\n` : markup };
    if (!this.mentionsThinking && !hasSpecialToken(this.backend, THINK_OPEN)) {
      throw new ChatTemplateError(where, `this model's chat template has no thinking block (${THINK_OPEN}…${THINK_CLOSE}); thinking cannot be allowed`);
    }
    const maxBytes = typeof thinking === "object" ? thinking.maxBytes : undefined;
    const block: ThinkingBlock = { open: `${THINK_OPEN}\n`, close: `\n${THINK_CLOSE}\n\n`, ...(maxBytes !== undefined ? { maxBytes } : {}) };
    // A template that opens the block itself (DeepSeek-R1) leaves its opening to the model's side.
    return { markup: opened ? markup.slice(0, open) : markup, block };
  }

  private tokenizeParts(parts: readonly Part[], thinking: ThinkingBlock | undefined, turn: ChatTurn): RenderedPrompt {
    const model = this.backend.model;
    const tokens: number[] = [];
    const breaks: number[] = [];
    const bos = model.tokens.bos;
    const firstText = parts.find((p) => p.text !== "");
    const startsWithBos = firstText?.markup === true && model.tokenize(firstText.text, true)[0] === bos;
    if (bos !== null && model.tokens.shouldPrependBosToken && !startsWithBos) tokens.push(bos);
    for (const part of parts) {
      if (part.text !== "") {
        if (part.markup) tokens.push(...(model.tokenize(part.text.normalize("NFC"), true, "trimLeadingSpace") as number[]));
        else tokens.push(...this.backend.tokenize(part.text));
      }
      if (part.piece === true) breaks.push(tokens.length);
    }
    return {
      text: parts.map((p) => p.text).join(""),
      tokens,
      template: this.source,
      ...(thinking !== undefined ? { thinking } : {}),
      ...(typeof turn.user !== "string" ? { breaks } : {}),
    };
  }
}

interface Part {
  text: string;
  /** The template's markup (special tokens recognized) rather than message text (always plain). */
  readonly markup: boolean;
  /** A piece of the user's message. */
  readonly piece?: boolean;
}

function userPieces(turn: ChatTurn): readonly string[] {
  return typeof turn.user === "string" ? [turn.user] : turn.user;
}

function userText(turn: ChatTurn): string {
  return userPieces(turn).join("");
}

function splitAtPlaceholders(skeleton: string, turn: ChatTurn, where: string): Part[] {
  const parts: Part[] = [];
  let rest = skeleton;
  for (;;) {
    const candidates = (["system", "user"] as const)
      .map((role) => ({ role, at: rest.indexOf(PLACEHOLDER[role]) }))
      .filter((c) => c.at >= 0)
      .sort((a, b) => a.at - b.at);
    const next = candidates[0];
    if (next === undefined) break;
    parts.push({ text: rest.slice(0, next.at), markup: true });
    if (next.role === "system") parts.push({ text: turn.system!, markup: false });
    else for (const piece of userPieces(turn)) parts.push({ text: piece, markup: false, piece: true });
    rest = rest.slice(next.at + PLACEHOLDER[next.role].length);
  }
  parts.push({ text: rest, markup: true });
  const users = skeleton.split(PLACEHOLDER.user).length - 1;
  if (users !== 1) throw new ChatTemplateError(where, `the chat template writes the user's message ${users === 0 ? "nowhere" : `${users} times`}; ltlguard needs it once`);
  return parts;
}

function parseTemplate(text: string, where: string): Template {
  if (text.trim() === "") throw new ChatTemplateError(where, "the chat template is empty");
  try {
    return new Template(text);
  } catch (error) {
    throw new ChatTemplateError(where, `the chat template is not valid Jinja: ${(error as Error).message}`);
  }
}

/** Reads and parses a Jinja template file. */
export function readTemplateFile(file: string): { readonly text: string; readonly template: Template } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ChatTemplateError(file, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message);
  }
  return { text, template: parseTemplate(text, file) };
}

/** Whether the vocabulary has a control or user-defined token spelling `text`. */
function hasSpecialToken(backend: LlamaBackend, text: string): boolean {
  const decoder = new TextDecoder();
  for (const bytes of backend.vocabulary.special.values()) if (decoder.decode(bytes) === text) return true;
  return false;
}

/** The model's own chat template (`tokenizer.chat_template` in the GGUF), if it has one. */
export function modelChatTemplate(backend: LlamaBackend): string | undefined {
  const tokenizer = (backend.model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }).tokenizer;
  const text = tokenizer?.chat_template;
  return typeof text === "string" && text.trim() !== "" ? text : undefined;
}

/**
 * The prompt for one turn: through the chosen chat template, or, where there is none, the system
 * and user text as plain text one after the other (what a base model reads).
 */
export function renderPrompt(backend: LlamaBackend, choice: ChatTemplateChoice, turn: ChatTurn, thinking: ThinkingChoice = "forbid"): RenderedPrompt {
  const template = ChatTemplate.resolve(backend, choice);
  if (template !== undefined) return template.render(turn, thinking);
  if (thinking !== "forbid") {
    throw new ChatTemplateError(backend.modelPath, "thinking can only be allowed through a chat template that has a thinking block (this prompt has no template)");
  }
  if (typeof turn.user !== "string") {
    // Pieces are tokenized one by one (plain text); the system text as a plain prompt would be.
    const head = turn.system === undefined ? "" : `${turn.system}\n\n`;
    const tokens = head.length > 0 ? backend.tokenizePrompt(head) : [backend.documentStartToken()];
    const breaks: number[] = [];
    for (const piece of turn.user) {
      if (piece !== "") tokens.push(...backend.tokenize(piece));
      breaks.push(tokens.length);
    }
    return { text: head + userText(turn), tokens, template: "none", breaks };
  }
  const text = turn.system === undefined ? turn.user : `${turn.system}\n\n${turn.user}`;
  const tokens = text.length > 0 ? backend.tokenizePrompt(text) : [backend.documentStartToken()];
  return { text, tokens, template: "none" };
}
