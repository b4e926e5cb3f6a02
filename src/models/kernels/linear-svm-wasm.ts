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

/** Copies of w the module holds, interleaved, for one pass of primal objectives (primalSnapshots). */
const MAX_SNAPSHOTS = 4;

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
  const curveWanted = report === "curve";
  const [indptr, indices, data, yAt, cAt, diag, upper, QD, alpha, wAt, indexAt, snapAt, scratchAt, primalsAt] = arena.layout([
    ["i32", rows + 1, "filled"],
    ["i32", nnz, "filled"],
    ["f64", nnz, "filled"],
    ["f64", rows, "filled"],
    ["f64", rows, "filled"],
    ["f64", rows],
    ["f64", rows],
    ["f64", rows],
    ["f64", rows],
    ["f64", cols + 1],
    ["i32", rows],
    ["f64", curveWanted ? MAX_SNAPSHOTS * (cols + 1) : 0],
    ["f64", curveWanted ? cols + 1 : 0],
    ["f64", MAX_SNAPSHOTS],
  ]) as [number, number, number, number, number, number, number, number, number, number, number, number, number, number];
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
  const read = (name: string): number => (e[name] as { value: number }).value;
  // The curve's objectives (iterations 1, 2, 4, 8, … and the end) are evaluated from copies of w
  // taken at those iterations, up to four in one pass over X (primalSnapshots in the module says
  // why); the curve is returned at the end, so when they are computed is not observable.
  (e["setSnapshots"] as Fn)(snapAt);
  const pendingSteps: number[] = [];
  const curve: CurvePoint[] = [];
  const flush = (): void => {
    if (pendingSteps.length === 0) return;
    (e["primalSnapshots"] as Fn)(hinge, pendingSteps.length, primalsAt, scratchAt);
    const values = arena.viewF64(primalsAt, pendingSteps.length);
    pendingSteps.forEach((step, k) => curve.push({ step, loss: values[k]! }));
    pendingSteps.length = 0;
  };
  const checkpoint = (step: number): void => {
    (e["snapshot"] as Fn)(pendingSteps.length);
    pendingSteps.push(step);
    if (pendingSteps.length === MAX_SNAPSHOTS) flush();
  };

  let activeSize = l;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  let iter = 0;
  let converged = false;
  let violation = Infinity;
  let nextCheckpoint = 1;
  while (iter < maxIter) {
    shuffleInModule(e, indexAt, activeSize, rng);
    activeSize = epoch(activeSize, pgMaxOld, pgMinOld);
    const pgMaxNew = read("pgMaxNew");
    const pgMinNew = read("pgMinNew");
    iter++;
    violation = pgMaxNew - pgMinNew;
    if (iter === nextCheckpoint && curveWanted) {
      checkpoint(iter);
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
  let final = NaN;
  if (curveWanted) {
    const last = pendingSteps.at(-1) ?? curve.at(-1)?.step;
    if (last !== iter) checkpoint(iter);
    flush();
    final = curve.at(-1)!.loss;
  }
  const w = Float64Array.from(arena.viewF64(wAt, cols + 1));
  arena.close();
  return { w, iterations: iter, converged, violation, curve, primal: final };
}
