/**
 * Gradient boosting's binning passes over X in WebAssembly (kernels/gbdt-binning.ts): the sorted
 * columns that fitBinEdges reads its thresholds from, and the dense binned matrix of binMatrix.
 * The JavaScript references are in histogram-binning.ts; both give the same bits. Each call copies
 * the rows it reads into a pooled instance (the two calls of a fit reuse its memory).
 */
import type { CsrMatrix } from "../../features/csr.js";
import { WasmArena } from "./wasm-kernels.js";

type Fn = (...args: number[]) => void;

/**
 * Module memory (bytes) beyond which the binning stays in JavaScript: a WebAssembly memory holds
 * at most 4 GiB, and a binned matrix may be up to 2 GiB (checkBinnedSize).
 */
const MAX_MODULE_BYTES = 2 ** 31;

/** Whether sortedColumnsWasm (sort) or binDenseWasm (bin, `cells` = rows × features) fits in a module. */
export function binningFitsWasm(X: CsrMatrix, rowIds: Int32Array | null, cells = 0): boolean {
  const nnz = X.indptr[X.rows]!;
  const copy = 4 * (X.rows + 1) + 12 * nnz + 4 * (rowIds?.length ?? 0);
  return copy + (cells > 0 ? cells : 16 * nnz) < MAX_MODULE_BYTES;
}

/** X's CSR arrays (and the chosen rows, if any) copied into `a`; returns their offsets. */
function copyRows(
  a: WasmArena,
  X: CsrMatrix,
  rowIds: Int32Array | null,
  extra: ReadonlyArray<readonly ["f64" | "i32", number]>,
): number[] {
  const { rows } = X;
  const nnz = X.indptr[rows]!;
  const at = a.layout([
    ["i32", rows + 1],
    ["i32", nnz],
    ["f64", nnz],
    ["i32", rowIds === null ? 0 : rowIds.length],
    ...extra,
  ]);
  const [indptr, indices, data, ids] = at as [number, number, number, number];
  a.viewI32(indptr, rows + 1).set(X.indptr.subarray(0, rows + 1));
  a.viewI32(indices, nnz).set(X.indices.subarray(0, nnz));
  a.viewF64(data, nnz).set(X.data.subarray(0, nnz));
  if (rowIds !== null) a.viewI32(ids, rowIds.length).set(rowIds);
  return at;
}

/**
 * The stored values of the rows `rowIds` (all when null) grouped by column, each column sorted
 * ascending: column j is values[colStart[j] .. colStart[j+1]).
 */
export function sortedColumnsWasm(
  X: CsrMatrix,
  rowIds: Int32Array | null,
): { colStart: Int32Array; values: Float64Array } {
  const d = X.cols;
  const nRows = rowIds === null ? X.rows : rowIds.length;
  let stored = 0;
  for (let s = 0; s < nRows; s++) {
    const i = rowIds === null ? s : rowIds[s]!;
    stored += X.indptr[i + 1]! - X.indptr[i]!;
  }
  const a = WasmArena.open("gbdt-binning");
  try {
    const [indptr, indices, data, ids, colStart, fill, values, scratch, counts] = copyRows(a, X, rowIds, [
      ["i32", d + 1],
      ["i32", d],
      ["f64", stored],
      ["f64", stored],
      ["i32", 8 * 256],
    ]) as [number, number, number, number, number, number, number, number, number];
    const e = a.exports;
    (e["gatherColumns"] as Fn)(nRows, d, indptr, indices, data, rowIds === null ? 0 : ids, colStart, fill, values);
    (e["sortColumns"] as Fn)(d, colStart, values, scratch, counts);
    return { colStart: a.viewI32(colStart, d + 1).slice(), values: a.viewF64(values, stored).slice() };
  } finally {
    a.close();
  }
}

/**
 * The rows `rowIds` (all when null) of X binned, row-major (n × d bytes): each row the features'
 * zero bins with its stored values binned over them.
 */
export function binDenseWasm(
  X: CsrMatrix,
  rowIds: Int32Array | null,
  offset: Int32Array,
  thresholds: Float64Array,
  zeroBin: Uint8Array,
): Uint8Array {
  const d = X.cols;
  const n = rowIds === null ? X.rows : rowIds.length;
  const a = WasmArena.open("gbdt-binning");
  try {
    const [indptr, indices, data, ids, offsetAt, thresholdsAt, zeroBinAt, bins] = copyRows(a, X, rowIds, [
      ["i32", d + 1],
      ["f64", thresholds.length],
      ["i32", Math.ceil(d / 4)],
      ["i32", Math.ceil((n * d) / 4)],
    ]) as [number, number, number, number, number, number, number, number];
    a.viewI32(offsetAt, d + 1).set(offset);
    a.viewF64(thresholdsAt, thresholds.length).set(thresholds);
    a.viewU8(zeroBinAt, d).set(zeroBin);
    (a.exports["binDense"] as Fn)(
      n,
      d,
      indptr,
      indices,
      data,
      rowIds === null ? 0 : ids,
      offsetAt,
      thresholdsAt,
      zeroBinAt,
      bins,
    );
    return a.viewU8(bins, n * d).slice();
  } finally {
    a.close();
  }
}
