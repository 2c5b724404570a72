import { SpecError, locate } from "./errors.js";
import type { SpecMode } from "./spec.js";

export interface TraceStep {
  /** The atoms that hold (events mode: exactly one event). */
  readonly letter: ReadonlySet<string>;
  /** The step as written, for messages. */
  readonly text: string;
}

/**
 * Parses a trace written as steps separated by `;` (or newlines); a step lists the atoms that
 * hold, separated by commas or spaces, optionally in braces; `{}` is the empty step. In events
 * mode each step names exactly one event.
 */
export function parseTrace(text: string, atoms: readonly string[], mode: SpecMode, file = "<trace>"): TraceStep[] {
  const known = new Set(atoms);
  const steps: TraceStep[] = [];
  const pieces = [...text.matchAll(/[^;\n]+|(?<=;|^)(?=;|$)/g)];
  if (text.trim() === "") throw new SpecError("trace", "the trace is empty: traces have at least one step", locate(text, 0, file));
  for (const piece of pieces) {
    const start = piece.index ?? 0;
    const raw = piece[0];
    let body = raw.trim();
    let offset = start + raw.indexOf(body);
    if (body.startsWith("{") || body.endsWith("}")) {
      if (!(body.startsWith("{") && body.endsWith("}"))) {
        throw new SpecError("trace", "unbalanced braces in this step", locate(text, offset, file));
      }
      body = body.slice(1, -1);
      offset += 1;
    }
    const names: string[] = [];
    for (const m of body.matchAll(/[^\s,]+/g)) {
      const name = m[0];
      const at = offset + (m.index ?? 0);
      if (!known.has(name)) {
        const kind = mode === "events" ? "event" : "atom";
        throw new SpecError("trace", `unknown ${kind} '${name}' in the trace; the spec's ${kind}s are: ${atoms.join(", ")}`, locate(text, at, file));
      }
      names.push(name);
    }
    if (names.length === 0 && raw.trim() === "" && pieces.length > 1 && start === text.length) continue;
    if (mode === "events" && names.length !== 1) {
      throw new SpecError(
        "trace",
        `in events mode each step is exactly one event, this step has ${names.length}`,
        locate(text, offset, file),
      );
    }
    steps.push({ letter: new Set(names), text: raw.trim() === "" ? "{}" : raw.trim() });
  }
  return steps;
}
