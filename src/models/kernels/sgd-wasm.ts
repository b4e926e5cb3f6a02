/**
 * The epochs of plain SGD in WebAssembly (kernels/sgd-epochs.ts), behind the same `SgdEpochs`
 * interface as the JavaScript reference (JsSgdEpochs in sgd-epochs.ts); the row order is shuffled
 * in the module too, drawing from the driver's seeded generator (kernels/lib/rng.ts).
 */
import type { SgdEpochs, SgdProblem } from "../sgd-epochs.js";
import type { CsrMatrix } from "../../features/csr.js";
import type { Rng } from "../../util/random.js";
import { shuffleInModule, WasmArena } from "./wasm-kernels.js";

type Fn = (...args: number[]) => number;

const LOSS_CODE = { hinge: 0, log_loss: 1, modified_huber: 2 } as const;
const SCHEDULE_CODE = { optimal: 0, invscaling: 1, constant: 2 } as const;

/**
 * X copied once into a pooled sgd-epochs instance, shared by the binary problems of one fit (the
 * one-vs-rest classes used to copy it once each), and checked for NaN/±Infinity on that copy: the
 * check then costs one scan of values already in the module instead of a copy of its own.
 */
export class WasmSgdMatrix {
  readonly arena = WasmArena.open("sgd-epochs");
  readonly at: { indptr: number; indices: number; data: number };
  readonly nnz: number;
  /** The shape and offsets of the binary problems' arrays (`problemArrays`). */
  private problemKey = "";
  private problemAt: number[] = [];

  constructor(readonly X: CsrMatrix) {
    const { rows } = X;
    const nnz = (this.nnz = X.indptr[rows]!);
    const a = this.arena;
    const [indptr, indices, data] = a.layout([
      ["i32", rows + 1, "filled"],
      ["i32", nnz, "filled"],
      ["f64", nnz, "filled"],
    ]) as [number, number, number];
    a.viewI32(indptr, rows + 1).set(X.indptr.subarray(0, rows + 1));
    a.viewI32(indices, nnz).set(X.indices.subarray(0, nnz));
    a.viewF64(data, nnz).set(X.data.subarray(0, nnz));
    this.at = { indptr, indices, data };
  }

  /** Index of the first NaN or ±Infinity among X's stored values, or -1. */
  firstNonFinite(): number {
    return (this.arena.exports["firstNonFinite"] as Fn)(this.at.data, this.nnz);
  }

  /**
   * The offsets of one binary problem's arrays (`layout` order). The problems of a fit have the same
   * shape and run one after the other: the first lays them out, the next ones reuse them, zeroed
   * where the caller does not fill them — memory stays one problem's, however many classes.
   */
  problemArrays(arrays: ReadonlyArray<readonly ["f64" | "i32", number] | readonly ["f64" | "i32", number, "filled"]>): number[] {
    const key = JSON.stringify(arrays);
    if (key !== this.problemKey) {
      this.problemKey = key;
      this.problemAt = this.arena.layout(arrays);
      return this.problemAt;
    }
    arrays.forEach(([kind, length, filled], k) => {
      if (filled === "filled") return;
      const at = this.problemAt[k]!;
      if (kind === "f64") this.arena.viewF64(at, length).fill(0);
      else this.arena.viewI32(at, length).fill(0);
    });
    return this.problemAt;
  }

  close(): void {
    this.arena.close();
  }
}

export class WasmSgdEpochs implements SgdEpochs {
  readonly order: Int32Array;
  private readonly arena: WasmArena;
  private readonly vAt: number;
  private readonly uAt: number;
  private readonly cols: number;
  private readonly averageFrom: number;
  private readonly orderAt: number;
  /** Whether this problem opened the instance (and so gives it back in `finish`). */
  private readonly ownsArena: boolean;

  /** `matrix`: X already in an instance (its arena is used, and stays open after `finish`). */
  constructor(q: SgdProblem, matrix: WasmSgdMatrix | null = null) {
    const { X, params: p } = q;
    const { rows, cols } = X;
    const nnz = X.indptr[rows]!;
    this.cols = cols;
    this.averageFrom = q.averageFrom;
    if (matrix !== null && matrix.X !== X) throw new Error("WasmSgdEpochs: the shared matrix is not this problem's X");
    this.ownsArena = matrix === null;
    this.arena = matrix?.arena ?? WasmArena.open("sgd-epochs");
    const a = this.arena;
    const averaged = q.averageFrom > 0;
    const problem = [
      ["f64", rows, "filled"],
      ["f64", rows, "filled"],
      ["i32", q.validation === null ? 0 : Math.ceil(rows / 4)],
      ["i32", rows, "filled"],
      ["f64", cols],
      ["f64", averaged ? cols : 0],
    ] as const;
    const [copiedIndptr, copiedIndices, copiedData, yAt, wAt, validation, order, vAt, uAt] = (
      matrix === null
        ? a.layout([["i32", rows + 1, "filled"], ["i32", nnz, "filled"], ["f64", nnz, "filled"], ...problem])
        : [0, 0, 0, ...matrix.problemArrays(problem)]
    ) as [number, number, number, number, number, number, number, number, number];
    let indptr = copiedIndptr;
    let indices = copiedIndices;
    let data = copiedData;
    if (matrix === null) {
      a.viewI32(indptr, rows + 1).set(X.indptr.subarray(0, rows + 1));
      a.viewI32(indices, nnz).set(X.indices.subarray(0, nnz));
      a.viewF64(data, nnz).set(X.data.subarray(0, nnz));
    } else {
      ({ indptr, indices, data } = matrix.at);
    }
    a.viewF64(yAt, rows).set(q.ySign);
    a.viewF64(wAt, rows).set(q.rowWeight);
    if (q.validation !== null) a.viewU8(validation, rows).set(q.validation);
    this.order = a.viewI32(order, rows);
    this.orderAt = order;
    for (let i = 0; i < rows; i++) this.order[i] = i;
    this.vAt = vAt;
    this.uAt = averaged ? uAt : 0;
    (a.exports["setup"] as Fn)(
      rows,
      cols,
      LOSS_CODE[p.loss],
      SCHEDULE_CODE[p.learning_rate],
      p.alpha,
      p.eta0,
      p.power_t,
      q.optimalInit,
      p.fit_intercept ? 1 : 0,
      q.averageFrom,
      indptr,
      indices,
      data,
      yAt,
      wAt,
      q.validation === null ? 0 : validation,
      order,
      vAt,
      this.uAt,
    );
  }

  shuffle(rng: Rng): void {
    shuffleInModule(this.arena.exports, this.orderAt, this.order.length, rng);
  }

  private read(name: string): number {
    return (this.arena.exports[name] as { value: number }).value;
  }

  get intercept(): number {
    return this.read("intercept");
  }

  get t(): number {
    return this.read("t");
  }

  epoch(): number {
    return (this.arena.exports["epoch"] as Fn)();
  }

  squaredNorm(): number {
    const wscale = this.read("wscale");
    return (this.arena.exports["squaredNorm"] as Fn)() * (wscale * wscale);
  }

  private averaging(): boolean {
    return this.uAt !== 0 && this.t > this.averageFrom;
  }

  validationAccuracy(): number {
    return (this.arena.exports["validationAccuracy"] as Fn)(this.averaging() ? 1 : 0);
  }

  finish(): { coef: Float64Array; intercept: number } {
    (this.arena.exports["resetScale"] as Fn)();
    const average = this.averaging();
    const coef = Float64Array.from(this.arena.viewF64(average ? this.uAt : this.vAt, this.cols));
    const intercept = average ? this.read("avgIntercept") : this.read("intercept");
    if (this.ownsArena) this.arena.close();
    return { coef, intercept };
  }
}
