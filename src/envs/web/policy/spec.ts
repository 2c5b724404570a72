import { readFileSync } from "node:fs";
import { atom, binary, disjunction, unary, type Formula } from "../../../ltl/ast.js";
import { compileSpec, type CompiledSpec } from "../../../ltl/analysis.js";
import { SpecError, locate } from "../../../ltl/errors.js";
import { didYouMean } from "../../../ltl/names.js";
import { parseSpec, type Spec } from "../../../ltl/spec.js";
import { parseRawSpec } from "../../../ltl/syntax.js";
import type { ToolCallAtom } from "../../../ltl/tool-atoms.js";
import { complementWithinUtf8 } from "../../../grammars/json-schema-automata.js";
import { intersectDfa, isEmptyLanguage } from "../../../grammars/ops.js";
import { regexDfa } from "../../../grammars/regex.js";
import type { ByteDfa } from "../../../grammars/byte-dfa.js";
import { RegexSyntaxError } from "../../../grammars/errors.js";
import { ACTION_KINDS, type ActionKind } from "../actions.js";
import { FIELDS, finiteDomain, regexAutomaton, wholeMatch } from "./events.js";

/**
 * Web policies: LTLf over the agent's actions, written like tool policies —
 * `G !call(type, input matching /password/)`, `at most 1 call(click, name matching /Place order/)`.
 * A policy file holds formulas (and macros) only; the web environment declares the events, one
 * per action kind (the "tools" click, type, select, scroll, goto, go_back, stop). See events.ts
 * for the fields a `call(kind, field matching /R/)` can test.
 *
 * Compiling refines each action kind into one event per outcome of the tests the policy makes
 * about it (`click[name~/Place order/]`, `click[!name~/Place order/]`), leaving out outcomes no
 * action can have; the policy's automaton reads one refined event per executed action. That is
 * what `PolicyMonitor` steps and what the action language of each step is built from.
 */

export interface WebTest {
  readonly field: string;
  readonly regex: string;
  /** The atom as written, e.g. `call(click, name matching /Place order/)`. */
  readonly atom: string;
}

export interface WebVariant {
  /** The refined event's name (an atom of the compiled automaton). */
  readonly event: string;
  readonly kind: ActionKind;
  readonly tests: readonly { readonly test: WebTest; readonly holds: boolean }[];
}

export interface WebPolicy {
  readonly file: string;
  readonly compiled: CompiledSpec;
  /** `variants[e]` is the automaton's event e. */
  readonly variants: readonly WebVariant[];
  /** The tests the policy makes about each kind. */
  readonly tests: ReadonlyMap<ActionKind, readonly WebTest[]>;
  /** The formulas as written, one per statement (for reports). */
  readonly statements: readonly string[];
}

/** Names the web environment declares; a policy file must not declare events or segments itself. */
const HIDDEN_ACTION = "_web_action";
const HIDDEN_ARGS = "_web_args";
const DECLARATIONS = `\nevents ${HIDDEN_ACTION}, ${HIDDEN_ARGS}\nsegment ${HIDDEN_ACTION} "\\u0001" one of tools\nsegment ${HIDDEN_ARGS} "\\u0002" json args(${HIDDEN_ACTION})\n`;

export function loadWebPolicyFile(path: string): WebPolicy {
  return loadWebPolicy(readFileSync(path, "utf8"), path);
}

/** Parses and compiles a web policy. Throws `SpecError` with the place of any problem. */
export function loadWebPolicy(text: string, file = "<web policy>"): WebPolicy {
  // Syntax first, on the text alone, so every error points into what the user wrote.
  for (const statement of parseRawSpec(text, file)) {
    if (statement.t === "declare" || statement.t === "segment") {
      throw new SpecError(
        "syntax",
        `a web policy declares no ${statement.t === "segment" ? "segments" : "events or atoms"}: the web environment declares the actions (${ACTION_KINDS.join(", ")}); write call(kind) and call(kind, field matching /R/)`,
        locate(text, statement.start, file),
      );
    }
  }
  const spec = parseSpec(text.replace(/\s*$/, "") + "\n" + DECLARATIONS, { file });
  const tests = new Map<ActionKind, WebTest[]>(ACTION_KINDS.map((k) => [k, []]));
  for (const call of spec.toolCalls) checkCall(call, tests);

  const variants: WebVariant[] = [];
  for (const kind of ACTION_KINDS) {
    const list = tests.get(kind)!;
    for (let mask = 0; mask < 1 << list.length; mask++) {
      const assignment = list.map((test, i) => ({ test, holds: ((mask >> i) & 1) === 1 }));
      if (!possible(kind, assignment)) continue;
      const label = assignment.map((a) => `${a.holds ? "" : "!"}${a.test.field}~/${a.test.regex}/`).join("|");
      variants.push({ event: label.length > 0 ? `${kind}[${label}]` : kind, kind, tests: assignment });
    }
  }
  const callAtoms = new Map(spec.toolCalls.map((c) => [c.atom, c] as const));
  const rewrite = (f: Formula): Formula => {
    switch (f.kind) {
      case "true":
      case "false":
      case "last":
        return f;
      case "atom": {
        const call = callAtoms.get(f.name);
        if (call === undefined) return disjunction([]); // the hidden declarations: never an action
        const test = call.field === undefined ? undefined : { field: call.field.path[0]!, regex: call.field.regex };
        return disjunction(
          variants
            .filter((v) => v.kind === call.tool && (test === undefined || v.tests.some((t) => t.holds && t.test.field === test.field && t.test.regex === test.regex)))
            .map((v) => atom(v.event)),
        );
      }
      default:
        if ("arg" in f) return unary(f.kind, rewrite(f.arg));
        return binary(f.kind, rewrite(f.left), rewrite(f.right));
    }
  };
  const refined: Spec = {
    ...spec,
    mode: "events",
    atoms: variants.map((v) => v.event),
    formulas: spec.formulas.map((f) => ({ ...f, formula: rewrite(f.formula) })),
    segments: [],
    toolCalls: [],
    binding: undefined,
  };
  const compiled = compileSpec(refined);
  return { file, compiled, variants, tests, statements: spec.formulas.map((f) => f.text) };
}

/** The policy that allows everything (the "no policies" condition). */
export function permissivePolicy(): WebPolicy {
  return loadWebPolicy("true\n", "<no policy>");
}

function checkCall(call: ToolCallAtom, tests: Map<ActionKind, WebTest[]>): void {
  const kind = call.tool as ActionKind;
  if (!ACTION_KINDS.includes(kind)) {
    throw new SpecError("unknown-atom", `unknown action '${call.tool}'${didYouMean(call.tool, ACTION_KINDS)}; the actions are: ${ACTION_KINDS.join(", ")}`, call.toolLocation);
  }
  if (call.field === undefined) return;
  const path = call.field.path;
  const fields = FIELDS[kind];
  if (path.length !== 1 || !fields.includes(path[0]!)) {
    throw new SpecError("unknown-atom", `'${kind}' has no field '${path.join(".")}'${didYouMean(path.join("."), fields)}; its fields are: ${fields.join(", ")}`, call.location);
  }
  try {
    regexAutomaton(call.field.regex);
  } catch (error) {
    if (error instanceof RegexSyntaxError) {
      const at = call.field.regexLocation;
      throw new SpecError("syntax", `in the test's regular expression: ${error.message}`, { ...at, column: at.column + 1 + error.offset });
    }
    throw error;
  }
  const list = tests.get(kind)!;
  if (!list.some((t) => t.field === path[0] && t.regex === call.field!.regex)) list.push({ field: path[0]!, regex: call.field.regex, atom: call.atom });
}

/** Any value of a field (one line: a value never holds a newline). */
let anyLine: ByteDfa | undefined;

/** Whether some action can have this outcome of the tests (per field: the tests' languages agree). */
function possible(kind: ActionKind, assignment: readonly { test: WebTest; holds: boolean }[]): boolean {
  const byField = new Map<string, { test: WebTest; holds: boolean }[]>();
  for (const a of assignment) byField.set(a.test.field, [...(byField.get(a.test.field) ?? []), a]);
  for (const [field, list] of byField) {
    const domain = finiteDomain(kind, field);
    if (domain !== undefined) {
      if (!domain.some((value) => list.every((a) => wholeMatch(a.test.regex, value) === a.holds))) return false;
      continue;
    }
    anyLine ??= regexDfa("[^\\n]*");
    let language: ByteDfa = anyLine;
    for (const a of list) {
      const dfa = regexAutomaton(a.test.regex);
      language = intersectDfa(language, a.holds ? dfa : complementWithinUtf8(dfa));
      if (isEmptyLanguage(language)) return false;
    }
  }
  return true;
}

/** The outcome of every test of a kind on an action's facts: the index of its refined event. */
export function variantOf(policy: WebPolicy, kind: ActionKind, facts: Readonly<Record<string, string>>): number {
  const e = policy.variants.findIndex((v) => v.kind === kind && v.tests.every(({ test, holds }) => wholeMatch(test.regex, facts[test.field] ?? "") === holds));
  if (e < 0) throw new Error(`web policy: no event for a ${kind} with ${JSON.stringify(facts)} (an outcome judged impossible happened)`);
  return e;
}

