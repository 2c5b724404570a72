/**
 * ToolChain*'s long-term memory for tool planning, keyed the way the paper matches plans: by API
 * names and argument *roles*, never by literal arguments — listing ids, flight ids and days are
 * task-specific and never recur between tasks, so a memory of literal calls can only help a task
 * whose twin is in it.
 *
 * The role of an argument value is where the agent got it: `task` (the value is a word of the
 * task statement), `observed` (it appeared in an earlier observation, e.g. a listing id from the
 * search results), or `other`. So `schedule_visit(day=task,listing_id=observed)`.
 */
import { PlanMemory } from "../search/astar.js";
import { callKey, type ArgValue, type ToolCall } from "./tool-planning-apis.js";
import type { ToolState, ToolTask } from "./tool-planning.js";

export type MemoryKeying = "roles" | "api" | "literal";

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[\p{L}\p{N}_-]+/gu) ?? []);

/** The role of an argument value in a state (see the module comment). */
export function argumentRole(value: ArgValue, statement: ReadonlySet<string>, state: ToolState): "task" | "observed" | "other" {
  const text = String(value).toLowerCase();
  if (statement.has(text)) return "task";
  for (const entry of state.history) if (words(entry.observation).has(text)) return "observed";
  return "other";
}

/** The memory key of a call made in a state, for a task statement. */
export function toolMemoryKey(keying: MemoryKeying, statement: string): (from: ToolState, call: ToolCall) => string {
  const statementWords = words(statement);
  return (from, call) => {
    if (keying === "literal") return callKey(call);
    if (keying === "api") return call.api;
    const args = Object.keys(call.args)
      .sort()
      .map((name) => `${name}=${argumentRole(call.args[name]!, statementWords, from)}`);
    return `${call.api}(${args.join(",")})`;
  };
}

/** A plan's keys: its calls replayed from the task's initial state, each keyed in the state it was made in. */
export function planKeys(task: ToolTask, calls: readonly ToolCall[], keying: MemoryKeying): string[] {
  const key = toolMemoryKey(keying, task.instruction);
  const keys: string[] = [];
  let state = task.environment.initial();
  for (const call of calls) {
    keys.push(key(state, call));
    if (state.done) break;
    state = task.environment.stepSync(state, call).state;
  }
  return keys;
}

/** The memory seeded from tasks' reference plans (the train split's, never the test split's), keyed as asked. */
export function memoryFrom(tasks: readonly ToolTask[], keying: MemoryKeying): PlanMemory {
  const memory = new PlanMemory();
  for (const task of tasks) memory.add(planKeys(task, task.referencePlan, keying), task.id);
  return memory;
}
