/**
 * liblinear's dual coordinate descent with the epochs in WebAssembly (kernels/linear-svm-dcd.ts).
 * The seeded shuffle of the active rows runs in the module too, drawing from the same generator
 * (kernels/lib/rng.ts); the stopping rule stays here, in the same order as the
 * JavaScript reference (dualCoordinateDescentJs in linear-svm.ts), so the two are bit-identical
 * (test/models/wasm-kernels.test.ts).
 */
import type { CsrMatrix } from "../../features/csr.js";
import type { Rng } from "../../util/random.js";
import type { CurvePoint } from "../estimator.js";
import type { DualCdResult, ObjectiveReport } from "../linear-svm.js";
import { shuffleInModule, WasmArena } from "./wasm-kernels.js";

type Fn = (...args: number[]) => number;

export function dualCoordinateDescentWasm(
  X: CsrMatrix,
  ySign: Float64Array,
  c: Float64Array,
  loss: "hinge" | "squared_hinge",
  bias: number,
  tol: number,
  maxIter: number,
  rng: Rng,
  report: ObjectiveReport = "curve",
): DualCdResult {
  const { rows, cols } = X;
  const nnz = X.indptr[rows]!;
  const arena = WasmArena.open("linear-svm-dcd");
  const e = arena.exports;
  const [indptr, indices, data, yAt, cAt, diag, upper, QD, alpha, wAt, indexAt] = arena.layout([
    ["i32", rows + 1],
    ["i32", nnz],
    ["f64", nnz],
    ["f64", rows],
    ["f64", rows],
    ["f64", rows],
    ["f64", rows],
    ["f64", rows],
    ["f64", rows],
    ["f64", cols + 1],
    ["i32", rows],
  ]) as [number, number, number, number, number, number, number, number, number, number, number];
  arena.viewI32(indptr, rows + 1).set(X.indptr.subarray(0, rows + 1));
  arena.viewI32(indices, nnz).set(X.indices.subarray(0, nnz));
  arena.viewF64(data, nnz).set(X.data.subarray(0, nnz));
  arena.viewF64(yAt, rows).set(ySign);
  arena.viewF64(cAt, rows).set(c);
  const hinge = loss === "hinge" ? 1 : 0;
  const l = (e["setup"] as Fn)(
    rows,
    cols,
    hinge,
    bias,
    indptr,
    indices,
    data,
    yAt,
    cAt,
    diag,
    upper,
    QD,
    alpha,
    wAt,
    indexAt,
  );
  const epoch = e["epoch"] as Fn;
  const primal = (): number => (e["primal"] as Fn)(hinge);
  const read = (name: string): number => (e[name] as { value: number }).value;

  let activeSize = l;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  let iter = 0;
  let converged = false;
  let violation = Infinity;
  const curve: CurvePoint[] = [];
  let nextCheckpoint = 1;
  while (iter < maxIter) {
    shuffleInModule(e, indexAt, activeSize, rng);
    activeSize = epoch(activeSize, pgMaxOld, pgMinOld);
    const pgMaxNew = read("pgMaxNew");
    const pgMinNew = read("pgMinNew");
    iter++;
    violation = pgMaxNew - pgMinNew;
    if (iter === nextCheckpoint && report === "curve") {
      curve.push({ step: iter, loss: primal() });
      nextCheckpoint *= 2;
    }
    if (violation <= tol) {
      if (activeSize === l) {
        converged = true;
        break;
      }
      activeSize = l;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
    pgMinOld = pgMinNew >= 0 ? -Infinity : pgMinNew;
  }
  const final = report === "curve" ? primal() : NaN;
  if (report === "curve" && curve.at(-1)?.step !== iter) curve.push({ step: iter, loss: final });
  const w = Float64Array.from(arena.viewF64(wAt, cols + 1));
  arena.close();
  return { w, iterations: iter, converged, violation, curve, primal: final };
}
