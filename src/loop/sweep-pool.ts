/**
 * Sweep trials on the local worker pool (src/util/pool.ts): each worker thread opens the store
 * once and runs the trials it is given.
 */
import { openStore } from "../track/open.js";
import type { Store } from "../track/store.js";
import { runTrial, type TrialResult, type TrialTask } from "./sweep-trial.js";

export interface SweepPoolShared {
  /** The --store location as given ("" for the default); a URL keeps its password. */
  readonly store: string;
}

export async function init(shared: SweepPoolShared): Promise<Store> {
  return openStore(shared.store === "" ? undefined : shared.store);
}

export function run(store: Store, task: TrialTask): Promise<TrialResult> {
  return runTrial(task, store);
}
