/**
 * Paired comparison of two runs evaluated on the same examples: a paired bootstrap of any metric's
 * delta, McNemar's test on the discordant pairs, the Wilson interval of a proportion and the sample
 * size a delta would need to be significant.
 *
 * Sign convention everywhere: delta = metric(B) − metric(A), where A is the baseline (the parent
 * run) and B the candidate. For McNemar, b = #(A right, B wrong) and c = #(A wrong, B right), so an
 * accuracy delta is (c − b) / n.
 */
import { DataError } from "../errors.js";
import { createRng } from "../util/random.js";
import { HEADLINE_BINARY_METRICS, LOG_LOSS_EPS, prf } from "./metrics.js";
import { percentileSorted } from "./quantile.js";
import { averagePrecisionFromGroups, groupSlots, rocAucFromGroups, tieGroups } from "./ranking.js";
import { binomialLogPmf, chiSquare1Sf, normalQuantile } from "./special.js";
import { checkBinaryInputs, checkSameLength } from "./validate.js";

export const BOOTSTRAP_METRICS = [
  HEADLINE_BINARY_METRICS[0],
  "error_rate",
  ...HEADLINE_BINARY_METRICS.slice(1),
] as const;
export type BootstrapMetricName = (typeof BOOTSTRAP_METRICS)[number];

/**
 * A custom metric for the bootstrap: it receives the resample as a count per example (`weights[i]`
 * = how many times example i was drawn, 0 if not), so any weighted metric works unchanged and no
 * resampled copy of the data is ever built. On the full data the weights are all 1.
 */
export type WeightedMetric = (
  yTrue: Uint8Array,
  score: Float64Array,
  threshold: number,
  weights: Float64Array,
) => number;

export interface PairedBootstrapOptions {
  readonly yTrue: Uint8Array;
  /** Baseline run's scores. */
  readonly scoreA: Float64Array;
  /** Candidate run's scores, same examples in the same order. */
  readonly scoreB: Float64Array;
  /** Decision thresholds (score >= t is positive); required by the threshold metrics. */
  readonly thresholdA?: number;
  readonly thresholdB?: number;
  readonly metric: BootstrapMetricName | WeightedMetric;
  readonly resamples?: number;
  readonly seed: number;
  /** Confidence level of the percentile interval. */
  readonly ci?: number;
  /** Return every resample's delta (e.g. for a histogram). */
  readonly returnDeltas?: boolean;
}

export interface PairedBootstrapResult {
  readonly metric: string;
  readonly metricA: number;
  readonly metricB: number;
  /** metricB − metricA on the full data. */
  readonly delta: number;
  readonly ci: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Two-sided: 2 · min(share of resampled deltas <= 0, share >= 0), capped at 1. */
  readonly pValue: number;
  readonly resamples: number;
  /** Resamples where the metric was defined for both runs (e.g. ROC-AUC needs both classes drawn). */
  readonly validResamples: number;
  /** Direction of improvement of a named metric (log loss, Brier, error rate: lower); undefined for custom metrics. */
  readonly higherIsBetter?: boolean;
  /** Resampled deltas in resample order, NaN where undefined; only with returnDeltas. */
  readonly deltas?: Float64Array;
}

const THRESHOLD_METRICS = new Set<string>(["accuracy", "error_rate", "precision", "recall", "f1"]);

/**
 * A metric prepared for resampling. A resample is n draws of an example index; each draw adds 1 to
 * the count of the example's slot(s), and `evaluate` turns slot counts into (metric A, metric B).
 * Everything that does not depend on the draw is computed once here, so a resample costs n draws
 * plus one pass over the slots, with no allocation:
 * - threshold metrics: 16 slots, (A's confusion cell, B's confusion cell) per example;
 * - ranking metrics: one slot per (tie group, label) per run — one sort per run for all resamples;
 * - log loss / Brier: a sum of per-example loss differences, no slots at all;
 * - custom metrics: one slot per example, handed over as weights.
 */
type Plan =
  | {
      kind: "slots";
      slotsA: Int32Array;
      slotsB?: Int32Array;
      /** Slot counts of the current resample (Int32Array where possible: half the cache footprint). */
      counts: Float64Array | Int32Array;
      /** Writes (metric A, metric B) of the current counts into out. */
      evaluate: (out: Float64Array) => void;
    }
  | { kind: "sum"; lossA: Float64Array; lossB: Float64Array; diff: Float64Array };

function confusionMetric(name: string, tn: number, fn: number, fp: number, tp: number): number {
  const total = tn + fn + fp + tp;
  switch (name) {
    case "accuracy":
      return (tp + tn) / total;
    case "error_rate":
      return (fp + fn) / total;
    case "precision":
      return prf(tp, fp, fn).precision;
    case "recall":
      return prf(tp, fp, fn).recall;
    default:
      return prf(tp, fp, fn).f1;
  }
}

function perExampleLoss(
  name: "log_loss" | "brier",
  run: "A" | "B",
  yTrue: Uint8Array,
  score: Float64Array,
): Float64Array {
  const loss = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) {
    const s = score[i]!;
    if (!(s >= 0 && s <= 1)) {
      throw new DataError(
        `pairedBootstrap: metric "${name}" needs probabilities in [0, 1]; score${run}[${i}] is ${s}`,
        {
          where: `score${run}[${i}]`,
        },
      );
    }
    const y = yTrue[i]!;
    if (name === "brier") loss[i] = (s - y) * (s - y);
    else {
      const p = s < LOG_LOSS_EPS ? LOG_LOSS_EPS : s > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : s;
      loss[i] = -(y === 1 ? Math.log(p) : Math.log(1 - p));
    }
  }
  return loss;
}

function namedPlan(
  name: BootstrapMetricName,
  yTrue: Uint8Array,
  scoreA: Float64Array,
  scoreB: Float64Array,
  thresholdA: number,
  thresholdB: number,
): Plan {
  const n = yTrue.length;
  if (name === "log_loss" || name === "brier") {
    const lossA = perExampleLoss(name, "A", yTrue, scoreA);
    const lossB = perExampleLoss(name, "B", yTrue, scoreB);
    const diff = new Float64Array(n);
    for (let i = 0; i < n; i++) diff[i] = lossB[i]! - lossA[i]!;
    return { kind: "sum", lossA, lossB, diff };
  }
  if (name === "roc_auc" || name === "average_precision") {
    const a = tieGroups(scoreA);
    const b = tieGroups(scoreB);
    const offsetB = 2 * a.groups;
    const fromGroups = name === "roc_auc" ? rocAucFromGroups : averagePrecisionFromGroups;
    const counts = new Int32Array(offsetB + 2 * b.groups);
    return {
      kind: "slots",
      slotsA: groupSlots(yTrue, a.group),
      slotsB: groupSlots(yTrue, b.group, offsetB),
      counts,
      evaluate: (out) => {
        out[0] = fromGroups(counts, 0, a.groups);
        out[1] = fromGroups(counts, offsetB, b.groups);
      },
    };
  }
  // Confusion cell: bit 1 = predicted positive, bit 0 = positive (0 tn, 1 fn, 2 fp, 3 tp); slot = 4·cellA + cellB.
  const slots = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    slots[i] = 4 * ((scoreA[i]! >= thresholdA ? 2 : 0) | y) + ((scoreB[i]! >= thresholdB ? 2 : 0) | y);
  }
  const counts = new Int32Array(16);
  const tallyA = new Float64Array(4);
  const tallyB = new Float64Array(4);
  return {
    kind: "slots",
    slotsA: slots,
    counts,
    evaluate: (out) => {
      tallyA.fill(0);
      tallyB.fill(0);
      for (let slot = 0; slot < 16; slot++) {
        tallyA[slot >> 2]! += counts[slot]!;
        tallyB[slot & 3]! += counts[slot]!;
      }
      out[0] = confusionMetric(name, tallyA[0]!, tallyA[1]!, tallyA[2]!, tallyA[3]!);
      out[1] = confusionMetric(name, tallyB[0]!, tallyB[1]!, tallyB[2]!, tallyB[3]!);
    },
  };
}

function customPlan(
  metric: WeightedMetric,
  yTrue: Uint8Array,
  scoreA: Float64Array,
  scoreB: Float64Array,
  thresholdA: number,
  thresholdB: number,
): Plan {
  const n = yTrue.length;
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const counts = new Float64Array(n);
  return {
    kind: "slots",
    slotsA: identity,
    counts,
    evaluate: (out) => {
      out[0] = metric(yTrue, scoreA, thresholdA, counts);
      out[1] = metric(yTrue, scoreB, thresholdB, counts);
    },
  };
}

/**
 * Paired bootstrap of metric(B) − metric(A). Each resample draws n examples with replacement, the
 * same draw for both runs (that pairing is what cancels the example-difficulty variance). A
 * resample is represented by counts (multinomial weights), never by a copied data set: every metric
 * is then a weighted metric, ranking metrics reuse one sort per run, and a resample costs n draws
 * plus one pass over at most n slots. Resample r draws its n indices as `rng.int(n)` from
 * `createRng(seed)`, in order, so a result is reproducible from its seed.
 *
 * Interval: percentile (numpy's linear percentile of the valid deltas). p-value: two-sided share of
 * resampled deltas on the other side of 0 (Koehn 2004), which for a symmetric bootstrap
 * distribution approximates the test of "no difference".
 */
export function pairedBootstrap(options: PairedBootstrapOptions): PairedBootstrapResult {
  const fn = "pairedBootstrap";
  const { yTrue, scoreA, scoreB, metric, seed } = options;
  const resamples = options.resamples ?? 2000;
  const ci = options.ci ?? 0.95;
  checkBinaryInputs(fn, yTrue, scoreA);
  checkSameLength(fn, ["scoreA", "scoreB"], scoreA, scoreB);
  checkBinaryInputs(fn, yTrue, scoreB);
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new DataError(`${fn}: resamples is ${resamples}; it must be an integer >= 1`);
  }
  if (!(ci > 0 && ci < 1)) throw new DataError(`${fn}: ci is ${ci}; it must lie strictly between 0 and 1`);
  if (!Number.isInteger(seed)) throw new DataError(`${fn}: seed is ${seed}; it must be an integer`);
  const thresholdA = options.thresholdA ?? NaN;
  const thresholdB = options.thresholdB ?? NaN;

  let plan: Plan;
  let metricName: string;
  let higherIsBetter: boolean | undefined;
  if (typeof metric === "function") {
    plan = customPlan(metric, yTrue, scoreA, scoreB, thresholdA, thresholdB);
    metricName = metric.name || "custom";
  } else {
    if (!(BOOTSTRAP_METRICS as readonly string[]).includes(metric)) {
      throw new DataError(`${fn}: unknown metric "${String(metric)}"; allowed: ${BOOTSTRAP_METRICS.join(", ")}`);
    }
    if (THRESHOLD_METRICS.has(metric) && (options.thresholdA === undefined || options.thresholdB === undefined)) {
      throw new DataError(
        `${fn}: metric "${metric}" depends on the decision threshold; give thresholdA and thresholdB`,
      );
    }
    plan = namedPlan(metric, yTrue, scoreA, scoreB, thresholdA, thresholdB);
    metricName = metric;
    higherIsBetter = !(metric === "log_loss" || metric === "brier" || metric === "error_rate");
  }

  const n = yTrue.length;
  const pair = new Float64Array(2);
  let metricA: number;
  let metricB: number;
  if (plan.kind === "sum") {
    let sumA = 0;
    let sumB = 0;
    for (let i = 0; i < n; i++) {
      sumA += plan.lossA[i]!;
      sumB += plan.lossB[i]!;
    }
    metricA = sumA / n;
    metricB = sumB / n;
  } else {
    const counts = plan.counts;
    for (let i = 0; i < n; i++) {
      counts[plan.slotsA[i]!]!++;
      if (plan.slotsB !== undefined) counts[plan.slotsB[i]!]!++;
    }
    plan.evaluate(pair);
    metricA = pair[0]!;
    metricB = pair[1]!;
  }

  const rng = createRng(seed);
  const deltas = new Float64Array(resamples);
  const valid = new Float64Array(resamples);
  let nValid = 0;
  let atMostZero = 0;
  let atLeastZero = 0;
  for (let r = 0; r < resamples; r++) {
    let d: number;
    if (plan.kind === "sum") {
      const diff = plan.diff;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += diff[rng.int(n)]!;
      d = sum / n;
    } else {
      const counts = plan.counts;
      counts.fill(0);
      const slotsA = plan.slotsA;
      const slotsB = plan.slotsB;
      if (slotsB === undefined) {
        for (let k = 0; k < n; k++) counts[slotsA[rng.int(n)]!]!++;
      } else {
        for (let k = 0; k < n; k++) {
          const i = rng.int(n);
          counts[slotsA[i]!]!++;
          counts[slotsB[i]!]!++;
        }
      }
      plan.evaluate(pair);
      d = pair[1]! - pair[0]!;
    }
    deltas[r] = d;
    if (Number.isNaN(d)) continue;
    valid[nValid++] = d;
    if (d <= 0) atMostZero++;
    if (d >= 0) atLeastZero++;
  }
  const sorted = valid.subarray(0, nValid).sort();
  const tail = 50 * (1 - ci);
  return {
    metric: metricName,
    metricA,
    metricB,
    delta: metricB - metricA,
    ci,
    ciLow: percentileSorted(sorted, tail),
    ciHigh: percentileSorted(sorted, 100 - tail),
    pValue: nValid === 0 ? NaN : Math.min(1, (2 * Math.min(atMostZero, atLeastZero)) / nValid),
    resamples,
    validResamples: nValid,
    ...(higherIsBetter === undefined ? {} : { higherIsBetter }),
    ...(options.returnDeltas === true ? { deltas } : {}),
  };
}

function checkCount(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new DataError(`${fn}: ${name} is ${v}; it must be an integer >= 0`);
}

/**
 * McNemar's exact test: two-sided binomial p-value of min(b, c) successes in b + c trials at 1/2,
 * p = min(1, 2 · P(X <= min(b, c))) — for p = 1/2 this equals scipy.stats.binomtest(b, b + c).pvalue.
 * With no discordant pair (b + c = 0) there is no evidence of a difference and p = 1 (scipy refuses
 * n = 0). The tail is summed downward from the mode side in log space, so huge counts do not underflow.
 */
export function mcnemarExact(b: number, c: number): number {
  checkCount("mcnemarExact", "b", b);
  checkCount("mcnemarExact", "c", c);
  const total = b + c;
  if (total === 0) return 1;
  const m = Math.min(b, c);
  if (2 * m === total) return 1;
  const logPmfM = binomialLogPmf(m, total, 0.5);
  // Σ_{k<=m} pmf(k) / pmf(m), with pmf(k−1) / pmf(k) = k / (total − k + 1).
  let ratio = 1;
  let sum = 1;
  for (let k = m; k > 0; k--) {
    ratio *= k / (total - k + 1);
    sum += ratio;
    if (ratio < sum * 1e-17) break;
  }
  return Math.min(1, 2 * Math.exp(logPmfM + Math.log(sum)));
}

/**
 * McNemar's asymptotic test: χ² = (|b − c| − 1)² / (b + c) with continuity correction (Edwards), or
 * (b − c)² / (b + c) without, on 1 degree of freedom. The correction never pushes |b − c| below 0:
 * |b − c| <= 1 gives statistic 0 and p = 1, as R's mcnemar.test (statsmodels' formula gives
 * 1/(2b) at b = c, i.e. "evidence" from identical counts). b + c = 0 gives statistic 0 and p = 1.
 */
export function mcnemarChiSquare(
  b: number,
  c: number,
  options: { correction?: boolean } = {},
): { statistic: number; pValue: number } {
  checkCount("mcnemarChiSquare", "b", b);
  checkCount("mcnemarChiSquare", "c", c);
  if (b + c === 0) return { statistic: 0, pValue: 1 };
  const diff = Math.abs(b - c) - (options.correction === false ? 0 : 1);
  const statistic = diff > 0 ? (diff * diff) / (b + c) : 0;
  return { statistic, pValue: chiSquare1Sf(statistic) };
}

/** z for a 95% two-sided interval: scipy.stats.norm.ppf(0.975). */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval of a proportion k/n, in statsmodels' form (proportion_confint, method
 * "wilson"). With n = 0 nothing is known and the interval is [0, 1].
 */
export function wilsonInterval(k: number, n: number, z: number = Z_95): { low: number; high: number } {
  checkCount("wilsonInterval", "k", k);
  checkCount("wilsonInterval", "n", n);
  if (k > n) throw new DataError(`wilsonInterval: k is ${k} but n is ${n}; k must be <= n`);
  if (!(z > 0) || !Number.isFinite(z)) throw new DataError(`wilsonInterval: z is ${z}; it must be a finite number > 0`);
  if (n === 0) return { low: 0, high: 1 };
  const q = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (q + z2 / (2 * n)) / denom;
  const dist = (z * Math.sqrt((q * (1 - q)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, center - dist), high: Math.min(1, center + dist) };
}

/**
 * How many examples a paired comparison needs for an accuracy delta like the observed one to be
 * significant, from McNemar's normal approximation (Connor 1987, "Sample size for testing
 * differences in proportions for the paired-sample design", Biometrics 43:207):
 *
 *   n = ( z_{1−α/2} · √p_d + z_{power} · √(p_d − δ²) )² / δ²
 *
 * with p_d = (b + c)/n the discordant share and δ = (c − b)/n the accuracy delta, both taken from the
 * observed comparison. power = 0.5 drops the second term and answers "at what n would this exact
 * delta just reach significance"; the default 0.8 is the usual planning figure ("n at which a real
 * delta of this size is detected 80% of the time"). Infinity when δ = 0 (no n makes no difference
 * significant). An estimate for planning, not a guarantee: p_d and δ are themselves noisy.
 */
export function requiredSampleSize(options: {
  b: number;
  c: number;
  n: number;
  alpha?: number;
  power?: number;
}): number {
  const fn = "requiredSampleSize";
  const { b, c, n } = options;
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  checkCount(fn, "b", b);
  checkCount(fn, "c", c);
  checkCount(fn, "n", n);
  if (b + c > n) throw new DataError(`${fn}: b + c is ${b + c} but n is ${n}; discordant pairs cannot exceed n`);
  if (!(alpha > 0 && alpha < 1)) throw new DataError(`${fn}: alpha is ${alpha}; it must lie strictly between 0 and 1`);
  if (!(power >= 0.5 && power < 1)) throw new DataError(`${fn}: power is ${power}; it must lie in [0.5, 1)`);
  if (b === c) return Infinity;
  const pd = (b + c) / n;
  const delta = (c - b) / n;
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zPower = normalQuantile(power);
  const root = zAlpha * Math.sqrt(pd) + zPower * Math.sqrt(pd - delta * delta);
  return Math.ceil((root * root) / (delta * delta));
}
