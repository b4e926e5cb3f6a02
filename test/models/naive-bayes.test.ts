import { describe, expect, it } from "vitest";
import { NaiveBayes } from "../../src/models/naive-bayes.js";
import { naiveBayesParamsSchema } from "../../src/spec/models.js";
import { X, Xtest, labels, maxRelErr, ref, sampleWeight } from "./fixture.js";

// Reference: sklearn MultinomialNB / BernoulliNB / ComplementNB(**params).fit(csr X, y, sample_weight)
// from test/reference/models_ref.py (versions in ref.provenance). NB is closed-form, so agreement is
// to rounding: 1e-10 relative.
describe("naive Bayes vs scikit-learn", () => {
  for (const c of ref.naiveBayes) {
    it(`${c.variant}: ${c.name}`, () => {
      const m = new NaiveBayes(
        naiveBayesParamsSchema.parse({ family: "naive_bayes", variant: c.variant, ...c.params }),
      );
      const report = m.fit({
        X,
        y: labels[c.y],
        nClasses: c.y === "y2" ? 2 : 3,
        sampleWeight: c.sampleWeight ? sampleWeight : undefined,
      });
      expect(report.converged).toBe(true);
      expect(maxRelErr(m.featureLogProb, c.featureLogProb.flat(), 1e-6)).toBeLessThan(1e-10);
      expect(maxRelErr(m.classLogPrior, c.classLogPrior, 1e-6)).toBeLessThan(1e-10);
      expect(maxRelErr(m.predictLogProba(Xtest), c.logProbaTest.flat(), 1e-6)).toBeLessThan(1e-10);
      expect(maxRelErr(m.predictProba(Xtest), c.probaTest.flat(), 1e-6)).toBeLessThan(1e-10);
    });
  }
});
