/**
 * The ranking core shared by ROC/PR curves, ROC-AUC, average precision and threshold search: sort
 * once by descending score, then walk the groups of tied scores accumulating (weighted) true and
 * false positives. Every "distinct score" point is the decision `score >= threshold` with the
 * threshold at that score, the same convention as scikit-learn's `_binary_clf_curve`.
 *
 * Ranking metrics work on counts per tie group, so that a bootstrap resample (counts per example)
 * reuses one sort: a ranking metric on a resample is a linear pass, not a new O(n log n) sort.
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
 * Tie groups of `score`: group[i] is the rank of example i's score among the distinct scores,
 * 0 = highest. Ranking metrics only depend on how many positives and negatives each group holds,
 * so a resample (or a weighting) is just a different count per group: no re-sorting.
 */
export function tieGroups(
  score: Float64Array,
  order: Int32Array = descendingOrder(score),
): {
  group: Int32Array;
  groups: number;
} {
  const n = order.length;
  const group = new Int32Array(n);
  let g = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    group[i] = g;
    if (k < n - 1 && score[order[k + 1]!] !== score[i]) g++;
  }
  return { group, groups: n === 0 ? 0 : g + 1 };
}

/**
 * Slot of each example for group counts: 2·group + y (negatives at even, positives at odd slots),
 * shifted by `offset` so that two runs can share one counts array.
 */
export function groupSlots(yTrue: Uint8Array, group: Int32Array, offset = 0): Int32Array {
  const slots = new Int32Array(group.length);
  for (let i = 0; i < group.length; i++) slots[i] = offset + 2 * group[i]! + yTrue[i]!;
  return slots;
}

/** Weighted counts (Float64Array) or resample counts (Int32Array) per (tie group, label) slot. */
export type GroupCounts = Float64Array | Int32Array;

/**
 * Area under the ROC curve from per-group (negative, positive) counts in descending score order,
 * `counts[offset + 2g]` and `counts[offset + 2g + 1]`: the trapezoid rule over tie groups, so a
 * positive and a negative with the same score count one half — the Mann–Whitney statistic and
 * scikit-learn's `roc_auc_score`. NaN when either class has zero total weight (the curve is
 * undefined; scikit-learn raises instead).
 */
export function rocAucFromGroups(counts: GroupCounts, offset: number, groups: number): number {
  let tp = 0;
  let fp = 0;
  let tpPrev = 0;
  let fpPrev = 0;
  let twiceArea = 0;
  const end = offset + 2 * groups;
  // No branch on empty groups (a resample leaves ~37% of them empty, at random): they add 0 area.
  for (let j = offset; j < end; j += 2) {
    tp += counts[j + 1]!;
    fp += counts[j]!;
    twiceArea += (fp - fpPrev) * (tp + tpPrev);
    tpPrev = tp;
    fpPrev = fp;
  }
  if (tp === 0 || fp === 0) return NaN;
  return twiceArea / (2 * tp * fp);
}

/**
 * Average precision from per-group counts (layout as rocAucFromGroups), scikit-learn's step
 * definition: AP = Σ_j (R_j − R_{j−1}) · P_j over distinct score thresholds, descending, no
 * interpolation. NaN when there are no positives: AP averages the precision at each positive, so it
 * is undefined without one (scikit-learn >= 1.1 returns 0 with a warning; a 0 would rank such a run
 * as the worst possible rather than as "not measurable").
 */
export function averagePrecisionFromGroups(counts: GroupCounts, offset: number, groups: number): number {
  const end = offset + 2 * groups;
  let totalPos = 0;
  for (let j = offset + 1; j < end; j += 2) totalPos += counts[j]!;
  if (totalPos === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let sum = 0;
  for (let j = offset; j < end; j += 2) {
    const pos = counts[j + 1]!;
    tp += pos;
    fp += counts[j]!;
    // Branch-free: a group without positives adds 0; max() only avoids 0/0 before the first example.
    sum += (pos * tp) / Math.max(tp + fp, Number.MIN_VALUE);
  }
  return sum / totalPos;
}

/** ROC-AUC and average precision of one scoring, optionally weighted. */
export function rankingMetrics(
  yTrue: Uint8Array,
  score: Float64Array,
  weight?: Float64Array,
): { rocAuc: number; averagePrecision: number } {
  const { group, groups } = tieGroups(score);
  const counts = new Float64Array(2 * groups);
  for (let i = 0; i < yTrue.length; i++) counts[2 * group[i]! + yTrue[i]!]! += weight === undefined ? 1 : weight[i]!;
  return {
    rocAuc: rocAucFromGroups(counts, 0, groups),
    averagePrecision: averagePrecisionFromGroups(counts, 0, groups),
  };
}
