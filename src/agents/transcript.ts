import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";

/**
 * One line of a run's JSONL transcript. Each line is written and flushed to disk as soon as the
 * step it records is complete, so an interrupted run leaves a transcript that is whole up to its
 * last step (at most the step in progress is missing).
 */
export type TranscriptRecord =
  | { readonly type: "start"; readonly time: string; readonly spec: string; readonly model: string; readonly task: string; readonly tools: readonly string[]; readonly sampling: unknown }
  | { readonly type: "segment"; readonly step: number; readonly event: string; readonly writer: "model" | "environment"; readonly content: string; readonly complete: boolean }
  | {
      readonly type: "tool";
      readonly step: number;
      readonly tool: string;
      readonly arguments: unknown;
      readonly ok: boolean;
      readonly result?: unknown;
      readonly error?: string;
      readonly timedOut?: boolean;
      readonly ms: number;
    }
  | { readonly type: "end"; readonly stop: string; readonly steps: number; readonly toolCalls: number; readonly tokens: number; readonly ms: number }
  | { readonly type: "interrupted"; readonly time: string };

export interface TranscriptSink {
  write(record: TranscriptRecord): void;
  close(): void;
}

/** Appends records to a file that must not exist yet (a run never overwrites an earlier one). */
export class JsonlTranscript implements TranscriptSink {
  private fd: number | undefined;

  constructor(readonly path: string) {
    // "wx": fail if the file exists, so nothing a user kept is overwritten.
    this.fd = openSync(path, "wx");
  }

  write(record: TranscriptRecord): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, JSON.stringify(record) + "\n");
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Keeps records in memory (tests, library use without a file). */
export class MemoryTranscript implements TranscriptSink {
  readonly records: TranscriptRecord[] = [];
  write(record: TranscriptRecord): void {
    this.records.push(record);
  }
  close(): void {}
}
