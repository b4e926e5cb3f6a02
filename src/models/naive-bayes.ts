/**
 * Naive Bayes for sparse features, matching scikit-learn's MultinomialNB, BernoulliNB and
 * ComplementNB (including sample weights, which weight each row's counts and its class count).
 * All three are linear in (binarized) X at prediction time: jll = X · Wᵀ + bias, which is what
 * `linearWeights` exposes.
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { NaiveBayesParams } from "../spec/models.js";
import { checkFitData, checkNonNegative, checkPredictX, negativeError, nonFiniteError } from "./check-input.js";
import { NaiveBayesPasses } from "./kernels/naive-bayes-wasm.js";
import { kernelBackend } from "./kernels/wasm-kernels.js";
import type { Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { numberArray } from "./logistic-regression.js";
import { csrTimesMatrix, logOnePlusExpNeg } from "./sparse-linear.js";

export const NAIVE_BAYES = "naive_bayes";

/** sklearn (force_alpha=False, the default before 1.4) raises alpha below this to avoid log(0). */
const MIN_ALPHA = 1e-10;

/** −log(1e-300): the training loss of a row whose probability underflows. */
const LOSS_CAP = -Math.log(1e-300);

export class NaiveBayes implements Estimator {
  readonly family = NAIVE_BAYES;
  nFeatures = -1;
  nClasses = 0;
  /** nClasses × nFeatures, class-major: sklearn's feature_log_prob_ (complement: its weights). */
  featureLogProb: Float64Array = new Float64Array(0);
  classLogPrior: Float64Array = new Float64Array(0);
  /** Bias of the linear form jll = X · Wᵀ + bias (see `linearForm`). */
  private bias: Float64Array = new Float64Array(0);
  /**
   * The weights W of that linear form (bernoulli: log p − log(1−p); others: featureLogProb), stored
   * feature-major (j·K + c) so that scoring a nonzero reads K adjacent numbers.
   */
  private weights: Float64Array = new Float64Array(0);

  constructor(readonly params: NaiveBayesParams) {}

  fit(data: FitData): TrainingReport {
    const family = `${this.family} (${this.params.variant})`;
    const binarizes = this.params.variant === "bernoulli" && this.params.binarize !== null;
    // The WebAssembly passes check X's values on the copy they read (binarizing replaces them first).
    const passesCheck = kernelBackend("naive-bayes") === "wasm" && !binarizes;
    const sw = checkFitData(data, family, !passesCheck);
    const { y, nClasses: K } = data;
    const X = this.prepare(data.X, family, false);
    const passes = kernelBackend("naive-bayes") === "wasm" ? new NaiveBayesPasses(X, y, sw) : null;
    try {
      const weighted = data.sampleWeight !== undefined;
      const { featureCount, classCount } =
        passes === null
          ? this.countsJs(X, y, K, sw, weighted, family)
          : this.countsWasm(passes, X, K, weighted, passesCheck, family);
      return this.fitFromCounts(X, data, sw, featureCount, classCount, passes);
    } finally {
      passes?.close();
    }
  }

  /** The JavaScript reference of the counting pass; it also finds negative values (one pass over X instead of two). */
  private countsJs(
    X: CsrMatrix,
    y: Int32Array,
    K: number,
    sw: Float64Array,
    weighted: boolean,
    family: string,
  ): { featureCount: Float64Array; classCount: Float64Array } {
    const d = X.cols;
    const featureCount = new Float64Array(K * d);
    const classCount = new Float64Array(K);
    const { indptr, indices, data: values } = X;
    let smallest = 0;
    for (let i = 0; i < X.rows; i++) {
      const c = y[i]!;
      const s = sw[i]!;
      classCount[c]! += s;
      const o = c * d;
      const end = indptr[i + 1]!;
      for (let p = indptr[i]!; p < end; p++) {
        const x = values[p]!;
        if (x < smallest) smallest = x;
        featureCount[o + indices[p]!]! += weighted ? s * x : x;
      }
    }
    if (smallest < 0 && this.params.variant !== "bernoulli") checkNonNegative(X, "X", family);
    return { featureCount, classCount };
  }

  /**
   * The checks and counts in the module, in one pass. The errors are the reference's: a
   * non-finite value anywhere before a negative one anywhere. `featureCount` stays in the module
   * for the multinomial variant (null), which reads it there.
   */
  private countsWasm(
    passes: NaiveBayesPasses,
    X: CsrMatrix,
    K: number,
    weighted: boolean,
    checkFinite: boolean,
    family: string,
  ): { featureCount: Float64Array | null; classCount: Float64Array } {
    const checked = passes.countsChecked(K, weighted, checkFinite, this.params.variant !== "bernoulli");
    if (checked.firstNonFinite >= 0) throw nonFiniteError(X, checked.firstNonFinite, "X", family);
    if (checked.firstNegative >= 0) throw negativeError(X, checked.firstNegative, "X", family);
    const featureCount = this.params.variant === "multinomial" ? null : passes.featureCount(K);
    return { featureCount, classCount: checked.classCount };
  }

  private fitFromCounts(
    X: CsrMatrix,
    data: FitData,
    sw: Float64Array,
    /** null: the counts are in `passes` (the multinomial variant reads them there). */
    featureCount: Float64Array | null,
    classCount: Float64Array,
    passes: NaiveBayesPasses | null,
  ): TrainingReport {
    const { y, nClasses: K } = data;
    const d = X.cols;
    const alpha = Math.max(this.params.alpha, MIN_ALPHA);
    const variant = this.params.variant;
    let flp: Float64Array;
    if (variant === "multinomial" && passes !== null) {
      flp = passes.multinomialLogProb(K, alpha);
    } else if (featureCount === null) {
      throw new Error("naive Bayes: the counts of this variant must be read out of the module");
    } else if (variant === "multinomial") {
      flp = new Float64Array(K * d);
      for (let c = 0; c < K; c++) {
        let total = 0;
        for (let j = 0; j < d; j++) total += featureCount[c * d + j]! + alpha;
        const logTotal = Math.log(total);
        for (let j = 0; j < d; j++) flp[c * d + j] = Math.log(featureCount[c * d + j]! + alpha) - logTotal;
      }
    } else if (variant === "bernoulli") {
      flp = new Float64Array(K * d);
      for (let c = 0; c < K; c++) {
        const logDenom = Math.log(classCount[c]! + 2 * alpha);
        for (let j = 0; j < d; j++) flp[c * d + j] = Math.log(featureCount[c * d + j]! + alpha) - logDenom;
      }
    } else {
      // Complement: each class is described by the counts of all *other* classes.
      flp = new Float64Array(K * d);
      const featureAll = new Float64Array(d);
      for (let c = 0; c < K; c++) for (let j = 0; j < d; j++) featureAll[j]! += featureCount[c * d + j]!;
      for (let c = 0; c < K; c++) {
        let total = 0;
        for (let j = 0; j < d; j++) total += featureAll[j]! + alpha - featureCount[c * d + j]!;
        let logSum = 0;
        for (let j = 0; j < d; j++) {
          const logged = Math.log((featureAll[j]! + alpha - featureCount[c * d + j]!) / total);
          flp[c * d + j] = logged;
          logSum += logged;
        }
        for (let j = 0; j < d; j++) flp[c * d + j] = this.params.norm ? flp[c * d + j]! / logSum : -flp[c * d + j]!;
      }
    }

    const prior = new Float64Array(K);
    let totalCount = 0;
    for (let c = 0; c < K; c++) totalCount += classCount[c]!;
    for (let c = 0; c < K; c++) {
      prior[c] = this.params.fit_prior ? Math.log(classCount[c]!) - Math.log(totalCount) : -Math.log(K);
    }
    this.nFeatures = d;
    this.nClasses = K;
    this.featureLogProb = flp;
    this.classLogPrior = prior;
    this.buildLinearForm(passes);

    // NB has no iterative objective; report the weighted mean training log loss so that a training
    // curve and a dev curve of an NB run are comparable with those of the other families.
    const rowLoss = this.trainingLosses(X, y, passes);
    let loss = 0;
    let wsum = 0;
    let plain = 0;
    for (let i = 0; i < X.rows; i++) {
      const l = rowLoss[i]!;
      loss += sw[i]! * l;
      wsum += sw[i]!;
      plain += l;
    }
    const finalLoss = loss / wsum;
    const point = { step: 1, loss: finalLoss, trainLoss: plain / X.rows };
    const warnings: string[] = [];
    let devLoss: number | undefined;
    if (data.dev !== undefined && data.dev.X.rows > 0) {
      const dp = this.predictProba(data.dev.X);
      devLoss = 0;
      for (let i = 0; i < data.dev.y.length; i++) devLoss -= Math.log(Math.max(dp[i * K + data.dev.y[i]!]!, 1e-300));
      devLoss /= data.dev.y.length;
    }
    if (!Number.isFinite(finalLoss)) warnings.push(`training log loss is ${finalLoss}`);
    return {
      iterations: 1,
      converged: true,
      finalLoss,
      curve: [devLoss === undefined ? point : { ...point, devLoss }],
      warnings,
    };
  }

  /**
   * −log P(y_i | x_i) per training row, capped at −log(1e-300) as a probability floor would cap it.
   * Two classes need one dot product per row (the log-odds), not a score per class.
   */
  private trainingLosses(X: CsrMatrix, y: Int32Array, passes: NaiveBayesPasses | null): Float64Array {
    const K = this.nClasses;
    const out = new Float64Array(X.rows);
    if (K !== 2) {
      const proba = this.probaFromPrepared(X);
      for (let i = 0; i < X.rows; i++) out[i] = -Math.log(Math.max(proba[i * K + y[i]!]!, 1e-300));
      return out;
    }
    const bias = this.bias[1]! - this.bias[0]!;
    if (passes !== null && this.params.variant !== "bernoulli") return passes.binaryLosses(bias, LOSS_CAP);
    const d = this.nFeatures;
    const W = this.weights;
    const delta = new Float64Array(d);
    for (let j = 0; j < d; j++) delta[j] = W[2 * j + 1]! - W[2 * j]!;
    const { indptr, indices, data } = X;
    for (let i = 0; i < X.rows; i++) {
      let m = bias;
      const end = indptr[i + 1]!;
      for (let p = indptr[i]!; p < end; p++) m += data[p]! * delta[indices[p]!]!;
      // −log σ(±m) = log(1 + e^(∓m))
      out[i] = Math.min(logOnePlusExpNeg(y[i] === 1 ? m : -m), LOSS_CAP);
    }
    return out;
  }

  /** Binarizes (bernoulli) and checks X ≥ 0 where the variant needs counts (unless the caller checks). */
  private prepare(X: CsrMatrix, family: string, check = true): CsrMatrix {
    const variant = this.params.variant;
    if (variant !== "bernoulli") {
      if (check) checkNonNegative(X, "X", family);
      return X;
    }
    const threshold = this.params.binarize;
    if (threshold === null) return X;
    const data = new Float64Array(X.data.length);
    for (let k = 0; k < data.length; k++) data[k] = X.data[k]! > threshold ? 1 : 0;
    return { ...X, data };
  }

  private buildLinearForm(passes: NaiveBayesPasses | null = null): void {
    const K = this.nClasses;
    const d = this.nFeatures;
    const flp = this.featureLogProb;
    this.bias = new Float64Array(K);
    if (passes !== null && this.params.variant !== "bernoulli") {
      this.weights = passes.featureMajor(flp, K, this.params.variant === "multinomial");
      for (let c = 0; c < K; c++) this.bias[c] = this.params.variant === "complement" ? 0 : this.classLogPrior[c]!;
      return;
    }
    this.weights = new Float64Array(K * d);
    for (let c = 0; c < K; c++) {
      let bias = this.params.variant === "complement" ? 0 : this.classLogPrior[c]!;
      for (let j = 0; j < d; j++) {
        const lp = flp[c * d + j]!;
        if (this.params.variant === "bernoulli") {
          // log(1 - p) with p = exp(lp) close to 1 would lose digits; log1p(-exp) keeps them.
          const logNot = Math.log1p(-Math.exp(lp));
          this.weights[j * K + c] = lp - logNot;
          bias += logNot;
        } else {
          this.weights[j * K + c] = lp;
        }
      }
      this.bias[c] = bias;
    }
  }

  /** Joint log likelihood, n × nClasses row-major. */
  jointLogLikelihood(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    return this.jllFromPrepared(this.prepare(X, `${this.family} (${this.params.variant})`));
  }

  private jllFromPrepared(X: CsrMatrix): Float64Array {
    const K = this.nClasses;
    const out = new Float64Array(X.rows * K);
    csrTimesMatrix(X, this.weights, K, this.bias, out);
    return out;
  }

  /** log P(class | x) via log-sum-exp, n × nClasses row-major. */
  predictLogProba(X: CsrMatrix): Float64Array {
    const jll = this.jointLogLikelihood(X);
    normalizeLogRows(jll, this.nClasses);
    return jll;
  }

  predictProba(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    return this.probaFromPrepared(this.prepare(X, `${this.family} (${this.params.variant})`));
  }

  private probaFromPrepared(X: CsrMatrix): Float64Array {
    const out = this.jllFromPrepared(X);
    normalizeLogRows(out, this.nClasses);
    for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]!);
    return out;
  }

  /** jll = X · weightsᵀ + bias over (binarized, for bernoulli) X; weights class-major (c·d + j). */
  linearForm(): { weights: Float64Array; bias: Float64Array } {
    const K = this.nClasses;
    const d = this.nFeatures;
    const classMajor = new Float64Array(K * d);
    for (let j = 0; j < d; j++) for (let c = 0; c < K; c++) classMajor[c * d + j] = this.weights[j * K + c]!;
    return { weights: classMajor, bias: this.bias };
  }

  serialize(): SerializedModel {
    if (this.nFeatures < 0) throw new ModelError(`${this.family}: serialize called before fit`);
    return {
      family: this.family,
      params: { ...this.params },
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      state: { featureLogProb: Array.from(this.featureLogProb), classLogPrior: Array.from(this.classLogPrior) },
    };
  }

  restore(s: SerializedModel): void {
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
    this.featureLogProb = numberArray(s, "featureLogProb", s.nClasses * s.nFeatures);
    this.classLogPrior = numberArray(s, "classLogPrior", s.nClasses);
    this.buildLinearForm();
  }
}

/** Each row of an n × K matrix of log scores becomes log-probabilities (row − logsumexp(row)). */
function normalizeLogRows(M: Float64Array, K: number): void {
  for (let o = 0; o < M.length; o += K) {
    let max = -Infinity;
    for (let c = 0; c < K; c++) if (M[o + c]! > max) max = M[o + c]!;
    let sum = 0;
    for (let c = 0; c < K; c++) sum += Math.exp(M[o + c]! - max);
    const lse = max + Math.log(sum);
    for (let c = 0; c < K; c++) M[o + c]! -= lse;
  }
}
