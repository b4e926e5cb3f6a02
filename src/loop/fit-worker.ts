/**
 * The train stage's holdout fit on its own thread (a pool task module, see src/util/pool.ts): the
 * main thread stays free while a learner runs for seconds or minutes, so Ctrl-C and SIGTERM reach
 * the run logger at once and the run is recorded `failed: interrupted by SIGINT` instead of
 * finishing the fit first (a signal handler only runs when the event loop gets control).
 *
 * The fitted model comes back serialized (SerializedModel keeps every float exactly) and is
 * restored on the calling thread with loadModel, the path `mlloop predict` uses too.
 */
import { MlloopError, type ErrorKind } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { SerializedModel, TrainingReport } from "../models/estimator.js";
import { createModel } from "../models/registry.js";
import type { ModelSpec } from "../spec/models.js";

export interface FitTask {
  readonly model: ModelSpec;
  readonly seed: number;
  readonly nClasses: number;
  readonly X: CsrMatrix;
  readonly y: Int32Array;
  readonly dev?: { readonly X: CsrMatrix; readonly y: Int32Array };
}

/** A user-facing error thrown by the fit, with what the calling thread needs to throw it again. */
export interface FitFailure {
  readonly name: string;
  readonly message: string;
  readonly kind: ErrorKind | null;
  readonly where: string | null;
}

export type FitOutcome =
  | { readonly ok: true; readonly model: SerializedModel; readonly training: TrainingReport }
  | { readonly ok: false; readonly error: FitFailure };

export function init(): null {
  return null;
}

export function run(_state: null, task: FitTask): FitOutcome {
  try {
    const model = createModel(task.model, task.seed);
    const training = model.fit({
      X: task.X,
      y: task.y,
      nClasses: task.nClasses,
      ...(task.dev === undefined ? {} : { dev: task.dev }),
    });
    return { ok: true, model: model.serialize(), training };
  } catch (e) {
    // a bug keeps its stack for --verbose; only MlloopErrors are rebuilt as what they were
    if (!(e instanceof MlloopError)) throw e;
    return {
      ok: false,
      error: { name: e.name, message: e.message, kind: e.kind, where: e.where ?? null },
    };
  }
}
