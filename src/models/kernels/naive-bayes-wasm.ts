/**
 * The passes over X of a naive Bayes fit in WebAssembly (kernels/naive-bayes.ts): the value
 * checks with the counts, then the binary training losses. The JavaScript reference is in
 * naive-bayes.ts.
 *
 * X streams through the module a block of rows at a time (about 16,384 stored values: 192 KB of
 * indices and values, within the L2 cache) instead of being copied in whole: a naive Bayes fit
 * reads X twice, once for the counts and once for the losses, and copying the spam matrix
 * (530,834 values, 6.4 MB) into never-touched WebAssembly pages cost ~3.5 ms of a first fit that
 * scikit-learn does in ~5 ms — page faults, not copying. The blocks keep their rows in order, so
 * every count and loss is the same addition in the same order as in one pass.
 */
import type { CsrMatrix } from "../../features/csr.js";
import { WasmArena } from "./wasm-kernels.js";

type Fn = (...args: number[]) => number;

/** Whole counts whose log the module remembers (LOG_CACHE in kernels/naive-bayes.ts). */
const LOG_CACHE = 4096;

/** Stored values a block holds (a longer single row gets a block of its own, and the buffer grows to fit it). */
const BLOCK_VALUES = 16384;

export class NaiveBayesPasses {
  private readonly arena = WasmArena.open("naive-bayes");
  private readonly at: { indptr: number; y: number; sw: number; indices: number; data: number };
  /** Row boundaries of the blocks: block b is rows [blocks[b], blocks[b + 1]). */
  private readonly blocks: number[] = [0];
  private featureCountAt = -1;
  private flpAt = -1;
  private weightsAt = -1;

  constructor(
    private readonly X: CsrMatrix,
    y: Int32Array,
    sw: Float64Array,
  ) {
    const { rows, indptr } = X;
    let start = indptr[0]!;
    let widest = 0;
    for (let i = 0; i < rows; i++) {
      const end = indptr[i + 1]!;
      if (end - indptr[i]! > widest) widest = end - indptr[i]!;
      if (end - start > BLOCK_VALUES && i > this.blocks.at(-1)!) {
        this.blocks.push(i);
        start = indptr[i]!;
      }
    }
    this.blocks.push(rows);
    const capacity = Math.max(BLOCK_VALUES, widest);
    const a = this.arena;
    const [indptrAt, yAt, swAt, indicesAt, dataAt] = a.layout([
      ["i32", rows + 1, "filled"],
      ["i32", rows, "filled"],
      ["f64", rows, "filled"],
      ["i32", capacity, "filled"],
      ["f64", capacity, "filled"],
    ]) as [number, number, number, number, number];
    a.viewI32(indptrAt, rows + 1).set(indptr.subarray(0, rows + 1));
    a.viewI32(yAt, rows).set(y);
    a.viewF64(swAt, rows).set(sw);
    this.at = { indptr: indptrAt, y: yAt, sw: swAt, indices: indicesAt, data: dataAt };
  }

  private fn(name: string): Fn {
    return this.arena.exports[name] as Fn;
  }

  /**
   * Copies each block's indices and values into the module and calls `visit` with its rows
   * [r0, r1) and its first stored value p0; the kernels address value p at (block start − p0 + p),
   * so they run on a block with the whole matrix's row pointers. `visit` returning false stops.
   */
  private stream(visit: (r0: number, r1: number, p0: number, length: number) => boolean): void {
    const { indptr, indices, data } = this.X;
    const a = this.arena;
    for (let b = 0; b + 1 < this.blocks.length; b++) {
      const r0 = this.blocks[b]!;
      const r1 = this.blocks[b + 1]!;
      const p0 = indptr[r0]!;
      const p1 = indptr[r1]!;
      a.viewI32(this.at.indices, p1 - p0).set(indices.subarray(p0, p1));
      a.viewF64(this.at.data, p1 - p0).set(data.subarray(p0, p1));
      if (!visit(r0, r1, p0, p1 - p0)) return;
    }
  }

  /**
   * One pass: the index of the first NaN/±Infinity (`checkFinite`; the pass stops there), the
   * index of the first negative value (`checkNegative`), and the per-class feature sums (class-major
   * K × cols, kept in the module for `multinomialLogProb`) and class weights, counted as the
   * reference counts them. The counts mean nothing when either index is ≥ 0.
   */
  countsChecked(
    K: number,
    weighted: boolean,
    checkFinite: boolean,
    checkNegative: boolean,
  ): { firstNonFinite: number; firstNegative: number; classCount: Float64Array } {
    const { cols } = this.X;
    const [fc, cc] = this.arena.layout([
      ["f64", K * cols],
      ["f64", K],
    ]) as [number, number];
    this.featureCountAt = fc;
    const { indptr, indices, data, y, sw } = this.at;
    const firstNonFiniteIn = this.fn("firstNonFinite");
    const firstNegativeIn = this.fn("firstNegative");
    const counts = this.fn("counts");
    let firstNonFinite = -1;
    let firstNegative = -1;
    this.stream((r0, r1, p0, length) => {
      if (checkFinite) {
        const bad = firstNonFiniteIn(data, length);
        if (bad >= 0) {
          firstNonFinite = p0 + bad;
          return false;
        }
      }
      if (checkNegative && firstNegative < 0) {
        const bad = firstNegativeIn(data, length);
        if (bad >= 0) firstNegative = p0 + bad;
      }
      counts(r1 - r0, cols, indptr + 4 * r0, indices - 4 * p0, data - 8 * p0, y + 4 * r0, sw + 8 * r0, weighted ? 1 : 0, fc, cc);
      return true;
    });
    return { firstNonFinite, firstNegative, classCount: Float64Array.from(this.arena.viewF64(cc, K)) };
  }

  /** The feature sums of `countsChecked` (class-major K × cols). */
  featureCount(K: number): Float64Array {
    if (this.featureCountAt < 0) throw new Error("NaiveBayesPasses: countsChecked first");
    return Float64Array.from(this.arena.viewF64(this.featureCountAt, K * this.X.cols));
  }

  /** Multinomial feature log-probabilities (class-major) from the counts of `countsChecked`; kept for `featureMajor`. */
  multinomialLogProb(K: number, alpha: number): Float64Array {
    const { cols } = this.X;
    if (this.featureCountAt < 0) throw new Error("NaiveBayesPasses: countsChecked first");
    const [flp, cache] = this.arena.layout([
      ["f64", K * cols, "filled"],
      ["f64", LOG_CACHE, "filled"],
    ]) as [number, number];
    this.fn("multinomialLogProb")(K, cols, alpha, this.featureCountAt, flp, cache);
    this.flpAt = flp;
    return Float64Array.from(this.arena.viewF64(flp, K * cols));
  }

  /**
   * The feature-major weights of the linear form (weights[j·K + c] = flp[c·cols + j]); kept for
   * `binaryLosses`. `flp` is copied in unless it is what `multinomialLogProb` returned.
   */
  featureMajor(flp: Float64Array, K: number, fromModule: boolean): Float64Array {
    const { cols } = this.X;
    const inModule = fromModule && this.flpAt >= 0;
    // The multinomial counts were read into the log-probabilities already: the weights take their
    // place (fresh pages are what a first fit pays for, see the top of this file).
    const [flpAt, fresh] = this.arena.layout([
      ["f64", inModule ? 0 : K * cols, "filled"],
      ["f64", inModule ? 0 : K * cols, "filled"],
    ]) as [number, number];
    const source = inModule ? this.flpAt : flpAt;
    if (!inModule) this.arena.viewF64(flpAt, K * cols).set(flp);
    const w = inModule ? this.featureCountAt : fresh;
    if (inModule) this.featureCountAt = -1;
    this.fn("featureMajor")(K, cols, source, w);
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
    // delta takes the place of the log-probabilities when they were only the weights' source.
    const [freshDelta, out] = this.arena.layout([
      ["f64", this.flpAt >= 0 ? 0 : cols, "filled"],
      ["f64", rows, "filled"],
    ]) as [number, number];
    const deltaAt = this.flpAt >= 0 ? this.flpAt : freshDelta;
    this.flpAt = -1;
    this.fn("binaryDelta")(cols, this.weightsAt, deltaAt);
    const { indptr, indices, data, y } = this.at;
    const losses = this.fn("binaryLosses");
    this.stream((r0, r1, p0) => {
      losses(r1 - r0, indptr + 4 * r0, indices - 4 * p0, data - 8 * p0, deltaAt, bias, y + 4 * r0, cap, out + 8 * r0);
      return true;
    });
    return Float64Array.from(this.arena.viewF64(out, rows));
  }

  close(): void {
    this.arena.close();
  }
}
