// AssemblyScript: one sparse row's dot product with a dense vector, shared by the kernels whose row
// updates wait for it (linear-svm-dcd, sgd-epochs). Not a kernel of its own: kernels import it.

// @ts-nocheck: AssemblyScript types (usize, i32, f64)

/**
 * Σ_p vec[indices[p]] · data[p] over start ≤ p < end, in four interleaved sums added as
 * (s0 + s1) + (s2 + s3): each row's update waits for this dot product, and one running sum would
 * wait for every addition in turn (rowDot in src/models/sparse-linear.ts sums in the same order).
 */
@inline export function sparseRowDot(vec: usize, indices: usize, data: usize, start: i32, end: i32): f64 {
  let s0: f64 = 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let s3: f64 = 0;
  let p = start;
  for (; p + 3 < end; p += 4) {
    s0 += term(vec, indices, data, p);
    s1 += term(vec, indices, data, p + 1);
    s2 += term(vec, indices, data, p + 2);
    s3 += term(vec, indices, data, p + 3);
  }
  for (; p < end; p++) s0 += term(vec, indices, data, p);
  return s0 + s1 + (s2 + s3);
}

@inline function term(vec: usize, indices: usize, data: usize, p: i32): f64 {
  const j = load<i32>(indices + ((<usize>p) << 2));
  return load<f64>(vec + ((<usize>j) << 3)) * load<f64>(data + ((<usize>p) << 3));
}
