/**
 * Naive Bayes' counting pass in WebAssembly (kernels/naive-bayes-counts.ts), bit-identical to the
 * JavaScript loop in naive-bayes.ts (test/models/wasm-kernels.test.ts).
 */
import type { CsrMatrix } from "../../features/csr.js";
import { WasmArena } from "./wasm-kernels.js";

/** Adds each row's values (times its weight when `weighted`) to its class's feature sums; returns the smallest value seen (≤ 0). */
export function naiveBayesCountsWasm(
  X: CsrMatrix,
  y: Int32Array,
  sw: Float64Array,
  weighted: boolean,
  featureCount: Float64Array,
  classCount: Float64Array,
): number {
  const { rows, cols } = X;
  const nnz = X.indptr[rows]!;
  const K = classCount.length;
  const arena = new WasmArena("naive-bayes-counts");
  const [indptr, indices, data, yAt, swAt, fc, cc] = arena.layout([
    ["i32", rows + 1],
    ["i32", nnz],
    ["f64", nnz],
    ["i32", rows],
    ["f64", rows],
    ["f64", K * cols],
    ["f64", K],
  ]) as [number, number, number, number, number, number, number];
  arena.viewI32(indptr, rows + 1).set(X.indptr.subarray(0, rows + 1));
  arena.viewI32(indices, nnz).set(X.indices.subarray(0, nnz));
  arena.viewF64(data, nnz).set(X.data.subarray(0, nnz));
  arena.viewI32(yAt, rows).set(y.subarray(0, rows));
  arena.viewF64(swAt, rows).set(sw.subarray(0, rows));
  arena.viewF64(fc, K * cols).set(featureCount);
  arena.viewF64(cc, K).set(classCount);
  const smallest = (arena.exports["counts"] as (...a: number[]) => number)(
    rows,
    cols,
    indptr,
    indices,
    data,
    yAt,
    swAt,
    weighted ? 1 : 0,
    fc,
    cc,
  );
  featureCount.set(arena.viewF64(fc, K * cols));
  classCount.set(arena.viewF64(cc, K));
  return smallest;
}
