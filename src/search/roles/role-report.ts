import type { BenchReport } from "../bench.js";
import type { EpisodeRecord } from "../bench-summary.js";
import { ROLE_NAMES, type RoleCost } from "../types.js";
import type { ModelInfo } from "./model-roles.js";

const fixed = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");

/** The episodes at each (environment, strategy)'s largest budget: whole runs, not cuts of one. */
function fullEpisodes(report: BenchReport): Map<string, EpisodeRecord[]> {
  const groups = new Map<string, EpisodeRecord[]>();
  const largest = new Map<string, number>();
  for (const e of report.episodes) {
    const key = `${e.env}\u0000${e.strategy}`;
    largest.set(key, Math.max(largest.get(key) ?? 0, e.budget));
  }
  for (const e of report.episodes) {
    const key = `${e.env}\u0000${e.strategy}`;
    if (e.budget !== largest.get(key)) continue;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  return groups;
}

/**
 * What each role cost, from the per-role meters of the episodes at each strategy's largest budget:
 * calls per episode, generated and evaluated tokens per call (evaluated close to generated means
 * the prompt prefix was reused), milliseconds per call and the model's throughput; then the
 * tokens per expansion of the search.
 */
export function roleCostMarkdown(report: BenchReport): string {
  const lines = [
    "| environment | strategy | role | episodes | calls / episode | generated tokens / call | evaluated tokens / call | ms / call | evaluated tokens / s |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const expansions = ["| environment | strategy | expansions / episode | generated tokens / expansion | evaluated tokens / expansion |", "| --- | --- | ---: | ---: | ---: |"];
  for (const [key, episodes] of fullEpisodes(report)) {
    const [env, strategy] = key.split("\u0000") as [string, string];
    let generated = 0;
    let evaluated = 0;
    for (const role of ROLE_NAMES) {
      const total: RoleCost = { calls: 0, generatedTokens: 0, evaluatedTokens: 0, ms: 0 };
      for (const e of episodes) {
        const cost = e.byRole?.[role];
        if (cost === undefined) continue;
        total.calls += cost.calls;
        total.generatedTokens += cost.generatedTokens;
        total.evaluatedTokens += cost.evaluatedTokens;
        total.ms += cost.ms;
      }
      if (total.calls === 0) continue;
      generated += total.generatedTokens;
      evaluated += total.evaluatedTokens;
      lines.push(
        `| ${env} | ${strategy} | ${role} | ${episodes.length} | ${fixed(total.calls / episodes.length)} | ${fixed(total.generatedTokens / total.calls)} | ${fixed(total.evaluatedTokens / total.calls)} | ${fixed(total.ms / total.calls)} | ${fixed(total.evaluatedTokens / (total.ms / 1000), 0)} |`,
      );
    }
    const expanded = episodes.reduce((n, e) => n + e.expansions, 0);
    if (expanded > 0 && evaluated > 0) {
      expansions.push(`| ${env} | ${strategy} | ${fixed(expanded / episodes.length)} | ${fixed(generated / expanded)} | ${fixed(evaluated / expanded)} |`);
    }
  }
  if (lines.length === 2) return "";
  return [...lines, "", ...(expansions.length > 2 ? expansions : []), ""].join("\n");
}

/** The result header's description of the model and of who played each role. */
export function modelHeaderMarkdown(info: ModelInfo | undefined, roles: Readonly<Record<string, Readonly<Record<string, string>>>>): string {
  const lines: string[] = [];
  if (info !== undefined) {
    lines.push(
      `Model: \`${info.name}\` (${info.bytes.toLocaleString("en")} bytes, SHA-256 ${info.sha256.slice(0, 16)}…), on ${info.device}, ${info.threads} thread${info.threads === 1 ? "" : "s"}, context ${info.contextSize} tokens per sequence; chat template: ${info.chatTemplate}; value and critic scoring: ${info.scoring}.`,
      `The model plays: ${info.roles.length > 0 ? info.roles.join(", ") : "no role"}.`,
      "",
    );
  }
  const envs = Object.keys(roles);
  if (envs.length > 0) {
    lines.push(`| environment | ${ROLE_NAMES.join(" | ")} |`, `| --- |${ROLE_NAMES.map(() => " --- |").join("")}`);
    for (const env of envs) lines.push(`| ${env} | ${ROLE_NAMES.map((r) => roles[env]![r] ?? "none").join(" | ")} |`);
    lines.push("", "Roles whose names start with `model-` (and the policy `llama`, the constrained decoder) run on the model; `simulated-…` roles are seeded error models and the others the environment's own rules; `none`: strategies that need the role do without it or do not run there.", "");
  }
  return lines.join("\n");
}
