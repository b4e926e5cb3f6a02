import { describe, expect, it } from "vitest";
import { ModelError } from "../../src/errors.js";
import { csrFromDense } from "../../src/features/csr.js";
import { createModel } from "../../src/models/registry.js";
import { modelSchema, type ModelSpec } from "../../src/spec/models.js";

const specs: ModelSpec[] = [
  modelSchema.parse({ family: "logistic_regression" }),
  modelSchema.parse({ family: "naive_bayes" }),
  modelSchema.parse({ family: "linear_svm" }),
  modelSchema.parse({ family: "sgd", loss: "log_loss" }),
];

const X = csrFromDense([1, 0, 2, 0, 3, 1, 0, 1, 1, 2, 0, 0], 4, 3);
const y = Int32Array.of(0, 1, 0, 1);

function thrown(f: () => unknown): ModelError {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelError) return e;
    throw e;
  }
  throw new Error("expected a ModelError");
}

describe.each(specs)("bad input: $family", (spec) => {
  const family = spec.family === "naive_bayes" ? "naive_bayes (multinomial)" : spec.family;

  it("one class only in y", () => {
    const e = thrown(() => createModel(spec, 1).fit({ X, y: Int32Array.of(1, 1, 1, 1), nClasses: 2 }));
    expect(e.message).toBe(
      `${family}: y contains only class 1 (all 4 rows); a classifier needs examples of at least two classes`,
    );
    expect(e.exitCode).toBe(5);
  });

  it("a class with no rows", () => {
    const e = thrown(() => createModel(spec, 1).fit({ X, y, nClasses: 3 }));
    expect(e.message).toBe(
      `${family}: class 2 of 3 has no training rows (classes present: 0, 1); every class needs at least one example`,
    );
  });

  it("label out of range", () => {
    const e = thrown(() => createModel(spec, 1).fit({ X, y: Int32Array.of(0, 1, 2, 1), nClasses: 2 }));
    expect(e.message).toBe(`${family}: y[2] = 2 is not a class index (allowed: 0 .. 1)`);
    expect(e.where).toBe("row 2");
  });

  it("NaN and Infinity in X", () => {
    const bad = csrFromDense([1, 0, 2, 0, 3, 1, 0, NaN, 1, 2, 0, 0], 4, 3);
    expect(thrown(() => createModel(spec, 1).fit({ X: bad, y, nClasses: 2 })).message).toBe(
      `${family}: X has a non-finite value (NaN) at row 2, column 1; features must be finite numbers`,
    );
    const inf = csrFromDense([1, 0, 2, 0, 3, 1, 0, 1, 1, 2, 0, -Infinity], 4, 3);
    expect(thrown(() => createModel(spec, 1).fit({ X: inf, y, nClasses: 2 })).message).toBe(
      `${family}: X has a non-finite value (-Infinity) at row 3, column 2; features must be finite numbers`,
    );
  });

  it("wrong number of columns at predict time", () => {
    const m = createModel(spec, 1);
    m.fit({ X, y, nClasses: 2 });
    const wide = csrFromDense([1, 0, 2, 0, 3], 1, 5);
    expect(thrown(() => m.predictProba(wide)).message).toBe(
      `${spec.family}: X has 5 columns but the model was fitted on 3 features; predict with the same feature pipeline`,
    );
  });

  it("NaN at predict time", () => {
    const m = createModel(spec, 1);
    m.fit({ X, y, nClasses: 2 });
    expect(thrown(() => m.predictProba(csrFromDense([1, Infinity, 0], 1, 3))).message).toBe(
      `${spec.family}: X has a non-finite value (Infinity) at row 0, column 1; features must be finite numbers`,
    );
  });

  it("predict before fit", () => {
    expect(thrown(() => createModel(spec, 1).predictProba(X)).message).toBe(
      `${spec.family}: predictProba called before fit`,
    );
  });

  it("sample weights of the wrong length or value", () => {
    expect(
      thrown(() => createModel(spec, 1).fit({ X, y, nClasses: 2, sampleWeight: Float64Array.of(1, 1, 1) })).message,
    ).toBe(`${family}: sampleWeight has 3 entries but X has 4 rows; give one weight per row`);
    expect(
      thrown(() => createModel(spec, 1).fit({ X, y, nClasses: 2, sampleWeight: Float64Array.of(1, -1, 1, 1) })).message,
    ).toBe(`${family}: sampleWeight[1] = -1; sample weights must be finite and ≥ 0`);
  });

  it("y of the wrong length", () => {
    expect(thrown(() => createModel(spec, 1).fit({ X, y: Int32Array.of(0, 1), nClasses: 2 })).message).toBe(
      `${family}: y has 2 labels but X has 4 rows; they must be the same length`,
    );
  });
});

describe("bad input: family-specific", () => {
  it("multinomial and complement naive Bayes reject negative features", () => {
    const neg = csrFromDense([1, 0, 2, 0, -3, 1, 0, 1, 1, 2, 0, 0], 4, 3);
    const m = createModel(modelSchema.parse({ family: "naive_bayes", variant: "complement" }), 1);
    expect(thrown(() => m.fit({ X: neg, y, nClasses: 2 })).message).toBe(
      "naive_bayes (complement): X has a negative value (-3) at row 1, column 1; this model needs counts or other non-negative features",
    );
    // Bernoulli binarizes, so negative values are simply "absent".
    const b = createModel(modelSchema.parse({ family: "naive_bayes", variant: "bernoulli" }), 1);
    expect(b.fit({ X: neg, y, nClasses: 2 }).converged).toBe(true);
  });

  it("class_weight keys must be class indices", () => {
    const m = createModel(modelSchema.parse({ family: "logistic_regression", class_weight: { spam: 2 } }), 1);
    const e = thrown(() => m.fit({ X, y, nClasses: 2 }));
    expect(e.message).toBe(
      'logistic_regression: class_weight key "spam" is not a class index (allowed: 0 .. 1; label names are translated to indices by the runner)',
    );
    expect(e.where).toBe("model.class_weight.spam");
  });

  it("features too large to evaluate give a warning, not a NaN model", () => {
    const huge = csrFromDense([1e300, 0, 2, 0, 3e300, 1, 0, 1, 1e300, 2, 0, 0], 4, 3);
    const report = createModel(modelSchema.parse({ family: "logistic_regression" }), 1).fit({
      X: huge,
      y,
      nClasses: 2,
    });
    expect(report.converged).toBe(false);
    expect(report.warnings).toEqual([
      "objective or gradient is not finite at the starting point (objective 2.772588722239781, gradient norm Infinity); feature values are too large — scale them",
    ]);
  });
});
