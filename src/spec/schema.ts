/**
 * The experiment spec: the whole architecture decision in one validated object. Every object is
 * strict (an unknown key is an error with a suggestion), every field has a sensible default, and
 * variants are discriminated unions (data.source, model.family, evaluate.threshold.policy).
 *
 * Feature and model family parameters live here too, so that the spec — the first stage of the
 * dataflow — depends on nothing downstream; families import their parameter types from here.
 */
import { z } from "zod";

const fraction = z.number().min(0).max(1);
const nonEmptyString = z.string().min(1);

// ── data ─────────────────────────────────────────────────────────────────────────────────────────

export const SPAMASSASSIN_GROUPS = ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"] as const;

export const splitSchema = z
  .strictObject({
    /** stratified: random by fraction, stratified by label; column: by a column's value; group: by source group */
    method: z.enum(["stratified", "column", "group"]).default("stratified"),
    train: fraction.default(0.6),
    dev: fraction.default(0.2),
    test: fraction.default(0.2),
    /** column method: the column whose values name the split (values "train"/"dev"/"test" unless mapped) */
    column: nonEmptyString.optional(),
    /** group method (and column method): which groups/values go to each split */
    groups: z
      .strictObject({
        train: z.array(nonEmptyString).default([]),
        dev: z.array(nonEmptyString).default([]),
        test: z.array(nonEmptyString).default([]),
      })
      .optional(),
    /**
     * Exact duplicates (normalised body/text): keep_one_side keeps all copies on the split of the
     * first one (no leakage), drop keeps one copy only, keep leaves them where they fall.
     */
    duplicates: z.enum(["keep_one_side", "drop", "keep"]).default("keep_one_side"),
  })
  .default({ method: "stratified", train: 0.6, dev: 0.2, test: 0.2, duplicates: "keep_one_side" });

const tabularColumns = {
  id: nonEmptyString.optional(),
  label: nonEmptyString,
  text: z.array(nonEmptyString).default([]),
  numeric: z.array(nonEmptyString).default([]),
  categorical: z.array(nonEmptyString).default([]),
  group: nonEmptyString.optional(),
};

export const dataSchema = z.discriminatedUnion("source", [
  z.strictObject({
    source: z.literal("spamassassin"),
    groups: z
      .array(z.enum(SPAMASSASSIN_GROUPS))
      .min(1)
      .default([...SPAMASSASSIN_GROUPS]),
    /** Use only the first `limit` messages after a seeded shuffle (quick runs, learning curves). */
    limit: z.number().int().positive().optional(),
    split: splitSchema,
  }),
  z.strictObject({
    source: z.literal("csv"),
    path: nonEmptyString,
    delimiter: z.string().length(1).default(","),
    columns: z.strictObject(tabularColumns),
    on_bad_row: z.enum(["error", "skip"]).default("error"),
    limit: z.number().int().positive().optional(),
    split: splitSchema,
  }),
  z.strictObject({
    source: z.literal("jsonl"),
    path: nonEmptyString,
    columns: z.strictObject(tabularColumns),
    on_bad_row: z.enum(["error", "skip"]).default("error"),
    limit: z.number().int().positive().optional(),
    split: splitSchema,
  }),
  z.strictObject({
    source: z.literal("eml"),
    /** A folder with one sub-folder per label (e.g. ham/, spam/), each holding .eml files. */
    path: nonEmptyString,
    limit: z.number().int().positive().optional(),
    split: splitSchema,
  }),
]);

// ── features ─────────────────────────────────────────────────────────────────────────────────────

export const wordsParamsSchema = z
  .strictObject({
    /** Text fields to read (email sources: subject, body, from, to, headers, raw; csv/jsonl: declared text columns). */
    fields: z.array(nonEmptyString).min(1).default(["subject", "body"]),
    /** Keep each field's tokens apart (prefix "subject:") or pool them into one vocabulary (fields joined by "\n"). */
    separate_fields: z.boolean().default(false),
    lowercase: z.boolean().default(true),
    /** [min_n, max_n] word n-grams. */
    ngram_range: z
      .tuple([z.number().int().min(1), z.number().int().min(1)])
      .refine(([lo, hi]) => lo <= hi, { message: "min_n must not exceed max_n (e.g. [1, 2])" })
      .default([1, 1]),
    /**
     * Minimum document frequency: a fraction of training documents if < 1, else a whole count
     * (so 1 means one document, as scikit-learn's default min_df=1).
     */
    min_df: z
      .number()
      .positive()
      .refine((v) => v < 1 || Number.isInteger(v), { message: "use a fraction below 1 or a whole document count" })
      .default(1),
    /**
     * Maximum document frequency: a fraction of training documents if <= 1 (so 1 means all of them,
     * as scikit-learn's default max_df=1.0), else a whole count.
     */
    max_df: z
      .number()
      .positive()
      .refine((v) => v <= 1 || Number.isInteger(v), { message: "use a fraction up to 1 or a whole document count" })
      .default(1.0),
    /** Keep only the terms most frequent in the training corpus (ties broken as scikit-learn does). */
    max_features: z.number().int().positive().nullable().default(null),
    weighting: z.enum(["tfidf", "counts", "binary"]).default("tfidf"),
    /** tfidf only: replace tf with 1 + ln(tf). */
    sublinear_tf: z.boolean().default(false),
    /** tfidf only: L2-normalise each row (scikit-learn's norm="l2"). */
    normalize: z.boolean().default(true),
  })
  .superRefine((p, ctx) => {
    if (p.sublinear_tf && p.weighting !== "tfidf") {
      ctx.addIssue({
        code: "custom",
        path: ["sublinear_tf"],
        message: `sublinear_tf applies to weighting "tfidf" only (weighting is "${p.weighting}")`,
      });
    }
  });
export type WordsParams = z.infer<typeof wordsParamsSchema>;

export const numericParamsSchema = z.strictObject({
  columns: z.array(nonEmptyString).min(1),
  /** What to do with a missing value: fill with the train mean/median/zero and add a "<col>:missing" indicator, or fail. */
  missing: z.enum(["mean", "median", "zero", "error"]).default("mean"),
  standardize: z.boolean().default(true),
});
export type NumericParams = z.infer<typeof numericParamsSchema>;

export const categoricalParamsSchema = z.strictObject({
  columns: z.array(nonEmptyString).min(1),
  /** Categories seen fewer times than this in train fall into "<col>=__other__". */
  min_count: z.number().int().min(1).default(1),
});
export type CategoricalParams = z.infer<typeof categoricalParamsSchema>;

export const featuresSchema = z
  .strictObject({
    words: wordsParamsSchema.optional(),
    numeric: numericParamsSchema.optional(),
    categorical: categoricalParamsSchema.optional(),
  })
  .refine((f) => Object.values(f).some((v) => v !== undefined), {
    message: "at least one feature family is required (allowed: words, numeric, categorical)",
  });
export type FeaturesSpec = z.infer<typeof featuresSchema>;
export const FEATURE_FAMILIES = ["words", "numeric", "categorical"] as const;

export { modelSchema, type ModelSpec } from "./models.js";
import { modelSchema } from "./models.js";

// ── evaluate ─────────────────────────────────────────────────────────────────────────────────────

export const thresholdSchema = z
  .discriminatedUnion("policy", [
    z.strictObject({ policy: z.literal("fixed"), value: fraction.default(0.5) }),
    z.strictObject({ policy: z.literal("max_f1") }),
    z.strictObject({ policy: z.literal("min_cost") }),
  ])
  .default({ policy: "fixed", value: 0.5 });

export const evaluateSchema = z
  .strictObject({
    /** The label value treated as positive for binary metrics (e.g. "spam"). Required for binary data unless the labels are 0/1 or false/true. */
    positive_class: z.string().optional(),
    /** Human-level / target error, the reference point for avoidable bias. */
    baseline_error: fraction.optional(),
    /** Cost of each kind of error, for min_cost thresholds and cost reports. */
    costs: z
      .strictObject({ fp: z.number().min(0).default(1), fn: z.number().min(0).default(1) })
      .default({ fp: 1, fn: 1 }),
    threshold: thresholdSchema,
    /** Practical-equivalence band for comparisons, in metric units (e.g. 0.005 = half a point). */
    equivalence_band: z.number().min(0).default(0.005),
    /** Metric that ranks runs and drives comparisons. */
    primary_metric: z.enum(["f1", "accuracy", "roc_auc", "average_precision", "log_loss", "macro_f1"]).default("f1"),
  })
  .default({
    costs: { fp: 1, fn: 1 },
    threshold: { policy: "fixed", value: 0.5 },
    equivalence_band: 0.005,
    primary_metric: "f1",
  });

// ── the spec ─────────────────────────────────────────────────────────────────────────────────────

export const specSchema = z.strictObject({
  experiment: nonEmptyString.default("default"),
  notes: z.string().optional(),
  seed: z.number().int().min(0).default(0),
  data: dataSchema,
  features: featuresSchema,
  model: modelSchema,
  evaluate: evaluateSchema,
});

export type Spec = z.infer<typeof specSchema>;
export type SpecInput = z.input<typeof specSchema>;
export type DataSpec = z.infer<typeof dataSchema>;
export type SplitSpec = z.infer<typeof splitSchema>;
export type EvaluateSpec = z.infer<typeof evaluateSchema>;
