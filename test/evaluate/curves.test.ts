import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import {
  calibrationCurve,
  expectedCalibrationError,
  precisionRecallCurve,
  rocCurve,
} from "../../src/evaluate/curves.js";
import { binaryMetrics } from "../../src/evaluate/metrics.js";
import { percentileSorted } from "../../src/evaluate/quantile.js";
import { expectAllClose, expectClose, floats, labels, nanOf, ref } from "./reference.js";

const inputs = {
  tied: { v: ref.vectors.tied, weighted: false },
  "tied weighted": { v: ref.vectors.tied, weighted: true },
  large: { v: ref.vectors.large, weighted: false },
  decision: { v: ref.vectors.decision, weighted: false },
} as const;

describe("ROC and precision–recall curves, point by point against scikit-learn 1.2.1", () => {
  for (const [name, { v, weighted }] of Object.entries(inputs)) {
    const expected = ref.curves[name as keyof typeof inputs];
    const y = labels(v.y);
    const s = floats(v.score);
    const w = weighted ? floats(v.weight!) : undefined;

    it(`roc_curve(drop_intermediate=False): ${name}`, () => {
      const c = rocCurve(y, s, w);
      expectAllClose(c.fpr, nanOf(expected.roc.fpr), 1e-12, "fpr");
      expectAllClose(c.tpr, nanOf(expected.roc.tpr), 1e-12, "tpr");
      expect(c.thresholds[0]).toBe(Infinity); // sklearn >= 1.3; 1.2.1 wrote max(score) + 1 here
      expect(Array.from(c.thresholds.subarray(1))).toEqual(expected.roc.thresholds_after_first);
    });

    it(`precision_recall_curve: ${name}`, () => {
      const c = precisionRecallCurve(y, s, w);
      expectAllClose(c.precision, expected.pr.precision, 1e-12, "precision");
      expectAllClose(c.recall, expected.pr.recall, 1e-12, "recall");
      expect(Array.from(c.thresholds)).toEqual(expected.pr.thresholds);
    });

    it(`the trapezoid area under the ROC points is binaryMetrics' roc_auc: ${name}`, () => {
      const c = rocCurve(y, s, w);
      let area = 0;
      for (let j = 1; j < c.fpr.length; j++) area += ((c.fpr[j]! - c.fpr[j - 1]!) * (c.tpr[j]! + c.tpr[j - 1]!)) / 2;
      expectClose(area, binaryMetrics(y, s, 0.5, w).roc_auc, 1e-12, "area");
    });
  }

  it("a score held only by zero-weight examples is not a point (0.4 in the tied vectors)", () => {
    const v = ref.vectors.tied;
    const c = rocCurve(labels(v.y), floats(v.score), floats(v.weight!));
    expect(Array.from(c.thresholds)).not.toContain(0.4);
    expect(Array.from(rocCurve(labels(v.y), floats(v.score)).thresholds)).toContain(0.4);
  });

  it("with no positive, tpr is NaN and recall is 1 (scikit-learn's conventions)", () => {
    const roc = rocCurve(labels([0, 0]), floats([0.2, 0.7]));
    expect(Array.from(roc.tpr).every(Number.isNaN)).toBe(true);
    expect(Array.from(roc.fpr)).toEqual([0, 0.5, 1]);
    const pr = precisionRecallCurve(labels([0, 0]), floats([0.2, 0.7]));
    expect(Array.from(pr.recall)).toEqual([1, 1, 0]);
    expect(Array.from(pr.precision)).toEqual([0, 0, 1]);
  });
});

describe("calibration curve and ECE against scikit-learn 1.2.1 calibration_curve", () => {
  const cases = ref.calibration.map((c, i) => ({ c, v: i < 4 ? ref.vectors.large : ref.vectors.tied }));
  for (const { c, v } of cases) {
    it(`${c.strategy}, ${c.n_bins} bins, n = ${v.y.length}`, () => {
      const curve = calibrationCurve(labels(v.y), floats(v.score), { nBins: c.n_bins, strategy: c.strategy });
      // edges must be bit-exact: scores equal to an edge (0.2, 0.4, quantiles of tied data) fall in the lower bin
      expect(Array.from(curve.edges)).toEqual(c.edges);
      expect(Array.from(curve.counts)).toEqual(c.counts);
      expectAllClose(curve.probTrue, c.prob_true, 1e-12, "prob_true");
      expectAllClose(curve.probPred, c.prob_pred, 1e-12, "prob_pred");
      const ece = expectedCalibrationError(labels(v.y), floats(v.score), { nBins: c.n_bins, strategy: c.strategy });
      expectClose(ece, c.ece, 1e-12, "ece");
    });
  }

  it("ECE is 0 for perfectly calibrated bins and |p − y| for one bin", () => {
    // two bins: scores 0.25 (1 of 4 positive) and 0.75 (3 of 4 positive) → calibrated
    const y = labels([1, 0, 0, 0, 1, 1, 1, 0]);
    const s = floats([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75]);
    expect(expectedCalibrationError(y, s, { nBins: 2 })).toBe(0);
    // one bin: mean score 0.5, fraction positive 0.5 → still 0; all 0.9 with half positive → 0.4
    expectClose(expectedCalibrationError(labels([1, 0]), floats([0.9, 0.9]), { nBins: 1 }), 0.4, 1e-15, "ece");
  });

  it("rejects scores outside [0, 1] and bad options", () => {
    const err = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        return (e as Error).message;
      }
      throw new Error("expected a DataError");
    };
    expect(err(() => calibrationCurve(labels([1, 0]), floats([0.5, 1.5])))).toBe(
      "calibrationCurve: score[1] is 1.5; calibration needs probabilities in [0, 1]",
    );
    expect(err(() => calibrationCurve(labels([1, 0]), floats([0.5, 0.5]), { nBins: 0 }))).toBe(
      "calibrationCurve: nBins is 0; it must be an integer >= 1",
    );
    expect(err(() => calibrationCurve(labels([1, 0]), floats([0.5, 0.5]), { strategy: "kmeans" as "uniform" }))).toBe(
      'calibrationCurve: strategy is "kmeans"; allowed: "uniform", "quantile"',
    );
  });
});

describe("numpy's linear percentile", () => {
  it("np.percentile(sorted, q), bit for bit", () => {
    for (const c of ref.percentile) expect(percentileSorted(c.sorted, c.q)).toBe(c.value);
  });
});
