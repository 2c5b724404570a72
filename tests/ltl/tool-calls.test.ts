import { describe, expect, it } from "vitest";
import { conjunction } from "../../src/ltl/ast.js";
import { accepts } from "../../src/ltl/dfa.js";
import { compileSpec } from "../../src/ltl/analysis.js";
import { SpecError } from "../../src/ltl/errors.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { bindTools, type EventVariant, type ToolSignature } from "../../src/ltl/tool-calls.js";
import { holds } from "../support/evaluate.js";
import { seededRandom } from "../../src/search/random.js";

const HEADER = `events ask, action, args, obs, done
segment ask    "Q: " text max 10 by environment
segment action "A: " one of tools
segment args   "I: " json args(action)
segment obs    "O: " text max 10 by environment
segment done   "D: " text max 10
ask
G(action -> X args)
G(args -> X obs)
G(obs -> X(action | done))
G(done -> last)
`;

const TOOLS: ToolSignature[] = ["confirm", "transfer", "send_email", "delete", "fetch"].map((name) => ({ name, parameters: {} }));

function errorOf(f: () => unknown): SpecError {
  try {
    f();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error("expected a SpecError");
}

describe("call(…) atoms and tool segments", () => {
  it("parse into tool-call atoms with their tests", () => {
    const spec = parseSpec(`${HEADER}G(call(transfer) -> O call(confirm))\nG !call(delete, path matching /\\/etc\\/.*/)\n`, { file: "p.ltl" });
    expect(spec.toolCalls.map((c) => c.atom)).toEqual(["call(transfer)", "call(confirm)", "call(delete, path matching /\\/etc\\/.*/)"]);
    expect(spec.toolCalls[2]!.field).toMatchObject({ path: ["path"], regex: "\\/etc\\/.*" });
    expect(spec.segments.find((s) => s.event === "args")!.content).toMatchObject({ kind: "arguments", of: "action" });
  });

  it("accepts quoted tool and field names", () => {
    const spec = parseSpec(`${HEADER}G !call("send-mail", "To".addr matching /.*@evil\\.com/)\n`, { file: "p.ltl" });
    expect(spec.toolCalls[0]).toMatchObject({ tool: "send-mail", field: { path: ["To", "addr"] } });
  });

  it("refuses misuse with a location", () => {
    const propositional = errorOf(() => parseSpec("atoms a\nG(a -> call(x))\n", { file: "p.ltl" }));
    expect(propositional.message).toMatch(/events-mode/);
    expect(propositional.location).toMatchObject({ line: 2, column: 8 });

    const noTools = errorOf(() => parseSpec('events a\nsegment a "A: " text max 5\nG(a -> !call(x))\n', { file: "p.ltl" }));
    expect(noTools.message).toMatch(/no segment names a tool/);
    expect(noTools.location.line).toBe(3);

    const noArgs = errorOf(() =>
      parseSpec('events a, b\nsegment a "A: " one of tools\nsegment b "B: " text max 5\nG !call(x, path matching /y/)\n', { file: "p.ltl" }),
    );
    expect(noArgs.message).toMatch(/json args\(a\)/);

    const badOf = errorOf(() => parseSpec('events a, b\nsegment a "A: " text max 5\nsegment b "B: " json args(a)\na\n', { file: "p.ltl" }));
    expect(badOf.message).toMatch(/not 'one of tools'/);
    expect(badOf.location).toMatchObject({ line: 3, column: 27 });

    const byEnvironment = errorOf(() => parseSpec('events a\nsegment a "A: " one of tools by environment\na\n', { file: "p.ltl" }));
    expect(byEnvironment.message).toMatch(/model writes/);
  });

  it("needs tools before a spec with call(…) compiles, and names unknown tools", () => {
    const spec = parseSpec(`${HEADER}G(call(transfer) -> O call(confirm))\n`, { file: "p.ltl" });
    expect(errorOf(() => compileSpec(spec)).message).toMatch(/tool registry/);
    const unknown = errorOf(() => bindTools(spec, [{ name: "transfers", parameters: {} }, { name: "confirm", parameters: {} }]));
    expect(unknown.message).toMatch(/unknown tool 'transfer' \(did you mean 'transfers'\?\)/);
    expect(unknown.location).toMatchObject({ line: 12, column: 8 });
    // Without call(…) the event automaton compiles as written.
    expect(compileSpec(parseSpec(HEADER, { file: "p.ltl" })).dfa.atoms).toEqual(["ask", "action", "args", "obs", "done"]);
  });
});

/** A step of a trace as the text reads it: an event, and for tool steps the tool and its argument's truth per test. */
interface Step {
  readonly event: string;
  readonly tool?: string;
  readonly path?: string;
}

describe("binding tools", () => {
  const POLICIES = [
    "G(call(transfer) -> O call(confirm))",
    "at most 2 call(send_email)",
    "G !call(delete, path matching /\\/etc\\/.*/)",
    "G(call(fetch) -> G !call(transfer))",
    "F call(confirm) | G !call(delete)",
    "G(call(delete, path matching /\\/tmp\\/.*/) -> O call(confirm))",
  ];

  it("agrees with the direct semantics of call(…) on random traces", () => {
    const rng = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const paths = ["/etc/passwd", "/tmp/x", "/home/a"];
    let accepted = 0;
    for (let round = 0; round < 30; round++) {
      const policies = POLICIES.filter(() => rng() < 0.5);
      const spec = parseSpec(HEADER + policies.join("\n") + "\n", { file: "policy.ltl" });
      const bound = bindTools(spec, TOOLS);
      const { dfa } = compileSpec(bound);
      const formula = conjunction(spec.formulas.map((f) => f.formula));
      for (let t = 0; t < 60; t++) {
        const steps: Step[] = [{ event: "ask" }];
        const calls = Math.floor(rng() * 4);
        for (let c = 0; c < calls; c++) {
          const tool = pick(TOOLS).name;
          steps.push({ event: "action", tool }, { event: "args", tool, path: pick(paths) }, { event: "obs" });
        }
        if (rng() < 0.9) steps.push({ event: "done" });
        // Direct semantics: call atoms hold at the arguments step, judged on the argument.
        const direct = steps.map((s) => {
          const atoms = new Set([s.event]);
          if (s.event === "args") {
            for (const call of spec.toolCalls) {
              if (call.tool !== s.tool) continue;
              if (call.field === undefined || new RegExp(`^(?:${call.field.regex})$`).test(s.path!)) atoms.add(call.atom);
            }
          }
          return atoms;
        });
        const expected = holds(formula, direct);
        const refined = steps.map((s) => new Set([refinedEvent(bound.binding!.variants, s)]));
        expect(accepts(dfa, refined), JSON.stringify(steps)).toBe(expected);
        if (expected) accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it("agrees with the direct semantics and the tie on random sequences of refined events", () => {
    const rng = seededRandom(11);
    let accepted = 0;
    for (let round = 0; round < 20; round++) {
      const policies = POLICIES.filter(() => rng() < 0.5);
      const spec = parseSpec(HEADER + policies.join("\n") + "\n", { file: "policy.ltl" });
      const bound = bindTools(spec, TOOLS);
      const { dfa } = compileSpec(bound);
      const variants = bound.binding!.variants;
      const formula = conjunction(spec.formulas.map((f) => f.formula));
      for (let t = 0; t < 300; t++) {
        // Mostly well-formed shapes with random tools, so that acceptance is not rare.
        const trace: EventVariant[] = [variants.find((v) => v.base === "ask")!];
        const rounds = Math.floor(rng() * 4);
        for (let r = 0; r < rounds; r++) {
          const pickOf = (base: string) => {
            const options = variants.filter((v) => v.base === base);
            return options[Math.floor(rng() * options.length)]!;
          };
          trace.push(pickOf("action"), pickOf("args"), pickOf("obs"));
        }
        if (rng() < 0.9) trace.push(variants.find((v) => v.base === "done")!);
        // The tie: arguments right after an action that names their tool.
        const tied = trace.every((v, i) => v.base !== "args" || (trace[i - 1]?.base === "action" && trace[i - 1]!.tool === v.tool));
        const direct = trace.map((v) => {
          const atoms = new Set([v.base]);
          if (v.base === "args") {
            for (const call of spec.toolCalls) {
              if (call.tool !== v.tool) continue;
              const test = v.tests!.find((x) => x.test.regex === call.field?.regex && x.test.path.join(".") === call.field?.path.join("."));
              if (call.field === undefined || test?.holds === true) atoms.add(call.atom);
            }
          }
          return atoms;
        });
        const expected = tied && holds(formula, direct);
        expect(accepts(dfa, trace.map((v) => new Set([v.event]))), trace.map((v) => v.event).join(" ")).toBe(expected);
        if (expected) accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it("compiles many tools quickly (the tie is a product, not a past formula per tool)", () => {
    const tools = Array.from({ length: 24 }, (_, i) => ({ name: `t${i}`, parameters: {} }));
    const spec = parseSpec(`${HEADER}G(call(t1) -> O call(t0))\nat most 3 call(t2)\n`, { file: "many.ltl" });
    const started = performance.now();
    const { dfa } = compileSpec(bindTools(spec, tools));
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(dfa.atoms.length).toBe(3 + 24 + 24);
  });

  it("ties the arguments to the tool named just before", () => {
    const bound = bindTools(parseSpec(HEADER, { file: "p.ltl" }), TOOLS);
    const { dfa } = compileSpec(bound);
    const v = bound.binding!.variants;
    const trace = (argsTool: string) =>
      [{ event: "ask" }, { event: "action", tool: "fetch" }, { event: "args", tool: argsTool, path: "/a" }, { event: "obs" }, { event: "done" }].map(
        (s) => new Set([refinedEvent(v, s)]),
      );
    expect(accepts(dfa, trace("fetch"))).toBe(true);
    expect(accepts(dfa, trace("transfer"))).toBe(false);
  });

  it("leaves out refined events that cannot be written", () => {
    const spec = parseSpec(`${HEADER}G !call(delete, path matching /\\/etc\\/.*/)\n`, { file: "p.ltl" });
    const bound = bindTools(spec, TOOLS, { possible: (variant) => !(variant.tool === "delete" && variant.tests?.[0]?.holds === true) });
    expect(bound.atoms.filter((a) => a.startsWith("args[delete"))).toEqual(["args[delete|!path~/\\/etc\\/.*/]"]);
    expect(compileSpec(bound).analysis.satisfiable).toBe(true);
  });
});

function refinedEvent(variants: readonly EventVariant[], step: Step): string {
  const found = variants.find((v) => {
    if (v.base !== step.event) return false;
    if (v.tool === undefined) return true;
    if (v.tool !== step.tool) return false;
    return (v.tests ?? []).every((t) => new RegExp(`^(?:${t.test.regex})$`).test(step.path!) === t.holds);
  });
  if (found === undefined) throw new Error(`no refined event for ${JSON.stringify(step)}`);
  return found.event;
}
