// Decode under a spec on transformers.js (ONNX Runtime) with the same masks as on llama.cpp.
import { readFileSync } from "node:fs";
import { bindToolRegistry, compileSpec, exampleTools, parseSpec, ToolRegistry } from "ltlguard";
import { ensureOnnxModel, TransformersBackend } from "ltlguard/transformers";

const tools = new ToolRegistry(exampleTools());
const spec = compileSpec(bindToolRegistry(parseSpec(readFileSync("specs/react.ltl", "utf8"), { file: "specs/react.ltl" }), tools.signatures()));

// The project's own tiny ONNX model (built on first use); any transformers.js model folder works.
const backend = await TransformersBackend.load({ modelDir: await ensureOnnxModel("qwen3-fitted") });
const out = await backend.generateConstrained(spec, "", {
  seed: 5,
  temperature: 0.7,
  maxTokens: 200,
  // Optional: writes the environment's segments (question, observation). Without it,
  // generation stops with stop === "environment" where the environment must write.
  environment: ({ events }) => ({ event: events[0]!, content: events[0] === "question" ? "What is 17 times 23?" : "391" }),
});
console.log(out.stop, out.text); // stop: "end" | "environment" | "max-tokens"
await backend.dispose();
