/**
 * Warnings of the JSON Schema compiler: what it ignored (keywords and formats JSON Schema does
 * not define), narrowed (lowered bounds, unfolded recursion, negations enforced on part of their
 * complement, bounded property order). The output stays valid either way; the warnings say
 * where it is narrower than the schema, or where the schema may not say what its author meant.
 */

/** Something the compiler did that the schema's author may want to know about. */
export interface SchemaWarning {
  readonly kind: "ignored-keyword" | "ignored-format" | "lowered-bound" | "unfolded-recursion" | "partial-negation" | "bounded-order";
  /** JSON pointer of the first place it happened (the message counts the others). */
  readonly path: string;
  readonly keyword: string | undefined;
  readonly message: string;
}

/** Warnings collected during one compilation, one per kind, keyword and message, with their places. */
export class WarningLog {
  private readonly entries = new Map<string, { kind: SchemaWarning["kind"]; keyword: string | undefined; message: string; paths: Set<string> }>();

  add(kind: SchemaWarning["kind"], keyword: string | undefined, path: string, message: string): void {
    const key = `${kind}\u0000${keyword ?? ""}\u0000${message}`;
    let entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, (entry = { kind, keyword, message, paths: new Set() }));
    entry.paths.add(path);
  }

  list(): SchemaWarning[] {
    return [...this.entries.values()].map(({ kind, keyword, message, paths }) => {
      const [first, ...others] = [...paths];
      const more = others.length === 0 ? "" : ` (also at ${others.slice(0, 3).join(", ")}${others.length > 3 ? ` and ${others.length - 3} more places` : ""})`;
      return { kind, keyword, path: first!, message: `${message}${more}` };
    });
  }
}

/** One line per warning: `#/path: message`. */
export function formatWarnings(warnings: readonly SchemaWarning[]): string {
  return warnings.map((w) => `${w.path}: ${w.message}`).join("\n");
}
