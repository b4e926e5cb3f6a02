/**
 * A parallel-coordinates plot (Inselberg 1985; Optuna's `plot_parallel_coordinate`, W&B's sweep
 * panel): one vertical axis per parameter and a last one for the objective, one line per trial
 * through its values, coloured from the worst trial (light) to the best (dark), the best drawn on
 * top. Which region of each knob the good trials share shows at a glance; interactions show as
 * bundles of lines crossing between two axes.
 *
 * Numeric axes span the space's range (log scale where the space says so), so that a search that
 * never left one corner is seen as such; categorical axes space their choices evenly. A trial
 * without a value for a conditional parameter leaves that axis out: its line is broken there.
 */
import { escapeXml } from "./plots.js";

export type ParallelAxis =
  | {
      readonly name: string;
      readonly kind: "numeric";
      readonly low: number;
      readonly high: number;
      readonly log: boolean;
    }
  | { readonly name: string; readonly kind: "categorical"; readonly values: readonly string[] };

export interface ParallelLine {
  /** Shown on hover ("trial 7"). */
  readonly label: string;
  /** One value per axis (numbers on numeric axes, a choice's label on categorical ones); null: inactive. */
  readonly values: ReadonlyArray<number | string | null>;
  /** The objective: the last axis and the colour. */
  readonly score: number;
}

export interface ParallelChart {
  readonly title: string;
  readonly axes: readonly ParallelAxis[];
  readonly objective: string;
  readonly higherIsBetter: boolean;
  readonly lines: readonly ParallelLine[];
}

/** Share of the way from an axis's bottom (0) to its top (1); null when the value is not on it. */
function position(axis: ParallelAxis, v: number | string | null): number | null {
  if (v === null) return null;
  if (axis.kind === "categorical") {
    const k = axis.values.indexOf(String(v));
    if (k < 0) return null;
    return axis.values.length === 1 ? 0.5 : k / (axis.values.length - 1);
  }
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  const t = (x: number): number => (axis.log ? Math.log10(x) : x);
  if (axis.log && v <= 0) return null;
  const lo = t(axis.low);
  const hi = t(axis.high);
  if (!(hi > lo)) return 0.5;
  return Math.min(1, Math.max(0, (t(v) - lo) / (hi - lo)));
}

function tickLabel(v: number): string {
  if (v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2)) return v.toExponential(0);
  return String(+v.toPrecision(3));
}

/** Light blue-grey (worst) to dark blue (best). */
function shade(q: number): string {
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * q);
  const hex = (n: number): string => n.toString(16).padStart(2, "0");
  return `#${hex(mix(0xcf, 0x08))}${hex(mix(0xdc, 0x30))}${hex(mix(0xe8, 0x6b))}`;
}

/** Axis labels longer than this are cut (with "…") so neighbours do not overlap. */
const LABEL_CHARS = 18;

function cut(s: string): string {
  return s.length <= LABEL_CHARS ? s : `${s.slice(0, LABEL_CHARS - 1)}…`;
}

/** The chart as a standalone SVG document. */
export function svgParallel(chart: ParallelChart, height = 340): string {
  const scores = chart.lines.map((l) => l.score).filter(Number.isFinite);
  const lo = scores.length > 0 ? Math.min(...scores) : 0;
  const hi = scores.length > 0 ? Math.max(...scores) : 1;
  const objectiveAxis: ParallelAxis = { name: chart.objective, kind: "numeric", low: lo, high: hi, log: false };
  const axes = [...chart.axes, objectiveAxis];
  const gap = 130;
  const m = { l: 60, r: 60, t: 48, b: 44 };
  const width = m.l + m.r + gap * Math.max(1, axes.length - 1);
  const ph = height - m.t - m.b;
  const X = (k: number): number => m.l + (axes.length === 1 ? 0 : k * gap);
  const Y = (p: number): number => m.t + ph - p * ph;
  const quality = (s: number): number => {
    const q = hi > lo ? (s - lo) / (hi - lo) : 1;
    return chart.higherIsBetter ? q : 1 - q;
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${m.l - 40}" y="18" font-size="13" font-weight="600">${escapeXml(chart.title)}</text>`,
  ];
  // worst first, so that the best lines are drawn over the rest
  const order = chart.lines
    .map((l, i) => ({ l, i, q: Number.isFinite(l.score) ? quality(l.score) : -1 }))
    .sort((a, b) => a.q - b.q || a.i - b.i);
  const best = order.at(-1);
  for (const { l, q } of order) {
    const values = [...l.values, l.score];
    const segments: string[][] = [[]];
    values.forEach((v, k) => {
      const p = position(axes[k]!, v);
      if (p === null) segments.push([]);
      else segments.at(-1)!.push(`${X(k).toFixed(1)},${Y(p).toFixed(1)}`);
    });
    const isBest = best !== undefined && best.l === l;
    const stroke = isBest ? "#ff7f0e" : shade(Math.max(0, q));
    const title = `<title>${escapeXml(`${l.label}: ${chart.objective} ${tickLabel(l.score)}`)}</title>`;
    for (const seg of segments.filter((s) => s.length > 0)) {
      parts.push(
        seg.length === 1
          ? `<circle cx="${seg[0]!.split(",")[0]}" cy="${seg[0]!.split(",")[1]}" r="2.5" fill="${stroke}">${title}</circle>`
          : `<polyline points="${seg.join(" ")}" fill="none" stroke="${stroke}" stroke-width="${isBest ? 3 : 1.5}" stroke-opacity="${isBest ? 1 : 0.8}">${title}</polyline>`,
      );
    }
  }
  axes.forEach((axis, k) => {
    const x = X(k).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + ph}" stroke="#333"/>`);
    parts.push(
      `<text x="${x}" y="${m.t - 12}" text-anchor="middle" font-weight="${k === axes.length - 1 ? 600 : 400}">${escapeXml(cut(axis.name))}</text>`,
    );
    const ticks: Array<[number, string]> =
      axis.kind === "categorical"
        ? axis.values.map((v, i) => [axis.values.length === 1 ? 0.5 : i / (axis.values.length - 1), cut(v)])
        : axis.log
          ? [0, 0.5, 1].map((p) => [p, tickLabel(10 ** (Math.log10(axis.low) + p * Math.log10(axis.high / axis.low)))])
          : [0, 0.5, 1].map((p) => [p, tickLabel(axis.low + p * (axis.high - axis.low))]);
    for (const [p, label] of ticks) {
      const y = Y(p).toFixed(1);
      parts.push(`<line x1="${x}" x2="${(X(k) - 4).toFixed(1)}" y1="${y}" y2="${y}" stroke="#333"/>`);
      parts.push(
        `<text x="${(X(k) - 6).toFixed(1)}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#555">${escapeXml(label)}</text>`,
      );
    }
  });
  parts.push(
    `<text x="${m.l - 40}" y="${height - 12}" fill="#555">${escapeXml(
      `${chart.lines.length} trials; darker is better${best !== undefined ? `, orange: the best (${best.l.label})` : ""}`,
    )}</text>`,
  );
  parts.push(`</svg>`);
  return parts.join("\n");
}
