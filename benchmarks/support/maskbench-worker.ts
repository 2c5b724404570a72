/** One engine in a worker thread, so that a compilation that runs too long can be stopped (the thread is ended and a new one started). */
import { parentPort, workerData } from "node:worker_threads";
import { createEngine, type EngineName, type TokenizerName } from "./maskbench-engines.js";

const { engine: name, tokenizer } = workerData as { engine: EngineName; tokenizer: TokenizerName };
const engine = await createEngine(name, tokenizer);
parentPort!.on("message", (job: { id: number; schema: unknown; instances: { tokens: number[]; valid: boolean }[] }) => {
  void engine.runFile(job.schema, job.instances).then(
    (result) => parentPort!.postMessage({ id: job.id, result }),
    (error: unknown) => parentPort!.postMessage({ id: job.id, result: { compileError: `crashed: ${error instanceof Error ? error.message : String(error)}`, instances: [] } }),
  );
});
parentPort!.postMessage({ ready: true });
