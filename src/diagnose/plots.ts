/**
 * Small line charts for the diagnosis, drawn two ways from one description: as text for the
 * terminal (a character grid with a y axis and a legend) and as a self-contained SVG (axes, ticks,
 * mean ± std bands, a dashed reference line) for the run's artifacts and the HTML report. No
 * dependency: the charts are a few series of at most a few dozen points.
 */

export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Half-width of a band around y (e.g. the std over folds). */
  readonly band?: readonly number[];
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  /** Horizontal reference line (e.g. the baseline error). */
  readonly hline?: { readonly y: number; readonly label: string } | null;
  /** Vertical marker (e.g. the current knob value). */
  readonly vline?: { readonly x: number; readonly label: string } | null;
  readonly yMin?: number;
  readonly yMax?: number;
  /** Format of axis values (default: 3 significant digits; percent for errors). */
  readonly percent?: boolean;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
const MARKS = ["●", "○", "◆", "▲", "■"];

function extent(chart: Chart): { x0: number; x1: number; y0: number; y1: number } {
  const tx = (x: number): number => (chart.logX ? Math.log10(x) : x);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of chart.series) {
    s.x.forEach((x, i) => {
      const y = s.y[i]!;
      if (!Number.isFinite(y)) return;
      const b = s.band?.[i] ?? 0;
      x0 = Math.min(x0, tx(x));
      x1 = Math.max(x1, tx(x));
      y0 = Math.min(y0, y - b);
      y1 = Math.max(y1, y + b);
    });
  }
  if (chart.hline) {
    y0 = Math.min(y0, chart.hline.y);
    y1 = Math.max(y1, chart.hline.y);
  }
  y0 = chart.yMin ?? Math.max(0, y0 - (y1 - y0) * 0.05);
  y1 = chart.yMax ?? y1 + (y1 - y0) * 0.05;
  if (!(y1 > y0)) y1 = y0 + 1e-3;
  if (!(x1 > x0)) x1 = x0 + 1;
  return { x0, x1, y0, y1 };
}

function fmt(v: number, percent: boolean | undefined): string {
  if (percent) return `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;
  if (v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2)) return v.toExponential(0);
  return String(+v.toPrecision(3));
}

/** The chart as text: `height` rows of `width` plot cells, y labels on the left, legend below. */
export function terminalChart(chart: Chart, width = 56, height = 12): string {
  const { x0, x1, y0, y1 } = extent(chart);
  const tx = (x: number): number => (chart.logX ? Math.log10(x) : x);
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(" "));
  const col = (x: number): number => Math.round(((tx(x) - x0) / (x1 - x0)) * (width - 1));
  const row = (y: number): number => height - 1 - Math.round(((y - y0) / (y1 - y0)) * (height - 1));
  if (chart.hline) {
    const r = row(chart.hline.y);
    if (r >= 0 && r < height) for (let c = 0; c < width; c++) grid[r]![c] = "┄";
  }
  chart.series.forEach((s, k) => {
    const mark = MARKS[k % MARKS.length]!;
    let prev: [number, number] | null = null;
    s.x.forEach((x, i) => {
      const y = s.y[i]!;
      if (!Number.isFinite(y)) return;
      const c = col(x);
      const r = row(y);
      if (prev) {
        // a light connecting trail between points
        const [pc, pr] = prev;
        const steps = Math.max(Math.abs(c - pc), Math.abs(r - pr));
        for (let t = 1; t < steps; t++) {
          const cc = Math.round(pc + ((c - pc) * t) / steps);
          const rr = Math.round(pr + ((r - pr) * t) / steps);
          if (grid[rr]![cc] === " " || grid[rr]![cc] === "┄") grid[rr]![cc] = "·";
        }
      }
      grid[r]![c] = mark;
      prev = [c, r];
    });
  });
  const labels = [fmt(y1, chart.percent), fmt((y0 + y1) / 2, chart.percent), fmt(y0, chart.percent)];
  const lw = Math.max(...labels.map((l) => l.length));
  const lines: string[] = [`  ${chart.title}`];
  grid.forEach((cells, r) => {
    const label =
      r === 0 ? labels[0]! : r === Math.floor((height - 1) / 2) ? labels[1]! : r === height - 1 ? labels[2]! : "";
    lines.push(`  ${label.padStart(lw)} ┤${cells.join("")}`);
  });
  const xa = chart.logX ? 10 ** x0 : x0;
  const xb = chart.logX ? 10 ** x1 : x1;
  const left = fmt(xa, false);
  const right = fmt(xb, false);
  lines.push(`  ${" ".repeat(lw)} └${"─".repeat(width)}`);
  lines.push(`  ${" ".repeat(lw)}  ${left}${" ".repeat(Math.max(1, width - left.length - right.length))}${right}`);
  const legend = chart.series.map((s, k) => `${MARKS[k % MARKS.length]} ${s.name}`);
  if (chart.hline) legend.push(`┄ ${chart.hline.label}`);
  lines.push(`  ${" ".repeat(lw)}  ${legend.join("   ")}   (x: ${chart.xLabel})`);
  return lines.join("\n");
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** The legend under the plot: one line sample and name per series (and the reference line). */
function svgLegend(chart: Chart, left: number, height: number): string[] {
  const parts: string[] = [];
  let lx = left;
  const ly = height - 10;
  const legend: Array<{ name: string; color: string; dashed: boolean }> = chart.series.map((s, k) => ({
    name: s.name,
    color: s.color ?? PALETTE[k % PALETTE.length]!,
    dashed: s.dashed ?? false,
  }));
  if (chart.hline) legend.push({ name: chart.hline.label, color: "#888", dashed: true });
  for (const l of legend) {
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5 3"' : ""}/>`,
      `<text x="${lx + 22}" y="${ly}">${escapeXml(l.name)}</text>`,
    );
    lx += 30 + l.name.length * 6.2;
  }
  return parts;
}

/** Pixels between two x tick labels at least (a label is up to 5 characters of 11 px type). */
const MIN_TICK_GAP = 40;

/** Round values from lo to hi (1, 2 or 5 × a power of ten apart), about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/**
 * The x tick values: the first series' own points when it has a few (training sizes, knob values),
 * thinned so that no two labels are closer than MIN_TICK_GAP pixels; round values otherwise (a ROC
 * or PR curve has a point per threshold, crowded where the curve bends).
 */
export function xTicks(chart: Chart, X: (x: number) => number): number[] {
  const xs = [...new Set(chart.series[0]?.x ?? [])].sort((a, b) => a - b);
  if (xs.length > 12 && !chart.logX) {
    const { x0, x1 } = extent(chart);
    return niceTicks(x0, x1);
  }
  const kept: number[] = [];
  for (const x of xs) {
    const last = kept[kept.length - 1];
    if (last === undefined || X(x) - X(last) >= MIN_TICK_GAP) kept.push(x);
  }
  // the last point is labelled: it replaces a kept neighbour that would crowd it
  const end = xs[xs.length - 1];
  if (end !== undefined && kept[kept.length - 1] !== end) {
    if (X(end) - X(kept[kept.length - 1]!) < MIN_TICK_GAP) kept.pop();
    kept.push(end);
  }
  return kept;
}

/** The chart as a standalone SVG document. */
export function svgChart(chart: Chart, width = 560, height = 320): string {
  const m = { l: 58, r: 16, t: 30, b: 62 };
  const pw = width - m.l - m.r;
  const ph = height - m.t - m.b;
  const { x0, x1, y0, y1 } = extent(chart);
  const tx = (x: number): number => (chart.logX ? Math.log10(x) : x);
  const X = (x: number): number => m.l + ((tx(x) - x0) / (x1 - x0)) * pw;
  const Y = (y: number): number => m.t + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(`<text x="${m.l}" y="18" font-size="13" font-weight="600">${escapeXml(chart.title)}</text>`);
  // y ticks
  for (let i = 0; i <= 4; i++) {
    const v = y0 + ((y1 - y0) * i) / 4;
    const y = Y(v).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(
      `<text x="${m.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#555">${escapeXml(fmt(v, chart.percent))}</text>`,
    );
  }
  for (const x of xTicks(chart, X)) {
    parts.push(
      `<text x="${X(x).toFixed(1)}" y="${m.t + ph + 14}" text-anchor="middle" fill="#555">${escapeXml(fmt(x, false))}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="#333"/><line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${m.l + pw / 2}" y="${m.t + ph + 30}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  if (chart.hline) {
    const y = Y(chart.hline.y).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#888" stroke-dasharray="5 4"/>`);
  }
  if (chart.vline) {
    const x = X(chart.vline.x).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + ph}" stroke="#bbb" stroke-dasharray="2 3"/>`);
  }
  chart.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    const pts = s.x.map((x, i) => [X(x), Y(s.y[i]!)] as const).filter(([, y]) => Number.isFinite(y));
    if (s.band) {
      const up = s.x.map((x, i) => `${X(x).toFixed(1)},${Y(s.y[i]! + s.band![i]!).toFixed(1)}`);
      const down = s.x.map((x, i) => `${X(x).toFixed(1)},${Y(s.y[i]! - s.band![i]!).toFixed(1)}`).reverse();
      parts.push(`<polygon points="${[...up, ...down].join(" ")}" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
    }
    parts.push(
      `<polyline points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    if (pts.length <= 40) {
      for (const [x, y] of pts) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`);
    }
  });
  parts.push(...svgLegend(chart, m.l, height));
  parts.push(`</svg>`);
  return parts.join("\n");
}
