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
import { evaluateSplit } from "../evaluate/evaluate.js";
import type { CsrMatrix } from "../features/csr.js";
import { fitTransformFeatures, type FittedFeatures } from "../features/pipeline.js";
import type { Estimator, TrainingReport } from "../models/estimator.js";
import { createModel } from "../models/registry.js";
import type { ModelSpec } from "../spec/models.js";
import type { FeaturesSpec } from "../spec/schema.js";
import { foldRows, stratifiedKFold } from "../diagnose/folds.js";
import { SpecError } from "../errors.js";

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

/**
 * The folds of the pool, scikit-learn's StratifiedKFold(k) without shuffling. A class with fewer
 * than k pooled examples is a spec error (before any run is recorded).
 */
export function poolFolds(y: Int32Array, k: number, classes: readonly string[]): Int32Array {
  const counts = new Int32Array(classes.length);
  for (const c of y) counts[c]!++;
  let fewest = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c]! < counts[fewest]!) fewest = c;
  if (counts[fewest]! < k) {
    throw new SpecError(
      `evaluate.cross_validate: ${k} folds need at least ${k} examples of each class in train + dev; ` +
        `class "${classes[fewest]}" has ${counts[fewest]} (use at most ${counts[fewest]} folds)`,
      { where: "evaluate.cross_validate" },
    );
  }
  return stratifiedKFold(y, k, { classNames: classes });
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

export interface FoldScores {
  readonly fold: number;
  readonly n: number;
  readonly metrics: Record<string, number>;
}

/**
 * Each fold's metrics from the pooled decisions: what `cross_validate` reports as test_<metric>
 * per split. Binary folds use the threshold chosen on the pooled out-of-fold scores.
 */
export function foldScores(
  cv: Pick<CrossValidated, "k" | "folds" | "outOfFold">,
  y: Int32Array,
  nClasses: number,
  binary: { positive: number; threshold: number } | null,
): FoldScores[] {
  const out: FoldScores[] = [];
  for (let f = 0; f < cv.k; f++) {
    const { val } = foldRows(cv.folds, f);
    if (binary === null) {
      const proba = new Float64Array(val.length * nClasses);
      val.forEach((row, i) => proba.set(cv.outOfFold.subarray(row * nClasses, (row + 1) * nClasses), i * nClasses));
      const yf = Int32Array.from(val, (r) => y[r]!);
      out.push({
        fold: f,
        n: val.length,
        metrics: evaluateSplit({ kind: "multiclass", y: yf, proba, nClasses }).metrics,
      });
    } else {
      const yTrue = Uint8Array.from(val, (r) => (y[r] === binary.positive ? 1 : 0));
      const score = Float64Array.from(val, (r) => cv.outOfFold[r * nClasses + binary.positive]!);
      out.push({
        fold: f,
        n: val.length,
        metrics: evaluateSplit({ kind: "binary", yTrue, score, threshold: binary.threshold }).metrics,
      });
    }
  }
  return out;
}

/** Mean and standard deviation (ddof 0, numpy's `scores.std()`) of each metric over the folds. */
export function foldSummary(scores: readonly FoldScores[]): {
  mean: Record<string, number>;
  std: Record<string, number>;
} {
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  const names = Object.keys(scores[0]?.metrics ?? {});
  for (const name of names) {
    const v = scores.map((s) => s.metrics[name]!).filter((x) => Number.isFinite(x));
    if (v.length === 0) continue;
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    mean[name] = m;
    std[name] = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  }
  return { mean, std };
}
