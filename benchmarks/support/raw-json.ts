/**
 * Compact JSON that keeps each number as it was spelled. JSON.parse + JSON.stringify would turn
 * `12345.0` into `12345`, which draft-04 validators tell apart (a float is not an integer there),
 * so a test instance marked invalid for that reason would be written as a valid one.
 */

/** A number with its original spelling. */
export class RawNumber {
  constructor(readonly raw: string) {}
}

export type RawValue = null | boolean | string | RawNumber | RawValue[] | { [key: string]: RawValue };

/** Parses JSON text, numbers as RawNumber (duplicate keys: the last one wins, as in JSON.parse). */
export function parseRaw(text: string): RawValue {
  let at = 0;
  const space = (): void => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const fail = (): never => {
    throw new SyntaxError(`unexpected ${JSON.stringify(text[at] ?? "end")} at offset ${at}`);
  };
  const string = (): string => {
    const start = at;
    at++;
    while (text[at] !== '"') {
      if (at >= text.length) fail();
      at += text[at] === "\\" ? 2 : 1;
    }
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (): RawValue => {
    space();
    const c = text[at];
    if (c === "{") {
      at++;
      const out: { [key: string]: RawValue } = {};
      space();
      if (text[at] === "}") {
        at++;
        return out;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        const key = string();
        space();
        if (text[at++] !== ":") fail();
        const v = value();
        if (Object.prototype.hasOwnProperty.call(out, key)) delete out[key];
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        space();
        if (text[at] === ",") at++;
        else if (text[at] === "}") {
          at++;
          return out;
        } else fail();
      }
    }
    if (c === "[") {
      at++;
      const out: RawValue[] = [];
      space();
      if (text[at] === "]") {
        at++;
        return out;
      }
      for (;;) {
        out.push(value());
        space();
        if (text[at] === ",") at++;
        else if (text[at] === "]") {
          at++;
          return out;
        } else fail();
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return v;
      }
    }
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (match === null) return fail();
    at += match[0].length;
    return new RawNumber(match[0]);
  };
  const out = value();
  space();
  if (at !== text.length) fail();
  return out;
}

/** Compact JSON (no whitespace, keys in their order, strings as JSON.stringify writes them), numbers as spelled. */
export function stringifyRaw(value: RawValue): string {
  if (value instanceof RawNumber) return value.raw;
  if (Array.isArray(value)) return `[${value.map(stringifyRaw).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${stringifyRaw(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}
