/**
 * What `mlloop sweep show` shows, as plain data: the sweep's settings, every trial, the best one,
 * parameter importance (permutation on a random-forest surrogate, src/search/importance.ts), and
 * the charts people look at — the optimisation history (each trial's value and the best so far)
 * one slice plot per parameter (value against the parameter) and a parallel-coordinates plot of
 * every complete trial.
 */
import { paramImportance } from "../search/importance.js";
import type { SweepSpace } from "../search/space-file.js";
import type { Chart } from "../diagnose/plots.js";
import type { ParallelAxis, ParallelChart } from "../diagnose/parallel-plot.js";
import { UsageError } from "../errors.js";
import type { Store } from "../track/store.js";
import { bestTrial, sweepRuns } from "./sweep.js";
import { recordedResult, type Objective, type TrialResult } from "./sweep-trial.js";

export interface SweepTrialRow {
  readonly trial: number;
  readonly runId: string;
  /** complete / pruned / failed, or running / crashed for a trial without a result yet. */
  readonly state: string;
  /** The objective (complete trials only). */
  readonly value: number | null;
  /** For a pruned trial: where it stopped. */
  readonly note: string | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly error: string | null;
  readonly host: string | null;
}

export interface SweepView {
  readonly name: string;
  readonly objective: Objective;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly trials: readonly SweepTrialRow[];
  readonly best: SweepTrialRow | null;
  /** Parameter → share of the objective's variation it explains (sums to 1; empty under 4 complete trials). */
  readonly importance: Readonly<Record<string, number>>;
  readonly history: Chart;
  readonly slices: readonly Chart[];
  /** Null without a recorded space or a complete trial. */
  readonly parallel: ParallelChart | null;
}

function historyChart(name: string, objective: Objective, rows: readonly SweepTrialRow[]): Chart {
  const done = rows.filter((r) => r.state === "complete" && r.value !== null);
  const sign = objective.direction === "maximize" ? 1 : -1;
  let best = -Infinity;
  const bestSoFar = done.map((r) => (best = Math.max(best, sign * r.value!)) * sign);
  const label = `${objective.split} ${objective.metric}`;
  return {
    title: `sweep ${name}: optimisation history`,
    xLabel: "trial",
    yLabel: label,
    series: [
      { name: "trial value", x: done.map((r) => r.trial), y: done.map((r) => r.value!), dashed: true },
      { name: "best so far", x: done.map((r) => r.trial), y: bestSoFar },
    ],
  };
}

function sliceCharts(space: SweepSpace | null, objective: Objective, rows: readonly SweepTrialRow[]): Chart[] {
  if (space === null) return [];
  const done = rows.filter((r) => r.state === "complete" && r.value !== null);
  return Object.entries(space.space)
    .filter(([, d]) => d.kind !== "categorical")
    .map(([key, d]) => {
      const pts = done
        .filter((r) => typeof r.params[key] === "number")
        .map((r) => [r.params[key] as number, r.value!] as const)
        .sort((a, b) => a[0] - b[0]);
      return {
        title: `slice: ${objective.split} ${objective.metric} against ${key}`,
        xLabel: key,
        yLabel: objective.metric,
        logX: d.kind !== "categorical" && d.log === true,
        series: [{ name: "trials", x: pts.map((p) => p[0]), y: pts.map((p) => p[1]) }],
      };
    });
}

/** A choice as an axis label: strings as they are, anything else as JSON. */
function choiceLabel(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function parallelChart(
  name: string,
  space: SweepSpace | null,
  objective: Objective,
  rows: readonly SweepTrialRow[],
): ParallelChart | null {
  const done = rows.filter((r) => r.state === "complete" && r.value !== null);
  if (space === null || done.length === 0) return null;
  const keys = Object.keys(space.space);
  const axes: ParallelAxis[] = keys.map((key) => {
    const d = space.space[key]!;
    return d.kind === "categorical"
      ? { name: key, kind: "categorical", values: d.values.map(choiceLabel) }
      : { name: key, kind: "numeric", low: d.low, high: d.high, log: d.log === true };
  });
  return {
    title: `sweep ${name}: parallel coordinates`,
    axes,
    objective: `${objective.split} ${objective.metric}`,
    higherIsBetter: objective.direction === "maximize",
    lines: done.map((r) => ({
      label: `trial ${r.trial}`,
      values: keys.map((key, k) => {
        const v = r.params[key];
        if (v === undefined) return null;
        return axes[k]!.kind === "categorical" ? choiceLabel(v) : typeof v === "number" ? v : null;
      }),
      score: r.value!,
    })),
  };
}

export async function sweepView(store: Store, name: string): Promise<SweepView> {
  const runs = await sweepRuns(store, name);
  if (runs.size === 0)
    throw new UsageError(`no sweep named ${name} in store ${store.location} (no run has the tag sweep=${name})`);
  const first = [...runs.values()].find((r) => r.extras.sweep !== undefined);
  const settings = (first?.extras.sweep ?? {}) as Record<string, unknown>;
  const objective = (settings.objective ?? { split: "dev", metric: "f1", direction: "maximize" }) as Objective;
  const results: TrialResult[] = [];
  const rows: SweepTrialRow[] = [];
  for (const [trial, run] of [...runs.entries()].sort((a, b) => a[0] - b[0])) {
    const r = await recordedResult(store, run, objective);
    if (r !== null) results.push(r);
    rows.push({
      trial,
      runId: run.id,
      state: r?.state ?? run.status,
      value: r?.state === "complete" ? r.value : null,
      note:
        r?.state === "pruned" && r.curve.length > 0
          ? `dev loss ${r.curve.at(-1)![1].toPrecision(4)} at step ${r.curve.at(-1)![0]}`
          : null,
      params: run.params,
      error: r?.error ?? run.error,
      host: run.host,
    });
  }
  const best = bestTrial(results, objective);
  const space = (settings.space ?? null) as SweepSpace | null;
  const complete = results.filter((r) => r.state === "complete" && r.value !== null);
  const importance =
    space === null
      ? {}
      : paramImportance(
          space.space,
          complete.map((r) => r.params),
          complete.map((r) => r.value!),
        );
  return {
    name,
    objective,
    settings,
    trials: rows,
    best: best === null ? null : (rows.find((r) => r.trial === best.trial) ?? null),
    importance,
    history: historyChart(name, objective, rows),
    slices: sliceCharts(space, objective, rows),
    parallel: parallelChart(name, space, objective, rows),
  };
}
