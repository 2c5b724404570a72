/** Runs one engine in a worker thread; a file that takes longer than the timeout ends the thread (a new one is started). */
import { Worker } from "node:worker_threads";
import type { EngineName, FileRun, TokenizerName } from "./maskbench-engines.js";

export interface Job {
  readonly schema: unknown;
  readonly instances: readonly { tokens: number[]; valid: boolean }[];
}

export class EngineWorker {
  private worker: Worker | undefined;
  private nextId = 0;
  /** Seconds spent starting workers (vocabulary set-up), not counted in any figure. */
  startSeconds = 0;

  constructor(
    readonly engine: EngineName,
    private readonly tokenizer: TokenizerName,
  ) {}

  private async start(): Promise<Worker> {
    const started = performance.now();
    // The worker is TypeScript too: a small ESM entry registers tsx, then imports it.
    const entry = new URL("./maskbench-worker.ts", import.meta.url).href;
    const tsxApi = import.meta.resolve("tsx/esm/api");
    const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry)});`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), {
      workerData: { engine: this.engine, tokenizer: this.tokenizer },
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { ready?: boolean }): void => {
        if (message.ready === true) {
          worker.off("message", onMessage);
          worker.off("error", reject);
          resolve();
        }
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
    });
    this.startSeconds += (performance.now() - started) / 1000;
    this.worker = worker;
    return worker;
  }

  /** The file's result, or "timeout" when it ran past `timeoutMs` (the thread is then replaced). */
  async run(job: Job, timeoutMs: number): Promise<FileRun | "timeout"> {
    const worker = this.worker ?? (await this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        this.worker = undefined;
        void worker.terminate();
        resolve("timeout");
      }, timeoutMs);
      const onMessage = (message: { id: number; result: FileRun }): void => {
        if (message.id !== id) return;
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        resolve(message.result);
      };
      const onError = (error: Error): void => {
        clearTimeout(timer);
        this.worker = undefined;
        reject(error);
      };
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.postMessage({ id, schema: job.schema, instances: job.instances });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
