/**
 * The HTML report of a run logged through the tracking API (no spec, so no diagnosis: that needs
 * the data rebuilt from a spec): its params, its metrics per split, a chart per metric logged at
 * several steps, and the per-class metrics and confusion matrix of its logged decisions — the
 * same view-model blocks and HTML back end as a diagnosis report.
 */
import { classReport } from "../evaluate/confusion.js";
import type { Chart } from "../diagnose/plots.js";
import { heading, text, table, type Block, type ViewModel } from "../diagnose/view-model.js";
import type { MetricRecord, PredictionRecord, RunRecord } from "../track/store.js";
import { renderViewHtml } from "./view-html.js";

const SPLIT_ORDER = ["train", "dev", "test"];
const order = (split: string): number => {
  const i = SPLIT_ORDER.indexOf(split);
  return i < 0 ? SPLIT_ORDER.length : i;
};
const num = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? "—" : v.toFixed(4));

function paramText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Metric name → split → points, for the metrics logged at more than one step. */
function curves(metrics: readonly MetricRecord[]): Map<string, Map<string, Array<{ step: number; value: number }>>> {
  const byName = new Map<string, Map<string, Array<{ step: number; value: number }>>>();
  for (const m of metrics) {
    const splits = byName.get(m.name) ?? new Map<string, Array<{ step: number; value: number }>>();
    const split = m.split ?? "-";
    splits.set(split, [...(splits.get(split) ?? []), { step: m.step, value: m.value }]);
    byName.set(m.name, splits);
  }
  for (const [name, splits] of byName) if (![...splits.values()].some((p) => p.length > 1)) byName.delete(name);
  return byName;
}

function metricsTable(metrics: readonly MetricRecord[]): Block | null {
  const last = new Map<string, Map<string, { step: number; value: number }>>();
  for (const m of metrics) {
    const split = m.split ?? "-";
    const row = last.get(split) ?? new Map<string, { step: number; value: number }>();
    const prev = row.get(m.name);
    if (!prev || m.step >= prev.step) row.set(m.name, { step: m.step, value: m.value });
    last.set(split, row);
  }
  const names = [...new Set(metrics.map((m) => m.name))].sort();
  if (names.length === 0) return null;
  const splits = [...last.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  return table(
    ["split", ...names],
    splits.map((s) => [s, ...names.map((n) => num(last.get(s)?.get(n)?.value))]),
  );
}

function chartsOf(metrics: readonly MetricRecord[]): Chart[] {
  return [...curves(metrics)].map(([name, splits]) => ({
    title: `${name} by step`,
    xLabel: "step",
    yLabel: name,
    series: [...splits]
      .sort(([a], [b]) => order(a) - order(b))
      .map(([split, points]) => {
        const sorted = [...points].sort((p, q) => p.step - q.step);
        return { name: split === "-" ? name : split, x: sorted.map((p) => p.step), y: sorted.map((p) => p.value) };
      }),
  }));
}

function classBlocks(run: RunRecord, predictions: readonly PredictionRecord[]): Block[] {
  const split = ["dev", "test", "train"].find((s) => predictions.some((p) => p.split === s && p.label !== null));
  if (split === undefined) return [];
  const pairs = predictions
    .filter((p) => p.split === split && p.label !== null && p.decision !== null)
    .map((p) => ({ label: p.label!, decision: p.decision! }));
  const r = classReport(pairs, (run.dataInfo?.["classes"] as string[] | undefined) ?? undefined);
  return [
    heading(2, `Classes on ${split} (${r.n} examples)`),
    table(
      ["class", "precision", "recall", "f1", "support"],
      r.perClass.map((c) => [c.name, num(c.precision), num(c.recall), num(c.f1), c.support]),
    ),
    text("Confusion matrix (rows: true class, columns: predicted)", "muted"),
    table(
      ["true \\ predicted", ...r.classes],
      r.classes.map((c, i) => [c, ...r.matrix[i]!]),
    ),
  ];
}

export function trackedRunView(
  run: RunRecord,
  metrics: readonly MetricRecord[],
  predictions: readonly PredictionRecord[],
): ViewModel {
  const params = Object.entries(run.params ?? {});
  const metricBlock = metricsTable(metrics);
  const charts = chartsOf(metrics);
  const blocks: Block[] = [
    text(
      `Run ${run.id} of ${run.experiment}, ${run.status}${run.parentId ? `, parent ${run.parentId}` : ""}` +
        `${run.notes ? ` — ${run.notes}` : ""}. Logged by its own training code through the tracking API: ` +
        `no spec, so no diagnosis (mlloop rebuilds a spec run's data to diagnose it); compare and attribute work on it.`,
      "muted",
    ),
    heading(2, "Params"),
    params.length > 0
      ? table(
          ["param", "value"],
          params.map(([k, v]) => [k, paramText(v)]),
        )
      : text("none", "muted"),
    heading(2, "Metrics (the last value logged)"),
    metricBlock ?? text("none logged", "muted"),
    ...(charts.length > 0 ? [heading(2, "Metrics by step"), { kind: "gallery" as const, charts }] : []),
    ...classBlocks(run, predictions),
  ];
  return { title: `run ${run.id.slice(0, 12)} — ${run.experiment}`, sections: [{ id: "run", title: "Run", blocks }] };
}

export function renderTrackedRunReport(
  run: RunRecord,
  metrics: readonly MetricRecord[],
  predictions: readonly PredictionRecord[],
): string {
  return renderViewHtml(trackedRunView(run, metrics, predictions));
}
