/**
 * A line chart for the terminal: one or more series of (step, value) points on a shared grid,
 * y-axis labels on the left, steps below, a legend. What `mlloop show RUN --metric loss` draws.
 * Plain characters only, so that it reads the same in a log file; the width follows the terminal.
 */

export interface ChartSeries {
  readonly label: string;
  readonly points: ReadonlyArray<{ readonly step: number; readonly value: number }>;
}

const SYMBOLS = ["●", "○", "◆", "◇", "▲", "△"];

function fmtTick(v: number, span: number): string {
  if (!Number.isFinite(v)) return String(v);
  const digits = span === 0 ? 4 : Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(span))));
  return v.toFixed(digits);
}

/**
 * Renders the series on a `height`-row grid that fits in `width` columns (labels included).
 * Non-finite values are skipped (and counted in the legend).
 */
export function lineChart(series: readonly ChartSeries[], options: { width?: number; height?: number } = {}): string {
  const height = Math.max(4, options.height ?? 12);
  const finite = series.map((s) => s.points.filter((p) => Number.isFinite(p.value)));
  const all = finite.flat();
  if (all.length === 0) return "(no finite values to chart)";
  let lo = Math.min(...all.map((p) => p.value));
  let hi = Math.max(...all.map((p) => p.value));
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.05 || 0.5;
    hi += Math.abs(hi) * 0.05 || 0.5;
  }
  const first = Math.min(...all.map((p) => p.step));
  const last = Math.max(...all.map((p) => p.step));
  const labels = Array.from({ length: height }, (_, r) => fmtTick(hi - ((hi - lo) * r) / (height - 1), hi - lo));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const plotWidth = Math.max(10, Math.min(last - first + 1, (options.width ?? 80) - labelWidth - 3));
  const grid = Array.from({ length: height }, () => new Array<string>(plotWidth).fill(" "));
  const column = (step: number): number =>
    last === first ? 0 : Math.round(((step - first) / (last - first)) * (plotWidth - 1));
  const row = (value: number): number => Math.round(((hi - value) / (hi - lo)) * (height - 1));
  finite.forEach((points, i) => {
    const symbol = SYMBOLS[i % SYMBOLS.length]!;
    // one point per column: the last step that lands there
    const byColumn = new Map<number, number>();
    for (const p of [...points].sort((a, b) => a.step - b.step)) byColumn.set(column(p.step), p.value);
    for (const [c, v] of byColumn) {
      const r = row(v);
      const cell = grid[r]![c]!;
      grid[r]![c] = cell === " " || cell === symbol ? symbol : "◉";
    }
  });
  const lines = grid.map((cells, r) => `${labels[r]!.padStart(labelWidth)} ┤ ${cells.join("").trimEnd()}`);
  const axis = `${" ".repeat(labelWidth)} └${"─".repeat(plotWidth + 1)}`;
  const firstLabel = `step ${first}`;
  const lastLabel = String(last);
  const gap = Math.max(1, plotWidth + 2 - firstLabel.length - lastLabel.length);
  lines.push(axis, `${" ".repeat(labelWidth + 1)}${firstLabel}${" ".repeat(gap)}${lastLabel}`);
  const legend = series.map((s, i) => {
    const skipped = s.points.length - finite[i]!.length;
    const end = finite[i]!.length > 0 ? finite[i]![finite[i]!.length - 1]! : null;
    return (
      `${SYMBOLS[i % SYMBOLS.length]} ${s.label}` +
      (end ? ` (${finite[i]!.length} steps, last ${fmtTick(end.value, hi - lo)})` : "") +
      (skipped > 0 ? ` — ${skipped} non-finite skipped` : "")
    );
  });
  lines.push(`${" ".repeat(labelWidth + 1)}${legend.join("   ")}`);
  return lines.join("\n");
}
