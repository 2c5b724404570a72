import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomically } from "./io.js";

/** What `plan --screenshots` shows about one episode. */
export interface PlanReport {
  readonly title: string;
  /** Lines under the title: the verdict, the plan, what was spent. */
  readonly summary: readonly string[];
  /** The search tree as SVG (the chosen path highlighted). */
  readonly treeSvg: string;
  /** One picture per state of the chosen path, from the start. */
  readonly pictures: readonly { readonly caption: string; readonly png: Uint8Array }[];
}

/**
 * Writes `dir/step-NN.png` (one per state of the chosen path), `dir/tree.svg` and `dir/index.html`,
 * which shows the tree beside the steps. Returns the files written.
 */
export function writePlanReport(dir: string, report: PlanReport): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const steps = report.pictures.map((picture, i) => {
    const name = `step-${String(i).padStart(2, "0")}.png`;
    writeFileSync(join(dir, name), picture.png);
    files.push(name);
    return `<figure><figcaption>${escapeHtml(picture.caption)}</figcaption><a href="${name}"><img src="${name}" alt="${escapeHtml(picture.caption)}" loading="lazy"></a></figure>`;
  });
  writeFileAtomically(join(dir, "tree.svg"), report.treeSvg);
  files.push("tree.svg");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(report.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; align-items: start; }
section.tree { position: sticky; top: 1rem; max-height: 95vh; overflow: auto; border: 1px solid #ccc; padding: .5rem; }
section.tree img { max-width: 100%; }
figure { margin: 0 0 1.5rem 0; border: 1px solid #ccc; padding: .5rem; }
figcaption { font-family: ui-monospace, monospace; font-size: .9rem; margin-bottom: .5rem; }
figure img { max-width: 100%; border: 1px solid #eee; }
p.summary { font-family: ui-monospace, monospace; margin: .2rem 0; }
</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
${report.summary.map((line) => `<p class="summary">${escapeHtml(line)}</p>`).join("\n")}
<main>
<section class="tree"><h2>Search tree</h2><a href="tree.svg"><img src="tree.svg" alt="the search tree, the chosen path highlighted"></a></section>
<section class="steps"><h2>The chosen path, step by step</h2>
${steps.join("\n")}
</section>
</main>
</body>
</html>
`;
  writeFileAtomically(join(dir, "index.html"), html);
  files.push("index.html");
  return files;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
