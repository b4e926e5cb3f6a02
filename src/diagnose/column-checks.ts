/**
 * Data checks for the columns of tabular rows (the declared numeric and categorical columns), what
 * a data scientist runs before trusting a model on a table:
 *
 * - constant columns (one value on every training row with a value: nothing to learn from);
 * - duplicate columns (the same value as another column on every training row);
 * - missing rates per split (a column missing far more often in dev than in train is a pipeline bug);
 * - outliers: values beyond Tukey's far-out fences (Q1 − 3·IQR, Q3 + 3·IQR of the training values);
 * - leakage by a near-perfect single column: Holte's 1R rule (one column, binned into training
 *   deciles if numeric, each bin or category predicting its majority training class) scored on dev;
 *   a column that alone predicts ≥ 98% of dev while the majority class predicts less usually
 *   encodes the label (an id assigned by class, a post-outcome field).
 */
import type { Example } from "../data/example.js";

export interface ColumnChecks {
  /** Numeric and categorical columns checked. */
  readonly columns: number;
  readonly constant: ReadonlyArray<{ readonly column: string; readonly value: string }>;
  readonly duplicates: ReadonlyArray<{ readonly column: string; readonly sameAs: string }>;
  readonly missing: ReadonlyArray<{ readonly column: string; readonly train: number; readonly dev: number }>;
  readonly outliers: ReadonlyArray<{
    readonly column: string;
    readonly low: number;
    readonly high: number;
    readonly train: number;
    readonly dev: number;
    readonly examples: readonly string[];
  }>;
  /** Every column's 1R dev accuracy, best first; `leaky` when it is near-perfect. */
  readonly oneRule: ReadonlyArray<{ readonly column: string; readonly accuracy: number; readonly leaky: boolean }>;
  /** Accuracy on dev of always predicting the majority training class. */
  readonly majority: number;
}

/** A single column predicting at least this share of dev is near-perfect. */
export const LEAKAGE_ACCURACY = 0.98;
const ONE_RULE_BINS = 10;

type Value = number | string | null;

function valueOf(ex: Example, column: string): Value {
  if (column in ex.numeric) {
    const v = ex.numeric[column];
    return v === null || v === undefined || !Number.isFinite(v) ? null : v;
  }
  return ex.categorical[column] ?? null;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
}

function missingRate(rows: readonly Example[], column: string): number {
  if (rows.length === 0) return 0;
  return rows.filter((ex) => valueOf(ex, column) === null).length / rows.length;
}

function majorityOf(counts: ReadonlyMap<string, number>): string | null {
  let best: string | null = null;
  for (const [label, n] of counts) if (best === null || n > counts.get(best)!) best = label;
  return best;
}

/** The 1R rule of one column: its bin (numeric deciles of train) or category → majority training label. */
function oneRuleAccuracy(train: readonly Example[], dev: readonly Example[], column: string, numeric: boolean): number {
  const values = train.map((ex) => valueOf(ex, column)).filter((v): v is number => typeof v === "number");
  const sorted = numeric ? [...values].sort((a, b) => a - b) : [];
  // upper edges of the decile bins, without repeats and below the largest value: everything above
  // the last edge (dev values beyond the training range included) falls in the last bin
  const top = sorted[sorted.length - 1] ?? 0;
  const cuts = numeric
    ? [
        ...new Set(Array.from({ length: ONE_RULE_BINS - 1 }, (_, i) => quantile(sorted, (i + 1) / ONE_RULE_BINS))),
      ].filter((c) => c < top)
    : [];
  const key = (ex: Example): string => {
    const v = valueOf(ex, column);
    if (v === null) return "\u0000missing";
    if (!numeric) return String(v);
    let bin = 0;
    while (bin < cuts.length && (v as number) > cuts[bin]!) bin++;
    return String(bin);
  };
  const byKey = new Map<string, Map<string, number>>();
  const all = new Map<string, number>();
  for (const ex of train) {
    const counts = byKey.get(key(ex)) ?? new Map<string, number>();
    counts.set(ex.label, (counts.get(ex.label) ?? 0) + 1);
    byKey.set(key(ex), counts);
    all.set(ex.label, (all.get(ex.label) ?? 0) + 1);
  }
  const fallback = majorityOf(all);
  let right = 0;
  for (const ex of dev) {
    const counts = byKey.get(key(ex));
    if ((counts ? majorityOf(counts) : fallback) === ex.label) right++;
  }
  return dev.length === 0 ? Number.NaN : right / dev.length;
}

function outliersOf(train: readonly Example[], dev: readonly Example[], column: string) {
  const sorted = train
    .map((ex) => valueOf(ex, column))
    .filter((v): v is number => typeof v === "number")
    .sort((a, b) => a - b);
  if (sorted.length < 4) return null;
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  if (iqr === 0) return null;
  const low = q1 - 3 * iqr;
  const high = q3 + 3 * iqr;
  const far = (ex: Example): boolean => {
    const v = valueOf(ex, column);
    return typeof v === "number" && (v < low || v > high);
  };
  const trainFar = train.filter(far);
  const devFar = dev.filter(far);
  if (trainFar.length + devFar.length === 0) return null;
  return {
    column,
    low,
    high,
    train: trainFar.length,
    dev: devFar.length,
    examples: [...trainFar, ...devFar].slice(0, 5).map((ex) => ex.id),
  };
}

export function checkColumns(train: readonly Example[], dev: readonly Example[]): ColumnChecks {
  const first = train[0];
  const numeric = first ? Object.keys(first.numeric) : [];
  const categorical = first ? Object.keys(first.categorical) : [];
  const columns = [...numeric, ...categorical];
  const constant: Array<ColumnChecks["constant"][number]> = [];
  const duplicates: Array<ColumnChecks["duplicates"][number]> = [];
  const seen = new Map<string, string>();
  for (const column of columns) {
    const values = train.map((ex) => valueOf(ex, column));
    const present = new Set(values.filter((v) => v !== null));
    if (present.size === 1) constant.push({ column, value: String([...present][0]) });
    const signature = JSON.stringify(values);
    const twin = seen.get(signature);
    if (twin !== undefined && present.size > 1) duplicates.push({ column, sameAs: twin });
    else if (twin === undefined) seen.set(signature, column);
  }
  const missing = columns
    .map((column) => ({ column, train: missingRate(train, column), dev: missingRate(dev, column) }))
    .filter((m) => m.train > 0 || m.dev > 0);
  const outliers = numeric.map((c) => outliersOf(train, dev, c)).filter((o) => o !== null);
  const labels = new Map<string, number>();
  for (const ex of train) labels.set(ex.label, (labels.get(ex.label) ?? 0) + 1);
  const top = majorityOf(labels);
  const majority = dev.length === 0 ? Number.NaN : dev.filter((ex) => ex.label === top).length / dev.length;
  const oneRule = columns
    .map((column) => ({ column, accuracy: oneRuleAccuracy(train, dev, column, numeric.includes(column)) }))
    .filter((r) => Number.isFinite(r.accuracy))
    .map((r) => ({ ...r, leaky: r.accuracy >= LEAKAGE_ACCURACY && majority < LEAKAGE_ACCURACY }))
    .sort((a, b) => b.accuracy - a.accuracy || a.column.localeCompare(b.column));
  return { columns: columns.length, constant, duplicates, missing, outliers, oneRule, majority };
}
