/**
 * Every diagnosis, in report order. A new diagnosis is one file in `diagnostics/` and one line
 * here (see README.md). Internal steps that others depend on (split errors, train-dev error, the
 * training split's label issues) are listed where their cost belongs in the progress output; they
 * would run anyway, on demand, through `ctx.get`.
 */
import type { Diagnostic, FindingsOf } from "./diagnostic.js";
import { biasVariance } from "./diagnostics/bias-variance.js";
import { classBalance } from "./diagnostics/class-balance.js";
import { columnChecks } from "./diagnostics/column-checks.js";
import { curveReadings } from "./diagnostics/curve-readings.js";
import { dataChecks } from "./diagnostics/data-checks.js";
import { dynamics } from "./diagnostics/dynamics.js";
import { errorAnalysis } from "./diagnostics/error-analysis.js";
import { labelIssues } from "./diagnostics/label-issues.js";
import { learningCurve } from "./diagnostics/learning-curve.js";
import { slices } from "./diagnostics/slices.js";
import { splitErrors } from "./diagnostics/split-errors.js";
import { threshold } from "./diagnostics/threshold.js";
import { trainDev } from "./diagnostics/train-dev.js";
import { trainLabelIssues } from "./diagnostics/train-label-issues.js";
import { validationCurve } from "./diagnostics/validation-curve.js";

export const DIAGNOSTICS = [
  splitErrors,
  biasVariance,
  learningCurve,
  validationCurve,
  curveReadings,
  trainLabelIssues,
  trainDev,
  errorAnalysis,
  slices,
  dataChecks,
  columnChecks,
  labelIssues,
  dynamics,
  threshold,
  classBalance,
] as const;

/** The published findings of a diagnosis, by key: what `src/recommend/` reads. */
export type Findings = FindingsOf<typeof DIAGNOSTICS>;

/** The registry as plain diagnostics (for loops that do not need the finding types). */
export const ALL_DIAGNOSTICS: readonly Diagnostic[] = DIAGNOSTICS as unknown as readonly Diagnostic[];
