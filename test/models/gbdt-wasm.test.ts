import { afterEach, describe, expect, it } from "vitest";
import { csrFromDense, type CsrMatrix } from "../../src/features/csr.js";
import type { FitData, TrainingReport } from "../../src/models/estimator.js";
import { GradientBoosting } from "../../src/models/gradient-boosting.js";
import { binMatrix, fitBinEdges, type BinnedMatrix } from "../../src/models/histogram-binning.js";
import { kernelBackend } from "../../src/models/kernels/wasm-kernels.js";
import { WasmTreeGrower } from "../../src/models/kernels/gbdt-tree-wasm.js";
import { TreeGrower, treeGrower, type GrownTree } from "../../src/models/tree.js";
import { gradientBoostingParamsSchema } from "../../src/spec/models.js";
import { createRng } from "../../src/util/random.js";
import { gbdtLabels, gbdtRef, gbdtSampleWeight, gbdtX, gbdtXtest } from "./gbdt-fixture.js";
import { randomSparseProblem } from "./random-sparse.js";

// Gradient boosting's WebAssembly kernels (kernels/gbdt-tree.ts: the leaf-wise growth with its
// histograms, split search and partitions; kernels/gbdt-binning.ts: sorted columns, dense binning)
// against their JavaScript references (TreeGrower in tree.ts, histogram-binning.ts). Both take the
// same sums in the same order, so the trees must be the same bit for bit: these tests compare with
// toEqual, no tolerance. They need `npm run build` (the .wasm files): they fail, not skip, when it
// is missing.

const saved = process.env["MLLOOP_KERNELS"];
afterEach(() => {
  if (saved === undefined) delete process.env["MLLOOP_KERNELS"];
  else process.env["MLLOOP_KERNELS"] = saved;
});

function withBackend<T>(backend: "js" | "wasm", run: () => T): T {
  process.env["MLLOOP_KERNELS"] = backend;
  return run();
}

interface Fitted {
  model: GradientBoosting;
  report: TrainingReport;
}

function fitGbdt(
  backend: "js" | "wasm",
  params: Record<string, unknown>,
  data: FitData,
  layout: "auto" | "dense" | "sparse" = "auto",
): Fitted {
  return withBackend(backend, () => {
    const model = new GradientBoosting(
      gradientBoostingParamsSchema.parse({ family: "gradient_boosting", ...params }),
      7,
      layout,
    );
    return { model, report: model.fit(data) };
  });
}

/** Fits with both back ends and checks that trees, training curve and predictions are identical. */
function expectSameFits(
  params: Record<string, unknown>,
  data: FitData,
  Xtest: CsrMatrix,
  layout: "auto" | "dense" | "sparse" = "auto",
): Fitted {
  const js = fitGbdt("js", params, data, layout);
  const wasm = fitGbdt("wasm", params, data, layout);
  expect(wasm.model.serialize()).toEqual(js.model.serialize());
  expect(wasm.report).toEqual(js.report);
  expect(wasm.model.decisionFunction(Xtest)).toEqual(js.model.decisionFunction(Xtest));
  return js;
}

/**
 * Seeded tabular data: continuous, discrete and constant columns, negative values and ties. Every
 * cell is stored (explicit zeros, −0 among them) except column 7's zeros, which are implicit.
 */
function tabular(rows: number, seed: number, nClasses = 2): { X: CsrMatrix; y: Int32Array } {
  const rng = createRng(seed);
  const cols = 9;
  const dense = new Float64Array(rows * cols);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = dense.subarray(i * cols, (i + 1) * cols);
    r[0] = rng.normal();
    r[1] = rng.normal() * 100 - 50;
    r[2] = Math.floor(rng.next() * 4); // four values, zero among them
    r[3] = 0; // constant zero: one bin, never split
    r[4] = 2.5; // constant non-zero
    r[5] = rng.next() < 0.5 ? -0 : 0; // −0 and +0: one value
    r[6] = Math.round(rng.normal() * 3) / 2; // many ties
    r[7] = rng.next() < 0.9 ? 0 : rng.normal(); // mostly implicit zeros
    r[8] = rng.next() < 0.5 ? -1 : 1;
    const score = r[0]! + r[1]! / 40 + (r[2] === 3 ? 1.5 : 0) - r[6]! / 2 + r[8]! * 0.3 + rng.normal() * 0.7;
    y[i] = nClasses === 2 ? (score > 0 ? 1 : 0) : Math.min(nClasses - 1, Math.max(0, Math.floor(score + nClasses / 2)));
  }
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = dense[i * cols + j]!;
      if (j === 7 && v === 0) continue;
      indices.push(j);
      data.push(v);
    }
    indptr[i + 1] = indices.length;
  }
  return { X: { rows, cols, indptr, indices: Int32Array.from(indices), data: Float64Array.from(data) }, y };
}

describe("gradient boosting kernels", () => {
  it("are WebAssembly once built, and JavaScript when asked", () => {
    delete process.env["MLLOOP_KERNELS"];
    expect(kernelBackend("gbdt-tree")).toBe("wasm");
    expect(kernelBackend("gbdt-binning")).toBe("wasm");
    process.env["MLLOOP_KERNELS"] = "js";
    expect(kernelBackend("gbdt-tree")).toBe("js");
  });
});

describe("gradient boosting binning: WebAssembly = JavaScript, bit for bit", () => {
  function edgesAndBins(backend: "js" | "wasm", X: CsrMatrix, maxBins: number, rows: Int32Array | null) {
    return withBackend(backend, () => {
      const e = fitBinEdges(X, maxBins, rows);
      const b = binMatrix(X, e, rows, "gradient_boosting", "dense");
      return { offset: e.offset, thresholds: e.thresholds, bins: b.layout === "dense" ? b.bins : null };
    });
  }

  it("the same thresholds and bins on the reference fixture (max_bins 255 and 16) and on a row subset", () => {
    for (const maxBins of [255, 16]) {
      const js = edgesAndBins("js", gbdtX, maxBins, null);
      expect(edgesAndBins("wasm", gbdtX, maxBins, null)).toEqual(js);
      // And still sklearn's thresholds (test/models/gbdt.test.ts checks the JavaScript ones).
      const expected = maxBins === 255 ? gbdtRef.binThresholds : gbdtRef.binThresholds16;
      expected.forEach((t, f) => expect(Array.from(js.thresholds.subarray(js.offset[f], js.offset[f + 1]))).toEqual(t));
    }
    const rows = Int32Array.from({ length: 150 }, (_, k) => 2 * k + 1);
    expect(edgesAndBins("wasm", gbdtX, 255, rows)).toEqual(edgesAndBins("js", gbdtX, 255, rows));
  });

  it("signed zeros, negative values, ties, constant and mostly-zero columns", () => {
    const { X } = tabular(3000, 11);
    for (const maxBins of [255, 7, 2]) {
      const js = edgesAndBins("js", X, maxBins, null);
      const wasm = edgesAndBins("wasm", X, maxBins, null);
      expect(wasm).toEqual(js);
      // Object.is: −0 and +0 thresholds would compare equal with toEqual's number rules.
      js.thresholds.forEach((t, k) => expect(Object.is(wasm.thresholds[k], t)).toBe(true));
    }
    // A column of −0 and +0 is one value: no threshold.
    const e = withBackend("wasm", () => fitBinEdges(X, 255));
    expect(e.offset[6]! - e.offset[5]!).toBe(0);
  });

  it("more distinct values than bins: quantile thresholds, and values exactly at a threshold", () => {
    const rng = createRng(3);
    // Integers with repeats (percentile thresholds land on data values) and a continuous column.
    const n = 5000;
    const dense = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      dense[2 * i] = Math.floor(rng.next() * 600) - 100;
      dense[2 * i + 1] = rng.next() < 0.3 ? 0 : rng.normal() * 1e3;
    }
    const X = csrFromDense(dense, n, 2);
    for (const maxBins of [255, 64]) {
      expect(edgesAndBins("wasm", X, maxBins, null)).toEqual(edgesAndBins("js", X, maxBins, null));
    }
    // Rows whose values are the thresholds themselves and their neighbours: x ≤ t goes left.
    const e = withBackend("js", () => fitBinEdges(X, 255));
    const probe: number[] = [];
    for (let f = 0; f < 2; f++) {
      for (let k = e.offset[f]!; k < e.offset[f + 1]!; k++) {
        const t = e.thresholds[k]!;
        for (const v of [t, t - Math.abs(t) * 1e-15 - 1e-300, t + Math.abs(t) * 1e-15 + 1e-300])
          probe.push(...(f === 0 ? [v, 0] : [0, v]));
      }
    }
    const P = csrFromDense(probe, probe.length / 2, 2);
    const bins = (backend: "js" | "wasm"): BinnedMatrix =>
      withBackend(backend, () => binMatrix(P, e, null, "gradient_boosting", "dense"));
    const js = bins("js");
    expect(bins("wasm")).toEqual(js);
    expect(js.layout === "dense" && js.bins[0]).toBe(0);
    expect(js.layout === "dense" && js.bins[4]).toBe(1);
  });
});

describe("gradient boosting trees: WebAssembly = JavaScript, bit for bit", () => {
  it("every case of the scikit-learn fixture (binary, three classes, weights, depth, l2, max_bins)", () => {
    for (const c of gbdtRef.cases) {
      const data: FitData = {
        X: gbdtX,
        y: gbdtLabels[c.y],
        nClasses: c.y === "y2" ? 2 : 3,
        sampleWeight: c.sampleWeight ? gbdtSampleWeight : undefined,
      };
      expectSameFits({ ...c.params, early_stopping: false }, data, gbdtXtest);
    }
  });

  it("binary and multiclass tabular data with constant features, signed zeros and ties", () => {
    for (const K of [2, 4]) {
      const { X, y } = tabular(4000, 20 + K, K);
      const { X: Xtest } = tabular(500, 40 + K, K);
      const fit = expectSameFits({ max_iter: 30, early_stopping: false }, { X, y, nClasses: K }, Xtest);
      // The constant columns (3, 4, 5) are never split on.
      for (const f of fit.model.nodeFeature) expect([3, 4, 5]).not.toContain(f);
      expect(fit.model.rounds).toBe(30);
    }
  });

  it("early stopping on a held-out split and on dev rows, and row subsampling", () => {
    const { X, y } = tabular(3000, 5);
    const { X: Xdev, y: ydev } = tabular(600, 6);
    const held = expectSameFits(
      { max_iter: 200, early_stopping: true, n_iter_no_change: 3 },
      { X, y, nClasses: 2 },
      Xdev,
    );
    expect(held.report.iterations).toBeLessThan(200);
    expectSameFits({ max_iter: 40, early_stopping: true }, { X, y, nClasses: 2, dev: { X: Xdev, y: ydev } }, Xdev);
    expectSameFits({ max_iter: 20, subsample: 0.6, early_stopping: false }, { X, y, nClasses: 2 }, Xdev);
  });

  it("min_samples_leaf, max_depth, max_leaf_nodes and l2 limits", () => {
    const { X, y } = tabular(2500, 9);
    for (const params of [
      { min_samples_leaf: 1, max_leaf_nodes: 63 },
      { min_samples_leaf: 300, max_leaf_nodes: 31 },
      { min_samples_leaf: 1300 }, // more than half the rows: every tree is one leaf
      { max_depth: 1 },
      { max_depth: 3, max_leaf_nodes: null, l2_regularization: 5 },
      { max_leaf_nodes: null, min_samples_leaf: 15 }, // no leaf or depth limit: min_samples_leaf stops growth
    ]) {
      const fit = expectSameFits({ max_iter: 8, early_stopping: false, ...params }, { X, y, nClasses: 2 }, X);
      if (params.min_samples_leaf === 1300) expect(Array.from(fit.model.nodeFeature)).toEqual(new Array(8).fill(-1));
    }
  });

  it("the sparse layout (text-like input): the same trees from both back ends", () => {
    const { X, y } = randomSparseProblem(800, 300, 10, 3, 4);
    const { X: Xtest } = randomSparseProblem(200, 300, 10, 3, 5);
    expect(binMatrix(X, fitBinEdges(X, 255)).layout).toBe("sparse");
    expectSameFits({ max_iter: 15, min_samples_leaf: 5, early_stopping: false }, { X, y, nClasses: 3 }, Xtest);
    const { X: T, y: ty } = tabular(1500, 2);
    expectSameFits({ max_iter: 10, early_stopping: false }, { X: T, y: ty, nClasses: 2 }, T, "sparse");
  });

  it("a pooled instance reused by a smaller fit after a larger one grows the same trees", () => {
    const big = tabular(6000, 31);
    const small = tabular(700, 32);
    fitGbdt("wasm", { max_iter: 5, early_stopping: false }, { ...big, nClasses: 2 });
    expectSameFits({ max_iter: 10, early_stopping: false }, { ...small, nClasses: 2 }, small.X);
  });

  it("the grower: same trees and leaf row ranges on random gradients, each leaf ≥ min_samples_leaf rows", () => {
    const { X } = tabular(3000, 13);
    const binned: BinnedMatrix = binMatrix(X, fitBinEdges(X, 255));
    const rng = createRng(17);
    const g = Float64Array.from({ length: X.rows }, () => rng.normal());
    const h = Float64Array.from({ length: X.rows }, () => 0.05 + rng.next());
    for (const minSamplesLeaf of [1, 20, 250]) {
      const grow = (backend: "js" | "wasm"): { grown: GrownTree; rows: Int32Array } => {
        const grower = treeGrower(
          binned,
          {
            maxLeafNodes: 40,
            maxDepth: null,
            minSamplesLeaf,
            l2Regularization: 0.5,
            minHessianToSplit: 1e-3,
            shrinkage: 0.1,
          },
          backend,
        );
        expect(grower).toBeInstanceOf(backend === "wasm" ? WasmTreeGrower : TreeGrower);
        // Every other row, as a subsampled round grows on.
        const rows = Int32Array.from({ length: X.rows }, (_, i) => i);
        const nRows = X.rows >> 1;
        rows.set(Int32Array.from({ length: nRows }, (_, k) => 2 * k));
        const grown = grower.grow(g, h, rows, nRows);
        grower.close();
        return { grown, rows };
      };
      const js = grow("js");
      const wasm = grow("wasm");
      expect(wasm).toEqual(js);
      const { leafStart, leafEnd } = js.grown;
      expect(leafStart.length).toBeGreaterThan(1);
      for (let l = 0; l < leafStart.length; l++)
        expect(leafEnd[l]! - leafStart[l]!).toBeGreaterThanOrEqual(minSamplesLeaf);
    }
  });

  it("missing values are refused before any kernel runs, with the same message from both back ends", () => {
    const { X, y } = tabular(200, 1);
    const bad: CsrMatrix = { ...X, data: X.data.map((v, k) => (k === 17 ? NaN : v)) };
    const message = (backend: "js" | "wasm"): string => {
      try {
        fitGbdt(backend, { max_iter: 2 }, { X: bad, y, nClasses: 2 });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(message("wasm")).toBe(message("js"));
    expect(message("js")).toMatch(/NaN/);
  });
});
