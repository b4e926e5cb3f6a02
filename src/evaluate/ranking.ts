/**
 * The ranking core shared by ROC/PR curves, ROC-AUC, average precision and threshold search: sort
 * once by descending score, then walk the groups of tied scores accumulating (weighted) true and
 * false positives. Every "distinct score" point is the decision `score >= threshold` with the
 * threshold at that score, the same convention as scikit-learn's `_binary_clf_curve`.
 *
 * The walkers take weights so that a bootstrap resample (expressed as counts per example) reuses
 * one sort: ranking metrics on a resample are then a linear pass instead of a new O(n log n) sort.
 */

/** Example indices ordered by descending score (ties in any order: callers aggregate tie groups). */
export function descendingOrder(score: Float64Array): Int32Array {
  const order = new Int32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  return order;
}

export interface ClfCurve {
  /** Distinct scores, descending. */
  readonly thresholds: Float64Array;
  /** Weighted true positives of `score >= thresholds[j]`. */
  readonly tps: Float64Array;
  /** Weighted false positives of `score >= thresholds[j]`. */
  readonly fps: Float64Array;
}

/**
 * Cumulative (weighted) true/false positives at each distinct score, descending. Examples of zero
 * weight are left out entirely (a score held only by them is not a point), as scikit-learn does.
 */
export function binaryClfCurve(
  yTrue: Uint8Array,
  score: Float64Array,
  weight?: Float64Array,
  order?: Int32Array,
): ClfCurve {
  const ord = order ?? descendingOrder(score);
  const n = ord.length;
  const thresholds = new Float64Array(n);
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let tp = 0;
  let fp = 0;
  let m = 0;
  let groupHasWeight = false;
  for (let k = 0; k < n; k++) {
    const i = ord[k]!;
    const w = weight === undefined ? 1 : weight[i]!;
    if (w !== 0) {
      groupHasWeight = true;
      if (yTrue[i] === 1) tp += w;
      else fp += w;
    }
    const s = score[i]!;
    if (k === n - 1 || score[ord[k + 1]!] !== s) {
      if (groupHasWeight) {
        thresholds[m] = s;
        tps[m] = tp;
        fps[m] = fp;
        m++;
      }
      groupHasWeight = false;
    }
  }
  return { thresholds: thresholds.slice(0, m), tps: tps.slice(0, m), fps: fps.slice(0, m) };
}

/**
 * Area under the ROC curve by the trapezoid rule over tie groups: a positive and a negative with the
 * same score count one half, exactly the Mann–Whitney statistic and scikit-learn's `roc_auc_score`.
 * NaN when either class has zero total weight (the curve is undefined; scikit-learn raises instead).
 */
export function rocAucOrdered(
  yTrue: Uint8Array,
  score: Float64Array,
  order: Int32Array,
  weight?: Float64Array,
): number {
  let tp = 0;
  let fp = 0;
  let tpPrev = 0;
  let fpPrev = 0;
  let twiceArea = 0;
  const n = order.length;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const w = weight === undefined ? 1 : weight[i]!;
    if (yTrue[i] === 1) tp += w;
    else fp += w;
    if (k === n - 1 || score[order[k + 1]!] !== score[i]) {
      twiceArea += (fp - fpPrev) * (tp + tpPrev);
      tpPrev = tp;
      fpPrev = fp;
    }
  }
  if (tp === 0 || fp === 0) return NaN;
  return twiceArea / (2 * tp * fp);
}

/**
 * Average precision, scikit-learn's step definition: AP = Σ_j (R_j − R_{j−1}) · P_j over distinct
 * score thresholds, descending (no interpolation). NaN when there are no positives: AP averages the
 * precision at each positive, so it is undefined without one (scikit-learn ≥ 1.1 returns 0 with a
 * warning; a 0 would rank such a run as the worst possible rather than as "not measurable").
 */
export function averagePrecisionOrdered(
  yTrue: Uint8Array,
  score: Float64Array,
  order: Int32Array,
  weight?: Float64Array,
): number {
  let totalPos = 0;
  const n = order.length;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (yTrue[i] === 1) totalPos += weight === undefined ? 1 : weight[i]!;
  }
  if (totalPos === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let tpPrev = 0;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const w = weight === undefined ? 1 : weight[i]!;
    if (yTrue[i] === 1) tp += w;
    else fp += w;
    if (k === n - 1 || score[order[k + 1]!] !== score[i]) {
      if (tp !== tpPrev) {
        sum += ((tp - tpPrev) / totalPos) * (tp / (tp + fp));
        tpPrev = tp;
      }
    }
  }
  return sum;
}
