/**
 * Reference values for the evaluate tests, produced once by
 *   /usr/bin/python3 test/reference/evaluate_ref.py
 * with scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2 (Debian bookworm's python3 3.11.2); the script
 * names the exact sklearn/scipy call behind every number. NaN is stored as null.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";

type Num = number | null;

export interface Vectors {
  y: number[];
  score: number[];
  weight?: number[];
}

export interface BinaryRef {
  threshold: number;
  weighted: boolean;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number;
  average_precision: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  log_loss?: number;
  brier?: number;
}

export interface CurveRef {
  roc: { fpr: Num[]; tpr: Num[]; thresholds_after_first: number[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
}

export interface CalibrationRef {
  n_bins: number;
  strategy: "uniform" | "quantile";
  prob_true: number[];
  prob_pred: number[];
  counts: number[];
  edges: number[];
  ece: number;
}

export interface MulticlassRef {
  y: number[];
  proba: number[];
  k: number;
  expected: {
    accuracy: number;
    macro_precision: number;
    macro_recall: number;
    macro_f1: number;
    micro_precision: number;
    micro_recall: number;
    micro_f1: number;
    weighted_precision: number;
    weighted_recall: number;
    weighted_f1: number;
    log_loss: number;
    per_class_precision: number[];
    per_class_recall: number[];
    per_class_f1: number[];
    per_class_roc_auc: Num[];
    roc_auc_ovr: number;
    confusion: number[][];
  };
}

export interface Reference {
  _provenance: Record<string, string>;
  vectors: { tied: Vectors; large: Vectors; decision: Vectors };
  binary: Record<string, BinaryRef>;
  zero_division: Record<"no_predicted_positive" | "no_positive", { precision: number; recall: number; f1: number }>;
  curves: Record<"tied" | "tied weighted" | "large" | "decision", CurveRef>;
  calibration: CalibrationRef[];
  multiclass: Record<"tied" | "random" | "absent class", MulticlassRef>;
  mcnemar: {
    b: number;
    c: number;
    exact: number;
    chi2_corrected: number;
    chi2_corrected_p: number;
    chi2: number;
    chi2_p: number;
  }[];
  wilson: { k: number; n: number; z: number; low: number; high: number }[];
  norm_ppf: { p: number; x: number }[];
  percentile: { sorted: number[]; q: number; value: number }[];
}

export const ref = JSON.parse(readFileSync(new URL("./reference.json", import.meta.url), "utf8")) as Reference;

export function nanOf(values: readonly Num[]): number[] {
  return values.map((v) => (v === null ? NaN : v));
}

/** Relative closeness (absolute when the expected value is 0); NaN matches NaN only. */
export function expectClose(actual: number, expected: number | null, rel = 1e-12, label = ""): void {
  const e = expected === null ? NaN : expected;
  if (Number.isNaN(e)) {
    expect(actual, label).toBeNaN();
    return;
  }
  const tol = e === 0 ? rel : rel * Math.abs(e);
  if (!(Math.abs(actual - e) <= tol)) {
    expect.fail(`${label}: expected ${e}, got ${actual} (|diff| ${Math.abs(actual - e)} > ${tol})`);
  }
}

export function expectAllClose(actual: ArrayLike<number>, expected: readonly Num[], rel = 1e-12, label = ""): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i]!, expected[i]!, rel, `${label}[${i}]`);
}

export function labels(v: readonly number[]): Uint8Array {
  return Uint8Array.from(v);
}

export function floats(v: readonly number[]): Float64Array {
  return Float64Array.from(v);
}
