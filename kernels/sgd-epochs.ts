// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/sgd-epochs.wasm.
// scikit-learn's plain SGD (src/models/sgd.ts, sgdBinaryJs, is the JavaScript reference): one
// epoch of per-row updates per call, with the weight-scale trick and the sparse averaging trick,
// the same operations in the same order. The row order is shuffled between epochs by shuffleI32
// (kernels/lib/rng.ts, the driver's seeded generator); the caller keeps the stopping rule and the
// curve (src/models/kernels/sgd-wasm.ts).
// exp/log1p/pow are AssemblyScript's (musl), not V8's (fdlibm): results agree with the reference
// to rounding (test/models/wasm-kernels.test.ts states the tolerance).
//
// Memory layout is set by the caller: `setup` receives byte offsets.

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, store)

import { sparseRowAxpy, sparseRowDot } from "./lib/sparse-dot";

const SPARSE_INTERCEPT_DECAY: f64 = 0.01;
const MAX_DLOSS: f64 = 1e12;
const HINGE: i32 = 0;
const LOG_LOSS: i32 = 1;
const OPTIMAL: i32 = 0;
const INVSCALING: i32 = 1;

let rows: i32 = 0;
let cols: i32 = 0;
let loss: i32 = 0;
let schedule: i32 = 0;
let alpha: f64 = 0;
let eta0: f64 = 0;
let powerT: f64 = 0;
let optimalInit: f64 = 0;
let fitIntercept: bool = true;
/** 0: no averaging; else averaging starts at update number averageFrom. */
let averageFrom: f64 = 0;
let indptr: usize = 0;
let indices: usize = 0;
let data: usize = 0;
let ysign: usize = 0;
let rowWeight: usize = 0;
/** 1 byte a row: held out for early stopping (never trained on); 0 = no validation rows. */
let validation: usize = 0;
let order: usize = 0;
let v: usize = 0;
/** Averaging numerator (cols), 0 without averaging. */
let u: usize = 0;

// The learner's state, read (and, for t, written) by the caller.
export let wscale: f64 = 1;
export let intercept: f64 = 0;
export let avgA: f64 = 0;
export let avgB: f64 = 1;
export let avgIntercept: f64 = 0;
export let t: f64 = 1;

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + ((<usize>i) << 3));
}
@inline function put(p: usize, i: i32, x: f64): void {
  store<f64>(p + ((<usize>i) << 3), x);
}
@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + ((<usize>i) << 2));
}
@inline function heldOut(i: i32): bool {
  return validation != 0 && load<u8>(validation + <usize>i) != 0;
}

/** The row's dot product with `v` (kernels/lib/sparse-dot.ts). */
@inline function rowDot(start: i32, end: i32): f64 {
  return sparseRowDot(v, indices, data, start, end);
}

/** Offsets of X (CSR), labels ±1, row weights, validation mask (or 0), row order, v and u (or 0). */
export function setup(
  nRows: i32,
  nCols: i32,
  lossCode: i32,
  scheduleCode: i32,
  alphaValue: f64,
  eta0Value: f64,
  powerTValue: f64,
  optimalInitValue: f64,
  intercepted: bool,
  averageFromValue: f64,
  pIndptr: usize,
  pIndices: usize,
  pData: usize,
  pY: usize,
  pRowWeight: usize,
  pValidation: usize,
  pOrder: usize,
  pV: usize,
  pU: usize,
): void {
  rows = nRows;
  cols = nCols;
  loss = lossCode;
  schedule = scheduleCode;
  alpha = alphaValue;
  eta0 = eta0Value;
  powerT = powerTValue;
  optimalInit = optimalInitValue;
  fitIntercept = intercepted;
  averageFrom = averageFromValue;
  indptr = pIndptr;
  indices = pIndices;
  data = pData;
  ysign = pY;
  rowWeight = pRowWeight;
  validation = pValidation;
  order = pOrder;
  v = pV;
  u = pU;
  wscale = 1;
  intercept = 0;
  avgA = 0;
  avgB = 1;
  avgIntercept = 0;
  t = 1;
}

function lossValue(p: f64, y: f64): f64 {
  const z = p * y;
  if (loss == HINGE) return z <= 1 ? 1 - z : 0;
  if (loss == LOG_LOSS) {
    if (z > 18) return Math.exp(-z);
    if (z < -18) return -z;
    return Math.log1p(Math.exp(-z));
  }
  if (z >= 1) return 0;
  if (z >= -1) return (1 - z) * (1 - z);
  return -4 * z;
}

function lossDerivative(p: f64, y: f64): f64 {
  const z = p * y;
  if (loss == HINGE) return z <= 1 ? -y : 0;
  if (loss == LOG_LOSS) {
    if (z > 18) return Math.exp(-z) * -y;
    if (z < -18) return -y;
    return -y / (Math.exp(z) + 1);
  }
  if (z >= 1) return 0;
  if (z >= -1) return -2 * (1 - z) * y;
  return -4 * y;
}

/** d loss / d p at p = −typw, y = 1: the caller's "optimal" schedule start (needs lossCode set). */
export function initialDerivative(lossCode: i32, typw: f64): f64 {
  loss = lossCode;
  return lossDerivative(-typw, 1);
}

/** Folds the scale (and the averaging coefficients) into the weights. */
export function resetScale(): void {
  const d = cols;
  if (u != 0) {
    for (let j = 0; j < d; j++) put(u, j, (at(u, j) + avgA * at(v, j)) / avgB);
    avgA = 0;
    avgB = 1;
  }
  for (let j = 0; j < d; j++) put(v, j, at(v, j) * wscale);
  wscale = 1;
}

/** One pass over order[0 .. rows); returns the summed training loss of the rows trained on. */
export function epoch(): f64 {
  let sumLoss: f64 = 0;
  for (let s = 0; s < rows; s++) {
    const i = idx(order, s);
    if (heldOut(i)) continue;
    const y = at(ysign, i);
    const start = idx(indptr, i);
    const end = idx(indptr, i + 1);
    const pred = rowDot(start, end) * wscale + intercept;
    const eta: f64 =
      schedule == OPTIMAL ? 1 / (alpha * (optimalInit + t - 1)) : schedule == INVSCALING ? eta0 / Math.pow(t, powerT) : eta0;
    sumLoss += lossValue(pred, y);
    const dloss = Math.min(MAX_DLOSS, Math.max(-MAX_DLOSS, lossDerivative(pred, y)));
    const update = -eta * dloss * at(rowWeight, i);
    wscale *= Math.max(0, 1 - eta * alpha);
    if (wscale < 1e-9) resetScale();
    if (update != 0) {
      const step = update / wscale;
      sparseRowAxpy(v, indices, data, start, end, step);
      if (fitIntercept) intercept += update * SPARSE_INTERCEPT_DECAY;
    }
    if (u != 0 && averageFrom <= t) {
      const seen = t - averageFrom + 1;
      const mu = 1 / seen;
      const coefU = avgA * (-update / wscale);
      if (coefU != 0) sparseRowAxpy(u, indices, data, start, end, coefU);
      if (seen > 1) avgB /= 1 - mu;
      avgA += mu * avgB * wscale;
      avgIntercept += (intercept - avgIntercept) / seen;
    }
    t++;
  }
  return sumLoss;
}

/** ‖v‖² (unscaled). */
export function squaredNorm(): f64 {
  let norm: f64 = 0;
  for (let j = 0; j < cols; j++) norm += at(v, j) * at(v, j);
  return norm;
}

/** Weighted accuracy on the held-out rows, with the averaged weights when `useAverage`. */
export function validationAccuracy(useAverage: bool): f64 {
  let right: f64 = 0;
  let total: f64 = 0;
  for (let i = 0; i < rows; i++) {
    if (!heldOut(i)) continue;
    let dv: f64 = 0;
    let du: f64 = 0;
    const end = idx(indptr, i + 1);
    for (let k = idx(indptr, i); k < end; k++) {
      dv += at(v, idx(indices, k)) * at(data, k);
      if (useAverage) du += at(u, idx(indices, k)) * at(data, k);
    }
    const score = useAverage ? (du + avgA * dv) / avgB + avgIntercept : dv * wscale + intercept;
    const w = at(rowWeight, i);
    total += w;
    if ((score > 0 ? 1 : -1) == <i32>at(ysign, i)) right += w;
  }
  return right / total;
}

export { rngLoad, rngWord, shuffleI32 } from "./lib/rng";
export { firstNonFinite } from "./lib/value-checks";
