/** The decoder benchmark's JSON and Markdown report. */
import { ALLOW_LIST_LOGIT } from "../src/decoder/llama.js";
import { FeedRow, FeedingResult, ShiftCheck, Trajectory } from "./decoder-feeding.js";
import { MaskStats, SpecResult } from "./decoder-masks.js";
import { SpeedRow } from "./decoder-speed.js";
import type { GrammarInfo } from "./support/decoder-machine.js";
import { BiasTransport, ENVIRONMENT_TEXT, GREEDY, HEADLINE, Options, PLAIN, Settings, TRUNCATED, fmt, median, r3 } from "./support/decoder-settings.js";

// ---------------------------------------------------------------------------------------------
// Report

export interface ReportInput {
  options: Options;
  settings: Settings;
  info: Record<string, string | number>;
  trieMs: number;
  transport: BiasTransport;
  shiftCheck: ShiftCheck | null;
  specs: SpecResult[];
  overallWarm: MaskStats;
  overallCold: MaskStats;
  fittedSpeed: SpeedRow[];
  randomSpeed: SpeedRow[];
  feeding: FeedingResult[];
  trajectories: Trajectory[];
  grammarInfo: GrammarInfo | null;
  grammarError: string | null;
  totalS: number;
  loadMs: number;
}

export function buildReport(input: ReportInput): { json: unknown; markdown: string } {
  const { settings, info, specs, overallWarm, overallCold, fittedSpeed, randomSpeed, feeding, trajectories, grammarInfo, grammarError } = input;
  void info;
  const headline = fittedSpeed.find((r) => r.sampling === HEADLINE.name) ?? fittedSpeed[0]!;
  const goals = {
    mask_us_median_le_20: overallWarm.median_us <= 20,
    mask_us_p99_le_200: overallWarm.p99_us <= 200,
    ltlguard_ge_0_9x_unconstrained: headline.ltlguard_vs_unconstrained >= 0.9,
    ltlguard_ge_3x_gbnf: headline.ltlguard_vs_gbnf === null ? null : headline.ltlguard_vs_gbnf >= 3,
  };
  const json = {
    benchmark: "decoder",
    quick: input.options.quick,
    machine: info,
    total_s: r3(input.totalS),
    model_load_ms: r3(input.loadMs),
    token_tries_ms: r3(input.trieMs),
    bias_transport: input.transport === "prebuilt" ? "PrebuiltBias: typed arrays built once per mask, handed to the sampler" : "TokenBias map, copied by node-llama-cpp at every sampling step",
    mask_us_median: overallWarm.median_us,
    mask_us_p99: overallWarm.p99_us,
    mask_us_max: overallWarm.max_us,
    mask_steps: overallWarm.steps,
    mask_cold: overallCold,
    mask_warm: overallWarm,
    tokens_per_s: headline.tokens_per_s,
    tokens_per_s_sampling: headline.sampling,
    goals,
    specs,
    throughput: { "qwen3-fitted": fittedSpeed, "qwen3-random": randomSpeed },
    gbnf: grammarInfo === null ? { available: false, error: grammarError } : { available: true, spec: "react", ...grammarInfo },
    feeding: {
      spec: "react",
      model: "qwen3-fitted",
      trajectories: trajectories.map((t) => ({ seed: t.seed, model_tokens: t.modelTokens, environment_tokens: t.environmentTokens })),
      by_sampling: feeding,
      sampler_shift_check: input.shiftCheck,
    },
    settings,
  };
  return { json, markdown: markdown(input, headline, goals) };
}

export function table(header: readonly string[], align: readonly ("l" | "r")[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.join(" | ")} |`, `| ${align.map((a) => (a === "r" ? "---:" : "---")).join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

export const yes = (b: boolean | null): string => (b === null ? "n/a" : b ? "**met**" : "**not met**");

export function markdown(input: ReportInput, headline: SpeedRow, goals: Record<string, boolean | null>): string {
  const { settings, info, specs, overallWarm, overallCold, fittedSpeed, randomSpeed, feeding, trajectories, grammarInfo, grammarError } = input;
  void overallCold;
  const out: string[] = [];
  const runs = settings.maskRuns.map((r) => `seed ${r.seed} at temperature ${r.temperature}`).join(", ");
  out.push("# Decoder: mask time, tokens per second, and how the mask reaches llama.cpp");
  out.push("");
  out.push(
    `Reproduce with \`npm run bench:decoder\`${input.options.quick ? " (this was a \`--quick\` smoke run: fewer specs, runs and tokens)" : ""} (${input.totalS.toFixed(0)} s for this run). ` +
      `${info.cpu} (${info.cores} cores), ${info.memory_gib} GiB, ${info.platform}; Node ${info.node}, node-llama-cpp ${info.node_llama_cpp} (llama.cpp on 1 CPU thread); ltlguard at ${info.commit}; ${info.date}.`,
  );
  out.push("");
  out.push(
    "Models: the project's tiny llama-architecture GGUFs with the real Qwen3 vocabulary (151,936 token ids): `qwen3-fitted` (weights fitted to agent traces, so samples look like traces) and `qwen3-random` (random weights: samples spread over the whole vocabulary). " +
      "The network is tiny (2 layers, 64 dimensions), so a forward pass costs little and fixed per-token costs (sampling over 152k candidates, passing the mask) weigh far more than they would on a real model.",
  );
  out.push("");
  out.push("## 1. One-time compile cost and mask time per spec");
  out.push("");
  out.push(
    `For each spec: the LTL compile (\`compileSpec\`, measured once), then \`ConstrainedDecoder.create\` (compose the byte-level output automaton; build the mask index and precompute its masks). ` +
      `Then generations on \`qwen3-fitted\` (${runs}; at most ${settings.maskMaxTokens} model tokens each; the environment writes fixed text: question "${ENVIRONMENT_TEXT["question"]}", observation "${ENVIRONMENT_TEXT["observation"]}", evaluator "${ENVIRONMENT_TEXT["evaluator"]}", solver "${ENVIRONMENT_TEXT["solver"]}"). ` +
      "*Mask time* is `Generation.maskMicros`: per decoding step, the time to get the step's mask ready for llama.cpp (mask lookup, plus the bias object the first time a mask is used). " +
      `Masks reach llama.cpp as ${input.transport === "prebuilt" ? "`PrebuiltBias` typed arrays (built once per mask)" : "`TokenBias` maps"}. ` +
      "The *cold* columns repeat the same generations on a decoder created with `precompute: false`, so masks are computed when first met (mask-engine.ts: the plain-text slice copied where the state's margin allows, the rest of the token tries walked). *distinct masks*: masks the index holds after precompute (equal masks are stored once).",
  );
  out.push("");
  out.push(
    table(
      ["spec", "LTL compile ms", "event DFA states", "compose ms", "index + precompute ms", "automaton states", "distinct masks", "steps", "masks first used", "mask µs median", "p99", "max", "reused: median / p99", "cold index ms", "cold µs median", "cold p99", "cold max"],
      ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
      [
        ...specs.map((s) => [
          s.spec,
          fmt(s.ltl_compile_ms),
          String(s.event_dfa_states),
          fmt(s.compose_ms),
          fmt(s.index_ms),
          s.automaton_states.toLocaleString("en-US"),
          s.mask_keys.toLocaleString("en-US"),
          String(s.warm.steps),
          String(s.warm.first_use_steps),
          fmt(s.warm.median_us),
          fmt(s.warm.p99_us),
          fmt(s.warm.max_us),
          `${fmt(s.warm.reused_median_us)} / ${fmt(s.warm.reused_p99_us)}`,
          fmt(s.cold.index_ms),
          fmt(s.cold.median_us),
          fmt(s.cold.p99_us),
          fmt(s.cold.max_us),
        ]),
        [
          "**all**",
          "",
          "",
          "",
          "",
          "",
          "",
          "",
          String(overallWarm.steps),
          String(overallWarm.first_use_steps),
          `**${fmt(overallWarm.median_us)}**`,
          `**${fmt(overallWarm.p99_us)}**`,
          fmt(overallWarm.max_us),
          `${fmt(overallWarm.reused_median_us)} / ${fmt(overallWarm.reused_p99_us)}`,
          "",
          fmt(overallCold.median_us),
          fmt(overallCold.p99_us),
          fmt(overallCold.max_us),
        ],
      ],
    ),
  );
  out.push("");
  out.push(
    `Goals, over all steps: median ≤ 20 µs: ${yes(goals["mask_us_median_le_20"]!)} (${fmt(overallWarm.median_us)} µs); p99 ≤ 200 µs: ${yes(goals["mask_us_p99_le_200"]!)} (${fmt(overallWarm.p99_us)} µs). ` +
      `Over the steps whose mask had been used before (steady state, ${overallWarm.steps - overallWarm.first_use_steps} of ${overallWarm.steps} steps): median ${fmt(overallWarm.reused_median_us)} µs, p99 ${fmt(overallWarm.reused_p99_us)} µs. ` +
      `A first use costs ${fmt(overallWarm.first_use_median_us)} µs (median): ${fmt(overallWarm.first_use_mask_median_us)} µs in \`maskFor\` and ${fmt(overallWarm.first_use_bias_median_us)} µs building the mask's bias object; the ${overallWarm.big_first_use_steps} first uses of masks listing more than 10,000 tokens (the ≈53k-token allow-lists right after a tag's colon, and lists near a text segment's byte limit; see the notes) took ${fmt(overallWarm.big_first_use_median_us)} µs each (median).`,
  );
  out.push("");
  out.push(
    `The token tries over the vocabulary (shared by every spec, cached per vocabulary) were built once before this table, in ${fmt(input.trieMs)} ms; the first spec's LTL compile includes warming up the JIT.`,
  );
  out.push("");
  out.push(
    "*mask keys*: distinct keys over the automaton's tag and content states (two states with one key allow exactly the same tokens: an upper bound on the distinct masks); " +
      "*distinct masks*: the masks the index holds right after precompute (equal parts shared), as its `stats()` reports; " +
      "*masks first used*: steps whose mask had not been used before on this decoder (its bias object is built then); *reused*: all other steps.",
  );
  out.push("");
  const withArguments = specs.filter((s) => s.arguments !== null);
  if (withArguments.length > 0) {
    out.push("### JSON-Schema arguments");
    out.push("");
    out.push(
      "The states inside `json args(action)` segments, evenly sampled, in the sampled order: *computed* is `maskFor` + `biasFor` on a fresh index (`precompute: false`), so the mask is computed on demand, plus the backend's token list; *engine* is the same states through the public engine API as `npm run bench:maskbench` measures it (`constraintFromOutput`, nothing precomputed: the bitmask computed on demand and copied out), the code path of every mask; *cached* is the same lookup once the mask exists, what a generation pays in steady state. " +
        "The specs bind the example tools (calculator, search, clock), or six function-calling tools with nested objects, enums, patterns, bounded arrays and integer ranges (`benchmarks/function-tools.ts`). Goal: median ≤ 50 µs.",
    );
    out.push("");
    out.push(
      table(
        ["spec", "argument states", "sampled", "computed µs median", "computed p99", "cached µs median", "cached p99", "engine µs median", "engine p99", "engine max", "engine cached median"],
        ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
        withArguments.map((s) => [
          s.spec,
          s.arguments!.states.toLocaleString("en-US"),
          String(s.arguments!.sampled),
          fmt(s.arguments!.computed_median_us),
          fmt(s.arguments!.computed_p99_us),
          fmt(s.arguments!.cached_median_us),
          fmt(s.arguments!.cached_p99_us),
          fmt(s.arguments!.engine_computed_median_us),
          fmt(s.arguments!.engine_computed_p99_us),
          fmt(s.arguments!.engine_computed_max_us),
          fmt(s.arguments!.engine_cached_median_us),
        ]),
      ),
    );
    out.push("");
  }

  out.push("## 2. Tokens per second");
  out.push("");
  out.push(
    `Same model, same prompt, same number of sampled tokens (${settings.speedTokens} per mode per round on \`qwen3-fitted\`, ${settings.randomTokens} on \`qwen3-random\`), the modes alternating within each round (the order rotates each round); median over ${settings.speedRounds} rounds (${settings.randomRounds} on the random model), after a warm-up run of each mode; the ratios are medians of the same round's ratios, with the smallest and largest round in parentheses:`,
  );
  out.push("");
  out.push(
    `- **unconstrained**: \`sequence.evaluate\` after the prompt \`<|endoftext|>Question: ${ENVIRONMENT_TEXT["question"]}\\n\` (the question segment), no bias; a generation that ends starts over (new seed) until the token count is reached.`,
  );
  out.push(
    "- **ltlguard**: a `Generation` on specs/react.ltl, the environment writing the question and the observations; only tokens sampled by llama.cpp are counted (not the environment's, not the tokens the spec forces, which are appended without a sampling step); time is the time spent in `Generation.run`. " +
      "*ltlguard output tok/s* counts the forced tokens too.",
  );
  out.push(
    "- **GBNF**: `llama.createGrammar({grammar: outputToGbnf(automaton)})` for the same react automaton, `LlamaGrammarEvaluationState` passed to `sequence.evaluate`, same prompt (its tokens accepted into the grammar state first). " +
      "A grammar cannot pause for the environment, so here the model also writes the observation segments (the grammar's default `environment: \"include\"`).",
  );
  out.push("");
  const speedTable = (rows: readonly SpeedRow[]): string =>
    table(
      ["sampling", "unconstrained tok/s", "ltlguard tok/s", "GBNF tok/s", "ltlguard / unconstrained", "ltlguard / GBNF", "ltlguard output tok/s", "ms/token: unconstrained / ltlguard / GBNF"],
      ["l", "r", "r", "r", "r", "r", "r", "r"],
      rows.map((r) => [
        r.sampling,
        fmt(r.tokens_per_s.unconstrained),
        fmt(r.tokens_per_s.ltlguard),
        fmt(r.tokens_per_s.gbnf),
        `**${fmt(r.ltlguard_vs_unconstrained)}×** (${fmt(r.ltlguard_vs_unconstrained_range[0])}–${fmt(r.ltlguard_vs_unconstrained_range[1])})`,
        r.ltlguard_vs_gbnf === null || r.ltlguard_vs_gbnf_range === null ? "—" : `**${fmt(r.ltlguard_vs_gbnf)}×** (${fmt(r.ltlguard_vs_gbnf_range[0])}–${fmt(r.ltlguard_vs_gbnf_range[1])})`,
        fmt(r.ltlguard_output_tokens_per_s),
        `${fmt(r.ms_per_token.unconstrained)} / ${fmt(r.ms_per_token.ltlguard)} / ${fmt(r.ms_per_token.gbnf)}`,
      ]),
    );
  out.push("### qwen3-fitted");
  out.push("");
  out.push(speedTable(fittedSpeed));
  out.push("");
  out.push(
    `Headline (${headline.sampling}): ltlguard ≥ 0.9× unconstrained: ${yes(goals["ltlguard_ge_0_9x_unconstrained"]!)} (${fmt(headline.ltlguard_vs_unconstrained)}×, rounds ${fmt(headline.ltlguard_vs_unconstrained_range[0])}–${fmt(headline.ltlguard_vs_unconstrained_range[1])}; counting the forced tokens too, ${fmt(headline.ltlguard_output_tokens_per_s / headline.tokens_per_s.unconstrained)}×); ≥ 3× GBNF: ${yes(goals["ltlguard_ge_3x_gbnf"]!)}${headline.ltlguard_vs_gbnf === null ? "" : ` (${fmt(headline.ltlguard_vs_gbnf)}× on this model, whose samples are mostly valid; see the random model below)`}.`,
  );
  out.push("");
  const sameStates = feeding.find((g) => g.sampling === headline.sampling)?.rows.find((r) => r.mode === "hybrid");
  if (sameStates !== undefined) {
    out.push(
      `On identical states (section 3, ${headline.sampling}), the decoder's cost over sampling with no mask at all is ${fmt(sameStates.vs_floor)}× per token, i.e. ${fmt(1 / sameStates.vs_floor)}× the unconstrained speed; the free-running ratio above also differs because the texts differ (unconstrained, the model writes whatever it likes, including observations) and ltlguard's time includes evaluating the environment's and the forced tokens, which are not counted.`,
    );
    out.push("");
  }
  out.push("### qwen3-random (samples almost never valid: the grammar engine's worst case)");
  out.push("");
  out.push(speedTable(randomSpeed));
  out.push("");
  if (grammarInfo !== null) {
    out.push(
      `The react grammar: ${grammarInfo.chars.toLocaleString("en-US")} characters, ${grammarInfo.rules} rules; \`outputToGbnf\` took ${fmt(grammarInfo.build_ms)} ms, \`llama.createGrammar\` ${fmt(grammarInfo.create_ms)} ms and the first \`LlamaGrammarEvaluationState\` ${fmt(grammarInfo.first_state_ms)} ms (compare ltlguard's compose + index + precompute for react in section 1).`,
    );
  } else {
    out.push(`GBNF was not measured: ${grammarError ?? "outputToGbnf is not available"}.`);
  }
  out.push("");

  out.push("## 3. How the mask reaches llama.cpp");
  out.push("");
  out.push(
    `The same states for every option: ${trajectories.length} react trajectories recorded on \`qwen3-fitted\` (temperature 0.7; ${trajectories.map((t) => `${t.modelTokens} model + ${t.environmentTokens} environment tokens`).join(", ")}) are replayed token by token: ` +
      "at each model step the option feeds the step's mask and llama.cpp samples, then the recorded token is fed instead of the sample, so every option sees the same contexts and masks. " +
      "Steps the spec forces (one allowed token) are appended without sampling, as the decoder does, except under GBNF, which has no such shortcut and samples every token. " +
      `ms/token = wall time / model-written tokens; median over ${settings.replayRounds} rounds, options alternating (filtered logits: ${settings.filteredRounds} round on ${settings.filteredTrajectories} trajectory, it is far slower). ` +
      "*violations*: sampled tokens the mask forbids (for the floor: how often an unconstrained sample would be invalid); *fallbacks*: re-samples after a rejected first sample.",
  );
  out.push("");
  for (const group of feeding) {
    out.push(`### ${group.sampling}`);
    out.push("");
    out.push(
      table(
        ["option", "exact?", "ms/token", "vs floor", "ms/token per round", "sampling steps (all rounds)", "fallbacks", "violations"],
        ["l", "l", "r", "r", "r", "r", "r", "r"],
        group.rows.map((r) => [
          r.label,
          r.exact,
          r.ms_per_token_without_clone === null ? fmt(r.ms_per_token) : `${fmt(r.ms_per_token)} (${fmt(r.ms_per_token_without_clone)} without the clone)`,
          `${fmt(r.vs_floor)}×`,
          r.ms_per_token_rounds.map(fmt).join(", "),
          String(r.sampling_steps),
          r.ms_per_fallback === null ? String(r.fallbacks) : `${r.fallbacks} (≈${fmt(r.ms_per_fallback)} ms each)`,
          String(r.violations),
        ]),
      ),
    );
    out.push("");
    out.push(`Where the decoder's extra time goes under ${group.sampling} (per sampling step, paired with the floor on the same step; medians over rounds):`);
    out.push("");
    out.push(
      table(
        ["list passed to llama.cpp", "sampling steps", "floor ms (median)", "decoder ms (median)", "extra ms (median of pairs)", "extra ms (sum over the steps)"],
        ["l", "r", "r", "r", "r", "r"],
        group.steps_by_mask.map((b) => [b.bucket, String(b.steps), fmt(b.floor_ms_median), fmt(b.decoder_ms_median), fmt(b.extra_ms_median), fmt(b.extra_ms_sum)]),
      ),
    );
    out.push("");
  }
  out.push(...feedingConclusion(feeding, input.shiftCheck));
  out.push("");
  out.push("## Notes");
  out.push("");
  out.push(...notes(input));
  out.push("");
  return out.join("\n");
}

export const isExact = (row: FeedRow): boolean => row.exact.startsWith("exact");
/** Differences below this fraction are treated as noise in the written conclusions. */
export const NOISE = 0.1;

export function feedingConclusion(feeding: ReportInput["feeding"], shiftCheck: ShiftCheck | null): string[] {
  const lines: string[] = ["**Which option wins.**", ""];
  for (const group of feeding) {
    const exact = group.rows.filter(isExact).sort((a, b) => a.ms_per_token - b.ms_per_token);
    const hybrid = group.rows.find((r) => r.mode === "hybrid");
    const best = exact[0];
    if (best === undefined || hybrid === undefined) continue;
    const others = exact
      .filter((r) => r !== best)
      .map((r) => `${r.mode} ${fmt(r.ms_per_token)}`)
      .join(", ");
    const floorRow = group.rows.find((r) => r.mode === "none");
    // Paired per round: the options alternate within a round, so same-round pairs cancel slow drifts in load.
    const pair = (a: FeedRow, b: FeedRow) => {
      const n = Math.min(a.ms_per_token_rounds.length, b.ms_per_token_rounds.length);
      const ratios = Array.from({ length: n }, (_, i) => b.ms_per_token_rounds[i]! / a.ms_per_token_rounds[i]!);
      return { n, aFaster: ratios.filter((x) => x > 1).length, ratio: median(ratios) };
    };
    /** Whether `a` is faster than `b` beyond noise: in at least 80% of the paired rounds, and by more than NOISE/2 in the median ratio. */
    const clearlyFaster = (a: FeedRow, b: FeedRow): boolean => {
      const p = pair(a, b);
      return p.n >= 3 && p.aFaster >= Math.ceil(0.8 * p.n) && p.ratio > 1 + NOISE / 2;
    };
    const describe = (a: FeedRow, b: FeedRow): string => {
      const p = pair(a, b);
      return `${a.mode} faster in ${p.aFaster} of ${p.n} paired rounds, median ratio ${fmt(p.ratio)}`;
    };
    let verdict: string;
    if (best.mode === "hybrid") {
      const second = exact[1];
      verdict =
        second === undefined
          ? "the decoder's allow-or-ban list is the fastest exact option"
          : clearlyFaster(best, second)
            ? `the decoder's allow-or-ban list is the fastest exact option (vs ${second.mode}: ${describe(best, second)})`
            : `the decoder's allow-or-ban list is the fastest exact option by the medians, with ${second.mode} within noise of it (${describe(best, second)})`;
    } else {
      verdict = clearlyFaster(best, hybrid)
        ? `**${best.mode} is faster than the decoder's allow-or-ban list** (${fmt(best.ms_per_token)} vs ${fmt(hybrid.ms_per_token)} ms/token; ${describe(best, hybrid)}) and exact under this sampling`
        : `${best.mode} (${fmt(best.ms_per_token)} ms/token) and the decoder's allow-or-ban list (${fmt(hybrid.ms_per_token)}) are within noise of each other (${describe(best, hybrid)})`;
    }
    lines.push(`- ${group.sampling}: ${verdict}; exact options, ms/token: ${best.mode} ${fmt(best.ms_per_token)}${others === "" ? "" : `, ${others}`}.`);
    const belowFloor = floorRow === undefined ? [] : group.rows.filter((r) => r.mode !== "none" && pair(r, floorRow).aFaster > pair(r, floorRow).n / 2);
    if (belowFloor.length > 0 && shiftCheck !== null && shiftCheck.sampling === group.sampling) {
      lines.push(
        `  ${belowFloor.map((r) => `${r.mode} (${describe(r, floorRow!)})`).join(", ")} ran faster than the floor in most rounds: passing a list cannot save time by itself, so llama.cpp's sampler must run faster on the biased logits. ` +
          `Sampler check (unconstrained generation, ${shiftCheck.sampling}, ${shiftCheck.tokens} tokens, median of ${shiftCheck.rounds} alternating rounds): no bias ${fmt(shiftCheck.no_bias_ms_per_token)} ms/token; +${ALLOW_LIST_LOGIT} on every token ${fmt(shiftCheck.uniform_shift_ms_per_token)}; +${ALLOW_LIST_LOGIT} on the ${shiftCheck.free_text_allowed_tokens.toLocaleString("en-US")} tokens a free-text mask allows ${fmt(shiftCheck.free_text_allow_list_ms_per_token)}. ` +
          "With top-k off, node-llama-cpp gives llama.cpp a top-k stage with k = the whole vocabulary, which orders all 151,936 candidates at every step; its cost depends on the values, and lifting most tokens 1000 above the rest changes it (we measured this, we did not trace why). " +
          "An allow-list in free text is exact like the decoder's ban-list there, so under plain temperature sampling the decoder could take this gain by listing the allowed side in free text, at the price of passing ~150k entries per step (prebuilt once per mask).",
      );
    }
  }
  lines.push("");
  lines.push(
    "Why the decoder passes the mask as a token bias listing the smaller side: it is exact under every sampling setting (temperature, top-k and top-p then act on the masked distribution), needs one forward pass per token, and costs in proportion to the tokens listed at every sampling step. " +
      "Always listing the allowed tokens pays for ~150k entries in free text, always banning pays for ~150k entries where only a few tokens are allowed (tags, tool names); " +
      "filtered logits move a whole-vocabulary map (or a linear-search filter) into JavaScript per token; sampling first needs a second forward pass (erase and re-decode) at every rejection and is not exact with top-k/top-p; " +
      "node-llama-cpp's GBNF engine also samples first and applies the grammar to all 152k candidates on a rejection (the same exactness caveat), which is cheap while the model's samples are valid and expensive when they are not (section 2, random model).",
  );
  return lines;
}

export function notes(input: ReportInput): string[] {
  const { specs, overallWarm, fittedSpeed, feeding } = input;
  const lines: string[] = [];
  const plain = fittedSpeed.find((r) => r.sampling === PLAIN.name);
  const truncated = fittedSpeed.find((r) => r.sampling === TRUNCATED.name);
  const greedy = fittedSpeed.find((r) => r.sampling === GREEDY.name);
  lines.push(
    "- **The model is tiny.** Its forward pass is about a millisecond on one thread; a real 0.5–8B model takes 10–100× longer per token, while the costs measured here (mask lookup, passing the bias, sampling over 152k candidates, the grammar engine) do not grow with the model. Ratios against unconstrained decoding are therefore pessimistic for every constrained mode, and absolute differences in ms/token are what carries over.",
  );
  if (plain !== undefined && (truncated !== undefined || greedy !== undefined)) {
    const other = truncated ?? greedy!;
    lines.push(
      `- **Plain temperature sampling is expensive on a 152k vocabulary.** Unconstrained, ${fmt(plain.ms_per_token.unconstrained)} ms/token at ${plain.sampling} vs ${fmt(other.ms_per_token.unconstrained)} ms/token at ${other.sampling}: with top-k off, node-llama-cpp 3.22.1 still gives llama.cpp a top-k stage, with k = the whole vocabulary, which orders all 151,936 candidates at every step; that dominates the step on this model and hides the other costs.`,
    );
  }
  const firstUse = overallWarm.first_use_median_us;
  const react = specs.find((s) => s.spec === "react");
  lines.push(
    `- **Where mask time goes.** A step whose mask was used before costs ${fmt(overallWarm.reused_median_us)} µs (median: the mask lookup and the cached bias object). ` +
      `The first use of a mask in a generation costs ${fmt(firstUse)} µs (median), of which ${fmt(overallWarm.first_use_mask_median_us)} µs is \`maskFor\` and ${fmt(overallWarm.first_use_bias_median_us)} µs building the bias object for llama.cpp (built lazily, once per mask); ` +
      `the ${overallWarm.big_first_use_steps} first uses of masks listing more than 10,000 tokens took ${fmt(overallWarm.big_first_use_median_us)} µs (median). ` +
      (react !== undefined
        ? `react's ${react.automaton_states.toLocaleString("en-US")} automaton states have only ${react.mask_keys.toLocaleString("en-US")} distinct masks after precompute (equal masks stored once). `
        : "") +
      `The same lookup in a tight loop over all states takes ${fmt(median(specs.map((s) => s.hot_lookup_us_median)))} µs (median over specs, timer included): inside a generation it runs right after llama.cpp's decode and sampling, with the JavaScript data out of the CPU caches, and that is most of its cost. ` +
      `${overallWarm.first_use_steps} of ${overallWarm.steps} steps here were first uses; longer or repeated generations on one decoder reuse more. ` +
      `Cold (no precompute), the first use of a mask computes it (slice copy or short walks): ${fmt(input.overallCold.first_use_median_us)} µs median, ${fmt(input.overallCold.max_us)} µs at most.`,
  );
  const sizes =
    "≈1.2k banned tokens inside free text (tokens with a newline inside, unused ids, bytes that cannot start a character), but ≈53k allowed tokens right after a tag's colon, where the next byte must be the tag's space (every token that starts with a space), " +
    "and growing lists near a text segment's byte limit, where long tokens no longer fit (the banned side grows to tens of thousands, then the mask flips to a shrinking allow-list). " +
    `In section 1, ${overallWarm.steps_listing_over_2000} of ${overallWarm.steps} steps listed more than 2,000 tokens and ${overallWarm.steps_listing_over_10000} more than 10,000`;
  lines.push(
    input.transport === "prebuilt"
      ? `- **Not in the mask time:** what llama.cpp does with the list at each sampling step. The decoder hands it prebuilt typed arrays (\`PrebuiltBias\`, built once per mask, through a patch of node-llama-cpp's internal \`_resolveSamplerConfig\`), so JavaScript no longer copies the list per step; the native sampler still compares the list with the previous step's, rebuilds its logit-bias stage when it changed, and applies it, all in proportion to the listed tokens: ${sizes}. That cost shows in sections 2 and 3 (allow-always and ban-always use the same transport).`
      : `- **Not in the mask time:** node-llama-cpp converts the TokenBias map to typed arrays at every sampling step, in proportion to the listed tokens: ${sizes}. That cost shows in sections 2 and 3.`,
  );
  const truncatedFeeding = feeding.find((g) => g.sampling === TRUNCATED.name) ?? feeding[0];
  const sampleFirst = truncatedFeeding?.rows.find((r) => r.mode === "sample-first");
  const floor = truncatedFeeding?.rows.find((r) => r.mode === "none");
  if (sampleFirst !== undefined && floor !== undefined) {
    lines.push(
      `- **How often the fitted model's own sample is invalid:** ${floor.violations} of ${floor.sampling_steps} sampling steps (${fmt((100 * floor.violations) / Math.max(1, floor.sampling_steps))}%) under ${truncatedFeeding!.sampling}; sample-first fell back ${sampleFirst.fallbacks} times. Each fallback costs a second forward pass, as node-llama-cpp only gives logits again by erasing and re-decoding the last token.`,
    );
  }
  lines.push(
    "- **GBNF runs differ in shape, not language.** Free-running (section 2), the grammar cannot pause for the environment, so the model writes the observations itself; in the replay (section 3) the recorded environment tokens are accepted into the grammar state, and a grammar state is cloned per step so that the recorded token (not the sample) can be accepted: the clone time is shown separately.",
  );
  lines.push(
    `- **Noise.** Two cores shared with other work (load average ${input.info["load_average_at_start"]} at the start of this run, ${input.info["load_average_at_end"]} at the end: 1, 5, 15 minutes), 1 llama.cpp thread. Modes alternate within each round and the tables give medians over rounds; the written verdicts compare options round by round (a win needs at least 80% of the paired rounds and a median ratio above ${1 + NOISE / 2}). Plain temperature sampling (sort-dominated) is the noisiest.`,
  );
  return lines;
}
