/**
 * Platt scaling: turns a margin classifier's decision values into probabilities
 * P(y = 1 | f) = 1 / (1 + exp(A·f + B)), with A, B fitted by maximum likelihood on held-out decision
 * values against Platt's smoothed targets (N₊+1)/(N₊+2) and 1/(N₋+2) — scikit-learn's
 * `_sigmoid_calibration`. Fitted here by Newton's method with backtracking (Lin, Lin & Weng 2007),
 * which converges in a handful of steps on this two-parameter convex problem.
 */
import { ModelError } from "../errors.js";
import { type CsrMatrix, csrSelectRows } from "../features/csr.js";
import { logOnePlusExpNeg, sigmoid } from "./sparse-linear.js";
import { createRng, shuffleInPlace } from "../util/random.js";

export interface PlattParams {
  readonly A: number;
  readonly B: number;
}

/** `positive[i]` says whether row i is of the positive class; weights default to 1. */
export function fitPlatt(decision: Float64Array, positive: Uint8Array, weight?: Float64Array): PlattParams {
  const n = decision.length;
  let prior1 = 0;
  let prior0 = 0;
  for (let i = 0; i < n; i++) {
    const s = weight?.[i] ?? 1;
    if (positive[i]) prior1 += s;
    else prior0 += s;
  }
  const hi = (prior1 + 1) / (prior1 + 2);
  const lo = 1 / (prior0 + 2);
  const objective = (A: number, B: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const z = A * decision[i]! + B;
      const t = positive[i] ? hi : lo;
      f += (weight?.[i] ?? 1) * (t * logOnePlusExpNeg(-z) + (1 - t) * logOnePlusExpNeg(z));
    }
    return f;
  };
  let A = 0;
  let B = Math.log((prior0 + 1) / (prior1 + 1));
  let f = objective(A, B);
  for (let iter = 0; iter < 100; iter++) {
    let gA = 0;
    let gB = 0;
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    for (let i = 0; i < n; i++) {
      const s = weight?.[i] ?? 1;
      const fi = decision[i]!;
      const p = sigmoid(A * fi + B); // = 1 − P(y = 1 | f)
      const t = positive[i] ? hi : lo;
      const d1 = s * (p - (1 - t));
      const d2 = s * p * (1 - p);
      gA += d1 * fi;
      gB += d1;
      h11 += d2 * fi * fi;
      h22 += d2;
      h21 += d2 * fi;
    }
    if (Math.max(Math.abs(gA), Math.abs(gB)) <= 1e-12 * Math.max(1, prior0 + prior1)) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * gA - h21 * gB) / det;
    const dB = -(-h21 * gA + h11 * gB) / det;
    const slope = gA * dA + gB * dB;
    let step = 1;
    let accepted = false;
    while (step >= 1e-10) {
      const fNew = objective(A + step * dA, B + step * dB);
      if (fNew - f <= 1e-4 * step * slope) {
        A += step * dA;
        B += step * dB;
        f = fNew;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
  }
  return { A, B };
}

/** P(positive) for a decision value. */
export function plattProbability(p: PlattParams, decision: number): number {
  return sigmoid(-(p.A * decision + p.B));
}

/**
 * Stratified fold of each row (0 .. k-1): each class's rows are shuffled with the seed and dealt
 * round-robin, so every fold holds every class that has at least k rows.
 */
export function stratifiedFolds(y: Int32Array, nClasses: number, k: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const fold = new Int32Array(y.length);
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < y.length; i++) byClass[y[i]!]!.push(i);
  let offset = 0;
  for (const rows of byClass) {
    shuffleInPlace(rows, rng);
    // Continue the round-robin across classes so that small classes do not all start in fold 0.
    rows.forEach((r, j) => (fold[r] = (offset + j) % k));
    offset = (offset + rows.length) % k;
  }
  return fold;
}

/**
 * Number of calibration folds to use: the requested number, lowered to the size of the smallest
 * class (each training part must still see every class); an error when a class has one row.
 */
export function calibrationFolds(y: Int32Array, nClasses: number, requested: number, family: string): number {
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
  let smallest = Infinity;
  let which = 0;
  for (let c = 0; c < nClasses; c++) {
    if (counts[c]! < smallest) {
      smallest = counts[c]!;
      which = c;
    }
  }
  if (smallest < 2) {
    throw new ModelError(
      `${family}: class ${which} has ${smallest} training row; probability calibration needs at least 2 rows of every class`,
    );
  }
  return Math.min(requested, smallest);
}

/** A binary-or-OvR linear scorer fitted on a subset of rows: returns decision values for other rows. */
export type FitDecision = (
  X: CsrMatrix,
  y: Int32Array,
  sampleWeight: Float64Array,
  foldLabel: string,
) => (Xheld: CsrMatrix) => Float64Array;

/**
 * Platt parameters per output (1 for binary, nClasses for one-vs-rest) fitted on held-out decision
 * values from stratified k-fold cross-validation — sklearn's CalibratedClassifierCV(method="sigmoid",
 * ensemble=False): fitting on the training margins themselves would be overconfident.
 */
export function crossValidatedPlatt(
  X: CsrMatrix,
  y: Int32Array,
  sampleWeight: Float64Array | undefined,
  nClasses: number,
  requestedFolds: number,
  seed: number,
  family: string,
  fitDecision: FitDecision,
): { A: Float64Array; B: Float64Array; warnings: string[] } {
  const warnings: string[] = [];
  const nOut = nClasses === 2 ? 1 : nClasses;
  const sw = sampleWeight ?? new Float64Array(X.rows).fill(1);
  const k = calibrationFolds(y, nClasses, requestedFolds, family);
  if (k < requestedFolds) {
    warnings.push(`calibration used ${k} folds instead of ${requestedFolds}: the smallest class has only ${k} rows`);
  }
  const fold = stratifiedFolds(y, nClasses, k, seed);
  const heldOut = new Float64Array(X.rows * nOut);
  for (let f = 0; f < k; f++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let i = 0; i < X.rows; i++) (fold[i] === f ? testRows : trainRows).push(i);
    const decide = fitDecision(
      csrSelectRows(X, trainRows),
      Int32Array.from(trainRows, (i) => y[i]!),
      Float64Array.from(trainRows, (i) => sw[i]!),
      `fold${f}`,
    );
    const scores = decide(csrSelectRows(X, testRows));
    testRows.forEach((row, t) => {
      for (let o = 0; o < nOut; o++) heldOut[row * nOut + o] = scores[t * nOut + o]!;
    });
  }
  const A = new Float64Array(nOut);
  const B = new Float64Array(nOut);
  const column = new Float64Array(X.rows);
  const positive = new Uint8Array(X.rows);
  for (let o = 0; o < nOut; o++) {
    const cls = nClasses === 2 ? 1 : o;
    for (let i = 0; i < X.rows; i++) {
      column[i] = heldOut[i * nOut + o]!;
      positive[i] = y[i] === cls ? 1 : 0;
    }
    const p = fitPlatt(column, positive, sampleWeight);
    A[o] = p.A;
    B[o] = p.B;
  }
  return { A, B, warnings };
}

/** n × nClasses probabilities from decision values (n × 1 for binary, n × nClasses for one-vs-rest). */
export function plattProbabilities(
  scores: Float64Array,
  rows: number,
  nClasses: number,
  A: Float64Array,
  B: Float64Array,
): Float64Array {
  const K = nClasses;
  const out = new Float64Array(rows * K);
  if (K === 2) {
    const platt = { A: A[0]!, B: B[0]! };
    for (let i = 0; i < rows; i++) {
      const p = plattProbability(platt, scores[i]!);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const p = plattProbability({ A: A[k]!, B: B[k]! }, scores[i * K + k]!);
      out[i * K + k] = p;
      sum += p;
    }
    // sklearn's rule: renormalise the one-vs-rest probabilities; uniform if all are 0.
    for (let k = 0; k < K; k++) out[i * K + k] = sum > 0 ? out[i * K + k]! / sum : 1 / K;
  }
  return out;
}
