/**
 * The bootstrap behind every interval in src/compare: resample the shared examples with
 * replacement, once per iteration, and hand the same resample (as counts per example) to every
 * run's kernel — that joint draw is what makes comparisons paired and attribution consistent
 * across all subset runs. Resample r is n calls of `rng.int(n)` on `createRng(seed)`, the scheme
 * of src/evaluate/paired.ts's pairedBootstrap, so a two-run comparison reproduces it exactly.
 */
import { percentileSorted } from "../evaluate/quantile.js";
import { normalQuantile } from "../evaluate/special.js";

export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_SEED = 0;

/**
 * The stream of src/util/random.ts's `createRng(seed)` (sfc32 seeded by splitmix32), drawn here
 * with its state in local int32 variables: the closure-held state of createRng boxes every
 * uint32 above 2^31 as a heap number, which made a 1,200 × 2,000 resample draw take ~250 ms
 * instead of ~10. The bits are the same (test/compare/engine.test.ts checks the two streams).
 */
export class ResampleStream {
  private readonly state = new Int32Array(4);

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.state[i] = splitmix() | 0;
    this.advance(12);
  }

  private advance(count: number): void {
    const out = new Float64Array(1);
    for (let i = 0; i < count; i++) this.fillCounts(out, 1, 1);
  }

  /** `draws` calls of createRng's `int(n)`, each adding 1 to `counts[index]`. */
  fillCounts(counts: Float64Array, draws: number, n: number): void {
    const st = this.state;
    let a = st[0]!;
    let b = st[1]!;
    let c = st[2]!;
    let d = st[3]!;
    for (let k = 0; k < draws; k++) {
      const t = (a + b + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      counts[Math.floor(((t >>> 0) / 4294967296) * n)]!++;
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
  }

  /** The next value of createRng's `int(n)`. */
  int(n: number): number {
    const one = new Float64Array(n);
    this.fillCounts(one, 1, n);
    return one.indexOf(1);
  }
}

/** Calls `visit` once per resample with that resample's counts (the array is reused: copy what you keep). */
export function jointBootstrap(
  n: number,
  resamples: number,
  seed: number,
  visit: (weights: Float64Array, r: number) => void,
): void {
  const stream = new ResampleStream(seed);
  const weights = new Float64Array(n);
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    stream.fillCounts(weights, n, n);
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
