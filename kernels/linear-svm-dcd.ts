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

/** ½‖w‖² + Σ c_i ξ(y_i wᵀx_i) (primalObjective) at the current w. */
export function primal(hinge: bool): f64 {
  return primalOf(hinge, w);
}

@inline function slackLoss(hinge: bool, i: i32, z: f64): f64 {
  const slack = Math.max(0, 1 - at(ysign, i) * z);
  return at(cw, i) * (hinge ? slack : slack * slack);
}

function primalOf(hinge: bool, pw: usize): f64 {
  const d = cols;
  let f: f64 = 0;
  for (let j = 0; j <= d; j++) f += 0.5 * at(pw, j) * at(pw, j);
  for (let i = 0; i < rows; i++) {
    let z = at(pw, d) * bias;
    const end = idx(indptr, i + 1);
    for (let p = idx(indptr, i); p < end; p++) z += at(pw, idx(indices, p)) * at(data, p);
    f += slackLoss(hinge, i, z);
  }
  return f;
}

/** Where the copies of w taken at the curve's checkpoints live: MAX_SNAPSHOTS × (cols + 1). */
let snapshots: usize = 0;
const MAX_SNAPSHOTS: i32 = 4;

/** Sets the snapshots' region (the caller reserves MAX_SNAPSHOTS × (cols + 1) f64 there). */
export function setSnapshots(p: usize): void {
  snapshots = p;
}

/** Copies the current w into snapshot `slot`. */
export function snapshot(slot: i32): void {
  memory.copy(snapshots + <usize>(slot * (cols + 1)) * 8, w, <usize>(cols + 1) * 8);
}

/**
 * The primal objectives of snapshots 0 .. count − 1 (count ≤ 4) written to out[0 .. count), in one
 * pass over X. A primal evaluation reads all of X from memory (6.4 MB for the spam matrix, ~0.5 ms
 * bound by memory bandwidth, 7 of them in a 37-epoch fit); reading each row once for up to four
 * weight vectors costs about one. Each objective is summed exactly as primalOf sums it (its own
 * running sums, in the same order), so every value is bit-identical to evaluating it alone.
 */
export function primalSnapshots(hinge: bool, count: i32, pOut: usize): void {
  if (count == 1) {
    put(pOut, 0, primalOf(hinge, snapshots));
    return;
  }
  const d = cols;
  const stride = <usize>(d + 1) * 8;
  const w0 = snapshots;
  const w1 = count > 1 ? w0 + stride : w0;
  const w2 = count > 2 ? w0 + 2 * stride : w0;
  const w3 = count > 3 ? w0 + 3 * stride : w0;
  let f0: f64 = 0;
  let f1: f64 = 0;
  let f2: f64 = 0;
  let f3: f64 = 0;
  for (let j = 0; j <= d; j++) {
    f0 += 0.5 * at(w0, j) * at(w0, j);
    f1 += 0.5 * at(w1, j) * at(w1, j);
    f2 += 0.5 * at(w2, j) * at(w2, j);
    f3 += 0.5 * at(w3, j) * at(w3, j);
  }
  const b0 = at(w0, d) * bias;
  const b1 = at(w1, d) * bias;
  const b2 = at(w2, d) * bias;
  const b3 = at(w3, d) * bias;
  for (let i = 0; i < rows; i++) {
    let z0 = b0;
    let z1 = b1;
    let z2 = b2;
    let z3 = b3;
    const end = idx(indptr, i + 1);
    for (let p = idx(indptr, i); p < end; p++) {
      const j = idx(indices, p);
      const x = at(data, p);
      z0 += at(w0, j) * x;
      z1 += at(w1, j) * x;
      z2 += at(w2, j) * x;
      z3 += at(w3, j) * x;
    }
    f0 += slackLoss(hinge, i, z0);
    f1 += slackLoss(hinge, i, z1);
    f2 += slackLoss(hinge, i, z2);
    f3 += slackLoss(hinge, i, z3);
  }
  put(pOut, 0, f0);
  if (count > 1) put(pOut, 1, f1);
  if (count > 2) put(pOut, 2, f2);
  if (count > 3) put(pOut, 3, f3);
}

export { rngLoad, rngWord, shuffleI32 } from "./lib/rng";
