/**
 * One recorded run as a job, wherever it runs (a local worker thread, `mlloop worker` on another
 * machine): `attribute --queue` sends its coalition runs this way. The run id is chosen by whoever
 * sends the job (derived from what the run is for), so a job tried twice — its first worker killed —
 * is recorded once: a finished run under that id is returned as it is, an attempt that died has its
 * rows deleted and runs again under the same id.
 */
import { performance } from "node:perf_hooks";
import { DataError, isMlloopError } from "../errors.js";
import type { Spec } from "../spec/schema.js";
import type { RunId, Store } from "../track/store.js";
import { isTransferStore } from "../track/transfer-types.js";
import { runExperiment } from "./run-experiment.js";
import { findRun, provenanceOnce } from "./sweep-trial.js";

export interface RunJobTask {
  readonly kind: "run";
  readonly runId: RunId;
  readonly spec: Spec;
  readonly baseDir: string;
  readonly parent: RunId | null;
  readonly name: string;
  readonly notes: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The data fingerprint the sender expects (null: no expectation); other data are refused. */
  readonly dataFingerprint: string | null;
}

export interface RunJobResult {
  readonly runId: RunId;
  /** Why the run did not finish (a user or data error); null when it did. */
  readonly error: string | null;
  /** True when the run had already finished under this id (a retried or repeated job). */
  readonly reused: boolean;
  readonly ms: number;
  readonly host: string | null;
}

/** Runs (or reclaims) one job against `store`. A run's own failure is in the result; anything else throws. */
export async function runJob(task: RunJobTask, store: Store): Promise<RunJobResult> {
  const t0 = performance.now();
  const base = { runId: task.runId, host: null };
  const existing = await findRun(store, task.runId);
  if (existing !== null) {
    if (existing.status === "finished") return { ...base, error: null, reused: true, ms: performance.now() - t0 };
    if (!isTransferStore(store)) throw new Error(`store ${store.location} cannot delete a dead job's run`);
    await store.deleteRunData([task.runId]);
  }
  try {
    await runExperiment({
      spec: task.spec,
      baseDir: task.baseDir,
      store,
      runId: task.runId,
      parent: task.parent ?? undefined,
      name: task.name,
      notes: task.notes,
      tags: { ...task.tags },
      provenance: await provenanceOnce(),
      onData: (fp) => {
        if (task.dataFingerprint !== null && fp !== task.dataFingerprint) {
          throw new DataError(
            `this worker's data differ from the sender's: fingerprint ${fp.slice(0, 12)} here, ${task.dataFingerprint.slice(0, 12)} expected (same data.path, different content?)`,
          );
        }
      },
    });
    return { ...base, error: null, reused: false, ms: performance.now() - t0 };
  } catch (err) {
    // a user or data error is the job's answer (recorded on its failed run); anything else is the
    // worker's trouble and BullMQ tries the job again elsewhere
    if (!isMlloopError(err)) throw err;
    return { ...base, error: (err as Error).message, reused: false, ms: performance.now() - t0 };
  }
}
