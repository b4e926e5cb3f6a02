// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/naive-bayes-counts.wasm.
// Naive Bayes' one pass over X: per-class feature sums and class weights, the same additions in
// the same order as the JavaScript reference in src/models/naive-bayes.ts (bit-identical).

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, store)

/** featureCount[y_i·d + j] += (weighted ? s_i·x : x); classCount[y_i] += s_i. Returns the smallest value seen (≤ 0). */
export function counts(
  rows: i32,
  d: i32,
  indptr: usize,
  indices: usize,
  data: usize,
  y: usize,
  sw: usize,
  weighted: bool,
  featureCount: usize,
  classCount: usize,
): f64 {
  let smallest: f64 = 0;
  let start = load<i32>(indptr);
  for (let i = 0; i < rows; i++) {
    const end = load<i32>(indptr + ((<usize>(i + 1)) << 2));
    const c = load<i32>(y + ((<usize>i) << 2));
    const s = load<f64>(sw + ((<usize>i) << 3));
    const cc = classCount + ((<usize>c) << 3);
    store<f64>(cc, load<f64>(cc) + s);
    const o = featureCount + ((<usize>c * <usize>d) << 3);
    for (let p = start; p < end; p++) {
      const x = load<f64>(data + ((<usize>p) << 3));
      if (x < smallest) smallest = x;
      const at = o + ((<usize>load<i32>(indices + ((<usize>p) << 2))) << 3);
      store<f64>(at, load<f64>(at) + (weighted ? s * x : x));
    }
    start = end;
  }
  return smallest;
}
