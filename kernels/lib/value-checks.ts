// AssemblyScript: scans of stored values shared by the kernels that check X on their own copy
// (naive-bayes) and by kernels/value-checks.ts. Not a kernel of its own: kernels import it.

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, v128)

/** Index of the first NaN or ±Infinity among the n values at pData, or -1. */
export function firstNonFinite(pData: usize, n: i32): i32 {
  // x − x is 0 for a finite x and NaN otherwise; two lanes at a time, then find the culprit.
  const blocks = n & ~1;
  for (let k = 0; k < blocks; k += 2) {
    const x = v128.load(pData + ((<usize>k) << 3));
    const z = f64x2.sub(x, x);
    if (!i64x2.all_true(f64x2.eq(z, z))) return isFinite(load<f64>(pData + ((<usize>k) << 3))) ? k + 1 : k;
  }
  for (let k = blocks; k < n; k++) if (!isFinite(load<f64>(pData + ((<usize>k) << 3)))) return k;
  return -1;
}

/** Index of the first negative value among the n values at pData, or -1 (−0 and NaN are not negative). */
export function firstNegative(pData: usize, n: i32): i32 {
  // Two lanes at a time, as firstNonFinite: x < 0 is false for −0 and NaN in both forms.
  const zero = f64x2.splat(0);
  const blocks = n & ~1;
  for (let k = 0; k < blocks; k += 2) {
    if (v128.any_true(f64x2.lt(v128.load(pData + ((<usize>k) << 3)), zero))) {
      return load<f64>(pData + ((<usize>k) << 3)) < 0 ? k : k + 1;
    }
  }
  for (let k = blocks; k < n; k++) if (load<f64>(pData + ((<usize>k) << 3)) < 0) return k;
  return -1;
}
