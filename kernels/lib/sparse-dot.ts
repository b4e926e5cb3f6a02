// AssemblyScript: one sparse row's dot product with a dense vector, and the matching update, shared
// by the kernels whose row updates wait for them (linear-svm-dcd, sgd-epochs). Not a kernel of its
// own: kernels import it.

// @ts-nocheck: AssemblyScript types (usize, i32, f64)

/**
 * Σ_p vec[indices[p]] · data[p] over start ≤ p < end, in four interleaved sums added as
 * (s0 + s1) + (s2 + s3): each row's update waits for this dot product, and one running sum would
 * wait for every addition in turn (rowDot in src/models/sparse-linear.ts sums in the same order).
 * The row is walked with two pointers and constant offsets: indexing each load as base + (p << k)
 * cost V8's code a shift and an add per load (wasm addresses are 32-bit sums, so they are not
 * folded into the x64 addressing mode); the arithmetic and its order are unchanged.
 */
@inline export function sparseRowDot(vec: usize, indices: usize, data: usize, start: i32, end: i32): f64 {
  let s0: f64 = 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let s3: f64 = 0;
  let pi = indices + ((<usize>start) << 2);
  let pd = data + ((<usize>start) << 3);
  const stop4 = indices + ((<usize>(end - 3 > start ? end - 3 : start)) << 2);
  const stop = indices + ((<usize>end) << 2);
  // Blocks of four while p + 3 < end, as the indexed loop did.
  for (; pi < stop4; pi += 16, pd += 32) {
    s0 += load<f64>(vec + ((<usize>load<i32>(pi)) << 3)) * load<f64>(pd);
    s1 += load<f64>(vec + ((<usize>load<i32>(pi, 4)) << 3)) * load<f64>(pd, 8);
    s2 += load<f64>(vec + ((<usize>load<i32>(pi, 8)) << 3)) * load<f64>(pd, 16);
    s3 += load<f64>(vec + ((<usize>load<i32>(pi, 12)) << 3)) * load<f64>(pd, 24);
  }
  for (; pi < stop; pi += 4, pd += 8) s0 += load<f64>(vec + ((<usize>load<i32>(pi)) << 3)) * load<f64>(pd);
  return s0 + s1 + (s2 + s3);
}

/** vec[indices[p]] += step · data[p] over start ≤ p < end, in index order (two pointers, as above, four at a time). */
@inline export function sparseRowAxpy(vec: usize, indices: usize, data: usize, start: i32, end: i32, step: f64): void {
  let pi = indices + ((<usize>start) << 2);
  let pd = data + ((<usize>start) << 3);
  const stop4 = indices + ((<usize>(end - 3 > start ? end - 3 : start)) << 2);
  const stop = indices + ((<usize>end) << 2);
  for (; pi < stop4; pi += 16, pd += 32) {
    const q0 = vec + ((<usize>load<i32>(pi)) << 3);
    store<f64>(q0, load<f64>(q0) + step * load<f64>(pd));
    const q1 = vec + ((<usize>load<i32>(pi, 4)) << 3);
    store<f64>(q1, load<f64>(q1) + step * load<f64>(pd, 8));
    const q2 = vec + ((<usize>load<i32>(pi, 8)) << 3);
    store<f64>(q2, load<f64>(q2) + step * load<f64>(pd, 16));
    const q3 = vec + ((<usize>load<i32>(pi, 12)) << 3);
    store<f64>(q3, load<f64>(q3) + step * load<f64>(pd, 24));
  }
  for (; pi < stop; pi += 4, pd += 8) {
    const q = vec + ((<usize>load<i32>(pi)) << 3);
    store<f64>(q, load<f64>(q) + step * load<f64>(pd));
  }
}
