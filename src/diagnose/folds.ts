/**
 * Cross-validation folds and training-set sizes for learning and validation curves.
 * `stratifiedKFold` (scikit-learn's StratifiedKFold without shuffling) lives in util/.
 */
import { DataError } from "../errors.js";
import { createRng, shuffleInPlace } from "../util/random.js";

export { stratifiedKFold } from "../util/stratified-kfold.js";

/** Training and validation rows of fold `f` (ascending). */
export function foldRows(folds: Int32Array, f: number): { train: Int32Array; val: Int32Array } {
  let nVal = 0;
  for (let i = 0; i < folds.length; i++) if (folds[i] === f) nVal++;
  const train = new Int32Array(folds.length - nVal);
  const val = new Int32Array(nVal);
  let a = 0;
  let b = 0;
  for (let i = 0; i < folds.length; i++) {
    if (folds[i] === f) val[b++] = i;
    else train[a++] = i;
  }
  return { train, val };
}

/** numpy.linspace(lo, hi, count). */
export function linspace(lo: number, hi: number, count: number): number[] {
  if (count === 1) return [lo];
  const step = (hi - lo) / (count - 1);
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? hi : lo + i * step));
}

/** numpy.logspace(lo, hi, count) (base 10). */
export function logspace(lo: number, hi: number, count: number): number[] {
  return linspace(lo, hi, count).map((e) => 10 ** e);
}

/**
 * Absolute training sizes as scikit-learn's learning_curve computes them: floor(fraction × n_max)
 * with n_max the first fold's training size, duplicates removed (it warns; we just drop them).
 */
export function trainSizes(fractions: readonly number[], nMax: number): number[] {
  const out: number[] = [];
  for (const f of fractions) {
    if (!(f > 0 && f <= 1)) throw new DataError(`learning-curve sizes must be fractions in (0, 1], got ${f}`);
    const size = Math.floor(f * nMax);
    if (size >= 1 && !out.includes(size)) out.push(size);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The order in which a fold's training rows are taken for smaller training sets. "prefix" keeps
 * row order (scikit-learn: the first n rows); "stratified" deals the classes evenly through a
 * seeded permutation, so every prefix keeps the class balance (MLY ch. 32).
 */
export function subsetOrder(rows: Int32Array, y: Int32Array, mode: "prefix" | "stratified", seed: number): Int32Array {
  if (mode === "prefix") return rows;
  const shuffled = Array.from(rows);
  shuffleInPlace(shuffled, createRng(seed));
  const byClass = new Map<number, number[]>();
  for (const r of shuffled) {
    const c = y[r]!;
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(r);
  }
  const keyed: Array<{ row: number; key: number }> = [];
  for (const list of byClass.values()) {
    list.forEach((row, k) => keyed.push({ row, key: (k + 0.5) / list.length }));
  }
  keyed.sort((a, b) => a.key - b.key || a.row - b.row);
  return Int32Array.from(keyed, (e) => e.row);
}
