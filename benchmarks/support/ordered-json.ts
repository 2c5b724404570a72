/**
 * JSON read with its object keys in the file's order (JSON.parse puts integer-like keys first) and
 * its numbers as written, so that an instance can be written back compactly exactly as its
 * authors ordered it. Strings are written as JSON.stringify writes them (UTF-8, minimal escapes).
 */
export type OrderedJson =
  | { readonly kind: "literal"; readonly text: string } // numbers, true, false, null: as written
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "array"; readonly items: readonly OrderedJson[] }
  | { readonly kind: "object"; readonly entries: readonly (readonly [string, OrderedJson])[] };

export function parseOrderedJson(text: string): OrderedJson {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`JSON at offset ${i}: ${what}`);
  };
  const space = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): OrderedJson => {
    space();
    const c = text[i];
    if (c === "{") {
      i++;
      const entries: [string, OrderedJson][] = [];
      space();
      if (text[i] === "}") {
        i++;
        return { kind: "object", entries };
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail("expected a key");
        const key = string();
        space();
        if (text[i++] !== ":") fail("expected ':'");
        entries.push([key, value()]);
        space();
        const sep = text[i++];
        if (sep === "}") return { kind: "object", entries };
        if (sep !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const items: OrderedJson[] = [];
      space();
      if (text[i] === "]") {
        i++;
        return { kind: "array", items };
      }
      for (;;) {
        items.push(value());
        space();
        const sep = text[i++];
        if (sep === "]") return { kind: "array", items };
        if (sep !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return { kind: "string", value: string() };
    const match = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(text.slice(i, i + 400));
    if (match === null) fail("expected a value");
    i += match![0].length;
    return { kind: "literal", text: match![0] };
  };
  const result = value();
  space();
  if (i !== text.length) fail("trailing text");
  return result;
}

/** Compact serialization (no whitespace), keys in their order. */
export function compactJson(value: OrderedJson): string {
  switch (value.kind) {
    case "literal":
      return value.text;
    case "string":
      return JSON.stringify(value.value);
    case "array":
      return `[${value.items.map(compactJson).join(",")}]`;
    case "object":
      return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${compactJson(v)}`).join(",")}}`;
  }
}

/** Whether the value holds a number JSON cannot represent (NaN, Infinity): such an instance is skipped. */
export function hasNonFinite(value: OrderedJson): boolean {
  switch (value.kind) {
    case "literal":
      return /NaN|Infinity/.test(value.text);
    case "string":
      return false;
    case "array":
      return value.items.some(hasNonFinite);
    case "object":
      return value.entries.some(([, v]) => hasNonFinite(v));
  }
}

/** The member `name` of an object, or undefined. */
export function member(value: OrderedJson, name: string): OrderedJson | undefined {
  return value.kind === "object" ? value.entries.find(([k]) => k === name)?.[1] : undefined;
}
