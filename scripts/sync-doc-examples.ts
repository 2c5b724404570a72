// Rewrites every Markdown code block marked `<!-- example: <file> -->` with that file's contents,
// so the docs show exactly the code the tests run (tests/docs/code-blocks.test.ts).
// Usage: npm run docs:examples [-- --check]   (--check: report stale blocks, change nothing, exit 1 if any)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { codeBlocks, markdownFiles } from "../tests/support/markdown.js";

const root = join(import.meta.dirname, "..");
const check = process.argv.includes("--check");
let stale = 0;
for (const file of markdownFiles(root)) {
  const blocks = codeBlocks(root, file).filter((b) => b.marker?.kind === "example");
  if (blocks.length === 0) continue;
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  // From the last block up, so earlier line numbers stay valid.
  for (const block of [...blocks].reverse()) {
    const wanted = readFileSync(join(root, block.marker!.value), "utf8").replace(/\n$/, "");
    if (wanted + "\n" === block.body) continue;
    stale++;
    process.stdout.write(`${file}:${block.line}: ${check ? "differs from" : "rewritten from"} ${block.marker!.value}\n`);
    const open = block.line - 1;
    let close = open + 1;
    while (lines[close]!.trim() !== "```") close++;
    lines.splice(open + 1, close - open - 1, ...wanted.split("\n"));
  }
  if (!check) writeFileSync(join(root, file), lines.join("\n"));
}
process.stdout.write(`${stale} block(s) ${check ? "stale" : "updated"}\n`);
if (check && stale > 0) process.exitCode = 1;
