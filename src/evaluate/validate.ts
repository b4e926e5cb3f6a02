/**
 * Input checks shared by the evaluate stage. Metrics are computed on arrays produced by our own
 * pipeline or handed in by users through the tracking API; a wrong length, a label that is not 0/1
 * or a NaN score is a contract violation and gets a DataError that names the function, the array,
 * the index and what is allowed. Statistically undefined results (no predicted positives, one class
 * only) are not errors: the metric functions return 0 or NaN for them, as documented there.
 */
import { DataError } from "../errors.js";

export function checkSameLength(
  fn: string,
  names: readonly [string, string],
  a: ArrayLike<unknown>,
  b: ArrayLike<unknown>,
): void {
  if (a.length !== b.length) {
    throw new DataError(
      `${fn}: ${names[0]} has ${a.length} entries but ${names[1]} has ${b.length}; they must describe the same examples in the same order`,
    );
  }
}

export function checkNonEmpty(fn: string, name: string, n: number): void {
  if (n === 0) throw new DataError(`${fn}: ${name} is empty; metrics need at least one example`);
}

export function checkBinaryLabels(fn: string, yTrue: Uint8Array): void {
  for (let i = 0; i < yTrue.length; i++) {
    const v = yTrue[i]!;
    if (v > 1) {
      throw new DataError(`${fn}: yTrue[${i}] is ${v}; binary labels must be 0 (negative) or 1 (positive)`, {
        where: `yTrue[${i}]`,
      });
    }
  }
}

export function checkFinite(fn: string, name: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      throw new DataError(`${fn}: ${name}[${i}] is ${v}; scores must be finite numbers`, { where: `${name}[${i}]` });
    }
  }
}

/** Weights must be finite and >= 0 with a positive total (a zero total leaves every rate undefined). */
export function checkWeights(fn: string, weight: Float64Array, n: number): void {
  checkSameLength(fn, ["yTrue", "sampleWeight"], { length: n }, weight);
  let total = 0;
  for (let i = 0; i < weight.length; i++) {
    const w = weight[i]!;
    if (!Number.isFinite(w) || w < 0) {
      throw new DataError(`${fn}: sampleWeight[${i}] is ${w}; weights must be finite and >= 0`, {
        where: `sampleWeight[${i}]`,
      });
    }
    total += w;
  }
  if (!(total > 0)) throw new DataError(`${fn}: sampleWeight sums to 0; at least one example needs a positive weight`);
}

export function checkBinaryInputs(fn: string, yTrue: Uint8Array, score: Float64Array, weight?: Float64Array): void {
  checkSameLength(fn, ["yTrue", "score"], yTrue, score);
  checkNonEmpty(fn, "yTrue", yTrue.length);
  checkBinaryLabels(fn, yTrue);
  checkFinite(fn, "score", score);
  if (weight !== undefined) checkWeights(fn, weight, yTrue.length);
}

/** True when every value is a probability, i.e. log loss and Brier score are meaningful. */
export function allProbabilities(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= 1)) return false;
  }
  return true;
}
