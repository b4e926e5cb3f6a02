/**
 * The train stage of a run, by the spec's evaluation policy: the holdout (the model fitted on the
 * train split, scoring train, dev and test), or `evaluate.cross_validate: k` (train and dev pooled;
 * out-of-fold predictions as dev, the pipeline refitted on the pool scoring train and test).
 */
import type { Example } from "../data/example.js";
import { subsetFingerprint } from "../data/fingerprint.js";
import type { SplitName, SplitResult } from "../data/split.js";
import type { CsrMatrix } from "../features/csr.js";
import type { FamilyCost } from "../features/pipeline.js";
import type { CurvePoint, Estimator, TrainingReport } from "../models/estimator.js";
import { isMainThread } from "node:worker_threads";
import { DataError, EnvironmentError, ModelError, SpecError } from "../errors.js";
import { createModel, loadModel } from "../models/registry.js";
import { createPool, type TaskPool } from "../util/pool.js";
import type { FitFailure, FitOutcome, FitTask } from "./fit-worker.js";
import type { ModelSpec } from "../spec/models.js";
import type { Spec } from "../spec/schema.js";
import type { RunInputs } from "./cache-inputs.js";
import type { crossValidate as CrossValidate } from "./cross-validate.js";
import { foldScores, foldSummary, poolFolds, type FoldScores } from "./fold-scores.js";
import type { RunEvaluation } from "./evaluate-run.js";

/** Dataset rows each split's metrics and predictions are computed on. */
export interface EvaluatedRows extends Record<SplitName, Int32Array> {
  /** Cross-validation only: the pooled train + dev rows (dataset order) and each one's held-out fold. */
  readonly cv: { readonly k: number; readonly pool: Int32Array; readonly folds: Int32Array } | null;
}

/** The rows of each split; with cross-validation train and dev are both the pool (folds checked here, before the run exists). */
export function evaluatedRows(
  idx: Readonly<Record<SplitName, Int32Array>>,
  y: Int32Array,
  classes: readonly string[],
  k: number | undefined,
): EvaluatedRows {
  if (k === undefined) return { train: idx.train, dev: idx.dev, test: idx.test, cv: null };
  const pool = Int32Array.from([...idx.train, ...idx.dev]).sort();
  const folds = poolFolds(
    Int32Array.from(pool, (i) => y[i]!),
    k,
    classes,
  );
  return { train: pool, dev: pool, test: idx.test, cv: { k, pool, folds } };
}

/** What a cross-validated run records instead of the split's train and dev fingerprints and counts. */
export function poolDataInfo(examples: readonly Example[], rows: EvaluatedRows, split: SplitResult) {
  const pool = subsetFingerprint(examples, rows.dev);
  return {
    splits: { train: pool, dev: pool, test: split.fingerprints.test },
    counts: { ...split.counts, train: rows.train.length, dev: rows.dev.length },
    crossValidation: {
      k: rows.cv!.k,
      pooled: rows.dev.length,
      from: { train: split.counts.train, dev: split.counts.dev },
    },
  };
}

export interface FittedModel {
  readonly model: Estimator;
  readonly training: TrainingReport;
  readonly rows: EvaluatedRows;
  /** Row-major probabilities per split, rows as in `rows` (the run's predict stage). */
  predict(): Record<SplitName, Float64Array>;
  readonly featuresJson: string;
  readonly nFeatures: number;
  readonly families: FamilyCost[];
  /** What the training profile (drift reference for `predict`) is computed from. */
  readonly profile: { readonly train: CsrMatrix; readonly dev?: CsrMatrix };
  readonly crossValidation: { readonly k: number; readonly folds: Int32Array; readonly outOfFold: Float64Array } | null;
}

export interface FitInput {
  readonly spec: Spec;
  readonly inputs: RunInputs;
  /** The dataset's examples (needed for cross-validation only). */
  readonly examples: readonly Example[] | null;
  /** The model spec with class weights by index. */
  readonly modelSpec: ModelSpec;
  readonly classes: readonly string[];
  readonly seed: number;
  readonly rows: EvaluatedRows;
  /** Each curve point of an iterative learner on the holdout fit (a sweep's pruner; see FitData.onIteration). */
  readonly onIteration?: (point: CurvePoint) => void;
  /** The holdout fit on a worker thread (true) or on this one (false); default: see fitsOnThread. */
  readonly thread?: boolean;
}

/** A worker thread for one holdout fit. */
type FitThread = TaskPool<FitTask, FitOutcome>;

/**
 * A holdout fit runs on a worker thread only when it may be long, and only when the code runs
 * compiled on the main thread (the CLI): that is where a person presses Ctrl-C, and a signal
 * handler runs only when the event loop gets control, i.e. after a fit on this thread returns.
 * Under tsx (tests from the sources) a worker would first have to boot the TypeScript loader, and
 * a sweep trial's pruner (onIteration) must see every curve point synchronously; both fit inline,
 * as does code already on a worker thread.
 */
const compiled = import.meta.url.endsWith(".js");

/**
 * The fit work (stored values visited: about 1–2 ns each in the kernels here, so roughly one to two
 * seconds) up to which a holdout fit runs on the calling thread. Starting the fit's thread is a
 * second Node instance: ~0.2 s of CPU and 0.1–0.2 s of wall before a fit of 40 ms could begin
 * (docs/benchmarks.md, "Start-up and the warm iteration"). The estimate counts every iteration the
 * spec allows (max_iter), which a fit rarely reaches — the spam baseline's logistic regression
 * converges in 5 of its 100 — so a signal during an inline fit waits ~40 ms in practice; it is
 * handled as soon as the fit returns, and the run is recorded interrupted before anything else.
 */
export const INLINE_FIT_WORK = 1e9;

/**
 * An upper estimate of a holdout fit's work, in stored values visited (see INLINE_FIT_WORK): the
 * passes over the training data (and the dev data the curve is scored on) each family makes per
 * iteration, times the iterations the spec allows, times the models fitted (one per class for
 * one-vs-rest; one per fold for calibration, Platt scaling and label cleaning). Dense families
 * count every cell. A guide to where the fit runs, not a promise of its time.
 */
export function fitWorkEstimate(model: ModelSpec, train: CsrMatrix, dev: CsrMatrix | null, nClasses: number): number {
  const nnz = (train.indptr[train.rows] ?? 0) + (dev === null ? 0 : (dev.indptr[dev.rows] ?? 0));
  const rows = train.rows + (dev?.rows ?? 0);
  const cells = rows * train.cols;
  const perClass = nClasses > 2 ? nClasses : 1;
  // calibration (5 folds, ensembled) and label cleaning (5 folds, then the final fit) refit the family
  const wrapped =
    (model.calibration === "sigmoid" || model.calibration === "isotonic" ? 5 : 1) *
    (model.label_issues === "drop" ? 6 : 1);
  let work: number;
  switch (model.family) {
    case "logistic_regression":
      // TRON: a function and gradient (2 passes) and ~3 conjugate-gradient steps (2 passes each)
      // per iteration; L1 and elastic net (OWL-QN): ~3 evaluations per iteration
      work = nnz * model.max_iter * (model.penalty === "l2" ? 8 : 6) * perClass;
      break;
    case "naive_bayes":
      work = nnz * (4 + nClasses);
      break;
    case "gaussian_nb":
      work = cells * 4;
      break;
    case "linear_svm":
      work = nnz * 2 * model.max_iter * perClass * (model.calibration_folds + 1);
      break;
    case "sgd":
      work = nnz * model.max_iter * perClass * (model.loss === "hinge" ? model.calibration_folds + 1 : 1);
      break;
    case "gradient_boosting":
      // a histogram and a partition pass over the binned cells per tree, one tree per class
      work = cells * 2 * model.max_iter * perClass;
      break;
    case "mlp": {
      const [h1, h2] = model.hidden_layer_sizes;
      const dense = h2 === undefined ? h1! * nClasses : h1! * h2 + h2 * nClasses;
      // forward and backward passes
      work = 3 * model.max_iter * (nnz * h1! + rows * dense);
      break;
    }
  }
  return work * wrapped;
}

/** Whether the holdout fit's estimated work is within INLINE_FIT_WORK. */
function shortFit(input: FitInput): boolean {
  const { X } = input.inputs;
  const dev = input.rows.dev.length > 0 ? X.dev : null;
  return fitWorkEstimate(input.modelSpec, X.train, dev, input.classes.length) <= INLINE_FIT_WORK;
}

/** Whether the holdout fit of `input` runs on a worker thread (see INLINE_FIT_WORK). */
export function fitsOnThread(input: FitInput): boolean {
  if (input.thread !== undefined) return input.thread;
  if (!compiled || !isMainThread || input.onIteration !== undefined) return false;
  return !shortFit(input);
}

/**
 * Whether the train stage leaves this thread's event loop free, or busy for a short time only: a
 * holdout fit on a worker thread, or one whose estimated work is within INLINE_FIT_WORK (and so
 * its predictions too). Cross-validation fits every fold on this thread.
 */
export function fitCannotBlock(input: FitInput): boolean {
  return input.rows.cv === null && (fitsOnThread(input) || shortFit(input));
}

/**
 * Lets the event loop poll once, so that a signal that arrived during a fit on this thread is
 * handled (the run logger records the run failed: interrupted) before the run goes on. An
 * immediate queued from the check phase runs in the next loop iteration's check phase, after its
 * poll phase — where the signal is read; one hop from the poll phase itself could come too early.
 */
async function pollSignals(): Promise<void> {
  for (let hop = 0; hop < 2; hop++) await new Promise((resolve) => setImmediate(resolve));
}

export async function fitModel(input: FitInput): Promise<FittedModel> {
  // imported here: cross-validation fits feature pipelines, whose code a holdout run never loads
  if (input.rows.cv !== null) return fitCrossValidated(input, (await import("./cross-validate.js")).crossValidate);
  if (!fitsOnThread(input)) {
    const fitted = fitInline(input);
    await pollSignals();
    return fitHoldout(input, fitted);
  }
  const thread: FitThread = createPool<null, FitTask, FitOutcome>({
    module: new URL("./fit-worker.js", import.meta.url),
    shared: null,
    size: 1,
  });
  try {
    return fitHoldout(input, await fitOnThread(input, thread));
  } finally {
    await thread.close();
  }
}

/** A plain CSR object (structured-cloned to the worker; extra properties would not survive). */
const plain = (X: CsrMatrix): CsrMatrix => ({
  rows: X.rows,
  cols: X.cols,
  indptr: X.indptr,
  indices: X.indices,
  data: X.data,
});

/**
 * The labels of rows `rows` (a plain loop: Int32Array.from with a mapping function was ~0.7 ms a
 * call for a few thousand rows in a fresh process, five calls a run, against ~0.1 ms).
 */
export function labelsAt(y: Int32Array, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = y[rows[k]!]!;
  return out;
}

function labelsOf(input: FitInput, r: Int32Array): Int32Array {
  return labelsAt(input.inputs.y, r);
}

function fitInline(input: FitInput): { model: Estimator; training: TrainingReport } {
  const { inputs, modelSpec, classes, seed, rows, onIteration } = input;
  const model = createModel(modelSpec, seed);
  const training = model.fit({
    X: inputs.X.train,
    y: labelsOf(input, rows.train),
    nClasses: classes.length,
    dev: rows.dev.length > 0 ? { X: inputs.X.dev, y: labelsOf(input, rows.dev) } : undefined,
    ...(onIteration === undefined ? {} : { onIteration }),
  });
  return { model, training };
}

async function fitOnThread(
  input: FitInput,
  thread: FitThread,
): Promise<{ model: Estimator; training: TrainingReport }> {
  const { inputs, modelSpec, classes, seed, rows } = input;
  const outcome = await thread.run({
    model: modelSpec,
    seed,
    nClasses: classes.length,
    X: plain(inputs.X.train),
    y: labelsOf(input, rows.train),
    ...(rows.dev.length > 0 ? { dev: { X: plain(inputs.X.dev), y: labelsOf(input, rows.dev) } } : {}),
  });
  if (!outcome.ok) throw rebuildError(outcome.error);
  return { model: loadModel(outcome.model), training: outcome.training };
}

/** The worker's MlloopError as the class it was (the CLI's exit code and message depend on it). */
function rebuildError(e: FitFailure): Error {
  const where = e.where === null ? {} : { where: e.where };
  const byKind: Partial<Record<string, () => Error>> = {
    model: () => new ModelError(e.message, where),
    data: () => new DataError(e.message, where),
    spec: () => new SpecError(e.message, where),
    environment: () => new EnvironmentError(e.message, where),
  };
  const rebuilt = e.kind === null ? undefined : byKind[e.kind]?.();
  if (rebuilt !== undefined) return rebuilt;
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

function fitHoldout(
  { inputs, rows }: FitInput,
  { model, training }: { model: Estimator; training: TrainingReport },
): FittedModel {
  const { X } = inputs;
  return {
    model,
    training,
    rows,
    predict: () => ({
      train: model.predictProba(X.train),
      dev: model.predictProba(X.dev),
      test: model.predictProba(X.test),
    }),
    featuresJson: inputs.features.json(),
    nFeatures: inputs.features.nFeatures,
    families: inputs.features.families,
    profile: { train: X.train, dev: X.dev },
    crossValidation: null,
  };
}

function fitCrossValidated(
  { spec, inputs, examples, modelSpec, classes, seed, rows }: FitInput,
  crossValidate: typeof CrossValidate,
): FittedModel {
  const cvRows = rows.cv!;
  const pool = Array.from(cvRows.pool, (i) => examples![i]!);
  const cv = crossValidate({
    features: spec.features,
    model: modelSpec,
    pool,
    y: Int32Array.from(cvRows.pool, (i) => inputs.y[i]!),
    classes,
    folds: cvRows.folds,
    seed,
  });
  const { features, X, model, training } = cv.final;
  return {
    model,
    training,
    rows,
    predict: () => ({
      train: model.predictProba(X),
      dev: cv.outOfFold,
      test: model.predictProba(features.transform(Array.from(rows.test, (i) => examples![i]!))),
    }),
    featuresJson: JSON.stringify(features.serialize()),
    nFeatures: features.featureNames.length,
    families: features.families,
    profile: { train: X },
    crossValidation: { k: cv.k, folds: cv.folds, outOfFold: cv.outOfFold },
  };
}

export interface CrossValidationSummary {
  readonly k: number;
  readonly pooled: number;
  readonly folds: FoldScores[];
  readonly mean: Record<string, number>;
  readonly std: Record<string, number>;
}

/** Per-fold metrics (with the threshold chosen on the pooled out-of-fold scores) and their mean ± std. */
export function crossValidationSummary(
  fitted: FittedModel,
  evaluation: RunEvaluation,
  positive: number | null,
  y: Int32Array,
  nClasses: number,
): CrossValidationSummary | null {
  const cv = fitted.crossValidation;
  if (cv === null) return null;
  const poolY = Int32Array.from(fitted.rows.dev, (i) => y[i]!);
  const binary = positive === null ? null : { positive, threshold: evaluation.threshold?.value ?? 0.5 };
  const folds = foldScores(cv, poolY, nClasses, binary);
  return { k: cv.k, pooled: fitted.rows.dev.length, folds, ...foldSummary(folds) };
}
