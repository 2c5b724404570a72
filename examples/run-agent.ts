// Run a ReAct agent with tools in code: what `ltlguard run` does. Every tool call the model makes
// names a registered tool and validates against its schema; the spec decides which calls may come.
import { readFileSync } from "node:fs";
import {
  bindToolRegistry,
  buildPrompt,
  compileSpec,
  ConstrainedDecoder,
  ensureModel,
  exampleTools,
  LlamaBackend,
  MemoryTranscript,
  parseSpec,
  runAgent,
  ToolRegistry,
} from "ltlguard";

const tools = new ToolRegistry(exampleTools());
const spec = bindToolRegistry(parseSpec(readFileSync("specs/react.ltl", "utf8"), { file: "specs/react.ltl" }), tools.signatures());
const backend = await LlamaBackend.load({ modelPath: await ensureModel("qwen3-fitted"), threads: 1 });
const decoder = ConstrainedDecoder.create(compileSpec(spec), backend, { precompute: false });

const transcript = new MemoryTranscript(); // or new JsonlTranscript("run.jsonl"): one line per step, flushed as it goes
const result = await runAgent({
  decoder,
  tools,
  task: "What is 17 times 23?",
  prompt: buildPrompt({ tools: tools.tools }),
  sampling: { seed: 2, temperature: 0.7, topK: 40 },
  maxSteps: 8,
  transcript,
});
console.log(result.text);
for (const call of result.calls) console.log(`called ${call.tool} with ${JSON.stringify(call.arguments)}`);
console.log(`stop: ${result.stop}; ${transcript.records.length} transcript records`);
await backend.dispose();
