// Compile a spec and check traces against it in code: what `ltlguard compile` and `check` do.
import { readFileSync } from "node:fs";
import { allowedEvents, checkTrace, compileSpec, parseSpec, parseTrace } from "ltlguard";

const file = "specs/react.ltl";
const { spec, dfa, analysis } = compileSpec(parseSpec(readFileSync(file, "utf8"), { file }));
console.log(`${file}: ${dfa.stateCount} states over ${spec.atoms.length} events`);
console.log(`a trace may start with: ${allowedEvents(dfa, analysis, dfa.initial).join(", ")}`);

for (const text of ["question; final_thought; answer", "question; thought; action; observation"]) {
  const steps = parseTrace(text, spec.atoms, spec.mode);
  const verdict = checkTrace(dfa, analysis, steps.map((step) => step.letter));
  const where = verdict.failedAt === undefined ? "" : ` at step ${verdict.failedAt + 1}`;
  console.log(`${text}: ${verdict.accepted ? "accepted" : `rejected${where} (${verdict.reason})`}`);
}
