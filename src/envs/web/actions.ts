import type { AxTree, ElementInfo } from "./dom/accessibility.js";

/**
 * WebArena's action space, as the model writes it:
 *
 *     click [12]                 type [14] [red t-shirt] [1]      select [20] [M]
 *     scroll [down]              goto [http://…/cart]              go_back
 *     stop [the answer]
 *
 * `type`'s last bracket says whether Enter is pressed after typing (WebArena's
 * press_enter_after; 1 when left out). Brackets delimit arguments, so text and answers cannot
 * contain `]` or a newline; what is inside them is taken as written (spaces included), so the
 * action a policy judged is the action carried out. An action that names no element of the page, types into something
 * that is not a text field, or selects an option the select does not have is not executed: the
 * driver answers with an error text, which becomes the next observation.
 */

export type WebAction =
  | { readonly kind: "click"; readonly id: number }
  | { readonly kind: "type"; readonly id: number; readonly text: string; readonly enter: boolean }
  | { readonly kind: "select"; readonly id: number; readonly option: string }
  | { readonly kind: "scroll"; readonly direction: "up" | "down" }
  | { readonly kind: "goto"; readonly url: string }
  | { readonly kind: "go_back" }
  | { readonly kind: "stop"; readonly answer: string };

export type ActionKind = WebAction["kind"];
export const ACTION_KINDS: readonly ActionKind[] = ["click", "type", "select", "scroll", "goto", "go_back", "stop"];

/** The most bytes of text a `type`, `goto` or `stop` argument may have. */
export const MAX_ARGUMENT_BYTES = 120;

export class ActionSyntaxError extends Error {
  override readonly name = "ActionSyntaxError";
}

/** The action as the model writes it (one line, no newline). */
export function formatAction(action: WebAction): string {
  switch (action.kind) {
    case "click":
      return `click [${action.id}]`;
    case "type":
      return `type [${action.id}] [${action.text}] [${action.enter ? 1 : 0}]`;
    case "select":
      return `select [${action.id}] [${action.option}]`;
    case "scroll":
      return `scroll [${action.direction}]`;
    case "goto":
      return `goto [${action.url}]`;
    case "go_back":
      return "go_back";
    case "stop":
      return `stop [${action.answer}]`;
  }
}

/** Reads one action; throws `ActionSyntaxError` saying what was expected. */
export function parseAction(text: string): WebAction {
  const line = text.trim();
  const kind = /^[a-z_]+/.exec(line)?.[0] ?? "";
  const args: string[] = [];
  let rest = line.slice(kind.length);
  for (;;) {
    rest = rest.replace(/^ +/, "");
    if (rest.length === 0) break;
    const m = /^\[([^\]\n]*)\]/.exec(rest);
    if (m === null) throw new ActionSyntaxError(`cannot read '${line}': expected an argument in brackets after '${line.slice(0, line.length - rest.length).trim()}'`);
    args.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  const id = (s: string | undefined): number => {
    if (s === undefined || !/^[0-9]{1,6}$/.test(s.trim())) throw new ActionSyntaxError(`'${kind}' needs an element id in brackets, e.g. ${kind} [12]`);
    return Number(s.trim());
  };
  const count = (min: number, max: number) => {
    if (args.length < min || args.length > max) throw new ActionSyntaxError(`'${kind}' takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"} in brackets, got ${args.length}`);
  };
  switch (kind) {
    case "click":
      count(1, 1);
      return { kind, id: id(args[0]) };
    case "type": {
      count(2, 3);
      const enter = args[2]?.trim() ?? "1";
      if (enter !== "0" && enter !== "1") throw new ActionSyntaxError(`type's third argument is 1 (press Enter after typing) or 0, got '${enter}'`);
      return { kind, id: id(args[0]), text: args[1]!, enter: enter === "1" };
    }
    case "select":
      count(2, 2);
      return { kind, id: id(args[0]), option: args[1]! };
    case "scroll": {
      count(1, 1);
      const direction = args[0]!.trim().replace(/^direction=/, "");
      if (direction !== "up" && direction !== "down") throw new ActionSyntaxError(`scroll takes [up] or [down], got [${args[0]}]`);
      return { kind, direction };
    }
    case "goto":
      count(1, 1);
      return { kind, url: args[0]! };
    case "go_back":
      count(0, 0);
      return { kind };
    case "stop":
      count(0, 1);
      return { kind, answer: args[0] ?? "" };
    default:
      throw new ActionSyntaxError(`unknown action '${kind || line}': the actions are ${ACTION_KINDS.join(", ")}`);
  }
}

/**
 * Why the action cannot be carried out on this page (undefined: it can). Both drivers use this,
 * so an invalid action gives the same error text whichever runs it.
 */
export function invalidReason(action: WebAction, tree: AxTree, visibleIds: ReadonlySet<number>): string | undefined {
  if (action.kind !== "click" && action.kind !== "type" && action.kind !== "select") return undefined;
  const element: ElementInfo | undefined = visibleIds.has(action.id) ? tree.elements.get(action.id) : undefined;
  if (element === undefined) return `there is no element [${action.id}] on the page`;
  if (action.kind === "type" && !element.editable) return `element [${action.id}] (${element.role} '${element.name}') is not a text field`;
  if (action.kind === "select") {
    if (element.options === undefined) return `element [${action.id}] (${element.role} '${element.name}') is not a select`;
    if (!element.options.includes(action.option)) return `select [${action.id}] has no option '${action.option}' (its options: ${element.options.map((o) => `'${o}'`).join(", ")})`;
  }
  return undefined;
}
