/**
 * Drift of new examples against the run's training data, per feature family, with the measure the
 * diagnosis uses for train-vs-dev drift (src/diagnose/data-checks.ts, familyDrift): the
 * Jensen–Shannon divergence (base 2, 0…1) between the family's mean absolute feature mass on train
 * and on the new examples, and the columns whose mean moved most in training standard deviations.
 * The training side comes from the run's `train-profile.json`, so no training data is read.
 *
 * When to warn: JS ≥ 0.1 (Evidently's level for categorical drift, the diagnosis's too) AND above
 * what sampling alone gives at the same number of examples: the same measure between train and
 * seeded random subsets of the run's dev split (same source as train), recorded at training time by
 * subset size and interpolated. For a many-column family like words, JS between two samples of one
 * source is near or above 0.1 at a few hundred examples and grows as the sample shrinks; new data
 * that reads no higher than same-source data of its size is not called drift.
 */
import type { CsrMatrix } from "../features/csr.js";
import { columnMeanAbs, familyJensenShannon, referenceAt, type TrainProfile } from "../features/train-profile.js";

export const DRIFT_WARNING_LEVEL = 0.1;

export interface FamilyDriftReport {
  readonly family: string;
  readonly columns: number;
  readonly jensenShannon: number;
  /** The run's dev split against train by the same measure (null for runs without dev). */
  readonly devJensenShannon: number | null;
  /** What sampling alone gives at this many examples (seeded dev subsets; null without dev). */
  readonly reference: number | null;
  readonly drifted: boolean;
  readonly topColumns: ReadonlyArray<{ name: string; trainMean: number; newMean: number; shift: number }>;
}

export interface DriftReport {
  /** Examples compared with the training profile. */
  readonly examples: number;
  readonly trainRows: number;
  readonly devRows: number;
  readonly level: number;
  readonly families: readonly FamilyDriftReport[];
  /** Fewer than 50 new examples make JS noisy; reported so readers can weigh it. */
  readonly fewExamples: boolean;
}

export function driftReport(profile: TrainProfile, X: CsrMatrix, names: readonly string[]): DriftReport {
  const n = Math.max(1, X.rows);
  const newAbs = columnMeanAbs(X);
  const sum = new Float64Array(X.cols);
  const nnz = X.indptr[X.rows] ?? 0;
  for (let p = 0; p < nnz; p++) sum[X.indices[p]!]! += X.data[p]!;
  const families: FamilyDriftReport[] = profile.families.map((fam) => {
    const js = familyJensenShannon(fam, newAbs);
    const shifts: Array<{ name: string; trainMean: number; newMean: number; shift: number }> = [];
    fam.index.forEach((j, k) => {
      const mean = fam.mean[k]!;
      const sd = Math.sqrt(Math.max(fam.meanSquare[k]! - mean ** 2, 0));
      // columns seen in at most a handful of training rows would dominate on noise (as in the diagnosis)
      if (sd < 1e-9 || fam.meanAbs[k]! * profile.rows < 5) return;
      const newMean = sum[fam.offset + j]! / n;
      shifts.push({
        name: names[fam.offset + j] ?? `#${fam.offset + j}`,
        trainMean: mean,
        newMean,
        shift: (newMean - mean) / sd,
      });
    });
    shifts.sort((a, b) => Math.abs(b.shift) - Math.abs(a.shift));
    const reference = referenceAt(fam, X.rows);
    return {
      family: fam.name,
      columns: fam.columns,
      jensenShannon: js,
      devJensenShannon: fam.devJensenShannon ?? null,
      reference,
      drifted: js >= DRIFT_WARNING_LEVEL && (reference === null || js > reference),
      topColumns: shifts.slice(0, 5),
    };
  });
  return {
    examples: X.rows,
    trainRows: profile.rows,
    devRows: profile.families[0]?.devRows ?? 0,
    level: DRIFT_WARNING_LEVEL,
    families,
    fewExamples: X.rows < 50,
  };
}
