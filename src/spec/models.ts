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
  penalty: z.enum(["l2"]).default("l2"),
  /** Stopping tolerance on the projected gradient norm relative to its initial value. */
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
  variant: z.enum(["multinomial"]).default("multinomial"),
  /** Additive (Laplace/Lidstone) smoothing. */
  alpha: z.number().min(0).default(1.0),
  fit_prior: z.boolean().default(true),
});
export type NaiveBayesParams = z.infer<typeof naiveBayesParamsSchema>;

export const modelSchema = z.discriminatedUnion("family", [logisticRegressionParamsSchema, naiveBayesParamsSchema]);
export type ModelSpec = z.infer<typeof modelSchema>;
