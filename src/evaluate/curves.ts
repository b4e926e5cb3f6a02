/**
 * ROC, precision–recall and calibration curves with the points scikit-learn returns, so that plots
 * and stored curves can be checked against it point by point.
 */
import { DataError } from "../errors.js";
import { binaryClfCurve } from "./ranking.js";
import { percentileSorted, unitLinspace } from "./quantile.js";
import { checkBinaryInputs } from "./validate.js";

export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  /** Descending; thresholds[0] = +Infinity is the "nothing positive" point (0, 0). */
  readonly thresholds: Float64Array;
}

/**
 * `sklearn.metrics.roc_curve(drop_intermediate=False)`: one point per distinct score plus the origin.
 * The origin's threshold is +Infinity, as in scikit-learn >= 1.3 (1.2 used max(score) + 1, which is
 * not a score bound for probabilities). With no positives tpr is NaN throughout, with no negatives
 * fpr is (scikit-learn does the same, with a warning).
 */
export function rocCurve(yTrue: Uint8Array, score: Float64Array, sampleWeight?: Float64Array): RocCurve {
  checkBinaryInputs("rocCurve", yTrue, score, sampleWeight);
  const { thresholds, tps, fps } = binaryClfCurve(yTrue, score, sampleWeight);
  const m = thresholds.length;
  const totalPos = tps[m - 1]!;
  const totalNeg = fps[m - 1]!;
  const fpr = new Float64Array(m + 1);
  const tpr = new Float64Array(m + 1);
  const thr = new Float64Array(m + 1);
  thr[0] = Infinity;
  for (let j = 0; j < m; j++) {
    fpr[j + 1] = totalNeg > 0 ? fps[j]! / totalNeg : NaN;
    tpr[j + 1] = totalPos > 0 ? tps[j]! / totalPos : NaN;
    thr[j + 1] = thresholds[j]!;
  }
  if (totalNeg === 0) fpr[0] = NaN;
  if (totalPos === 0) tpr[0] = NaN;
  return { fpr, tpr, thresholds: thr };
}

export interface PrecisionRecallCurve {
  /** length thresholds + 1; the last point is (recall 0, precision 1) and has no threshold. */
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  /** Distinct scores, ascending. */
  readonly thresholds: Float64Array;
}

/**
 * `sklearn.metrics.precision_recall_curve`: every distinct score, ascending, then the closing point
 * precision 1, recall 0. With no positives recall is 1 everywhere, as scikit-learn sets it.
 */
export function precisionRecallCurve(
  yTrue: Uint8Array,
  score: Float64Array,
  sampleWeight?: Float64Array,
): PrecisionRecallCurve {
  checkBinaryInputs("precisionRecallCurve", yTrue, score, sampleWeight);
  const { thresholds, tps, fps } = binaryClfCurve(yTrue, score, sampleWeight);
  const m = thresholds.length;
  const totalPos = tps[m - 1]!;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thr = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const r = m - 1 - j;
    const predicted = tps[r]! + fps[r]!;
    precision[j] = predicted > 0 ? tps[r]! / predicted : 0;
    recall[j] = totalPos > 0 ? tps[r]! / totalPos : 1;
    thr[j] = thresholds[r]!;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: thr };
}

export type CalibrationStrategy = "uniform" | "quantile";

export interface CalibrationCurve {
  /** Fraction of positives in each non-empty bin. */
  readonly probTrue: Float64Array;
  /** Mean predicted probability in each non-empty bin. */
  readonly probPred: Float64Array;
  /** Examples in each non-empty bin. */
  readonly counts: Int32Array;
  /** The nBins + 1 bin edges (quantile edges may repeat). */
  readonly edges: Float64Array;
}

function checkProbabilities(fn: string, prob: Float64Array): void {
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i]!;
    if (p < 0 || p > 1) {
      throw new DataError(`${fn}: score[${i}] is ${p}; calibration needs probabilities in [0, 1]`, {
        where: `score[${i}]`,
      });
    }
  }
}

/**
 * `sklearn.calibration.calibration_curve(y, prob, n_bins, strategy)`: uniform bins split [0, 1]
 * evenly, quantile bins at numpy percentiles of the scores. A score equal to an inner edge goes to
 * the lower bin (np.searchsorted, side "left"); empty bins are dropped.
 */
export function calibrationCurve(
  yTrue: Uint8Array,
  prob: Float64Array,
  options: { nBins?: number; strategy?: CalibrationStrategy } = {},
): CalibrationCurve {
  const fn = "calibrationCurve";
  const nBins = options.nBins ?? 5;
  const strategy = options.strategy ?? "uniform";
  if (!Number.isInteger(nBins) || nBins < 1) {
    throw new DataError(`${fn}: nBins is ${nBins}; it must be an integer >= 1`);
  }
  if (strategy !== "uniform" && strategy !== "quantile") {
    throw new DataError(`${fn}: strategy is "${String(strategy)}"; allowed: "uniform", "quantile"`);
  }
  checkBinaryInputs(fn, yTrue, prob);
  checkProbabilities(fn, prob);

  const lin = unitLinspace(nBins + 1);
  let edges = lin;
  if (strategy === "quantile") {
    const sorted = Float64Array.from(prob).sort();
    edges = new Float64Array(nBins + 1);
    for (let b = 0; b <= nBins; b++) edges[b] = percentileSorted(sorted, lin[b]! * 100);
  }

  const sums = new Float64Array(nBins);
  const trues = new Float64Array(nBins);
  const totals = new Int32Array(nBins);
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i]!;
    // Binary search over the inner edges: the bin is the number of inner edges strictly below p.
    let lo = 1;
    let hi = nBins;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    const bin = lo - 1;
    sums[bin]! += p;
    trues[bin]! += yTrue[i]!;
    totals[bin]!++;
  }

  let nonEmpty = 0;
  for (let b = 0; b < nBins; b++) if (totals[b]! > 0) nonEmpty++;
  const probTrue = new Float64Array(nonEmpty);
  const probPred = new Float64Array(nonEmpty);
  const counts = new Int32Array(nonEmpty);
  let j = 0;
  for (let b = 0; b < nBins; b++) {
    const t = totals[b]!;
    if (t === 0) continue;
    probTrue[j] = trues[b]! / t;
    probPred[j] = sums[b]! / t;
    counts[j] = t;
    j++;
  }
  return { probTrue, probPred, counts, edges };
}

/**
 * Expected calibration error of P(positive): Σ_bins (count_b / n) · |fraction positive_b − mean
 * predicted_b| over the calibration-curve bins (default 10 uniform bins). This is the binary,
 * "reliability diagram" form; the top-label ECE of Guo et al. (2017) bins max(p, 1 − p) instead.
 */
export function expectedCalibrationError(
  yTrue: Uint8Array,
  prob: Float64Array,
  options: { nBins?: number; strategy?: CalibrationStrategy } = {},
): number {
  const curve = calibrationCurve(yTrue, prob, { nBins: options.nBins ?? 10, strategy: options.strategy ?? "uniform" });
  let ece = 0;
  for (let b = 0; b < curve.counts.length; b++) {
    ece += curve.counts[b]! * Math.abs(curve.probTrue[b]! - curve.probPred[b]!);
  }
  return ece / prob.length;
}
