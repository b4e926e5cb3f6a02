/**
 * The loop's acceptance rule, honest under adaptivity: a loop that looks at dev after every full
 * run and keeps what helped will, by chance alone, keep changes that did nothing. mlloop's rule is
 * **the fallback procedure over the budget on the paired test** (Wiens, 2003; a weighted Bonferroni
 * test, the graphical approach of Bretz et al., 2009): with a budget of B full runs there are at most
 * B − 1 comparisons with an incumbent; comparison j has its own level α_j = α · 2^−j / (1 − 2^−(B−1))
 * (the levels sum to α and are front-loaded, since the early changes are the big ones), and the
 * level of an accepted comparison is carried to the next one. A change is accepted only when the
 * one-sided paired bootstrap test on dev (the same examples scored by both runs) rejects "no
 * improvement" at its level. Until a first false acceptance every comparison runs at its own α_j,
 * so the chance of accepting any no-effect change when none has an effect is at most Σ α_j = α
 * (the union bound, for any dependence between the tests); Bonferroni's equal split α / (B − 1)
 * was too timid for the first, large changes (p = 0.014 for +0.010 dev F1 was rejected at 0.0071).
 */
import { binaryMetrics } from "../evaluate/metrics.js";
import { mcnemarExact, pairedBootstrap, BOOTSTRAP_METRICS, type BootstrapMetricName } from "../evaluate/paired.js";
import { createRng } from "../util/random.js";

export const ACCEPTANCE_RULE_NAME = "fallback-paired-bootstrap";

export interface AcceptanceRule {
  readonly name: string;
  /** Family-wise error rate over the whole budget. */
  readonly alpha: number;
  /** Comparisons the budget allows (budget − 1, at least 1). */
  readonly tests: number;
  /** The first comparison's one-sided level (levels[0]). */
  readonly perTest: number;
  /** Each comparison's own one-sided level, in order; they sum to alpha. */
  readonly levels: readonly number[];
  readonly resamples: number;
}

export function fallbackRule(budget: number, alpha = 0.05): AcceptanceRule {
  const tests = Math.max(1, budget - 1);
  const total = 1 - 2 ** -tests;
  const levels = Array.from({ length: tests }, (_, j) => (alpha * 2 ** -(j + 1)) / total);
  return { name: ACCEPTANCE_RULE_NAME, alpha, tests, perTest: levels[0]!, levels, resamples: 4000 };
}

/**
 * The level of comparison `j` (1-based): its own α_j, plus the previous comparison's level when that
 * comparison accepted its change (the fallback carry). Past the budget: 0, nothing is accepted.
 */
export function levelAt(
  rule: AcceptanceRule,
  j: number,
  previous: { accepted: boolean; level: number } | null,
): number {
  const own = rule.levels[j - 1] ?? 0;
  return own + (previous?.accepted === true ? previous.level : 0);
}

/** The rule at comparison j's level (what decideBinary and decideByCorrectness read). */
export function atLevel(rule: AcceptanceRule, level: number): AcceptanceRule {
  return { ...rule, perTest: level };
}

export function describeRule(rule: AcceptanceRule): string {
  const shown = rule.levels
    .slice(0, 3)
    .map((l) => l.toPrecision(2))
    .join(", ");
  return (
    `fallback procedure over the budget: comparison j is accepted only if the one-sided paired bootstrap test on dev rejects ` +
    `"no improvement" at its own level α·2^−j (${shown}${rule.tests > 3 ? ", …" : ""}; they sum to ${rule.alpha}), ` +
    `plus the previous comparison's level when that one was accepted (family-wise false acceptance ≤ ${rule.alpha} over the budget)`
  );
}

export interface PairedDev {
  /** 1 = positive (binary), per dev example, same order for both runs. */
  readonly yTrue: Uint8Array;
  readonly scoreA: Float64Array;
  readonly scoreB: Float64Array;
  readonly thresholdA: number;
  readonly thresholdB: number;
}

export interface Decision {
  readonly accepted: boolean;
  readonly metric: string;
  readonly a: number;
  readonly b: number;
  /** b − a, signed so that positive is better. */
  readonly delta: number;
  /** The two-sided (1 − 2·perTest) interval of the delta: its lower end > 0 is the one-sided test. */
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly level: number;
  /** One-sided p-value of "no improvement". */
  readonly p: number;
  readonly perTest: number;
  readonly test: "paired-bootstrap" | "mcnemar-exact";
}

/** Binary data: the paired bootstrap of the primary metric. */
export function decideBinary(rule: AcceptanceRule, metric: string, dev: PairedDev, seed: number): Decision {
  const known = (BOOTSTRAP_METRICS as readonly string[]).includes(metric);
  const name = (known ? metric : "f1") as BootstrapMetricName;
  const level = 1 - 2 * rule.perTest;
  const boot = pairedBootstrap({
    yTrue: dev.yTrue,
    scoreA: dev.scoreA,
    scoreB: dev.scoreB,
    thresholdA: dev.thresholdA,
    thresholdB: dev.thresholdB,
    metric: name,
    resamples: rule.resamples,
    seed,
    ci: level,
    returnDeltas: true,
  });
  const higher = boot.higherIsBetter !== false;
  const sign = higher ? 1 : -1;
  const deltas = boot.deltas ?? [];
  let notBetter = 0;
  let valid = 0;
  for (const d of deltas) {
    if (!Number.isFinite(d)) continue;
    valid++;
    if (sign * d <= 0) notBetter++;
  }
  // (k + 1) / (n + 1): a bootstrap p-value is never 0 (Davison & Hinkley, 1997)
  const p = valid > 0 ? (notBetter + 1) / (valid + 1) : 1;
  const ciLow = higher ? boot.ciLow : -boot.ciHigh;
  const ciHigh = higher ? boot.ciHigh : -boot.ciLow;
  return {
    accepted: sign * boot.delta > 0 && ciLow > 0 && p <= rule.perTest,
    metric: name,
    a: boot.metricA,
    b: boot.metricB,
    delta: sign * boot.delta,
    ciLow,
    ciHigh,
    level,
    p,
    perTest: rule.perTest,
    test: "paired-bootstrap",
  };
}

/** Multiclass data: the exact McNemar test on which examples each run gets right. */
export function decideByCorrectness(
  rule: AcceptanceRule,
  metric: string,
  a: { metric: number; correct: readonly boolean[] },
  b: { metric: number; correct: readonly boolean[] },
): Decision {
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.correct.length; i++) {
    if (a.correct[i] && !b.correct[i]) onlyA++;
    else if (!a.correct[i] && b.correct[i]) onlyB++;
  }
  const two = mcnemarExact(onlyA, onlyB);
  const p = onlyB > onlyA ? two / 2 : 1 - two / 2;
  const delta = b.metric - a.metric;
  return {
    accepted: delta > 0 && onlyB > onlyA && p <= rule.perTest,
    metric,
    a: a.metric,
    b: b.metric,
    delta,
    ciLow: Number.NaN,
    ciHigh: Number.NaN,
    level: 1 - 2 * rule.perTest,
    p,
    perTest: rule.perTest,
    test: "mcnemar-exact",
  };
}

/** Percentile bootstrap interval of one run's binary metric (for the dev-vs-test summary). */
export function metricInterval(
  metric: string,
  yTrue: Uint8Array,
  score: Float64Array,
  threshold: number,
  seed: number,
  resamples = 1000,
): { value: number; low: number; high: number } {
  const pick = (m: ReturnType<typeof binaryMetrics>): number => {
    const v = (m as unknown as Record<string, number>)[metric === "error_rate" ? "errorRate" : metric];
    return typeof v === "number" ? v : m.f1;
  };
  const value = pick(binaryMetrics(yTrue, score, threshold));
  const rng = createRng(seed);
  const n = yTrue.length;
  const ys = new Uint8Array(n);
  const ss = new Float64Array(n);
  const vals: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = rng.int(n);
      ys[i] = yTrue[j]!;
      ss[i] = score[j]!;
    }
    const v = pick(binaryMetrics(ys, ss, threshold));
    if (Number.isFinite(v)) vals.push(v);
  }
  vals.sort((x, y) => x - y);
  const q = (p: number): number =>
    vals[Math.min(vals.length - 1, Math.max(0, Math.floor(p * vals.length)))] ?? Number.NaN;
  return { value, low: q(0.025), high: q(0.975) };
}
