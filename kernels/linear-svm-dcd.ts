// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/linear-svm-dcd.wasm.
// liblinear's dual coordinate descent for the L2-regularised (squared) hinge loss: one epoch per
// call, the same operations in the same order as dualCoordinateDescentJs in
// src/models/linear-svm.ts (its JavaScript reference), so the results are bit-identical. The
// active rows are shuffled between epochs by shuffleI32 (kernels/lib/rng.ts: the driver's seeded
// generator, the same draws); the caller keeps the stopping bookkeeping
// (src/models/kernels/linear-svm-wasm.ts).

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, store)

import { sparseRowAxpy, sparseRowDot } from "./lib/sparse-dot";

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
    const stop = data + ((<usize>idx(indptr, i + 1)) << 3);
    for (let pd = data + ((<usize>idx(indptr, i)) << 3); pd < stop; pd += 8) q += load<f64>(pd) * load<f64>(pd);
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
      sparseRowAxpy(w, indices, data, start, end, delta);
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
    // One running sum in index order, four values a step with constant offsets (kernels/lib/sparse-dot.ts).
    const start = idx(indptr, i);
    const end = idx(indptr, i + 1);
    let pi = indices + ((<usize>start) << 2);
    let pd = data + ((<usize>start) << 3);
    const stop4 = indices + ((<usize>(end - 3 > start ? end - 3 : start)) << 2);
    const stop = indices + ((<usize>end) << 2);
    for (; pi < stop4; pi += 16, pd += 32) {
      z += load<f64>(pw + ((<usize>load<i32>(pi)) << 3)) * load<f64>(pd);
      z += load<f64>(pw + ((<usize>load<i32>(pi, 4)) << 3)) * load<f64>(pd, 8);
      z += load<f64>(pw + ((<usize>load<i32>(pi, 8)) << 3)) * load<f64>(pd, 16);
      z += load<f64>(pw + ((<usize>load<i32>(pi, 12)) << 3)) * load<f64>(pd, 24);
    }
    for (; pi < stop; pi += 4, pd += 8) z += load<f64>(pw + ((<usize>load<i32>(pi)) << 3)) * load<f64>(pd);
    f += slackLoss(hinge, i, z);
  }
  return f;
}

/**
 * The copies of w taken at the curve's checkpoints, interleaved: snapshots[4j + slot] = w_slot[j]
 * for j ≤ cols, so that one row's nonzero reads the four weights it needs from one cache line.
 */
let snapshots: usize = 0;

/** Sets the snapshots' region (the caller reserves 4 × (cols + 1) f64 there). */
export function setSnapshots(p: usize): void {
  snapshots = p;
}

/** Copies the current w into snapshot `slot` (0 … 3). */
export function snapshot(slot: i32): void {
  for (let j = 0; j <= cols; j++) put(snapshots, 4 * j + slot, at(w, j));
}

/** Snapshot `slot` gathered back into the contiguous vector at `out`. */
function gather(slot: i32, out: usize): void {
  for (let j = 0; j <= cols; j++) put(out, j, at(snapshots, 4 * j + slot));
}

/**
 * The primal objectives of snapshots 0 .. count − 1 (count ≤ 4) written to out[0 .. count), in one
 * pass over X. A primal evaluation reads all of X from memory (6.4 MB for the spam matrix,
 * ~0.5 ms, 7 of them in a 37-epoch fit); here each nonzero reads its four weights from one cache
 * line and updates two pairs of sums with f64x2 multiplies and adds. Each lane is its own running
 * sum in primalOf's order, and f64x2 arithmetic is IEEE-754 per lane (no fused multiply-add), so
 * every value is bit-identical to evaluating that snapshot alone. `scratch` holds cols + 1 f64
 * (a lone snapshot is gathered there and evaluated by primalOf).
 */
export function primalSnapshots(hinge: bool, count: i32, pOut: usize, scratch: usize): void {
  if (count == 1) {
    gather(0, scratch);
    put(pOut, 0, primalOf(hinge, scratch));
    return;
  }
  const d = cols;
  const half = f64x2.splat(0.5);
  let f01 = f64x2.splat(0);
  let f23 = f64x2.splat(0);
  for (let j = 0; j <= d; j++) {
    const q = snapshots + ((<usize>j) << 5);
    const w01 = v128.load(q);
    const w23 = v128.load(q, 16);
    f01 = f64x2.add(f01, f64x2.mul(f64x2.mul(half, w01), w01));
    f23 = f64x2.add(f23, f64x2.mul(f64x2.mul(half, w23), w23));
  }
  const qd = snapshots + ((<usize>d) << 5);
  const bv = f64x2.splat(bias);
  const b01 = f64x2.mul(v128.load(qd), bv);
  const b23 = f64x2.mul(v128.load(qd, 16), bv);
  let fa = f64x2.extract_lane(f01, 0);
  let fb = f64x2.extract_lane(f01, 1);
  let fc = f64x2.extract_lane(f23, 0);
  let fd = f64x2.extract_lane(f23, 1);
  for (let i = 0; i < rows; i++) {
    let z01 = b01;
    let z23 = b23;
    const start = idx(indptr, i);
    const stop = indices + ((<usize>idx(indptr, i + 1)) << 2);
    let pd = data + ((<usize>start) << 3);
    for (let pi = indices + ((<usize>start) << 2); pi < stop; pi += 4, pd += 8) {
      const q = snapshots + ((<usize>load<i32>(pi)) << 5);
      const x = f64x2.splat(load<f64>(pd));
      z01 = f64x2.add(z01, f64x2.mul(v128.load(q), x));
      z23 = f64x2.add(z23, f64x2.mul(v128.load(q, 16), x));
    }
    fa += slackLoss(hinge, i, f64x2.extract_lane(z01, 0));
    fb += slackLoss(hinge, i, f64x2.extract_lane(z01, 1));
    fc += slackLoss(hinge, i, f64x2.extract_lane(z23, 0));
    fd += slackLoss(hinge, i, f64x2.extract_lane(z23, 1));
  }
  put(pOut, 0, fa);
  put(pOut, 1, fb);
  if (count > 2) put(pOut, 2, fc);
  if (count > 3) put(pOut, 3, fd);
}

export { rngLoad, rngWord, shuffleI32 } from "./lib/rng";
