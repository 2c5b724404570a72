import { atom, disjunction, mapAtoms, type Formula } from "./ast.js";
import { SpecError, type SourceLocation } from "./errors.js";
import type { SegmentFormat } from "./segments.js";
import { didYouMean } from "./names.js";
import type { Spec, SpecFormula } from "./spec.js";
import type { ArgumentTest, EventVariant, ToolCallAtom, ToolSignature } from "./tool-atoms.js";

export type { ArgumentTest, EventVariant, ToolCallAtom, ToolSignature } from "./tool-atoms.js";
export type { ToolBinding } from "./spec.js";
export { toolCallAtomName } from "./tool-atoms.js";

/**
 * Tool calls as events the spec can talk about.
 *
 * A spec names tools abstractly: a segment `one of tools` is where the model names a tool, a
 * segment `json args(action)` is where it writes that tool's arguments, and atoms `call(t)` /
 * `call(t, field matching /re/)` say that a call to `t` (with such an argument) happens at a step.
 * Which tools exist is known only when a tool registry is bound to the spec; binding refines the
 * events so that the automaton itself knows which tool is called and which argument tests hold:
 *
 * - the action event `action` becomes one event per tool, `action[t]`;
 * - the arguments event `args` becomes one event per tool and per truth assignment of the
 *   argument tests the spec makes about that tool, `args[t|path~/re/]`, `args[t|!path~/re/]`;
 * - `action` and `args` in formulas stand for the disjunction of their refinements; `call(t, …)`
 *   for the refinements of the step that executes the call (the arguments step, or the action step
 *   where the spec has no arguments segment);
 * - the arguments are tied to the tool just named (`args[t|…]` only right after `action[t]`):
 *   not by formulas but by `compileSpec`, as a product with a small monitor (tool-tie.ts).
 *
 * The byte automaton of each refined event is the tool's name, or its argument schema narrowed by
 * the tests, so a policy such as `G(call(transfer) -> O call(confirm))` is enforced by the mask
 * while decoding: a forbidden call has no allowed tokens.
 */

export interface BindToolsOptions {
  /**
   * Whether a refined event can be written at all (its content language is not empty); impossible
   * ones are left out of the alphabet, so no automaton state waits for them. Defaults to all.
   */
  possible?: (variant: EventVariant) => boolean;
}

/** Whether the spec needs tools bound before it can be compiled. */
export function usesTools(spec: Spec): boolean {
  return spec.toolCalls.length > 0 || spec.segments.some((s) => s.content.kind === "tools" || s.content.kind === "arguments");
}

/** Where a spec first needs tools (for the error when none are given). */
export function firstToolUse(spec: Spec): SourceLocation {
  const segment = spec.segments.find((s) => s.content.kind === "tools" || s.content.kind === "arguments");
  return segment?.location ?? spec.toolCalls[0]?.location ?? { file: spec.file, line: 1, column: 1, lineText: "" };
}

/** Refines a spec's events by the tools of a registry (see the module comment). Throws `SpecError` for unknown tools. */
export function bindTools(spec: Spec, tools: readonly ToolSignature[], options: BindToolsOptions = {}): Spec {
  if (spec.binding !== undefined) throw new Error("bindTools: the spec already has tools bound");
  const possible = options.possible ?? (() => true);
  const where = firstToolUse(spec);
  if (tools.length === 0) throw new SpecError("segment", "the spec names tools, but the tool registry is empty", where);
  const seen = new Set<string>();
  for (const tool of tools) {
    if (tool.name.length === 0) throw new SpecError("segment", "a tool has an empty name", where);
    if (seen.has(tool.name)) throw new SpecError("duplicate", `two tools are named '${tool.name}'`, where);
    seen.add(tool.name);
  }
  for (const call of spec.toolCalls) {
    if (!seen.has(call.tool)) {
      throw new SpecError("unknown-atom", `unknown tool '${call.tool}'${didYouMean(call.tool, [...seen])}; the tools are: ${[...seen].join(", ")}`, call.toolLocation);
    }
  }

  const formatOf = new Map(spec.segments.map((s) => [s.event, s] as const));
  const argumentsOf = new Map<string, SegmentFormat>();
  for (const s of spec.segments) if (s.content.kind === "arguments") argumentsOf.set(s.content.of, s);
  const testsOf = (tool: string): ArgumentTest[] => {
    const tests = new Map<string, ArgumentTest>();
    for (const call of spec.toolCalls) if (call.tool === tool && call.field !== undefined) tests.set(call.atom, call.field);
    return [...tests.values()];
  };

  const variants: EventVariant[] = [];
  const variantsOf = new Map<string, EventVariant[]>();
  const add = (variant: EventVariant) => {
    if (!possible(variant)) return;
    variants.push(variant);
    const list = variantsOf.get(variant.base) ?? [];
    list.push(variant);
    variantsOf.set(variant.base, list);
  };
  for (const event of spec.atoms) {
    const content = formatOf.get(event)?.content;
    if (content?.kind === "tools") {
      for (const tool of tools) add({ event: `${event}[${tool.name}]`, base: event, tool: tool.name });
    } else if (content?.kind === "arguments") {
      for (const tool of tools) {
        const tests = testsOf(tool.name);
        for (let mask = 0; mask < 1 << tests.length; mask++) {
          const assignment = tests.map((test, i) => ({ test, holds: ((mask >> i) & 1) === 1 }));
          const label = assignment.map((a) => `|${a.holds ? "" : "!"}${a.test.path.join(".")}~/${a.test.regex}/`).join("");
          add({ event: `${event}[${tool.name}${label}]`, base: event, tool: tool.name, tests: assignment });
        }
      }
    } else {
      add({ event, base: event });
    }
  }

  const eventsOf = (base: string, keep: (v: EventVariant) => boolean = () => true): Formula =>
    disjunction((variantsOf.get(base) ?? []).filter(keep).map((v) => atom(v.event)));
  /** The steps at which a call to `tool` (passing `test`, if given) is executed. */
  const callSteps = (call: ToolCallAtom): Formula => {
    const steps: Formula[] = [];
    for (const action of spec.segments.filter((s) => s.content.kind === "tools")) {
      const args = argumentsOf.get(action.event);
      if (args === undefined) {
        steps.push(eventsOf(action.event, (v) => v.tool === call.tool));
      } else {
        steps.push(
          // `testsOf` kept the very test objects of the call atoms, so identity finds the test.
          eventsOf(args.event, (v) => v.tool === call.tool && (call.field === undefined || v.tests!.some((t) => t.test === call.field && t.holds))),
        );
      }
    }
    return disjunction(steps);
  };

  const callAtoms = new Map(spec.toolCalls.map((c) => [c.atom, c] as const));
  // A declared event stands for its refinements (itself when it is not refined; false when none
  // is possible).
  const rewrite = (f: Formula): Formula =>
    mapAtoms(f, (name) => {
      const call = callAtoms.get(name);
      return call !== undefined ? callSteps(call) : eventsOf(name);
    });

  const formulas: SpecFormula[] = spec.formulas.map((f) => ({ ...f, formula: rewrite(f.formula) }));
  return { ...spec, atoms: variants.map((v) => v.event), formulas, binding: { source: spec, tools, variants } };
}
