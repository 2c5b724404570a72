/**
 * Every code block in the README and the docs is checked against what it shows:
 * - TypeScript/JavaScript blocks are files under examples/ (verbatim, marked `<!-- example: … -->`),
 *   and each example file runs to completion;
 * - console blocks are run, and what they print must match (times and durations aside);
 * - shell blocks are parsed by the real command line (unknown options, missing values and unknown
 *   npm scripts fail), and command synopses list only options the commands have, with the right arity;
 * - spec blocks (`ltl`) compile, or are excerpts of a spec file that does.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { createProgram } from "../../src/cli/main.js";
import { compileSpec } from "../../src/ltl/analysis.js";
import { parseSpec } from "../../src/ltl/spec.js";
import { usesTools } from "../../src/ltl/tool-calls.js";
import { bindToolRegistry } from "../../src/grammars/tools.js";
import { exampleTools } from "../../src/agents/example-tools.js";
import { ToolRegistry } from "../../src/agents/tools.js";
import { codeBlocks, markdownFiles, shellCommands, shellWords, type CodeBlock } from "../support/markdown.js";

const REPO = join(import.meta.dirname, "..", "..");
const BLOCKS = markdownFiles(REPO).flatMap((file) => codeBlocks(REPO, file));
const LANGUAGES = new Set(["ts", "js", "console", "sh", "ltl", "text", "json"]);
const where = (block: CodeBlock): string => `${block.file}:${block.line}`;

/** A program whose commands parse their options but do nothing. */
function dryProgram(): { program: Command; errors: string[] } {
  const errors: string[] = [];
  const program = createProgram({ stdout: () => {}, stderr: (text) => errors.push(text), exitCode: 0 });
  for (const command of program.commands) command.action(() => {});
  return { program, errors };
}

/** Parses `ltlguard <args>` with the real option definitions; returns the error text, or undefined when it parses. */
async function parseOnly(args: readonly string[]): Promise<string | undefined> {
  const { program, errors } = dryProgram();
  try {
    await program.parseAsync([...args], { from: "user" });
    return undefined;
  } catch (error) {
    return errors.join("") || String(error);
  }
}

/** Checks one simple shell command the docs show; returns what is wrong, or undefined. */
async function checkShellCommand(words: readonly string[]): Promise<string | undefined> {
  const [first, second, ...rest] = words;
  if (first === "npx" && second === "ltlguard") return parseOnly(rest);
  if (first === "npm" && second === "run") {
    const scripts = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).scripts as Record<string, string>;
    return rest[0] !== undefined && rest[0] in scripts ? undefined : `no npm script '${rest[0]}'`;
  }
  if (first === "node" && second !== undefined && !second.startsWith("-")) {
    return existsSync(join(REPO, second)) ? undefined : `no file ${second} (after npm run build)`;
  }
  return undefined;
}

function commandsOf(body: string): string[][] {
  return shellCommands(body).flatMap((line) => line.split(/\s+&&\s+/).map((part) => shellWords(part)));
}

describe("code blocks in the README and the docs", () => {
  it("each block says what it is (a language the doc tests know)", () => {
    const unknown = BLOCKS.filter((b) => !LANGUAGES.has(b.language)).map((b) => `${where(b)} (${b.language || "no language"})`);
    expect(unknown).toEqual([]);
  });

  it("TypeScript and JavaScript blocks are example files, verbatim", () => {
    const problems: string[] = [];
    for (const block of BLOCKS.filter((b) => b.language === "ts" || b.language === "js")) {
      if (block.marker?.kind !== "example") {
        problems.push(`${where(block)}: mark it <!-- example: examples/<file> --> and keep the code in that file`);
        continue;
      }
      const path = join(REPO, block.marker.value);
      if (!existsSync(path)) problems.push(`${where(block)}: no file ${block.marker.value}`);
      else if (readFileSync(path, "utf8") !== block.body) problems.push(`${where(block)}: differs from ${block.marker.value} (run npm run docs:examples)`);
    }
    expect(problems).toEqual([]);
  });

  it("spec blocks compile, or are excerpts of spec files that parse", () => {
    const problems: string[] = [];
    const normalize = (line: string): string => line.replace(/#.*$/, "").replace(/\s+/g, " ").trim();
    for (const block of BLOCKS.filter((b) => b.language === "ltl")) {
      try {
        if (block.marker?.kind === "excerpt") {
          const fileText = readFileSync(join(REPO, block.marker.value), "utf8");
          parseSpec(fileText, { file: block.marker.value });
          const lines = new Set(fileText.split("\n").map(normalize));
          for (const line of block.body.split("\n").map(normalize)) {
            if (line !== "" && !lines.has(line)) problems.push(`${where(block)}: '${line}' is not a line of ${block.marker.value}`);
          }
        } else {
          let spec = parseSpec(block.body, { file: where(block) });
          if (usesTools(spec)) spec = bindToolRegistry(spec, new ToolRegistry(exampleTools()).signatures());
          compileSpec(spec);
        }
      } catch (error) {
        problems.push(`${where(block)}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("shell blocks parse: ltlguard options exist and have their values, npm scripts and files exist", async () => {
    const problems: string[] = [];
    for (const block of BLOCKS.filter((b) => b.language === "sh")) {
      for (const words of commandsOf(block.body)) {
        const problem = await checkShellCommand(words);
        if (problem !== undefined) problems.push(`${where(block)}: ${words.join(" ")}: ${problem.trim()}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("command synopses list only options the commands have, with the arity they have", () => {
    const { program } = dryProgram();
    const problems: string[] = [];
    for (const block of BLOCKS.filter((b) => b.language === "text")) {
      // A synopsis line starts with `npx ltlguard <command>`; indented lines continue it.
      const entries: string[] = [];
      for (const line of block.body.split("\n")) {
        if (/^npx ltlguard \w/.test(line)) entries.push(line);
        else if (/^\s+\S/.test(line) && entries.length > 0) entries[entries.length - 1] += " " + line.trim();
      }
      for (const entry of entries) {
        const name = entry.split(/\s+/)[2]!;
        const command = program.commands.find((c) => c.name() === name);
        if (command === undefined) {
          problems.push(`${where(block)}: no command '${name}'`);
          continue;
        }
        for (const match of entry.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)(?:[ =]([^\s\]]+))?/g)) {
          const flag = match[1]!;
          const option = command.options.find((o: Option) => o.long === flag || o.short === flag);
          if (option === undefined) {
            problems.push(`${where(block)}: '${name}' has no option ${flag}`);
            continue;
          }
          const next = match[2];
          const showsValue = next !== undefined && /^(<|"|…|[A-Z]+\b|[a-z]+(\|[a-z]+)+)/.test(next);
          const takesValue = option.required || option.optional;
          if (showsValue !== takesValue) {
            problems.push(`${where(block)}: ${name} ${flag} ${takesValue ? "takes a value" : "is a flag without a value"}, the synopsis shows it ${showsValue ? "with" : "without"} one`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

/**
 * Runs a command without blocking this worker (a blocked worker cannot report to vitest, which
 * then fails the run with an RPC timeout on a busy machine where an example takes over a minute).
 */
function runAsync(file: string, args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string; error: Error | undefined }> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd: REPO, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failed = error as (Error & { code?: unknown; killed?: boolean }) | null;
      // A nonzero exit is a status, not an error; a kill (timeout) or a failure to start is.
      const status = failed === null ? 0 : typeof failed.code === "number" ? failed.code : null;
      resolve({ status, stdout, stderr, error: failed !== null && status === null ? failed : undefined });
    });
  });
}

/** `$ command` lines and what each prints, from a console block. */
function consoleSessions(body: string): { command: string; output: string }[] {
  const sessions: { command: string; output: string[] }[] = [];
  for (const line of body.replace(/\n$/, "").split("\n")) {
    if (line.startsWith("$ ")) sessions.push({ command: line.slice(2), output: [] });
    else sessions.at(-1)?.output.push(line);
  }
  return sessions.map((s) => ({ command: s.command, output: s.output.join("\n") }));
}

/** What differs between runs: times in file names, durations. */
function normalizeOutput(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z/g, "<time>")
    .replace(/\d+(\.\d+)? (ms|s)\b/g, "<duration>")
    .replace(/[ \t]+$/gm, "")
    .trimEnd();
}

describe("console blocks print what they show", () => {
  const consoleBlocks = BLOCKS.filter((b) => b.language === "console");
  for (const block of consoleBlocks) {
    for (const { command, output } of consoleSessions(block.body)) {
      it(`${where(block)}: ${command}`, async () => {
        const words = shellWords(command);
        expect(words.slice(0, 2), "console blocks show `npx ltlguard …` commands").toEqual(["npx", "ltlguard"]);
        expect(await parseOnly(words.slice(2))).toBeUndefined();
        if (block.marker?.kind === "not run") return;
        const before = new Set(readdirSync(REPO));
        const run = await runAsync(process.execPath, [join(REPO, "bin", "ltlguard.js"), ...words.slice(2)]);
        for (const entry of readdirSync(REPO)) if (!before.has(entry)) rmSync(join(REPO, entry), { recursive: true, force: true });
        expect(normalizeOutput(run.stdout + run.stderr)).toBe(normalizeOutput(output));
      });
    }
  }
});

describe("the README's first commands", () => {
  it("are the two commands CI runs, verbatim, with no extra environment", () => {
    const first = BLOCKS.find((b) => b.file === "README.md");
    expect(first?.language).toBe("sh");
    const commands = shellCommands(first!.body).map((line) => line.replace(/\s+#.*$/, ""));
    expect(commands).toEqual(["npm install && npm run demo", "npm test"]);
    const ci = readFileSync(join(REPO, ".ci", "run"), "utf8");
    const ciCommands = ci.split("\n").filter((line) => /^npm /.test(line));
    expect(ciCommands).toEqual(commands);
    expect(ci).not.toMatch(/^\s*export\s/m);
  });
});

describe("example files run", () => {
  const examples = new Set(BLOCKS.filter((b) => b.marker?.kind === "example").map((b) => b.marker!.value));
  for (const example of [...examples].sort()) {
    it(example, async () => {
      const tsx = join(REPO, "node_modules", ".bin", "tsx");
      const run = await runAsync(tsx, [join(REPO, example)]);
      expect(run.error, String(run.error)).toBeUndefined();
      expect(run.status, run.stderr).toBe(0);
      // A module for `--env-module`/`--strategy-module` only has to load here (its CLI test runs it);
      // a script must show what it did.
      const isModule = /^export default /m.test(readFileSync(join(REPO, example), "utf8"));
      if (!isModule) expect(run.stdout.trim().length).toBeGreaterThan(0);
    });
  }
});
