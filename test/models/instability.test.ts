/**
 * Instability findings (NaN/∞, divergence, non-convergence) share one wording across every
 * iterative learner, so that diagnostics can classify them with instabilityKind. The warnings
 * checked here are produced by the real learners on the shared fixture, not written by hand.
 */
import { describe, expect, it } from "vitest";
import { csrFromDense } from "../../src/features/csr.js";
import { createModel } from "../../src/models/registry.js";
import { divergenceWarning, instabilityKind } from "../../src/models/training-warnings.js";
import { modelSchema } from "../../src/spec/models.js";
import { X, labels } from "./fixture.js";

describe("divergenceWarning", () => {
  const steps = [1, 2, 3, 4, 5, 6, 7, 8];
  it("five consecutive rises", () => {
    expect(divergenceWarning([1, 0.9, 0.8, 0.85, 0.9, 1.0, 1.2, 1.5], steps, "epochs", "lower eta0")).toBe(
      "loss diverged: training loss rose for 5 consecutive epochs (0.8000 at epoch 3 → 1.500 at epoch 8); lower eta0",
    );
  });

  it("ends above where it started, without five rises in a row", () => {
    expect(divergenceWarning([1, 3, 2, 4, 3, 5, 4, 6], steps, "rounds", "lower learning_rate")).toBe(
      "loss diverged: final training loss 6.000 (round 8) is above its initial value 1.000 (round 1); lower learning_rate",
    );
  });

  it("a decreasing or noisy-but-improving curve, rounding-level rises and short curves are fine", () => {
    expect(divergenceWarning([1, 0.8, 0.85, 0.7, 0.72, 0.6], steps, "epochs", "")).toBeNull();
    const flat = [0.5, 0.5 + 1e-12, 0.5 + 2e-12, 0.5 + 3e-12, 0.5 + 4e-12, 0.5 + 5e-12, 0.5 + 6e-12];
    expect(divergenceWarning(flat, steps, "iterations", "")).toBeNull();
    expect(divergenceWarning([1], steps, "epochs", "")).toBeNull();
    // Too few steps to call a higher end divergence.
    expect(divergenceWarning([1, 1.2], steps, "epochs", "")).toBeNull();
  });
});

describe("every iterative learner's warnings are classified", () => {
  it("logistic regression: max_iter, one-vs-rest, overflow at the start", () => {
    const lr = createModel(modelSchema.parse({ family: "logistic_regression", max_iter: 1, tol: 1e-10 }), 0);
    const ovr = createModel(
      modelSchema.parse({ family: "logistic_regression", multi_class: "ovr", max_iter: 1, tol: 1e-10 }),
      0,
    );
    const huge = csrFromDense([1e300, 0, 2, 0, 3e300, 1, 0, 1, 1e300, 2, 0, 0], 4, 3);
    const overflow = createModel(modelSchema.parse({ family: "logistic_regression" }), 0);
    const warnings = [
      ...lr.fit({ X, y: labels.y3, nClasses: 3 }).warnings,
      ...ovr.fit({ X, y: labels.y3, nClasses: 3 }).warnings,
      ...overflow.fit({ X: huge, y: Int32Array.of(0, 1, 0, 1), nClasses: 2 }).warnings,
    ];
    expect(warnings.map(instabilityKind)).toEqual([
      "not_converged",
      "not_converged",
      "not_converged",
      "not_converged",
      "non_finite",
    ]);
  });

  it("linear SVM and SGD: max_iter", () => {
    const svm = createModel(modelSchema.parse({ family: "linear_svm", max_iter: 1, tol: 1e-12 }), 0);
    const sgd = createModel(modelSchema.parse({ family: "sgd", loss: "log_loss", max_iter: 2, tol: 1e-12 }), 0);
    const w = [
      ...svm.fit({ X, y: labels.y2, nClasses: 2 }).warnings,
      ...sgd.fit({ X, y: labels.y2, nClasses: 2 }).warnings,
    ];
    expect(w.map(instabilityKind)).toEqual(["not_converged", "not_converged"]);
  });

  it("gradient boosting and the MLP: max_iter, and the same prefix", () => {
    const gbdt = createModel(modelSchema.parse({ family: "gradient_boosting", max_iter: 2, early_stopping: true }), 0);
    const mlp = createModel(modelSchema.parse({ family: "mlp", max_iter: 2 }), 0);
    const w = [
      ...gbdt.fit({ X, y: labels.y2, nClasses: 2 }).warnings,
      ...mlp.fit({ X, y: labels.y2, nClasses: 2 }).warnings,
    ];
    expect(w.map(instabilityKind)).toEqual(["not_converged", "not_converged"]);
    expect(w.every((m) => m.startsWith("did not converge in 2 "))).toBe(true);
  });

  it("other warnings are not instability", () => {
    expect(instabilityKind("calibration used 2 folds instead of 5: the smallest class has only 2 rows")).toBeNull();
    expect(instabilityKind("gradient became Infinity at epoch 3; stopped")).toBe("non_finite");
    expect(instabilityKind("one-vs-rest problem for class 2: loss diverged: final training loss …")).toBe("diverging");
  });
});
