// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/naive-bayes.wasm.
// The passes over X of a naive Bayes fit (src/models/naive-bayes.ts holds the JavaScript
// reference): the value checks, the per-class feature counts (same additions in the same order,
// so bit-identical), and the binary training losses (log1p/exp are musl's, not V8's: equal to
// rounding). The caller copies X into the module's memory once and passes byte offsets.

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, store)

export { firstNonFinite, firstNegative } from "./lib/value-checks";

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + ((<usize>i) << 3));
}
@inline function put(p: usize, i: i32, x: f64): void {
  store<f64>(p + ((<usize>i) << 3), x);
}
@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + ((<usize>i) << 2));
}

/**
 * featureCount[c·cols + j] += (weighted ? s_i · x : x) and classCount[c] += s_i over the rows
 * (both arrays zeroed by the caller), in row order like the reference.
 */
export function counts(
  rows: i32,
  cols: i32,
  pIndptr: usize,
  pIndices: usize,
  pData: usize,
  pY: usize,
  pSw: usize,
  weighted: bool,
  pFeatureCount: usize,
  pClassCount: usize,
): void {
  for (let i = 0; i < rows; i++) {
    const c = idx(pY, i);
    const s = at(pSw, i);
    put(pClassCount, c, at(pClassCount, c) + s);
    const o = c * cols;
    // Two pointers with constant steps (kernels/lib/sparse-dot.ts says why); same additions.
    const start = idx(pIndptr, i);
    const stop = pIndices + ((<usize>idx(pIndptr, i + 1)) << 2);
    let pd = pData + ((<usize>start) << 3);
    for (let pi = pIndices + ((<usize>start) << 2); pi < stop; pi += 4, pd += 8) {
      const x = load<f64>(pd);
      const q = pFeatureCount + ((<usize>(o + load<i32>(pi))) << 3);
      store<f64>(q, load<f64>(q) + (weighted ? s * x : x));
    }
  }
}

@inline function logOnePlusExpNeg(m: f64): f64 {
  return m >= 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
}

/** −log P(y_i | x_i) of a two-class model with log-odds m = bias + x_i · delta, capped at `cap`. */
export function binaryLosses(
  rows: i32,
  pIndptr: usize,
  pIndices: usize,
  pData: usize,
  pDelta: usize,
  bias: f64,
  pY: usize,
  cap: f64,
  pOut: usize,
): void {
  for (let i = 0; i < rows; i++) {
    let m = bias;
    const start = idx(pIndptr, i);
    const stop = pIndices + ((<usize>idx(pIndptr, i + 1)) << 2);
    let pd = pData + ((<usize>start) << 3);
    for (let pi = pIndices + ((<usize>start) << 2); pi < stop; pi += 4, pd += 8) {
      m += load<f64>(pd) * load<f64>(pDelta + ((<usize>load<i32>(pi)) << 3));
    }
    put(pOut, i, Math.min(logOnePlusExpNeg(idx(pY, i) == 1 ? m : -m), cap));
  }
}

/** Whole counts below this have their log(count + alpha) remembered (multinomialLogProb). */
const LOG_CACHE: i32 = 4096;

/**
 * Multinomial naive Bayes: flp[c·cols + j] = log(count + alpha) − log Σ_j (count + alpha), as the
 * reference computes it (musl's log). Counts of words are mostly small whole numbers, and a log
 * was ~15 ns of the ~20 ns per entry: log(count + alpha) of a whole count below LOG_CACHE is
 * computed once and remembered in pCache (LOG_CACHE f64, any content), the same log of the same
 * argument, so every value is bit-identical.
 */
export function multinomialLogProb(K: i32, cols: i32, alpha: f64, pFeatureCount: usize, pFlp: usize, pCache: usize): void {
  for (let q = 0; q < LOG_CACHE; q++) put(pCache, q, NaN);
  for (let c = 0; c < K; c++) {
    const o = c * cols;
    let total: f64 = 0;
    for (let j = 0; j < cols; j++) total += at(pFeatureCount, o + j) + alpha;
    const logTotal = Math.log(total);
    for (let j = 0; j < cols; j++) {
      const count = at(pFeatureCount, o + j);
      let logged: f64;
      if (count >= 0 && count < <f64>LOG_CACHE && count == Math.floor(count)) {
        const q = <i32>count;
        logged = at(pCache, q);
        if (isNaN(logged)) {
          logged = Math.log(count + alpha);
          put(pCache, q, logged);
        }
      } else {
        logged = Math.log(count + alpha);
      }
      put(pFlp, o + j, logged - logTotal);
    }
  }
}

/** weights[j·K + c] = flp[c·cols + j] (feature-major, what scoring reads). */
export function featureMajor(K: i32, cols: i32, pFlp: usize, pWeights: usize): void {
  for (let c = 0; c < K; c++) for (let j = 0; j < cols; j++) put(pWeights, j * K + c, at(pFlp, c * cols + j));
}

/** delta[j] = weights[2j + 1] − weights[2j] (two classes: the log-odds weights). */
export function binaryDelta(cols: i32, pWeights: usize, pDelta: usize): void {
  for (let j = 0; j < cols; j++) put(pDelta, j, at(pWeights, 2 * j + 1) - at(pWeights, 2 * j));
}
