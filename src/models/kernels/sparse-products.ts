/**
 * The three sparse products a linear learner's smooth objective is made of, on one CSR matrix:
 * X·w, Xᵀ·t (+ l2·v) and the gradient pass Xᵀ·R with the Hessian diagonal Σ_i D_i x_ij².
 * Two back ends with bit-identical results: the JavaScript reference (sparse-linear.ts) and the
 * AssemblyScript kernels (kernels/sparse-linear.ts), chosen by kernelBackend().
 *
 * Both read Xᵀ as compressed sparse columns (built once per matrix and shared by every
 * one-vs-rest problem): gathering down a column writes each output once instead of scattering
 * over the d-long vector.
 */
import type { CsrMatrix } from "../../features/csr.js";
import { csrTimesVector, csrToCsc, type CscMatrix } from "../sparse-linear.js";
import { kernelBackend, WasmArena, type KernelBackend } from "./wasm-kernels.js";

export interface SparseProducts {
  readonly backend: KernelBackend;
  readonly rows: number;
  readonly cols: number;
  /** out[i] = bias + x_i · w */
  timesVector(w: Float64Array, bias: number, out: Float64Array): void;
  /** out[j] = l2 · v[j] + Σ_i x_ij t_i */
  transposeTimes(t: Float64Array, v: Float64Array, l2: number, out: Float64Array): void;
  /** g[j] = l2 · w[j] + Σ_i x_ij R_i;  diag[j] = l2 + Σ_i D_i x_ij² */
  gradientAndDiagonal(
    R: Float64Array,
    D: Float64Array,
    w: Float64Array,
    l2: number,
    g: Float64Array,
    diag: Float64Array,
  ): void;
}

export function sparseProducts(X: CsrMatrix, backend: KernelBackend = kernelBackend()): SparseProducts {
  return backend === "wasm" ? new WasmSparseProducts(X) : new JsSparseProducts(X);
}

/** The JavaScript reference. */
export class JsSparseProducts implements SparseProducts {
  readonly backend = "js" as const;
  readonly rows: number;
  readonly cols: number;
  private readonly T: CscMatrix;

  constructor(private readonly X: CsrMatrix) {
    this.rows = X.rows;
    this.cols = X.cols;
    this.T = csrToCsc(X);
  }

  timesVector(w: Float64Array, bias: number, out: Float64Array): void {
    csrTimesVector(this.X, w, bias, out);
  }

  transposeTimes(t: Float64Array, v: Float64Array, l2: number, out: Float64Array): void {
    const { colptr, rowind, data } = this.T;
    for (let j = 0; j < this.cols; j++) {
      let oj = l2 * v[j]!;
      const end = colptr[j + 1]!;
      for (let q = colptr[j]!; q < end; q++) oj += t[rowind[q]!]! * data[q]!;
      out[j] = oj;
    }
  }

  gradientAndDiagonal(
    R: Float64Array,
    D: Float64Array,
    w: Float64Array,
    l2: number,
    g: Float64Array,
    diag: Float64Array,
  ): void {
    const { colptr, rowind, data } = this.T;
    for (let j = 0; j < this.cols; j++) {
      let gj = l2 * w[j]!;
      let hj = l2;
      const end = colptr[j + 1]!;
      for (let q = colptr[j]!; q < end; q++) {
        const i = rowind[q]!;
        const x = data[q]!;
        gj += R[i]! * x;
        hj += D[i]! * x * x;
      }
      g[j] = gj;
      diag[j] = hj;
    }
  }
}

type Kernel = (...args: number[]) => void;

/**
 * The WebAssembly back end: X and its transpose copied once into the module's memory (12 bytes per
 * nonzero each), row- and column-length scratch vectors beside them; each call copies its dense
 * inputs in and its outputs out (a few µs against milliseconds of sparse work).
 */
export class WasmSparseProducts implements SparseProducts {
  readonly backend = "wasm" as const;
  readonly rows: number;
  readonly cols: number;
  private readonly arena: WasmArena;
  private readonly at: {
    indptr: number;
    indices: number;
    data: number;
    colptr: number;
    rowind: number;
    cdata: number;
    rowA: number;
    rowB: number;
    colA: number;
    colB: number;
    colC: number;
  };
  private readonly k: { csrTimesVector: Kernel; cscTimesVector: Kernel; cscGradientAndDiagonal: Kernel };

  constructor(X: CsrMatrix) {
    const { rows, cols } = X;
    this.rows = rows;
    this.cols = cols;
    const nnz = X.indptr[rows]!;
    // Not closed: it lives as long as this object (an arena that is never closed is garbage like any object).
    const arena = WasmArena.open("sparse-linear");
    this.arena = arena;
    // One reservation: the views below stay valid (growing the memory later would detach them).
    const [indptr, indices, data, colptr, next, rowind, cdata, rowA, rowB, colA, colB, colC] = arena.layout([
      ["i32", rows + 1, "filled"],
      ["i32", nnz, "filled"],
      ["f64", nnz, "filled"],
      ["i32", cols + 1],
      ["i32", cols],
      ["i32", nnz],
      ["f64", nnz],
      ["f64", rows],
      ["f64", rows],
      ["f64", cols],
      ["f64", cols],
      ["f64", cols],
    ]) as [number, number, number, number, number, number, number, number, number, number, number, number];
    arena.viewI32(indptr, rows + 1).set(X.indptr.subarray(0, rows + 1));
    arena.viewI32(indices, nnz).set(X.indices.subarray(0, nnz));
    arena.viewF64(data, nnz).set(X.data.subarray(0, nnz));
    const e = arena.exports;
    (e["csrToCsc"] as Kernel)(rows, cols, indptr, indices, data, colptr, next, rowind, cdata);
    this.at = { indptr, indices, data, colptr, rowind, cdata, rowA, rowB, colA, colB, colC };
    this.k = {
      csrTimesVector: e["csrTimesVector"] as Kernel,
      cscTimesVector: e["cscTimesVector"] as Kernel,
      cscGradientAndDiagonal: e["cscGradientAndDiagonal"] as Kernel,
    };
  }

  private put(at: number, src: Float64Array, length: number): void {
    this.arena.viewF64(at, length).set(src.subarray(0, length));
  }

  private take(at: number, dst: Float64Array, length: number): void {
    dst.set(this.arena.viewF64(at, length));
  }

  timesVector(w: Float64Array, bias: number, out: Float64Array): void {
    const { at, rows, cols } = this;
    this.put(at.colA, w, cols);
    this.k.csrTimesVector(rows, at.indptr, at.indices, at.data, at.colA, bias, at.rowA);
    this.take(at.rowA, out, rows);
  }

  transposeTimes(t: Float64Array, v: Float64Array, l2: number, out: Float64Array): void {
    const { at, rows, cols } = this;
    this.put(at.rowA, t, rows);
    this.put(at.colA, v, cols);
    this.k.cscTimesVector(cols, at.colptr, at.rowind, at.cdata, at.rowA, at.colA, l2, at.colB);
    this.take(at.colB, out, cols);
  }

  gradientAndDiagonal(
    R: Float64Array,
    D: Float64Array,
    w: Float64Array,
    l2: number,
    g: Float64Array,
    diag: Float64Array,
  ): void {
    const { at, rows, cols } = this;
    this.put(at.rowA, R, rows);
    this.put(at.rowB, D, rows);
    this.put(at.colA, w, cols);
    this.k.cscGradientAndDiagonal(cols, at.colptr, at.rowind, at.cdata, at.rowA, at.rowB, at.colA, l2, at.colB, at.colC);
    this.take(at.colB, g, cols);
    this.take(at.colC, diag, cols);
  }
}
