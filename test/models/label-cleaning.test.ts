/**
 * model.label_issues: drop — rows whose out-of-fold probabilities confidently point to another class
 * are left out of the final fit. On data with planted flipped labels, what it drops is mostly the
 * flipped rows; a class never falls below 2 rows; the model reloads to the same predictions.
 */
import { describe, expect, it } from "vitest";
import { csrFromDense } from "../../src/features/csr.js";
import { LabelCleaningClassifier } from "../../src/models/label-cleaning.js";
import { createModel, linearWeights, loadModel } from "../../src/models/registry.js";
import { modelSchema } from "../../src/spec/models.js";
import { createRng } from "../../src/util/random.js";

function planted(n: number, flip: number, seed: number) {
  const rng = createRng(seed);
  const d = 4;
  const dense = new Float64Array(n * d);
  const y = new Int32Array(n);
  const flipped = new Set<number>();
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) {
      const v = rng.next() * 4 - 2;
      dense[i * d + j] = v;
      z += (j + 1) * v;
    }
    y[i] = z > 0 ? 1 : 0;
    if (rng.next() < flip) {
      y[i] = 1 - y[i]!;
      flipped.add(i);
    }
  }
  return { X: csrFromDense(dense, n, d), y, flipped };
}

describe("label_issues: drop", () => {
  it("drops mostly the planted flipped labels, and reloads to the same predictions", () => {
    const { X, y, flipped } = planted(400, 0.1, 7);
    const spec = modelSchema.parse({ family: "logistic_regression", C: 1, label_issues: "drop" });
    const model = createModel(spec, 3);
    expect(model).toBeInstanceOf(LabelCleaningClassifier);
    const report = model.fit({ X, y, nClasses: 2 });
    const cleaning = model as LabelCleaningClassifier;
    expect(report.warnings[0]).toMatch(
      /^label_issues: drop left out \d+ of 400 training rows as likely label errors \(confident learning on 5-fold out-of-fold probabilities\)$/,
    );
    // what it left out: the same count in the warning and the model
    expect(report.warnings[0]).toContain(`left out ${cleaning.dropped} of 400`);
    expect(cleaning.dropped).toBeGreaterThan(10);
    // what it left out is mostly the flipped rows, and most flipped rows are left out
    const dropped = Array.from(cleaning.droppedRows);
    expect(dropped).toHaveLength(cleaning.dropped);
    const hits = dropped.filter((i) => flipped.has(i)).length;
    expect(hits / dropped.length).toBeGreaterThan(0.8);
    expect(hits / flipped.size).toBeGreaterThan(0.7);
    const p = model.predictProba(X);
    const again = loadModel(JSON.parse(JSON.stringify(model.serialize())));
    expect(Array.from(again.predictProba(X))).toEqual(Array.from(p));
    expect(linearWeights(again)).not.toBeNull();
  });

  it("keeps at least 2 rows of every class, and uses every row when a class has one", () => {
    const { X } = planted(40, 0, 8);
    const y = Int32Array.from({ length: 40 }, (_, i) => (i < 3 ? 1 : 0));
    const m = createModel(modelSchema.parse({ family: "naive_bayes", label_issues: "drop" }), 0);
    const absX = csrFromDense(
      Float64Array.from({ length: 160 }, (_, i) => Math.abs(X.data[i] ?? 0)),
      40,
      4,
    );
    m.fit({ X: absX, y, nClasses: 2 });
    expect((m as LabelCleaningClassifier).dropped).toBeLessThanOrEqual(1);
    const one = Int32Array.from({ length: 40 }, (_, i) => (i === 0 ? 1 : 0));
    const r = m.fit({ X: absX, y: one, nClasses: 2 });
    expect(r.warnings[0]).toBe("label_issues: drop used every row: a class has 1 training row, too few for folds");
  });
});
