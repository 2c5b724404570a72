/**
 * Reads the fenced code blocks of the project's Markdown files, with the marker comment that may
 * precede each one, so that the doc tests can check every block against what it claims to show.
 *
 * Markers (an HTML comment on the line just before the fence; invisible when rendered):
 * - `<!-- example: examples/x.ts -->`: the block is that file, verbatim (`npm run docs:examples`
 *   rewrites the block from the file); the file is run by the tests.
 * - `<!-- excerpt: specs/x.ltl -->`: every line of the block (comments and spacing aside) is a
 *   line of that file.
 * - `<!-- not run: <reason> -->`: a console block whose commands are too slow for the suite; its
 *   commands are still parsed by the CLI.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface CodeBlock {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's info string (language), e.g. `ts`, `console`, `ltl`; empty when none. */
  readonly language: string;
  readonly body: string;
  readonly marker?: { readonly kind: "example" | "excerpt" | "not run"; readonly value: string };
}

const MARKER = /^<!--\s*(example|excerpt|not run):\s*(.*?)\s*-->\s*$/;

export function codeBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    let end = i + 1;
    while (end < lines.length && !(lines[end]!.startsWith(indent + fence) && lines[end]!.trim() === fence)) end++;
    const body = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join("\n");
    const previous = i > 0 ? MARKER.exec(lines[i - 1]!.trim()) : null;
    blocks.push({
      file,
      line: i + 1,
      language: info.trim().split(/\s+/)[0] ?? "",
      body: body.length > 0 ? body + "\n" : body,
      ...(previous !== null ? { marker: { kind: previous[1] as "example" | "excerpt" | "not run", value: previous[2]! } } : {}),
    });
    i = end;
  }
  return blocks;
}

/** The Markdown files whose blocks are checked: the README, docs/, and the READMEs of src/, models/, examples/, specs/, benchmarks/. */
export function markdownFiles(root: string): string[] {
  const out = ["README.md"];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(join(root, dir));
    } catch {
      return;
    }
    for (const entry of entries.sort()) {
      const path = join(dir, entry);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (entry.endsWith(".md") && (dir.startsWith("docs") || entry === "README.md")) out.push(relative(root, join(root, path)));
    }
  };
  for (const dir of ["docs", "src", "models", "examples", "specs", "benchmarks"]) walk(dir);
  return [...new Set(out)];
}

/**
 * Splits a shell command line into words, the way a POSIX shell would for the simple commands the
 * docs show: single and double quotes, backslash escapes, and `#` comments outside quotes.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new Error(`unclosed ' in: ${line}`);
      word += line.slice(i + 1, close);
      started = true;
      i = close;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        word += line[i];
        i++;
      }
      if (i >= line.length) throw new Error(`unclosed " in: ${line}`);
      started = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(word);
      word = "";
      started = false;
    } else if (c === "#" && !started) {
      break;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

/** Joins continuation lines (a trailing backslash) and drops blank and comment-only lines. */
export function shellCommands(body: string): string[] {
  const joined = body.replace(/\\\n\s*/g, " ");
  return joined
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}
