// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/logistic-tron.wasm.
// The whole binary L2 logistic-regression fit: the objective of src/models/logistic-objectives.ts
// (BinaryLogisticObjective) and the trust-region Newton-CG of src/models/optim/tron.ts, ported
// step for step, so that no part of a fit waits for V8 to compile it. Two deliberate differences,
// both within rounding: Xᵀ products scatter row by row (one pass over X per Hessian-vector product,
// as liblinear does, instead of a second pass over a column copy), and exp/log1p are
// AssemblyScript's (musl) rather than V8's (fdlibm). test/models/logistic-tron-wasm.test.ts
// checks the result against the JavaScript reference.
//
// Memory layout is set by src/models/kernels/logistic-tron-wasm.ts: `setup` receives byte offsets.

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, store)

import { sparseRowAxpy } from "./lib/sparse-dot";

@external("env", "onIteration")
declare function onIteration(iter: i32, f: f64, w: usize): void;

const ETA0: f64 = 1e-4;
const ETA1: f64 = 0.25;
const ETA2: f64 = 0.75;
const SIGMA1: f64 = 0.25;
const SIGMA2: f64 = 0.5;
const SIGMA3: f64 = 4;
const ALPHA_PCG: f64 = 0.01;
const EPS_CG: f64 = 0.1;
const PRECISION_FLOOR: f64 = 1e-6;

let rows: i32 = 0;
let cols: i32 = 0;
let size: i32 = 0;
let fitB: bool = false;
let l2: f64 = 1;
let notify: bool = false;
let indptr: usize = 0;
let indices: usize = 0;
let data: usize = 0;
let ysign: usize = 0;
let cw: usize = 0;
let zr: usize = 0;
let Dr: usize = 0;
let Rr: usize = 0;
let diag: usize = 0;
let g: usize = 0;
let s: usize = 0;
let r: usize = 0;
let M: usize = 0;
let wNew: usize = 0;
let dv: usize = 0;
let Hd: usize = 0;
let zv: usize = 0;

// Results of the last `tron` call, read by the caller.
export let meanLoss: f64 = NaN;
export let resultF: f64 = NaN;
export let resultGnorm: f64 = NaN;
export let resultGnorm0: f64 = NaN;
export let resultIterations: i32 = 0;
export let resultInner: i32 = 0;
/** 0 converged · 1 not finite at start · 2 objective became non-finite · 3 gradient became non-finite · 4 precision floor, not converged · 5 max_iter */
export let resultStatus: i32 = 0;
/** The non-finite objective value of status 2. */
export let resultBadValue: f64 = NaN;

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + ((<usize>i) << 3));
}
@inline function put(p: usize, i: i32, v: f64): void {
  store<f64>(p + ((<usize>i) << 3), v);
}
@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + ((<usize>i) << 2));
}

/** Offsets: X (CSR), labels ±1, per-row weights c_i, and scratch for rows (3×) and parameters (10×). */
export function setup(
  nRows: i32,
  nCols: i32,
  intercept: bool,
  l2Weight: f64,
  callEachIteration: bool,
  pIndptr: usize,
  pIndices: usize,
  pData: usize,
  pY: usize,
  pC: usize,
  rowScratch: usize,
  paramScratch: usize,
): void {
  rows = nRows;
  cols = nCols;
  fitB = intercept;
  size = nCols + (intercept ? 1 : 0);
  l2 = l2Weight;
  notify = callEachIteration;
  indptr = pIndptr;
  indices = pIndices;
  data = pData;
  ysign = pY;
  cw = pC;
  const rb = (<usize>rows) << 3;
  zr = rowScratch;
  Dr = zr + rb;
  Rr = Dr + rb;
  const pb = (<usize>size) << 3;
  diag = paramScratch;
  g = diag + pb;
  s = g + pb;
  r = s + pb;
  M = r + pb;
  wNew = M + pb;
  dv = wNew + pb;
  Hd = dv + pb;
  zv = Hd + pb;
}

function logOnePlusExpNeg(m: f64): f64 {
  return m >= 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
}

function sigmoid(z: f64): f64 {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function value(w: usize): f64 {
  const b: f64 = fitB ? at(w, cols) : 0;
  let f: f64 = 0;
  let plain: f64 = 0;
  let start = idx(indptr, 0);
  for (let i = 0; i < rows; i++) {
    const end = idx(indptr, i + 1);
    const z = rowDot(w, b, start, end);
    put(zr, i, z);
    const l = logOnePlusExpNeg(at(ysign, i) * z);
    f += at(cw, i) * l;
    plain += l;
    start = end;
  }
  meanLoss = plain / <f64>rows;
  let reg: f64 = 0;
  for (let j = 0; j < cols; j++) reg += at(w, j) * at(w, j);
  return f + 0.5 * l2 * reg;
}

/**
 * Row i's x_i · v started at `init`: one running sum in index order, the row walked with two
 * pointers and constant offsets, four values a step (kernels/lib/sparse-dot.ts says why).
 */
@inline function rowDot(v: usize, init: f64, start: i32, end: i32): f64 {
  let t = init;
  let pi = indices + ((<usize>start) << 2);
  let pd = data + ((<usize>start) << 3);
  const stop4 = indices + ((<usize>(end - 3 > start ? end - 3 : start)) << 2);
  const stop = indices + ((<usize>end) << 2);
  for (; pi < stop4; pi += 16, pd += 32) {
    t += load<f64>(pd) * load<f64>(v + ((<usize>load<i32>(pi)) << 3));
    t += load<f64>(pd, 8) * load<f64>(v + ((<usize>load<i32>(pi, 4)) << 3));
    t += load<f64>(pd, 16) * load<f64>(v + ((<usize>load<i32>(pi, 8)) << 3));
    t += load<f64>(pd, 24) * load<f64>(v + ((<usize>load<i32>(pi, 12)) << 3));
  }
  for (; pi < stop; pi += 4, pd += 8) t += load<f64>(pd) * load<f64>(v + ((<usize>load<i32>(pi)) << 3));
  return t;
}

@inline function gradientTerm(out: usize, ri: f64, Di: f64, column: i32, x: f64): void {
  const j = (<usize>column) << 3;
  store<f64>(out + j, load<f64>(out + j) + ri * x);
  store<f64>(diag + j, load<f64>(diag + j) + Di * x * x);
}

/** Gradient and Hessian diagonal at the w of the latest `value` call. */
function gradient(w: usize, out: usize): void {
  const l2v = f64x2.splat(l2);
  const colPairs = (<usize>(cols & ~1)) << 3;
  for (let o: usize = 0; o < colPairs; o += 16) {
    v128.store(out + o, f64x2.mul(l2v, v128.load(w + o)));
    v128.store(diag + o, l2v);
  }
  if (cols & 1) {
    put(out, cols - 1, l2 * at(w, cols - 1));
    put(diag, cols - 1, l2);
  }
  let gb: f64 = 0;
  let mb: f64 = 0;
  let start = idx(indptr, 0);
  for (let i = 0; i < rows; i++) {
    const end = idx(indptr, i + 1);
    const yi = at(ysign, i);
    const ci = at(cw, i);
    const sg = sigmoid(yi * at(zr, i));
    const Di = ci * sg * (1 - sg);
    const ri = ci * (sg - 1) * yi;
    put(Dr, i, Di);
    gb += ri;
    mb += Di;
    let pi = indices + ((<usize>start) << 2);
    let pd = data + ((<usize>start) << 3);
    const stop4 = indices + ((<usize>(end - 3 > start ? end - 3 : start)) << 2);
    const stop = indices + ((<usize>end) << 2);
    for (; pi < stop4; pi += 16, pd += 32) {
      gradientTerm(out, ri, Di, load<i32>(pi), load<f64>(pd));
      gradientTerm(out, ri, Di, load<i32>(pi, 4), load<f64>(pd, 8));
      gradientTerm(out, ri, Di, load<i32>(pi, 8), load<f64>(pd, 16));
      gradientTerm(out, ri, Di, load<i32>(pi, 12), load<f64>(pd, 24));
    }
    for (; pi < stop; pi += 4, pd += 8) gradientTerm(out, ri, Di, load<i32>(pi), load<f64>(pd));
    start = end;
  }
  if (fitB) {
    put(out, cols, gb);
    put(diag, cols, mb);
  }
}

/** out = (l2·I + Xᵀ D X) v, one pass over the rows. */
function hessVec(v: usize, out: usize): void {
  const l2v = f64x2.splat(l2);
  const colPairs = (<usize>(cols & ~1)) << 3;
  for (let o: usize = 0; o < colPairs; o += 16) v128.store(out + o, f64x2.mul(l2v, v128.load(v + o)));
  if (cols & 1) put(out, cols - 1, l2 * at(v, cols - 1));
  const vb: f64 = fitB ? at(v, cols) : 0;
  let ob: f64 = 0;
  let start = idx(indptr, 0);
  for (let i = 0; i < rows; i++) {
    const end = idx(indptr, i + 1);
    let t = rowDot(v, vb, start, end);
    t *= at(Dr, i);
    ob += t;
    sparseRowAxpy(out, indices, data, start, end, t);
    start = end;
  }
  if (fitB) put(out, cols, ob);
}

// The vector operations of the CG steps over the n ≤ size parameters. The element-wise ones run
// two lanes a step in f64x2 (IEEE per lane, no FMA: the same value for every element); the sums
// stay one running sum in index order, walked with pointers (kernels/lib/sparse-dot.ts says why).
// They were about a sixth of a fit: ~10 passes over 22,944 parameters a CG step.

function dot(a: usize, b: usize): f64 {
  let acc: f64 = 0;
  const stop = a + ((<usize>size) << 3);
  for (let p = a, q = b; p < stop; p += 8, q += 8) acc += load<f64>(p) * load<f64>(q);
  return acc;
}

/** y += alpha · x. */
function axpy(alpha: f64, x: usize, y: usize): void {
  const av = f64x2.splat(alpha);
  const pairs = (<usize>(size & ~1)) << 3;
  for (let o: usize = 0; o < pairs; o += 16) {
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(av, v128.load(x + o))));
  }
  if (size & 1) put(y, size - 1, at(y, size - 1) + alpha * at(x, size - 1));
}

function uTMv(u: usize, v: usize): f64 {
  let acc: f64 = 0;
  const stop = u + ((<usize>size) << 3);
  for (let p = u, m = M, q = v; p < stop; p += 8, m += 8, q += 8) acc += load<f64>(p) * load<f64>(m) * load<f64>(q);
  return acc;
}

function updatePreconditioner(): void {
  const one = f64x2.splat(1 - ALPHA_PCG);
  const a = f64x2.splat(ALPHA_PCG);
  const pairs = (<usize>(size & ~1)) << 3;
  for (let o: usize = 0; o < pairs; o += 16) v128.store(M + o, f64x2.add(one, f64x2.mul(a, v128.load(diag + o))));
  if (size & 1) put(M, size - 1, 1 - ALPHA_PCG + ALPHA_PCG * at(diag, size - 1));
}

/** out = x / M, element-wise. */
function divideByM(x: usize, out: usize): void {
  const pairs = (<usize>(size & ~1)) << 3;
  for (let o: usize = 0; o < pairs; o += 16) v128.store(out + o, f64x2.div(v128.load(x + o), v128.load(M + o)));
  if (size & 1) put(out, size - 1, at(x, size - 1) / at(M, size - 1));
}

let reachBoundary: bool = false;

/** Preconditioned CG on the trust region; returns the number of Hessian-vector products. */
function trpcg(delta: f64): i32 {
  memory.fill(s, 0, (<usize>size) << 3);
  const pairs = (<usize>(size & ~1)) << 3;
  for (let o: usize = 0; o < pairs; o += 16) v128.store(r + o, f64x2.neg(v128.load(g + o)));
  if (size & 1) put(r, size - 1, -at(g, size - 1));
  divideByM(r, zv);
  memory.copy(dv, zv, (<usize>size) << 3);
  let zTr = dot(zv, r);
  const gMinvNorm = Math.sqrt(zTr);
  const cgtol = Math.min(EPS_CG, Math.sqrt(gMinvNorm));
  const maxCgIter = size > 5 ? size : 5;
  let cgIter = 0;
  reachBoundary = false;
  while (cgIter < maxCgIter) {
    if (Math.sqrt(zTr) <= cgtol * gMinvNorm) break;
    cgIter++;
    hessVec(dv, Hd);
    const dHd = dot(dv, Hd);
    if (dHd <= 1e-16) break;
    let alpha = zTr / dHd;
    axpy(alpha, dv, s);
    const sMnorm = Math.sqrt(uTMv(s, s));
    if (sMnorm > delta) {
      axpy(-alpha, dv, s);
      const sTMd = uTMv(s, dv);
      const sTMs = uTMv(s, s);
      const dTMd = uTMv(dv, dv);
      const dsq = delta * delta;
      const rad = Math.sqrt(sTMd * sTMd + dTMd * (dsq - sTMs));
      alpha = sTMd >= 0 ? (dsq - sTMs) / (sTMd + rad) : (rad - sTMd) / dTMd;
      axpy(alpha, dv, s);
      axpy(-alpha, Hd, r);
      reachBoundary = true;
      return cgIter;
    }
    axpy(-alpha, Hd, r);
    divideByM(r, zv);
    const zTrNew = dot(zv, r);
    const beta = zTrNew / zTr;
    const bv = f64x2.splat(beta);
    for (let o: usize = 0; o < pairs; o += 16) v128.store(dv + o, f64x2.add(v128.load(zv + o), f64x2.mul(bv, v128.load(dv + o))));
    if (size & 1) put(dv, size - 1, at(zv, size - 1) + beta * at(dv, size - 1));
    zTr = zTrNew;
  }
  return cgIter;
}

/** Minimises the objective from w (in place); results in the exported globals. */
export function tron(w: usize, tol: f64, maxIter: i32): void {
  let gnorm0: f64 = NaN;
  let nonZero = false;
  for (let i = 0; i < size; i++) if (at(w, i) != 0) nonZero = true;
  if (nonZero) {
    for (let i = 0; i < size; i++) put(wNew, i, 0);
    value(wNew);
    gradient(wNew, g);
    gnorm0 = Math.sqrt(dot(g, g));
  }
  let f = value(w);
  gradient(w, g);
  let gnorm = Math.sqrt(dot(g, g));
  if (isNaN(gnorm0)) gnorm0 = gnorm;
  resultGnorm0 = gnorm0;
  if (!isFinite(f) || !isFinite(gnorm) || !isFinite(gnorm0)) {
    resultF = f;
    resultGnorm = gnorm;
    resultIterations = 0;
    resultInner = 0;
    resultStatus = 1;
    return;
  }
  updatePreconditioner();
  let delta = Math.sqrt(uTMv(g, g));
  let deltaAdjusted = false;
  let iter = 1;
  let inner = 0;
  if (notify) onIteration(0, f, w);
  let converged = gnorm <= tol * gnorm0;
  let status = 0;
  while (iter <= maxIter && !converged) {
    inner += trpcg(delta);
    const pairs = (<usize>(size & ~1)) << 3;
    for (let o: usize = 0; o < pairs; o += 16) v128.store(wNew + o, f64x2.add(v128.load(w + o), v128.load(s + o)));
    if (size & 1) put(wNew, size - 1, at(w, size - 1) + at(s, size - 1));
    const gs = dot(g, s);
    const prered = -0.5 * (gs - dot(s, r));
    const fNew = value(wNew);
    if (!isFinite(fNew)) {
      status = 2;
      resultBadValue = fNew;
      break;
    }
    const actred = f - fNew;
    const sMnorm = Math.sqrt(uTMv(s, s));
    if (iter == 1 && !deltaAdjusted) {
      delta = Math.min(delta, sMnorm);
      deltaAdjusted = true;
    }
    const alpha = fNew - f - gs <= 0 ? SIGMA3 : Math.max(SIGMA1, -0.5 * (gs / (fNew - f - gs)));
    if (actred < ETA0 * prered) delta = Math.min(alpha * sMnorm, SIGMA2 * delta);
    else if (actred < ETA1 * prered) delta = Math.max(SIGMA1 * delta, Math.min(alpha * sMnorm, SIGMA2 * delta));
    else if (actred < ETA2 * prered) delta = Math.max(SIGMA1 * delta, Math.min(alpha * sMnorm, SIGMA3 * delta));
    else if (reachBoundary) delta = SIGMA3 * delta;
    else delta = Math.max(delta, Math.min(alpha * sMnorm, SIGMA3 * delta));

    if (actred > ETA0 * prered) {
      memory.copy(w, wNew, (<usize>size) << 3);
      f = fNew;
      gradient(w, g);
      updatePreconditioner();
      gnorm = Math.sqrt(dot(g, g));
      if (notify) onIteration(iter, f, w);
      iter++;
      if (!isFinite(gnorm)) {
        status = 3;
        break;
      }
      if (gnorm <= tol * gnorm0) {
        converged = true;
        break;
      }
    }
    if (prered <= 0 || (Math.abs(actred) <= 1e-12 * Math.abs(f) && Math.abs(prered) <= 1e-12 * Math.abs(f))) {
      converged = gnorm <= PRECISION_FLOOR * gnorm0;
      if (!converged) status = 4;
      break;
    }
  }
  resultF = f;
  resultGnorm = gnorm;
  resultIterations = iter - 1;
  resultInner = inner;
  resultStatus = converged ? 0 : status == 0 ? 5 : status;
}
export { firstNonFinite } from "./lib/value-checks";
