// Generate under a spec on llama.cpp, writing the environment's segments (the question, each
// observation) from code, then branch the generation: what `ltlguard generate` does.
import { readFileSync } from "node:fs";
import {
  bindToolRegistry,
  compileSpec,
  ConstrainedDecoder,
  ensureModel,
  exampleTools,
  LlamaBackend,
  parseSpec,
  ToolRegistry,
} from "ltlguard";

// react.ltl names its tools abstractly (`one of tools`, `json args(action)`): bind a registry.
const tools = new ToolRegistry(exampleTools());
const spec = bindToolRegistry(parseSpec(readFileSync("specs/react.ltl", "utf8"), { file: "specs/react.ltl" }), tools.signatures());

// Two sequences: the generation and one clone of it can be alive at once.
const backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-fitted"), threads: 1, sequences: 2 });
const decoder = ConstrainedDecoder.create(compileSpec(spec), backend, { precompute: false });

// What the environment writes when generation pauses for it.
function environmentText(event: string): string {
  return event === "question" ? "What is 17 times 23?" : "391";
}
const print = { onText: (text: string) => process.stdout.write(text) };

const generation = decoder.start("", { seed: 1, temperature: 0.7 });
let stop = await generation.run({ maxTokens: 300 }, print); // pauses at once: the question is the environment's
generation.supply(environmentText("question"), "question", print);

// A clone shares the evaluated prefix (llama.cpp copies the sequence's KV cache, nothing is re-evaluated).
const branch = await generation.clone({ seed: 2, temperature: 0.7 });

stop = await generation.run({ maxTokens: 300 }, print);
while (stop === "environment") {
  const event = generation.awaiting()!.events[0]!;
  generation.supply(environmentText(event), event, print);
  stop = await generation.run({ maxTokens: 300 }, print);
}
console.log(`\nstop: ${stop}; segments: ${generation.segments.map((s) => s.event).join(" ")}`);

// The branch goes its own way from the question (this loop stops at its first observation).
const branchStop = await branch.run({ maxTokens: 300 });
console.log(`branch: ${branch.segments.map((s) => s.event).join(" ")} (stop: ${branchStop})`);

await branch.dispose();
await generation.dispose();
await backend.dispose();
