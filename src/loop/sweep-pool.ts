/**
 * Sweep trials, recorded-run jobs, screening trials and cross-validation folds on the local worker
 * pool (src/util/pool.ts): each worker thread opens the store once and runs the tasks it is given
 * (`mlloop worker` runs its queue jobs here too).
 */
import { runCvJob, type CvJob, type CvJobResult } from "../diagnose/cv-job.js";
import { openStore } from "../track/open.js";
import type { Store } from "../track/store.js";
import { packScreenResult, unpackScreenJob, type ScreenJob, type ScreenJobResult } from "../recommend/screen-job.js";
import { crossValidate } from "../recommend/screen-worker.js";
import { runJob, type RunJobResult, type RunJobTask } from "./run-job.js";
import { runTrial, type TrialResult, type TrialTask } from "./sweep-trial.js";

export interface SweepPoolShared {
  /** The --store location as given ("" for the default); a URL keeps its password. */
  readonly store: string;
}

export async function init(shared: SweepPoolShared): Promise<Store> {
  return openStore(shared.store === "" ? undefined : shared.store);
}

export type PoolTask = TrialTask | RunJobTask | ScreenJob | CvJob;

export function run(store: Store, task: TrialTask): Promise<TrialResult>;
export function run(store: Store, task: RunJobTask): Promise<RunJobResult>;
export function run(store: Store, task: ScreenJob): Promise<ScreenJobResult>;
export function run(store: Store, task: CvJob): Promise<CvJobResult>;
export async function run(
  store: Store,
  task: PoolTask,
): Promise<TrialResult | RunJobResult | ScreenJobResult | CvJobResult> {
  if (task.kind === "run") return runJob(task, store);
  // a screening trial reads nothing from the store: its training matrix travels with it
  if (task.kind === "screen") return packScreenResult(crossValidate(unpackScreenJob(task)));
  // a cross-validation fold (diagnose --queue) carries its feature source: no store read either
  if (task.kind === "cv") return runCvJob(task);
  return runTrial(task, store);
}
