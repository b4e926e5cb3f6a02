/**
 * model.calibration against scikit-learn 1.2's CalibratedClassifierCV(base, method, cv=5): the same
 * stratified folds, and the same calibrated probabilities on held-out rows for naive Bayes
 * (calibrated on its probabilities) and logistic regression (on its decision function), binary and
 * 3-class, sigmoid and isotonic. Data and expectations: test/fixtures/models/calibration.json,
 * written by test/reference/calibration_ref.py.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { csrFromDense } from "../../src/features/csr.js";
import { fitIsotonic, predictIsotonic } from "../../src/models/calibrated.js";
import { createModel, loadModel } from "../../src/models/registry.js";
import { modelSchema } from "../../src/spec/models.js";
import { stratifiedKFold } from "../../src/util/stratified-kfold.js";

interface Fixture {
  sklearn: string;
  X: number[][];
  Xtest: number[][];
  y2: number[];
  y3: number[];
  folds: { y2: number[]; y3: number[] };
  cases: Array<{
    name: string;
    model: Record<string, unknown>;
    y: "y2" | "y3";
    method: "sigmoid" | "isotonic";
    probaTest: number[][];
  }>;
}

const fx = JSON.parse(readFileSync(new URL("../fixtures/models/calibration.json", import.meta.url), "utf8")) as Fixture;
const dense = (rows: number[][]) => csrFromDense(rows.flat(), rows.length, rows[0]!.length);
const X = dense(fx.X);
const Xtest = dense(fx.Xtest);

describe("calibration (sklearn CalibratedClassifierCV, cv=5)", () => {
  it("assigns the folds of sklearn's StratifiedKFold(5)", () => {
    expect(fx.sklearn).toBe("1.2.1");
    for (const y of ["y2", "y3"] as const) {
      expect(Array.from(stratifiedKFold(Int32Array.from(fx[y]), 5))).toEqual(fx.folds[y]);
    }
  });

  it.each(fx.cases)("$name: held-out probabilities match to 1e-6", (c) => {
    const y = Int32Array.from(fx[c.y]);
    const nClasses = c.y === "y2" ? 2 : 3;
    const spec = modelSchema.parse({ ...c.model, calibration: c.method });
    const model = createModel(spec, 0);
    model.fit({ X, y, nClasses });
    const proba = model.predictProba(Xtest);
    const expected = c.probaTest.flat();
    expect(proba.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(proba[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-6);
    // and the model reloads to the same probabilities
    const again = loadModel(JSON.parse(JSON.stringify(model.serialize())));
    expect(Array.from(again.predictProba(Xtest))).toEqual(Array.from(proba));
  });

  it("isotonic regression pools violators and interpolates between breakpoints, clipped at the ends", () => {
    // worked by hand: scores 1,2,3,4 with targets 1,0,0,1 → pooled means 1/3,1/3,1/3,1
    const fit = fitIsotonic(Float64Array.of(3, 1, 4, 2), Float64Array.of(0, 1, 1, 0));
    expect(Array.from(fit.y)).toEqual([1 / 3, 1 / 3, 1 / 3, 1]);
    expect(predictIsotonic(fit, 3.5)).toBeCloseTo(2 / 3, 12);
    expect(predictIsotonic(fit, -10)).toBe(1 / 3);
    expect(predictIsotonic(fit, 10)).toBe(1);
  });

  it("calibration none is the family itself; a class with one row is a clear error", () => {
    const y = Int32Array.from(fx.y2);
    const plain = createModel(modelSchema.parse({ family: "naive_bayes" }), 0);
    const none = createModel(modelSchema.parse({ family: "naive_bayes", calibration: "none" }), 0);
    plain.fit({ X, y, nClasses: 2 });
    none.fit({ X, y, nClasses: 2 });
    expect(Array.from(none.predictProba(Xtest))).toEqual(Array.from(plain.predictProba(Xtest)));
    const one = Int32Array.from(fx.y2, (_, i) => (i === 0 ? 1 : 0));
    const m = createModel(modelSchema.parse({ family: "naive_bayes", calibration: "sigmoid" }), 0);
    expect(() => m.fit({ X, y: one, nClasses: 2 })).toThrow(/a class has 1 training row; calibration needs at least 2/);
  });
});
