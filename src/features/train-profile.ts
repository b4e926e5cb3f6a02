/**
 * What the training matrix looked like, column by column, so that new data can be checked for
 * drift without the training data: per feature family, the mean, mean square and mean absolute
 * value of every column that is nonzero in some training row (the others are all zero and need no
 * record). Saved with each run as the `train-profile.json` artifact; `mlloop predict` compares new
 * examples with it using the same measure as the diagnosis's train-vs-dev drift check.
 */
import type { CsrMatrix } from "./csr.js";

export interface FamilyProfile {
  readonly name: string;
  /** First column of the family in the full matrix, and its number of columns. */
  readonly offset: number;
  readonly columns: number;
  /** Columns (relative to `offset`) nonzero in at least one training row, ascending. */
  readonly index: number[];
  readonly mean: number[];
  readonly meanSquare: number[];
  readonly meanAbs: number[];
  /**
   * The family's drift measure between train and the run's own dev split (same source, so only
   * sampling moves it): what "no drift" reads at dev's size. null when the run had no dev split.
   */
  readonly devJensenShannon: number | null;
  readonly devRows: number;
}

export interface TrainProfile {
  readonly format: "mlloop.train-profile";
  readonly version: 1;
  readonly rows: number;
  readonly families: FamilyProfile[];
}

/** Mean absolute value per column of `X`. */
export function columnMeanAbs(X: CsrMatrix): Float64Array {
  const abs = new Float64Array(X.cols);
  const nnz = X.indptr[X.rows] ?? 0;
  for (let p = 0; p < nnz; p++) abs[X.indices[p]!]! += Math.abs(X.data[p]!);
  const n = Math.max(1, X.rows);
  for (let j = 0; j < X.cols; j++) abs[j]! /= n;
  return abs;
}

/**
 * Jensen–Shannon divergence (base 2, 0…1) between a family's mean absolute feature mass on train
 * (from the profile) and on new rows (`newAbs`: mean absolute value per column of the whole
 * matrix) — the measure of the diagnosis's familyDrift (src/diagnose/data-checks.ts).
 */
export function familyJensenShannon(
  fam: Pick<FamilyProfile, "offset" | "columns" | "index" | "meanAbs">,
  newAbs: Float64Array,
): number {
  const trainAbs = new Float64Array(fam.columns);
  fam.index.forEach((j, k) => (trainAbs[j] = fam.meanAbs[k]!));
  let sa = 0;
  let sb = 0;
  for (let j = 0; j < fam.columns; j++) {
    sa += trainAbs[j]!;
    sb += newAbs[fam.offset + j]!;
  }
  if (!(sa > 0 && sb > 0)) return 0;
  let js = 0;
  for (let j = 0; j < fam.columns; j++) {
    const p = trainAbs[j]! / sa;
    const q = newAbs[fam.offset + j]! / sb;
    const m = (p + q) / 2;
    if (p > 0) js += 0.5 * p * Math.log2(p / m);
    if (q > 0) js += 0.5 * q * Math.log2(q / m);
  }
  return js;
}

/** The profile of `X` (training rows), cut into the families' column blocks, in order; `dev` gives each family's reference drift. */
export function trainProfile(
  X: CsrMatrix,
  families: ReadonlyArray<{ name: string; nFeatures: number }>,
  dev?: CsrMatrix,
): TrainProfile {
  const sum = new Float64Array(X.cols);
  const sq = new Float64Array(X.cols);
  const abs = new Float64Array(X.cols);
  const nnz = X.indptr[X.rows] ?? 0;
  for (let p = 0; p < nnz; p++) {
    const j = X.indices[p]!;
    const v = X.data[p]!;
    sum[j]! += v;
    sq[j]! += v * v;
    abs[j]! += Math.abs(v);
  }
  const n = Math.max(1, X.rows);
  const out: FamilyProfile[] = [];
  let offset = 0;
  for (const fam of families) {
    const index: number[] = [];
    const mean: number[] = [];
    const meanSquare: number[] = [];
    const meanAbs: number[] = [];
    for (let j = 0; j < fam.nFeatures; j++) {
      const c = offset + j;
      if (abs[c] === 0) continue;
      index.push(j);
      mean.push(sum[c]! / n);
      meanSquare.push(sq[c]! / n);
      meanAbs.push(abs[c]! / n);
    }
    out.push({
      name: fam.name,
      offset,
      columns: fam.nFeatures,
      index,
      mean,
      meanSquare,
      meanAbs,
      devJensenShannon: null,
      devRows: 0,
    });
    offset += fam.nFeatures;
  }
  if (dev !== undefined && dev.rows > 0) {
    const devAbs = columnMeanAbs(dev);
    for (let k = 0; k < out.length; k++) {
      out[k] = { ...out[k]!, devJensenShannon: familyJensenShannon(out[k]!, devAbs), devRows: dev.rows };
    }
  }
  return { format: "mlloop.train-profile", version: 1, rows: X.rows, families: out };
}
