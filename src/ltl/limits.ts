import { CompileTimeoutError } from "./errors.js";

/** Where a compilation is: exploring states, or refining them into the minimal automaton. */
export type CompileProgress =
  | { readonly phase: "explore"; readonly expanded: number; readonly found: number }
  | { readonly phase: "minimize"; readonly round: number; readonly blocks: number; readonly states: number };

/** A time limit checked at regular points of a synchronous computation. */
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
