import { describe, expect, it } from "vitest";
import { dotToSvg } from "../../src/ltl/export/svg.js";
import { treeToDot, treeToText } from "../../src/search/tree-render.js";
import type { TreeNode } from "../../src/search/types.js";

const tree: TreeNode[] = [
  { id: 0, parent: undefined, action: undefined, stateKey: "s0", scores: { f: 2 }, expandedAt: 0 },
  { id: 1, parent: 0, action: "a", stateKey: "s1", scores: { f: 1.5 }, expandedAt: 1 },
  { id: 2, parent: 0, action: "b", stateKey: "s2", scores: { f: 3 } },
  { id: 3, parent: 1, action: "c", stateKey: "s3", scores: { f: 1 }, expandedAt: 2 },
];

describe("search trees for people", () => {
  it("as indented text, with expansion order, scores and the chosen path", () => {
    expect(treeToText(tree, { chosen: new Set([0, 1, 3]) })).toBe(
      ["*#0 (start) [f=2]", "├─ *#1 a [f=1.500]", "│  └─ *#2 c [f=1]", "└─  b [f=3]", ""].join("\n"),
    );
  });

  it("keeps ancestors when it cuts a large tree", () => {
    const text = treeToText(tree, { maxNodes: 2 });
    expect(text).toContain("#1 a");
    expect(text).toContain("… and 2 more nodes");
  });

  it("as Graphviz DOT that renders to SVG", async () => {
    const dot = treeToDot(tree, { chosen: new Set([0, 1]) });
    expect(dot).toContain('n0 -> n1 [label="a"]');
    expect(dot).toContain("fillcolor");
    const svg = await dotToSvg(dot);
    expect(svg).toContain("<svg");
  });
});
