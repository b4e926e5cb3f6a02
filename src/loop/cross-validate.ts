/**
 * `evaluate.cross_validate: k` — evaluating a spec on a small data set by stratified k-fold
 * cross-validation, as scikit-learn's `cross_val_predict` / `cross_validate` with
 * `StratifiedKFold(k)` (no shuffling: the same folds, fold for fold).
 *
 * Train and dev are pooled. For each fold the whole pipeline — every feature family, then the
 * model — is fitted on the other k − 1 folds and scores the held-out fold, so each pooled example
 * gets exactly one out-of-fold prediction from a pipeline that never saw it. Those predictions are
 * the run's dev split: `compare`, `log` and `ledger` pair two such runs example by example over
 * the same pool. The model kept with the run (for `predict`, `explain` and the test split) is
 * fitted on the whole pool, as `cross_validate` users refit the final estimator.
 */
import type { Example } from "../data/example.js";
import type { CsrMatrix } from "../features/csr.js";
import { fitTransformFeatures, type FittedFeatures } from "../features/pipeline.js";
import type { Estimator, TrainingReport } from "../models/estimator.js";
import { createModel } from "../models/registry.js";
import type { ModelSpec } from "../spec/models.js";
import type { FeaturesSpec } from "../spec/schema.js";
import { foldRows } from "../diagnose/folds.js";

// kept importable from here; they live apart so that a holdout run loads no feature code
export { foldScores, foldSummary, poolFolds, type FoldScores } from "./fold-scores.js";

export interface CrossValidationInput {
  readonly features: FeaturesSpec;
  /** The model spec with class weights already by index (as the runner passes it to createModel). */
  readonly model: ModelSpec;
  /** The pooled examples (train then dev, in dataset order) and their class indices. */
  readonly pool: readonly Example[];
  readonly y: Int32Array;
  readonly classes: readonly string[];
  /** Held-out fold (0..k-1) of each pooled example: `poolFolds`. */
  readonly folds: Int32Array;
  /** Seed for the model's random choices (the same in every fold). */
  readonly seed: number;
}

export interface CrossValidated {
  readonly k: number;
  /** Held-out fold (0..k-1) of each pooled example. */
  readonly folds: Int32Array;
  /** Row-major pool × classes out-of-fold probabilities. */
  readonly outOfFold: Float64Array;
  /** The pipeline refitted on the whole pool: its featurizer, features, model and training report. */
  readonly final: {
    readonly features: FittedFeatures;
    readonly X: CsrMatrix;
    readonly model: Estimator;
    readonly training: TrainingReport;
  };
}

function subset<T>(items: readonly T[], rows: Int32Array): T[] {
  return Array.from(rows, (r) => items[r]!);
}

/** Fits the pipeline on `rows` of the pool (features, then the model). */
function fitPipeline(input: CrossValidationInput, rows: Int32Array) {
  const { features, train: X } = fitTransformFeatures(input.features, subset(input.pool, rows));
  const model = createModel(input.model, input.seed);
  const training = model.fit({
    X,
    y: Int32Array.from(rows, (r) => input.y[r]!),
    nClasses: input.classes.length,
  });
  return { features, X, model, training };
}

export function crossValidate(input: CrossValidationInput): CrossValidated {
  const nClasses = input.classes.length;
  const folds = input.folds;
  const k = Math.max(...folds) + 1;
  const outOfFold = new Float64Array(input.pool.length * nClasses);
  for (let f = 0; f < k; f++) {
    const { train, val } = foldRows(folds, f);
    const fitted = fitPipeline(input, train);
    const proba = fitted.model.predictProba(fitted.features.transform(subset(input.pool, val)));
    val.forEach((row, i) => outOfFold.set(proba.subarray(i * nClasses, (i + 1) * nClasses), row * nClasses));
  }
  const all = Int32Array.from(input.pool, (_, i) => i);
  return { k, folds, outOfFold, final: fitPipeline(input, all) };
}
