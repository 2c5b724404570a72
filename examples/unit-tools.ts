// A tool module for `ltlguard run --tools examples/unit-tools.ts`: the default export is the list
// of tools. Each tool's `parameters` is the JSON Schema its arguments are generated under, so the
// model cannot write arguments that `run` would have to reject.
const FACTORS: Record<string, number> = { m: 1, km: 1000, mi: 1609.344, ft: 0.3048 };

export default [
  {
    name: "convert",
    description: "Converts a length between units (m, km, mi, ft).",
    parameters: {
      type: "object",
      properties: {
        value: { type: "number" },
        from: { enum: ["m", "km", "mi", "ft"] },
        to: { enum: ["m", "km", "mi", "ft"] },
      },
      required: ["value", "from", "to"],
      additionalProperties: false,
    },
    run: (args: { value: number; from: string; to: string }): string =>
      `${args.value} ${args.from} = ${((args.value * FACTORS[args.from]!) / FACTORS[args.to]!).toPrecision(6)} ${args.to}`,
  },
  {
    name: "slow_lookup",
    description: "Looks a unit up in a remote table (here: never answers, to show timeouts).",
    parameters: { type: "object", properties: { unit: { type: "string", maxLength: 10 } }, required: ["unit"] },
    timeoutMs: 200,
    run: (): Promise<string> => new Promise(() => {}),
  },
];
