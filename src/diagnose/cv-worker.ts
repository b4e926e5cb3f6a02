/**
 * One cross-validation task (the pool's task module): refit the features and the model on a
 * training subset, then count what it gets right on that subset and on the validation rows.
 * Decisions are the argmax class (0.5 for binary models), as scikit-learn's accuracy scoring.
 */
import { createModel } from "../models/registry.js";
import type { ModelSpec } from "../spec/models.js";
import { buildFoldMatrices, type FoldFeatureSource } from "./fold-features.js";

export interface CvShared {
  readonly features: FoldFeatureSource;
  /** Class index per pool row. */
  readonly y: Int32Array;
  readonly nClasses: number;
  /** Binary: index of the positive class (for F1); null for multiclass. */
  readonly positive: number | null;
}

export interface CvTask {
  readonly key: string;
  readonly trainRows: Int32Array;
  readonly valRows: Int32Array;
  /** The model spec with class weights already by class index. */
  readonly model: ModelSpec;
  readonly seed: number;
  /** Return the validation rows' class probabilities (out-of-fold probabilities). */
  readonly wantProba?: boolean;
}

export interface SplitCounts {
  readonly n: number;
  readonly correct: number;
  /** Binary only (positive class): true positives, false positives, false negatives. */
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

export interface CvResult {
  readonly key: string;
  readonly train: SplitCounts;
  readonly val: SplitCounts;
  readonly fitMs: number;
  readonly converged: boolean;
  /** Row-major valRows × nClasses, when asked for. */
  readonly valProba?: Float64Array;
}

export function init(shared: CvShared): CvShared {
  return shared;
}

function count(proba: Float64Array, y: Int32Array, rows: Int32Array, k: number, positive: number | null): SplitCounts {
  let correct = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < rows.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c;
    const truth = y[rows[i]!]!;
    if (best === truth) correct++;
    if (positive !== null) {
      if (best === positive && truth === positive) tp++;
      else if (best === positive) fp++;
      else if (truth === positive) fn++;
    }
  }
  return { n: rows.length, correct, tp, fp, fn };
}

export function run(shared: CvShared, task: CvTask): CvResult {
  const { train, others } = buildFoldMatrices(shared.features, task.trainRows, [task.valRows]);
  const yTrain = Int32Array.from(task.trainRows, (r) => shared.y[r]!);
  const model = createModel(task.model, task.seed);
  const t0 = performance.now();
  const report = model.fit({ X: train, y: yTrain, nClasses: shared.nClasses });
  const fitMs = performance.now() - t0;
  const pTrain = model.predictProba(train);
  const pVal = model.predictProba(others[0]!);
  return {
    key: task.key,
    train: count(pTrain, shared.y, task.trainRows, shared.nClasses, shared.positive),
    val: count(pVal, shared.y, task.valRows, shared.nClasses, shared.positive),
    fitMs,
    converged: report.converged,
    valProba: task.wantProba ? pVal : undefined,
  };
}
