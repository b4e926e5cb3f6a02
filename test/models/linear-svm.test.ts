import { describe, expect, it } from "vitest";
import { LinearSvm } from "../../src/models/linear-svm.js";
import { fitPlatt, stratifiedFolds } from "../../src/models/platt.js";
import { linearSvmParamsSchema } from "../../src/spec/models.js";
import { X, Xtest, labels, maxRelErr, ref, sampleWeight } from "./fixture.js";

// Reference: sklearn LinearSVC(dual=True, tol=1e-10, max_iter=1e6, random_state=0, **params) — liblinear's
// dual coordinate descent, regularised intercept — from test/reference/models_ref.py (ref.provenance).
// Runs with another shuffle and tol 1e-8 agree with it to 5e-9, so 1e-6 relative is a safe bound.
describe("linear SVM vs scikit-learn LinearSVC", () => {
  for (const c of ref.linearSvm) {
    it(c.name, () => {
      const params = linearSvmParamsSchema.parse({ family: "linear_svm", ...c.params, tol: 1e-10, max_iter: 100000 });
      const m = new LinearSvm(params, 3);
      const report = m.fit({
        X,
        y: labels[c.y],
        nClasses: c.y === "y2" ? 2 : 3,
        sampleWeight: c.sampleWeight ? sampleWeight : undefined,
      });
      expect(report.converged).toBe(true);
      expect(report.warnings).toEqual([]);
      expect(maxRelErr(m.coef, c.coef.flat(), 1e-2)).toBeLessThan(1e-6);
      expect(maxRelErr(m.intercept, c.intercept, 1e-2)).toBeLessThan(1e-6);
      expect(maxRelErr(m.decisionFunction(Xtest), c.decisionTest.flat(), 1e-2)).toBeLessThan(1e-6);
      // The curve records the primal objective; its last point is the final loss.
      expect(report.curve.at(-1)!.loss).toBe(report.finalLoss);
    });
  }
});

describe("Platt scaling", () => {
  const F = Float64Array.from(ref.platt.decision);
  const positive = Uint8Array.from(labels.y2);
  // Reference: sklearn.calibration._sigmoid_calibration(F, y2[, sw]), minimised by fmin_bfgs (gtol 1e-5);
  // ours is Newton's method to a 1e-12 gradient, so agreement is limited by sklearn's tolerance.
  for (const c of ref.platt.cases) {
    it(c.name, () => {
      const p = fitPlatt(F, positive, c.sampleWeight ? sampleWeight : undefined);
      expect(Math.abs(p.A - c.A) / Math.abs(c.A)).toBeLessThan(1e-4);
      expect(Math.abs(p.B - c.B) / Math.max(Math.abs(c.B), 1e-2)).toBeLessThan(1e-4);
    });
  }
});

describe("probabilities from held-out Platt scaling", () => {
  it("are monotone in the margin, sum to 1 and are reproducible from the seed", () => {
    const fit = (seed: number): LinearSvm => {
      const m = new LinearSvm(linearSvmParamsSchema.parse({ family: "linear_svm", C: 0.5 }), seed);
      m.fit({ X, y: labels.y2, nClasses: 2 });
      return m;
    };
    const m = fit(1);
    const p = m.predictProba(Xtest);
    const f = m.decisionFunction(Xtest);
    const order = Array.from(f.keys()).sort((a, b) => f[a]! - f[b]!);
    for (let t = 1; t < order.length; t++)
      expect(p[2 * order[t]! + 1]).toBeGreaterThanOrEqual(p[2 * order[t - 1]! + 1]!);
    for (let i = 0; i < Xtest.rows; i++) expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 15);
    expect(fit(1).predictProba(Xtest)).toEqual(p);
    expect(m.plattA[0]).toBeLessThan(0);
  });

  it("multiclass rows sum to 1", () => {
    const m = new LinearSvm(linearSvmParamsSchema.parse({ family: "linear_svm", calibration_folds: 3 }), 5);
    m.fit({ X, y: labels.y3, nClasses: 3, sampleWeight });
    const p = m.predictProba(Xtest);
    for (let i = 0; i < Xtest.rows; i++) expect(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!).toBeCloseTo(1, 14);
  });

  it("stratified folds hold each class evenly", () => {
    const fold = stratifiedFolds(labels.y3, 3, 4, 9);
    for (let c = 0; c < 3; c++) {
      const counts = [0, 0, 0, 0];
      labels.y3.forEach((y, i) => {
        if (y === c) counts[fold[i]!]!++;
      });
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it("a class with one row cannot be calibrated", () => {
    const y = Int32Array.from(labels.y2);
    y.fill(0);
    y[3] = 1;
    const m = new LinearSvm(linearSvmParamsSchema.parse({ family: "linear_svm" }), 0);
    expect(() => m.fit({ X, y, nClasses: 2 })).toThrow(
      "linear_svm: class 1 has 1 training row; probability calibration needs at least 2 rows of every class",
    );
  });

  it("too few rows for the folds lowers the fold count with a warning", () => {
    const y = Int32Array.from(labels.y2);
    y.fill(0);
    y[3] = y[7] = y[11] = 1;
    const m = new LinearSvm(linearSvmParamsSchema.parse({ family: "linear_svm" }), 0);
    expect(m.fit({ X, y, nClasses: 2 }).warnings).toEqual([
      "calibration used 3 folds instead of 5: the smallest class has only 3 rows",
    ]);
  });
});
