/**
 * Platt scaling: turns a margin classifier's decision values into probabilities
 * P(y = 1 | f) = 1 / (1 + exp(A·f + B)), with A, B fitted by maximum likelihood on held-out decision
 * values against Platt's smoothed targets (N₊+1)/(N₊+2) and 1/(N₋+2) — scikit-learn's
 * `_sigmoid_calibration`. Fitted here by Newton's method with backtracking (Lin, Lin & Weng 2007),
 * which converges in a handful of steps on this two-parameter convex problem.
 */
import { ModelError } from "../errors.js";
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
