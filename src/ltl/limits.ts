import { CompileTimeoutError } from "./errors.js";

/** Where a compilation is: exploring states, or refining them into the minimal automaton. */
export type CompileProgress =
  | { readonly phase: "explore"; readonly expanded: number; readonly found: number }
  | { readonly phase: "minimize"; readonly round: number; readonly blocks: number; readonly states: number };

/** A time limit checked at regular points of a computation. */
export class Deadline {
  private readonly end: number;

  constructor(
    private readonly limitMs: number | undefined,
    private readonly label: string,
  ) {
    this.end = limitMs === undefined ? Infinity : performance.now() + limitMs;
  }

  check(): void {
    if (performance.now() > this.end) throw new CompileTimeoutError(`${this.label}: compiling took longer than the limit of ${this.limitMs! / 1000} s`);
  }
}

/**
 * A long computation written as a generator that yields at points where it may pause: between
 * states, refinement rounds, chunks of output. The same steps run synchronously (`runSteps`) or
 * handing control back to the event loop every few milliseconds (`runStepsAsync`), so that timers,
 * signal handlers and an `AbortSignal` can act on it; `check` runs at every yield.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs steps to completion in one go, calling `check` at every pause. */
export function runSteps<T>(steps: Steps<T>, check: () => void = () => {}): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    check();
  }
}

/** How long async steps run before giving the event loop a turn. */
const SLICE_MS = 15;

/** Runs steps, giving the event loop a turn every few milliseconds; `check` runs at every pause and after every turn. */
export async function runStepsAsync<T>(steps: Steps<T>, check: () => void = () => {}): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    check();
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      check();
      sliceStart = performance.now();
    }
  }
}

/** The check that stops a computation: the signal's reason when it is aborted, a `CompileTimeoutError` past the deadline. */
export function stopCheck(deadline: Deadline, signal: AbortSignal | undefined): () => void {
  return () => {
    signal?.throwIfAborted();
    deadline.check();
  };
}
