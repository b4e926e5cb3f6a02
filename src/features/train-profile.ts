/**
 * What the training matrix looked like, column by column, so that new data can be checked for
 * drift without the training data: per feature family, the mean, mean square and mean absolute
 * value of every column that is nonzero in some training row (the others are all zero and need no
 * record). Saved with each run as the `train-profile.json` artifact; `mlloop predict` compares new
 * examples with it using the same measure as the diagnosis's train-vs-dev drift check.
 */
import { createRng } from "../util/random.js";
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
  /**
   * What sampling alone gives: the same measure on seeded bootstrap samples of dev (drawn with
   * replacement) of 8, 16, 32… rows up to dev's size or 512; at each size the largest of 100 draws
   * (about the 99th percentile). JS between two samples of one source grows as the samples
   * shrink, so new data is judged against same-source data of its own size. Absent in profiles
   * written before it existed.
   */
  readonly devCurve?: ReadonlyArray<{ readonly rows: number; readonly jensenShannon: number }>;
}

const CURVE_DRAWS = 100;
const CURVE_MAX_ROWS = 512;

export interface TrainProfile {
  readonly format: "mlloop.train-profile";
  readonly version: 1;
  readonly rows: number;
  readonly families: FamilyProfile[];
}

/**
 * 7 significant digits: drift needs no more, and the artifact shrinks by ~40% (a words vocabulary
 * of 23,000 columns: 1.7 → 1.06 MB). The dev reference below is computed from the rounded profile,
 * so new data is measured exactly as dev was.
 */
const r7 = (x: number): number => Number(x.toPrecision(7));

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

/** JS (base 2) between a normalised distribution `p` and the unnormalised masses `q[offset…]`. */
function jensenShannonOf(p: Float64Array, q: Float64Array, offset: number): number {
  let sb = 0;
  for (let j = 0; j < p.length; j++) sb += q[offset + j]!;
  if (!(sb > 0)) return 0;
  let js = 0;
  for (let j = 0; j < p.length; j++) {
    const pj = p[j]!;
    const qj = q[offset + j]! / sb;
    // one side zero: the term is ½·x·log2(2) = x/2 (most columns of a small sample)
    if (qj === 0) js += 0.5 * pj;
    else if (pj === 0) js += 0.5 * qj;
    else {
      const m = (pj + qj) / 2;
      js += 0.5 * pj * Math.log2(pj / m) + 0.5 * qj * Math.log2(qj / m);
    }
  }
  return js;
}

/** The no-drift reference at `rows` new examples: the dev curve interpolated on log–log axes. */
export function referenceAt(fam: Pick<FamilyProfile, "devCurve" | "devJensenShannon">, rows: number): number | null {
  const curve = fam.devCurve;
  if (curve === undefined || curve.length === 0) return fam.devJensenShannon;
  if (rows <= curve[0]!.rows) return curve[0]!.jensenShannon;
  const last = curve[curve.length - 1]!;
  if (rows >= last.rows) return last.jensenShannon;
  let k = 1;
  while (curve[k]!.rows < rows) k++;
  const a = curve[k - 1]!;
  const b = curve[k]!;
  if (!(a.jensenShannon > 0 && b.jensenShannon > 0)) return Math.max(a.jensenShannon, b.jensenShannon);
  const t = Math.log(rows / a.rows) / Math.log(b.rows / a.rows);
  return Math.exp(Math.log(a.jensenShannon) + t * (Math.log(b.jensenShannon) - Math.log(a.jensenShannon)));
}

/**
 * The profile of `X` (training rows), cut into the families' column blocks, in order; `dev` gives
 * each family's no-drift reference (its subsets are drawn with `seed`).
 */
export function trainProfile(
  X: CsrMatrix,
  families: ReadonlyArray<{ name: string; nFeatures: number }>,
  dev?: CsrMatrix,
  seed = 0,
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
      mean.push(r7(sum[c]! / n));
      meanSquare.push(r7(sq[c]! / n));
      meanAbs.push(r7(abs[c]! / n));
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
    const curves: Array<Array<{ rows: number; jensenShannon: number }>> = out.map(() => []);
    const rng = createRng(seed);
    // the training side of each family as a normalised dense distribution, built once
    const trainP = out.map((fam) => {
      const p = new Float64Array(fam.columns);
      let total = 0;
      fam.index.forEach((j, k) => {
        p[j] = fam.meanAbs[k]!;
        total += fam.meanAbs[k]!;
      });
      if (total > 0) for (let j = 0; j < p.length; j++) p[j]! /= total;
      return p;
    });
    const mass = new Float64Array(dev.cols);
    // up to 512 rows: beyond that the value at 512 is used, an upper bound on what sampling alone
    // gives for larger batches (JS falls as samples grow); 0.3–0.4 s for a 23,000-column words family
    // with 1,217 dev rows, measured at load 17 on 2 cores
    const sizes: number[] = [];
    for (let size = 8; size < Math.min(dev.rows, CURVE_MAX_ROWS); size *= 2) sizes.push(size);
    sizes.push(Math.min(dev.rows, CURVE_MAX_ROWS));
    for (const size of sizes) {
      const worst = new Float64Array(out.length);
      for (let d = 0; d < CURVE_DRAWS; d++) {
        // with replacement (a bootstrap): like an independent sample of `size`, even when `size`
        // nears dev's own size (subsets without replacement would then barely vary)
        mass.fill(0);
        for (let i = 0; i < size; i++) {
          const r = rng.int(dev.rows);
          for (let q = dev.indptr[r]!; q < dev.indptr[r + 1]!; q++) mass[dev.indices[q]!]! += Math.abs(dev.data[q]!);
        }
        for (let k = 0; k < out.length; k++) {
          const js = jensenShannonOf(trainP[k]!, mass, out[k]!.offset);
          if (js > worst[k]!) worst[k] = js;
        }
      }
      out.forEach((_, k) => curves[k]!.push({ rows: size, jensenShannon: worst[k]! }));
    }
    for (let k = 0; k < out.length; k++) {
      const full = familyJensenShannon(out[k]!, devAbs);
      out[k] = { ...out[k]!, devJensenShannon: full, devRows: dev.rows, devCurve: curves[k]! };
    }
  }
  return { format: "mlloop.train-profile", version: 1, rows: X.rows, families: out };
}
