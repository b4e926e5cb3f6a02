/**
 * Pruners: stop a trial early when its intermediate values (a learner's dev loss per iteration)
 * say it will not be among the best. Both are Optuna's, with its defaults, on values to MINIMISE:
 *
 * - median (Optuna's MedianPruner: n_startup_trials 5, n_warmup_steps 0, interval 1): prune at a
 *   step when the trial's best value so far is worse than the median of the complete trials'
 *   values at that same step (trials that stopped before it do not count);
 * - halving (Optuna's SuccessiveHalvingPruner: min_resource 1, reduction_factor 4,
 *   min_early_stopping_rate 0, asynchronous): at rung k (step ≥ min_resource·4^k) the trial goes on
 *   only if its value is in the top ⌊n/4⌋ (at least the best one) of the n values recorded at that
 *   rung so far, its own included.
 *
 * Decisions are pure functions of the trial's curve and the other trials' curves, so a worker on
 * another machine decides from the snapshot it was given.
 */

export type PrunerName = "none" | "median" | "halving";
export const PRUNER_NAMES: readonly PrunerName[] = ["none", "median", "halving"];

/** A trial's intermediate values: step → value (lower is better). */
export type Curve = ReadonlyArray<readonly [step: number, value: number]>;

export interface PrunerContext {
  /** Curves of the other trials: complete ones (median) or any that reached the rungs (halving). */
  readonly others: readonly Curve[];
}

export const MEDIAN_DEFAULTS = { nStartupTrials: 5, nWarmupSteps: 0 } as const;
export const HALVING_DEFAULTS = { minResource: 1, reductionFactor: 4 } as const;

function bestUpTo(curve: Curve, step: number): number {
  let best = Infinity;
  for (const [s, v] of curve) if (s <= step && v < best) best = v;
  return best;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function medianShouldPrune(curve: Curve, step: number, ctx: PrunerContext): boolean {
  if (ctx.others.length < MEDIAN_DEFAULTS.nStartupTrials || step < MEDIAN_DEFAULTS.nWarmupSteps) return false;
  const mine = bestUpTo(curve, step);
  if (Number.isNaN(mine)) return true;
  const theirs = ctx.others
    .map((c) => c.find(([s]) => s === step)?.[1])
    .filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (theirs.length === 0) return false;
  return mine > median(theirs);
}

/** The rung a step completes (−1 before the first), for min_resource r and factor η: steps r·η^k. */
export function rungOf(step: number): number {
  const { minResource, reductionFactor } = HALVING_DEFAULTS;
  if (step < minResource) return -1;
  return Math.floor(Math.log(step / minResource) / Math.log(reductionFactor) + 1e-12);
}

/** The value a curve had at the first step of rung k (its rung value), or undefined when it did not get there. */
function rungValue(curve: Curve, rung: number): number | undefined {
  const at = HALVING_DEFAULTS.minResource * HALVING_DEFAULTS.reductionFactor ** rung;
  const reached = curve.filter(([s]) => s >= at);
  if (reached.length === 0) return undefined;
  return bestUpTo(curve, reached[0]![0]);
}

export function halvingShouldPrune(curve: Curve, step: number, ctx: PrunerContext): boolean {
  const rung = rungOf(step);
  if (rung < 0) return false;
  // decide once per rung, at the first step that reaches it
  const start = HALVING_DEFAULTS.minResource * HALVING_DEFAULTS.reductionFactor ** rung;
  if (curve.some(([s]) => s >= start && s < step)) return false;
  const mine = bestUpTo(curve, step);
  if (Number.isNaN(mine)) return true;
  const all = [mine, ...ctx.others.map((c) => rungValue(c, rung)).filter((v): v is number => v !== undefined)];
  const keep = Math.max(1, Math.floor(all.length / HALVING_DEFAULTS.reductionFactor));
  const sorted = all.slice().sort((a, b) => a - b);
  return mine > sorted[keep - 1]!;
}

export function shouldPrune(pruner: PrunerName, curve: Curve, step: number, ctx: PrunerContext): boolean {
  if (pruner === "median") return medianShouldPrune(curve, step, ctx);
  if (pruner === "halving") return halvingShouldPrune(curve, step, ctx);
  return false;
}
