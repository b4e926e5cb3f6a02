/**
 * Model family hyperparameter schemas (one discriminated union on `family`). A new model family is
 * one schema here, one file in src/models and one line in src/models/registry.ts.
 */
import { z } from "zod";

// ── models ───────────────────────────────────────────────────────────────────────────────────────

const classWeight = z
  .union([z.literal("balanced"), z.record(z.string(), z.number().positive())])
  .nullable()
  .default(null);

export const logisticRegressionParamsSchema = z.strictObject({
  family: z.literal("logistic_regression"),
  /** Inverse regularisation strength, as in scikit-learn and liblinear. */
  C: z.number().positive().default(1.0),
  /** l2: ½‖w‖²; l1: ‖w‖₁ (sparse weights); elasticnet: ½(1 − l1_ratio)‖w‖² + l1_ratio‖w‖₁. */
  penalty: z.enum(["l2", "l1", "elasticnet"]).default("l2"),
  /** elasticnet only: the share of the L1 term (0 = pure L2, 1 = pure L1). */
  l1_ratio: z.number().min(0).max(1).default(0.5),
  /** Stop when the gradient norm falls to `tol` × its value at w = 0 (liblinear's criterion). */
  tol: z.number().positive().default(1e-4),
  max_iter: z.number().int().positive().default(100),
  fit_intercept: z.boolean().default(true),
  class_weight: classWeight,
  /** multiclass strategy: softmax over all classes, or one binary model per class. */
  multi_class: z.enum(["multinomial", "ovr"]).default("multinomial"),
});
export type LogisticRegressionParams = z.infer<typeof logisticRegressionParamsSchema>;

export const naiveBayesParamsSchema = z.strictObject({
  family: z.literal("naive_bayes"),
  /**
   * multinomial: counts/TF-IDF (sklearn MultinomialNB); bernoulli: presence/absence of each feature
   * (BernoulliNB); complement: weights from the other classes' counts, robust to class imbalance
   * (ComplementNB).
   */
  variant: z.enum(["multinomial", "bernoulli", "complement"]).default("multinomial"),
  /** Additive (Laplace/Lidstone) smoothing; values below 1e-10 are raised to 1e-10 as in sklearn. */
  alpha: z.number().min(0).default(1.0),
  /** Learn class priors from the training data; false: uniform priors. Unused by complement. */
  fit_prior: z.boolean().default(true),
  /** bernoulli only: a feature is present when its value is > this; null: X is already 0/1. */
  binarize: z.number().min(0).nullable().default(0),
  /** complement only: normalise each class's weights (sklearn's norm, off by default there too). */
  norm: z.boolean().default(false),
});
export type NaiveBayesParams = z.infer<typeof naiveBayesParamsSchema>;

export const linearSvmParamsSchema = z.strictObject({
  family: z.literal("linear_svm"),
  /** Inverse regularisation strength (liblinear/sklearn LinearSVC). */
  C: z.number().positive().default(1.0),
  /** hinge: the classic SVM; squared_hinge: smooth, liblinear's and sklearn's default. */
  loss: z.enum(["hinge", "squared_hinge"]).default("squared_hinge"),
  /** Stop when the spread of the dual projected gradient falls below this (liblinear's eps). */
  tol: z.number().positive().default(1e-4),
  max_iter: z.number().int().positive().default(1000),
  fit_intercept: z.boolean().default(true),
  /** The intercept is a regularised weight on a constant feature of this value (liblinear). */
  intercept_scaling: z.number().positive().default(1),
  class_weight: classWeight,
  /** Probabilities come from Platt scaling fitted on this many cross-validation folds. */
  calibration_folds: z.number().int().min(2).default(5),
});
export type LinearSvmParams = z.infer<typeof linearSvmParamsSchema>;

export const sgdParamsSchema = z.strictObject({
  family: z.literal("sgd"),
  /**
   * hinge: linear SVM (probabilities by cross-validated Platt scaling); log_loss: logistic
   * regression; modified_huber: smooth hinge with probabilities (clip(f, -1, 1) + 1) / 2.
   */
  loss: z.enum(["hinge", "log_loss", "modified_huber"]).default("hinge"),
  /** L2 regularisation strength (the penalty is alpha/2 · ‖w‖² per example, as in sklearn). */
  alpha: z.number().positive().default(1e-4),
  fit_intercept: z.boolean().default(true),
  /** Maximum number of epochs (passes over the training data). */
  max_iter: z.number().int().positive().default(1000),
  /** Stop after n_iter_no_change epochs that improve the epoch loss (or validation accuracy) by less than tol; null: run max_iter epochs. */
  tol: z.number().min(0).nullable().default(1e-3),
  /** Shuffle the rows before each epoch (seeded). */
  shuffle: z.boolean().default(true),
  /** optimal: eta = 1/(alpha (t0 + t)); constant: eta0; invscaling: eta0 / t^power_t. */
  learning_rate: z.enum(["optimal", "constant", "invscaling"]).default("optimal"),
  /** Initial learning rate for constant and invscaling (sklearn's default of 0 would not learn). */
  eta0: z.number().positive().default(0.01),
  power_t: z.number().default(0.5),
  /** true: predict with the average of all iterates (ASGD); an integer n: average from the n-th update on. */
  average: z.union([z.boolean(), z.number().int().positive()]).default(false),
  /** Hold out validation_fraction of the training rows (stratified, seeded) and stop on their accuracy. */
  early_stopping: z.boolean().default(false),
  validation_fraction: z.number().gt(0).lt(1).default(0.1),
  n_iter_no_change: z.number().int().positive().default(5),
  class_weight: classWeight,
  /** hinge only: Platt scaling is fitted on this many cross-validation folds. */
  calibration_folds: z.number().int().min(2).default(5),
});
export type SgdParams = z.infer<typeof sgdParamsSchema>;

export const modelSchema = z.discriminatedUnion("family", [
  logisticRegressionParamsSchema,
  naiveBayesParamsSchema,
  linearSvmParamsSchema,
  sgdParamsSchema,
]);
export type ModelSpec = z.infer<typeof modelSchema>;
