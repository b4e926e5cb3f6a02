/**
 * The bootstrap behind every interval in src/compare: resample the shared examples with
 * replacement, once per iteration, and hand the same resample (as counts per example) to every
 * run's kernel — that joint draw is what makes comparisons paired and attribution consistent
 * across all subset runs. Resample r is n calls of `rng.int(n)` on `createRng(seed)`, the scheme
 * of src/evaluate/paired.ts's pairedBootstrap, so a two-run comparison reproduces it exactly.
 */
import { percentileSorted } from "../evaluate/quantile.js";
import { normalQuantile } from "../evaluate/special.js";
import { createRng } from "../util/random.js";

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_SEED = 0;

/** Calls `visit` once per resample with that resample's counts (the array is reused: copy what you keep). */
export function jointBootstrap(
  n: number,
  resamples: number,
  seed: number,
  visit: (weights: Float64Array, r: number) => void,
): void {
  const rng = createRng(seed);
  const weights = new Float64Array(n);
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    for (let k = 0; k < n; k++) weights[rng.int(n)]!++;
    visit(weights, r);
  }
}

export interface Interval {
  readonly low: number;
  readonly high: number;
  /** Resamples where the statistic was defined. */
  readonly valid: number;
}

/** numpy-style percentile interval of the defined (non-NaN) values; NaN bounds when none is defined. */
export function percentileInterval(values: Float64Array, ci: number): Interval {
  const finite = values.filter((v) => !Number.isNaN(v)).sort();
  const tail = 50 * (1 - ci);
  return { low: percentileSorted(finite, tail), high: percentileSorted(finite, 100 - tail), valid: finite.length };
}

/** Two-sided bootstrap p-value of "no difference": 2 · min(share ≤ 0, share ≥ 0), capped at 1 (Koehn 2004). */
export function bootstrapPValue(values: Float64Array): number {
  let valid = 0;
  let atMost = 0;
  let atLeast = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    valid++;
    if (v <= 0) atMost++;
    if (v >= 0) atLeast++;
  }
  return valid === 0 ? NaN : Math.min(1, (2 * Math.min(atMost, atLeast)) / valid);
}

/** z of a two-sided interval at level `ci` (1.96 at 0.95). */
export function zFor(ci: number): number {
  return normalQuantile(1 - (1 - ci) / 2);
}
