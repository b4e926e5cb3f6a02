/**
 * Reading a delta and its interval against a practical-equivalence band (a ROPE, in metric units,
 * from the spec's evaluate.equivalence_band): the interval entirely beyond +band is an
 * improvement, entirely beyond −band a regression, entirely inside ±band practically equivalent;
 * anything else is inconclusive, and the estimate of how many examples would settle it is given.
 * "Gain" below is the delta turned so that positive is better (log loss and Brier: lower is better).
 */
import { zFor } from "./bootstrap.js";

export const VERDICTS = ["improved", "regressed", "equivalent", "inconclusive"] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface VerdictInput {
  readonly delta: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Practical-equivalence band, >= 0. */
  readonly band: number;
  readonly higherIsBetter: boolean;
}

export interface VerdictResult {
  readonly verdict: Verdict;
  /** The interval excludes 0 (the delta is not noise at this level), whatever the band says. */
  readonly significant: boolean;
}

function gainInterval(v: VerdictInput): { gain: number; low: number; high: number } {
  return v.higherIsBetter
    ? { gain: v.delta, low: v.ciLow, high: v.ciHigh }
    : { gain: -v.delta, low: -v.ciHigh, high: -v.ciLow };
}

export function verdictOf(v: VerdictInput): VerdictResult {
  if (Number.isNaN(v.ciLow) || Number.isNaN(v.ciHigh)) return { verdict: "inconclusive", significant: false };
  const { low, high } = gainInterval(v);
  const significant = low > 0 || high < 0;
  if (low > v.band) return { verdict: "improved", significant };
  if (high < -v.band) return { verdict: "regressed", significant };
  if (low >= -v.band && high <= v.band) return { verdict: "equivalent", significant };
  return { verdict: "inconclusive", significant };
}

/**
 * For an inconclusive verdict: the number of shared examples at which an interval of the same
 * centre would clear the band (outside it if |gain| > band, inside it if |gain| < band), scaling
 * the interval's half-width as 1/√n. A planning estimate: it assumes the observed delta is the
 * true one. Infinity when |gain| = band; null when the verdict is already decided or undefined.
 */
export function examplesNeeded(v: VerdictInput & { n: number; ci: number }): number | null {
  const result = verdictOf(v);
  if (result.verdict !== "inconclusive" || Number.isNaN(v.ciLow) || Number.isNaN(v.ciHigh) || v.n <= 0) return null;
  const { gain, low, high } = gainInterval(v);
  const se = (high - low) / (2 * zFor(v.ci));
  const margin = Math.abs(Math.abs(gain) - v.band);
  if (margin === 0) return Infinity;
  if (se === 0) return v.n;
  // the guard keeps float noise (2560.0000000000005) from adding an example
  return Math.ceil(v.n * ((zFor(v.ci) * se) / margin) ** 2 - 1e-9);
}

/**
 * An inconclusive verdict whose interval excludes 0: the change is real, and only the
 * equivalence band kept it from being called improved or regressed (the interval reaches into
 * ±band). Said so wherever a verdict is printed, since "inconclusive" alone reads as "noise".
 */
export function decidedByBand(v: {
  readonly verdict: Verdict;
  readonly ciLow: number;
  readonly ciHigh: number;
}): boolean {
  return v.verdict === "inconclusive" && (v.ciLow > 0 || v.ciHigh < 0);
}

/** The words for {@link decidedByBand}, e.g. "CI excludes 0; the ±0.005 equivalence band decided". */
export function bandNote(band?: number): string {
  return `CI excludes 0; the ${band === undefined ? "" : `±${band} `}equivalence band decided`;
}
