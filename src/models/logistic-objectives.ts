/**
 * L2-regularised logistic objectives on CSR data, in liblinear's scaling:
 *
 *   f(w, b) = ½·l2·‖w‖² + Σ_i c_i · loss_i,   c_i = C · sampleWeight_i · classWeight(y_i)
 *
 * (l2 = 1 for the L2 penalty; elastic net passes 1 − l1_ratio and adds l1_ratio·‖w‖₁ in OWL-QN.)
 *
 * The intercept b is NOT regularised. That is scikit-learn's lbfgs/newton-cg convention (liblinear
 * instead appends a constant feature and so shrinks the intercept towards 0); it makes the fitted
 * model independent of how large the constant feature is and matches sklearn's default solver.
 */
import type { CsrMatrix } from "../features/csr.js";
import type { SmoothObjective } from "./optim/objective.js";
import { sparseProducts, type SparseProducts } from "./kernels/sparse-products.js";
import { csrTimesMatrix, logOnePlusExpNeg, sigmoid } from "./sparse-linear.js";

/** Binary problem: parameters are [w_0 … w_{d-1}, b?], labels y_i ∈ {-1, +1}. */
export class BinaryLogisticObjective implements SmoothObjective {
  readonly size: number;
  /** Unweighted mean log loss at the latest `value` point (comparable to a dev-set log loss). */
  meanLoss = NaN;
  private readonly z: Float64Array;
  private readonly D: Float64Array;
  /** Per-row gradient weights c_i (σ_i − 1) y_i at the latest `gradient` point; Hessian-vector scratch after. */
  private readonly R: Float64Array;
  private readonly diag: Float64Array;
  private readonly d: number;
  /** X·w, Xᵀ·t and the gradient pass, in JavaScript or WebAssembly (kernels/sparse-products.ts). */
  private readonly P: SparseProducts;

  constructor(
    X: CsrMatrix,
    private readonly ySign: Float64Array,
    private readonly c: Float64Array,
    private readonly fitIntercept: boolean,
    /** Weight of ½‖w‖² (elastic net uses 1 − l1_ratio; the L1 part is left to the solver). */
    private readonly l2 = 1,
    /** The products on X, when the caller already has them (one-vs-rest problems share one). */
    products?: SparseProducts,
  ) {
    this.d = X.cols;
    this.size = X.cols + (fitIntercept ? 1 : 0);
    this.z = new Float64Array(X.rows);
    this.D = new Float64Array(X.rows);
    this.R = new Float64Array(X.rows);
    this.diag = new Float64Array(this.size);
    this.P = products ?? sparseProducts(X);
  }

  value(w: Float64Array): number {
    const { z, ySign, c, d } = this;
    this.P.timesVector(w, this.fitIntercept ? w[d]! : 0, z);
    let f = 0;
    let plain = 0;
    for (let i = 0; i < z.length; i++) {
      const l = logOnePlusExpNeg(ySign[i]! * z[i]!);
      f += c[i]! * l;
      plain += l;
    }
    this.meanLoss = plain / z.length;
    let reg = 0;
    for (let j = 0; j < d; j++) reg += w[j]! * w[j]!;
    return f + 0.5 * this.l2 * reg;
  }

  /** Also accumulates the Hessian diagonal in the same pass over Xᵀ (TRON's preconditioner). */
  gradient(w: Float64Array, g: Float64Array): void {
    const { z, ySign, c, D, R, d, diag } = this;
    let gb = 0;
    let mb = 0;
    for (let i = 0; i < z.length; i++) {
      const s = sigmoid(ySign[i]! * z[i]!);
      const Di = c[i]! * s * (1 - s);
      const ri = c[i]! * (s - 1) * ySign[i]!;
      D[i] = Di;
      R[i] = ri;
      gb += ri;
      mb += Di;
    }
    this.P.gradientAndDiagonal(R, D, w, this.l2, g, diag);
    if (this.fitIntercept) {
      g[d] = gb;
      diag[d] = mb;
    }
  }

  /** (l2·I + Xᵀ D X) v: row scores t = D·(X v + v_b) by rows, then Xᵀ t down the columns. */
  hessVec(v: Float64Array, out: Float64Array): void {
    const { D, d } = this;
    const t = this.R;
    this.P.timesVector(v, this.fitIntercept ? v[d]! : 0, t);
    let ob = 0;
    for (let i = 0; i < t.length; i++) {
      const ti = t[i]! * D[i]!;
      t[i] = ti;
      ob += ti;
    }
    this.P.transposeTimes(t, v, this.l2, out);
    if (this.fitIntercept) out[d] = ob;
  }

  diagHessian(M: Float64Array): void {
    M.set(this.diag);
  }
}

/**
 * Multinomial (softmax) problem with K outputs: parameters are W feature-major (W[j*K + k]) followed
 * by K intercepts. The intercepts are only determined up to a common shift (softmax is invariant to
 * it and they are not regularised); solvers started at 0 stay in the Σ_k b_k = 0 subspace because
 * every gradient lies in it, and the caller re-centres them in case preconditioning drifted them.
 */
export class MultinomialLogisticObjective implements SmoothObjective {
  readonly size: number;
  meanLoss = NaN;
  private readonly Ptrial: Float64Array;
  private readonly P: Float64Array;
  private readonly R: Float64Array;
  private readonly diag: Float64Array;
  private readonly rowScratch: Float64Array;
  private readonly d: number;
  private readonly K: number;

  constructor(
    private readonly X: CsrMatrix,
    private readonly y: Int32Array,
    K: number,
    private readonly c: Float64Array,
    private readonly fitIntercept: boolean,
    private readonly l2 = 1,
  ) {
    this.d = X.cols;
    this.K = K;
    this.size = X.cols * K + (fitIntercept ? K : 0);
    this.Ptrial = new Float64Array(X.rows * K);
    this.P = new Float64Array(X.rows * K);
    this.R = new Float64Array(X.rows * K);
    this.diag = new Float64Array(this.size);
    this.rowScratch = new Float64Array(K);
  }

  value(w: Float64Array): number {
    const { d, K, y, c } = this;
    const n = this.X.rows;
    const Z = this.Ptrial;
    const W = w.subarray(0, d * K);
    csrTimesMatrix(this.X, W, K, this.fitIntercept ? w.subarray(d * K) : null, Z);
    let f = 0;
    let plain = 0;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (Z[o + k]! > max) max = Z[o + k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(Z[o + k]! - max);
      const lse = max + Math.log(sum);
      const l = lse - Z[o + y[i]!]!;
      f += c[i]! * l;
      plain += l;
      for (let k = 0; k < K; k++) Z[o + k] = Math.exp(Z[o + k]! - lse);
    }
    this.meanLoss = plain / n;
    let reg = 0;
    for (let j = 0; j < d * K; j++) reg += W[j]! * W[j]!;
    return f + 0.5 * this.l2 * reg;
  }

  /** Also accumulates the Hessian diagonal in the same pass over X (TRON's preconditioner). */
  gradient(w: Float64Array, g: Float64Array): void {
    const { d, K, y, c, P, R, diag } = this;
    const { indptr, indices, data } = this.X;
    const n = this.X.rows;
    const nw = d * K;
    P.set(this.Ptrial);
    for (let j = 0; j < nw; j++) {
      g[j] = this.l2 * w[j]!;
      diag[j] = this.l2;
    }
    const h = this.rowScratch;
    if (this.fitIntercept) for (let k = 0; k < K; k++) g[nw + k] = diag[nw + k] = 0;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      for (let k = 0; k < K; k++) {
        const pk = P[o + k]!;
        R[o + k] = c[i]! * (pk - (k === y[i] ? 1 : 0));
        h[k] = c[i]! * pk * (1 - pk);
        if (this.fitIntercept) {
          g[nw + k]! += R[o + k]!;
          diag[nw + k]! += h[k]!;
        }
      }
      const end = indptr[i + 1]!;
      for (let p = indptr[i]!; p < end; p++) {
        const x = data[p]!;
        const base = indices[p]! * K;
        for (let k = 0; k < K; k++) {
          g[base + k]! += x * R[o + k]!;
          diag[base + k]! += h[k]! * x * x;
        }
      }
    }
  }

  /** Hessian-vector product in one pass over the rows (row scores, softmax Jacobian, scatter). */
  hessVec(v: Float64Array, out: Float64Array): void {
    const { d, K, c, P } = this;
    const { indptr, indices, data } = this.X;
    const nw = d * K;
    const q = this.rowScratch;
    for (let j = 0; j < nw; j++) out[j] = this.l2 * v[j]!;
    if (this.fitIntercept) for (let k = 0; k < K; k++) out[nw + k] = 0;
    for (let i = 0; i < this.X.rows; i++) {
      const o = i * K;
      const start = indptr[i]!;
      const end = indptr[i + 1]!;
      for (let k = 0; k < K; k++) q[k] = this.fitIntercept ? v[nw + k]! : 0;
      for (let p = start; p < end; p++) {
        const x = data[p]!;
        const base = indices[p]! * K;
        for (let k = 0; k < K; k++) q[k]! += x * v[base + k]!;
      }
      let pq = 0;
      for (let k = 0; k < K; k++) pq += P[o + k]! * q[k]!;
      for (let k = 0; k < K; k++) {
        q[k] = c[i]! * P[o + k]! * (q[k]! - pq);
        if (this.fitIntercept) out[nw + k]! += q[k]!;
      }
      for (let p = start; p < end; p++) {
        const x = data[p]!;
        const base = indices[p]! * K;
        for (let k = 0; k < K; k++) out[base + k]! += x * q[k]!;
      }
    }
  }

  diagHessian(M: Float64Array): void {
    M.set(this.diag);
  }
}
