/**
 * Threshold policies: turn scores into decisions. The caller chooses the threshold on dev and then
 * applies it unchanged to test; choosing on test would leak.
 *
 * Candidates. With the rule `score >= threshold`, only the cut between two adjacent distinct scores
 * matters: predicting the top j tie-groups positive. We sort once (O(n log n)) and evaluate every cut
 * j = 0..m in one pass. The threshold reported for a cut is the midpoint between the lowest score
 * kept positive and the next distinct score below it: any value in that gap gives the same dev
 * decisions, and the midpoint is the one least sensitive to where new, unseen scores fall (picking
 * the dev score itself would put the boundary exactly on a training point, the max-margin argument).
 * The cut that keeps everything positive uses the lowest score; the cut that keeps nothing uses the
 * smallest number above the highest score.
 *
 * Ties in the objective go to the highest threshold, i.e. the fewest positive predictions: among
 * equally good dev operating points the conservative one flags fewer examples (for spam, loses less
 * ham), and the choice is deterministic.
 */
import { DataError } from "../errors.js";
import type { EvaluateSpec } from "../spec/schema.js";
import { binaryClfCurve } from "./ranking.js";
import { checkBinaryInputs } from "./validate.js";

export type ThresholdPolicy = EvaluateSpec["threshold"];

export interface ThresholdChoice {
  readonly threshold: number;
  readonly policy: ThresholdPolicy["policy"];
  /**
   * max_f1: the dev F1 reached; max_recall_at_precision: the recall reached; min_cost and fixed:
   * the dev cost fp·cost_fp + fn·cost_fn (a total, not a mean).
   */
  readonly objective: number;
  readonly objectiveName: "f1" | "cost" | "recall";
  /** max_recall_at_precision: false when no threshold reaches the precision floor (nothing is then predicted positive). */
  readonly feasible?: boolean;
}

const bits = new Float64Array(1);
const bitsInt = new BigInt64Array(bits.buffer);

/** The smallest double greater than x (Math.nextUp of Java), x finite. */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  bits[0] = x;
  bitsInt[0] = x > 0 ? bitsInt[0]! + 1n : bitsInt[0]! - 1n;
  return bits[0]!;
}

/** Threshold that predicts exactly the top `j` of the distinct scores `desc` (descending) positive. */
function cutThreshold(desc: Float64Array, j: number): number {
  const m = desc.length;
  if (j === 0) return nextUp(desc[0]!);
  if (j === m) return desc[m - 1]!;
  const above = desc[j - 1]!;
  const below = desc[j]!;
  const mid = above / 2 + below / 2;
  // Adjacent doubles have no midpoint strictly between them; keep the rule `score >= t` exact.
  return mid > below && mid <= above ? mid : above;
}

function checkCosts(costs: { fp: number; fn: number }): void {
  for (const key of ["fp", "fn"] as const) {
    const c = costs[key];
    if (!Number.isFinite(c) || c < 0) {
      throw new DataError(`chooseThreshold: costs.${key} is ${c}; costs must be finite and >= 0`, {
        where: `evaluate.costs.${key}`,
      });
    }
  }
}

/** Dev cost of a threshold: fp·cost_fp + fn·cost_fn. */
function costAt(yTrue: Uint8Array, score: Float64Array, threshold: number, costs: { fp: number; fn: number }): number {
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const positive = score[i]! >= threshold;
    if (yTrue[i] === 1) {
      if (!positive) fn++;
    } else if (positive) fp++;
  }
  return fp * costs.fp + fn * costs.fn;
}

/**
 * Choose the decision threshold on dev by the spec's policy: fixed (the given value), max_f1 (the
 * cut with the highest F1; with no positives every F1 is 0 and the tie rule predicts nothing
 * positive), min_cost (the cut with the lowest fp·cost_fp + fn·cost_fn) or max_recall_at_precision
 * (the cut with the most recall at precision ≥ min_precision).
 */
export function chooseThreshold(
  policy: ThresholdPolicy,
  yTrue: Uint8Array,
  score: Float64Array,
  costs: { fp: number; fn: number },
): ThresholdChoice {
  checkBinaryInputs("chooseThreshold", yTrue, score);
  checkCosts(costs);
  if (policy.policy === "fixed") {
    return {
      threshold: policy.value,
      policy: "fixed",
      objective: costAt(yTrue, score, policy.value, costs),
      objectiveName: "cost",
    };
  }
  if (policy.policy === "max_recall_at_precision") {
    const r = maxRecallAtPrecision(yTrue, score, policy.min_precision);
    return {
      threshold: r.threshold,
      policy: policy.policy,
      objective: r.recall,
      objectiveName: "recall",
      feasible: r.feasible,
    };
  }
  const { thresholds, tps, fps } = binaryClfCurve(yTrue, score);
  const m = thresholds.length;
  const totalPos = tps[m - 1]!;
  if (policy.policy === "max_f1") {
    let bestJ = 0;
    let best = 0; // cut 0 predicts nothing positive: F1 = 0
    for (let j = 1; j <= m; j++) {
      const tp = tps[j - 1]!;
      const f1 = tp > 0 ? (2 * tp) / (tp + fps[j - 1]! + totalPos) : 0;
      if (f1 > best) {
        best = f1;
        bestJ = j;
      }
    }
    return { threshold: cutThreshold(thresholds, bestJ), policy: "max_f1", objective: best, objectiveName: "f1" };
  }
  let bestJ = 0;
  let best = costs.fn * totalPos;
  for (let j = 1; j <= m; j++) {
    const cost = costs.fp * fps[j - 1]! + costs.fn * (totalPos - tps[j - 1]!);
    if (cost < best) {
      best = cost;
      bestJ = j;
    }
  }
  return { threshold: cutThreshold(thresholds, bestJ), policy: "min_cost", objective: best, objectiveName: "cost" };
}

export interface RecallAtPrecision {
  readonly threshold: number;
  readonly recall: number;
  readonly precision: number;
  /** false when no threshold reaches the precision: then nothing is predicted positive (recall 0, precision 0). */
  readonly feasible: boolean;
}

/**
 * The highest recall whose precision is at least `minPrecision` ("catch as much spam as possible
 * while at most 1% of flagged mail is ham"); among cuts with that recall, the highest threshold.
 */
export function maxRecallAtPrecision(yTrue: Uint8Array, score: Float64Array, minPrecision: number): RecallAtPrecision {
  checkBinaryInputs("maxRecallAtPrecision", yTrue, score);
  if (!(minPrecision >= 0 && minPrecision <= 1)) {
    throw new DataError(`maxRecallAtPrecision: minPrecision is ${minPrecision}; it must lie in [0, 1]`);
  }
  const { thresholds, tps, fps } = binaryClfCurve(yTrue, score);
  const m = thresholds.length;
  const totalPos = tps[m - 1]!;
  let bestJ = 0;
  let bestTp = 0;
  for (let j = 1; j <= m; j++) {
    const tp = tps[j - 1]!;
    if (tp > bestTp && tp / (tp + fps[j - 1]!) >= minPrecision) {
      bestTp = tp;
      bestJ = j;
    }
  }
  if (bestJ === 0) return { threshold: nextUp(thresholds[0]!), recall: 0, precision: 0, feasible: false };
  return {
    threshold: cutThreshold(thresholds, bestJ),
    recall: bestTp / totalPos,
    precision: bestTp / (bestTp + fps[bestJ - 1]!),
    feasible: true,
  };
}
