/**
 * The model families by name: create one from a validated spec, reload one from its serialized
 * form, and read the weights of linear models for explanations. A new family is one file in this
 * folder, one schema in src/spec/models.ts and one entry here.
 */
import { ModelError } from "../errors.js";
import { modelSchema, type ModelSpec } from "../spec/models.js";
import { CalibratedClassifier } from "./calibrated.js";
import { LabelCleaningClassifier } from "./label-cleaning.js";
import type { Estimator, SerializedModel } from "./estimator.js";
import { GaussianNb } from "./gaussian-nb.js";
import { GradientBoosting } from "./gradient-boosting.js";
import { LinearSvm } from "./linear-svm.js";
import { LogisticRegression } from "./logistic-regression.js";
import { Mlp } from "./mlp.js";
import { NaiveBayes } from "./naive-bayes.js";
import { SgdClassifier } from "./sgd.js";

export const MODEL_FAMILIES = [
  "logistic_regression",
  "naive_bayes",
  "linear_svm",
  "sgd",
  "gradient_boosting",
  "mlp",
  "gaussian_nb",
] as const satisfies readonly ModelSpec["family"][];
export type ModelFamily = (typeof MODEL_FAMILIES)[number];
// Compile-time check that every family the spec accepts is listed above.
const _everyFamilyListed: Exclude<ModelSpec["family"], ModelFamily> extends never ? true : false = true;
void _everyFamilyListed;

/**
 * A fresh, unfitted estimator. `seed` drives every random choice the family makes (shuffling,
 * folds); deterministic families ignore it.
 */
export function createModel(spec: ModelSpec, seed: number): Estimator {
  // label cleaning wraps calibration wraps the family: issues are found on calibrated probabilities
  if (spec.label_issues === "drop") {
    return new LabelCleaningClassifier({ ...spec, label_issues: "drop" }, seed, createModel);
  }
  if (spec.calibration === "sigmoid" || spec.calibration === "isotonic") {
    return new CalibratedClassifier({ ...spec, calibration: spec.calibration }, seed, createModel);
  }
  switch (spec.family) {
    case "logistic_regression":
      return new LogisticRegression(spec);
    case "naive_bayes":
      return new NaiveBayes(spec);
    case "linear_svm":
      return new LinearSvm(spec, seed);
    case "sgd":
      return new SgdClassifier(spec, seed);
    case "gradient_boosting":
      return new GradientBoosting(spec, seed);
    case "mlp":
      return new Mlp(spec, seed);
    case "gaussian_nb":
      return new GaussianNb(spec);
    default: {
      const family = (spec as { family: unknown }).family;
      throw new ModelError(`unknown model family "${String(family)}" (allowed: ${MODEL_FAMILIES.join(", ")})`);
    }
  }
}

/** Rebuilds a fitted estimator from `serialize()` output (after a JSON round trip). */
export function loadModel(s: SerializedModel): Estimator {
  if (!(MODEL_FAMILIES as readonly string[]).includes(s.family)) {
    throw new ModelError(`cannot load model: unknown family "${s.family}" (allowed: ${MODEL_FAMILIES.join(", ")})`);
  }
  const parsed = modelSchema.safeParse({ ...s.params, family: s.family });
  if (!parsed.success) {
    throw new ModelError(`cannot load ${s.family} model: its params are invalid (${parsed.error.issues[0]?.message})`);
  }
  if (!Number.isInteger(s.nFeatures) || s.nFeatures < 0 || !Number.isInteger(s.nClasses) || s.nClasses < 2) {
    throw new ModelError(
      `cannot load ${s.family} model: nFeatures = ${s.nFeatures}, nClasses = ${s.nClasses} (need integers, nClasses ≥ 2)`,
    );
  }
  const spec = parsed.data;
  if (spec.label_issues === "drop") {
    const m = new LabelCleaningClassifier({ ...spec, label_issues: "drop" }, 0, createModel);
    m.restore(s, loadModel);
    return m;
  }
  if (spec.calibration === "sigmoid" || spec.calibration === "isotonic") {
    const m = new CalibratedClassifier({ ...spec, calibration: spec.calibration }, 0, createModel);
    m.restore(s, loadModel);
    return m;
  }
  // The seed only matters for fitting; a loaded model is already fitted.
  const m = createModel(spec, 0);
  m.restore(s);
  return m;
}

export interface LinearWeights {
  /** Number of classes of the model. */
  readonly classes: number;
  /** Row-major rows × nFeatures; one row (the positive class's log-odds) for binary models. */
  readonly weights: Float64Array;
  readonly intercept: Float64Array;
  /** What a weight multiplies: the feature value, or (bernoulli NB) its presence indicator. */
  readonly input: "value" | "presence";
}

/**
 * The score of each class as a linear function of the features, or null for a family that is not
 * linear. For binary models there is one row scoring class 1 (logistic regression and naive Bayes:
 * its log-odds; linear SVM and SGD: its decision value), so a positive weight pushes towards class 1; for multiclass
 * models row k scores class k (softmax or one-vs-rest logits, SVM margins, or naive Bayes joint log
 * likelihoods, which differ from log-probabilities by a per-row constant).
 */
export function linearWeights(est: Estimator): LinearWeights | null {
  // a model fitted without likely label errors predicts with its final fit's weights
  if (est instanceof LabelCleaningClassifier) return est.fitted === null ? null : linearWeights(est.fitted);
  if (est instanceof LogisticRegression || est instanceof LinearSvm || est instanceof SgdClassifier) {
    if (est.nFeatures < 0) return null;
    return { classes: est.nClasses, weights: est.coef, intercept: est.intercept, input: "value" };
  }
  if (est instanceof NaiveBayes) {
    if (est.nFeatures < 0) return null;
    const { weights, bias } = est.linearForm();
    const input = est.params.variant === "bernoulli" && est.params.binarize !== null ? "presence" : "value";
    const d = est.nFeatures;
    if (est.nClasses === 2) {
      const w = new Float64Array(d);
      for (let j = 0; j < d; j++) w[j] = weights[d + j]! - weights[j]!;
      return { classes: 2, weights: w, intercept: Float64Array.of(bias[1]! - bias[0]!), input };
    }
    return { classes: est.nClasses, weights, intercept: bias, input };
  }
  return null;
}
