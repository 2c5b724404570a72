import type { WebAction } from "../actions.js";
import type { WebObservation } from "../drivers/driver.js";
import type { PlanStep } from "./types.js";

/**
 * Resolves a plan step against the page: the first visible element (in document order) with the
 * step's role and name becomes the concrete action. Undefined when the page has no such element
 * (the plan does not fit the page).
 */
export function resolveStep(step: PlanStep, observation: WebObservation, origin: string): WebAction | undefined {
  const find = (test: (role: string, name: string, editable: boolean, select: boolean) => boolean) => {
    for (const id of [...observation.visibleIds].sort((a, b) => a - b)) {
      const e = observation.tree.elements.get(id);
      if (e !== undefined && test(e.role, e.name, e.editable, e.options !== undefined)) return id;
    }
    return undefined;
  };
  switch (step.do) {
    case "click": {
      const id = find((role, name) => name === step.name && (step.role === undefined || role === step.role));
      return id === undefined ? undefined : { kind: "click", id };
    }
    case "type": {
      const id = find((_, name, editable) => editable && name === step.field);
      return id === undefined ? undefined : { kind: "type", id, text: step.text, enter: step.enter ?? true };
    }
    case "select": {
      const id = find((_, name, __, select) => select && name === step.field);
      if (id === undefined) return undefined;
      const options = observation.tree.elements.get(id)!.options ?? [];
      const option = step.prefix ? options.find((o) => o.startsWith(step.option)) : step.option;
      return option === undefined ? undefined : { kind: "select", id, option };
    }
    case "goto":
      return { kind: "goto", url: new URL(step.path, origin).href };
    case "go_back":
      return { kind: "go_back" };
    case "scroll":
      return { kind: "scroll", direction: step.direction };
    case "stop":
      return { kind: "stop", answer: step.answer };
  }
}
