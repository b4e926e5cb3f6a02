/**
 * Threshold and cost: PR and ROC curves of the dev scores, the threshold each policy would choose
 * (max F1, minimum expected cost with the spec's costs, maximum recall at precision ≥ p) beside the
 * run's own, what each means operationally ("per 10,000 messages: N legitimate messages lost, M
 * spam delivered", at the dev split's class mix), and the calibration curve with its expected
 * calibration error.
 */
import { binaryMetrics } from "../evaluate/metrics.js";
import { calibrationCurve, expectedCalibrationError, precisionRecallCurve, rocCurve } from "../evaluate/curves.js";
import { chooseThreshold, maxRecallAtPrecision } from "../evaluate/threshold.js";

export interface OperatingPoint {
  readonly policy: string;
  readonly threshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly fp: number;
  readonly fn: number;
  /** fp·cost_fp + fn·cost_fn over the split. */
  readonly cost: number;
  /** Per 10,000 messages at this split's class mix. */
  readonly per10k: { readonly negativesLost: number; readonly positivesMissed: number; readonly cost: number };
  readonly feasible: boolean;
}

export interface ThresholdReport {
  readonly split: string;
  readonly n: number;
  readonly positives: number;
  readonly costs: { readonly fp: number; readonly fn: number };
  readonly targetPrecision: number;
  readonly points: readonly OperatingPoint[];
  /** Downsampled curves for plots. */
  readonly pr: { readonly precision: number[]; readonly recall: number[] };
  readonly roc: { readonly fpr: number[]; readonly tpr: number[] };
  readonly calibration: { readonly probTrue: number[]; readonly probPred: number[]; readonly counts: number[] };
  readonly ece: number;
}

function downsample(xs: Float64Array, ys: Float64Array, max = 200): { x: number[]; y: number[] } {
  const n = xs.length;
  const step = Math.max(1, Math.ceil(n / max));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i += step) {
    x.push(xs[i]!);
    y.push(ys[i]!);
  }
  if ((n - 1) % step !== 0) {
    x.push(xs[n - 1]!);
    y.push(ys[n - 1]!);
  }
  return { x, y };
}

function point(
  policy: string,
  threshold: number,
  yTrue: Uint8Array,
  score: Float64Array,
  costs: { fp: number; fn: number },
  feasible = true,
): OperatingPoint {
  const m = binaryMetrics(yTrue, score, threshold);
  const n = yTrue.length;
  const cost = m.fp * costs.fp + m.fn * costs.fn;
  return {
    policy,
    threshold,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    fp: m.fp,
    fn: m.fn,
    cost,
    per10k: { negativesLost: (m.fp / n) * 10_000, positivesMissed: (m.fn / n) * 10_000, cost: (cost / n) * 10_000 },
    feasible,
  };
}

export function thresholdReport(input: {
  split: string;
  yTrue: Uint8Array;
  score: Float64Array;
  current: { value: number; policy: string } | null;
  costs: { fp: number; fn: number };
  targetPrecision: number;
}): ThresholdReport {
  const { yTrue, score, costs } = input;
  const points: OperatingPoint[] = [];
  if (input.current) points.push(point(`run (${input.current.policy})`, input.current.value, yTrue, score, costs));
  const f1 = chooseThreshold({ policy: "max_f1" }, yTrue, score, costs);
  points.push(point("max_f1", f1.threshold, yTrue, score, costs));
  const mc = chooseThreshold({ policy: "min_cost" }, yTrue, score, costs);
  points.push(point("min_cost", mc.threshold, yTrue, score, costs));
  const rp = maxRecallAtPrecision(yTrue, score, input.targetPrecision);
  points.push(point(`max_recall@p≥${input.targetPrecision}`, rp.threshold, yTrue, score, costs, rp.feasible));
  const pr = precisionRecallCurve(yTrue, score);
  const roc = rocCurve(yTrue, score);
  const prS = downsample(pr.recall, pr.precision);
  const rocS = downsample(roc.fpr, roc.tpr);
  const cal = calibrationCurve(yTrue, score, { nBins: 10, strategy: "uniform" });
  let positives = 0;
  for (const v of yTrue) positives += v;
  return {
    split: input.split,
    n: yTrue.length,
    positives,
    costs,
    targetPrecision: input.targetPrecision,
    points,
    pr: { recall: prS.x, precision: prS.y },
    roc: { fpr: rocS.x, tpr: rocS.y },
    calibration: {
      probTrue: Array.from(cal.probTrue),
      probPred: Array.from(cal.probPred),
      counts: Array.from(cal.counts),
    },
    ece: expectedCalibrationError(yTrue, score, { nBins: 10 }),
  };
}
