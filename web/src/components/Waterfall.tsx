/**
 * Shapley attribution as a waterfall: from A's value, each change's contribution as a step (with
 * its bootstrap interval as a whisker), ending at B's value.
 */
import { fmtCi, fmtDelta, fmtValue } from "../format";

export interface WaterfallStep {
  readonly label: string;
  readonly value: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly coversZero: boolean;
}

export function Waterfall({
  start,
  steps,
  startLabel = "A",
  endLabel = "B",
}: {
  start: number;
  steps: readonly WaterfallStep[];
  startLabel?: string;
  endLabel?: string;
}) {
  const rowH = 30;
  const labelW = 220;
  const plotW = 420;
  const textW = 220;
  const ends: number[] = [start];
  for (const s of steps) ends.push(ends[ends.length - 1]! + s.value);
  const end = ends[ends.length - 1]!;
  const lows = steps.map((s, i) => ends[i]! + s.ciLow);
  const highs = steps.map((s, i) => ends[i]! + s.ciHigh);
  const min = Math.min(start, end, ...ends, ...lows);
  const max = Math.max(start, end, ...ends, ...highs);
  const pad = (max - min) * 0.08 || 0.01;
  const x = (v: number): number => labelW + ((v - (min - pad)) / (max - min + 2 * pad)) * plotW;
  const rows = steps.length + 2;
  return (
    <svg className="waterfall" width={labelW + plotW + textW} height={rows * rowH + 10} role="img">
      <g>
        <text x={labelW - 8} y={rowH * 0.65} textAnchor="end">
          {startLabel}
        </text>
        <rect
          x={Math.min(x(min - pad), x(start))}
          y={6}
          width={Math.abs(x(start) - x(min - pad))}
          height={rowH - 12}
          className="wf-total"
        />
        <text x={labelW + plotW + 8} y={rowH * 0.65}>
          {fmtValue(start)}
        </text>
      </g>
      {steps.map((s, i) => {
        const y = (i + 1) * rowH;
        const from = ends[i]!;
        const to = ends[i + 1]!;
        return (
          <g key={s.label} className="wf-step" data-player={s.label}>
            <text x={labelW - 8} y={y + rowH * 0.65} textAnchor="end">
              {s.label}
            </text>
            <rect
              x={Math.min(x(from), x(to))}
              y={y + 6}
              width={Math.max(1, Math.abs(x(to) - x(from)))}
              height={rowH - 12}
              className={s.coversZero ? "wf-noise" : s.value >= 0 ? "wf-up" : "wf-down"}
            />
            <line
              x1={x(from + s.ciLow)}
              x2={x(from + s.ciHigh)}
              y1={y + rowH / 2}
              y2={y + rowH / 2}
              className="wf-ci"
            />
            <text x={labelW + plotW + 8} y={y + rowH * 0.65}>
              {`${fmtDelta(s.value)} ${fmtCi(s.ciLow, s.ciHigh)}${s.coversZero ? " noise" : ""}`}
            </text>
          </g>
        );
      })}
      <g>
        <text x={labelW - 8} y={(rows - 1) * rowH + rowH * 0.65} textAnchor="end">
          {endLabel}
        </text>
        <rect
          x={Math.min(x(min - pad), x(end))}
          y={(rows - 1) * rowH + 6}
          width={Math.abs(x(end) - x(min - pad))}
          height={rowH - 12}
          className="wf-total"
        />
        <text x={labelW + plotW + 8} y={(rows - 1) * rowH + rowH * 0.65}>
          {fmtValue(end)}
        </text>
      </g>
    </svg>
  );
}
