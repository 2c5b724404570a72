/**
 * Builds the project's models: `node dist/models/main.js [--only name[,name]] [--out dir]`
 * (or `npm run models`). Progress goes to stderr; the paths written go to stdout.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { buildModels, defaultModelsDir, isModelName, MODEL_NAMES, type ModelName } from "./build.js";
import { ensureOnnxModel, ONNX_MODEL_NAMES } from "./onnx-model.js";

const USAGE = `usage: node dist/models/main.js [--only ${MODEL_NAMES.join("|")}[,…]] [--out dir] [--force]

Builds ltlguard's own GGUF models (default: all of them, into ${defaultModelsDir()}); models whose
files are already up to date are kept unless --force.`;

export function parseArgs(argv: readonly string[]): { only?: ModelName[]; outDir?: string; help: boolean; force: boolean } {
  const only: ModelName[] = [];
  let outDir: string | undefined;
  let help = false;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const takeValue = (flag: string): string => {
      const eq = arg.indexOf("=");
      if (eq >= 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--force") force = true;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      for (const name of takeValue("--only").split(",").map((s) => s.trim()).filter(Boolean)) {
        if (!isModelName(name)) throw new Error(`unknown model ${name} (known: ${MODEL_NAMES.join(", ")})`);
        only.push(name);
      }
    } else if (arg === "--out" || arg.startsWith("--out=")) outDir = resolve(takeValue("--out"));
    else throw new Error(`unknown argument ${arg}`);
  }
  return { ...(only.length > 0 ? { only } : {}), ...(outDir !== undefined ? { outDir } : {}), help, force };
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const built = await buildModels({
      ...(args.outDir !== undefined ? { outDir: args.outDir } : {}),
      ...(args.only ? { only: args.only } : {}),
      force: args.force,
      onProgress: (message) => process.stderr.write(`${message}\n`),
    });
    for (const m of built) process.stdout.write(`${m.path}\n`);
    // The transformers.js (ONNX) model folders too, when building everything (rebuilt only when stale).
    if (!args.only) for (const name of ONNX_MODEL_NAMES) process.stdout.write(`${await ensureOnnxModel(name, { ...(args.outDir !== undefined ? { outDir: args.outDir } : {}), onProgress: (message) => process.stderr.write(`${message}\n`) })}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
