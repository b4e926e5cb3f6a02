/**
 * Model family hyperparameter schemas (one discriminated union on `family`). A new model family is
 * one schema here, one file in src/models and one line in src/models/registry.ts.
 */
import { z } from "zod";

// ── models ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Probability calibration of any family, as scikit-learn's CalibratedClassifierCV(method, cv=5,
 * ensemble=True): the model is fitted on each of 5 stratified folds of the training data, a calibrator
 * (sigmoid: Platt scaling; isotonic: isotonic regression) is fitted on the held-out fold's scores, and
 * the prediction is the mean of the 5 calibrated models. Absent or "none": the family's own
 * probabilities (absent keeps the spec hash of specs written before the key existed).
 */
const calibration = z.enum(["none", "sigmoid", "isotonic"]).optional();

/**
 * Likely label errors in the training rows, any family: "drop" fits the family on 5 stratified
 * folds, finds the rows whose out-of-fold probabilities confidently point to another class
 * (confident learning, Northcutt et al. 2021 — cleanlab's CleanLearning), and fits the final model
 * without them. Absent or "keep": every training row is used. Dev and test are never touched.
 */
const labelIssues = z.enum(["keep", "drop"]).optional();

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
  calibration,
  label_issues: labelIssues,
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
  calibration,
  label_issues: labelIssues,
});
export type NaiveBayesParams = z.infer<typeof naiveBayesParamsSchema>;

export const gaussianNbParamsSchema = z.strictObject({
  family: z.literal("gaussian_nb"),
  /** Added to every variance, as a share of the largest feature variance (sklearn's var_smoothing). */
  var_smoothing: z.number().min(0).default(1e-9),
  calibration,
  label_issues: labelIssues,
});
export type GaussianNbParams = z.infer<typeof gaussianNbParamsSchema>;

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
  calibration,
  label_issues: labelIssues,
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
  calibration,
  label_issues: labelIssues,
  /** hinge only: Platt scaling is fitted on this many cross-validation folds. */
  calibration_folds: z.number().int().min(2).default(5),
});
export type SgdParams = z.infer<typeof sgdParamsSchema>;

/**
 * true: stop on the dev loss (the runner's dev split), or, without one, on the loss of a held-out
 * `validation_fraction` of the training rows; false: never (gradient boosting runs max_iter rounds,
 * the MLP stops on its training loss as sklearn's does); "auto": see each family.
 */
const earlyStopping = z.union([z.literal("auto"), z.boolean()]).default("auto");

export const gradientBoostingParamsSchema = z.strictObject({
  family: z.literal("gradient_boosting"),
  /** Shrinkage applied to every leaf value (sklearn HistGradientBoostingClassifier's learning_rate). */
  learning_rate: z.number().positive().default(0.1),
  /** Boosting rounds; multiclass grows one tree per class per round. */
  max_iter: z.number().int().positive().default(100),
  /** Leaf-wise growth stops at this many leaves; null: no limit. */
  max_leaf_nodes: z.number().int().min(2).nullable().default(31),
  /** Edges from the root to the deepest leaf; null: no limit. */
  max_depth: z.number().int().positive().nullable().default(null),
  min_samples_leaf: z.number().int().positive().default(20),
  /** L2 penalty on leaf values: a leaf's value is −Σg / (Σh + l2_regularization). */
  l2_regularization: z.number().min(0).default(0),
  /** Quantile bins per feature, fitted on the training rows (zeros of sparse input are a value). */
  max_bins: z.number().int().min(2).max(255).default(255),
  /** Fraction of the training rows (seeded, without replacement) each round's trees are grown on. */
  subsample: z.number().gt(0).max(1).default(1),
  /** "auto": on when dev data is given or there are more than 10,000 training rows (sklearn's rule). */
  early_stopping: earlyStopping,
  /** Share of the training rows held out (stratified, seeded) for early stopping when no dev data is given. */
  validation_fraction: z.number().gt(0).lt(1).default(0.1),
  /** Stop when none of the last n_iter_no_change rounds lowered the dev loss by more than tol. */
  n_iter_no_change: z.number().int().positive().default(10),
  tol: z.number().min(0).default(1e-7),
  class_weight: classWeight,
  calibration,
  label_issues: labelIssues,
});
export type GradientBoostingParams = z.infer<typeof gradientBoostingParamsSchema>;

export const mlpParamsSchema = z.strictObject({
  family: z.literal("mlp"),
  /** Units of the one or two ReLU hidden layers. */
  hidden_layer_sizes: z.array(z.number().int().positive()).min(1).max(2).default([100]),
  /** L2 penalty: alpha/2 · ‖W‖² per batch, divided by the batch size as in sklearn's MLPClassifier. */
  alpha: z.number().min(0).default(1e-4),
  /** Rows per Adam step; "auto": min(200, rows). */
  batch_size: z.union([z.literal("auto"), z.number().int().positive()]).default("auto"),
  /** Adam step size and moment decay rates (Kingma & Ba; sklearn's defaults). */
  learning_rate_init: z.number().positive().default(1e-3),
  beta_1: z.number().min(0).lt(1).default(0.9),
  beta_2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
  /** Probability of zeroing each hidden unit while training (inverted dropout, seeded); 0: off. */
  dropout: z.number().min(0).lt(1).default(0),
  /** Maximum number of epochs. */
  max_iter: z.number().int().positive().default(200),
  /** Shuffle the rows before each epoch (seeded). */
  shuffle: z.boolean().default(true),
  /** An epoch improves when it lowers the (dev or training) loss by more than tol. */
  tol: z.number().min(0).default(1e-4),
  /** Stop after more than n_iter_no_change epochs without improvement (sklearn's rule). */
  n_iter_no_change: z.number().int().positive().default(10),
  /** "auto": on when dev data is given. On: stop on dev loss and keep the best epoch's weights. */
  early_stopping: earlyStopping,
  validation_fraction: z.number().gt(0).lt(1).default(0.1),
  class_weight: classWeight,
  calibration,
  label_issues: labelIssues,
});
export type MlpParams = z.infer<typeof mlpParamsSchema>;

export const modelSchema = z.discriminatedUnion("family", [
  logisticRegressionParamsSchema,
  naiveBayesParamsSchema,
  gaussianNbParamsSchema,
  linearSvmParamsSchema,
  sgdParamsSchema,
  gradientBoostingParamsSchema,
  mlpParamsSchema,
]);
export type ModelSpec = z.infer<typeof modelSchema>;
