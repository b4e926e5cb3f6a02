/**
 * The metric that ranks runs and drives comparisons, resolved for the task. A spec's
 * `evaluate.primary_metric` names a family of metric ("f1" by default); what it means depends on
 * how many classes the data has: for binary data F1 of the positive class, for multiclass data
 * macro F1 (every class counts equally, as scikit-learn's f1_score(average="macro")). Keeping the
 * spec's default as "f1" keeps every existing spec's hash; the resolved name is recorded with the
 * run (extras.primaryMetric) and stated in the run card.
 */

/** Binary metric name → the multiclass metric that means the same. */
const MULTICLASS_EQUIVALENT: Readonly<Record<string, string>> = {
  f1: "macro_f1",
  precision: "macro_precision",
  recall: "macro_recall",
  roc_auc: "roc_auc_ovr",
  // average precision has no multiclass average stored; macro F1 is the ranking metric then
  average_precision: "macro_f1",
};

/** Multiclass metric name → the binary metric that means the same (macro F1 on two classes is not F1). */
const BINARY_EQUIVALENT: Readonly<Record<string, string>> = {
  roc_auc_ovr: "roc_auc",
};

/**
 * The primary metric's stored name for a run with `classCount` classes (null or 0: unknown, the
 * declared name is kept). `declared` null or undefined means the default, "f1".
 */
export function taskPrimaryMetric(declared: string | null | undefined, classCount: number | null | undefined): string {
  const name = declared ?? "f1";
  if (classCount === null || classCount === undefined || classCount < 2) return name;
  if (classCount > 2) return MULTICLASS_EQUIVALENT[name] ?? name;
  return BINARY_EQUIVALENT[name] ?? name;
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  f1: "F1 of the positive class",
  macro_f1: "macro F1, each class weighs the same",
  micro_f1: "micro F1",
  weighted_f1: "F1 averaged with class support as weights",
  accuracy: "accuracy",
  roc_auc: "ROC-AUC",
  roc_auc_ovr: "one-vs-rest ROC-AUC, macro-averaged",
  average_precision: "average precision",
  log_loss: "log loss (lower is better)",
  macro_precision: "macro precision",
  macro_recall: "macro recall",
};

/** One line for the run card, e.g. `macro_f1 — macro F1, each class weighs the same (multiclass, 3 classes)`. */
export function describePrimaryMetric(
  metric: string,
  classes: readonly string[] | null | undefined,
  positiveClass: string | null | undefined,
): string {
  const what =
    metric === "f1" && positiveClass ? `F1 of the positive class "${positiveClass}"` : (DESCRIPTIONS[metric] ?? metric);
  const k = classes?.length ?? 0;
  const task = k > 2 ? ` (multiclass, ${k} classes)` : k === 2 ? " (binary)" : "";
  return `${metric} — ${what}${task}`;
}
