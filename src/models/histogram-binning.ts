/**
 * Quantile binning for histogram gradient boosting, as scikit-learn's _BinMapper does it: per
 * feature, a feature with at most `maxBins` distinct training values gets one bin per value (the
 * thresholds are the midpoints between consecutive values); otherwise the thresholds are the
 * 1/maxBins … (maxBins−1)/maxBins percentiles (numpy's "midpoint" method). A value x falls in bin
 * #{thresholds < x}, so a tree that sends bin ≤ b left sends x ≤ thresholds[b] left: trees learnt
 * on bins predict on raw values.
 *
 * Sparse input: an implicit zero is a value like any other. Thresholds are found from each column's
 * sorted nonzeros with the zeros counted in (no dense copy of a column), and the binned matrix is
 * built in one pass over the CSR entries: dense (every row filled with the features' zero bins,
 * then its nonzeros scattered) or, for sparse input, only the entries outside their zero bin.
 *
 * The column sorts and the dense layout's binning run in WebAssembly (kernels/gbdt-binning.ts)
 * unless MLLOOP_KERNELS=js; the JavaScript here is their reference, and both give the same bits.
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import { binDenseWasm, binningFitsWasm, sortedColumnsWasm } from "./kernels/gbdt-binning-wasm.js";
import { kernelBackend } from "./kernels/wasm-kernels.js";

/** sklearn's ALMOST_INF: thresholds are clipped so that they stay finite (and JSON-safe). */
const ALMOST_INF = 1e300;

/** Bin edges of every feature, flat: feature f's thresholds are thresholds[offset[f] .. offset[f+1]). */
export interface BinEdges {
  readonly nFeatures: number;
  readonly offset: Int32Array;
  readonly thresholds: Float64Array;
}

interface BinnedCommon {
  readonly rows: number;
  readonly cols: number;
  /** Number of bins of each feature (thresholds + 1); a feature with one bin cannot be split. */
  readonly nBins: Int32Array;
  /** The bin of the value 0, per feature. */
  readonly zeroBin: Uint8Array;
}

/**
 * Binned rows, row-major (feature f of row i at i·cols + f). Row-major because the histogram pass
 * reads a row's gradient and hessian once and then its bins contiguously: measured about twice as
 * fast as one pass per column over a column-major matrix (10,000 × 20, half the rows in the node).
 */
export interface DenseBinned extends BinnedCommon {
  readonly layout: "dense";
  readonly bins: Uint8Array;
}

/**
 * Binned sparse rows: per row, only the features whose bin is not their zero bin (CSR-like, sorted
 * by feature). A histogram then costs the node's stored entries plus one pass over the bins (each
 * feature's zero bin is the node's totals minus its other bins), not rows × features: what makes
 * boosting on a text vocabulary practical.
 */
export interface SparseBinned extends BinnedCommon {
  readonly layout: "sparse";
  readonly indptr: Int32Array;
  readonly feature: Int32Array;
  readonly bin: Uint8Array;
}

export type BinnedMatrix = DenseBinned | SparseBinned;

/** Stored entries per cell at or below which binMatrix's "auto" layout is sparse. */
export const SPARSE_LAYOUT_DENSITY = 0.25;

/** Bin of feature f in row i (a binary search over the row's entries in the sparse layout). */
export function binAt(X: BinnedMatrix, i: number, f: number): number {
  if (X.layout === "dense") return X.bins[i * X.cols + f]!;
  let lo = X.indptr[i]!;
  let hi = X.indptr[i + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const g = X.feature[mid]!;
    if (g === f) return X.bin[mid]!;
    if (g < f) lo = mid + 1;
    else hi = mid;
  }
  return X.zeroBin[f]!;
}

/** Largest binned matrix we build (bytes): beyond it the memory and the per-node passes are unreasonable. */
export const MAX_BINNED_CELLS = 2 ** 31 - 1;

/** Throws when an n × d binned matrix would exceed MAX_BINNED_CELLS bytes. */
export function checkBinnedSize(n: number, d: number, family: string): void {
  if (n * d > MAX_BINNED_CELLS) {
    throw new ModelError(
      `${family}: ${n.toLocaleString("en-US")} rows × ${d.toLocaleString("en-US")} features is too large to bin (${((n * d) / 2 ** 30).toFixed(1)} GiB as one byte per cell; at most 2 GiB); gradient boosting is for tabular and dense feature families — use fewer features (e.g. a smaller words vocabulary) or a linear model`,
    );
  }
}

/** numpy.linspace(0, 100, maxBins + 1)[1:-1] / 100, computed as numpy does. */
function percentileFractions(maxBins: number): Float64Array {
  const step = 100 / maxBins;
  const q = new Float64Array(maxBins - 1);
  for (let i = 1; i < maxBins; i++) q[i - 1] = (i * step) / 100;
  return q;
}

/**
 * The value of rank r (0-based) in the sorted column made of `sorted` (the stored entries, sorted
 * ascending) and `zeros` implicit zeros; `negatives` is how many stored entries are < 0.
 */
function valueAtRank(sorted: Float64Array, negatives: number, zeros: number, r: number): number {
  if (r < negatives) return sorted[r]!;
  if (r < negatives + zeros) return 0;
  return sorted[r - zeros]!;
}

/** numpy's _lerp(a, b, t) (the form it uses for t ≥ 0.5 keeps b exact at t = 1). */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Thresholds of one column given its sorted stored values and its number of implicit zeros. */
function columnThresholds(sorted: Float64Array, zeros: number, maxBins: number, q: Float64Array): number[] {
  let negatives = 0;
  while (negatives < sorted.length && sorted[negatives]! < 0) negatives++;
  const n = sorted.length + zeros;
  const distinct: number[] = [];
  let last = NaN;
  const push = (v: number): boolean => {
    if (v !== last) {
      distinct.push(v);
      last = v;
      if (distinct.length > maxBins) return false;
    }
    return true;
  };
  let many = false;
  for (let r = 0; r < n && !many; r++) {
    // Runs of zeros are skipped in one step: only their first value matters here.
    if (r === negatives && zeros > 0) {
      many = !push(0);
      r += zeros - 1;
      continue;
    }
    many = !push(valueAtRank(sorted, negatives, zeros, r));
  }
  const out: number[] = [];
  if (!many) {
    for (let k = 0; k + 1 < distinct.length; k++) out.push((distinct[k]! + distinct[k + 1]!) * 0.5);
  } else {
    for (let k = 0; k < q.length; k++) {
      // numpy's method="midpoint": virtual index ½(⌊(n−1)q⌋ + ⌈(n−1)q⌉), γ = 0.5 unless it is integral.
      const pos = (n - 1) * q[k]!;
      const virtual = 0.5 * (Math.floor(pos) + Math.ceil(pos));
      const gamma = virtual % 1 === 0 ? 0 : 0.5;
      const lo = virtual >= n - 1 ? n - 1 : Math.floor(virtual);
      const hi = virtual >= n - 1 ? n - 1 : lo + 1;
      out.push(lerp(valueAtRank(sorted, negatives, zeros, lo), valueAtRank(sorted, negatives, zeros, hi), gamma));
    }
  }
  for (let k = 0; k < out.length; k++) if (out[k]! > ALMOST_INF) out[k] = ALMOST_INF;
  return out;
}

/**
 * The stored values of the rows `rowIds` (all when null) grouped by column (a CSC pass), each
 * column sorted ascending: column j is values[colStart[j] .. colStart[j+1]). The JavaScript
 * reference of sortedColumnsWasm (kernels/gbdt-binning.ts), whose radix sort orders the values as
 * Float64Array.prototype.sort does; V8's typed-array sort measured ~2 ms a 16,000-value column.
 */
export function sortedColumns(X: CsrMatrix, rowIds: Int32Array | null): { colStart: Int32Array; values: Float64Array } {
  const d = X.cols;
  const { indptr, indices, data } = X;
  const nRows = rowIds === null ? X.rows : rowIds.length;
  const colStart = new Int32Array(d + 1);
  for (let s = 0; s < nRows; s++) {
    const i = rowIds === null ? s : rowIds[s]!;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) colStart[indices[p]! + 1]!++;
  }
  for (let j = 0; j < d; j++) colStart[j + 1]! += colStart[j]!;
  const values = new Float64Array(colStart[d]!);
  const fill = colStart.slice(0, d);
  for (let s = 0; s < nRows; s++) {
    const i = rowIds === null ? s : rowIds[s]!;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) values[fill[indices[p]!]!++] = data[p]!;
  }
  for (let j = 0; j < d; j++) values.subarray(colStart[j]!, colStart[j + 1]!).sort();
  return { colStart, values };
}

/** Bin edges of every column of X over the rows `rowIds` (all rows when null). */
export function fitBinEdges(X: CsrMatrix, maxBins: number, rowIds: Int32Array | null = null): BinEdges {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) {
    throw new ModelError(`max_bins = ${maxBins}; allowed: an integer from 2 to 255`);
  }
  const d = X.cols;
  const nRows = rowIds === null ? X.rows : rowIds.length;
  const { colStart, values } =
    kernelBackend("gbdt-binning") === "wasm" && binningFitsWasm(X, rowIds)
      ? sortedColumnsWasm(X, rowIds)
      : sortedColumns(X, rowIds);
  const q = percentileFractions(maxBins);
  const offset = new Int32Array(d + 1);
  const parts: number[][] = [];
  for (let j = 0; j < d; j++) {
    const column = values.subarray(colStart[j]!, colStart[j + 1]!);
    const t = columnThresholds(column, nRows - column.length, maxBins, q);
    parts.push(t);
    offset[j + 1] = offset[j]! + t.length;
  }
  const thresholds = new Float64Array(offset[d]!);
  parts.forEach((t, j) => thresholds.set(t, offset[j]!));
  return { nFeatures: d, offset, thresholds };
}

/** Bin of value x among thresholds[lo .. hi): the number of thresholds < x (sklearn's binary search). */
export function binOf(thresholds: Float64Array, lo: number, hi: number, x: number): number {
  let left = lo;
  let right = hi;
  while (left < right) {
    const middle = left + ((right - left - 1) >> 1);
    if (x <= thresholds[middle]!) right = middle;
    else left = middle + 1;
  }
  return left - lo;
}

/**
 * The rows `rowIds` of X (all when null) binned with `edges`. "auto" chooses the sparse layout when
 * X stores at most SPARSE_LAYOUT_DENSITY of its cells (text features), else the dense one.
 */
export function binMatrix(
  X: CsrMatrix,
  edges: BinEdges,
  rowIds: Int32Array | null = null,
  family = "gradient_boosting",
  layout: "auto" | "dense" | "sparse" = "auto",
): BinnedMatrix {
  const d = edges.nFeatures;
  if (X.cols !== d) throw new ModelError(`${family}: X has ${X.cols} columns but the bins were fitted on ${d}`);
  const n = rowIds === null ? X.rows : rowIds.length;
  const { offset, thresholds } = edges;
  const { indptr, indices, data } = X;
  const nBins = new Int32Array(d);
  const zeroBin = new Uint8Array(d);
  let anyZeroBin = false;
  for (let f = 0; f < d; f++) {
    nBins[f] = offset[f + 1]! - offset[f]! + 1;
    zeroBin[f] = binOf(thresholds, offset[f]!, offset[f + 1]!, 0);
    if (zeroBin[f] !== 0) anyZeroBin = true;
  }
  let nnz = 0;
  for (let s = 0; s < n; s++) {
    const i = rowIds === null ? s : rowIds[s]!;
    nnz += indptr[i + 1]! - indptr[i]!;
  }
  const sparse = layout === "sparse" || (layout === "auto" && nnz <= SPARSE_LAYOUT_DENSITY * n * d);
  if (sparse) {
    const outPtr = new Int32Array(n + 1);
    const feature = new Int32Array(nnz);
    const bin = new Uint8Array(nnz);
    let at = 0;
    for (let s = 0; s < n; s++) {
      const i = rowIds === null ? s : rowIds[s]!;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
        const f = indices[p]!;
        const b = binOf(thresholds, offset[f]!, offset[f + 1]!, data[p]!);
        // A stored value in the zero bin (an explicit 0, or a value next to 0) is what a missing entry means.
        if (b === zeroBin[f]) continue;
        feature[at] = f;
        bin[at] = b;
        at++;
      }
      outPtr[s + 1] = at;
    }
    return {
      layout: "sparse",
      rows: n,
      cols: d,
      nBins,
      zeroBin,
      indptr: outPtr,
      feature: feature.slice(0, at),
      bin: bin.slice(0, at),
    };
  }
  checkBinnedSize(n, d, family);
  if (kernelBackend("gbdt-binning") === "wasm" && binningFitsWasm(X, rowIds, n * d)) {
    const bins = binDenseWasm(X, rowIds, offset, thresholds, zeroBin);
    return { layout: "dense", rows: n, cols: d, bins, nBins, zeroBin };
  }
  const bins = new Uint8Array(n * d);
  for (let s = 0; s < n; s++) {
    const i = rowIds === null ? s : rowIds[s]!;
    const o = s * d;
    if (anyZeroBin) bins.set(zeroBin, o);
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
      const f = indices[p]!;
      bins[o + f] = binOf(thresholds, offset[f]!, offset[f + 1]!, data[p]!);
    }
  }
  return { layout: "dense", rows: n, cols: d, bins, nBins, zeroBin };
}
