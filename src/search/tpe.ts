/**
 * The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, NeurIPS 2011) as
 * Optuna 3.1's TPESampler runs it with its default parameters: the first `nStartupTrials` (10)
 * points are random; after that the finished and pruned trials are split into the best
 * γ(n) = min(⌈0.1·n⌉, 25) ("below", l(x)) and the rest ("above", g(x)); each dimension
 * independently (univariate TPE) draws `nEiCandidates` (24) candidates from l and keeps the one with
 * the largest log l(x) − log g(x), the expected-improvement criterion of the paper. Pruned trials
 * take part with their last intermediate value, ranked after every complete trial and later steps
 * first (as Optuna's `_get_observation_pairs`). Values are minimised: a caller maximising F1 passes
 * −F1. Seeded: the same history and seed give the same point.
 *
 * Kernels are in parzen.ts (and the one deliberate difference from Optuna 3.1 is documented there).
 */
import { createRng, type Rng } from "../util/random.js";
import { buildParzen, parzenBounds, parzenLogPdf, sampleParzen } from "./parzen.js";
import { checkSpace, type Dimension, type Point, type Space } from "./space.js";

export interface TpeOptions {
  /** Random points before the model is used (Optuna: 10). */
  readonly nStartupTrials?: number;
  /** Candidates drawn from l(x) per dimension (Optuna: 24). */
  readonly nEiCandidates?: number;
  /** Size of the "below" set for n observations (Optuna: min(⌈0.1·n⌉, 25)). */
  readonly gamma?: (n: number) => number;
  /**
   * Score candidates with Optuna 3.1's log density, which omits −log σ per kernel (parzen.ts): for
   * side-by-side comparisons with Optuna 3.1 only. Default false: the true mixture density.
   */
  readonly optuna31Density?: boolean;
}

/** One earlier trial as the sampler sees it. */
export interface TpeObservation {
  readonly params: Point;
  /** The value to minimise: the final value, or for a pruned trial its last intermediate value. */
  readonly value: number;
  /** null for a complete trial; the step a pruned trial stopped at (undefined: pruned before any step). */
  readonly prunedAtStep?: number | null;
  readonly pruned?: boolean;
}

export const TPE_DEFAULTS = { nStartupTrials: 10, nEiCandidates: 24 } as const;

export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Sort key of an observation, as Optuna's (−step, value) pairs: complete trials first. */
function rankKey(o: TpeObservation): [number, number] {
  if (o.pruned !== true) return [-Infinity, Number.isNaN(o.value) ? Infinity : o.value];
  if (o.prunedAtStep === undefined || o.prunedAtStep === null) return [1, 0];
  return [-o.prunedAtStep, Number.isNaN(o.value) ? Infinity : o.value];
}

/** Indices of the best `nBelow` observations and of the rest, each in chronological order. */
export function splitObservations(
  observations: readonly TpeObservation[],
  nBelow: number,
): { below: number[]; above: number[] } {
  const keys = observations.map(rankKey);
  const order = observations.map((_, i) => i);
  order.sort((a, b) => keys[a]![0] - keys[b]![0] || keys[a]![1] - keys[b]![1] || a - b);
  const below = order.slice(0, nBelow).sort((a, b) => a - b);
  const above = order.slice(nBelow).sort((a, b) => a - b);
  return { below, above };
}

/** A value's position on the internal scale (log for log dimensions, index for categoricals). */
export function toInternal(d: Dimension, value: unknown): number | null {
  if (value === undefined) return null;
  if (d.kind === "categorical") {
    const i = d.values.findIndex((v) => Object.is(v, value) || JSON.stringify(v) === JSON.stringify(value));
    return i < 0 ? null : i;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  return d.log === true ? Math.log(value) : value;
}

/** Back from the internal scale: exp on log scales, rounding and clipping for integers. */
export function toExternal(d: Dimension, x: number): unknown {
  if (d.kind === "categorical") return d.values[x];
  if (d.kind === "float") return d.log === true ? Math.min(d.high, Math.max(d.low, Math.exp(x))) : x;
  const v = Math.round(d.log === true ? Math.exp(x) : x);
  return Math.min(d.high, Math.max(d.low, v));
}

/** A uniform draw of one dimension (Optuna's RandomSampler: integers equally likely, log-uniform on log scales). */
export function randomValue(d: Dimension, rng: Rng): unknown {
  if (d.kind === "categorical") return d.values[rng.int(d.values.length)];
  if (d.kind === "int" && d.log !== true) return d.low + rng.int(d.high - d.low + 1);
  const { low, high } =
    d.kind === "int" ? parzenBounds(d) : d.log === true ? { low: Math.log(d.low), high: Math.log(d.high) } : d;
  return toExternal(d, low + rng.next() * (high - low));
}

function suggestDimension(
  d: Dimension,
  name: string,
  observations: readonly TpeObservation[],
  rng: Rng,
  opts: Required<TpeOptions>,
): unknown {
  const { below, above } = splitObservations(observations, opts.gamma(observations.length));
  const internal = (idx: number[]): number[] =>
    idx.map((i) => toInternal(d, observations[i]!.params[name])).filter((x): x is number => x !== null);
  const l = buildParzen(d, internal(below));
  const g = buildParzen(d, internal(above));
  // as Optuna: candidates are rounded to the dimension's values before their densities are compared
  const candidates = sampleParzen(l, rng, opts.nEiCandidates).map((x) => toInternal(d, toExternal(d, x))!);
  const ll = parzenLogPdf(l, candidates, opts.optuna31Density);
  const lg = parzenLogPdf(g, candidates, opts.optuna31Density);
  let best = 0;
  for (let i = 1; i < candidates.length; i++) if (ll[i]! - lg[i]! > ll[best]! - lg[best]!) best = i;
  return toExternal(d, candidates[best]!);
}

/**
 * The next point to try given the earlier trials (complete and pruned; running and failed ones are
 * left out by the caller). `seed` fixes every random choice of this suggestion.
 */
export function tpeSuggest(
  space: Space,
  observations: readonly TpeObservation[],
  seed: number,
  options: TpeOptions = {},
): Point {
  checkSpace(space);
  const opts: Required<TpeOptions> = {
    nStartupTrials: options.nStartupTrials ?? TPE_DEFAULTS.nStartupTrials,
    nEiCandidates: options.nEiCandidates ?? TPE_DEFAULTS.nEiCandidates,
    gamma: options.gamma ?? defaultGamma,
    optuna31Density: options.optuna31Density ?? false,
  };
  const rng = createRng(seed);
  const usable = observations.filter((o) => o.pruned === true || Number.isFinite(o.value));
  const point: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(space)) {
    point[name] =
      usable.length < opts.nStartupTrials ? randomValue(d, rng) : suggestDimension(d, name, usable, rng, opts);
  }
  return point;
}
