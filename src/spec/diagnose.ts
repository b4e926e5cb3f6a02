/**
 * The spec's optional `diagnose` section: error-analysis rules (tags from a regex or a simple
 * predicate on a field) and the defaults of `mlloop diagnose`. Absent, it changes nothing (and
 * the spec hash of specs without it is unchanged).
 */
import { z } from "zod";

export const tagRuleSchema = z
  .strictObject({
    /** The tag given to matching examples (letters, digits, "-", "_", ".", ":"). */
    tag: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, {
      message: 'use letters, digits, "-", "_", "." or ":" (e.g. newsletter)',
    }),
    /**
     * A text/numeric/categorical field, "label", "group", "header:<name>", or a derived count:
     * "length" (body characters), "links", "attachments".
     */
    field: z.string().min(1),
    /** Matches when the field's text matches (JavaScript syntax; case-insensitive unless flags say otherwise). */
    regex: z.string().min(1).optional(),
    flags: z
      .string()
      .regex(/^[imsu]*$/, { message: "allowed flags: i, m, s, u" })
      .optional(),
    /** Matches when the field equals this value (compared as text). */
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** Numeric bounds (inclusive). */
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((r) => r.regex !== undefined || r.equals !== undefined || r.min !== undefined || r.max !== undefined, {
    message: "a rule needs a predicate: regex, equals, min or max",
  });
export type TagRuleSpec = z.infer<typeof tagRuleSchema>;

export const diagnoseSchema = z.strictObject({
  rules: z.array(tagRuleSchema).default([]),
  /** Dev errors sampled for eyeballing (MLY: about 100). */
  error_sample: z.number().int().positive().default(100),
  /** Cross-validation folds for curves and out-of-fold probabilities. */
  folds: z.number().int().min(2).max(20).default(5),
  /** Training sizes of the learning curve (10% … 100%). */
  sizes: z.number().int().min(2).max(20).default(8),
  /** Precision floor of the "maximum recall at precision ≥ p" threshold. */
  target_precision: z.number().gt(0).max(1).default(0.99),
  /** Smallest slice reported. */
  slice_min_size: z.number().int().positive().default(20),
  /** A gap must exceed this (error units) to count in the bias/variance verdict. */
  gap_floor: z.number().min(0).max(1).default(0.005),
});
export type DiagnoseSpec = z.infer<typeof diagnoseSchema>;
