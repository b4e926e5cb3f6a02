/**
 * The evaluation-identity guard: two runs are compared only on equal footing — the same examples
 * (equal split fingerprints) and the same metric definitions (positive class, threshold policy).
 * A difference is refused with a message that says what differs and what can be done about it.
 */
import { CompareError } from "../errors.js";
import type { RunEvaluation } from "./aligned.js";

export type DifferenceKind = "examples" | "positive_class" | "threshold";

export interface EvaluationDifference {
  readonly kind: DifferenceKind;
  readonly split?: string;
  readonly message: string;
}

function short(id: string): string {
  return id.slice(0, 12);
}

function fmt(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** "fixed 0.5", "max_f1", "min_cost (fp 10, fn 1)" — what decides a binary run's threshold. */
export function describeThresholdPolicy(e: RunEvaluation): string | null {
  const spec = e.thresholdSpec;
  const policy = typeof spec?.["policy"] === "string" ? spec["policy"] : (e.threshold?.policy ?? null);
  if (policy === null) return null;
  if (policy === "fixed") {
    const value = typeof spec?.["value"] === "number" ? spec["value"] : e.threshold?.value;
    return value === undefined ? "fixed" : `fixed ${value}`;
  }
  if (policy === "min_cost" && e.costs !== null) return `min_cost (fp ${fmt(e.costs["fp"])}, fn ${fmt(e.costs["fn"])})`;
  if (policy === "max_recall_at_precision" && typeof spec?.["min_precision"] === "number")
    return `max_recall_at_precision (precision ≥ ${spec["min_precision"]})`;
  return policy;
}

/** Everything that makes the runs' metrics on `splits` incomparable; empty when they may be compared. */
export function evaluationDifferences(
  a: RunEvaluation,
  b: RunEvaluation,
  splits: readonly string[],
): EvaluationDifference[] {
  const out: EvaluationDifference[] = [];
  for (const split of splits) {
    const fa = a.splitFingerprints[split];
    const fb = b.splitFingerprints[split];
    if (fa !== undefined && fb !== undefined && fa !== fb) {
      out.push({
        kind: "examples",
        split,
        message: `${split} examples differ: split fingerprint ${fa.slice(0, 12)} (run ${short(a.runId)}) ≠ ${fb.slice(0, 12)} (run ${short(b.runId)})`,
      });
    }
  }
  if (a.positiveClass !== b.positiveClass) {
    const show = (p: string | null): string => (p === null ? "none (multiclass)" : `"${p}"`);
    out.push({
      kind: "positive_class",
      message: `positive class differs: ${show(a.positiveClass)} (run ${short(a.runId)}) ≠ ${show(b.positiveClass)} (run ${short(b.runId)})`,
    });
  } else if (a.positiveClass !== null) {
    const ta = describeThresholdPolicy(a);
    const tb = describeThresholdPolicy(b);
    if (ta !== null && tb !== null && ta !== tb) {
      out.push({
        kind: "threshold",
        message: `threshold policy differs: ${ta} (run ${short(a.runId)}) ≠ ${tb} (run ${short(b.runId)})`,
      });
    }
  }
  return out;
}

export interface GuardOptions {
  /** Compare different example sets without pairing (each run bootstrapped on its own examples). */
  readonly unpaired?: boolean;
  /** Compare runs whose threshold policies differ, each at its own recorded threshold. */
  readonly allowThresholdChange?: boolean;
}

/**
 * Throws a CompareError listing every difference that the options do not allow. Returns the
 * differences that were allowed (to be shown as labels on the comparison).
 */
export function checkEvaluationIdentity(
  a: RunEvaluation,
  b: RunEvaluation,
  splits: readonly string[],
  options: GuardOptions = {},
): EvaluationDifference[] {
  const all = evaluationDifferences(a, b, splits);
  const refused = all.filter(
    (d) =>
      d.kind === "positive_class" ||
      (d.kind === "examples" && options.unpaired !== true) ||
      (d.kind === "threshold" && options.allowThresholdChange !== true),
  );
  if (refused.length === 0) return all;
  const hints: string[] = [];
  const cvRuns = [a, b].filter((e) => e.crossValidated !== null);
  if (refused.some((d) => d.kind === "examples") && cvRuns.length === 1) {
    const cv = cvRuns[0]!;
    const other = cv === a ? b : a;
    hints.push(
      `Run ${short(cv.runId)} is cross-validated (evaluate.cross_validate: ${cv.crossValidated}): its dev metrics are ` +
        `out-of-fold predictions over the pooled train and dev examples, while run ${short(other.runId)} was scored on a ` +
        `held-out dev split. Run both one way (set or remove evaluate.cross_validate) to compare them.`,
    );
  }
  if (refused.some((d) => d.kind === "examples")) {
    hints.push(
      "The runs were evaluated on different examples: --unpaired gives an explicitly labelled unpaired comparison.",
    );
  }
  if (refused.some((d) => d.kind === "threshold")) {
    hints.push("--allow-threshold-change compares each run at its own recorded threshold.");
  }
  if (refused.some((d) => d.kind === "positive_class")) {
    hints.push("Runs with different positive classes measure different things and are never compared.");
  }
  throw new CompareError(
    [
      `cannot compare run ${short(a.runId)} with run ${short(b.runId)} on equal footing:`,
      ...refused.map((d) => `  - ${d.message}`),
      ...hints,
    ].join("\n"),
  );
}
