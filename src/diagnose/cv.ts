/**
 * A cross-validation session: the pool's examples featurized once (fold-features.ts), a worker pool
 * started once (or BullMQ workers, diagnose --queue: cv-job.ts), and any number of (training rows,
 * validation rows, model) tasks run on it. The learning curve, the validation curve and the
 * out-of-fold probabilities of confident learning all share one session.
 */
import type { Example } from "../data/example.js";
import type { Executor } from "../search/executor.js";
import { createPool } from "../util/pool.js";
import type { ModelSpec } from "../spec/models.js";
import type { FeaturesSpec } from "../spec/schema.js";
import { deriveSeed } from "../util/random.js";
import type { CvResult, CvShared, CvTask } from "./cv-worker.js";
import { prepareFoldFeatures } from "./fold-features.js";
import { foldRows, stratifiedKFold } from "./folds.js";

export interface CvData {
  /** The examples cross-validation draws from (usually the run's training split), in a fixed order. */
  readonly examples: readonly Example[];
  /** Class index per example. */
  readonly y: Int32Array;
  readonly classes: readonly string[];
  /** Binary: index of the positive class; null for multiclass. */
  readonly positive: number | null;
  readonly features: FeaturesSpec;
  /** Class weights already by class index (as the learners take them). */
  readonly model: ModelSpec;
  readonly seed: number;
}

export interface CvOptions {
  /** Number of folds (default 5). */
  readonly folds?: number;
  /** Shuffle the class members before dealing them to folds (default true; false = scikit-learn's StratifiedKFold). */
  readonly shuffle?: boolean;
  /** Worker threads (default: available parallelism); 0 runs inline. */
  readonly workers?: number;
  /** Runs the tasks somewhere else than the local pool (`diagnose --queue`); `workers` is then unused. */
  readonly executor?: CvExecutorFactory;
}

/**
 * An Executor for one session's tasks, given the session's shared state: a CvTask only names rows of
 * that state, so an executor whose workers do not share this process's memory must ship it.
 */
export type CvExecutorFactory = (shared: CvShared) => Executor<CvTask, CvResult>;

export interface CvSession {
  readonly data: CvData;
  readonly folds: Int32Array;
  readonly k: number;
  /** Training and validation rows of each fold. */
  readonly foldRows: ReadonlyArray<{ train: Int32Array; val: Int32Array }>;
  run(tasks: readonly CvTask[], onProgress?: (done: number, total: number) => void): Promise<CvResult[]>;
  /** Out-of-fold class probabilities of every pool row (row-major n × classes), with the data's model. */
  outOfFold(onProgress?: (done: number, total: number) => void): Promise<Float64Array>;
  close(): Promise<void>;
}

export function openCvSession(data: CvData, options: CvOptions = {}): CvSession {
  const k = options.folds ?? 5;
  const folds = stratifiedKFold(data.y, k, {
    shuffle: options.shuffle ?? true,
    seed: deriveSeed(data.seed, "cv-folds"),
    classNames: data.classes,
  });
  const rows = Array.from({ length: k }, (_, f) => foldRows(folds, f));
  const shared: CvShared = {
    features: prepareFoldFeatures(data.features, data.examples),
    y: data.y,
    nClasses: data.classes.length,
    positive: data.positive,
  };
  const executor = options.executor?.(shared) ?? localPool(shared, options.workers ?? envWorkers());
  let oof: Promise<Float64Array> | null = null;
  const session: CvSession = {
    data,
    folds,
    k,
    foldRows: rows,
    run: (tasks, onProgress) => executor.map(tasks, onProgress),
    outOfFold(onProgress) {
      oof ??= (async () => {
        const tasks: CvTask[] = rows.map((r, f) => ({
          key: `oof:${f}`,
          trainRows: r.train,
          valRows: r.val,
          model: data.model,
          seed: deriveSeed(data.seed, `oof-${f}`),
          wantProba: true,
        }));
        const results = await executor.map(tasks, onProgress);
        return assembleOutOfFold(rows, results, data.classes.length, data.y.length);
      })();
      return oof;
    },
    close: () => executor.close(),
  };
  return session;
}

/** The worker-thread pool as an Executor (size as given: 1 is one worker thread, 0 inline). */
function localPool(shared: CvShared, size: number | undefined): Executor<CvTask, CvResult> {
  const pool = createPool<CvShared, CvTask, CvResult>({
    module: new URL("./cv-worker.js", import.meta.url),
    shared,
    size,
  });
  return { parallelism: Math.max(1, pool.size), map: (t, onDone) => pool.runAll(t, onDone), close: () => pool.close() };
}

/** MLLOOP_WORKERS overrides the pool size (0 = inline). */
function envWorkers(): number | undefined {
  const env = process.env["MLLOOP_WORKERS"];
  return env !== undefined && /^\d+$/.test(env) ? Number(env) : undefined;
}

export function assembleOutOfFold(
  rows: ReadonlyArray<{ val: Int32Array }>,
  results: readonly CvResult[],
  nClasses: number,
  n: number,
): Float64Array {
  const out = new Float64Array(n * nClasses);
  rows.forEach((r, f) => {
    const p = results[f]!.valProba!;
    for (let i = 0; i < r.val.length; i++) {
      for (let c = 0; c < nClasses; c++) out[r.val[i]! * nClasses + c] = p[i * nClasses + c]!;
    }
  });
  return out;
}
