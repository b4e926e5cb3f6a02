/**
 * Stratified k-fold assignment. Without shuffling it reproduces scikit-learn's StratifiedKFold (1.2)
 * fold for fold: classes are encoded in order of first appearance, each fold takes every k-th member
 * of the sorted label list, and each class's members are dealt to folds in index order. With
 * shuffling, the per-class fold labels are permuted by our seeded generator (the same idea, not
 * sklearn's stream). In util/ because models (calibration) and diagnose (curves) both use it.
 */
import { DataError } from "../errors.js";
import { createRng, deriveSeed, shuffleInPlace } from "./random.js";

/** Fold index (0..k-1) of each row as a validation row. */
export function stratifiedKFold(
  y: Int32Array,
  k: number,
  options: { shuffle?: boolean; seed?: number; classNames?: readonly string[] } = {},
): Int32Array {
  const n = y.length;
  if (!Number.isInteger(k) || k < 2) throw new DataError(`cross-validation needs at least 2 folds, got ${k}`);
  // classes numbered in order of first appearance, as sklearn's y_encoded
  const code = new Map<number, number>();
  const encoded = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = code.get(y[i]!);
    if (c === undefined) code.set(y[i]!, (c = code.size));
    encoded[i] = c;
  }
  const byFirst = [...code.keys()];
  const nClasses = byFirst.length;
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < n; i++) counts[encoded[i]!]!++;
  let minCount = Infinity;
  for (let c = 0; c < nClasses; c++) minCount = Math.min(minCount, counts[c]!);
  if (k > n) throw new DataError(`cannot make ${k} folds from ${n} examples`);
  if (minCount < k) {
    const label = byFirst[counts.indexOf(minCount)]!;
    const name = options.classNames?.[label] ?? String(label);
    throw new DataError(
      `class "${name}" has only ${minCount} training examples, fewer than the ${k} cross-validation folds; use fewer folds`,
    );
  }
  const sorted = Int32Array.from(encoded).sort();
  // allocation[f][c] = count of class c among sorted[f::k]
  const allocation: Int32Array[] = [];
  for (let f = 0; f < k; f++) {
    const a = new Int32Array(nClasses);
    for (let i = f; i < n; i += k) a[sorted[i]!]!++;
    allocation.push(a);
  }
  const folds = new Int32Array(n);
  const rng = createRng(deriveSeed(options.seed ?? 0, "stratified-kfold"));
  for (let c = 0; c < nClasses; c++) {
    const labels: number[] = [];
    for (let f = 0; f < k; f++) for (let r = 0; r < allocation[f]![c]!; r++) labels.push(f);
    if (options.shuffle) shuffleInPlace(labels, rng);
    let at = 0;
    for (let i = 0; i < n; i++) if (encoded[i] === c) folds[i] = labels[at++]!;
  }
  return folds;
}
