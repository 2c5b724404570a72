import type { Spec } from "../ltl/spec.js";
import { bindTools, type EventVariant, type ToolSignature } from "../ltl/tool-calls.js";
import { isEmptyLanguage } from "./ops.js";
import { segmentDfa } from "./segment.js";

/**
 * Binds a tool registry to a spec (see `bindTools` in src/ltl), leaving out refined events whose
 * content no text can satisfy: e.g. `call(t, path matching /x/)` where t's schema only allows
 * paths matching /y/. Schema problems (an unsupported keyword) surface here as `SpecError`s that
 * name the tool and the place in its schema.
 */
export function bindToolRegistry(spec: Spec, tools: readonly ToolSignature[]): Spec {
  const formatOf = new Map(spec.segments.map((s) => [s.event, s] as const));
  const possible = (variant: EventVariant): boolean => {
    const format = formatOf.get(variant.base);
    if (format === undefined || variant.tool === undefined) return true;
    const tool = tools.find((t) => t.name === variant.tool);
    return !isEmptyLanguage(segmentDfa(format, { variant, tool }));
  };
  return bindTools(spec, tools, { possible });
}
