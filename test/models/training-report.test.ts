import { describe, expect, it } from "vitest";
import { csrSelectRows } from "../../src/features/csr.js";
import { createModel } from "../../src/models/registry.js";
import { modelSchema } from "../../src/spec/models.js";
import { X, labels, sampleWeight } from "./fixture.js";
import { randomSparseProblem } from "./random-sparse.js";

const train = Int32Array.from({ length: 30 }, (_, i) => i);
const dev = Int32Array.from({ length: 10 }, (_, i) => 30 + i);

function meanLogLoss(proba: Float64Array, y: Int32Array, K: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(proba[i * K + y[i]!]!);
  return s / y.length;
}

describe("training report", () => {
  for (const [multi, yName, K] of [
    ["multinomial", "y2", 2],
    ["multinomial", "y3", 3],
    ["ovr", "y3", 3],
  ] as const) {
    it(`logistic regression ${multi}, ${K} classes: curve, final loss and dev loss`, () => {
      const m = createModel(modelSchema.parse({ family: "logistic_regression", multi_class: multi, C: 2 }), 0);
      const y = labels[yName];
      const devData = { X: csrSelectRows(X, dev), y: y.subarray(30) };
      const r = m.fit({ X: csrSelectRows(X, train), y: y.subarray(0, 30), nClasses: K, dev: devData });
      expect(r.converged).toBe(true);
      expect(r.warnings).toEqual([]);
      expect(r.curve.length).toBe(r.iterations + 1);
      expect(r.curve.map((p) => p.step)).toEqual(r.curve.map((_, i) => i));
      // At w = 0 every class has probability 1/K: the objective is C · n · log K (n = 30 rows);
      // one-vs-rest adds up K binary objectives of C · n · log 2 each.
      const initial = multi === "ovr" ? K * 2 * 30 * Math.log(2) : 2 * 30 * Math.log(K);
      expect(r.curve[0]!.loss).toBeCloseTo(initial, 10);
      for (let t = 1; t < r.curve.length; t++) expect(r.curve[t]!.loss).toBeLessThanOrEqual(r.curve[t - 1]!.loss);
      expect(r.finalLoss).toBe(r.curve.at(-1)!.loss);
      const last = r.curve.at(-1)!;
      expect(last.devLoss).toBeCloseTo(meanLogLoss(m.predictProba(devData.X), devData.y, K), 10);
      if (multi === "multinomial") {
        expect(r.curve[0]!.trainLoss).toBeCloseTo(Math.log(K), 12);
        expect(last.trainLoss).toBeCloseTo(
          meanLogLoss(m.predictProba(csrSelectRows(X, train)), y.subarray(0, 30), K),
          10,
        );
      }
    });
  }

  it("warns when max_iter stops the solver", () => {
    const m = createModel(modelSchema.parse({ family: "logistic_regression", max_iter: 1, tol: 1e-10 }), 0);
    const r = m.fit({ X, y: labels.y3, nClasses: 3 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(1);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^did not converge in 1 iterations \(gradient norm \d\.\d\de[+-]\d+ > tol 1e-10 × initial \d\.\d\de[+-]\d+\); raise max_iter or tol$/,
    );
  });

  it("one-vs-rest warnings name the class", () => {
    const m = createModel(
      modelSchema.parse({ family: "logistic_regression", multi_class: "ovr", max_iter: 1, tol: 1e-10 }),
      0,
    );
    const r = m.fit({ X, y: labels.y3, nClasses: 3 });
    expect(r.warnings.map((w) => w.slice(0, 45))).toEqual([
      "one-vs-rest problem for class 0: did not conv",
      "one-vs-rest problem for class 1: did not conv",
      "one-vs-rest problem for class 2: did not conv",
    ]);
  });

  it("naive Bayes reports its weighted training log loss", () => {
    const m = createModel(modelSchema.parse({ family: "naive_bayes" }), 0);
    const r = m.fit({ X, y: labels.y3, nClasses: 3, sampleWeight });
    const p = m.predictProba(X);
    let s = 0;
    let w = 0;
    for (let i = 0; i < 40; i++) {
      s -= sampleWeight[i]! * Math.log(p[i * 3 + labels.y3[i]!]!);
      w += sampleWeight[i]!;
    }
    expect(r.finalLoss).toBeCloseTo(s / w, 12);
    expect(r.curve).toHaveLength(1);
  });
});

describe("scale", () => {
  // 5,000 × 20,000 with ~60 nonzeros per row: the size of a real text problem. No timing asserted.
  const { X: big, y } = randomSparseProblem(5000, 20000, 60, 3, 11);
  const y2 = y.map((v) => (v === 0 ? 0 : 1));
  for (const spec of [
    { family: "logistic_regression" },
    { family: "logistic_regression", multi_class: "ovr" },
    { family: "naive_bayes" },
    { family: "naive_bayes", variant: "complement" },
    { family: "linear_svm" },
    { family: "sgd", loss: "log_loss", alpha: 1e-5, average: true },
  ]) {
    for (const [yy, K] of [
      [y2, 2],
      [y, 3],
    ] as const) {
      it(`${JSON.stringify(spec)}: ${K} classes train and predict`, () => {
        const m = createModel(modelSchema.parse(spec), 0);
        const r = m.fit({ X: big, y: yy, nClasses: K });
        expect(r.converged).toBe(true);
        expect(r.warnings).toEqual([]);
        const p = m.predictProba(big);
        let correct = 0;
        for (let i = 0; i < big.rows; i++) {
          let best = 0;
          let sum = 0;
          for (let k = 0; k < K; k++) {
            sum += p[i * K + k]!;
            if (p[i * K + k]! > p[i * K + best]!) best = k;
          }
          expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
          if (best === yy[i]) correct++;
        }
        // The labels come from a linear model of the features: any working learner beats chance clearly.
        expect(correct / big.rows).toBeGreaterThan(0.7);
      });
    }
  }
});
