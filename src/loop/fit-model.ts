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
  /** The worker thread the holdout fit runs on (startFitThread); null or absent: on this thread. */
  readonly fitThread?: FitThread | null;
}

/** A worker thread waiting for the fit; its owner closes it. */
export type FitThread = TaskPool<FitTask, FitOutcome>;

/**
 * The holdout fit runs on its own thread when the code runs compiled on the main thread (the CLI):
 * that is where a person presses Ctrl-C. Under tsx (tests from the sources) a worker would first
 * have to boot the TypeScript loader, and a sweep trial's pruner (onIteration) must see every
 * curve point synchronously; both fit inline, as does code already on a worker thread.
 */
const compiled = import.meta.url.endsWith(".js");

/**
 * The fit's worker, started now when the fit will run on a thread, so that Node's start of it
 * (about 0.1 s of module loading) overlaps loading the data and features instead of adding to the
 * run. Null when the fit runs inline (`thread` overrides the default). The caller closes it.
 */
export function startFitThread(opts: {
  readonly thread?: boolean;
  readonly onIteration?: unknown;
  readonly crossValidated: boolean;
}): FitThread | null {
  if (opts.crossValidated) return null;
  const onThread = opts.thread ?? (compiled && isMainThread && opts.onIteration === undefined);
  if (!onThread) return null;
  return createPool<null, FitTask, FitOutcome>({
    module: new URL("./fit-worker.js", import.meta.url),
    shared: null,
    size: 1,
  });
}

export async function fitModel(input: FitInput): Promise<FittedModel> {
  // imported here: cross-validation fits feature pipelines, whose code a holdout run never loads
  if (input.rows.cv !== null) return fitCrossValidated(input, (await import("./cross-validate.js")).crossValidate);
  const thread = input.fitThread ?? null;
  return fitHoldout(input, thread === null ? fitInline(input) : await fitOnThread(input, thread));
}

/** A plain CSR object (structured-cloned to the worker; extra properties would not survive). */
const plain = (X: CsrMatrix): CsrMatrix => ({
  rows: X.rows,
  cols: X.cols,
  indptr: X.indptr,
  indices: X.indices,
  data: X.data,
});

function labelsOf(input: FitInput, r: Int32Array): Int32Array {
  return Int32Array.from(r, (i) => input.inputs.y[i]!);
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
