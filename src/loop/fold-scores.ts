/**
 * The light half of cross-validation (see cross-validate.ts): the folds of the pool and the
 * per-fold scores of its out-of-fold predictions. Apart from crossValidate, which fits feature
 * pipelines, so that a holdout run (the warm iteration) loads no feature code.
 */
import { evaluateSplit } from "../evaluate/evaluate.js";
import { foldRows, stratifiedKFold } from "../diagnose/folds.js";
import { SpecError } from "../errors.js";
import type { CrossValidated } from "./cross-validate.js";

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
