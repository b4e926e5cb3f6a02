import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { binaryMetrics } from "../../src/evaluate/metrics.js";
import {
  mcnemarChiSquare,
  mcnemarExact,
  pairedBootstrap,
  requiredSampleSize,
  wilsonInterval,
  Z_95,
  type BootstrapMetricName,
} from "../../src/evaluate/paired.js";
import { normalQuantile } from "../../src/evaluate/special.js";
import { createRng } from "../../src/util/random.js";
import { expectClose, floats, labels, ref } from "./reference.js";

describe("McNemar against scipy 1.10.1", () => {
  it("exact: scipy.stats.binomtest(b, b + c, 0.5).pvalue", () => {
    for (const r of ref.mcnemar) expectClose(mcnemarExact(r.b, r.c), r.exact, 1e-10, `b=${r.b} c=${r.c}`);
  });

  it("exact: the temporal-split anchor of the scikit-learn baseline, b = 253, c = 28 → p = 1.728e-46", () => {
    // /work/shared/reference/sklearn-baseline.md, "Paired comparison", temporal row
    expect(mcnemarExact(253, 28).toPrecision(4)).toBe("1.728e-46");
    expect(mcnemarExact(14, 5).toPrecision(4)).toBe("0.06357"); // random_80_20 row
  });

  it("exact: no discordant pair means no evidence, p = 1 (scipy refuses n = 0)", () => {
    expect(mcnemarExact(0, 0)).toBe(1);
  });

  it("chi-square with and without continuity correction: statistic and scipy.stats.chi2.sf(stat, 1)", () => {
    for (const r of ref.mcnemar) {
      const cc = mcnemarChiSquare(r.b, r.c);
      if (r.b === r.c) {
        // (|b − c| − 1)² would be 1 here: the correction may not overshoot 0 (R's mcnemar.test; documented)
        expect(cc).toEqual({ statistic: 0, pValue: 1 });
      } else {
        expectClose(cc.statistic, r.chi2_corrected, 1e-13, "corrected statistic");
        expectClose(cc.pValue, r.chi2_corrected_p, 1e-10, `corrected p b=${r.b} c=${r.c}`);
      }
      const raw = mcnemarChiSquare(r.b, r.c, { correction: false });
      expectClose(raw.statistic, r.chi2, 1e-13, "statistic");
      expectClose(raw.pValue, r.chi2_p, 1e-10, `p b=${r.b} c=${r.c}`);
    }
    expect(mcnemarChiSquare(0, 0)).toEqual({ statistic: 0, pValue: 1 });
  });

  it("rejects non-integer or negative counts", () => {
    expect(() => mcnemarExact(-1, 3)).toThrow("mcnemarExact: b is -1; it must be an integer >= 0");
    expect(() => mcnemarExact(1, 2.5)).toThrow(DataError);
  });
});

describe("Wilson interval and normal quantiles", () => {
  it("matches statsmodels' proportion_confint(method='wilson') formula evaluated with scipy", () => {
    for (const r of ref.wilson) {
      const w = wilsonInterval(r.k, r.n, r.z);
      expectClose(w.low, Math.max(0, r.low), 1e-12, `low k=${r.k} n=${r.n}`);
      expectClose(w.high, Math.min(1, r.high), 1e-12, `high k=${r.k} n=${r.n}`);
    }
  });

  it("default z is scipy.stats.norm.ppf(0.975); n = 0 gives [0, 1]", () => {
    expect(Z_95).toBe(ref.norm_ppf.find((r) => r.p === 0.975)!.x);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    expect(() => wilsonInterval(5, 3)).toThrow("wilsonInterval: k is 5 but n is 3; k must be <= n");
  });

  it("normalQuantile matches scipy.stats.norm.ppf", () => {
    for (const r of ref.norm_ppf) expectClose(normalQuantile(r.p), r.x, 1e-13, `p=${r.p}`);
  });
});

describe("requiredSampleSize (Connor 1987)", () => {
  // b = 14, c = 5, n = 1210 (the random split of the scikit-learn baseline):
  // p_d = 19/1210, δ = −9/1210. power 0.5: n = z²·p_d/δ² = 3.841459·19·1210/81 = 1090.31 → 1091.
  // power 0.8: (1.959964·√p_d + 0.841621·√(p_d − δ²))² / δ² = 2225.37 → 2226 (evaluated with scipy's norm.ppf).
  it("hand-computed values", () => {
    expect(requiredSampleSize({ b: 14, c: 5, n: 1210, power: 0.5 })).toBe(1091);
    expect(requiredSampleSize({ b: 14, c: 5, n: 1210 })).toBe(2226);
    // a delta already far beyond significance needs far fewer examples than it had (119.43 → 120)
    expect(requiredSampleSize({ b: 253, c: 28, n: 2796 })).toBe(120);
  });

  it("no difference can never become significant", () => {
    expect(requiredSampleSize({ b: 7, c: 7, n: 100 })).toBe(Infinity);
  });

  it("rejects impossible counts", () => {
    expect(() => requiredSampleSize({ b: 70, c: 40, n: 100 })).toThrow(
      "requiredSampleSize: b + c is 110 but n is 100; discordant pairs cannot exceed n",
    );
  });
});

/** y and two runs' scores where A and B are right/wrong in the given pattern (scores 0.9 / 0.1, threshold 0.5). */
function pattern(counts: { both: number; aOnly: number; bOnly: number; neither: number }): {
  y: Uint8Array;
  a: Float64Array;
  b: Float64Array;
} {
  const n = counts.both + counts.aOnly + counts.bOnly + counts.neither;
  const y = new Uint8Array(n).fill(1);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  let i = 0;
  const put = (k: number, aRight: boolean, bRight: boolean): void => {
    for (let j = 0; j < k; j++, i++) {
      a[i] = aRight ? 0.9 : 0.1;
      b[i] = bRight ? 0.9 : 0.1;
    }
  };
  put(counts.both, true, true);
  put(counts.aOnly, true, false);
  put(counts.bOnly, false, true);
  put(counts.neither, false, false);
  return { y, a, b };
}

describe("pairedBootstrap", () => {
  const v = ref.vectors.large;
  const y = labels(v.y);
  const scoreA = floats(v.score);
  // a second, different but correlated model: shrunk towards 0.5 with a label-independent wobble
  const scoreB = scoreA.map((s, i) => Math.min(1, Math.max(0, 0.5 + 0.8 * (s - 0.5) + ((i % 5) - 2) * 0.03)));

  it("observed metrics are binaryMetrics' values, delta = B − A", () => {
    const mA = binaryMetrics(y, scoreA, 0.5);
    const mB = binaryMetrics(y, scoreB, 0.4);
    const names: [BootstrapMetricName, number, number][] = [
      ["accuracy", mA.accuracy, mB.accuracy],
      ["error_rate", mA.errorRate, mB.errorRate],
      ["precision", mA.precision, mB.precision],
      ["recall", mA.recall, mB.recall],
      ["f1", mA.f1, mB.f1],
      ["roc_auc", mA.roc_auc, mB.roc_auc],
      ["average_precision", mA.average_precision, mB.average_precision],
      ["log_loss", mA.log_loss, mB.log_loss],
      ["brier", mA.brier, mB.brier],
    ];
    for (const [metric, a, b] of names) {
      const r = pairedBootstrap({
        yTrue: y,
        scoreA,
        scoreB,
        thresholdA: 0.5,
        thresholdB: 0.4,
        metric,
        resamples: 50,
        seed: 1,
      });
      expectClose(r.metricA, a, 1e-12, `${metric} A`);
      expectClose(r.metricB, b, 1e-12, `${metric} B`);
      expectClose(r.delta, b - a, 1e-12, `${metric} delta`);
      expect(r.higherIsBetter).toBe(!["log_loss", "brier", "error_rate"].includes(metric));
    }
  });

  it("each resample's delta equals the metric computed on the materialized resample", () => {
    // Documented draw order: resample r takes n indices rng.int(n) from createRng(seed).
    const resamples = 25;
    const seed = 42;
    for (const metric of ["roc_auc", "average_precision", "f1", "precision", "log_loss", "brier"] as const) {
      const r = pairedBootstrap({
        yTrue: y,
        scoreA,
        scoreB,
        thresholdA: 0.5,
        thresholdB: 0.45,
        metric,
        resamples,
        seed,
        returnDeltas: true,
      });
      const rng = createRng(seed);
      const n = y.length;
      for (let b = 0; b < resamples; b++) {
        const yy = new Uint8Array(n);
        const sa = new Float64Array(n);
        const sb = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          const i = rng.int(n);
          yy[k] = y[i]!;
          sa[k] = scoreA[i]!;
          sb[k] = scoreB[i]!;
        }
        const expected = binaryMetrics(yy, sb, 0.45)[metric] - binaryMetrics(yy, sa, 0.5)[metric];
        expectClose(r.deltas![b]!, expected, 1e-11, `${metric} resample ${b}`);
      }
    }
  });

  it("identical runs: delta 0 in every resample, CI [0, 0], p = 1", () => {
    const r = pairedBootstrap({ yTrue: y, scoreA, scoreB: scoreA, metric: "roc_auc", resamples: 200, seed: 3 });
    expect([r.delta, r.ciLow, r.ciHigh, r.pValue, r.validResamples]).toEqual([0, 0, 0, 1, 200]);
  });

  it("is deterministic in its seed", () => {
    const opts = { yTrue: y, scoreA, scoreB, metric: "average_precision" as const, resamples: 100, returnDeltas: true };
    const a = pairedBootstrap({ ...opts, seed: 5 });
    expect(pairedBootstrap({ ...opts, seed: 5 })).toEqual(a);
    expect(Array.from(pairedBootstrap({ ...opts, seed: 6 }).deltas!)).not.toEqual(Array.from(a.deltas!));
  });

  it("bootstrap SD of an accuracy delta matches the analytic √((p_d − δ²)/n)", () => {
    // n = 2000, b = 100 (A only right), c = 200 (B only right): δ = 0.05, p_d = 0.15,
    // SD = √((0.15 − 0.0025)/2000) = 0.0085878; Monte Carlo error of an SD from 2000 resamples ≈ 1.6%.
    const p = pattern({ both: 1600, aOnly: 100, bOnly: 200, neither: 100 });
    const r = pairedBootstrap({
      yTrue: p.y,
      scoreA: p.a,
      scoreB: p.b,
      thresholdA: 0.5,
      thresholdB: 0.5,
      metric: "accuracy",
      seed: 11,
      returnDeltas: true,
    });
    expect(r.delta).toBeCloseTo(0.05, 15);
    const d = Array.from(r.deltas!);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
    expect(Math.abs(sd / Math.sqrt(0.1475 / 2000) - 1)).toBeLessThan(0.05);
    expect(Math.abs(mean - 0.05)).toBeLessThan((3 * sd) / Math.sqrt(d.length));
    // normal approximation: the 95% interval is δ ± 1.96·SD (±0.0168), so [0.0332, 0.0668] within MC error
    expect(r.ciLow).toBeCloseTo(0.05 - 1.96 * 0.0085878, 2);
    expect(r.ciHigh).toBeCloseTo(0.05 + 1.96 * 0.0085878, 2);
    expect(r.pValue).toBe(0); // δ is 5.8 SD from 0: no resample crosses it
  });

  it("95% intervals cover the true delta about 95% of the time", () => {
    // Population: both right 0.75, A only 0.05, B only 0.15, both wrong 0.05 → true δ = 0.10.
    const trials = 300;
    const n = 300;
    let covered = 0;
    let widthSum = 0;
    for (let t = 0; t < trials; t++) {
      const rng = createRng(10_000 + t);
      const c = { both: 0, aOnly: 0, bOnly: 0, neither: 0 };
      for (let i = 0; i < n; i++) {
        const u = rng.next();
        if (u < 0.75) c.both++;
        else if (u < 0.8) c.aOnly++;
        else if (u < 0.95) c.bOnly++;
        else c.neither++;
      }
      const p = pattern(c);
      const r = pairedBootstrap({
        yTrue: p.y,
        scoreA: p.a,
        scoreB: p.b,
        thresholdA: 0.5,
        thresholdB: 0.5,
        metric: "accuracy",
        resamples: 400,
        seed: t,
      });
      if (r.ciLow <= 0.1 && 0.1 <= r.ciHigh) covered++;
      widthSum += r.ciHigh - r.ciLow;
    }
    // binomial SD of the coverage over 300 trials ≈ 0.0126
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.985);
    // analytic width 2·1.96·√(0.19/300) = 0.09866
    expect(Math.abs(widthSum / trials / 0.09866 - 1)).toBeLessThan(0.08);
  });

  it("reproduces the baseline's random-split comparison (NB vs LogReg) within resampling noise", () => {
    // sklearn-baseline.md: Δ = −0.0074, bootstrap 95% CI [−0.0141, +0.0000], Δ ≥ 0 in 3.1% of 1000
    // numpy resamples. Same discordance here: b = 14 (A = NB only right), c = 5, both wrong 21, n = 1210.
    const p = pattern({ both: 1170, aOnly: 14, bOnly: 5, neither: 21 });
    const r = pairedBootstrap({
      yTrue: p.y,
      scoreA: p.a,
      scoreB: p.b,
      thresholdA: 0.5,
      thresholdB: 0.5,
      metric: "accuracy",
      seed: 0,
    });
    expect(r.delta).toBeCloseTo(-0.0074, 4);
    expect(Math.abs(r.ciLow - -0.0141)).toBeLessThan(0.0025);
    expect(Math.abs(r.ciHigh - 0)).toBeLessThan(0.0025);
    expect(r.pValue).toBeGreaterThan(0.03);
    expect(r.pValue).toBeLessThan(0.1);
  });

  it("a custom weighted metric receives resample counts and matches the named metric", () => {
    const weightedAccuracy = (yy: Uint8Array, s: Float64Array, t: number, w: Float64Array): number => {
      let right = 0;
      let total = 0;
      for (let i = 0; i < yy.length; i++) {
        if ((s[i]! >= t ? 1 : 0) === yy[i]) right += w[i]!;
        total += w[i]!;
      }
      return right / total;
    };
    const opts = { yTrue: y, scoreA, scoreB, thresholdA: 0.5, thresholdB: 0.45, resamples: 300, seed: 9 };
    const custom = pairedBootstrap({ ...opts, metric: weightedAccuracy });
    const named = pairedBootstrap({ ...opts, metric: "accuracy" });
    expect(custom.metric).toBe("weightedAccuracy");
    expect(custom.higherIsBetter).toBeUndefined();
    expectClose(custom.ciLow, named.ciLow, 1e-12, "ciLow");
    expectClose(custom.ciHigh, named.ciHigh, 1e-12, "ciHigh");
    expect(custom.pValue).toBe(named.pValue);
  });

  it("resamples where the metric is undefined are left out and counted", () => {
    // 1 positive in 6: about (5/6)^6 ≈ 33% of resamples draw no positive → ROC-AUC undefined
    const r = pairedBootstrap({
      yTrue: labels([1, 0, 0, 0, 0, 0]),
      scoreA: floats([0.9, 0.1, 0.2, 0.3, 0.4, 0.5]),
      scoreB: floats([0.6, 0.1, 0.2, 0.3, 0.4, 0.7]),
      metric: "roc_auc",
      resamples: 1000,
      seed: 2,
      returnDeltas: true,
    });
    const nan = Array.from(r.deltas!).filter(Number.isNaN).length;
    expect(r.validResamples).toBe(1000 - nan);
    expect(nan / 1000).toBeGreaterThan(0.25);
    expect(nan / 1000).toBeLessThan(0.42);
    expect(Number.isFinite(r.ciLow) && Number.isFinite(r.pValue)).toBe(true);
  });

  it("rejects bad options with messages that say what is allowed", () => {
    const base = { yTrue: y, scoreA, scoreB, seed: 1 };
    expect(() => pairedBootstrap({ ...base, metric: "f1" })).toThrow(
      'pairedBootstrap: metric "f1" depends on the decision threshold; give thresholdA and thresholdB',
    );
    expect(() => pairedBootstrap({ ...base, metric: "auc" as BootstrapMetricName })).toThrow(
      'pairedBootstrap: unknown metric "auc"; allowed: accuracy, error_rate, precision, recall, f1, roc_auc, average_precision, log_loss, brier',
    );
    expect(() => pairedBootstrap({ ...base, scoreB: floats([0.1]), metric: "roc_auc" })).toThrow(
      "pairedBootstrap: scoreA has 300 entries but scoreB has 1; they must describe the same examples in the same order",
    );
    expect(() =>
      pairedBootstrap({ ...base, scoreB: scoreB.map((s, i) => (i === 7 ? 1.5 : s)), metric: "log_loss" }),
    ).toThrow('pairedBootstrap: metric "log_loss" needs probabilities in [0, 1]; scoreB[7] is 1.5');
    expect(() => pairedBootstrap({ ...base, metric: "roc_auc", resamples: 0 })).toThrow(
      "pairedBootstrap: resamples is 0; it must be an integer >= 1",
    );
    expect(() => pairedBootstrap({ ...base, metric: "roc_auc", ci: 95 })).toThrow(
      "pairedBootstrap: ci is 95; it must lie strictly between 0 and 1",
    );
  });
});
