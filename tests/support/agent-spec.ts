import { compileSpec, type CompiledSpec } from "../../src/ltl/analysis.js";
import { parseSpec, type Spec } from "../../src/ltl/spec.js";
import { usesTools } from "../../src/ltl/tool-calls.js";
import { bindToolRegistry } from "../../src/grammars/tools.js";
import { exampleTools } from "../../src/agents/example-tools.js";

/** The example tools' names and schemas: what `ltlguard run` binds when no --tools module is given. */
export const EXAMPLE_TOOL_SIGNATURES = exampleTools().map((t) => ({ name: t.name, parameters: t.parameters }));

/** A spec as `ltlguard generate`/`run` compile it: tool segments get the example tools bound. */
export function bindExampleTools(spec: Spec): Spec {
  return usesTools(spec) ? bindToolRegistry(spec, EXAMPLE_TOOL_SIGNATURES) : spec;
}

export function compileWithExampleTools(text: string, file: string): CompiledSpec {
  return compileSpec(bindExampleTools(parseSpec(text, { file })));
}
