/**
 * One sweep trial, wherever it runs (inline, a local worker thread, `mlloop worker` on another
 * machine): a recorded `mlloop run` of the sweep's spec with the trial's point applied, under the
 * run id derived from (sweep, trial number). A trial whose run already finished is not run again
 * (its recorded result is returned); a trial whose earlier attempt died (crashed, failed or still
 * marked running) has that attempt's rows deleted and runs again under the same id — so a retried
 * trial is recorded once.
 *
 * Pruning: the learner reports its dev loss per iteration; the task carries the other trials'
 * curves, and when the pruner says stop, training stops, the run is recorded failed with
 * "pruned at step k", its curve is kept as metrics and the tag sweep.state = pruned marks it.
 */
import { performance } from "node:perf_hooks";
import { DataError, isMlloopError } from "../errors.js";
import { taskPrimaryMetric } from "../evaluate/primary-metric.js";
import type { Spec } from "../spec/schema.js";
import type { Curve, PrunerName } from "../search/pruners.js";
import { shouldPrune } from "../search/pruners.js";
import { captureProvenance } from "../track/provenance.js";
import type { Provenance, RunId, RunRecord, Store } from "../track/store.js";
import { isTransferStore } from "../track/transfer-types.js";
import { runExperiment } from "./run-experiment.js";

export const SWEEP_TAG = "sweep";
export const TRIAL_TAG = "sweep.trial";
export const STATE_TAG = "sweep.state";
/** The dev loss per iteration, as a trial logs it (the curve pruners read). */
export const CURVE_METRIC = { split: "dev", name: "loss" } as const;

export type TrialState = "complete" | "pruned" | "failed";

export interface Objective {
  readonly split: string;
  readonly metric: string;
  readonly direction: "maximize" | "minimize";
}

export interface TrialTask {
  readonly kind: "sweep-trial";
  readonly sweep: string;
  readonly trial: number;
  readonly runId: RunId;
  /** The spec with the trial's point applied, validated by the coordinator. */
  readonly spec: Spec;
  readonly baseDir: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly objective: Objective;
  readonly pruner: PrunerName;
  /** Curves of the trials finished when this one was sent (what its pruner compares with). */
  readonly others: readonly Curve[];
  /** The sweep's data fingerprint once a trial has recorded one: a worker with other data refuses. */
  readonly dataFingerprint: string | null;
  /** Recorded in every trial's extras, so `sweep show` and a resume know the sweep. */
  readonly sweepRecord: Readonly<Record<string, unknown>>;
}

export interface TrialResult {
  readonly trial: number;
  readonly runId: RunId;
  readonly state: TrialState;
  /** The objective (complete trials), or the last intermediate value (pruned), else null. */
  readonly value: number | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly curve: Curve;
  readonly error: string | null;
  /** Milliseconds of fit + predict + evaluate (the learner's own work), and of the whole trial. */
  readonly workMs: number;
  readonly totalMs: number;
  readonly dataFingerprint: string | null;
  /** True when the run had already finished (a retried job or a resumed sweep): nothing was run. */
  readonly reused: boolean;
  readonly host: string | null;
}

export class TrialPruned extends Error {
  constructor(
    readonly step: number,
    readonly value: number,
  ) {
    super(`pruned at step ${step} (dev loss ${value.toPrecision(4)})`);
    this.name = "TrialPruned";
  }
}

let processProvenance: Promise<Provenance> | null = null;

/** Git and environment, captured once per process for all the trials it runs. */
export function provenanceOnce(): Promise<Provenance> {
  processProvenance ??= captureProvenance();
  return processProvenance;
}

export async function findRun(store: Store, id: RunId): Promise<RunRecord | null> {
  try {
    return await store.getRun(id);
  } catch {
    return null;
  }
}

/** A trial's curve as recorded (dev loss by step). */
export async function recordedCurve(store: Store, id: RunId): Promise<Curve> {
  const rows = await store.getMetrics(id, CURVE_METRIC);
  return rows.map((r) => [r.step, r.value] as const);
}

/** What a recorded trial run says, or null when it is not done (no run, crashed, killed mid-way). */
export async function recordedResult(store: Store, run: RunRecord, objective: Objective): Promise<TrialResult | null> {
  const state = run.tags[STATE_TAG] as TrialState | undefined;
  if (run.status === "running" || run.status === "crashed" || state === undefined) return null;
  const trial = Number(run.tags[TRIAL_TAG]);
  const curve = await recordedCurve(store, run.id);
  let value: number | null = null;
  if (state === "complete") {
    const primary = typeof run.extras.primaryMetric === "string" ? run.extras.primaryMetric : objective.metric;
    for (const name of [objective.metric, primary]) {
      const m = await store.getMetrics(run.id, { split: objective.split, name });
      value ??= m.find((r) => r.step === 0)?.value ?? null;
    }
  } else if (state === "pruned") value = curve.at(-1)?.[1] ?? null;
  const fp = run.dataInfo?.fingerprint;
  return {
    trial,
    runId: run.id,
    state,
    value,
    params: run.params,
    curve,
    error: run.error,
    workMs: 0,
    totalMs: 0,
    dataFingerprint: typeof fp === "string" ? fp : null,
    reused: true,
    host: run.host,
  };
}

function pruneHook(task: TrialTask, curve: Array<readonly [number, number]>) {
  return (p: { step: number; devLoss?: number }): void => {
    if (p.devLoss === undefined) return;
    curve.push([p.step, p.devLoss]);
    if (shouldPrune(task.pruner, curve, p.step, { others: task.others })) throw new TrialPruned(p.step, p.devLoss);
  };
}

/** Runs (or reclaims) one trial against `store`. Never throws for a trial's own failure: the result says. */
export async function runTrial(task: TrialTask, store: Store): Promise<TrialResult> {
  const t0 = performance.now();
  const existing = await findRun(store, task.runId);
  if (existing !== null) {
    const done = await recordedResult(store, existing, task.objective);
    if (done !== null) return done;
    if (!isTransferStore(store)) throw new Error(`store ${store.location} cannot delete a dead trial's run`);
    await store.deleteRunData([task.runId]);
  }
  const curve: Array<readonly [number, number]> = [];
  const base = { trial: task.trial, runId: task.runId, params: task.params, curve, reused: false };
  const tags = { [SWEEP_TAG]: task.sweep, [TRIAL_TAG]: String(task.trial) };
  let fingerprint: string | null = null;
  try {
    const outcome = await runExperiment({
      spec: task.spec,
      baseDir: task.baseDir,
      store,
      runId: task.runId,
      params: task.params,
      provenance: await provenanceOnce(),
      name: `${task.sweep} #${task.trial}`,
      tags,
      onIteration: pruneHook(task, curve),
      onData: (fp) => {
        fingerprint = fp;
        if (task.dataFingerprint !== null && fp !== task.dataFingerprint) {
          throw new DataError(
            `this worker's data differ from the sweep's: fingerprint ${fp.slice(0, 12)} here, ${task.dataFingerprint.slice(0, 12)} in the sweep (same data.path, different content?)`,
          );
        }
      },
    });
    const metrics = outcome.metrics[task.objective.split as "dev"];
    // the spec's primary metric is stored under its name for the task (f1 → macro_f1 for multiclass)
    const value =
      metrics?.[task.objective.metric] ?? metrics?.[taskPrimaryMetric(task.objective.metric, outcome.classes.length)];
    await store.updateRun(task.runId, { extras: { sweep: task.sweepRecord } });
    await store.setTag(task.runId, STATE_TAG, "complete");
    const t = outcome.timings;
    const workMs = (t.train ?? 0) + (t.predict ?? 0) + (t.evaluate ?? 0);
    const missing = value === undefined ? `no metric ${task.objective.split}.${task.objective.metric}` : null;
    return {
      ...base,
      state: missing === null ? "complete" : "failed",
      value: value ?? null,
      error: missing,
      workMs,
      totalMs: performance.now() - t0,
      dataFingerprint: fingerprint,
      host: null,
    };
  } catch (err) {
    const pruned = err instanceof TrialPruned;
    const message = err instanceof Error ? err.message : String(err);
    const created = (await findRun(store, task.runId)) !== null;
    if (created) {
      if (curve.length > 0) {
        await store.logMetrics(
          task.runId,
          curve.map(([step, value]) => ({ ...CURVE_METRIC, step, value })),
        );
      }
      await store.updateRun(task.runId, { extras: { sweep: task.sweepRecord } });
      await store.setTag(task.runId, STATE_TAG, pruned ? "pruned" : "failed");
    }
    if (!pruned && !isMlloopError(err) && !created) throw err;
    return {
      ...base,
      state: pruned ? "pruned" : "failed",
      value: pruned ? (err as TrialPruned).value : null,
      error: message,
      workMs: 0,
      totalMs: performance.now() - t0,
      dataFingerprint: fingerprint,
      host: null,
    };
  }
}
