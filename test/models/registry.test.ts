import { describe, expect, it } from "vitest";
import { ModelError } from "../../src/errors.js";
import type { CsrMatrix } from "../../src/features/csr.js";
import { createModel, linearWeights, loadModel, MODEL_FAMILIES } from "../../src/models/registry.js";
import { modelSchema } from "../../src/spec/models.js";
import { X, Xtest, labels, maxRelErr, ref, sampleWeight } from "./fixture.js";

const specs = [
  { family: "logistic_regression" },
  { family: "logistic_regression", multi_class: "ovr", class_weight: "balanced" },
  { family: "logistic_regression", fit_intercept: false, C: 0.3 },
  { family: "naive_bayes" },
  { family: "naive_bayes", variant: "bernoulli", binarize: 1 },
  { family: "naive_bayes", variant: "complement", norm: true },
  { family: "linear_svm" },
  { family: "linear_svm", loss: "hinge", class_weight: "balanced", calibration_folds: 3 },
  { family: "sgd", calibration_folds: 2 },
  { family: "sgd", loss: "log_loss", average: true, early_stopping: true, validation_fraction: 0.25 },
  { family: "sgd", loss: "modified_huber", learning_rate: "invscaling", eta0: 0.1 },
  { family: "gaussian_nb", var_smoothing: 1e-3 },
].map((s) => modelSchema.parse(s));

describe("serialization round trip", () => {
  for (const spec of specs) {
    for (const [yName, nClasses] of [
      ["y2", 2],
      ["y3", 3],
    ] as const) {
      it(`${JSON.stringify(spec)} on ${nClasses} classes`, () => {
        const m = createModel(spec, 7);
        m.fit({ X, y: labels[yName], nClasses, sampleWeight });
        const json = JSON.stringify(m.serialize());
        const back = loadModel(JSON.parse(json));
        expect(back.family).toBe(spec.family);
        expect(back.predictProba(Xtest)).toEqual(m.predictProba(Xtest));
        expect(back.serialize()).toEqual(m.serialize());
      });
    }
  }

  it("rejects an unknown family and truncated state", () => {
    expect(() => loadModel({ family: "random_forest", params: {}, nClasses: 2, nFeatures: 3, state: {} })).toThrow(
      new ModelError(
        'cannot load model: unknown family "random_forest" (allowed: logistic_regression, naive_bayes, linear_svm, sgd, gradient_boosting, mlp, gaussian_nb)',
      ),
    );
    const m = createModel(specs[0]!, 1);
    m.fit({ X, y: labels.y2, nClasses: 2 });
    const s = m.serialize();
    expect(() => loadModel({ ...s, state: { ...s.state, coef: [1, 2] } })).toThrow(
      'logistic_regression: serialized state "coef" should be an array of 12 numbers, got 2 entries',
    );
  });
});

describe("registry", () => {
  it("creates every family and names them", () => {
    expect([...MODEL_FAMILIES]).toEqual([
      "logistic_regression",
      "naive_bayes",
      "linear_svm",
      "sgd",
      "gradient_boosting",
      "mlp",
      "gaussian_nb",
    ]);
    for (const family of MODEL_FAMILIES) expect(createModel(modelSchema.parse({ family }), 0).family).toBe(family);
  });
});

function scores(w: ReturnType<typeof linearWeights>, A: CsrMatrix, row: number): number[] {
  const rows = w!.intercept.length;
  const out: number[] = [];
  for (let k = 0; k < rows; k++) {
    let s = w!.intercept[k]!;
    for (let p = A.indptr[row]!; p < A.indptr[row + 1]!; p++) s += A.data[p]! * w!.weights[k * A.cols + A.indices[p]!]!;
    out.push(s);
  }
  return out;
}

describe("linearWeights", () => {
  it("logistic regression: sklearn's coef_ and intercept_", () => {
    const c = ref.logisticRegression.find((r) => r.name === "multinomial C=1")!;
    const m = createModel(modelSchema.parse({ family: "logistic_regression", tol: 1e-10 }), 0);
    m.fit({ X, y: labels.y3, nClasses: 3 });
    const w = linearWeights(m)!;
    expect(w.classes).toBe(3);
    expect(w.input).toBe("value");
    expect(maxRelErr(w.weights, c.coef.flat(), 1e-2)).toBeLessThan(1e-4);
    expect(maxRelErr(w.intercept, c.intercept, 1e-2)).toBeLessThan(1e-4);
  });

  it("binary naive Bayes: one row giving sklearn's log-odds of class 1", () => {
    for (const c of ref.naiveBayes.filter((r) => r.y === "y2")) {
      const m = createModel(modelSchema.parse({ family: "naive_bayes", variant: c.variant, ...c.params }), 0);
      m.fit({ X, y: labels.y2, nClasses: 2 });
      const w = linearWeights(m)!;
      expect(w.weights.length).toBe(12);
      expect(w.input).toBe(c.variant === "bernoulli" ? "presence" : "value");
      const A = c.variant === "bernoulli" ? { ...Xtest, data: Xtest.data.map((v) => (v > 0 ? 1 : 0)) } : Xtest;
      for (let i = 0; i < Xtest.rows; i++) {
        const logOdds = c.logProbaTest[i]![1]! - c.logProbaTest[i]![0]!;
        expect(scores(w, A, i)[0]).toBeCloseTo(logOdds, 9);
      }
    }
  });

  it("multiclass naive Bayes: scores differ from sklearn's log-probabilities by a per-row constant", () => {
    const c = ref.naiveBayes.find((r) => r.name === "multinomial default")!;
    const m = createModel(modelSchema.parse({ family: "naive_bayes" }), 0);
    m.fit({ X, y: labels.y3, nClasses: 3 });
    const w = linearWeights(m)!;
    for (let i = 0; i < Xtest.rows; i++) {
      const s = scores(w, Xtest, i);
      const shift = s[0]! - c.logProbaTest[i]![0]!;
      for (let k = 1; k < 3; k++) expect(s[k]! - shift).toBeCloseTo(c.logProbaTest[i]![k]!, 9);
    }
  });

  it("linear SVM and SGD: their decision function", () => {
    for (const spec of [{ family: "linear_svm" }, { family: "sgd", loss: "log_loss" }]) {
      const m = createModel(modelSchema.parse(spec), 0);
      m.fit({ X, y: labels.y3, nClasses: 3 });
      const w = linearWeights(m)!;
      const f = (m as unknown as { decisionFunction(A: typeof X): Float64Array }).decisionFunction(Xtest);
      for (let i = 0; i < Xtest.rows; i++) {
        const s = scores(w, Xtest, i);
        for (let k = 0; k < 3; k++) expect(s[k]).toBeCloseTo(f[i * 3 + k]!, 12);
      }
    }
  });

  it("is null before fit", () => {
    expect(linearWeights(createModel(specs[0]!, 0))).toBeNull();
  });
});
