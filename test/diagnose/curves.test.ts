/**
 * Learning and validation curves against scikit-learn on a small fixed problem with the same folds
 * (StratifiedKFold(5) without shuffle, first-n training subsets): every per-fold accuracy must be
 * equal. Reference: test/reference/diagnose_ref.py (scikit-learn 1.2.1), fixture
 * test/fixtures/diagnose/curves_sklearn.json.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { capacityKnob } from "../../src/diagnose/capacity.js";
import { openCvSession, type CvData } from "../../src/diagnose/cv.js";
import { learningCurve, validationCurve } from "../../src/diagnose/curves.js";
import { stratifiedKFold } from "../../src/diagnose/folds.js";
import { modelSchema } from "../../src/spec/models.js";
import { featuresSchema } from "../../src/spec/schema.js";
import { labelsOf, textExample } from "./helpers.js";

interface Ref {
  sklearn: string;
  docs: string[];
  labels: string[];
  folds: number[];
  learning_curve: Record<string, { sizes: number[]; train: number[][]; test: number[][] }>;
  validation_curve: Record<string, { grid: number[]; train: number[][]; test: number[][] }>;
}
const ref = JSON.parse(
  readFileSync(new URL("../fixtures/diagnose/curves_sklearn.json", import.meta.url), "utf8"),
) as Ref;
const classes = ["ham", "spam"];
const examples = ref.docs.map((d, i) => textExample(`d${i}`, ref.labels[i]!, d));
const y = labelsOf(examples, classes);

const setups = {
  lr: {
    features: featuresSchema.parse({ words: { fields: ["body"], min_df: 2, weighting: "tfidf", sublinear_tf: true } }),
    model: modelSchema.parse({ family: "logistic_regression", C: 1, tol: 1e-10, max_iter: 1000 }),
  },
  nb: {
    features: featuresSchema.parse({ words: { fields: ["body"], min_df: 2, weighting: "counts" } }),
    model: modelSchema.parse({ family: "naive_bayes", alpha: 1 }),
  },
} as const;

function data(name: keyof typeof setups): CvData {
  return { examples, y, classes, positive: 1, features: setups[name].features, model: setups[name].model, seed: 0 };
}

/** sklearn's per-fold scores (rows = sizes or grid values, columns = folds) as errors. */
const errors = (rows: number[][]): number[][] => rows.map((r) => r.map((a) => 1 - a));

describe("folds", () => {
  it("stratifiedKFold without shuffle is scikit-learn's StratifiedKFold", () => {
    expect(Array.from(stratifiedKFold(y, 5))).toEqual(ref.folds);
  });
  it("shuffled folds keep the class balance and depend on the seed", () => {
    const a = stratifiedKFold(y, 5, { shuffle: true, seed: 1 });
    const b = stratifiedKFold(y, 5, { shuffle: true, seed: 2 });
    expect(Array.from(a)).not.toEqual(Array.from(b));
    for (let f = 0; f < 5; f++) {
      const spam = y.filter((v, i) => a[i] === f && v === 1).length;
      const plain = y.filter((v, i) => ref.folds[i] === f && v === 1).length;
      expect(spam).toBe(plain);
    }
  });
  it("too few members of a class for the folds is a clear error", () => {
    expect(() => stratifiedKFold(Int32Array.from([0, 0, 0, 0, 0, 1, 1]), 5, { classNames: ["ham", "spam"] })).toThrow(
      'class "spam" has only 2 training examples, fewer than the 5 cross-validation folds; use fewer folds',
    );
  });
});

describe.each(["lr", "nb"] as const)("learning curve (%s) vs scikit-learn", (name) => {
  it("same sizes and the same per-fold train and validation errors", async () => {
    const session = openCvSession(data(name), { folds: 5, shuffle: false, workers: 0 });
    try {
      const lc = await learningCurve(session, { subset: "prefix" });
      const r = ref.learning_curve[name]!;
      expect(lc.points.map((p) => p.x)).toEqual(r.sizes);
      const train = errors(r.train);
      const test = errors(r.test);
      lc.points.forEach((p, s) => {
        p.trainError.values.forEach((v, f) => expect(v).toBeCloseTo(train[s]![f]!, 12));
        p.valError.values.forEach((v, f) => expect(v).toBeCloseTo(test[s]![f]!, 12));
      });
    } finally {
      await session.close();
    }
  });
});

describe.each(["lr", "nb"] as const)("validation curve (%s) vs scikit-learn", (name) => {
  it("same per-fold errors over the capacity grid", async () => {
    const session = openCvSession(data(name), { folds: 5, shuffle: false, workers: 0 });
    try {
      const r = ref.validation_curve[name]!;
      const knob = capacityKnob(setups[name].model, r.grid)!;
      expect(knob.key).toBe(name === "lr" ? "C" : "alpha");
      const vc = await validationCurve(session, knob);
      expect(vc.points.map((p) => p.x)).toEqual(r.grid);
      const train = errors(r.train);
      const test = errors(r.test);
      vc.points.forEach((p, g) => {
        p.trainError.values.forEach((v, f) => expect(v).toBeCloseTo(train[g]![f]!, 12));
        p.valError.values.forEach((v, f) => expect(v).toBeCloseTo(test[g]![f]!, 12));
      });
    } finally {
      await session.close();
    }
  });
});

describe("worker pool", () => {
  it("two worker threads give the same curve as inline execution", async () => {
    const inline = openCvSession(data("nb"), { folds: 5, shuffle: true, workers: 0 });
    const pooled = openCvSession(data("nb"), { folds: 5, shuffle: true, workers: 2 });
    try {
      const a = await learningCurve(inline, { sizes: 4 });
      const seen: number[] = [];
      const b = await learningCurve(pooled, { sizes: 4, onProgress: (d) => seen.push(d) });
      expect(b.points).toEqual(a.points.map((p) => ({ ...p, fitMs: b.points.find((q) => q.x === p.x)!.fitMs })));
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      await inline.close();
      await pooled.close();
    }
  });
});
