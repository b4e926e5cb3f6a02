/**
 * Drift in `mlloop predict` is the diagnosis's measure (familyDrift, src/diagnose/data-checks.ts)
 * computed from the stored training profile instead of the training matrix: checked here against
 * familyDrift itself on the same matrices, on a hand-worked two-column case, and on a real shift.
 */
import { describe, expect, it } from "vitest";
import { familyDrift } from "../../src/diagnose/data-checks.js";
import type { CsrMatrix } from "../../src/features/csr.js";
import { fitTransformFeatures } from "../../src/features/pipeline.js";
import { trainProfile } from "../../src/features/train-profile.js";
import { driftReport } from "../../src/predict/drift.js";
import { parseSpec } from "../../src/spec/load.js";
import { syntheticCorpus } from "../diagnose/helpers.js";

function dense(rows: number[][]): CsrMatrix {
  const indptr = [0];
  const indices: number[] = [];
  const data: number[] = [];
  for (const r of rows) {
    r.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        data.push(v);
      }
    });
    indptr.push(indices.length);
  }
  return {
    rows: rows.length,
    cols: rows[0]!.length,
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(indices),
    data: Float64Array.from(data),
  };
}

describe("drift against a training profile", () => {
  it("equals the diagnosis's familyDrift on the same matrices, family by family", () => {
    const corpus = syntheticCorpus({
      n: 600,
      seed: 4,
      noiseWords: 5,
      noiseVocab: 300,
      extra: (i) => ({ categorical: { c: ["a", "b", "c"][i % 3]! } }),
    });
    const spec = parseSpec({
      experiment: "x",
      data: { source: "csv", path: "unused.csv", columns: { label: "label", text: ["body"], categorical: ["c"] } },
      features: { words: { fields: ["body"] }, categorical: { columns: ["c"] } },
      model: { family: "logistic_regression" },
      evaluate: { positive_class: "spam" },
    });
    const train = corpus.slice(0, 400);
    // a shifted "new" set: more spam-like documents and only one category
    const shifted = corpus.slice(400).map((e) => ({ ...e, categorical: { c: "a" } }));
    const { features, train: Xtrain } = fitTransformFeatures(spec.features, train);
    const Xnew = features.transform(shifted);
    const families = features.families.map((f) => ({ name: f.name, nFeatures: f.nFeatures }));
    const reference = familyDrift({ train: Xtrain, dev: Xnew, names: features.featureNames, families });
    const report = driftReport(trainProfile(Xtrain, families), Xnew, features.featureNames);
    expect(report.families.map((f) => f.family)).toEqual(["words", "categorical"]);
    // the profile keeps 7 significant digits, so agreement is to about that
    report.families.forEach((f, k) => {
      expect(f.jensenShannon).toBeCloseTo(reference[k]!.jensenShannon, 6);
      expect(f.topColumns.map((c) => c.name)).toEqual(reference[k]!.topColumns.slice(0, 5).map((c) => c.name));
      f.topColumns.forEach((c, i) => expect(c.shift).toBeCloseTo(reference[k]!.topColumns[i]!.shift, 4));
    });
    // every new example in one category of three: flagged; no dev reference recorded here
    expect(report.families[1]!.jensenShannon).toBeGreaterThan(0.1);
    expect(report.families[1]!.drifted).toBe(true);
  });

  it("a hand-worked case: train mass (½, ½) against new mass (1, 0)", () => {
    // p = (0.5, 0.5), q = (1, 0), m = (0.75, 0.25):
    // JS = ½[0.5·log2(0.5/0.75) + 0.5·log2(0.5/0.25)] + ½[1·log2(1/0.75)] = 0.311278…
    const train = dense([
      [1, 0],
      [0, 1],
    ]);
    const now = dense([
      [2, 0],
      [1, 0],
    ]);
    // dev = train reads 0; no dev at all: no same-source reference, so JS ≥ 0.1 alone flags
    expect(trainProfile(train, [{ name: "f", nFeatures: 2 }], train).families[0]!.devJensenShannon).toBe(0);
    const profile = trainProfile(train, [{ name: "f", nFeatures: 2 }]);
    const report = driftReport(profile, now, ["f:a", "f:b"]);
    const expected = 0.5 * (0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(0.5 / 0.25)) + 0.5 * Math.log2(1 / 0.75);
    expect(report.families[0]!.jensenShannon).toBeCloseTo(expected, 14);
    expect(report.families[0]!.jensenShannon).toBeCloseTo(0.311278124459133, 12);
    expect(report.families[0]!.reference).toBeNull();
    expect(report.families[0]!.drifted).toBe(true);
  });
});
