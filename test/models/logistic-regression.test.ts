import { describe, expect, it } from "vitest";
import { LogisticRegression } from "../../src/models/logistic-regression.js";
import { logisticRegressionParamsSchema } from "../../src/spec/models.js";
import { X, Xtest, labels, maxRelErr, ref, sampleWeight } from "./fixture.js";

// Reference: sklearn LogisticRegression(solver="lbfgs", tol=1e-10, max_iter=10000, **params), polished
// by warm-started refits until the objective's gradient is ≤ 2.3e-7 (see test/reference/models_ref.py
// and ref.provenance). Our TRON/L-BFGS solve the same objective to a relative gradient of 1e-10.
describe("logistic regression vs scikit-learn", () => {
  for (const c of ref.logisticRegression) {
    it(c.name, () => {
      const params = logisticRegressionParamsSchema.parse({
        family: "logistic_regression",
        ...c.params,
        tol: 1e-10,
        max_iter: 1000,
      });
      const m = new LogisticRegression(params);
      const y = labels[c.y];
      const report = m.fit({
        X,
        y,
        nClasses: c.y === "y2" ? 2 : 3,
        sampleWeight: c.sampleWeight ? sampleWeight : undefined,
      });
      expect(report.converged).toBe(true);
      expect(report.warnings).toEqual([]);
      const coefErr = maxRelErr(m.coef, c.coef.flat(), 1e-2);
      const icptErr = maxRelErr(m.intercept, c.intercept, 1e-2);
      const probaErr = maxRelErr(m.predictProba(Xtest), c.probaTest.flat(), 1e-2);
      console.log(
        c.name,
        report.iterations,
        coefErr.toExponential(2),
        icptErr.toExponential(2),
        probaErr.toExponential(2),
      );
      expect(coefErr).toBeLessThan(1e-4);
      expect(icptErr).toBeLessThan(1e-4);
      expect(probaErr).toBeLessThan(1e-4);
    });
  }
});
