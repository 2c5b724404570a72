import type { Interval } from "./bench-stats.js";

/**
 * Success-versus-budget curves as SVG: one panel per environment, one line per strategy, a shaded
 * band for each point's 95% interval. Hand-written (no dependencies), like the other charts.
 */
export interface Curve {
  readonly strategy: string;
  /** One point per budget, in the panel's budget order; undefined where not measured. */
  readonly points: readonly (Interval | undefined)[];
}

export interface CurvePanel {
  readonly title: string;
  /** Budget labels along x (e.g. "8", "16", "32" model calls). */
  readonly budgets: readonly string[];
  readonly curves: readonly Curve[];
  /** The x-axis label of this panel (default: the figure's). */
  readonly xLabel?: string;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
const W = 330;
const H = 230;
const M = { left: 44, right: 12, top: 26, bottom: 40 };

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const num = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Where one panel is drawn, and what it draws with. */
interface PanelFrame {
  readonly parts: string[];
  readonly color: ReadonlyMap<string, string>;
  readonly ox: number;
  readonly oy: number;
  readonly plotW: number;
  readonly plotH: number;
  /** The y position of a success rate (clamped to [0, 1]). */
  readonly yOf: (v: number) => number;
}

/**
 * The frame every figure shares: panels in a grid under a title and a legend of strategies, each
 * panel with its title, border and success gridlines; `drawPanel` draws a panel's x axis and curves.
 */
function figureSvg<P extends { readonly title: string; readonly curves: readonly { readonly strategy: string }[] }>(
  panels: readonly P[],
  options: { title: string; yLabel?: string; columns: number },
  drawPanel: (panel: P, frame: PanelFrame) => void,
): string {
  const columns = Math.max(1, Math.min(options.columns, panels.length));
  const rows = Math.ceil(panels.length / columns);
  const strategies = [...new Set(panels.flatMap((p) => p.curves.map((c) => c.strategy)))];
  const color = new Map(strategies.map((s, i) => [s, PALETTE[i % PALETTE.length]!]));
  const legendHeight = 22 * Math.ceil(strategies.length / 4);
  const header = 34 + legendHeight;
  const width = columns * W;
  const height = header + rows * H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(options.title)}</text>`,
  ];
  strategies.forEach((s, i) => {
    const x = 12 + (i % 4) * (width / 4);
    const y = 34 + Math.floor(i / 4) * 22;
    parts.push(`<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${color.get(s)}" stroke-width="2.5"/>`);
    parts.push(`<text x="${x + 28}" y="${y + 4}">${esc(s)}</text>`);
  });
  panels.forEach((panel, index) => {
    const ox = (index % columns) * W;
    const oy = header + Math.floor(index / columns) * H;
    const plotW = W - M.left - M.right;
    const plotH = H - M.top - M.bottom;
    const yOf = (v: number): number => oy + M.top + plotH * (1 - Math.max(0, Math.min(1, v)));
    parts.push(`<text x="${ox + W / 2}" y="${oy + 16}" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`);
    parts.push(`<rect x="${ox + M.left}" y="${oy + M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      parts.push(`<line x1="${ox + M.left}" y1="${num(yOf(v))}" x2="${ox + M.left + plotW}" y2="${num(yOf(v))}" stroke="#eee"/>`);
      parts.push(`<text x="${ox + M.left - 4}" y="${num(yOf(v) + 4)}" text-anchor="end">${v * 100}%</text>`);
    }
    drawPanel(panel, { parts, color, ox, oy, plotW, plotH, yOf });
  });
  if (options.yLabel !== undefined) {
    parts.push(`<text x="12" y="${header + (rows * H) / 2}" transform="rotate(-90 12 ${header + (rows * H) / 2})" text-anchor="middle" fill="#444">${esc(options.yLabel)}</text>`);
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/** The whole figure: panels in a grid, a shared legend of strategies, axis labels. */
export function successCurvesSvg(panels: readonly CurvePanel[], options: { title: string; xLabel: string; yLabel?: string; columns?: number }): string {
  return figureSvg(panels, { title: options.title, yLabel: options.yLabel, columns: options.columns ?? 2 }, (panel, { parts, color, ox, oy, plotW, plotH, yOf }) => {
    const xOf = (i: number): number => ox + M.left + (panel.budgets.length <= 1 ? plotW / 2 : (i * plotW) / (panel.budgets.length - 1));
    panel.budgets.forEach((label, i) => {
      parts.push(`<text x="${num(xOf(i))}" y="${oy + M.top + plotH + 14}" text-anchor="middle">${esc(label)}</text>`);
    });
    parts.push(`<text x="${ox + M.left + plotW / 2}" y="${oy + H - 8}" text-anchor="middle" fill="#444">${esc(panel.xLabel ?? options.xLabel)}</text>`);
    for (const curve of panel.curves) {
      const c = color.get(curve.strategy)!;
      const measured = curve.points.map((p, i) => ({ p, i })).filter((x): x is { p: Interval; i: number } => x.p !== undefined && Number.isFinite(x.p.estimate));
      if (measured.length === 0) continue;
      if (measured.length > 1) {
        const upper = measured.map(({ p, i }) => `${num(xOf(i))},${num(yOf(p.high))}`);
        const lower = measured.map(({ p, i }) => `${num(xOf(i))},${num(yOf(p.low))}`).reverse();
        parts.push(`<polygon points="${[...upper, ...lower].join(" ")}" fill="${c}" fill-opacity="0.12" stroke="none"/>`);
        parts.push(`<polyline points="${measured.map(({ p, i }) => `${num(xOf(i))},${num(yOf(p.estimate))}`).join(" ")}" fill="none" stroke="${c}" stroke-width="2"/>`);
      }
      for (const { p, i } of measured) {
        parts.push(`<line x1="${num(xOf(i))}" y1="${num(yOf(p.low))}" x2="${num(xOf(i))}" y2="${num(yOf(p.high))}" stroke="${c}" stroke-width="1"/>`);
        parts.push(`<circle cx="${num(xOf(i))}" cy="${num(yOf(p.estimate))}" r="2.6" fill="${c}"><title>${esc(`${curve.strategy} @ ${panel.budgets[i]}: ${(p.estimate * 100).toFixed(1)}% [${(p.low * 100).toFixed(1)}, ${(p.high * 100).toFixed(1)}]`)}</title></circle>`);
      }
    }
  });
}

/** A curve over a numeric x (model calls, tokens, milliseconds), drawn on a log scale. */
export interface NumericCurve {
  readonly strategy: string;
  readonly points: readonly { readonly x: number; readonly y: Interval }[];
}

export interface NumericPanel {
  readonly title: string;
  readonly xLabel: string;
  readonly curves: readonly NumericCurve[];
}

/** Panels of success curves over a numeric x on a log₁₀ scale (points with x ≤ 0 are left out), with each point's 95% interval. */
export function numericCurvesSvg(panels: readonly NumericPanel[], options: { title: string; yLabel?: string; columns?: number }): string {
  return figureSvg(panels, { title: options.title, yLabel: options.yLabel, columns: options.columns ?? 3 }, (panel, { parts, color, ox, oy, plotW, plotH, yOf }) => {
    const xs = panel.curves.flatMap((c) => c.points.map((p) => p.x)).filter((x) => x > 0 && Number.isFinite(x));
    const lo = Math.floor(Math.log10(Math.min(...xs, 1)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...xs, 10))));
    const xOf = (x: number): number => ox + M.left + ((Math.log10(x) - lo) / (hi - lo)) * plotW;
    for (let e = lo; e <= hi; e++) {
      const x = xOf(10 ** e);
      parts.push(`<line x1="${num(x)}" y1="${oy + M.top}" x2="${num(x)}" y2="${oy + M.top + plotH}" stroke="#eee"/>`);
      parts.push(`<text x="${num(x)}" y="${oy + M.top + plotH + 14}" text-anchor="middle">${e >= 3 ? `1e${e}` : 10 ** e}</text>`);
    }
    parts.push(`<text x="${ox + M.left + plotW / 2}" y="${oy + H - 8}" text-anchor="middle" fill="#444">${esc(panel.xLabel)}</text>`);
    for (const curve of panel.curves) {
      const c = color.get(curve.strategy)!;
      const measured = curve.points.filter((p) => p.x > 0 && Number.isFinite(p.x) && Number.isFinite(p.y.estimate));
      if (measured.length === 0) continue;
      if (measured.length > 1) {
        parts.push(`<polyline points="${measured.map((p) => `${num(xOf(p.x))},${num(yOf(p.y.estimate))}`).join(" ")}" fill="none" stroke="${c}" stroke-width="2"/>`);
      }
      for (const p of measured) {
        parts.push(`<line x1="${num(xOf(p.x))}" y1="${num(yOf(p.y.low))}" x2="${num(xOf(p.x))}" y2="${num(yOf(p.y.high))}" stroke="${c}" stroke-width="1"/>`);
        parts.push(`<circle cx="${num(xOf(p.x))}" cy="${num(yOf(p.y.estimate))}" r="2.6" fill="${c}"><title>${esc(`${curve.strategy} @ ${num(p.x)}: ${(p.y.estimate * 100).toFixed(1)}% [${(p.y.low * 100).toFixed(1)}, ${(p.y.high * 100).toFixed(1)}]`)}</title></circle>`);
      }
    }
  });
}
