/**
 * The binary L2 logistic-regression fit in WebAssembly (kernels/logistic-tron.ts): objective and
 * trust-region Newton-CG together, so the first fit of a fresh process runs compiled code from its
 * first instruction. Returns what optim/tron.ts returns for BinaryLogisticObjective, with the same
 * warnings; the solution agrees with it to rounding (test/models/logistic-tron-wasm.test.ts).
 */
import type { CsrMatrix } from "../../features/csr.js";
import type { SolverOptions, SolverResult } from "../optim/objective.js";
import { WasmArena } from "./wasm-kernels.js";

type Fn = (...args: number[]) => number | undefined;

export interface BinaryLogisticProblem {
  readonly X: CsrMatrix;
  /** ±1 per row */
  readonly ySign: Float64Array;
  /** c_i = C · sample weight · class weight */
  readonly c: Float64Array;
  readonly fitIntercept: boolean;
  readonly l2: number;
}

/**
 * X copied once into a pooled logistic-tron instance, with room for one binary problem, shared by
 * the binary problems of one fit (the one-vs-rest classes used to copy X once each), and checked
 * for NaN/±Infinity on that copy: the check costs one scan of values already in the module
 * instead of a copy of its own.
 */
export class WasmLogisticMatrix {
  readonly arena = WasmArena.open("logistic-tron");
  readonly nnz: number;
  readonly size: number;
  readonly at: {
    indptr: number;
    indices: number;
    data: number;
    ySign: number;
    c: number;
    rowScratch: number;
    paramScratch: number;
    w: number;
  };
  /** Whether a problem has run: the next one zeroes the scratch first, as a fresh instance has it. */
  private used = false;

  constructor(
    readonly X: CsrMatrix,
    fitIntercept: boolean,
  ) {
    const { rows, cols } = X;
    const nnz = (this.nnz = X.indptr[rows]!);
    const size = (this.size = cols + (fitIntercept ? 1 : 0));
    const a = this.arena;
    // Everything at once: growing the memory later would detach the views handed out.
    const [indptr, indices, data, ySign, c, rowScratch, paramScratch, w] = a.layout([
      ["i32", rows + 1, "filled"],
      ["i32", nnz, "filled"],
      ["f64", nnz, "filled"],
      ["f64", rows, "filled"],
      ["f64", rows, "filled"],
      ["f64", 3 * rows],
      ["f64", 10 * size],
      ["f64", size, "filled"],
    ]) as [number, number, number, number, number, number, number, number];
    a.viewI32(indptr, rows + 1).set(X.indptr.subarray(0, rows + 1));
    a.viewI32(indices, nnz).set(X.indices.subarray(0, nnz));
    a.viewF64(data, nnz).set(X.data.subarray(0, nnz));
    this.at = { indptr, indices, data, ySign, c, rowScratch, paramScratch, w };
  }

  /** Index of the first NaN or ±Infinity among X's stored values, or -1. */
  firstNonFinite(): number {
    return (this.arena.exports["firstNonFinite"] as Fn)(this.at.data, this.nnz) as number;
  }

  /** Readies the instance for the next binary problem (its scratch zeroed after an earlier one). */
  nextProblem(): void {
    if (this.used) {
      this.arena.viewF64(this.at.rowScratch, 3 * this.X.rows).fill(0);
      this.arena.viewF64(this.at.paramScratch, 10 * this.size).fill(0);
    }
    this.used = true;
  }

  close(): void {
    this.arena.close();
  }
}

/** Minimises ½·l2·‖w‖² + Σ c_i log(1 + exp(−y_i (x_i·w + b))) from `w` (updated in place). */
export function tronBinaryLogisticWasm(
  p: BinaryLogisticProblem,
  w: Float64Array,
  opts: SolverOptions,
  /** Receives the mean unweighted log loss of each accepted iterate (BinaryLogisticObjective.meanLoss). */
  onMeanLoss?: (meanLoss: number) => void,
  /** p.X already in an instance (shared by the one-vs-rest problems of a fit; stays open). */
  shared: WasmLogisticMatrix | null = null,
): SolverResult {
  const { X } = p;
  const size = X.cols + (p.fitIntercept ? 1 : 0);
  if (w.length !== size) throw new Error(`tronBinaryLogisticWasm: w has ${w.length} entries, expected ${size}`);
  if (shared !== null && (shared.X !== X || shared.size !== size)) {
    throw new Error("tronBinaryLogisticWasm: the shared matrix is not this problem's X");
  }
  const fCurve: number[] = [];
  const matrix = shared ?? new WasmLogisticMatrix(X, p.fitIntercept);
  const arena = matrix.arena;
  const { indptr, indices, data, ySign, c, rowScratch, paramScratch, w: wIn } = matrix.at;
  const onIteration = (iter: number, f: number): void => {
    fCurve.push(f);
    if (opts.onIteration === undefined && onMeanLoss === undefined) return;
    onMeanLoss?.(get("meanLoss"));
    opts.onIteration?.(iter, f, arena.viewF64(wIn, size));
  };
  matrix.nextProblem();
  arena.serve({ onIteration });
  const e = arena.exports;
  const get = (name: string): number => (e[name] as { value: number }).value;
  arena.viewF64(ySign, X.rows).set(p.ySign);
  arena.viewF64(c, X.rows).set(p.c);
  arena.viewF64(wIn, size).set(w);
  (e["setup"] as Fn)(X.rows, X.cols, p.fitIntercept ? 1 : 0, p.l2, 1, indptr, indices, data, ySign, c, rowScratch, paramScratch);
  (e["tron"] as Fn)(wIn, opts.tol, opts.maxIter);
  w.set(arena.viewF64(wIn, size));
  arena.serve({});
  // Only exported globals are read below: the memory can go back to the pool.
  if (shared === null) matrix.close();

  const status = get("resultStatus");
  const iterations = get("resultIterations");
  const f = get("resultF");
  const gnorm = get("resultGnorm");
  const gnorm0 = get("resultGnorm0");
  const warnings: string[] = [];
  if (status === 1) {
    return {
      iterations: 0,
      converged: false,
      f,
      gradNorm: gnorm,
      gradNorm0: gnorm0,
      warnings: [
        `objective or gradient is not finite at the starting point (objective ${f}, gradient norm ${gnorm}); feature values are too large — scale them`,
      ],
      fCurve: [f],
      innerSteps: 0,
    };
  }
  if (status === 2) {
    warnings.push(
      `objective became ${get("resultBadValue")} at iteration ${iterations + 1}; stopped at the last finite iterate`,
    );
  } else if (status === 3) warnings.push(`gradient became ${gnorm} at iteration ${iterations}`);
  else if (status === 4) {
    warnings.push(
      `stopped at iteration ${iterations}: no further decrease possible in floating point, but the gradient norm ${gnorm.toExponential(2)} is still ${(gnorm / gnorm0).toExponential(2)} × its initial value`,
    );
  }
  const converged = status === 0;
  if (!converged && iterations + 1 > opts.maxIter) {
    warnings.push(
      `did not converge in ${opts.maxIter} iterations (gradient norm ${gnorm.toExponential(2)} > tol ${opts.tol} × initial ${gnorm0.toExponential(2)}); raise max_iter or tol`,
    );
  }
  return {
    iterations,
    converged,
    f,
    gradNorm: gnorm,
    gradNorm0: gnorm0,
    warnings,
    fCurve,
    innerSteps: get("resultInner"),
  };
}
