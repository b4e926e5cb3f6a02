/**
 * The passes over X of a naive Bayes fit in WebAssembly (kernels/naive-bayes.ts): X, the labels
 * and the row weights are copied into a pooled instance once; the value checks, the counts and
 * the binary training losses then read that copy. The JavaScript reference is in naive-bayes.ts.
 */
import type { CsrMatrix } from "../../features/csr.js";
import { WasmArena } from "./wasm-kernels.js";

type Fn = (...args: number[]) => number;

export class NaiveBayesPasses {
  private readonly arena = WasmArena.open("naive-bayes");
  private readonly at: { indptr: number; indices: number; data: number; y: number; sw: number };
  private readonly nnz: number;
  private featureCountAt = -1;
  private weightsAt = -1;

  constructor(
    private readonly X: CsrMatrix,
    y: Int32Array,
    sw: Float64Array,
  ) {
    const { rows } = X;
    const nnz = (this.nnz = X.indptr[rows]!);
    const a = this.arena;
    const [indptr, indices, data, yAt, swAt] = a.layout([
      ["i32", rows + 1, "filled"],
      ["i32", nnz, "filled"],
      ["f64", nnz, "filled"],
      ["i32", rows, "filled"],
      ["f64", rows, "filled"],
    ]) as [number, number, number, number, number];
    a.viewI32(indptr, rows + 1).set(X.indptr.subarray(0, rows + 1));
    a.viewI32(indices, nnz).set(X.indices.subarray(0, nnz));
    a.viewF64(data, nnz).set(X.data.subarray(0, nnz));
    a.viewI32(yAt, rows).set(y);
    a.viewF64(swAt, rows).set(sw);
    this.at = { indptr, indices, data, y: yAt, sw: swAt };
  }

  private fn(name: string): Fn {
    return this.arena.exports[name] as Fn;
  }

  /** Index of the first non-finite stored value, or -1. */
  firstNonFinite(): number {
    return this.fn("firstNonFinite")(this.at.data, this.nnz);
  }

  /** Index of the first negative stored value, or -1. */
  firstNegative(): number {
    return this.fn("firstNegative")(this.at.data, this.nnz);
  }

  /** Per-class feature sums (class-major K × cols) and class weights, as the reference counts them. */
  counts(K: number, weighted: boolean): { featureCount: Float64Array; classCount: Float64Array } {
    const { rows, cols } = this.X;
    const [fc, cc] = this.arena.layout([
      ["f64", K * cols],
      ["f64", K],
    ]) as [number, number];
    this.featureCountAt = fc;
    const { indptr, indices, data, y, sw } = this.at;
    this.fn("counts")(rows, cols, indptr, indices, data, y, sw, weighted ? 1 : 0, fc, cc);
    return {
      featureCount: Float64Array.from(this.arena.viewF64(fc, K * cols)),
      classCount: Float64Array.from(this.arena.viewF64(cc, K)),
    };
  }

  /** Multinomial feature log-probabilities (class-major) from the counts of `counts`. */
  multinomialLogProb(K: number, alpha: number): Float64Array {
    const { cols } = this.X;
    if (this.featureCountAt < 0) throw new Error("NaiveBayesPasses: counts first");
    const [flp] = this.arena.layout([["f64", K * cols]]) as [number];
    this.fn("multinomialLogProb")(K, cols, alpha, this.featureCountAt, flp);
    return Float64Array.from(this.arena.viewF64(flp, K * cols));
  }

  /** The feature-major weights of the linear form (weights[j·K + c] = flp[c·cols + j]); kept for `binaryLosses`. */
  featureMajor(flp: Float64Array, K: number): Float64Array {
    const { cols } = this.X;
    const [flpAt, w] = this.arena.layout([
      ["f64", K * cols],
      ["f64", K * cols],
    ]) as [number, number];
    this.arena.viewF64(flpAt, K * cols).set(flp);
    this.fn("featureMajor")(K, cols, flpAt, w);
    this.weightsAt = w;
    return Float64Array.from(this.arena.viewF64(w, K * cols));
  }

  /**
   * −log P(y_i | x_i) per row of a two-class model with log-odds bias + x_i · delta, capped at
   * `cap`; delta = weights[2j + 1] − weights[2j] of the weights given to `featureMajor`.
   */
  binaryLosses(bias: number, cap: number): Float64Array {
    const { rows, cols } = this.X;
    if (this.weightsAt < 0) throw new Error("NaiveBayesPasses: featureMajor first");
    const [deltaAt, out] = this.arena.layout([
      ["f64", cols],
      ["f64", rows],
    ]) as [number, number];
    this.fn("binaryDelta")(cols, this.weightsAt, deltaAt);
    const { indptr, indices, data, y } = this.at;
    this.fn("binaryLosses")(rows, indptr, indices, data, deltaAt, bias, y, cap, out);
    return Float64Array.from(this.arena.viewF64(out, rows));
  }

  close(): void {
    this.arena.close();
  }
}
