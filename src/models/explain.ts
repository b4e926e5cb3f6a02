/**
 * Explanations for the interpretable families: which features a model weighs most towards each
 * class, and which features pushed one example towards each class. Only models whose class scores
 * are linear in the features can say this exactly (logistic regression, linear SVM, SGD, naive
 * Bayes); for gradient boosting and the MLP a feature's effect depends on the others, and these
 * functions say so rather than approximate.
 *
 * "Towards class k" is measured on one score per class, linear in the features:
 *   - binary models: the log-odds (or margin) of class 1, and its negation for class 0;
 *   - one-vs-rest models (linear SVM, SGD, logistic regression with multi_class ovr): class k's own
 *     score against the rest;
 *   - softmax-like models (multinomial logistic regression, naive Bayes with ≥ 3 classes): class k's
 *     score minus the mean of the other classes' scores — a softmax is unchanged when the same
 *     amount is added to every class's weight for a feature, so only such contrasts mean anything.
 *     For naive Bayes this is the log-probability ratio of the feature under class k against the
 *     (geometric) mean of the other classes.
 * A contribution is the feature's value (bernoulli naive Bayes: its presence, 0/1) times its
 * weight; contributions plus the class's intercept add up to that class's score.
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import { CalibratedClassifier } from "./calibrated.js";
import type { Estimator } from "./estimator.js";
import { LogisticRegression } from "./logistic-regression.js";
import { NaiveBayes } from "./naive-bayes.js";
import { linearWeights } from "./registry.js";

export const EXPLAINABLE_FAMILIES = ["logistic_regression", "linear_svm", "sgd", "naive_bayes"] as const;

/** One score per class, linear in the (possibly binarized) features. */
export interface ClassScores {
  readonly nClasses: number;
  readonly nFeatures: number;
  /** Row-major nClasses × nFeatures. */
  readonly weights: Float64Array;
  readonly intercept: Float64Array;
  /** What a weight multiplies: the feature value, or its presence (value > threshold). */
  readonly input: "value" | "presence";
  /** Bernoulli naive Bayes: a feature is present when its value is > this. */
  readonly presenceThreshold: number;
  /** How the class score is built (see the module comment). */
  readonly kind: "binary" | "one_vs_rest" | "contrast";
}

export interface FeatureWeight {
  readonly index: number;
  readonly feature: string;
  readonly weight: number;
}

export interface ClassTopFeatures {
  readonly classIndex: number;
  /** Largest weight first; only features with a positive weight (those that push towards the class). */
  readonly features: FeatureWeight[];
}

export interface Contribution {
  readonly index: number;
  readonly feature: string;
  /** The feature's value in the example (what the weight multiplies: 1 for a present bernoulli feature). */
  readonly value: number;
  readonly weight: number;
  readonly contribution: number;
}

export interface ClassContributions {
  readonly classIndex: number;
  readonly intercept: number;
  /** intercept + Σ contributions: the class's score for this example. */
  readonly score: number;
  /** Every nonzero contribution, the one pushing most towards the class first. */
  readonly contributions: Contribution[];
}

/** The per-class linear scores of an explainable model; a ModelError for any other family. */
export function classScores(est: Estimator): ClassScores {
  const lw = linearWeights(est);
  if (lw === null) {
    const fitted = (est as { nFeatures?: number }).nFeatures;
    if (est instanceof CalibratedClassifier) {
      throw new ModelError(
        `explanations are not available for a calibrated ${est.family} (model.calibration: ${est.params.calibration}): ` +
          "its probabilities average 5 models through non-linear calibrators, so there is no per-feature weight to show " +
          "(explain a run of the same spec without model.calibration)",
      );
    }
    if ((EXPLAINABLE_FAMILIES as readonly string[]).includes(est.family) && fitted !== undefined && fitted < 0) {
      throw new ModelError(`${est.family}: explanations need a fitted model`);
    }
    throw new ModelError(
      `explanations are not available for the ${est.family} family: a feature's effect there depends on the other features, so there is no per-feature weight to show (available for ${EXPLAINABLE_FAMILIES.join(", ")})`,
    );
  }
  const K = lw.classes;
  const rows = lw.intercept.length;
  const d = lw.weights.length / rows;
  const presenceThreshold = est instanceof NaiveBayes ? (est.params.binarize ?? 0) : 0;
  const weights = new Float64Array(K * d);
  const intercept = new Float64Array(K);
  if (K === 2) {
    for (let j = 0; j < d; j++) {
      weights[d + j] = lw.weights[j]!;
      weights[j] = -lw.weights[j]!;
    }
    intercept[1] = lw.intercept[0]!;
    intercept[0] = -lw.intercept[0]!;
    return { nClasses: 2, nFeatures: d, weights, intercept, input: lw.input, presenceThreshold, kind: "binary" };
  }
  const softmaxLike =
    est instanceof NaiveBayes || (est instanceof LogisticRegression && est.params.multi_class === "multinomial");
  if (!softmaxLike) {
    weights.set(lw.weights);
    intercept.set(lw.intercept);
    return { nClasses: K, nFeatures: d, weights, intercept, input: lw.input, presenceThreshold, kind: "one_vs_rest" };
  }
  // score_k − mean_{l≠k} score_l = (K·score_k − Σ_l score_l) / (K − 1).
  const sum = new Float64Array(d);
  let interceptSum = 0;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < d; j++) sum[j]! += lw.weights[k * d + j]!;
    interceptSum += lw.intercept[k]!;
  }
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < d; j++) weights[k * d + j] = (K * lw.weights[k * d + j]! - sum[j]!) / (K - 1);
    intercept[k] = (K * lw.intercept[k]! - interceptSum) / (K - 1);
  }
  return { nClasses: K, nFeatures: d, weights, intercept, input: lw.input, presenceThreshold, kind: "contrast" };
}

function checkNames(scores: ClassScores, featureNames: readonly string[]): void {
  if (featureNames.length !== scores.nFeatures) {
    throw new ModelError(
      `the model has ${scores.nFeatures} features but ${featureNames.length} feature names were given; explain with the run's own feature pipeline`,
    );
  }
}

/** The k features with the largest positive weight towards each class. */
export function topFeatures(est: Estimator, featureNames: readonly string[], k: number): ClassTopFeatures[] {
  if (!Number.isInteger(k) || k < 1) throw new ModelError(`top features: k = ${k}; expected a positive integer`);
  const scores = classScores(est);
  checkNames(scores, featureNames);
  const d = scores.nFeatures;
  const out: ClassTopFeatures[] = [];
  for (let c = 0; c < scores.nClasses; c++) {
    const w = scores.weights.subarray(c * d, (c + 1) * d);
    // A bounded selection (k is small, d can be 10⁵): keep the best k seen so far, sorted.
    const best: number[] = [];
    for (let j = 0; j < d; j++) {
      const v = w[j]!;
      if (!(v > 0)) continue;
      if (best.length === k && v <= w[best[k - 1]!]!) continue;
      let at = best.length === k ? k - 1 : best.length;
      if (best.length < k) best.push(j);
      while (at > 0 && w[best[at - 1]!]! < v) {
        best[at] = best[at - 1]!;
        at--;
      }
      best[at] = j;
    }
    out.push({ classIndex: c, features: best.map((j) => ({ index: j, feature: featureNames[j]!, weight: w[j]! })) });
  }
  return out;
}

/** How each nonzero feature of row `row` of X pushed the example towards each class. */
export function contributions(
  est: Estimator,
  X: CsrMatrix,
  featureNames: readonly string[],
  row = 0,
): ClassContributions[] {
  const scores = classScores(est);
  checkNames(scores, featureNames);
  const d = scores.nFeatures;
  if (X.cols !== d) {
    throw new ModelError(
      `the example has ${X.cols} features but the model was fitted on ${d}; featurise it with the run's own pipeline`,
    );
  }
  if (!Number.isInteger(row) || row < 0 || row >= X.rows) {
    throw new ModelError(`row ${row} is not a row of X (it has ${X.rows})`);
  }
  const out: ClassContributions[] = [];
  for (let c = 0; c < scores.nClasses; c++) {
    const list: Contribution[] = [];
    let score = scores.intercept[c]!;
    for (let p = X.indptr[row]!; p < X.indptr[row + 1]!; p++) {
      const j = X.indices[p]!;
      const raw = X.data[p]!;
      const value = scores.input === "presence" ? (raw > scores.presenceThreshold ? 1 : 0) : raw;
      if (value === 0) continue;
      const weight = scores.weights[c * d + j]!;
      const contribution = value * weight;
      score += contribution;
      list.push({ index: j, feature: featureNames[j]!, value, weight, contribution });
    }
    list.sort((a, b) => b.contribution - a.contribution || a.index - b.index);
    out.push({ classIndex: c, intercept: scores.intercept[c]!, score, contributions: list });
  }
  return out;
}
