import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpec, type CompiledSpec } from "../../src/ltl/analysis.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { checkTrace } from "../../src/ltl/verdict.js";
import { findSuite } from "../../src/envs/suites.js";
import { TOOL_PLANNING_SPECS, traceOf, type ToolState, type ToolTask } from "../../src/envs/tool-planning.js";
import type { ToolCall } from "../../src/envs/tool-planning-apis.js";
import { thoughtPolicySpec, thoughtCodec } from "../../src/envs/thought-graph-llama.js";
import type { ThoughtGraphEnvironment } from "../../src/envs/thought-graph.js";
import type { BenchSuite } from "../../src/search/bench.js";
import { DecoderPolicy, type TranscriptCodec } from "../../src/search/decoder-policy.js";
import { STRATEGIES } from "../../src/search/index.js";
import { Budget, type Task } from "../../src/search/types.js";

/**
 * End-to-end episodes with the real llama.cpp policy (the constrained decoder on the project's
 * fitted tiny model) on tool planning and on the thought graphs: the strategies run, stay within
 * their budgets and take only legal actions, and every segment the model writes — legal in its
 * state or not — keeps the transcript inside the spec (the protocol spec for tool calls). The
 * tiny model rarely solves a task; that is not what is tested.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let tools: BenchSuite;
let sorting: BenchSuite;

beforeAll(async () => {
  tools = await findSuite("tool-planning")!.create("llama");
  sorting = await findSuite("sorting-32")!.create("llama");
}, 300_000);

afterAll(async () => {
  await tools?.close?.();
  await sorting?.close?.();
});

/** Records every model-written segment the policy reads back, with the state it was written in. */
function recordWrites<S, A>(policy: unknown): { state: S; event: string; content: string }[] {
  const writes: { state: S; event: string; content: string }[] = [];
  const codec = (policy as { codec: TranscriptCodec<S, A> }).codec;
  const parse = codec.parse.bind(codec);
  codec.parse = (state, event, content) => {
    writes.push({ state, event, content });
    return parse(state, event, content);
  };
  return writes;
}

async function replayLegal<S, A>(task: Task<S, A>, actions: readonly A[]): Promise<void> {
  let state = task.environment.initial();
  for (const action of actions) {
    const legal = task.environment.legalActions(state).map((a) => task.environment.actionKey(a));
    expect(legal).toContain(task.environment.actionKey(action));
    state = (await task.environment.step(state, action)).state;
  }
}

describe("tool planning with the llama.cpp policy", () => {
  const protocol = new Map<string, CompiledSpec>();
  const alive = (task: ToolTask, events: readonly string[]): boolean => {
    let spec = protocol.get(task.domain);
    if (spec === undefined) {
      const file = TOOL_PLANNING_SPECS[task.domain];
      spec = compileSpec(parseSpec(readFileSync(`${ROOT}${file}`, "utf8"), { file }));
      protocol.set(task.domain, spec);
    }
    return checkTrace(spec.dfa, spec.analysis, events.map((e) => new Set([e]))).reason !== "dead";
  };

  for (const name of ["greedy", "astar"] as const) {
    it(`${name}: every call written satisfies the protocol spec; the episode is legal and within budget`, async () => {
      const task = tools.tasks()[0] as ToolTask;
      const problem = tools.problem(task, 1);
      expect(problem.policy).toBeInstanceOf(DecoderPolicy);
      const writes = recordWrites<ToolState, ToolCall>(problem.policy);
      try {
        const result = await STRATEGIES[name]().search(problem, new Budget({ modelCalls: 12 }));
        expect(result.spent.modelCalls).toBeLessThanOrEqual(12);
        expect(writes.length).toBeGreaterThan(0);
        for (const { state, event } of writes) expect(alive(task, [...traceOf(state.history.map((h) => h.call)), event])).toBe(true);
        await replayLegal(task, result.actions as ToolCall[]);
      } finally {
        await tools.release?.(problem);
      }
    }, 60_000);
  }
});

describe("thought graphs with the llama.cpp policy", () => {
  // The suites account scoring as GoT does (in the producing step): the policy writes no score operation.
  const spec = compileSpec(parseSpec(thoughtPolicySpec("in-step"), { file: "thought-operations.ltl" }));

  it("the transcript of any operation sequence the environment accepts is in the spec", async () => {
    const task = sorting.tasks()[0]!;
    const env = task.environment as ThoughtGraphEnvironment;
    let state = env.initial();
    for (const key of ["split(#0,2)", "solve(#1)", "solve(#1)", "keep-best[0,16)", "solve(#2)", "merge", "answer"]) {
      // The kept try of [0, 16) depends on the (noisy) scores: the merge and the answer are whichever are legal.
      const action = env.legalActions(state).find((a) => env.actionKey(a) === key || (a.op === key && key !== "solve"));
      if (action === undefined) throw new Error(`not legal here: ${key} (${env.legalActions(state).map((a) => env.actionKey(a)).join(" ")})`);
      state = (await env.step(state, action)).state;
    }
    const events = thoughtCodec(env).history(state).map((s) => new Set([s.event]));
    expect(checkTrace(spec.dfa, spec.analysis, events).accepted).toBe(true);
  });

  for (const name of ["greedy", "mcts"] as const) {
    it(`${name}: legal operations only, within budget, every operation written in the spec`, async () => {
      const task = sorting.tasks()[0]!;
      const problem = sorting.problem(task, 1);
      const env = task.environment as ThoughtGraphEnvironment;
      const writes = recordWrites(problem.policy);
      try {
        const budget = new Budget(sorting.limits(4));
        const result = await STRATEGIES[name]().search(problem, budget);
        expect(result.spent.envSteps).toBeLessThanOrEqual(4);
        // Operations are the unit; the policy's samples are counted too (four a proposal).
        expect(result.spent.byRole.policy.calls).toBe(result.spent.modelCalls);
        expect(writes.length).toBeGreaterThan(0);
        const codec = thoughtCodec(env);
        for (const { state, event } of writes as { state: Parameters<typeof codec.history>[0]; event: string }[]) {
          const events = [...codec.history(state).map((s) => s.event), event].map((e) => new Set([e]));
          expect(checkTrace(spec.dfa, spec.analysis, events).reason).not.toBe("dead");
        }
        await replayLegal(task, result.actions);
      } finally {
        await sorting.release?.(problem);
      }
    }, 60_000);
  }
});
