import type { TreeNode } from "./types.js";

/**
 * A search tree for people: as indented text (the terminal) and as Graphviz DOT (drawn to SVG by
 * the CLI). Expanded nodes show their expansion order; the chosen path is marked.
 */
export interface RenderOptions {
  /** Node ids on the chosen episode's path, highlighted. */
  readonly chosen?: ReadonlySet<number>;
  /** At most this many nodes (the earliest expanded first); the rest are counted. */
  readonly maxNodes?: number;
}

function scoresText(node: TreeNode): string {
  const entries = Object.entries(node.scores);
  return entries.length === 0 ? "" : ` [${entries.map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`).join(" ")}]`;
}

function kept(tree: readonly TreeNode[], maxNodes: number): Set<number> {
  if (tree.length <= maxNodes) return new Set(tree.map((n) => n.id));
  const byId = new Map(tree.map((n) => [n.id, n]));
  const order = [...tree].sort((a, b) => (a.expandedAt ?? Infinity) - (b.expandedAt ?? Infinity) || a.id - b.id);
  const keep = new Set<number>();
  for (const node of order) {
    if (keep.size >= maxNodes) break;
    // Keep a node only with its ancestors, so the drawing stays a tree.
    for (let n: TreeNode | undefined = node; n !== undefined && !keep.has(n.id); n = n.parent === undefined ? undefined : byId.get(n.parent)) keep.add(n.id);
  }
  return keep;
}

export function treeToText(tree: readonly TreeNode[], options: RenderOptions = {}): string {
  const keep = kept(tree, options.maxNodes ?? 200);
  const children = new Map<number | undefined, TreeNode[]>();
  for (const node of tree) {
    if (!keep.has(node.id)) continue;
    const list = children.get(node.parent) ?? [];
    list.push(node);
    children.set(node.parent, list);
  }
  const lines: string[] = [];
  const walk = (node: TreeNode, prefix: string, last: boolean, root: boolean): void => {
    const mark = options.chosen?.has(node.id) ? "*" : " ";
    const order = node.expandedAt !== undefined ? `#${node.expandedAt} ` : "";
    const label = root ? "(start)" : (node.action ?? "?");
    lines.push(`${prefix}${root ? "" : last ? "└─ " : "├─ "}${mark}${order}${label}${scoresText(node)}`);
    const list = children.get(node.id) ?? [];
    list.forEach((child, i) => walk(child, root ? "" : prefix + (last ? "   " : "│  "), i === list.length - 1, false));
  };
  for (const root of children.get(undefined) ?? []) walk(root, "", true, true);
  const hidden = tree.length - keep.size;
  if (hidden > 0) lines.push(`… and ${hidden} more nodes`);
  return lines.join("\n") + "\n";
}

const quote = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

export function treeToDot(tree: readonly TreeNode[], options: RenderOptions = {}): string {
  const keep = kept(tree, options.maxNodes ?? 300);
  const lines = ["digraph search {", '  rankdir=TB; node [shape=box, fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];'];
  for (const node of tree) {
    if (!keep.has(node.id)) continue;
    const label = `${node.expandedAt !== undefined ? `#${node.expandedAt}` : "·"}${scoresText(node)}`;
    const style = options.chosen?.has(node.id) ? ', style="filled,bold", fillcolor="#dbeafe"' : node.expandedAt === undefined ? ', color="#999999", fontcolor="#666666"' : "";
    lines.push(`  n${node.id} [label=${quote(label)}${style}];`);
    if (node.parent !== undefined && keep.has(node.parent)) lines.push(`  n${node.parent} -> n${node.id} [label=${quote(node.action ?? "")}];`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
