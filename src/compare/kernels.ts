/**
 * Weighted metric kernels for resampling: `kernel(weights)` is a metric of one run's stored
 * predictions with example i counted `weights[i]` times (a bootstrap resample is a vector of
 * counts). Everything that does not depend on the weights — each example's confusion cell, its
 * loss, the score order of the ranking metrics — is computed once, so a resample costs O(n) per
 * run and allocates nothing. With all weights 1 the kernels give the run's recorded metrics
 * (test/compare/kernels.test.ts holds them to src/evaluate/metrics.ts with and without weights).
 */
import { HEADLINE_BINARY_METRICS, LOG_LOSS_EPS, prf } from "../evaluate/metrics.js";

export type Kernel = (weights: Float64Array) => number;

/** One run's predictions on the shared examples, in the form the kernels read. */
export type EvalInput =
  | {
      readonly kind: "binary";
      /** 1 = positive class. */
      readonly yTrue: Uint8Array;
      /** P(positive) as recorded. */
      readonly score: Float64Array;
      /** The run's own recorded threshold: score >= threshold decides positive. */
      readonly threshold: number;
      /** The run's recorded decisions (1 = positive); when given, they decide instead of the threshold. */
      readonly decided?: Uint8Array;
    }
  | {
      readonly kind: "multiclass";
      readonly nClasses: number;
      /** True class index per example. */
      readonly y: Int32Array;
      /** Decided class index per example (as recorded). */
      readonly decision: Int32Array;
      /** Row-major n × nClasses class probabilities; null when not recorded (no log loss then). */
      readonly proba: Float64Array | null;
    };

export const BINARY_COMPARE_METRICS = HEADLINE_BINARY_METRICS;
export const MULTICLASS_COMPARE_METRICS = ["accuracy", "macro_f1", "weighted_f1", "log_loss"] as const;

const LOWER_IS_BETTER = new Set(["log_loss", "brier", "error_rate"]);

export function higherIsBetter(metric: string): boolean {
  return !LOWER_IS_BETTER.has(metric);
}

export function metricsFor(input: EvalInput): readonly string[] {
  if (input.kind === "binary") return BINARY_COMPARE_METRICS;
  return input.proba === null ? MULTICLASS_COMPARE_METRICS.filter((m) => m !== "log_loss") : MULTICLASS_COMPARE_METRICS;
}

/** A kernel for `metric`, or undefined when the metric does not apply to this kind of run. */
export function kernelFor(metric: string, input: EvalInput): Kernel | undefined {
  return input.kind === "binary" ? binaryKernel(metric, input) : multiclassKernel(metric, input);
}

function meanOf(values: Float64Array): Kernel {
  const n = values.length;
  return (w) => {
    let sum = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      sum += wi * values[i]!;
      total += wi;
    }
    return total > 0 ? sum / total : NaN;
  };
}

function binaryKernel(metric: string, input: EvalInput & { kind: "binary" }): Kernel | undefined {
  const { yTrue, score, threshold, decided } = input;
  const n = yTrue.length;
  switch (metric) {
    case "roc_auc":
    case "average_precision":
      return rankingKernel(metric, yTrue, score);
    case "log_loss":
    case "brier": {
      const loss = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const s = score[i]!;
        const y = yTrue[i]!;
        if (metric === "brier") loss[i] = (s - y) * (s - y);
        else {
          // scikit-learn clips probabilities to [eps, 1 − eps] before taking logs
          const p = s < LOG_LOSS_EPS ? LOG_LOSS_EPS : s > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : s;
          loss[i] = -(y === 1 ? Math.log(p) : Math.log(1 - p));
        }
      }
      return meanOf(loss);
    }
    case "accuracy":
    case "error_rate":
    case "precision":
    case "recall":
    case "f1": {
      // per example: 0 = tn, 1 = fn, 2 = fp, 3 = tp (bit 1: decided positive, bit 0: positive)
      const cell = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const positive = decided === undefined ? score[i]! >= threshold : decided[i] === 1;
        cell[i] = (positive ? 2 : 0) | yTrue[i]!;
      }
      const tally = new Float64Array(4);
      return (w) => {
        tally.fill(0);
        for (let i = 0; i < n; i++) tally[cell[i]!]! += w[i]!;
        const [tn, fn, fp, tp] = tally as unknown as [number, number, number, number];
        const total = tn + fn + fp + tp;
        if (metric === "accuracy") return total > 0 ? (tp + tn) / total : NaN;
        if (metric === "error_rate") return total > 0 ? (fp + fn) / total : NaN;
        const r = prf(tp, fp, fn);
        return metric === "precision" ? r.precision : metric === "recall" ? r.recall : r.f1;
      };
    }
    default:
      return undefined;
  }
}

/**
 * ROC-AUC and average precision from one descending sort of the scores, with tied scores forming
 * one threshold (scikit-learn's _binary_clf_curve): per resample one pass accumulates weighted
 * true and false positives group by group. AUC is the trapezoid area; AP is Σ (R_k − R_{k−1}) P_k.
 * Undefined (NaN) when the resample holds no positive (or, for AUC, no negative).
 */
function rankingKernel(metric: "roc_auc" | "average_precision", yTrue: Uint8Array, score: Float64Array): Kernel {
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  const sorted = Int32Array.from(order);
  // groupEnd[k]: position after the last member of k's tie group (only read at group starts)
  const groupEnd = new Int32Array(n);
  for (let k = 0; k < n;) {
    let e = k + 1;
    while (e < n && score[sorted[e]!] === score[sorted[k]!]) e++;
    for (let j = k; j < e; j++) groupEnd[j] = e;
    k = e;
  }
  return (w) => {
    let tps = 0;
    let fps = 0;
    let area = 0;
    let ap = 0;
    let positives = 0;
    for (let k = 0; k < n; k++) if (yTrue[k] === 1) positives += w[k]!;
    for (let k = 0; k < n;) {
      const end = groupEnd[k]!;
      const tpsPrev = tps;
      const fpsPrev = fps;
      for (let j = k; j < end; j++) {
        const i = sorted[j]!;
        const wi = w[i]!;
        if (yTrue[i] === 1) tps += wi;
        else fps += wi;
      }
      area += ((fps - fpsPrev) * (tps + tpsPrev)) / 2;
      if (tps > tpsPrev) ap += ((tps - tpsPrev) / positives) * (tps / (tps + fps));
      k = end;
    }
    if (metric === "average_precision") return positives > 0 ? ap : NaN;
    return tps > 0 && fps > 0 ? area / (tps * fps) : NaN;
  };
}

function multiclassKernel(metric: string, input: EvalInput & { kind: "multiclass" }): Kernel | undefined {
  const { y, decision, proba, nClasses: k } = input;
  const n = y.length;
  switch (metric) {
    case "accuracy":
    case "error_rate": {
      const wrong = new Float64Array(n);
      for (let i = 0; i < n; i++) wrong[i] = y[i] === decision[i] ? 0 : 1;
      const err = meanOf(wrong);
      return metric === "error_rate" ? err : (w) => 1 - err(w);
    }
    case "macro_f1":
    case "weighted_f1": {
      const tp = new Float64Array(k);
      const fp = new Float64Array(k);
      const fn = new Float64Array(k);
      return (w) => {
        tp.fill(0);
        fp.fill(0);
        fn.fill(0);
        for (let i = 0; i < n; i++) {
          const wi = w[i]!;
          if (wi === 0) continue;
          const t = y[i]!;
          const d = decision[i]!;
          if (t === d) tp[t]! += wi;
          else {
            fn[t]! += wi;
            fp[d]! += wi;
          }
        }
        // scikit-learn's label set: classes present in y or in the decisions
        let sum = 0;
        let count = 0;
        let support = 0;
        for (let c = 0; c < k; c++) {
          const sup = tp[c]! + fn[c]!;
          if (sup + fp[c]! === 0) continue;
          const f1 = prf(tp[c]!, fp[c]!, fn[c]!).f1;
          if (metric === "macro_f1") {
            sum += f1;
            count++;
          } else {
            sum += f1 * sup;
            support += sup;
          }
        }
        if (metric === "macro_f1") return count > 0 ? sum / count : NaN;
        return support > 0 ? sum / support : NaN;
      };
    }
    case "log_loss": {
      if (proba === null) return undefined;
      // scikit-learn 1.2: clip each probability to [eps, 1 − eps], renormalise the row, −log p(true)
      const loss = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let rowSum = 0;
        for (let c = 0; c < k; c++) rowSum += clip(proba[i * k + c]!);
        loss[i] = -Math.log(clip(proba[i * k + y[i]!]!) / rowSum);
      }
      return meanOf(loss);
    }
    default:
      return undefined;
  }
}

function clip(p: number): number {
  return p < LOG_LOSS_EPS ? LOG_LOSS_EPS : p > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : p;
}
