// The one-way layering of ltlguard: ltl → grammars → models → decoder → agents/search → cli.
// A module may import from its own layer or from layers before it, never after.
const layers = ["ltl", "grammars", "models", "decoder", "(agents|search|envs)", "cli"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    ...layers.slice(0, -1).map((layer, i) => ({
      name: `no-upward-from-${layer.replace(/\W/g, "")}`,
      comment: `src/${layer} may not depend on layers built on top of it`,
      severity: "error",
      from: { path: `^src/${layer}/` },
      to: { path: layers.slice(i + 1).map((later) => `^src/${later}/`) },
    })),
    {
      name: "src-not-from-tests",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(tests|benchmarks)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
