import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { basename, isAbsolute, relative } from "node:path";
import type { ChatTemplateChoice, RenderedPrompt } from "../../decoder/chat-template.js";
import { LlamaBackend, type GpuChoice } from "../../decoder/llama.js";
import { ROLE_NAMES, type RoleName, type SearchProblem } from "../types.js";
import { ModelCritic } from "./critic.js";
import { ModelIntentClusterer } from "./clusterer.js";
import { ModelPolicy } from "./policy.js";
import { RoleModel } from "./role-model.js";
import { ModelValue } from "./value.js";
import { ModelWorldModel } from "./world-model.js";

export interface ModelRolesOptions {
  /** The GGUF file. */
  readonly modelPath: string;
  /** The roles the model plays; the others stay as each environment gives them (simulated ones, named so). */
  readonly roles: readonly RoleName[];
  /** Accelerator for llama.cpp. Defaults to "off" (the CPU). */
  readonly gpu?: GpuChoice;
  /** CPU threads. Defaults to 1. */
  readonly threads?: number;
  /** Tokens of context per sequence. Defaults to 2048. */
  readonly contextSize?: number;
  /** llama.cpp sequences (each kept prefix and each sample in flight holds one). Defaults to 20. */
  readonly sequences?: number;
  /** How prompts are rendered. Defaults to "auto" (the model's own chat template). */
  readonly chatTemplate?: ChatTemplateChoice;
  /** A system message for every prompt. */
  readonly system?: string;
  /** How the value and the critic score: sampled verdicts (Koh et al.) or one forward pass. Defaults to "sampled". */
  readonly scoring?: "sampled" | "probabilities";
  /** Most bytes of a world model's predicted state. Defaults to 300. */
  readonly worldModelBytes?: number;
  /** Seeds the roles' samples. Defaults to 0. */
  readonly seed?: number;
}

/** What a result header records about the model. */
export interface ModelInfo {
  readonly file: string;
  readonly name: string;
  readonly bytes: number;
  /** SHA-256 of the file. */
  readonly sha256: string;
  /** What llama.cpp runs on: "cpu", or the GPU backend and its devices. */
  readonly device: string;
  readonly threads: number;
  readonly contextSize: number;
  /** The roles the model plays. */
  readonly roles: readonly RoleName[];
  /** The chat template used: "gguf" (the model's own), a file, or "none". */
  readonly chatTemplate: string;
  readonly scoring: "sampled" | "probabilities";
}

/**
 * One local model in the roles a run asks of it: loaded once, shared by every environment and
 * role of the run (one llama.cpp context, one prompt cache), each role metered on the budget.
 * `apply` puts the model into a search problem's roles wherever the environment can be read as
 * text (`environment.text`); where it cannot, the environment's own roles stay.
 */
export class ModelRoles {
  readonly model: RoleModel;
  private readonly playing: ReadonlySet<RoleName>;

  private constructor(
    readonly backend: LlamaBackend,
    readonly options: ModelRolesOptions,
    readonly info: ModelInfo,
  ) {
    this.playing = new Set(options.roles);
    this.model = new RoleModel(backend, {
      ...(options.chatTemplate !== undefined ? { chatTemplate: options.chatTemplate } : {}),
      ...(options.system !== undefined ? { system: options.system } : {}),
      seed: options.seed ?? 0,
      cachedPrefixes: 4,
    });
  }

  static async load(options: ModelRolesOptions): Promise<ModelRoles> {
    for (const role of options.roles) if (!ROLE_NAMES.includes(role)) throw new RangeError(`unknown role '${role}'; roles: ${ROLE_NAMES.join(", ")}`);
    const backend = await LlamaBackend.load({
      modelPath: options.modelPath,
      gpu: options.gpu ?? "off",
      threads: options.threads ?? 1,
      contextSize: options.contextSize ?? 2048,
      sequences: options.sequences ?? 20,
    });
    const gpu = backend.llama.gpu;
    const devices = gpu === false ? [] : await backend.llama.getGpuDeviceNames().catch(() => []);
    const probe = new RoleModel(backend, { ...(options.chatTemplate !== undefined ? { chatTemplate: options.chatTemplate } : {}) });
    const info: ModelInfo = {
      file: displayPath(options.modelPath),
      name: basename(options.modelPath),
      bytes: statSync(options.modelPath).size,
      sha256: await sha256(options.modelPath),
      device: gpu === false ? "cpu" : `${gpu}${devices.length > 0 ? ` (${devices.join(", ")})` : ""}`,
      threads: options.threads ?? 1,
      contextSize: options.contextSize ?? 2048,
      roles: ROLE_NAMES.filter((r) => options.roles.includes(r)),
      chatTemplate: probe.prompt(["x"]).template,
      scoring: options.scoring ?? "sampled",
    };
    return new ModelRoles(backend, options, info);
  }

  plays(role: RoleName): boolean {
    return this.playing.has(role);
  }

  /** A prompt through the run's chat template (for policies that build their own prompt text). */
  render(text: string): RenderedPrompt {
    return this.model.prompt([text]);
  }

  /**
   * The problem with the model in the roles it plays. The policy is replaced only where the
   * problem's is not already on this model (environments that bring their own llama.cpp policy
   * build it on `backend`).
   */
  apply<S, A>(problem: SearchProblem<S, A>, options: { readonly modelPolicy?: boolean } = {}): SearchProblem<S, A> {
    const text = problem.environment.text;
    if (text === undefined) return problem;
    const judge = { scoring: this.options.scoring ?? "sampled" } as const;
    return {
      ...problem,
      ...(this.plays("policy") && options.modelPolicy !== false ? { policy: new ModelPolicy(this.model, problem.environment, text) } : {}),
      ...(this.plays("value") ? { value: new ModelValue(this.model, text, judge) } : {}),
      ...(this.plays("world-model") ? { worldModel: new ModelWorldModel(this.model, text, { maxBytes: this.options.worldModelBytes ?? 300 }) } : {}),
      ...(this.plays("critic") ? { critic: new ModelCritic(this.model, text, judge) } : {}),
      ...(this.plays("clusterer") ? { clusterer: new ModelIntentClusterer(this.model, text) } : {}),
    };
  }

  async close(): Promise<void> {
    await this.model.dispose();
    await this.backend.dispose();
  }
}

/** Which role each part of a problem plays, by name ("none" where the problem has none), for result headers. */
export function roleNames(problem: SearchProblem<unknown, unknown>): Record<RoleName, string> {
  return {
    policy: problem.policy.name,
    value: problem.value?.name ?? "none",
    "world-model": problem.worldModel?.name ?? "none",
    critic: problem.critic?.name ?? "none",
    clusterer: problem.clusterer?.name ?? "none",
  };
}

/** A path as a result header shows it: relative to the working folder when inside it. */
function displayPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
