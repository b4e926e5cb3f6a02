/**
 * Gaussian naive Bayes against scikit-learn's GaussianNB (test/reference/models_ref_gaussian_nb.py):
 * class means, smoothed variances, epsilon, priors and log probabilities on held-out rows of the
 * raw wine and digits columns, with and without sample weights; serialization round trip; a spec
 * run on wine.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { csrFromDense as fromFlat, type CsrMatrix } from "../../src/features/csr.js";
import { GaussianNb } from "../../src/models/gaussian-nb.js";
import { createModel, loadModel } from "../../src/models/registry.js";
import { modelSchema } from "../../src/spec/models.js";
import { ROOT } from "../cli/cli-helpers.js";

interface Case {
  name: string;
  path: string;
  label: string;
  columns: string[];
  train: number[];
  test: number[];
  sampleWeight: number[] | null;
  varSmoothing: number;
  theta: number[][];
  var: number[][];
  epsilon: number;
  classLogPrior: number[];
  logProbaTest: number[][];
}
const ref = JSON.parse(readFileSync(join(ROOT, "test/fixtures/models/gaussian-nb-reference.json"), "utf8")) as {
  cases: Case[];
};

function load(c: Case): { X: number[][]; y: number[] } {
  const [header, ...lines] = readFileSync(join(ROOT, c.path), "utf8").trim().split("\n");
  const names = header!.split(",");
  const labelAt = names.indexOf(c.label);
  const at = c.columns.map((col) => names.indexOf(col));
  const rows = lines.map((l) => l.split(","));
  const classes = [...new Set(rows.map((r) => r[labelAt]!))].sort();
  return { X: rows.map((r) => at.map((j) => Number(r[j]))), y: rows.map((r) => classes.indexOf(r[labelAt]!)) };
}

function csrFromDense(rows: number[][]): CsrMatrix {
  return fromFlat(rows.flat(), rows.length, rows[0]!.length);
}

/** Largest |a − b| / max(1, |b|) over two matrices (log probabilities reach −1e10 on digits). */
function maxRelErr(a: ArrayLike<number>, b: number[][]): number {
  const flat = b.flat();
  expect(a.length).toBe(flat.length);
  let worst = 0;
  flat.forEach((v, i) => (worst = Math.max(worst, Math.abs(a[i]! - v) / Math.max(1, Math.abs(v)))));
  return worst;
}

describe.each(ref.cases)("gaussian_nb on $name", (c) => {
  const { X, y } = load(c);
  const Xtrain = csrFromDense(c.train.map((i) => X[i]!));
  const ytrain = Int32Array.from(c.train, (i) => y[i]!);
  const Xtest = csrFromDense(c.test.map((i) => X[i]!));
  const nClasses = c.theta.length;
  const spec = modelSchema.parse({ family: "gaussian_nb", var_smoothing: c.varSmoothing });
  const model = createModel(spec, 0) as GaussianNb;
  model.fit({
    X: Xtrain,
    y: ytrain,
    nClasses,
    ...(c.sampleWeight ? { sampleWeight: Float64Array.from(c.sampleWeight) } : {}),
  });

  it("learns scikit-learn's means, variances, epsilon and priors", () => {
    expect(maxRelErr(model.theta, c.theta)).toBeLessThan(1e-12);
    expect(maxRelErr(model.variance, c.var)).toBeLessThan(1e-9);
    expect(Math.abs(model.epsilon - c.epsilon) / c.epsilon).toBeLessThan(1e-12);
    expect(maxRelErr(model.classLogPrior, [c.classLogPrior])).toBeLessThan(1e-12);
  });

  it("gives scikit-learn's log probabilities on held-out rows, and the same after a round trip", () => {
    const proba = model.predictProba(Xtest);
    const logProba = Array.from(proba, (p) => Math.log(p));
    // where a probability underflows to 0 both sides agree it is below e^-745; compare the rest
    const ours: number[] = [];
    const theirs: number[][] = [];
    c.logProbaTest.flat().forEach((v, i) => {
      if (v > -700) {
        ours.push(logProba[i]!);
        theirs.push([v]);
      } else expect(proba[i]).toBeLessThan(1e-300);
    });
    expect(ours.length).toBeGreaterThan(c.test.length * 0.9);
    expect(maxRelErr(ours, theirs)).toBeLessThan(1e-7);
    const back = loadModel(JSON.parse(JSON.stringify(model.serialize())) as never);
    expect(back.predictProba(Xtest)).toEqual(proba);
  });
});

describe("gaussian_nb", () => {
  it("scores the joint log likelihood from nonzeros only: a sparse and a dense zero give the same", () => {
    const m = new GaussianNb(modelSchema.parse({ family: "gaussian_nb" }) as never);
    const X = csrFromDense([
      [0, 1, 2],
      [1, 0, 3],
      [0, 0, 1],
      [2, 1, 0],
    ]);
    m.fit({ X, y: Int32Array.of(0, 1, 0, 1), nClasses: 2 });
    // by hand: class 0 rows (0,1,2) and (0,0,1): means (0, .5, 1.5), variances (0, .25, .25) + ε
    expect(Array.from(m.theta.subarray(0, 3))).toEqual([0, 0.5, 1.5]);
    expect(m.variance[1]! - m.epsilon).toBeCloseTo(0.25, 15);
    const jll = m.jointLogLikelihood(csrFromDense([[0, 1, 2]]));
    const v = Array.from(m.variance.subarray(0, 3));
    const direct =
      Math.log(0.5) -
      0.5 * [0, 1, 2].reduce((s, x, j) => s + Math.log(2 * Math.PI * v[j]!) + (x - m.theta[j]!) ** 2 / v[j]!, 0);
    expect(jll[0]).toBeCloseTo(direct, 9);
  });
});
