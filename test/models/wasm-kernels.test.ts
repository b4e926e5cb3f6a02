import { afterEach, describe, expect, it } from "vitest";
import type { CsrMatrix } from "../../src/features/csr.js";
import { tronBinaryLogisticWasm } from "../../src/models/kernels/logistic-tron-wasm.js";
import { JsSparseProducts, WasmSparseProducts } from "../../src/models/kernels/sparse-products.js";
import { kernelBackend, WasmArena, warmKernels } from "../../src/models/kernels/wasm-kernels.js";
import type { TrainingReport } from "../../src/models/estimator.js";
import { dualCoordinateDescentJs, type DualCdResult } from "../../src/models/linear-svm.js";
import { dualCoordinateDescentWasm } from "../../src/models/kernels/linear-svm-wasm.js";
import { BinaryLogisticObjective } from "../../src/models/logistic-objectives.js";
import { LogisticRegression } from "../../src/models/logistic-regression.js";
import { tron } from "../../src/models/optim/tron.js";
import { NaiveBayes } from "../../src/models/naive-bayes.js";
import { firstNonFiniteJs } from "../../src/models/check-input.js";
import { firstNonFiniteWasm } from "../../src/models/kernels/value-checks-wasm.js";
import { SgdClassifier } from "../../src/models/sgd.js";
import { logisticRegressionParamsSchema, naiveBayesParamsSchema, sgdParamsSchema } from "../../src/spec/models.js";
import { createRng } from "../../src/util/random.js";
import { randomSparseProblem } from "./random-sparse.js";

// The WebAssembly kernels (kernels/*.ts, built by npm run build into dist/kernels/) against their
// JavaScript references. These tests need the build: they fail, not skip, when it is missing.

const saved = process.env["MLLOOP_KERNELS"];
afterEach(() => {
  if (saved === undefined) delete process.env["MLLOOP_KERNELS"];
  else process.env["MLLOOP_KERNELS"] = saved;
});

function randomVector(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return scale === 0 ? m : m / scale;
}

describe("kernel back end", () => {
  it("is WebAssembly once built, JavaScript when asked, and refuses unknown names", () => {
    delete process.env["MLLOOP_KERNELS"];
    expect(kernelBackend()).toBe("wasm");
    process.env["MLLOOP_KERNELS"] = "js";
    expect(kernelBackend()).toBe("js");
    process.env["MLLOOP_KERNELS"] = "gpu";
    expect(() => kernelBackend()).toThrow(/MLLOOP_KERNELS="gpu" is not a kernel back end \(allowed: js, wasm\)/);
  });

  it("compiles the modules ahead of the first fit once, however often it is asked", async () => {
    const first = warmKernels();
    expect(warmKernels()).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });

  it("falls back to JavaScript for a module the build does not have, unless wasm is asked for", () => {
    delete process.env["MLLOOP_KERNELS"];
    for (const name of [
      "sparse-linear",
      "logistic-tron",
      "linear-svm-dcd",
      "sgd-epochs",
      "naive-bayes",
      "value-checks",
    ]) {
      expect(kernelBackend(name)).toBe("wasm");
    }
    expect(kernelBackend("not-a-kernel")).toBe("js");
    process.env["MLLOOP_KERNELS"] = "wasm";
    expect(() => kernelBackend("not-a-kernel")).toThrow(/dist\/kernels\/not-a-kernel\.wasm is not built/);
  });
});

describe("sparse products: WebAssembly is bit-identical to the JavaScript reference", () => {
  const shapes: Array<[number, number, number]> = [
    [300, 2000, 30],
    [1, 5, 3],
    [50, 12, 4],
  ];
  for (const [rows, cols, nnz] of shapes) {
    it(`${rows} × ${cols}, ~${nnz} nonzeros a row`, () => {
      const { X } = randomSparseProblem(rows, cols, nnz, 2, rows + cols);
      const js = new JsSparseProducts(X);
      const wasm = new WasmSparseProducts(X);
      const w = randomVector(cols, 1);
      const t = randomVector(rows, 2);
      const D = randomVector(rows, 3).map(Math.abs);
      const a = new Float64Array(rows);
      const b = new Float64Array(rows);
      js.timesVector(w, 0.25, a);
      wasm.timesVector(w, 0.25, b);
      expect(b).toEqual(a);
      const oa = new Float64Array(cols);
      const ob = new Float64Array(cols);
      js.transposeTimes(t, w, 0.7, oa);
      wasm.transposeTimes(t, w, 0.7, ob);
      expect(ob).toEqual(oa);
      const ga = new Float64Array(cols);
      const gb = new Float64Array(cols);
      const da = new Float64Array(cols);
      const db = new Float64Array(cols);
      js.gradientAndDiagonal(t, D, w, 1, ga, da);
      wasm.gradientAndDiagonal(t, D, w, 1, gb, db);
      expect(gb).toEqual(ga);
      expect(db).toEqual(da);
    });
  }
});

function binaryProblem(X: CsrMatrix, y: Int32Array, C: number): { ySign: Float64Array; c: Float64Array } {
  return {
    ySign: Float64Array.from(y, (v) => (v === 1 ? 1 : -1)),
    c: Float64Array.from(y, (v) => C * (v === 1 ? 1.5 : 1)),
  };
}

describe("binary logistic TRON in WebAssembly vs optim/tron.ts on BinaryLogisticObjective", () => {
  // Differences are rounding only (row-wise scatter for Xᵀ products, musl exp/log1p): the stated
  // tolerance is 1e-12 relative on the objective and 1e-8 relative on the coefficients.
  for (const [rows, cols, nnz, C, fitIntercept, tol] of [
    [400, 3000, 40, 1, true, 1e-4],
    [400, 3000, 40, 10, false, 1e-8],
    [120, 40, 8, 0.1, true, 1e-10],
  ] as Array<[number, number, number, number, boolean, number]>) {
    it(`${rows} × ${cols}, C=${C}, intercept ${fitIntercept}, tol ${tol}`, () => {
      const { X, y } = randomSparseProblem(rows, cols, nnz, 2, rows * 7 + cols);
      const { ySign, c } = binaryProblem(X, y, C);
      process.env["MLLOOP_KERNELS"] = "js";
      const obj = new BinaryLogisticObjective(X, ySign, c, fitIntercept, 1);
      const wJs = new Float64Array(obj.size);
      const jsSteps: Array<[number, number]> = [];
      const ref = tron(obj, wJs, { tol, maxIter: 100, onIteration: (k, f) => jsSteps.push([k, f]) });
      const wWasm = new Float64Array(obj.size);
      const wasmSteps: Array<[number, number]> = [];
      const losses: number[] = [];
      const got = tronBinaryLogisticWasm(
        { X, ySign, c, fitIntercept, l2: 1 },
        wWasm,
        { tol, maxIter: 100, onIteration: (k, f) => wasmSteps.push([k, f]) },
        (m) => losses.push(m),
      );
      expect(got.converged).toBe(true);
      expect(got.iterations).toBe(ref.iterations);
      expect(got.innerSteps).toBe(ref.innerSteps);
      expect(Math.abs(got.f - ref.f) / ref.f).toBeLessThan(1e-12);
      expect(maxRelDiff(wWasm, wJs)).toBeLessThan(1e-8);
      expect(wasmSteps.map(([k]) => k)).toEqual(jsSteps.map(([k]) => k));
      expect(got.fCurve.length).toBe(ref.fCurve.length);
      expect(losses.length).toBe(wasmSteps.length);
      expect(got.warnings).toEqual(ref.warnings);
    });
  }

  it("reports a non-finite start with the reference's warning", () => {
    const { X, y } = randomSparseProblem(30, 20, 5, 2, 3);
    const huge: CsrMatrix = { ...X, data: X.data.map((v) => v * 1e300) };
    const { ySign, c } = binaryProblem(huge, y, 1);
    process.env["MLLOOP_KERNELS"] = "js";
    const ref = tron(new BinaryLogisticObjective(huge, ySign, c, true), new Float64Array(21), {
      tol: 1e-4,
      maxIter: 10,
    });
    const got = tronBinaryLogisticWasm({ X: huge, ySign, c, fitIntercept: true, l2: 1 }, new Float64Array(21), {
      tol: 1e-4,
      maxIter: 10,
    });
    expect(got.converged).toBe(false);
    expect(got.warnings).toEqual(ref.warnings);
  });

  it("warns like the reference when max_iter stops it", () => {
    const { X, y } = randomSparseProblem(200, 500, 20, 2, 5);
    const { ySign, c } = binaryProblem(X, y, 100);
    process.env["MLLOOP_KERNELS"] = "js";
    const ref = tron(new BinaryLogisticObjective(X, ySign, c, true), new Float64Array(501), { tol: 1e-10, maxIter: 1 });
    const got = tronBinaryLogisticWasm({ X, ySign, c, fitIntercept: true, l2: 1 }, new Float64Array(501), {
      tol: 1e-10,
      maxIter: 1,
    });
    expect(ref.converged).toBe(false);
    expect(got.converged).toBe(false);
    expect(got.iterations).toBe(1);
    expect(got.warnings.length).toBe(1);
    expect(got.warnings[0]).toMatch(/^did not converge in 1 iterations/);
    expect(ref.warnings[0]).toMatch(/^did not converge in 1 iterations/);
  });
});

describe("LogisticRegression's one-vs-rest problems share one copy of X in the module", () => {
  it("each class's weights equal a binary fit on a copy of its own, bit for bit", () => {
    process.env["MLLOOP_KERNELS"] = "wasm";
    const { X, y } = randomSparseProblem(250, 600, 20, 3, 19);
    const params = logisticRegressionParamsSchema.parse({ family: "logistic_regression", C: 3, multi_class: "ovr" });
    const m = new LogisticRegression(params);
    m.fit({ X, y, nClasses: 3 });
    for (let k = 0; k < 3; k++) {
      const ySign = Float64Array.from(y, (v) => (v === k ? 1 : -1));
      const c = new Float64Array(X.rows).fill(3);
      const w = new Float64Array(X.cols + 1);
      tronBinaryLogisticWasm({ X, ySign, c, fitIntercept: true, l2: 1 }, w, {
        tol: params.tol,
        maxIter: params.max_iter,
      });
      expect(m.coef.subarray(k * X.cols, (k + 1) * X.cols)).toEqual(w.subarray(0, X.cols));
      expect(m.intercept[k]).toBe(w[X.cols]);
    }
  });

  it("checks X's values on that copy, with the reference's messages, before the class weights", () => {
    const { X, y } = randomSparseProblem(120, 300, 10, 3, 8);
    const message = (backend: string, extra: Record<string, unknown>, k: number, value: number): string => {
      process.env["MLLOOP_KERNELS"] = backend;
      const data = Float64Array.from(X.data);
      data[k] = value;
      const params = logisticRegressionParamsSchema.parse({ family: "logistic_regression", ...extra });
      try {
        new LogisticRegression(params).fit({ X: { ...X, data }, y, nClasses: 3 });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    for (const extra of [{ multi_class: "ovr" }, { multi_class: "ovr", class_weight: { "7": 2 } }]) {
      for (const [k, value] of [
        [0, NaN],
        [X.indptr[60]! + 1, Infinity],
        [X.indptr[120]! - 1, -Infinity],
      ] as Array<[number, number]>) {
        const js = message("js", extra, k, value);
        expect(js).toMatch(/non-finite value/);
        expect(message("wasm", extra, k, value)).toBe(js);
      }
    }
  });
});

describe("LogisticRegression gives the same model on either back end", () => {
  for (const [nClasses, multi] of [
    [2, "ovr"],
    [3, "ovr"],
  ] as Array<[number, string]>) {
    it(`${nClasses} classes, multi_class ${multi}`, () => {
      const { X, y } = randomSparseProblem(300, 800, 25, nClasses, 11 + nClasses);
      const params = logisticRegressionParamsSchema.parse({ family: "logistic_regression", C: 2, multi_class: multi });
      const fit = (backend: string): LogisticRegression => {
        process.env["MLLOOP_KERNELS"] = backend;
        const m = new LogisticRegression(params);
        const report = m.fit({ X, y, nClasses });
        expect(report.converged).toBe(true);
        return m;
      };
      const js = fit("js");
      const wasm = fit("wasm");
      expect(maxRelDiff(wasm.coef, js.coef)).toBeLessThan(1e-8);
      expect(maxRelDiff(wasm.predictProba(X), js.predictProba(X))).toBeLessThan(1e-8);
    });
  }
});

describe("linear SVM dual coordinate descent: WebAssembly epochs are bit-identical to the JavaScript reference", () => {
  for (const [loss, bias, C, tol] of [
    ["squared_hinge", 1, 1, 1e-4],
    ["hinge", 1, 10, 1e-6],
    ["squared_hinge", 0, 0.1, 1e-8],
  ] as Array<["hinge" | "squared_hinge", number, number, number]>) {
    it(`${loss}, bias ${bias}, C=${C}, tol ${tol}`, () => {
      const { X, y } = randomSparseProblem(400, 3000, 40, 2, 17);
      const { ySign, c } = binaryProblem(X, y, C);
      c[5] = 0; // a row with no weight takes no part
      const js = dualCoordinateDescentJs(X, ySign, c, loss, bias, tol, 1000, createRng(3));
      const wasm = dualCoordinateDescentWasm(X, ySign, c, loss, bias, tol, 1000, createRng(3));
      expect(wasm.iterations).toBe(js.iterations);
      expect(wasm.converged).toBe(js.converged);
      expect(wasm.violation).toBe(js.violation);
      expect(wasm.primal).toBe(js.primal);
      expect(wasm.curve).toEqual(js.curve);
      expect(wasm.w).toEqual(js.w);
      // Without the objective report (calibration folds): the same weights, no passes for the curve.
      for (const run of [dualCoordinateDescentJs, dualCoordinateDescentWasm]) {
        const bare = run(X, ySign, c, loss, bias, tol, 1000, createRng(3), "none");
        expect(bare.w).toEqual(js.w);
        expect(bare.iterations).toBe(js.iterations);
        expect(bare.curve).toEqual([]);
        expect(bare.primal).toBeNaN();
      }
    });
  }
});

describe("linear SVM training curve: objectives batched from copies of w equal the reference's at every stopping point", () => {
  // The module evaluates up to four checkpoints' objectives in one pass over X: stop after each
  // count of epochs around the batch edges (a full batch, a last checkpoint that is the end, a
  // lone end) and compare the curve value for value.
  it("max_iter 1 … 9 and 17", () => {
    const { X, y } = randomSparseProblem(300, 2000, 30, 2, 23);
    const { ySign, c } = binaryProblem(X, y, 10);
    for (const maxIter of [1, 2, 3, 4, 5, 6, 8, 9, 17]) {
      for (const loss of ["hinge", "squared_hinge"] as const) {
        const js = dualCoordinateDescentJs(X, ySign, c, loss, 1, 1e-12, maxIter, createRng(5));
        const wasm = dualCoordinateDescentWasm(X, ySign, c, loss, 1, 1e-12, maxIter, createRng(5));
        expect(js.iterations).toBe(maxIter);
        expect(wasm.curve).toEqual(js.curve);
        expect(wasm.primal).toBe(js.primal);
        expect(wasm.w).toEqual(js.w);
      }
    }
  });
});

describe("SGD: WebAssembly epochs agree with the JavaScript reference to rounding", () => {
  // The epochs do the same operations in the same order; only exp/log1p/pow differ (musl in the
  // module, fdlibm in V8), so the stated tolerance is 1e-9 relative on coefficients and
  // probabilities, with the same number of epochs. Hinge and modified Huber use no transcendental
  // function with the default schedule and must be bit-identical.
  const cases: Array<[string, Record<string, unknown>, number, boolean]> = [
    ["log loss, optimal schedule", { loss: "log_loss" }, 2, false],
    ["hinge with Platt folds, 3 classes", { loss: "hinge" }, 3, true],
    ["modified Huber, averaged", { loss: "modified_huber", average: true }, 2, true],
    ["modified Huber, 3 classes sharing one copy of X", { loss: "modified_huber" }, 3, true],
    [
      "log loss, averaged from update 500, invscaling",
      { loss: "log_loss", average: 500, learning_rate: "invscaling", eta0: 0.5 },
      2,
      false,
    ],
    [
      "hinge, early stopping on a validation fraction",
      { loss: "hinge", early_stopping: true, n_iter_no_change: 3 },
      2,
      true,
    ],
    [
      "constant schedule, no intercept, 4 classes",
      { loss: "log_loss", learning_rate: "constant", eta0: 0.05, fit_intercept: false },
      4,
      false,
    ],
  ];
  for (const [name, extra, nClasses, identical] of cases) {
    it(name, () => {
      const { X, y } = randomSparseProblem(350, 2000, 30, nClasses, 23 + nClasses);
      const sampleWeight = Float64Array.from({ length: X.rows }, (_, i) => 0.5 + (i % 3) * 0.5);
      const params = sgdParamsSchema.parse({ family: "sgd", ...extra });
      const fit = (backend: string): { m: SgdClassifier; report: TrainingReport } => {
        process.env["MLLOOP_KERNELS"] = backend;
        const m = new SgdClassifier(params, 5);
        const report = m.fit({ X, y, nClasses, sampleWeight });
        return { m, report };
      };
      const js = fit("js");
      const wasm = fit("wasm");
      // A second WebAssembly fit reuses the pooled instance: the same model again.
      const again = fit("wasm");
      expect(again.m.coef).toEqual(wasm.m.coef);
      expect(wasm.report.iterations).toBe(js.report.iterations);
      if (identical) {
        expect(wasm.m.coef).toEqual(js.m.coef);
        expect(wasm.m.intercept).toEqual(js.m.intercept);
        expect(wasm.report.curve).toEqual(js.report.curve);
      } else {
        expect(maxRelDiff(wasm.m.coef, js.m.coef)).toBeLessThan(1e-9);
        expect(maxRelDiff(wasm.m.intercept, js.m.intercept)).toBeLessThan(1e-9);
        expect(Math.abs(wasm.report.finalLoss - js.report.finalLoss)).toBeLessThan(1e-9 * js.report.finalLoss);
      }
      expect(maxRelDiff(wasm.m.predictProba(X), js.m.predictProba(X))).toBeLessThan(1e-9);
    });
  }
});

describe("SGD checks X on the module's copy", () => {
  it("with the reference's message and before a bad class weight, as checkFitData did", () => {
    const { X, y } = randomSparseProblem(120, 300, 10, 3, 8);
    const message = (backend: string, extra: Record<string, unknown>, k: number, value: number): string => {
      process.env["MLLOOP_KERNELS"] = backend;
      const data = Float64Array.from(X.data);
      data[k] = value;
      try {
        new SgdClassifier(sgdParamsSchema.parse({ family: "sgd", ...extra }), 1).fit({
          X: { ...X, data },
          y,
          nClasses: 3,
        });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    for (const extra of [{ loss: "log_loss" }, { loss: "modified_huber", class_weight: { "7": 2 } }]) {
      for (const [k, value] of [
        [0, NaN],
        [X.indptr[60]! + 1, Infinity],
        [X.indptr[120]! - 1, -Infinity],
      ] as Array<[number, number]>) {
        const js = message("js", extra, k, value);
        expect(js).toMatch(/non-finite value/);
        expect(message("wasm", extra, k, value)).toBe(js);
      }
    }
  });
});

describe("logistic regression and SGD check X on their copy of it, past its first 16,384 values", () => {
  it("with the reference's message", () => {
    const { X, y } = randomSparseProblem(1000, 2000, 60, 2, 12);
    expect(X.indptr[X.rows]).toBeGreaterThan(3 * 16_384);
    const message = (backend: string, fit: (data: Float64Array) => void, k: number, value: number): string => {
      process.env["MLLOOP_KERNELS"] = backend;
      const data = Float64Array.from(X.data);
      data[k] = value;
      if (k + 20_000 < data.length) data[k + 20_000] = NaN;
      try {
        fit(data);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    const lr = (data: Float64Array): void =>
      void new LogisticRegression(logisticRegressionParamsSchema.parse({ family: "logistic_regression" })).fit({
        X: { ...X, data },
        y,
        nClasses: 2,
      });
    const sgd = (data: Float64Array): void =>
      void new SgdClassifier(sgdParamsSchema.parse({ family: "sgd" }), 1).fit({ X: { ...X, data }, y, nClasses: 2 });
    for (const fit of [lr, sgd]) {
      for (const [k, value] of [
        [16_383, Infinity],
        [16_384, NaN],
        [3 * 16_384 + 7, -Infinity],
        [X.indptr[X.rows]! - 1, NaN],
      ] as Array<[number, number]>) {
        const js = message("js", fit, k, value);
        expect(js).toMatch(/non-finite value/);
        expect(message("wasm", fit, k, value)).toBe(js);
      }
    }
  });
});

describe("pooled WebAssembly instances", () => {
  it("hand out zeroed memory after a larger problem used them", () => {
    const big = randomSparseProblem(500, 4000, 60, 2, 31);
    const small = randomSparseProblem(60, 300, 8, 2, 32);
    const run = (p: { X: CsrMatrix; y: Int32Array }): DualCdResult => {
      const { ySign, c } = binaryProblem(p.X, p.y, 1);
      return dualCoordinateDescentWasm(p.X, ySign, c, "squared_hinge", 1, 1e-4, 1000, createRng(3));
    };
    run(big);
    const reused = run(small);
    const { ySign, c } = binaryProblem(small.X, small.y, 1);
    const reference = dualCoordinateDescentJs(small.X, ySign, c, "squared_hinge", 1, 1e-4, 1000, createRng(3));
    expect(reused.w).toEqual(reference.w);
    expect(reused.primal).toBe(reference.primal);
  });
});

describe("pooled WebAssembly arenas", () => {
  it("zero every array a caller does not fill, around arrays it fills, after an earlier user wrote everywhere", () => {
    const first = WasmArena.open("value-checks");
    const [a] = first.layout([["f64", 50_000]]) as [number];
    first.viewF64(a, 50_000).fill(7);
    first.close();
    const again = WasmArena.open("value-checks");
    const [filled, zeroF64, zeroI32, filledToo, zeroTail] = again.layout([
      ["f64", 1000, "filled"],
      ["f64", 3001],
      ["i32", 777],
      ["i32", 5, "filled"],
      ["f64", 20_000],
    ]) as [number, number, number, number, number];
    expect(again.viewF64(zeroF64, 3001).every((v) => v === 0)).toBe(true);
    expect(again.viewI32(zeroI32, 777).every((v) => v === 0)).toBe(true);
    expect(again.viewF64(zeroTail, 20_000).every((v) => v === 0)).toBe(true);
    // The filled arrays were left as the earlier user wrote them: the caller overwrites them.
    expect(again.viewF64(filled, 1000).every((v) => v === 7)).toBe(true);
    expect(filledToo).toBeGreaterThan(zeroI32);
    again.close();
  });
});

describe("naive Bayes: WebAssembly passes agree with the JavaScript reference", () => {
  // Counts are the same additions in the same order; the multinomial log-probabilities and the
  // training losses use musl's log/log1p/exp in the module: 1e-14 relative on the model, 1e-12 on
  // the reported loss. The other variants' log-probabilities are computed in JavaScript: identical.
  for (const [variant, extra, nClasses, weighted] of [
    ["multinomial", {}, 2, false],
    ["multinomial", {}, 3, true],
    ["complement", { norm: true }, 2, true],
    ["bernoulli", { binarize: 1.5 }, 2, false],
    ["bernoulli", { binarize: null }, 4, true],
  ] as Array<[string, Record<string, unknown>, number, boolean]>) {
    it(`${variant} ${JSON.stringify(extra)}, ${nClasses} classes${weighted ? ", weighted" : ""}`, () => {
      const { X, y } = randomSparseProblem(300, 1500, 25, nClasses, 41 + nClasses);
      const sampleWeight = weighted ? Float64Array.from({ length: X.rows }, (_, i) => 1 + (i % 4)) : undefined;
      const params = naiveBayesParamsSchema.parse({ family: "naive_bayes", variant, ...extra });
      const fit = (backend: string): { m: NaiveBayes; report: TrainingReport } => {
        process.env["MLLOOP_KERNELS"] = backend;
        const m = new NaiveBayes(params);
        return { m, report: m.fit({ X, y, nClasses, ...(sampleWeight ? { sampleWeight } : {}) }) };
      };
      const js = fit("js");
      const wasm = fit("wasm");
      if (variant === "multinomial") {
        expect(maxRelDiff(wasm.m.featureLogProb, js.m.featureLogProb)).toBeLessThan(1e-14);
      } else {
        expect(wasm.m.featureLogProb).toEqual(js.m.featureLogProb);
      }
      expect(wasm.m.classLogPrior).toEqual(js.m.classLogPrior);
      expect(maxRelDiff(wasm.m.predictProba(X), js.m.predictProba(X))).toBeLessThan(1e-12);
      expect(Math.abs(wasm.report.finalLoss - js.report.finalLoss)).toBeLessThan(1e-12 * js.report.finalLoss);
    });
  }

  // X streams through the module in blocks of ~16,384 stored values: a matrix of many blocks,
  // with one row wider than a block (it gets a block and a buffer of its own) in the middle.
  function manyBlocks(): { X: CsrMatrix; y: Int32Array } {
    const { X, y } = randomSparseProblem(1200, 30_000, 40, 3, 57);
    const wide = 700;
    const indptr = new Int32Array(X.rows + 1);
    const indices: number[] = [];
    const data: number[] = [];
    for (let i = 0; i < X.rows; i++) {
      if (i === wide) {
        for (let j = 0; j < 20_000; j++) {
          indices.push(j);
          data.push(1 + (j % 5));
        }
      } else {
        for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
          indices.push(X.indices[p]!);
          data.push(X.data[p]! * 3);
        }
      }
      indptr[i + 1] = indices.length;
    }
    return {
      X: { rows: X.rows, cols: X.cols, indptr, indices: Int32Array.from(indices), data: Float64Array.from(data) },
      y: y.map((c) => (c === 2 ? 1 : c)),
    };
  }

  for (const [variant, extra] of [
    ["multinomial", {}],
    ["complement", {}],
    ["bernoulli", { binarize: null }],
  ] as Array<[string, Record<string, unknown>]>) {
    it(`${variant}: a matrix of many blocks and one row wider than a block`, () => {
      const { X, y } = manyBlocks();
      expect(X.indptr[X.rows]).toBeGreaterThan(4 * 16_384);
      const params = naiveBayesParamsSchema.parse({ family: "naive_bayes", variant, ...extra });
      const fit = (backend: string): { m: NaiveBayes; report: TrainingReport } => {
        process.env["MLLOOP_KERNELS"] = backend;
        const m = new NaiveBayes(params);
        return { m, report: m.fit({ X, y, nClasses: 2 }) };
      };
      const js = fit("js");
      const wasm = fit("wasm");
      if (variant === "multinomial") {
        expect(maxRelDiff(wasm.m.featureLogProb, js.m.featureLogProb)).toBeLessThan(1e-14);
      } else {
        expect(wasm.m.featureLogProb).toEqual(js.m.featureLogProb);
      }
      expect(wasm.m.classLogPrior).toEqual(js.m.classLogPrior);
      expect(Math.abs(wasm.report.finalLoss - js.report.finalLoss)).toBeLessThan(1e-12 * js.report.finalLoss);
      expect(maxRelDiff(wasm.m.predictProba(X), js.m.predictProba(X))).toBeLessThan(1e-12);
    });
  }

  it("multinomial on whole counts (the module remembers log(count + alpha) below 4096) and counts beyond", () => {
    const { X, y } = randomSparseProblem(400, 900, 30, 2, 61);
    // Whole counts, a few columns summing past 4096, and one fractional count among them.
    const data = Float64Array.from(X.data, (v, k) => (X.indices[k]! < 3 ? 400 + k : Math.round(v * 12)));
    data[5] = 2.5;
    const counts = { ...X, data };
    for (const alpha of [1, 0.5]) {
      const params = naiveBayesParamsSchema.parse({ family: "naive_bayes", alpha });
      const fit = (backend: string): NaiveBayes => {
        process.env["MLLOOP_KERNELS"] = backend;
        const m = new NaiveBayes(params);
        m.fit({ X: counts, y, nClasses: 2 });
        return m;
      };
      const js = fit("js");
      const wasm = fit("wasm");
      expect(Math.max(...Array.from(data))).toBeGreaterThan(4096 / 100);
      expect(maxRelDiff(wasm.featureLogProb, js.featureLogProb)).toBeLessThan(1e-14);
    }
  });

  it("reports a non-finite value in a later block before a negative value in an earlier one, as the reference does", () => {
    const { X, y } = manyBlocks();
    const params = naiveBayesParamsSchema.parse({ family: "naive_bayes" });
    const message = (backend: string, plant: Array<[number, number]>): string => {
      process.env["MLLOOP_KERNELS"] = backend;
      const data = Float64Array.from(X.data);
      for (const [k, value] of plant) data[k] = value;
      try {
        new NaiveBayes(params).fit({ X: { ...X, data }, y, nClasses: 2 });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    const late = X.indptr[X.rows]! - 5;
    for (const plant of [
      [
        [100, -1],
        [late, NaN],
      ],
      [
        [late - 3, -2],
        [late, Infinity],
      ],
      [
        [100, -1],
        [40_000, -3],
      ],
      [[X.indptr[700]! + 19_999, NaN]],
    ] as Array<Array<[number, number]>>) {
      const js = message("js", plant);
      expect(js).toMatch(/non-finite value|negative value \(-1\)/);
      expect(message("wasm", plant)).toBe(js);
    }
  });

  it("rejects NaN, infinite and negative values with the reference's messages", () => {
    const { X, y } = randomSparseProblem(40, 50, 5, 2, 3);
    const params = naiveBayesParamsSchema.parse({ family: "naive_bayes" });
    const message = (backend: string, value: number, k: number): string => {
      process.env["MLLOOP_KERNELS"] = backend;
      const data = Float64Array.from(X.data);
      data[k] = value;
      try {
        new NaiveBayes(params).fit({ X: { ...X, data }, y, nClasses: 2 });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    for (const [value, k] of [
      [NaN, 0],
      [Infinity, 17],
      [-Infinity, 18],
      [-2, 33],
    ] as Array<[number, number]>) {
      const js = message("js", value, k);
      expect(js).toMatch(value < 0 && Number.isFinite(value) ? /negative value \(-2\)/ : /non-finite value/);
      expect(message("wasm", value, k)).toBe(js);
    }
  });
});

describe("finiteness check: the WebAssembly scan finds the same first value as the JavaScript reference", () => {
  // The module scans one 16,384-value chunk at a time, two values a step: plant bad values at the
  // edges of steps and chunks, and one later bad value that must not be reported instead.
  for (const n of [1, 2, 3, 16383, 16384, 16385, 40001]) {
    it(`${n} values`, () => {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, 1, n >> 1, 16383, 16384, n - 1].filter((k) => k < n)) {
          const values = Float64Array.from({ length: n }, (_, k) => (k % 7) - 3.5);
          values[at] = bad;
          if (at + 2 < n) values[n - 1] = NaN;
          expect(firstNonFiniteJs(values, n)).toBe(at);
          expect(firstNonFiniteWasm(values, n)).toBe(at);
        }
      }
      const clean = Float64Array.from({ length: n }, (_, k) => -k * 1e300);
      expect(firstNonFiniteWasm(clean, n)).toBe(-1);
      expect(firstNonFiniteJs(clean, n)).toBe(-1);
    });
  }

  it("reports only the stored values (a longer data array's tail is not X)", () => {
    const values = new Float64Array(10);
    values[7] = NaN;
    expect(firstNonFiniteWasm(values, 7)).toBe(-1);
    expect(firstNonFiniteWasm(values, 8)).toBe(7);
    expect(firstNonFiniteWasm(values, 0)).toBe(-1);
  });
});
