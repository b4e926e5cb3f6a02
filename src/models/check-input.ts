/**
 * Input checks shared by every model family. A learner must fail loudly on input it cannot learn
 * from (one class, NaN, mismatched lengths) instead of returning a model full of NaN: the runner
 * shows these messages to the person who wrote the spec, so each says what is wrong and where.
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { FitData } from "./estimator.js";
import { firstNonFiniteWasm } from "./kernels/value-checks-wasm.js";
import { kernelBackend } from "./kernels/wasm-kernels.js";

function checkCsrShape(X: CsrMatrix, what: string, family: string): void {
  if (X.indptr.length !== X.rows + 1) {
    throw new ModelError(
      `${family}: ${what} is not a valid CSR matrix (indptr has ${X.indptr.length} entries for ${X.rows} rows)`,
    );
  }
  const nnz = X.indptr[X.rows]!;
  if (X.indices.length < nnz || X.data.length < nnz) {
    throw new ModelError(
      `${family}: ${what} is not a valid CSR matrix (indptr ends at ${nnz} but only ${Math.min(X.indices.length, X.data.length)} entries are stored)`,
    );
  }
}

function rowOf(X: CsrMatrix, k: number): number {
  let row = 0;
  while (X.indptr[row + 1]! <= k) row++;
  return row;
}

/** The error for the non-finite stored value number k of X (also raised by kernels that scan X themselves). */
export function nonFiniteError(X: CsrMatrix, k: number, what: string, family: string): ModelError {
  const row = rowOf(X, k);
  return new ModelError(
    `${family}: ${what} has a non-finite value (${X.data[k]}) at row ${row}, column ${X.indices[k]}; features must be finite numbers`,
    { where: `row ${row}, column ${X.indices[k]}` },
  );
}

/** The error for the negative stored value number k of X. */
export function negativeError(X: CsrMatrix, k: number, what: string, family: string): ModelError {
  const row = rowOf(X, k);
  return new ModelError(
    `${family}: ${what} has a negative value (${X.data[k]}) at row ${row}, column ${X.indices[k]}; this model needs counts or other non-negative features`,
    { where: `row ${row}, column ${X.indices[k]}` },
  );
}

/**
 * Throws on NaN/±Infinity in X, naming the first bad row and column. The scan runs in WebAssembly
 * when the kernels are built (value-checks-wasm.ts says why); `firstNonFiniteJs` is its reference.
 */
export function checkFinite(X: CsrMatrix, what: string, family: string): void {
  const nnz = X.indptr[X.rows]!;
  const bad =
    kernelBackend("value-checks") === "wasm" ? firstNonFiniteWasm(X.data, nnz) : firstNonFiniteJs(X.data, nnz);
  if (bad >= 0) throw nonFiniteError(X, bad, what, family);
}

/** Index of the first NaN or ±Infinity among data[0 .. nnz), or -1 (the reference of firstNonFiniteWasm). */
export function firstNonFiniteJs(data: Float64Array, nnz: number): number {
  // x · 0 is 0 for a finite x and NaN for NaN or ±Infinity: four branch-free running sums (a
  // fifth of the time of testing each value), then the first culprit is looked for only if needed.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < nnz; k += 4) {
    s0 += data[k]! * 0;
    s1 += data[k + 1]! * 0;
    s2 += data[k + 2]! * 0;
    s3 += data[k + 3]! * 0;
  }
  for (; k < nnz; k++) s0 += data[k]! * 0;
  if (s0 + s1 + s2 + s3 === 0) return -1;
  for (k = 0; k < nnz; k++) if (!Number.isFinite(data[k]!)) return k;
  return -1;
}

/** Throws on negative entries: count models (multinomial and complement naive Bayes) need X ≥ 0. */
export function checkNonNegative(X: CsrMatrix, what: string, family: string): void {
  const { data, indptr } = X;
  const nnz = indptr[X.rows]!;
  for (let k = 0; k < nnz; k++) if (data[k]! < 0) throw negativeError(X, k, what, family);
}

/**
 * Validates a fit call and returns the effective per-row weights (all ones when none are given).
 * Every class 0..nClasses-1 must have at least one row: a class with no examples has no finite
 * optimum for a softmax intercept and an undefined naive Bayes likelihood.
 */
export function checkFitData(
  data: FitData,
  family: string,
  /** false: the caller checks that X is finite itself (a kernel that scans X anyway). */
  checkValues = true,
): Float64Array {
  const { X, y, nClasses } = data;
  checkCsrShape(X, "X", family);
  if (X.rows === 0) throw new ModelError(`${family}: cannot fit on 0 rows`);
  if (y.length !== X.rows) {
    throw new ModelError(`${family}: y has ${y.length} labels but X has ${X.rows} rows; they must be the same length`);
  }
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new ModelError(`${family}: nClasses is ${nClasses}; a classifier needs at least 2 classes`);
  }
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    if (c < 0 || c >= nClasses) {
      throw new ModelError(`${family}: y[${i}] = ${c} is not a class index (allowed: 0 .. ${nClasses - 1})`, {
        where: `row ${i}`,
      });
    }
    counts[c]!++;
  }
  let weights: Float64Array;
  if (data.sampleWeight !== undefined) {
    const sw = data.sampleWeight;
    if (sw.length !== X.rows) {
      throw new ModelError(
        `${family}: sampleWeight has ${sw.length} entries but X has ${X.rows} rows; give one weight per row`,
      );
    }
    for (let i = 0; i < sw.length; i++) {
      const w = sw[i]!;
      if (!Number.isFinite(w) || w < 0) {
        throw new ModelError(`${family}: sampleWeight[${i}] = ${w}; sample weights must be finite and ≥ 0`, {
          where: `row ${i}`,
        });
      }
    }
    weights = Float64Array.from(sw);
  } else {
    weights = new Float64Array(X.rows).fill(1);
  }
  const present: number[] = [];
  for (let c = 0; c < nClasses; c++) if (counts[c]! > 0) present.push(c);
  if (present.length === 1) {
    throw new ModelError(
      `${family}: y contains only class ${present[0]} (all ${y.length} rows); a classifier needs examples of at least two classes`,
    );
  }
  if (present.length < nClasses) {
    const missing = [];
    for (let c = 0; c < nClasses; c++) if (counts[c] === 0) missing.push(c);
    throw new ModelError(
      `${family}: class ${missing.join(", ")} of ${nClasses} has no training rows (classes present: ${present.join(", ")}); every class needs at least one example`,
    );
  }
  if (checkValues) checkFinite(X, "X", family);
  return weights;
}

/** Validates X at predict time against what the model was fitted on. */
export function checkPredictX(X: CsrMatrix, nFeatures: number, family: string): void {
  if (nFeatures < 0) throw new ModelError(`${family}: predictProba called before fit`);
  checkCsrShape(X, "X", family);
  if (X.cols !== nFeatures) {
    throw new ModelError(
      `${family}: X has ${X.cols} columns but the model was fitted on ${nFeatures} features; predict with the same feature pipeline`,
    );
  }
  checkFinite(X, "X", family);
}

/**
 * Per-class weight multipliers for `class_weight` (scikit-learn's compute_class_weight):
 * "balanced" gives n / (nClasses · count_c), counting rows and ignoring sample weights as sklearn
 * does; a map is keyed by class index as a string ("0", "1", …) — the runner translates label names
 * to indices — and classes it omits keep weight 1.
 */
export function classWeightMultipliers(
  classWeight: "balanced" | Record<string, number> | null,
  y: Int32Array,
  nClasses: number,
  family: string,
): Float64Array {
  const mult = new Float64Array(nClasses).fill(1);
  if (classWeight === null) return mult;
  if (classWeight === "balanced") {
    const counts = new Float64Array(nClasses);
    for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
    for (let c = 0; c < nClasses; c++) mult[c] = y.length / (nClasses * counts[c]!);
    return mult;
  }
  for (const [key, w] of Object.entries(classWeight)) {
    const c = Number(key);
    if (!/^\d+$/.test(key) || c >= nClasses) {
      throw new ModelError(
        `${family}: class_weight key "${key}" is not a class index (allowed: 0 .. ${nClasses - 1}; label names are translated to indices by the runner)`,
        { where: `model.class_weight.${key}` },
      );
    }
    if (!(w > 0) || !Number.isFinite(w)) {
      throw new ModelError(`${family}: class_weight["${key}"] = ${w}; class weights must be finite and > 0`, {
        where: `model.class_weight.${key}`,
      });
    }
    mult[c] = w;
  }
  return mult;
}
