// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/gbdt-binning.wasm.
// The passes over X of gradient boosting's binning (src/models/histogram-binning.ts holds the
// JavaScript reference): the chosen rows' stored values gathered column by column and each column
// sorted (fitBinEdges; the thresholds themselves are computed in JavaScript from the sorted
// columns), and the binary search that puts each stored value in its bin (binMatrix, dense layout).
// The sort orders doubles exactly as Float64Array.prototype.sort does (−0 before +0; X has no
// NaN), and the search makes the reference's comparisons: bit-identical results.
//
// Memory layout is set by the caller (src/models/kernels/gbdt-binning-wasm.ts), which passes byte
// offsets; rowIds = 0 means every row, in order.

// @ts-nocheck: AssemblyScript types (i32, u64, f64, usize) and builtins (load, store)

@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + ((<usize>i) << 2));
}
@inline function rowAt(rowIds: usize, s: i32): i32 {
  return rowIds == 0 ? s : idx(rowIds, s);
}

/**
 * The stored values of rows rowIds[0 .. nRows) (or 0 .. nRows) grouped by column, each column in
 * row order: colStart (d + 1 i32, zeroed by the caller) gets the column offsets, values the values.
 */
export function gatherColumns(
  nRows: i32,
  d: i32,
  pIndptr: usize,
  pIndices: usize,
  pData: usize,
  pRowIds: usize,
  pColStart: usize,
  pFill: usize,
  pValues: usize,
): void {
  for (let s = 0; s < nRows; s++) {
    const i = rowAt(pRowIds, s);
    const end = idx(pIndptr, i + 1);
    for (let p = idx(pIndptr, i); p < end; p++) {
      const c = pColStart + ((<usize>(idx(pIndices, p) + 1)) << 2);
      store<i32>(c, load<i32>(c) + 1);
    }
  }
  for (let j = 0; j < d; j++) {
    const c = pColStart + ((<usize>j) << 2);
    store<i32>(c, load<i32>(c, 4) + load<i32>(c), 4);
  }
  memory.copy(pFill, pColStart, (<usize>d) << 2);
  for (let s = 0; s < nRows; s++) {
    const i = rowAt(pRowIds, s);
    const end = idx(pIndptr, i + 1);
    for (let p = idx(pIndptr, i); p < end; p++) {
      const c = pFill + ((<usize>idx(pIndices, p)) << 2);
      const at = load<i32>(c);
      store<i32>(c, at + 1);
      store<f64>(pValues + ((<usize>at) << 3), load<f64>(pData + ((<usize>p) << 3)));
    }
  }
}

/** A double's bits as an unsigned key in the order of Float64Array.prototype.sort (−0 < +0). */
@inline function sortKey(x: f64): u64 {
  const bits = reinterpret<u64>(x);
  return (bits >> 63) != 0 ? ~bits : bits | (<u64>1 << 63);
}
@inline function fromSortKey(k: u64): f64 {
  return reinterpret<f64>((k >> 63) != 0 ? k & ~(<u64>1 << 63) : ~k);
}

/**
 * Sorts each column values[colStart[j] .. colStart[j+1]) ascending: least-significant-digit radix
 * sort of the keys, a byte a pass, skipping the bytes that all keys of the column share. `scratch`
 * holds as many u64 as the longest column; `counts` 8 × 256 i32.
 */
export function sortColumns(d: i32, pColStart: usize, pValues: usize, pScratch: usize, pCounts: usize): void {
  for (let j = 0; j < d; j++) {
    const start = idx(pColStart, j);
    const n = idx(pColStart, j + 1) - start;
    if (n < 2) continue;
    let a = pValues + ((<usize>start) << 3);
    let b = pScratch;
    memory.fill(pCounts, 0, 8 * 256 * 4);
    for (let k = 0; k < n; k++) {
      const key = sortKey(load<f64>(a + ((<usize>k) << 3)));
      store<u64>(a + ((<usize>k) << 3), key);
      for (let byte = 0; byte < 8; byte++) {
        const c = pCounts + ((<usize>((byte << 8) | <i32>((key >> (<u64>(byte << 3))) & 0xff))) << 2);
        store<i32>(c, load<i32>(c) + 1);
      }
    }
    for (let byte = 0; byte < 8; byte++) {
      const counts = pCounts + ((<usize>(byte << 8)) << 2);
      // A byte shared by every key leaves the order as it is.
      const first = <i32>((load<u64>(a) >> (<u64>(byte << 3))) & 0xff);
      if (load<i32>(counts + ((<usize>first) << 2)) == n) continue;
      let sum = 0;
      for (let v = 0; v < 256; v++) {
        const c = counts + ((<usize>v) << 2);
        const t = load<i32>(c);
        store<i32>(c, sum);
        sum += t;
      }
      for (let k = 0; k < n; k++) {
        const key = load<u64>(a + ((<usize>k) << 3));
        const c = counts + ((<usize>(<i32>((key >> (<u64>(byte << 3))) & 0xff))) << 2);
        const to = load<i32>(c);
        store<i32>(c, to + 1);
        store<u64>(b + ((<usize>to) << 3), key);
      }
      const t = a;
      a = b;
      b = t;
    }
    const out = pValues + ((<usize>start) << 3);
    for (let k = 0; k < n; k++) store<f64>(out + ((<usize>k) << 3), fromSortKey(load<u64>(a + ((<usize>k) << 3))));
  }
}

/**
 * Bin of x among thresholds[lo .. hi): the number of thresholds < x, which binOf finds by a binary
 * search. Branch-free (Khuong and Morin's form): the searches of consecutive values overlap instead
 * of waiting for mispredicted branches (measured ~4× faster than the branching search here). The
 * thresholds are sorted, so both searches find the same count.
 */
@inline function binOf(pThresholds: usize, lo: i32, hi: i32, x: f64): i32 {
  let n = hi - lo;
  if (n == 0) return 0;
  let base = pThresholds + ((<usize>lo) << 3);
  while (n > 1) {
    const half = n >> 1;
    base = select<usize>(base + ((<usize>half) << 3), base, load<f64>(base + ((<usize>half) << 3)) < x);
    n -= half;
  }
  return <i32>((base - pThresholds) >> 3) - lo + <i32>(load<f64>(base) < x);
}

/**
 * The dense binned rows: row s of the output (d bytes at pBins + s·d) is the features' zero bins
 * with row rowIds[s]'s stored values binned over them.
 */
export function binDense(
  nRows: i32,
  d: i32,
  pIndptr: usize,
  pIndices: usize,
  pData: usize,
  pRowIds: usize,
  pOffset: usize,
  pThresholds: usize,
  pZeroBin: usize,
  pBins: usize,
): void {
  for (let s = 0; s < nRows; s++) {
    const i = rowAt(pRowIds, s);
    const o = pBins + <usize>s * <usize>d;
    memory.copy(o, pZeroBin, <usize>d);
    const end = idx(pIndptr, i + 1);
    for (let p = idx(pIndptr, i); p < end; p++) {
      const f = idx(pIndices, p);
      const x = load<f64>(pData + ((<usize>p) << 3));
      store<u8>(o + <usize>f, <u8>binOf(pThresholds, idx(pOffset, f), idx(pOffset, f + 1), x));
    }
  }
}
