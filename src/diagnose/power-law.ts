/**
 * Extrapolating a learning curve: validation error as err(m) = a + b·m^(−c) (a ≥ 0 the error the
 * model would plateau at, b ≥ 0, 0 < c ≤ 2), fitted by least squares on the mean curve — c on a
 * fine grid, (a, b) in closed form for each c. The uncertainty of a prediction comes from
 * resampling the folds: each bootstrap resample of the k fold curves gives a mean curve, a refit and
 * a prediction; the interval is their 2.5th–97.5th percentile.
 */
import { createRng } from "../util/random.js";

export interface PowerLaw {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  /** Root mean squared residual of the fit. */
  readonly rmse: number;
}

export function evalPowerLaw(p: PowerLaw, m: number): number {
  return p.a + p.b * m ** -p.c;
}

function fitAB(xs: readonly number[], ys: readonly number[], maxA: number): { a: number; b: number; sse: number } {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
    sxx += xs[i]! * xs[i]!;
    sxy += xs[i]! * ys[i]!;
  }
  const den = n * sxx - sx * sx;
  let b = den > 0 ? (n * sxy - sx * sy) / den : 0;
  let a = (sy - b * sx) / n;
  const clampB = (): void => {
    if (b < 0) {
      b = 0;
      a = Math.min(Math.max(sy / n, 0), maxA);
    }
  };
  clampB();
  if (a < 0 || a > maxA) {
    a = Math.min(Math.max(a, 0), maxA);
    b = sxx > 0 ? (sxy - a * sx) / sxx : 0;
    clampB();
  }
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - a - b * xs[i]!) ** 2;
  return { a, b, sse };
}

/** Least-squares power law through (sizes, errors). */
export function fitPowerLaw(sizes: readonly number[], errors: readonly number[]): PowerLaw {
  const maxA = Math.min(...errors);
  let best: PowerLaw = { a: Math.max(0, maxA), b: 0, c: 1, rmse: Infinity };
  let bestSse = Infinity;
  for (let step = 1; step <= 200; step++) {
    const c = step / 100;
    const xs = sizes.map((m) => m ** -c);
    const { a, b, sse } = fitAB(xs, errors, Math.max(0, maxA));
    if (sse < bestSse - 1e-15) {
      bestSse = sse;
      best = { a, b, c, rmse: Math.sqrt(sse / sizes.length) };
    }
  }
  return best;
}

export interface Extrapolation {
  readonly law: PowerLaw;
  /** Training size the prediction is for. */
  readonly atSize: number;
  /** Predicted validation error at `atSize` and at the reference size (both from the fitted law). */
  readonly predicted: number;
  readonly atReference: number;
  readonly referenceSize: number;
  /** 95% bootstrap interval of `predicted − atReference` (the change the extra data would bring). */
  readonly change: { readonly estimate: number; readonly low: number; readonly high: number };
  readonly resamples: number;
}

/**
 * Predicted validation error at `atSize`, and its change from `referenceSize`, with a fold-bootstrap
 * interval. `perFold[f][s]` is fold f's validation error at `sizes[s]`.
 */
export function extrapolate(
  sizes: readonly number[],
  perFold: ReadonlyArray<readonly number[]>,
  atSize: number,
  referenceSize: number,
  options: { resamples?: number; seed?: number } = {},
): Extrapolation {
  const k = perFold.length;
  const meanCurve = (pick: readonly number[]): number[] =>
    sizes.map((_, s) => pick.reduce((acc, f) => acc + perFold[f]![s]!, 0) / pick.length);
  const all = Array.from({ length: k }, (_, f) => f);
  const law = fitPowerLaw(sizes, meanCurve(all));
  const predicted = evalPowerLaw(law, atSize);
  const atReference = evalPowerLaw(law, referenceSize);
  const B = options.resamples ?? 500;
  const rng = createRng(options.seed ?? 0);
  const changes = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    const pick = Array.from({ length: k }, () => rng.int(k));
    const l = fitPowerLaw(sizes, meanCurve(pick));
    changes[r] = evalPowerLaw(l, atSize) - evalPowerLaw(l, referenceSize);
  }
  changes.sort();
  const q = (p: number): number => changes[Math.min(B - 1, Math.max(0, Math.round(p * (B - 1))))]!;
  return {
    law,
    atSize,
    predicted,
    atReference,
    referenceSize,
    change: { estimate: predicted - atReference, low: q(0.025), high: q(0.975) },
    resamples: B,
  };
}
