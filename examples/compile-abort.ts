// Stop a long compilation: `compileSpecAsync` hands the event loop a turn every few milliseconds,
// so an abort from a timer, a signal handler or a user interface stops it with the signal's reason.
import { compileSpecAsync, parseFormulaAsSpec } from "ltlguard";

// Sixteen response pairs G(a_i -> F b_i): an automaton of 65,537 states, far too slow to wait for here.
const formula = Array.from({ length: 16 }, (_, i) => `G(a${i} -> F b${i})`).join(" & ");
const spec = parseFormulaAsSpec(formula);

const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("interrupted")));
setTimeout(() => controller.abort(new Error("stopped after 200 ms")), 200);

const started = performance.now();
try {
  await compileSpecAsync(spec, { signal: controller.signal, timeLimitMs: 60_000 });
  console.log("compiled");
} catch (error) {
  console.log(`${(error as Error).message} (after ${Math.round(performance.now() - started)} ms)`);
}
