/**
 * A small hand-written SVG chart: a grid of panels, each with lines over categorical x positions
 * and a logarithmic y axis. No dependencies; just enough for the benchmark results.
 */

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  /** One value per category; null leaves a gap (no measurement). */
  readonly values: readonly (number | null)[];
  /** Categories where this side failed (timeout, state limit): marked × at the top of the panel. */
  readonly failed?: readonly boolean[];
}

export interface Panel {
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly columns: number;
  /** A horizontal reference line drawn in every panel (e.g. a start-up floor). */
  readonly reference?: { readonly value: number; readonly label: string };
  /** Explains the × marks in the legend. */
  readonly failedLabel?: string;
}

const PANEL_W = 300;
const PANEL_H = 210;
const MARGIN = { left: 46, right: 10, top: 24, bottom: 36 };
const HEADER = 54;

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

function tickLabel(exponent: number): string {
  const v = 10 ** exponent;
  return v >= 1000 ? `${v / 1000} s` : `${v} ms`;
}

function panelSvg(panel: Panel, options: ChartOptions, ox: number, oy: number): string {
  const values = panel.series.flatMap((s) => s.values.filter((v): v is number => v !== null && v > 0));
  if (options.reference !== undefined) values.push(options.reference.value);
  const lo = Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values, 1))));
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const n = panel.categories.length;
  const x = (i: number): number => ox + MARGIN.left + (n === 1 ? w / 2 : (i * w) / (n - 1));
  const y = (v: number): number => oy + MARGIN.top + h - ((Math.log10(v) - lo) / (hi - lo)) * h;
  const out: string[] = [];
  out.push(`<text x="${ox + MARGIN.left}" y="${oy + 16}" font-weight="bold">${esc(panel.title)}</text>`);
  out.push(`<rect x="${ox + MARGIN.left}" y="${oy + MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (let e = lo; e <= hi; e++) {
    out.push(`<line x1="${ox + MARGIN.left}" x2="${ox + MARGIN.left + w}" y1="${fmt(y(10 ** e))}" y2="${fmt(y(10 ** e))}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${ox + MARGIN.left - 4}" y="${fmt(y(10 ** e) + 3)}" text-anchor="end" font-size="9">${tickLabel(e)}</text>`);
  }
  // Label every category when they fit, otherwise every k-th one.
  const every = Math.max(1, Math.ceil(n / 12));
  panel.categories.forEach((c, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    out.push(`<text x="${fmt(x(i))}" y="${oy + MARGIN.top + h + 12}" text-anchor="middle" font-size="9">${esc(c)}</text>`);
  });
  out.push(`<text x="${ox + MARGIN.left + w / 2}" y="${oy + PANEL_H - 6}" text-anchor="middle" font-size="10">${esc(options.xLabel)}</text>`);
  if (options.reference !== undefined) {
    const ry = fmt(y(options.reference.value));
    out.push(`<line x1="${ox + MARGIN.left}" x2="${ox + MARGIN.left + w}" y1="${ry}" y2="${ry}" stroke="#888" stroke-dasharray="2 3"/>`);
  }
  for (const s of panel.series) {
    // Connected runs of measured values; a gap breaks the line.
    let path = "";
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || v <= 0) {
        pen = false;
        return;
      }
      path += `${pen ? "L" : "M"}${fmt(x(i))} ${fmt(y(v))} `;
      pen = true;
      out.push(`<circle cx="${fmt(x(i))}" cy="${fmt(y(v))}" r="2.2" fill="${s.color}"/>`);
    });
    s.failed?.forEach((f, i) => {
      if (f) out.push(`<text x="${fmt(x(i))}" y="${oy + MARGIN.top + 10}" text-anchor="middle" fill="${s.color}" font-weight="bold">×</text>`);
    });
    if (path !== "") out.push(`<path d="${path.trim()}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed === true ? ' stroke-dasharray="5 3"' : ""}/>`);
  }
  return out.join("\n");
}

export function chartSvg(panels: readonly Panel[], options: ChartOptions): string {
  const rows = Math.ceil(panels.length / options.columns);
  const width = options.columns * PANEL_W;
  const height = HEADER + rows * PANEL_H;
  const legend = panels[0]?.series ?? [];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(options.title)}</text>`,
  ];
  let lx = 10;
  for (const s of legend) {
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="38" y2="38" stroke="${s.color}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="5 3"' : ""}/>`);
    out.push(`<text x="${lx + 28}" y="42">${esc(s.name)}</text>`);
    lx += 40 + 6.5 * s.name.length;
  }
  if (options.reference !== undefined) {
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="38" y2="38" stroke="#888" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${lx + 28}" y="42">${esc(options.reference.label)}</text>`);
    lx += 40 + 6.5 * options.reference.label.length;
  }
  if (options.failedLabel !== undefined) out.push(`<text x="${lx}" y="42">× ${esc(options.failedLabel)}</text>`);
  out.push(`<text x="${width - 10}" y="42" text-anchor="end" fill="#555">${esc(options.yLabel)}</text>`);
  panels.forEach((p, i) => out.push(panelSvg(p, options, (i % options.columns) * PANEL_W, HEADER + Math.floor(i / options.columns) * PANEL_H)));
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
