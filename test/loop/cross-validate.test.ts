/**
 * evaluate.cross_validate against scikit-learn (test/reference/cross_validate_ref.py): the same
 * StratifiedKFold folds, the same out-of-fold probabilities as cross_val_predict of a
 * StandardScaler + LogisticRegression pipeline (refitted in every fold), the same per-fold
 * cross_validate scores — and a run with cross_validate records its out-of-fold predictions as dev.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/load.js";
import { SpecError } from "../../src/errors.js";
import { crossValidate, foldScores, foldSummary, poolFolds } from "../../src/loop/cross-validate.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { parseSpec } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import { ROOT, tempDir } from "../cli/cli-helpers.js";

interface Case {
  k: number;
  C: number;
  folds: number[];
  proba: number[][];
  fold_accuracy: number[];
  fold_macro_f1: number[];
  mean_macro_f1: number;
  std_macro_f1: number;
}
const ref = JSON.parse(readFileSync(join(ROOT, "test/fixtures/loop/cross_validate_sklearn.json"), "utf8")) as {
  columns: string[];
  classes: string[];
  cases: Case[];
};

function wineSpec(extra: Record<string, unknown> = {}, C = 1.0) {
  return parseSpec({
    experiment: "wine-cv",
    data: {
      source: "csv",
      path: "wine.csv",
      columns: { id: "id", label: "cultivar", numeric: ref.columns },
      split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2 },
    },
    features: { numeric: { missing: "error" } },
    model: { family: "logistic_regression", C, tol: 1e-10, max_iter: 1000 },
    evaluate: extra,
  });
}
const baseDir = join(ROOT, "examples", "wine");

describe.each(ref.cases)("$k-fold cross-validation of wine, C = $C", (c) => {
  it("has scikit-learn's folds, out-of-fold probabilities and per-fold scores", async () => {
    const spec = wineSpec({}, c.C);
    const ds = await loadDataset(spec.data, { baseDir, seed: 0 });
    expect(ds.classes).toEqual(ref.classes);
    const y = Int32Array.from(ds.examples, (e) => ds.classes.indexOf(e.label));
    const folds = poolFolds(y, c.k, ds.classes);
    expect(Array.from(folds)).toEqual(c.folds);
    const cv = crossValidate({
      features: spec.features,
      model: spec.model,
      pool: ds.examples,
      y,
      classes: ds.classes,
      folds,
      seed: 0,
    });
    let worst = 0;
    c.proba.forEach((row, i) =>
      row.forEach((p, j) => (worst = Math.max(worst, Math.abs(p - cv.outOfFold[i * 3 + j]!)))),
    );
    // two solvers (trust-region Newton here, lbfgs there) at tight tolerances: measured 4.6e-5 at most
    expect(worst).toBeLessThan(1e-4);
    const scores = foldScores(cv, y, 3, null);
    const sizes = new Array<number>(c.k).fill(0);
    for (const f of c.folds) sizes[f] = sizes[f]! + 1;
    expect(scores.map((s) => s.n)).toEqual(sizes);
    scores.forEach((s, f) => {
      expect(s.metrics["accuracy"]).toBeCloseTo(c.fold_accuracy[f]!, 10);
      expect(s.metrics["macro_f1"]).toBeCloseTo(c.fold_macro_f1[f]!, 10);
    });
    const summary = foldSummary(scores);
    expect(summary.mean["macro_f1"]).toBeCloseTo(c.mean_macro_f1, 10);
    expect(summary.std["macro_f1"]).toBeCloseTo(c.std_macro_f1, 10);
  });
});

describe("a run with evaluate.cross_validate", () => {
  it("records train + dev pooled, out-of-fold predictions as dev, per-fold scores, and the final model on test", async () => {
    const store = await openStore(join(tempDir("mlloop-cv-"), "mlloop.db"));
    try {
      const holdout = await runExperiment({ spec: wineSpec(), baseDir, store, cache: false });
      const out = await runExperiment({ spec: wineSpec({ cross_validate: 5 }), baseDir, store, cache: false });
      const pooled = holdout.counts.train + holdout.counts.dev;
      expect(out.counts).toEqual({ train: pooled, dev: pooled, test: holdout.counts.test });
      const run = await store.getRun(out.runId);
      const dev = await store.getPredictions(out.runId, "dev");
      expect(dev).toHaveLength(pooled);
      const train = await store.getPredictions(out.runId, "train");
      expect(new Set(dev.map((p) => p.exampleId))).toEqual(new Set(train.map((p) => p.exampleId)));
      const info = run.dataInfo as { splits: Record<string, string>; crossValidation: { k: number; pooled: number } };
      expect(info.crossValidation).toMatchObject({ k: 5, pooled });
      expect(info.splits["dev"]).toBe(info.splits["train"]);
      // the test split is the same examples as the holdout run's
      const holdoutInfo = (await store.getRun(holdout.runId)).dataInfo as { splits: Record<string, string> };
      expect(info.splits["test"]).toBe(holdoutInfo.splits["test"]);
      const cv = (run.extras as { crossValidation: { k: number; folds: Array<{ n: number }> } }).crossValidation;
      expect(cv.k).toBe(5);
      expect(cv.folds.reduce((a, f) => a + f.n, 0)).toBe(pooled);
      // dev accuracy is the pooled out-of-fold accuracy, recomputed here from the predictions
      const correct = dev.filter((p) => p.correct).length / dev.length;
      expect(out.metrics.dev!["accuracy"]).toBeCloseTo(correct, 12);
      // the same spec twice gives the same out-of-fold predictions (deterministic folds and fits)
      const again = await runExperiment({ spec: wineSpec({ cross_validate: 5 }), baseDir, store, cache: false });
      expect(again.metrics.dev).toEqual(out.metrics.dev);
    } finally {
      await store.close();
    }
  });

  it("refuses more folds than the rarest class has examples, before recording anything", async () => {
    const store = await openStore(join(tempDir("mlloop-cv-"), "mlloop.db"));
    try {
      const error = await runExperiment({ spec: wineSpec({ cross_validate: 60 }), baseDir, store, cache: false }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SpecError);
      expect((error as Error).message).toBe(
        'evaluate.cross_validate: 60 folds need at least 60 examples of each class in train + dev; class "class_2" has 38 (use at most 38 folds)',
      );
      expect(await store.listRuns({})).toHaveLength(0);
      expect(() => wineSpec({ cross_validate: 1 })).toThrow(/evaluate\.cross_validate/);
    } finally {
      await store.close();
    }
  });
});
