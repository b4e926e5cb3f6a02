/**
 * Classification metrics on typed arrays, defined as scikit-learn defines them so that our numbers
 * can be checked against its (test/reference/evaluate_ref.py).
 *
 * Decision rule: an example is predicted positive when `score >= threshold`. This is the convention
 * of scikit-learn's curves (`roc_curve`, `precision_recall_curve`: each threshold includes the scores
 * equal to it), so a threshold read off a curve reproduces that curve's point. It differs from
 * scikit-learn's `LogisticRegression.predict`, which predicts positive when the decision function is
 * > 0, i.e. P(positive) > 0.5: an example scored exactly 0.5 is positive here at threshold 0.5 and
 * negative for `predict`. Exact ties at 0.5 are rare with real models, but they do happen on tiny or
 * degenerate data.
 *
 * Undefined cases never throw: precision with no predicted positive, recall with no positive and F1
 * with neither are 0 (scikit-learn's zero_division=0); ROC-AUC with a single class and average
 * precision with no positive are NaN ("not measurable", where scikit-learn raises or warns). Log loss
 * and Brier score are NaN when the scores are not probabilities (e.g. SVM decision values), because
 * the ranking metrics are still meaningful on such scores.
 */

/**
 * The headline metrics of a binary run, in the order every table shows them (run card, compare,
 * replicate summaries, the bootstrap). One list, so a new metric is added in one place.
 */
export const HEADLINE_BINARY_METRICS = [
  "accuracy",
  "precision",
  "recall",
  "f1",
  "roc_auc",
  "average_precision",
  "log_loss",
  "brier",
] as const;
import { DataError } from "../errors.js";
import { rankingMetrics } from "./ranking.js";
import { checkBinaryInputs, checkNonEmpty, checkSameLength } from "./validate.js";

/** Machine epsilon of float64, the clip scikit-learn's log_loss applies (np.finfo(float64).eps). */
export const LOG_LOSS_EPS = Number.EPSILON;

export interface BinaryMetrics {
  readonly threshold: number;
  /** Number of examples (unweighted). */
  readonly n: number;
  /** Number of positive examples (unweighted). */
  readonly positives: number;
  /** Confusion counts; with sample weights these are sums of weights. */
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  readonly accuracy: number;
  /** 1 − accuracy: the "error" of bias/variance analysis. */
  readonly errorRate: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly roc_auc: number;
  readonly average_precision: number;
  readonly log_loss: number;
  readonly brier: number;
}

/** Precision, recall and F1 from confusion counts with scikit-learn's zero_division=0. */
export function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
  return { precision, recall, f1 };
}

/**
 * Binary metrics of `score` (P(positive), or any score where higher means "more positive") against
 * `yTrue` (1 = positive) at `threshold`, optionally weighted.
 */
export function binaryMetrics(
  yTrue: Uint8Array,
  score: Float64Array,
  threshold: number,
  sampleWeight?: Float64Array,
): BinaryMetrics {
  checkBinaryInputs("binaryMetrics", yTrue, score, sampleWeight);
  if (Number.isNaN(threshold)) throw new DataError("binaryMetrics: threshold is NaN; it must be a number");
  const n = yTrue.length;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let positives = 0;
  let logLossSum = 0;
  let brierSum = 0;
  let probabilities = true;
  for (let i = 0; i < n; i++) {
    const w = sampleWeight === undefined ? 1 : sampleWeight[i]!;
    const s = score[i]!;
    const y = yTrue[i]!;
    if (y === 1) {
      positives++;
      if (s >= threshold) tp += w;
      else fn += w;
    } else if (s >= threshold) fp += w;
    else tn += w;
    if (s < 0 || s > 1) probabilities = false;
    const p = s < LOG_LOSS_EPS ? LOG_LOSS_EPS : s > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : s;
    logLossSum -= w * (y === 1 ? Math.log(p) : Math.log(1 - p));
    brierSum += w * (s - y) * (s - y);
  }
  const total = tp + fp + tn + fn;
  const accuracy = (tp + tn) / total;
  const ranking = rankingMetrics(yTrue, score, sampleWeight);
  return {
    threshold,
    n,
    positives,
    tp,
    fp,
    tn,
    fn,
    accuracy,
    errorRate: 1 - accuracy,
    ...prf(tp, fp, fn),
    roc_auc: ranking.rocAuc,
    average_precision: ranking.averagePrecision,
    log_loss: probabilities ? logLossSum / total : NaN,
    brier: probabilities ? brierSum / total : NaN,
  };
}

export interface PerClassMetrics {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly f1: Float64Array;
  /** Number of true examples of each class. */
  readonly support: Int32Array;
  /** One-vs-rest ROC-AUC of each class; NaN for a class that is absent (or the only one) in y. */
  readonly roc_auc: Float64Array;
}

export interface MulticlassMetrics {
  readonly n: number;
  readonly nClasses: number;
  readonly accuracy: number;
  readonly errorRate: number;
  readonly macro_precision: number;
  readonly macro_recall: number;
  readonly macro_f1: number;
  readonly micro_precision: number;
  readonly micro_recall: number;
  readonly micro_f1: number;
  readonly weighted_precision: number;
  readonly weighted_recall: number;
  readonly weighted_f1: number;
  readonly log_loss: number;
  /** Macro average of the per-class one-vs-rest ROC-AUCs that are defined; NaN if none is. */
  readonly roc_auc_ovr: number;
  readonly perClass: PerClassMetrics;
  /** nClasses × nClasses, row-major: rows are true classes, columns predicted classes (sklearn's layout). */
  readonly confusion: Int32Array;
}

function checkMulticlassInputs(fn: string, y: Int32Array, proba: Float64Array, nClasses: number): void {
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new DataError(`${fn}: nClasses is ${nClasses}; it must be an integer >= 2`);
  }
  checkNonEmpty(fn, "y", y.length);
  checkSameLength(fn, [`y (× nClasses ${nClasses})`, "proba"], { length: y.length * nClasses }, proba);
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    if (c < 0 || c >= nClasses) {
      throw new DataError(`${fn}: y[${i}] is ${c}; class indices must be in 0..${nClasses - 1}`, { where: `y[${i}]` });
    }
  }
  for (let j = 0; j < proba.length; j++) {
    const p = proba[j]!;
    if (!(p >= 0 && p <= 1)) {
      const i = Math.floor(j / nClasses);
      throw new DataError(
        `${fn}: proba[${j}] (example ${i}, class ${j - i * nClasses}) is ${p}; class probabilities must lie in [0, 1]`,
        { where: `proba[${j}]` },
      );
    }
  }
}

/**
 * Multiclass metrics of row-major n × nClasses probabilities. The predicted class is the argmax
 * (first maximum on ties, as numpy's argmax). Macro averages run over the classes that occur in `y`
 * or in the predictions — scikit-learn's default label set — so a class absent from both does not
 * pull the average down with a 0 it has not earned. Log loss clips to [eps, 1 − eps] and renormalises
 * each row, as scikit-learn 1.2 does. One-vs-rest ROC-AUC averages the classes for which it is
 * defined (present but not alone in `y`); scikit-learn raises when any class is absent.
 */
export function multiclassMetrics(y: Int32Array, proba: Float64Array, nClasses: number): MulticlassMetrics {
  checkMulticlassInputs("multiclassMetrics", y, proba, nClasses);
  const n = y.length;
  const k = nClasses;
  const confusion = new Int32Array(k * k);
  let logLossSum = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let best = 0;
    let bestP = proba[row]!;
    let clippedSum = 0;
    for (let c = 0; c < k; c++) {
      const p = proba[row + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
      clippedSum += p < LOG_LOSS_EPS ? LOG_LOSS_EPS : p > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : p;
    }
    const yi = y[i]!;
    const pt = proba[row + yi]!;
    const clipped = pt < LOG_LOSS_EPS ? LOG_LOSS_EPS : pt > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : pt;
    logLossSum -= Math.log(clipped / clippedSum);
    confusion[yi * k + best]!++;
  }

  const precision = new Float64Array(k);
  const recall = new Float64Array(k);
  const f1 = new Float64Array(k);
  const support = new Int32Array(k);
  const rocAuc = new Float64Array(k);
  let correct = 0;
  let labels = 0;
  let sumTp = 0;
  let sumPred = 0;
  let sumTrue = 0;
  let macroP = 0;
  let macroR = 0;
  let macroF = 0;
  let weightedP = 0;
  let weightedR = 0;
  let weightedF = 0;
  for (let c = 0; c < k; c++) {
    let trueCount = 0;
    let predCount = 0;
    for (let j = 0; j < k; j++) {
      trueCount += confusion[c * k + j]!;
      predCount += confusion[j * k + c]!;
    }
    const tp = confusion[c * k + c]!;
    correct += tp;
    const m = prf(tp, predCount - tp, trueCount - tp);
    precision[c] = m.precision;
    recall[c] = m.recall;
    f1[c] = m.f1;
    support[c] = trueCount;
    if (trueCount > 0 || predCount > 0) {
      labels++;
      sumTp += tp;
      sumPred += predCount;
      sumTrue += trueCount;
      macroP += m.precision;
      macroR += m.recall;
      macroF += m.f1;
      weightedP += trueCount * m.precision;
      weightedR += trueCount * m.recall;
      weightedF += trueCount * m.f1;
    }
  }
  const micro = prf(sumTp, sumPred - sumTp, sumTrue - sumTp);

  const yc = new Uint8Array(n);
  const column = new Float64Array(n);
  let aucSum = 0;
  let aucCount = 0;
  for (let c = 0; c < k; c++) {
    if (support[c] === 0 || support[c] === n) {
      rocAuc[c] = NaN;
      continue;
    }
    for (let i = 0; i < n; i++) {
      yc[i] = y[i] === c ? 1 : 0;
      column[i] = proba[i * k + c]!;
    }
    rocAuc[c] = rankingMetrics(yc, column).rocAuc;
    aucSum += rocAuc[c]!;
    aucCount++;
  }

  const accuracy = correct / n;
  return {
    n,
    nClasses: k,
    accuracy,
    errorRate: 1 - accuracy,
    macro_precision: macroP / labels,
    macro_recall: macroR / labels,
    macro_f1: macroF / labels,
    micro_precision: micro.precision,
    micro_recall: micro.recall,
    micro_f1: micro.f1,
    weighted_precision: weightedP / n,
    weighted_recall: weightedR / n,
    weighted_f1: weightedF / n,
    log_loss: logLossSum / n,
    roc_auc_ovr: aucCount > 0 ? aucSum / aucCount : NaN,
    perClass: { precision, recall, f1, support, roc_auc: rocAuc },
    confusion,
  };
}
