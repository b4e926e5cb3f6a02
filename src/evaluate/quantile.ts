/**
 * numpy's default ("linear") percentile, reproduced operation for operation. Bit-exactness matters
 * where a percentile becomes a bin edge (quantile calibration bins): a value equal to an edge falls
 * in the lower bin, so an edge one ulp off would move examples between bins.
 */

/** numpy's `_lerp`: the two-sided form keeps the result exact at both ends. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** `np.percentile(values, q)` for q in [0, 100], on values already sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const quantile = q / 100;
  const virtual = (n - 1) * quantile;
  if (virtual >= n - 1) return sorted[n - 1]!;
  if (virtual <= 0) return sorted[0]!;
  const previous = Math.floor(virtual);
  return lerp(sorted[previous]!, sorted[previous + 1]!, virtual - previous);
}

/** `np.linspace(0, 1, count)` with numpy's arithmetic (i · step, last point exactly 1). */
export function unitLinspace(count: number): Float64Array {
  const out = new Float64Array(count);
  const step = 1 / (count - 1);
  for (let i = 0; i < count; i++) out[i] = i * step;
  out[count - 1] = 1;
  return out;
}
