/**
 * Gaussian naive Bayes for numeric features, matching scikit-learn's GaussianNB: per class, each
 * feature is a normal distribution with the class's mean and (population) variance, every variance
 * widened by var_smoothing × the largest variance of any feature over all rows; priors are the
 * (sample-weighted) class frequencies.
 *
 * The joint log likelihood of class c,
 *   log π_c − ½ Σ_j log(2π σ²_cj) − ½ Σ_j (x_j − θ_cj)² / σ²_cj,
 * expands to bias_c + Σ_j x_j·θ_cj/σ²_cj − ½ Σ_j x_j²/σ²_cj: two sparse products (X and X²), so
 * a zero feature costs nothing and the family works on any CSR matrix.
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { GaussianNbParams } from "../spec/models.js";
import { checkFitData, checkPredictX } from "./check-input.js";
import type { Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { numberArray } from "./logistic-regression.js";
import { csrTimesMatrix, softmaxRowsInPlace } from "./sparse-linear.js";

export const GAUSSIAN_NB = "gaussian_nb";

/** Weighted per-class sums of x, per class and feature (class-major), and the class weights. */
function classSums(X: CsrMatrix, y: Int32Array, sw: Float64Array, K: number) {
  const d = X.cols;
  const weight = new Float64Array(K);
  const sum = new Float64Array(K * d);
  for (let i = 0; i < X.rows; i++) {
    const c = y[i]!;
    weight[c]! += sw[i]!;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) sum[c * d + X.indices[p]!]! += sw[i]! * X.data[p]!;
  }
  return { weight, sum };
}

/**
 * Two-pass weighted variance per class and feature (numpy's np.average((x − mean)², weights)): the
 * nonzeros add w·(x − θ)², the implicit zeros add (class weight − weight of the nonzeros)·θ².
 */
function classVariances(X: CsrMatrix, y: Int32Array, sw: Float64Array, theta: Float64Array, weight: Float64Array) {
  const d = X.cols;
  const K = weight.length;
  const sq = new Float64Array(K * d);
  const nonzeroWeight = new Float64Array(K * d);
  for (let i = 0; i < X.rows; i++) {
    const o = y[i]! * d;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
      const j = o + X.indices[p]!;
      sq[j]! += sw[i]! * (X.data[p]! - theta[j]!) ** 2;
      nonzeroWeight[j]! += sw[i]!;
    }
  }
  const v = new Float64Array(K * d);
  for (let c = 0; c < K; c++) {
    for (let j = 0; j < d; j++) {
      const k = c * d + j;
      v[k] = (sq[k]! + (weight[c]! - nonzeroWeight[k]!) * theta[k]! ** 2) / weight[c]!;
    }
  }
  return v;
}

export class GaussianNb implements Estimator {
  readonly family = GAUSSIAN_NB;
  nFeatures = -1;
  nClasses = 0;
  /** nClasses × nFeatures, class-major: sklearn's theta_ and var_ (var_ includes the smoothing). */
  theta: Float64Array = new Float64Array(0);
  variance: Float64Array = new Float64Array(0);
  classLogPrior: Float64Array = new Float64Array(0);
  /** The smoothing added to every variance (sklearn's epsilon_). */
  epsilon = 0;

  constructor(readonly params: GaussianNbParams) {}

  fit(data: FitData): TrainingReport {
    const sw = checkFitData(data, this.family);
    const { X, y, nClasses: K } = data;
    const d = X.cols;
    const { weight, sum } = classSums(X, y, sw, K);
    const theta = new Float64Array(K * d);
    for (let c = 0; c < K; c++) for (let j = 0; j < d; j++) theta[c * d + j] = sum[c * d + j]! / weight[c]!;
    const variance = classVariances(X, y, sw, theta, weight);
    this.epsilon = this.params.var_smoothing * maxFeatureVariance(X);
    for (let k = 0; k < variance.length; k++) variance[k]! += this.epsilon;
    const prior = this.priors(weight);
    this.nFeatures = d;
    this.nClasses = K;
    this.theta = theta;
    this.variance = variance;
    this.classLogPrior = prior;
    const loss = meanLogLoss(this.predictProba(X), y, K);
    const devLoss =
      data.dev !== undefined && data.dev.X.rows > 0
        ? meanLogLoss(this.predictProba(data.dev.X), data.dev.y, K)
        : undefined;
    return {
      iterations: 1,
      converged: true,
      finalLoss: loss,
      curve: [{ step: 1, loss, trainLoss: loss, ...(devLoss === undefined ? {} : { devLoss }) }],
      warnings: Number.isFinite(loss) ? [] : [`training log loss is ${loss}`],
    };
  }

  /** log of the (sample-weighted) class frequencies: sklearn's class_prior_ without `priors`. */
  private priors(weight: Float64Array): Float64Array {
    const total = weight.reduce((a, b) => a + b, 0);
    return Float64Array.from(weight, (w) => Math.log(w / total));
  }

  /** Joint log likelihood, n × nClasses row-major. */
  jointLogLikelihood(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    const K = this.nClasses;
    const d = this.nFeatures;
    const linear = new Float64Array(d * K);
    const quadratic = new Float64Array(d * K);
    const bias = new Float64Array(K);
    for (let c = 0; c < K; c++) {
      let b = this.classLogPrior[c]!;
      for (let j = 0; j < d; j++) {
        const v = this.variance[c * d + j]!;
        const t = this.theta[c * d + j]!;
        b -= 0.5 * (Math.log(2 * Math.PI * v) + (t * t) / v);
        linear[j * K + c] = t / v;
        quadratic[j * K + c] = -0.5 / v;
      }
      bias[c] = b;
    }
    const jll = new Float64Array(X.rows * K);
    csrTimesMatrix(X, linear, K, bias, jll);
    const squares = new Float64Array(X.rows * K);
    csrTimesMatrix({ ...X, data: X.data.map((x) => x * x) }, quadratic, K, null, squares);
    for (let k = 0; k < jll.length; k++) jll[k]! += squares[k]!;
    return jll;
  }

  predictProba(X: CsrMatrix): Float64Array {
    const out = this.jointLogLikelihood(X);
    softmaxRowsInPlace(out, X.rows, this.nClasses);
    return out;
  }

  serialize(): SerializedModel {
    if (this.nFeatures < 0) throw new ModelError(`${this.family}: serialize called before fit`);
    return {
      family: this.family,
      params: { ...this.params },
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      state: {
        theta: Array.from(this.theta),
        variance: Array.from(this.variance),
        classLogPrior: Array.from(this.classLogPrior),
        epsilon: this.epsilon,
      },
    };
  }

  restore(s: SerializedModel): void {
    const n = s.nClasses * s.nFeatures;
    this.theta = numberArray(s, "theta", n);
    this.variance = numberArray(s, "variance", n);
    this.classLogPrior = numberArray(s, "classLogPrior", s.nClasses);
    this.epsilon = typeof s.state["epsilon"] === "number" ? s.state["epsilon"] : 0;
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
  }
}

/** The largest population variance of any column over all rows (implicit zeros included). */
function maxFeatureVariance(X: CsrMatrix): number {
  const d = X.cols;
  const mean = new Float64Array(d);
  for (let p = 0; p < X.indptr[X.rows]!; p++) mean[X.indices[p]!]! += X.data[p]! / X.rows;
  const sq = new Float64Array(d);
  const nonzeros = new Float64Array(d);
  for (let p = 0; p < X.indptr[X.rows]!; p++) {
    const j = X.indices[p]!;
    sq[j]! += (X.data[p]! - mean[j]!) ** 2;
    nonzeros[j]!++;
  }
  let max = 0;
  for (let j = 0; j < d; j++) max = Math.max(max, (sq[j]! + (X.rows - nonzeros[j]!) * mean[j]! ** 2) / X.rows);
  return max;
}

function meanLogLoss(proba: Float64Array, y: Int32Array, K: number): number {
  let loss = 0;
  for (let i = 0; i < y.length; i++) loss -= Math.log(Math.max(proba[i * K + y[i]!]!, 1e-300));
  return loss / y.length;
}
