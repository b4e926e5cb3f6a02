import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { binaryMetrics, multiclassMetrics } from "../../src/evaluate/metrics.js";
import { expectAllClose, expectClose, floats, labels, nanOf, ref } from "./reference.js";

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error("expected a DataError");
}

const vectorsOf: Record<string, keyof typeof ref.vectors> = {
  "tied@0.5": "tied",
  "tied@0.35": "tied",
  "tied@0.5 weighted": "tied",
  "large@0.5": "large",
  "large@0.3 weighted": "large",
  "decision@0": "decision",
};

describe("binaryMetrics against scikit-learn 1.2.1", () => {
  for (const [name, expected] of Object.entries(ref.binary)) {
    it(name, () => {
      const v = ref.vectors[vectorsOf[name]!];
      const weight = expected.weighted ? floats(v.weight!) : undefined;
      const m = binaryMetrics(labels(v.y), floats(v.score), expected.threshold, weight);
      for (const key of ["accuracy", "precision", "recall", "f1", "roc_auc", "average_precision"] as const) {
        expectClose(m[key], expected[key], 1e-12, key);
      }
      for (const key of ["tp", "fp", "tn", "fn"] as const) expectClose(m[key], expected[key], 1e-12, key);
      expectClose(m.errorRate, 1 - expected.accuracy, 1e-12, "errorRate");
      if (expected.log_loss === undefined) {
        // decision values are not probabilities: no log loss or Brier score
        expect(m.log_loss).toBeNaN();
        expect(m.brier).toBeNaN();
      } else {
        expectClose(m.log_loss, expected.log_loss, 1e-12, "log_loss");
        expectClose(m.brier, expected.brier!, 1e-12, "brier");
      }
      expect(m.n).toBe(v.y.length);
      expect(m.positives).toBe(v.y.filter((y) => y === 1).length);
    });
  }

  it("zero_division=0: no predicted positive, and no positive at all", () => {
    const none = binaryMetrics(labels([1, 0, 1]), floats([0.1, 0.2, 0.3]), 0.5);
    const r1 = ref.zero_division.no_predicted_positive;
    expect([none.precision, none.recall, none.f1]).toEqual([r1.precision, r1.recall, r1.f1]);
    const noPos = binaryMetrics(labels([0, 0, 0]), floats([0.9, 0.1, 0.2]), 0.5);
    const r2 = ref.zero_division.no_positive;
    expect([noPos.precision, noPos.recall, noPos.f1]).toEqual([r2.precision, r2.recall, r2.f1]);
  });

  it("ROC-AUC and average precision are NaN when a class is missing (documented; sklearn raises/warns)", () => {
    const noPos = binaryMetrics(labels([0, 0, 0]), floats([0.9, 0.1, 0.2]), 0.5);
    expect(noPos.roc_auc).toBeNaN();
    expect(noPos.average_precision).toBeNaN();
    const noNeg = binaryMetrics(labels([1, 1]), floats([0.9, 0.1]), 0.5);
    expect(noNeg.roc_auc).toBeNaN();
    expect(noNeg.average_precision).toBe(1); // every positive ranks above every negative (there are none)
  });

  it("predicts positive when score >= threshold (a score equal to the threshold is positive)", () => {
    const m = binaryMetrics(labels([1, 0, 1]), floats([0.5, 0.5, 0.49]), 0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([1, 1, 0, 1]);
  });

  it("log loss clips a confidently wrong score at float64 eps: −ln(2^−52) = 52·ln 2", () => {
    const m = binaryMetrics(labels([1, 0]), floats([0, 0]), 0.5);
    // example 1: −ln(eps) = 52 ln 2 = 36.04365338911715; example 2: −ln(1 − eps) ≈ 2.2e−16
    expectClose(m.log_loss, (52 * Math.LN2 + 2.220446049250313e-16) / 2, 1e-14, "log_loss");
  });

  it("integer weights equal replicating examples (an independent check of every weighted path)", () => {
    const v = ref.vectors.tied;
    const w = [2, 1, 3, 1, 0, 1, 2, 2, 1, 1, 4, 1, 1, 2, 1, 0, 1, 3, 1, 2];
    const y: number[] = [];
    const s: number[] = [];
    v.y.forEach((yi, i) => {
      for (let r = 0; r < w[i]!; r++) {
        y.push(yi);
        s.push(v.score[i]!);
      }
    });
    const weighted = binaryMetrics(labels(v.y), floats(v.score), 0.35, floats(w));
    const replicated = binaryMetrics(labels(y), floats(s), 0.35);
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
      expectClose(weighted[key], replicated[key], 1e-12, key);
    }
  });

  it("rejects malformed input with a message that says what and where", () => {
    expect(messageOf(() => binaryMetrics(labels([1, 0]), floats([0.5]), 0.5))).toBe(
      "binaryMetrics: yTrue has 2 entries but score has 1; they must describe the same examples in the same order",
    );
    expect(messageOf(() => binaryMetrics(labels([]), floats([]), 0.5))).toBe(
      "binaryMetrics: yTrue is empty; metrics need at least one example",
    );
    expect(messageOf(() => binaryMetrics(labels([1, 2]), floats([0.5, 0.5]), 0.5))).toBe(
      "binaryMetrics: yTrue[1] is 2; binary labels must be 0 (negative) or 1 (positive)",
    );
    expect(messageOf(() => binaryMetrics(labels([1, 0]), floats([0.5, NaN]), 0.5))).toBe(
      "binaryMetrics: score[1] is NaN; scores must be finite numbers",
    );
    expect(messageOf(() => binaryMetrics(labels([1, 0]), floats([0.5, 0.1]), 0.5, floats([1, -1])))).toBe(
      "binaryMetrics: sampleWeight[1] is -1; weights must be finite and >= 0",
    );
    expect(messageOf(() => binaryMetrics(labels([1, 0]), floats([0.5, 0.1]), 0.5, floats([0, 0])))).toBe(
      "binaryMetrics: sampleWeight sums to 0; at least one example needs a positive weight",
    );
    expect(messageOf(() => binaryMetrics(labels([1, 0]), floats([0.5, 0.1]), NaN))).toBe(
      "binaryMetrics: threshold is NaN; it must be a number",
    );
    try {
      binaryMetrics(labels([1, 0]), floats([0.5, Infinity]), 0.5);
    } catch (e) {
      expect((e as DataError).where).toBe("score[1]");
    }
  });
});

describe("multiclassMetrics against scikit-learn 1.2.1", () => {
  for (const [name, c] of Object.entries(ref.multiclass)) {
    it(name, () => {
      const m = multiclassMetrics(Int32Array.from(c.y), floats(c.proba), c.k);
      const e = c.expected;
      const keys = [
        "accuracy",
        "macro_precision",
        "macro_recall",
        "macro_f1",
        "micro_precision",
        "micro_recall",
        "micro_f1",
        "weighted_precision",
        "weighted_recall",
        "weighted_f1",
        "log_loss",
        "roc_auc_ovr",
      ] as const;
      for (const key of keys) expectClose(m[key], e[key], 1e-12, key);
      expectAllClose(m.perClass.precision, e.per_class_precision, 1e-12, "precision");
      expectAllClose(m.perClass.recall, e.per_class_recall, 1e-12, "recall");
      expectAllClose(m.perClass.f1, e.per_class_f1, 1e-12, "f1");
      expectAllClose(m.perClass.roc_auc, nanOf(e.per_class_roc_auc), 1e-12, "roc_auc");
      const support = e.confusion.map((row) => row.reduce((a, b) => a + b, 0));
      expect(Array.from(m.perClass.support)).toEqual(support);
      expect(Array.from(m.confusion)).toEqual(e.confusion.flat());
      expectClose(m.errorRate, 1 - e.accuracy, 1e-12, "errorRate");
    });
  }

  it("an absent class gets precision/recall 0 but does not enter the macro average", () => {
    const c = ref.multiclass["absent class"];
    const m = multiclassMetrics(Int32Array.from(c.y), floats(c.proba), c.k);
    expect(m.perClass.support[3]).toBe(0);
    const present = [0, 1, 2].map((k) => m.perClass.f1[k]!);
    expectClose(m.macro_f1, present.reduce((a, b) => a + b, 0) / 3, 1e-15, "macro over 3 classes");
  });

  it("rejects malformed input", () => {
    expect(messageOf(() => multiclassMetrics(Int32Array.from([0, 1]), floats([1, 0, 0]), 2))).toBe(
      "multiclassMetrics: y (× nClasses 2) has 4 entries but proba has 3; they must describe the same examples in the same order",
    );
    expect(messageOf(() => multiclassMetrics(Int32Array.from([0, 3]), floats([1, 0, 0, 1]), 2))).toBe(
      "multiclassMetrics: y[1] is 3; class indices must be in 0..1",
    );
    expect(messageOf(() => multiclassMetrics(Int32Array.from([0, 1]), floats([1, 0, NaN, 1]), 2))).toBe(
      "multiclassMetrics: proba[2] (example 1, class 0) is NaN; class probabilities must lie in [0, 1]",
    );
    expect(messageOf(() => multiclassMetrics(Int32Array.from([0]), floats([1]), 1))).toBe(
      "multiclassMetrics: nClasses is 1; it must be an integer >= 2",
    );
  });
});
