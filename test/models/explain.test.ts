import { describe, expect, it } from "vitest";
import { ModelError } from "../../src/errors.js";
import { csrFromDense, csrSelectRows } from "../../src/features/csr.js";
import type { Estimator } from "../../src/models/estimator.js";
import { classScores, contributions, topFeatures } from "../../src/models/explain.js";
import { LinearSvm } from "../../src/models/linear-svm.js";
import { NaiveBayes } from "../../src/models/naive-bayes.js";
import { createModel } from "../../src/models/registry.js";
import { SgdClassifier } from "../../src/models/sgd.js";
import { modelSchema } from "../../src/spec/models.js";
import { createRng } from "../../src/util/random.js";

/**
 * A tiny planted problem: 24 noise words that any class uses at random, and two planted words per
 * class that appear (with probability 0.8 and 0.7) only in that class's documents. Any sensible
 * model's strongest features towards a class are its two planted words.
 */
function planted(nClasses: number, rows: number, seed: number) {
  const noise = Array.from({ length: 24 }, (_, j) => `noise${j}`);
  const plantedWords = [
    ["meeting", "report"],
    ["free", "winner"],
    ["invoice", "shipment"],
  ].slice(0, nClasses);
  const names = [...noise, ...plantedWords.flat()];
  const d = names.length;
  const rng = createRng(seed);
  const dense = new Float64Array(rows * d);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = i % nClasses;
    y[i] = c;
    for (let k = 0; k < 6; k++) dense[i * d + rng.int(24)]! += 1;
    if (rng.next() < 0.8) dense[i * d + 24 + 2 * c] = 1 + rng.int(3);
    if (rng.next() < 0.7) dense[i * d + 25 + 2 * c] = 1 + rng.int(2);
  }
  return { X: csrFromDense(dense, rows, d), y, names, plantedWords };
}

const families = [
  { family: "logistic_regression" },
  { family: "logistic_regression", multi_class: "ovr" },
  { family: "linear_svm" },
  { family: "sgd", loss: "log_loss", alpha: 1e-3 },
  { family: "naive_bayes" },
  { family: "naive_bayes", variant: "bernoulli" },
  { family: "naive_bayes", variant: "complement" },
];

describe("top features of a model trained on a planted problem are the planted words", () => {
  for (const spec of families) {
    for (const K of [2, 3]) {
      it(`${JSON.stringify(spec)}, ${K} classes`, () => {
        const { X, y, names, plantedWords } = planted(K, 300, 11);
        const m = createModel(modelSchema.parse(spec), 0);
        m.fit({ X, y, nClasses: K });
        const top = topFeatures(m, names, 2);
        expect(top.map((t) => t.classIndex)).toEqual(Array.from({ length: K }, (_, c) => c));
        for (const t of top) {
          expect(new Set(t.features.map((f) => f.feature))).toEqual(new Set(plantedWords[t.classIndex]));
          expect(t.features[0]!.weight).toBeGreaterThanOrEqual(t.features[1]!.weight);
          expect(t.features.every((f) => f.weight > 0 && names[f.index] === f.feature)).toBe(true);
        }
      });
    }
  }

  it("k larger than the positive weights: only features that push towards the class", () => {
    const { X, y, names } = planted(2, 200, 3);
    const m = createModel(modelSchema.parse({ family: "logistic_regression" }), 0);
    m.fit({ X, y, nClasses: 2 });
    const top = topFeatures(m, names, 1000);
    const scores = classScores(m);
    for (const t of top) {
      const positive = scores.weights.subarray(t.classIndex * 28, (t.classIndex + 1) * 28).filter((w) => w > 0).length;
      expect(t.features).toHaveLength(positive);
      for (let q = 1; q < t.features.length; q++)
        expect(t.features[q]!.weight).toBeLessThanOrEqual(t.features[q - 1]!.weight);
    }
    // Binary models have one score: what pushes towards class 1 pushes away from class 0.
    expect(top[0]!.features.length + top[1]!.features.length).toBeLessThanOrEqual(28);
  });
});

/** The class scores a model's own outputs imply, independently of explain.ts. */
function expectedScores(m: Estimator, X: ReturnType<typeof planted>["X"], K: number): number[][] {
  const rows: number[][] = [];
  if (m instanceof LinearSvm || m instanceof SgdClassifier) {
    const f = m.decisionFunction(X);
    for (let i = 0; i < X.rows; i++) {
      rows.push(K === 2 ? [-f[i]!, f[i]!] : Array.from({ length: K }, (_, k) => f[i * K + k]!));
    }
    return rows;
  }
  // Logistic regression (binary or multinomial) and naive Bayes: log-probabilities, whose
  // differences are the score contrasts (the log-sum-exp cancels).
  const logp = m instanceof NaiveBayes ? m.predictLogProba(X) : m.predictProba(X).map(Math.log);
  for (let i = 0; i < X.rows; i++) {
    const l = Array.from({ length: K }, (_, k) => logp[i * K + k]!);
    if (K === 2) rows.push([l[0]! - l[1]!, l[1]! - l[0]!]);
    else {
      const sum = l.reduce((a, b) => a + b, 0);
      rows.push(l.map((v) => v - (sum - v) / (K - 1)));
    }
  }
  return rows;
}

describe("contributions plus the intercept add up to the model's own class scores", () => {
  const cases = families.filter((s) => !(s.family === "logistic_regression" && s.multi_class === "ovr"));
  for (const spec of [...cases, { family: "naive_bayes", variant: "bernoulli", binarize: 1.5 }]) {
    for (const K of [2, 3]) {
      it(`${JSON.stringify(spec)}, ${K} classes`, () => {
        const { X, y, names } = planted(K, 240, 5);
        const m = createModel(modelSchema.parse(spec), 0);
        m.fit({ X, y, nClasses: K });
        const test = csrSelectRows(
          planted(K, 30, 99).X,
          Int32Array.from({ length: 30 }, (_, i) => i),
        );
        const expected = expectedScores(m, test, K);
        for (let i = 0; i < test.rows; i++) {
          const c = contributions(m, test, names, i);
          for (let k = 0; k < K; k++) {
            const sum = c[k]!.contributions.reduce((s, x) => s + x.contribution, c[k]!.intercept);
            expect(c[k]!.score).toBeCloseTo(sum, 10);
            expect(sum).toBeCloseTo(expected[i]![k]!, 8);
            const list = c[k]!.contributions;
            for (let q = 1; q < list.length; q++)
              expect(list[q]!.contribution).toBeLessThanOrEqual(list[q - 1]!.contribution);
          }
        }
      });
    }
  }

  it("a planted word present in an example pushes it towards its class", () => {
    const { X, y, names } = planted(2, 300, 8);
    const m = createModel(modelSchema.parse({ family: "naive_bayes" }), 0);
    m.fit({ X, y, nClasses: 2 });
    const one = csrFromDense([0, 0, 1, ...new Array(21).fill(0), 0, 0, 2, 1], 1, 28);
    const [towards0, towards1] = contributions(m, one, names);
    expect(towards1!.contributions.slice(0, 2).map((c) => c.feature)).toEqual(["free", "winner"]);
    expect(towards1!.contributions[0]).toMatchObject({ feature: "free", value: 2 });
    // NB: count × log-probability ratio.
    const nb = m as NaiveBayes;
    const ratio = nb.featureLogProb[28 + 26]! - nb.featureLogProb[26]!;
    expect(towards1!.contributions[0]!.contribution).toBeCloseTo(2 * ratio, 12);
    expect(towards0!.contributions.at(-1)!.feature).toBe("free");
  });
});

describe("explanations: what cannot be explained says so", () => {
  it("gradient boosting and the MLP have no per-feature weights", () => {
    const { X, y, names } = planted(2, 100, 1);
    for (const family of ["gradient_boosting", "mlp"] as const) {
      const m = createModel(modelSchema.parse({ family, max_iter: 3 }), 0);
      m.fit({ X, y, nClasses: 2 });
      expect(() => topFeatures(m, names, 5)).toThrow(
        new ModelError(
          `explanations are not available for the ${family} family: a feature's effect there depends on the other features, so there is no per-feature weight to show (available for logistic_regression, linear_svm, sgd, naive_bayes)`,
        ),
      );
    }
  });

  it("an unfitted model, wrong names, a bad k, a bad row", () => {
    const m = createModel(modelSchema.parse({ family: "logistic_regression" }), 0);
    expect(() => topFeatures(m, [], 3)).toThrow("logistic_regression: explanations need a fitted model");
    const { X, y, names } = planted(2, 100, 1);
    m.fit({ X, y, nClasses: 2 });
    expect(() => topFeatures(m, names.slice(1), 3)).toThrow(
      "the model has 28 features but 27 feature names were given; explain with the run's own feature pipeline",
    );
    expect(() => topFeatures(m, names, 0)).toThrow("top features: k = 0; expected a positive integer");
    expect(() => contributions(m, X, names, 100)).toThrow("row 100 is not a row of X (it has 100)");
    expect(() => contributions(m, csrFromDense([1], 1, 1), names)).toThrow(
      "the example has 1 features but the model was fitted on 28; featurise it with the run's own pipeline",
    );
  });
});
