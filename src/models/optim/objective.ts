/**
 * What the smooth solvers (trust-region Newton, L-BFGS) need from an objective. Evaluation is split
 * as in liblinear so that a rejected trial point does not disturb the curvature used by
 * Hessian-vector products: `value` may be called at trial points, `gradient` is called only at
 * accepted points and fixes the point at which `hessVec` and `diagPreconditioner` are taken.
 */
export interface SmoothObjective {
  readonly size: number;
  /** f(w); caches what `gradient` needs at this w. */
  value(w: Float64Array): number;
  /** ∇f at the w of the latest `value` call; makes that w the point for `hessVec`. */
  gradient(w: Float64Array, g: Float64Array): void;
  /** out = ∇²f · v at the point of the latest `gradient` call. */
  hessVec(v: Float64Array, out: Float64Array): void;
  /** Diagonal of ∇²f at the point of the latest `gradient` call (for preconditioning). */
  diagHessian(M: Float64Array): void;
}

export interface SolverOptions {
  /** Stop when ‖∇f(w)‖ ≤ tol · ‖∇f(0)‖ (liblinear's relative criterion). */
  readonly tol: number;
  readonly maxIter: number;
  /** Called with the starting point (iteration 0) and after each accepted iterate, with its objective value. */
  readonly onIteration?: (iteration: number, f: number, w: Float64Array) => void;
}

export interface SolverResult {
  readonly iterations: number;
  readonly converged: boolean;
  readonly f: number;
  readonly gradNorm: number;
  /** ‖∇f(0)‖, the scale of the stopping rule. */
  readonly gradNorm0: number;
  readonly warnings: string[];
  /** Objective value after each accepted iteration (index 0 = starting point). */
  readonly fCurve: number[];
  /** Number of Hessian-vector products (TRON) or function evaluations (L-BFGS): the cost driver. */
  readonly innerSteps: number;
}
