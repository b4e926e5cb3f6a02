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
import {
  csrTimesMatrix,
  csrTimesVector,
  csrTransposeTimesMatrixAdd,
  csrTransposeTimesVectorAdd,
  logOnePlusExpNeg,
  sigmoid,
} from "./sparse-linear.js";

/** Binary problem: parameters are [w_0 … w_{d-1}, b?], labels y_i ∈ {-1, +1}. */
export class BinaryLogisticObjective implements SmoothObjective {
  readonly size: number;
  /** Unweighted mean log loss at the latest `value` point (comparable to a dev-set log loss). */
  meanLoss = NaN;
  private readonly z: Float64Array;
  private readonly D: Float64Array;
  private readonly r: Float64Array;
  private readonly d: number;

  constructor(
    private readonly X: CsrMatrix,
    private readonly ySign: Float64Array,
    private readonly c: Float64Array,
    private readonly fitIntercept: boolean,
    /** Weight of ½‖w‖² (elastic net uses 1 − l1_ratio; the L1 part is left to the solver). */
    private readonly l2 = 1,
  ) {
    this.d = X.cols;
    this.size = X.cols + (fitIntercept ? 1 : 0);
    this.z = new Float64Array(X.rows);
    this.D = new Float64Array(X.rows);
    this.r = new Float64Array(X.rows);
  }

  value(w: Float64Array): number {
    const { z, ySign, c, d } = this;
    csrTimesVector(this.X, w, this.fitIntercept ? w[d]! : 0, z);
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

  gradient(w: Float64Array, g: Float64Array): void {
    const { z, ySign, c, D, r, d } = this;
    let gb = 0;
    for (let i = 0; i < z.length; i++) {
      const s = sigmoid(ySign[i]! * z[i]!);
      D[i] = c[i]! * s * (1 - s);
      r[i] = c[i]! * (s - 1) * ySign[i]!;
      gb += r[i]!;
    }
    for (let j = 0; j < d; j++) g[j] = this.l2 * w[j]!;
    csrTransposeTimesVectorAdd(this.X, r, g);
    if (this.fitIntercept) g[d] = gb;
  }

  hessVec(v: Float64Array, out: Float64Array): void {
    const { D, r, d } = this;
    csrTimesVector(this.X, v, this.fitIntercept ? v[d]! : 0, r);
    let ob = 0;
    for (let i = 0; i < r.length; i++) {
      r[i]! *= D[i]!;
      ob += r[i]!;
    }
    for (let j = 0; j < d; j++) out[j] = this.l2 * v[j]!;
    csrTransposeTimesVectorAdd(this.X, r, out);
    if (this.fitIntercept) out[d] = ob;
  }

  diagHessian(M: Float64Array): void {
    const { D, d } = this;
    const { indptr, indices, data } = this.X;
    for (let j = 0; j < d; j++) M[j] = this.l2;
    let mb = 0;
    for (let i = 0; i < this.X.rows; i++) {
      const Di = D[i]!;
      mb += Di;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) M[indices[p]!]! += Di * data[p]! * data[p]!;
    }
    if (this.fitIntercept) M[d] = mb;
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

  gradient(w: Float64Array, g: Float64Array): void {
    const { d, K, y, c, P, R } = this;
    const n = this.X.rows;
    P.set(this.Ptrial);
    for (let i = 0; i < n; i++) {
      const o = i * K;
      for (let k = 0; k < K; k++) R[o + k] = c[i]! * (P[o + k]! - (k === y[i] ? 1 : 0));
    }
    for (let j = 0; j < d * K; j++) g[j] = this.l2 * w[j]!;
    csrTransposeTimesMatrixAdd(this.X, R, K, g);
    if (this.fitIntercept) this.sumRows(R, g, d * K);
  }

  hessVec(v: Float64Array, out: Float64Array): void {
    const { d, K, c, P, R } = this;
    const n = this.X.rows;
    csrTimesMatrix(this.X, v.subarray(0, d * K), K, this.fitIntercept ? v.subarray(d * K) : null, R);
    for (let i = 0; i < n; i++) {
      const o = i * K;
      let pq = 0;
      for (let k = 0; k < K; k++) pq += P[o + k]! * R[o + k]!;
      for (let k = 0; k < K; k++) R[o + k] = c[i]! * P[o + k]! * (R[o + k]! - pq);
    }
    for (let j = 0; j < d * K; j++) out[j] = this.l2 * v[j]!;
    csrTransposeTimesMatrixAdd(this.X, R, K, out);
    if (this.fitIntercept) this.sumRows(R, out, d * K);
  }

  diagHessian(M: Float64Array): void {
    const { d, K, c, P } = this;
    const { indptr, indices, data } = this.X;
    for (let j = 0; j < d * K; j++) M[j] = this.l2;
    if (this.fitIntercept) for (let k = 0; k < K; k++) M[d * K + k] = 0;
    for (let i = 0; i < this.X.rows; i++) {
      const o = i * K;
      for (let k = 0; k < K; k++) {
        const h = c[i]! * P[o + k]! * (1 - P[o + k]!);
        if (this.fitIntercept) M[d * K + k]! += h;
        for (let p = indptr[i]!; p < indptr[i + 1]!; p++) M[indices[p]! * K + k]! += h * data[p]! * data[p]!;
      }
    }
  }

  private sumRows(R: Float64Array, out: Float64Array, offset: number): void {
    const K = this.K;
    for (let k = 0; k < K; k++) out[offset + k] = 0;
    for (let i = 0; i < this.X.rows; i++) for (let k = 0; k < K; k++) out[offset + k]! += R[i * K + k]!;
  }
}
