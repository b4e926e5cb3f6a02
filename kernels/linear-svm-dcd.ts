// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/linear-svm-dcd.wasm.
// liblinear's dual coordinate descent for the L2-regularised (squared) hinge loss: one epoch per
// call, the same operations in the same order as dualCoordinateDescentJs in
// src/models/linear-svm.ts (its JavaScript reference), so the results are bit-identical. The
// active rows are shuffled between epochs by shuffleI32 (kernels/lib/rng.ts: the driver's seeded
// generator, the same draws); the caller keeps the stopping bookkeeping
// (src/models/kernels/linear-svm-wasm.ts).

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, store)

import { sparseRowDot } from "./lib/sparse-dot";

let rows: i32 = 0;
let cols: i32 = 0;
let bias: f64 = 0;
let indptr: usize = 0;
let indices: usize = 0;
let data: usize = 0;
let ysign: usize = 0;
let cw: usize = 0;
let diag: usize = 0;
let upper: usize = 0;
let QD: usize = 0;
let alpha: usize = 0;
let w: usize = 0;
let index: usize = 0;

export let pgMaxNew: f64 = 0;
export let pgMinNew: f64 = 0;

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + ((<usize>i) << 3));
}
@inline function put(p: usize, i: i32, v: f64): void {
  store<f64>(p + ((<usize>i) << 3), v);
}
@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + ((<usize>i) << 2));
}
@inline function setIdx(p: usize, i: i32, v: i32): void {
  store<i32>(p + ((<usize>i) << 2), v);
}

/** The row's dot product with `w` (kernels/lib/sparse-dot.ts). */
@inline function rowDot(start: i32, end: i32): f64 {
  return sparseRowDot(w, indices, data, start, end);
}

/** Offsets of X (CSR), labels, c, and the solver's arrays (rows: diag, upper, QD, alpha, index; w: cols + 1). Returns the number of rows with c_i > 0. */
export function setup(
  nRows: i32,
  nCols: i32,
  hinge: bool,
  biasValue: f64,
  pIndptr: usize,
  pIndices: usize,
  pData: usize,
  pY: usize,
  pC: usize,
  pDiag: usize,
  pUpper: usize,
  pQD: usize,
  pAlpha: usize,
  pW: usize,
  pIndex: usize,
): i32 {
  rows = nRows;
  cols = nCols;
  bias = biasValue;
  indptr = pIndptr;
  indices = pIndices;
  data = pData;
  ysign = pY;
  cw = pC;
  diag = pDiag;
  upper = pUpper;
  QD = pQD;
  alpha = pAlpha;
  w = pW;
  index = pIndex;
  let l = 0;
  for (let i = 0; i < rows; i++) {
    const ci = at(cw, i);
    if (ci <= 0) continue;
    setIdx(index, l++, i);
    put(diag, i, hinge ? 0 : 0.5 / ci);
    put(upper, i, hinge ? ci : Infinity);
    let q = at(diag, i) + bias * bias;
    const end = idx(indptr, i + 1);
    for (let p = idx(indptr, i); p < end; p++) q += at(data, p) * at(data, p);
    put(QD, i, q);
  }
  return l;
}

/** One pass over the active rows index[0 .. activeSize); returns the new active size. */
export function epoch(activeSize: i32, pgMaxOld: f64, pgMinOld: f64): i32 {
  let maxNew = -Infinity;
  let minNew = Infinity;
  const d = cols;
  for (let s = 0; s < activeSize; s++) {
    const i = idx(index, s);
    const yi = at(ysign, i);
    const start = idx(indptr, i);
    const end = idx(indptr, i + 1);
    let G = at(w, d) * bias + rowDot(start, end);
    const ai = at(alpha, i);
    G = G * yi - 1 + at(diag, i) * ai;
    let PG: f64 = 0;
    if (ai == 0) {
      if (G > pgMaxOld) {
        activeSize--;
        setIdx(index, s, idx(index, activeSize));
        setIdx(index, activeSize, i);
        s--;
        continue;
      } else if (G < 0) PG = G;
    } else if (ai == at(upper, i)) {
      if (G < pgMinOld) {
        activeSize--;
        setIdx(index, s, idx(index, activeSize));
        setIdx(index, activeSize, i);
        s--;
        continue;
      } else if (G > 0) PG = G;
    } else PG = G;
    if (PG > maxNew) maxNew = PG;
    if (PG < minNew) minNew = PG;
    if (Math.abs(PG) > 1e-12) {
      const na = Math.min(Math.max(ai - G / at(QD, i), 0), at(upper, i));
      put(alpha, i, na);
      const delta = (na - ai) * yi;
      for (let p = start; p < end; p++) {
        const j = idx(indices, p);
        put(w, j, at(w, j) + delta * at(data, p));
      }
      put(w, d, at(w, d) + delta * bias);
    }
  }
  pgMaxNew = maxNew;
  pgMinNew = minNew;
  return activeSize;
}

/** ½‖w‖² + Σ c_i ξ(y_i wᵀx_i) (primalObjective). */
export function primal(hinge: bool): f64 {
  const d = cols;
  let f: f64 = 0;
  for (let j = 0; j <= d; j++) f += 0.5 * at(w, j) * at(w, j);
  for (let i = 0; i < rows; i++) {
    let z = at(w, d) * bias;
    const end = idx(indptr, i + 1);
    for (let p = idx(indptr, i); p < end; p++) z += at(w, idx(indices, p)) * at(data, p);
    const slack = Math.max(0, 1 - at(ysign, i) * z);
    f += at(cw, i) * (hinge ? slack : slack * slack);
  }
  return f;
}

export { rngLoad, rngWord, shuffleI32 } from "./lib/rng";
