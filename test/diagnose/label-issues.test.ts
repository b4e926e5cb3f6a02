/**
 * Confident learning finds planted label flips: 5% of a clean synthetic corpus gets its label
 * flipped; out-of-fold probabilities (5-fold CV of the words + logistic regression pipeline) must
 * flag them with recall ≥ 0.8 at precision ≥ 0.5.
 */
import { describe, expect, it } from "vitest";
import { openCvSession } from "../../src/diagnose/cv.js";
import { findLabelIssues } from "../../src/diagnose/label-issues.js";
import { modelSchema } from "../../src/spec/models.js";
import { featuresSchema } from "../../src/spec/schema.js";
import { createRng, shuffleInPlace } from "../../src/util/random.js";
import { labelsOf, syntheticCorpus } from "./helpers.js";

describe("confident learning", () => {
  it("finds planted label flips (recall ≥ 0.8, precision ≥ 0.5)", async () => {
    const clean = syntheticCorpus({ n: 800, seed: 11, mix: 0.12 });
    const order = clean.map((_, i) => i);
    shuffleInPlace(order, createRng(5));
    const flipped = new Set(order.slice(0, 40)); // 5%
    const examples = clean.map((e, i) => (flipped.has(i) ? { ...e, label: e.label === "spam" ? "ham" : "spam" } : e));
    const classes = ["ham", "spam"];
    const y = labelsOf(examples, classes);
    const session = openCvSession(
      {
        examples,
        y,
        classes,
        positive: 1,
        features: featuresSchema.parse({ words: { fields: ["body"], min_df: 2, sublinear_tf: true } }),
        model: modelSchema.parse({ family: "logistic_regression", C: 10 }),
        seed: 3,
      },
      { folds: 5, workers: 2 },
    );
    try {
      const oof = await session.outOfFold();
      const r = findLabelIssues(y, oof, 2);
      const found = r.issues.map((i) => i.index);
      const hits = found.filter((i) => flipped.has(i)).length;
      const recall = hits / flipped.size;
      const precision = hits / found.length;
      expect(recall).toBeGreaterThanOrEqual(0.8);
      expect(precision).toBeGreaterThanOrEqual(0.5);
      // the estimate of the number of errors is in the right range
      expect(r.estimatedErrors).toBeGreaterThan(20);
      expect(r.estimatedErrors).toBeLessThan(80);
      // ranked by self-confidence, lowest first
      for (let k = 1; k < r.issues.length; k++) {
        expect(r.issues[k]!.selfConfidence).toBeGreaterThanOrEqual(r.issues[k - 1]!.selfConfidence);
      }
    } finally {
      await session.close();
    }
  });

  it("matches a hand-worked confident joint", () => {
    // labels 0,0,0,1,1,1; thresholds t0 = mean p0 over label 0 = (0.9+0.8+0.2)/3, t1 = (0.9+0.7+0.1)/3
    const labels = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const p1 = [0.1, 0.2, 0.8, 0.9, 0.7, 0.1];
    const proba = Float64Array.from(p1.flatMap((p) => [1 - p, p]));
    const r = findLabelIssues(labels, proba, 2);
    expect(r.thresholds[0]).toBeCloseTo(1.9 / 3, 12);
    expect(r.thresholds[1]).toBeCloseTo(1.7 / 3, 12);
    // example 2 (label 0, p1 0.8 ≥ t1) and example 5 (label 1, p0 0.9 ≥ t0) are the off-diagonal ones
    expect(r.confidentJoint.map((row) => row.map((v) => Math.round(v * 1000) / 1000))).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(r.issues.map((i) => i.index).sort()).toEqual([2, 5]);
    expect(r.issues[0]!.index).toBe(5); // self-confidence 0.1 < 0.2
  });
});
