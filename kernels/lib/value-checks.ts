// AssemblyScript: scans of stored values shared by the kernels that check X on their own copy
// (logistic-tron, sgd-epochs, naive-bayes) and by kernels/value-checks.ts. Not a kernel of its
// own: kernels import it.

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, v128)

/** Index of the first NaN or ±Infinity among the n values at pData, or -1. */
export function firstNonFinite(pData: usize, n: i32): i32 {
  // x − x is 0 for a finite x and NaN otherwise; two lanes a step (a pointer with a constant step:
  // kernels/lib/sparse-dot.ts says why), then find the culprit.
  const stop = pData + ((<usize>(n & ~1)) << 3);
  for (let p = pData; p < stop; p += 16) {
    const x = v128.load(p);
    const z = f64x2.sub(x, x);
    if (!i64x2.all_true(f64x2.eq(z, z))) return <i32>((p - pData) >> 3) + (isFinite(load<f64>(p)) ? 1 : 0);
  }
  for (let k = n & ~1; k < n; k++) if (!isFinite(load<f64>(pData + ((<usize>k) << 3)))) return k;
  return -1;
}

/** Index of the first negative value among the n values at pData, or -1 (−0 and NaN are not negative). */
export function firstNegative(pData: usize, n: i32): i32 {
  // Two lanes a step, as firstNonFinite: x < 0 is false for −0 and NaN in both forms.
  const zero = f64x2.splat(0);
  const stop = pData + ((<usize>(n & ~1)) << 3);
  for (let p = pData; p < stop; p += 16) {
    if (v128.any_true(f64x2.lt(v128.load(p), zero))) return <i32>((p - pData) >> 3) + (load<f64>(p) < 0 ? 0 : 1);
  }
  for (let k = n & ~1; k < n; k++) if (load<f64>(pData + ((<usize>k) << 3)) < 0) return k;
  return -1;
}
