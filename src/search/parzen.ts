/**
 * One dimension's Parzen estimator, as Optuna 3.1's univariate `_ParzenEstimator` builds it with
 * its default parameters (consider_prior, prior_weight 1, magic clip, no endpoints): one truncated
 * normal kernel per observation plus a prior kernel at the centre of the range with σ = the range;
 * each kernel's σ is the larger distance to its sorted neighbours, clipped to
 * [range / min(100, 1 + kernels), range]. A categorical dimension gets one row of category weights
 * per observation (prior_weight / (n + 1) everywhere, +1 at the observed category) and a uniform
 * prior row. Older observations get ramped weights once there are more than 25 (Optuna's
 * `default_weights`).
 *
 * Work is on the internal scale: logs for log dimensions, category indices for categoricals.
 * Integers are kernels on [low − ½, high + ½] whose density at k is the mass of [k − ½, k + ½].
 *
 * One deliberate difference: Optuna 3.1's `_truncnorm.logpdf` standardises x but omits −log σ, so
 * its log density of a numeric mixture is not the density it samples from (each kernel is off by
 * +log σᵢ, favouring wide kernels). `logPdf` here is scipy's: the mixture Σ wᵢ·truncnormᵢ(x).
 * test/reference/tpe_ref.py records both; the difference only changes which of the 24 candidates
 * wins, never the candidates themselves.
 */
import type { Rng } from "../util/random.js";
import type { Dimension } from "./space.js";
import { logGaussMass, truncnormLogPdf, truncnormPpf } from "./truncnorm.js";

export const PRIOR_WEIGHT = 1;

export type ParzenEstimator =
  | { readonly kind: "categorical"; readonly weights: Float64Array; readonly rows: readonly Float64Array[] }
  | {
      readonly kind: "numeric";
      readonly weights: Float64Array;
      readonly mus: Float64Array;
      readonly sigmas: Float64Array;
      /** Bounds on the internal scale. */
      readonly low: number;
      readonly high: number;
      /** 1 for plain integers (a kernel's density is a mass of width 1), else null. */
      readonly q: number | null;
    };

/** Optuna's default_weights: flat up to 25 observations, then a ramp from 1/n for the oldest. */
export function defaultWeights(n: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  if (n < 25) return w;
  const ramp = n - 25;
  for (let i = 0; i < ramp; i++) w[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1);
  return w;
}

/** Observation weights (chronological order) with the prior's appended, normalised. */
function mixtureWeights(n: number): Float64Array {
  const w = new Float64Array(n + 1);
  w.set(defaultWeights(n));
  w[n] = PRIOR_WEIGHT;
  let sum = 0;
  for (const v of w) sum += v;
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / sum;
  return w;
}

/** The kernel bounds and step of a numeric dimension on the internal scale. */
export function parzenBounds(d: Exclude<Dimension, { kind: "categorical" }>): {
  low: number;
  high: number;
  q: number | null;
} {
  if (d.kind === "float") {
    return d.log === true
      ? { low: Math.log(d.low), high: Math.log(d.high), q: null }
      : { low: d.low, high: d.high, q: null };
  }
  return d.log === true
    ? { low: Math.log(d.low - 0.5), high: Math.log(d.high + 0.5), q: null }
    : { low: d.low - 0.5, high: d.high + 0.5, q: 1 };
}

function numericSigmas(mus: Float64Array, low: number, high: number): Float64Array {
  const n = mus.length;
  const order = Array.from(mus.keys()).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const ends = [low, ...order.map((i) => mus[i]!), high];
  const sorted = new Float64Array(n);
  for (let k = 0; k < n; k++) sorted[k] = Math.max(ends[k + 1]! - ends[k]!, ends[k + 2]! - ends[k + 1]!);
  if (ends.length >= 4) {
    // consider_endpoints = false: the outermost kernels look inward only
    sorted[0] = ends[2]! - ends[1]!;
    sorted[n - 1] = ends[ends.length - 2]! - ends[ends.length - 3]!;
  }
  const sigmas = new Float64Array(n);
  const maxSigma = high - low;
  const minSigma = (high - low) / Math.min(100, 1 + n);
  order.forEach((i, k) => (sigmas[i] = Math.min(maxSigma, Math.max(minSigma, sorted[k]!))));
  return sigmas;
}

/** Builds the estimator from observations on the internal scale, oldest first. */
export function buildParzen(d: Dimension, observations: readonly number[]): ParzenEstimator {
  const n = observations.length;
  const weights = mixtureWeights(n);
  if (d.kind === "categorical") {
    const k = d.values.length;
    const rows = Array.from({ length: n + 1 }, (_, i) => {
      const row = new Float64Array(k).fill(PRIOR_WEIGHT / (n + 1));
      if (i < n) row[observations[i]!] = row[observations[i]!]! + 1;
      const sum = row.reduce((s, v) => s + v, 0);
      return row.map((v) => v / sum);
    });
    return { kind: "categorical", weights, rows };
  }
  const { low, high, q } = parzenBounds(d);
  const mus = new Float64Array(n + 1);
  mus.set(observations);
  mus[n] = 0.5 * (low + high);
  const sigmas = numericSigmas(mus, low, high);
  sigmas[n] = high - low;
  return { kind: "numeric", weights, mus, sigmas, low, high, q };
}

function pickComponent(weights: Float64Array, u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/** `count` draws on the internal scale (numeric draws are continuous; see `toExternal`). */
export function sampleParzen(p: ParzenEstimator, rng: Rng, count: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < count; s++) {
    const c = pickComponent(p.weights, rng.next());
    if (p.kind === "categorical") {
      out.push(pickComponent(p.rows[c]!, rng.next()));
      continue;
    }
    const mu = p.mus[c]!;
    const sigma = p.sigmas[c]!;
    const z = truncnormPpf(rng.next(), (p.low - mu) / sigma, (p.high - mu) / sigma);
    out.push(Math.min(p.high, Math.max(p.low, mu + sigma * z)));
  }
  return out;
}

function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/**
 * Log density of the mixture at internal-scale points (integers: the mass of [k − ½, k + ½]).
 * `optuna31` reproduces Optuna 3.1's omission of −log σ per continuous kernel, for comparisons with
 * it only (see the header).
 */
export function parzenLogPdf(p: ParzenEstimator, xs: readonly number[], optuna31 = false): number[] {
  if (p.kind === "categorical") {
    return xs.map((x) => {
      let s = 0;
      for (let i = 0; i < p.weights.length; i++) s += p.weights[i]! * p.rows[i]![x]!;
      return Math.log(s);
    });
  }
  const logW = Array.from(p.weights, (w) => Math.log(w));
  return xs.map((x) => {
    const terms = logW.map((lw, i) => {
      const mu = p.mus[i]!;
      const sigma = p.sigmas[i]!;
      if (p.q === null) return lw + truncnormLogPdf(x, p.low, p.high, mu, sigma) + (optuna31 ? Math.log(sigma) : 0);
      const lo = (Math.max(x - p.q / 2, p.low) - mu) / sigma;
      const hi = (Math.min(x + p.q / 2, p.high) - mu) / sigma;
      return lw + logGaussMass(lo, hi) - logGaussMass((p.low - mu) / sigma, (p.high - mu) / sigma);
    });
    return logSumExp(terms);
  });
}
