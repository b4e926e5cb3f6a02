/**
 * The validation rows a learner holds out of its training data for early stopping when the runner
 * gives it no dev split: a seeded, stratified fraction of each class (sklearn's
 * train_test_split(stratify=y) in spirit; the rows differ since the RNG does).
 */
import { ModelError } from "../errors.js";
import { createRng } from "../util/random.js";

export interface Holdout {
  /** Training rows, ascending. */
  readonly train: Int32Array;
  /** Held-out rows, ascending. */
  readonly validation: Int32Array;
}

/**
 * About `fraction` of each class's rows (rounded, at least one row of a class is kept for
 * training). Rows with weight 0 always stay in training: they would score nothing.
 */
export function stratifiedHoldoutMask(
  y: Int32Array,
  nClasses: number,
  weight: Float64Array,
  fraction: number,
  seed: number,
  family: string,
): Uint8Array {
  const rng = createRng(seed);
  const held = new Uint8Array(y.length);
  let total = 0;
  for (let c = 0; c < nClasses; c++) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === c && weight[i]! > 0) rows.push(i);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = t;
    }
    const take = Math.max(0, Math.min(rows.length - 1, Math.round(fraction * rows.length)));
    for (let k = 0; k < take; k++) held[rows[k]!] = 1;
    total += take;
  }
  if (total === 0) {
    throw new ModelError(
      `${family}: validation_fraction ${fraction} of ${y.length} rows holds out no row for early stopping; raise validation_fraction or set early_stopping: false`,
    );
  }
  return held;
}

/** The same hold-out as row lists. */
export function stratifiedHoldout(
  y: Int32Array,
  nClasses: number,
  weight: Float64Array,
  fraction: number,
  seed: number,
  family: string,
): Holdout {
  const held = stratifiedHoldoutMask(y, nClasses, weight, fraction, seed, family);
  let total = 0;
  for (let i = 0; i < held.length; i++) total += held[i]!;
  const train = new Int32Array(y.length - total);
  const validation = new Int32Array(total);
  let a = 0;
  let b = 0;
  for (let i = 0; i < y.length; i++) {
    if (held[i]) validation[b++] = i;
    else train[a++] = i;
  }
  return { train, validation };
}
