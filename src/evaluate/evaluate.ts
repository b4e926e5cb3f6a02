/**
 * One call per split that returns what the tracker stores: a flat name → value record (metric names
 * are stable strings, the keys of the metrics table) and the confusion matrix. The threshold is an
 * input: the caller chooses it on dev (chooseThreshold) and applies the same value to every split.
 */
import { binaryMetrics, multiclassMetrics } from "./metrics.js";

export type EvaluateSplitInput =
  | {
      readonly kind: "binary";
      /** 1 = positive. */
      readonly yTrue: Uint8Array;
      /** P(positive) or any higher-is-more-positive score. */
      readonly score: Float64Array;
      readonly threshold: number;
      readonly sampleWeight?: Float64Array;
    }
  | {
      readonly kind: "multiclass";
      readonly y: Int32Array;
      /** Row-major n × nClasses. */
      readonly proba: Float64Array;
      readonly nClasses: number;
    };

export interface SplitEvaluation {
  /**
   * binary: accuracy, error_rate, precision, recall, f1, roc_auc, average_precision, log_loss, brier,
   * tp, fp, tn, fn, n, positives, threshold. multiclass: accuracy, error_rate, macro_f1, micro_f1,
   * weighted_f1, macro_precision, macro_recall, log_loss, roc_auc_ovr, n. Undefined values are NaN.
   */
  readonly metrics: Record<string, number>;
  /** Rows are true classes, columns predicted classes; binary: [[tn, fp], [fn, tp]]. */
  readonly confusionMatrix: number[][];
}

export function evaluateSplit(input: EvaluateSplitInput): SplitEvaluation {
  if (input.kind === "binary") {
    const m = binaryMetrics(input.yTrue, input.score, input.threshold, input.sampleWeight);
    return {
      metrics: {
        accuracy: m.accuracy,
        error_rate: m.errorRate,
        precision: m.precision,
        recall: m.recall,
        f1: m.f1,
        roc_auc: m.roc_auc,
        average_precision: m.average_precision,
        log_loss: m.log_loss,
        brier: m.brier,
        tp: m.tp,
        fp: m.fp,
        tn: m.tn,
        fn: m.fn,
        n: m.n,
        positives: m.positives,
        threshold: m.threshold,
      },
      confusionMatrix: [
        [m.tn, m.fp],
        [m.fn, m.tp],
      ],
    };
  }
  const m = multiclassMetrics(input.y, input.proba, input.nClasses);
  const k = m.nClasses;
  const confusionMatrix: number[][] = [];
  for (let r = 0; r < k; r++) confusionMatrix.push(Array.from(m.confusion.subarray(r * k, (r + 1) * k)));
  return {
    metrics: {
      accuracy: m.accuracy,
      error_rate: m.errorRate,
      macro_f1: m.macro_f1,
      micro_f1: m.micro_f1,
      weighted_f1: m.weighted_f1,
      macro_precision: m.macro_precision,
      macro_recall: m.macro_recall,
      log_loss: m.log_loss,
      roc_auc_ovr: m.roc_auc_ovr,
      n: m.n,
    },
    confusionMatrix,
  };
}
