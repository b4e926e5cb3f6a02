/**
 * What the margin learners (linear SVM, SGD) share: one-vs-rest decision values, the sum of their
 * per-output curves, the Platt calibration of their one-vs-rest fit on held-out folds, and the
 * dev loss on the last curve point. One copy, so the two families cannot drift apart.
 */
import type { CsrMatrix } from "../features/csr.js";
import type { CurvePoint, FitData } from "./estimator.js";
import { crossValidatedPlatt } from "./platt.js";

/** Row-major n × nOut margins wᵀx + b of a (class-major) nOut × d coefficient matrix. */
export function decisionValues(X: CsrMatrix, coef: Float64Array, intercept: Float64Array, nOut: number): Float64Array {
  const d = X.cols;
  const out = new Float64Array(X.rows * nOut);
  for (let i = 0; i < X.rows; i++) {
    for (let o = 0; o < nOut; o++) {
      let s = intercept[o]!;
      const w = o * d;
      for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) s += X.data[p]! * coef[w + X.indices[p]!]!;
      out[i * nOut + o] = s;
    }
  }
  return out;
}

/** Sum of one-vs-rest objective curves at the union of their checkpoints (last value carried forward). */
export function mergeCurves(curves: CurvePoint[][]): CurvePoint[] {
  if (curves.length === 1) return [...curves[0]!];
  const steps = [...new Set(curves.flatMap((c) => c.map((p) => p.step)))].sort((a, b) => a - b);
  return steps.map((step) => {
    let loss = 0;
    for (const c of curves) {
      let v = c[0]!.loss;
      for (const p of c) if (p.step <= step) v = p.loss;
      loss += v;
    }
    return { step, loss };
  });
}

/** A one-vs-rest (or binary) linear fit on some rows: class-major coefficients and intercepts. */
export type FitOneVsRest = (
  X: CsrMatrix,
  y: Int32Array,
  sampleWeight: Float64Array,
  foldLabel: string,
) => { coef: Float64Array; intercept: Float64Array };

/**
 * Platt parameters per output for a one-vs-rest margin learner, fitted on held-out decision values
 * of `calibrationFolds`-fold cross-validation (sklearn's CalibratedClassifierCV(method="sigmoid",
 * ensemble=False)). `weights` are the effective row weights; only given ones weight the sigmoid fit.
 */
export function plattOneVsRest(
  data: FitData,
  weights: Float64Array,
  calibrationFolds: number,
  seed: number,
  family: string,
  fit: FitOneVsRest,
): { A: Float64Array; B: Float64Array; warnings: string[] } {
  const { X, y, nClasses } = data;
  const nOut = nClasses === 2 ? 1 : nClasses;
  return crossValidatedPlatt(
    X,
    y,
    data.sampleWeight === undefined ? undefined : weights,
    nClasses,
    calibrationFolds,
    seed,
    family,
    (Xf, yf, swf, label) => {
      const part = fit(Xf, yf, swf, label);
      return (Xh) => decisionValues(Xh, part.coef, part.intercept, nOut);
    },
  );
}

/** The curve with the mean dev log loss of `predictProba` on its last point (unchanged without dev rows). */
export function withDevLoss(
  curve: CurvePoint[],
  data: FitData,
  predictProba: (X: CsrMatrix) => Float64Array,
): CurvePoint[] {
  const dev = data.dev;
  if (dev === undefined || dev.X.rows === 0) return curve;
  const K = data.nClasses;
  const proba = predictProba(dev.X);
  let s = 0;
  for (let i = 0; i < dev.y.length; i++) s -= Math.log(Math.max(proba[i * K + dev.y[i]!]!, 1e-300));
  const out = [...curve];
  out[out.length - 1] = { ...out.at(-1)!, devLoss: s / dev.y.length };
  return out;
}
