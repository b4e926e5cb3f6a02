/**
 * A sweep: N trials of one spec over a space of spec keys, chosen by a sampler (TPE, random, grid),
 * pruned on the learners' dev loss, run on any Executor (inline, local worker threads, BullMQ
 * workers on other machines). Every trial is a recorded run tagged sweep=<name>, sweep.trial=<n>
 * with its point as params, under an id derived from (sweep, n): a sweep resumes after a kill by
 * being run again under the same name (finished trials are kept, dead ones run again), and a
 * retried trial reclaims its id.
 *
 * Trials are sent in rounds of the executor's parallelism; each round's points are suggested from
 * every trial finished before it (as Optuna with n_jobs and no constant liar).
 */
import { createHash } from "node:crypto";
import { StoreError, UsageError } from "../errors.js";
import { loadSpecFile } from "../spec/load.js";
import { canonicalJson, specHash } from "../spec/canonical.js";
import type { Executor } from "../search/executor.js";
import { inlineExecutor } from "../search/executor.js";
import type { PrunerName } from "../search/pruners.js";
import { samplerSize, suggestPoint, type SamplerConfig } from "../search/sampler.js";
import { activePoint, type SweepSpace } from "../search/space-file.js";
import type { TpeObservation } from "../search/tpe.js";
import { runIdTime, type RunId } from "../track/run-id.js";
import type { RunRecord, Store } from "../track/store.js";
import { isTransferStore } from "../track/transfer-types.js";
import {
  recordedResult,
  runTrial,
  STATE_TAG,
  SWEEP_TAG,
  TRIAL_TAG,
  type Objective,
  type TrialResult,
  type TrialTask,
} from "./sweep-trial.js";

export interface SweepOptions {
  readonly store: Store;
  readonly name: string;
  readonly specFile: string;
  readonly sets?: readonly string[];
  readonly allowOutsidePaths?: boolean;
  readonly space: SweepSpace;
  readonly trials: number;
  readonly sampler: SamplerConfig;
  readonly pruner: PrunerName;
  /** Default: the spec's primary metric on dev, maximised (minimised for losses). */
  readonly objective?: Partial<Objective>;
  /** Where trials run (default: one after another in this process, on `store`). */
  readonly executor?: Executor<TrialTask, TrialResult>;
  readonly onTrial?: (r: TrialResult, done: number, total: number) => void;
}

export interface SweepOutcome {
  readonly name: string;
  readonly objective: Objective;
  /** Every trial, by number. */
  readonly trials: readonly TrialResult[];
  readonly best: TrialResult | null;
  /** Trials found finished in the store (a resumed sweep). */
  readonly resumed: number;
  readonly wallMs: number;
}

const LOWER_IS_BETTER = new Set(["log_loss", "brier", "error_rate", "loss"]);

export function resolveObjective(given: Partial<Objective> | undefined, declared: string): Objective {
  const metric = given?.metric ?? declared;
  return {
    split: given?.split ?? "dev",
    metric,
    direction: given?.direction ?? (LOWER_IS_BETTER.has(metric) ? "minimize" : "maximize"),
  };
}

/** The run id of trial n: the sweep's creation time, then a counter from the name's hash. */
export function trialRunId(createdAt: number, name: string, trial: number): RunId {
  const base = createHash("sha256").update(name).digest().readUInt32BE(0) >>> 1;
  const low = (base + trial) >>> 0;
  return (Math.floor(createdAt).toString(16).padStart(12, "0") + low.toString(16).padStart(8, "0")) as RunId;
}

/** The runs of a sweep, by trial number (the newest attempt when there are several). */
export async function sweepRuns(store: Store, name: string): Promise<Map<number, RunRecord>> {
  const found = await store.queryRuns({
    where: { kind: "cmp", field: { kind: "tag", key: SWEEP_TAG }, op: "=", value: { type: "string", value: name } },
  });
  const out = new Map<number, RunRecord>();
  for (const r of found.slice().reverse()) {
    const n = Number(r.tags[TRIAL_TAG]);
    if (!Number.isInteger(n) || n < 0) continue;
    // a retried trial deletes its killed attempt's run: one listed a moment ago may be gone now
    const run = await store.getRun(r.id).catch((e: unknown) => {
      if (e instanceof StoreError && e.message.startsWith("no run with id")) return null;
      throw e;
    });
    if (run !== null) out.set(n, run);
  }
  return out;
}

/** The history the sampler learns from: complete and pruned trials, by trial number. */
export function observations(results: readonly TrialResult[], objective: Objective): TpeObservation[] {
  const sign = objective.direction === "maximize" ? -1 : 1;
  return results
    .filter((r) => r.state !== "failed" && r.value !== null)
    .map((r) =>
      r.state === "complete"
        ? { params: r.params, value: sign * r.value! }
        : { params: r.params, value: r.value!, pruned: true, prunedAtStep: r.curve.at(-1)?.[0] ?? null },
    );
}

export function bestTrial(results: readonly TrialResult[], objective: Objective): TrialResult | null {
  const sign = objective.direction === "maximize" ? 1 : -1;
  let best: TrialResult | null = null;
  for (const r of results) {
    if (r.state !== "complete" || r.value === null || !Number.isFinite(r.value)) continue;
    if (best === null || sign * r.value > sign * best.value!) best = r;
  }
  return best;
}

function sweepRecord(o: SweepOptions, objective: Objective): Record<string, unknown> {
  return {
    name: o.name,
    spec: o.specFile,
    sets: o.sets ?? [],
    space: o.space,
    spaceHash: createHash("sha256").update(canonicalJson(o.space)).digest("hex").slice(0, 16),
    sampler: o.sampler,
    pruner: o.pruner,
    objective,
    trials: o.trials,
  };
}

/** Checks a resumed sweep is the same sweep (space, sampler, objective). */
function checkSameSweep(name: string, existing: RunRecord[], record: Record<string, unknown>): void {
  const prev = (existing[0]?.extras.sweep ?? null) as Record<string, unknown> | null;
  if (prev === null) return;
  for (const key of ["spaceHash", "objective", "pruner"]) {
    if (canonicalJson(prev[key] ?? null) !== canonicalJson(record[key] ?? null)) {
      throw new UsageError(
        `sweep ${name} already exists with a different ${key === "spaceHash" ? "space" : key}: resume it with the same settings, or choose another --name`,
      );
    }
  }
}

/** A trial whose job failed before its run was created (a worker refused it, a job failed twice): recorded failed. */
async function recordFailedTrial(store: Store, task: TrialTask, r: TrialResult): Promise<void> {
  let existing: RunRecord | null = null;
  try {
    existing = await store.getRun(task.runId);
  } catch {
    // no run yet: create it, failed, with the error
  }
  if (existing !== null) {
    if (existing.tags[STATE_TAG] !== undefined) return; // the trial recorded its own failure
    // an attempt killed mid-way (crashed): replace it by the failure the queue reports
    if (!isTransferStore(store)) return;
    await store.deleteRunData([task.runId]);
  }
  await store.createRun({
    id: task.runId,
    experiment: task.spec.experiment,
    name: `${task.sweep} #${task.trial}`,
    tags: { [SWEEP_TAG]: task.sweep, [TRIAL_TAG]: String(task.trial), [STATE_TAG]: "failed" },
    spec: { json: canonicalJson(task.spec), hash: specHash(task.spec) },
    params: task.params,
    extras: { sweep: task.sweepRecord },
  });
  await store.finishRun(task.runId, "failed", r.error ?? "failed");
}

/** The result of a task whose queue job failed for good (the executor's onFailure). */
export function lostTrial(task: TrialTask, message: string): TrialResult {
  return {
    trial: task.trial,
    runId: task.runId,
    state: "failed",
    value: null,
    params: task.params,
    curve: [],
    error: message,
    workMs: 0,
    totalMs: 0,
    dataFingerprint: null,
    reused: false,
    host: null,
  };
}

export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const t0 = Date.now();
  if (!Number.isInteger(o.trials) || o.trials < 1)
    throw new UsageError(`--trials ${o.trials}: expected an integer >= 1`);
  const base = loadSpecFile(o.specFile, o.sets ?? [], { allowOutsidePaths: o.allowOutsidePaths === true });
  const objective = resolveObjective(o.objective, base.spec.evaluate.primary_metric);
  const record = sweepRecord(o, objective);
  const existing = await sweepRuns(o.store, o.name);
  checkSameSweep(o.name, [...existing.values()], record);
  const createdAt = existing.size > 0 ? Math.min(...[...existing.values()].map((r) => runIdTime(r.id))) : Date.now();
  const done = new Map<number, TrialResult>();
  for (const [n, run] of existing) {
    const r = await recordedResult(o.store, run, objective);
    if (r !== null) done.set(n, r);
  }
  const resumed = done.size;
  const total = Math.min(o.trials, samplerSize(o.space.space, o.sampler) ?? Infinity);
  const executor = o.executor ?? inlineExecutor((task: TrialTask) => runTrial(task, o.store));
  const pending = Array.from({ length: total }, (_, n) => n).filter((n) => !done.has(n));
  let fingerprint = [...done.values()].find((r) => r.dataFingerprint !== null)?.dataFingerprint ?? null;
  while (pending.length > 0) {
    const round = pending.splice(0, Math.max(1, executor.parallelism));
    const history = [...done.values()].sort((a, b) => a.trial - b.trial);
    const tasks = round.map((n) => {
      const point = activePoint(
        o.space,
        existing.get(n)?.params ?? suggestPoint(o.space.space, o.sampler, n, observations(history, objective)),
      );
      const sets = [...(o.sets ?? []), ...Object.entries(point).map(([k, v]) => `${k}=${JSON.stringify(v)}`)];
      const loaded = loadSpecFile(o.specFile, sets, { allowOutsidePaths: o.allowOutsidePaths === true });
      const others = history.filter((r) => r.state === "complete" || o.pruner === "halving").map((r) => r.curve);
      const task: TrialTask = {
        kind: "sweep-trial",
        sweep: o.name,
        trial: n,
        runId: trialRunId(createdAt, o.name, n),
        spec: loaded.spec,
        baseDir: loaded.baseDir,
        params: point,
        objective,
        pruner: o.pruner,
        others,
        dataFingerprint: fingerprint,
        sweepRecord: record,
      };
      return task;
    });
    const results = await executor.map(tasks);
    for (const r of results)
      if (r.state === "failed")
        await recordFailedTrial(
          o.store,
          tasks.find((t) => t.trial === r.trial)!,
          r,
        );
    for (const r of results) {
      done.set(r.trial, r);
      fingerprint ??= r.dataFingerprint;
      o.onTrial?.(r, done.size, total);
    }
  }
  const trials = [...done.values()].sort((a, b) => a.trial - b.trial);
  return { name: o.name, objective, trials, best: bestTrial(trials, objective), resumed, wallMs: Date.now() - t0 };
}
