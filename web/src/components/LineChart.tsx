/** Curves (loss per step, learning and validation curves) with uPlot. */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

export function LineChart({
  series,
  xLabel,
  yLabel,
  height = 220,
  logX = false,
}: {
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  height?: number;
  logX?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el === null || series.length === 0) return;
    // one shared x axis: the union of every series' x
    const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
    const ys = series.map((s) => {
      const at = new Map(s.x.map((x, i) => [x, s.y[i]!]));
      return xs.map((x) => at.get(x) ?? null);
    });
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth || 600),
        height,
        scales: { x: { time: false, distr: logX ? 3 : 1 } },
        axes: [{ label: xLabel }, { label: yLabel }],
        series: [
          { label: xLabel },
          ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true })),
        ],
      },
      [xs, ...ys] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [series, xLabel, yLabel, height, logX]);
  return <div ref={ref} className="chart" />;
}
