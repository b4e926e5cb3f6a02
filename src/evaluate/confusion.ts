/**
 * Confusion matrix and per-class precision, recall and F1 from recorded decisions (class names,
 * not indices): what `mlloop show` prints for any run with predictions — a spec run or one logged
 * through the tracking API — without the scores. Matches scikit-learn's confusion_matrix and
 * precision_recall_fscore_support(average=None) with zero_division=0; the class order is the
 * one given, else the sorted union of labels and decisions (scikit-learn's unique_labels).
 */
import { prf } from "./metrics.js";

export interface ClassReport {
  readonly classes: readonly string[];
  /** classes × classes, row-major: rows are true classes, columns decisions. */
  readonly matrix: readonly (readonly number[])[];
  readonly perClass: ReadonlyArray<{
    readonly name: string;
    readonly precision: number;
    readonly recall: number;
    readonly f1: number;
    readonly support: number;
  }>;
  /** Unweighted mean of the per-class F1 over classes present in the labels or decisions. */
  readonly macroF1: number;
  readonly n: number;
}

export function classReport(
  pairs: ReadonlyArray<{ readonly label: string; readonly decision: string }>,
  classOrder?: readonly string[],
): ClassReport {
  const seen = new Set<string>();
  for (const p of pairs) {
    seen.add(p.label);
    seen.add(p.decision);
  }
  const classes = classOrder
    ? [...classOrder, ...[...seen].filter((c) => !classOrder.includes(c)).sort()]
    : [...seen].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const k = classes.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const p of pairs) matrix[index.get(p.label)!]![index.get(p.decision)!]!++;
  const perClass = classes.map((name, c) => {
    const tp = matrix[c]![c]!;
    let predicted = 0;
    let support = 0;
    for (let r = 0; r < k; r++) predicted += matrix[r]![c]!;
    for (let d = 0; d < k; d++) support += matrix[c]![d]!;
    return { name, ...prf(tp, predicted - tp, support - tp), support, present: support + predicted > 0 };
  });
  const present = perClass.filter((c) => c.present);
  return {
    classes,
    matrix,
    perClass: perClass.map(({ present: _present, ...c }) => c),
    macroF1: present.length === 0 ? Number.NaN : present.reduce((a, c) => a + c.f1, 0) / present.length,
    n: pairs.length,
  };
}
