import { describe, expect, it } from "vitest";
import { evaluateSplit } from "../../src/evaluate/evaluate.js";
import { expectClose, floats, labels, ref } from "./reference.js";

describe("evaluateSplit: the flat record the tracker stores", () => {
  it("binary: every metric name, values from scikit-learn 1.2.1, confusion [[tn, fp], [fn, tp]]", () => {
    const v = ref.vectors.tied;
    const e = ref.binary["tied@0.5"]!;
    const r = evaluateSplit({ kind: "binary", yTrue: labels(v.y), score: floats(v.score), threshold: 0.5 });
    expect(Object.keys(r.metrics).sort()).toEqual(
      [
        "accuracy",
        "error_rate",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "average_precision",
        "log_loss",
        "brier",
        "tp",
        "fp",
        "tn",
        "fn",
        "n",
        "positives",
        "threshold",
      ].sort(),
    );
    for (const key of [
      "accuracy",
      "precision",
      "recall",
      "f1",
      "roc_auc",
      "average_precision",
      "log_loss",
      "brier",
    ] as const) {
      expectClose(r.metrics[key]!, e[key]!, 1e-12, key);
    }
    expectClose(r.metrics.error_rate!, 1 - e.accuracy, 1e-12, "error_rate");
    expect([r.metrics.n, r.metrics.positives, r.metrics.threshold]).toEqual([20, 9, 0.5]);
    expect(r.confusionMatrix).toEqual([
      [e.tn, e.fp],
      [e.fn, e.tp],
    ]);
  });

  it("binary with weights uses weighted counts", () => {
    const v = ref.vectors.tied;
    const e = ref.binary["tied@0.5 weighted"]!;
    const r = evaluateSplit({
      kind: "binary",
      yTrue: labels(v.y),
      score: floats(v.score),
      threshold: 0.5,
      sampleWeight: floats(v.weight!),
    });
    expectClose(r.metrics.f1!, e.f1, 1e-12, "f1");
    expectClose(r.confusionMatrix[1]![1]!, e.tp, 1e-12, "tp");
  });

  it("multiclass: every metric name, values from scikit-learn 1.2.1, k × k confusion", () => {
    const c = ref.multiclass.tied;
    const r = evaluateSplit({ kind: "multiclass", y: Int32Array.from(c.y), proba: floats(c.proba), nClasses: c.k });
    expect(Object.keys(r.metrics).sort()).toEqual(
      [
        "accuracy",
        "error_rate",
        "macro_f1",
        "micro_f1",
        "weighted_f1",
        "macro_precision",
        "macro_recall",
        "log_loss",
        "roc_auc_ovr",
        "n",
      ].sort(),
    );
    const e = c.expected;
    for (const key of [
      "accuracy",
      "macro_f1",
      "micro_f1",
      "weighted_f1",
      "macro_precision",
      "macro_recall",
      "log_loss",
      "roc_auc_ovr",
    ] as const) {
      expectClose(r.metrics[key]!, e[key], 1e-12, key);
    }
    expect(r.metrics.n).toBe(c.y.length);
    expect(r.confusionMatrix).toEqual(e.confusion);
  });
});
