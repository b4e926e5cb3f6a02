/**
 * TPE against Optuna 3.1 and scipy: reference values from test/reference/tpe_ref.py, committed in
 * test/fixtures/search/tpe_optuna.json (npm test needs no Python).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildParzen, defaultWeights, parzenLogPdf, sampleParzen } from "../../src/search/parzen.js";
import { defaultGamma, splitObservations, toInternal, tpeSuggest, type TpeObservation } from "../../src/search/tpe.js";
import { truncnormLogPdf, truncnormPpf } from "../../src/search/truncnorm.js";
import type { Dimension, Point, Space } from "../../src/search/space.js";
import { createRng, deriveSeed } from "../../src/util/random.js";

interface EstimatorCase {
  name: string;
  dimension: Dimension;
  observations: unknown[];
  weights: number[];
  points: unknown[];
  logpdf_scipy: number[];
  logpdf_optuna: number[];
  mus?: number[];
  sigmas?: number[];
  categorical_weights?: number[][];
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/search/tpe_optuna.json", import.meta.url), "utf8")) as {
  estimators: EstimatorCase[];
  splits: Array<{ values: number[]; steps: Array<number | null>; gamma: number; below: number[]; above: number[] }>;
  quality: { trials: number; seeds: number[]; optuna_tpe_best: number[]; optuna_random_best: number[] };
};

const internal = (d: Dimension, xs: unknown[]): number[] => xs.map((x) => toInternal(d, x)!);
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describe("Parzen estimators match Optuna 3.1's (default parameters)", () => {
  for (const c of fixture.estimators) {
    it(c.name, () => {
      const p = buildParzen(c.dimension, internal(c.dimension, c.observations));
      expect(Array.from(p.weights)).toHaveLength(c.weights.length);
      Array.from(p.weights).forEach((w, i) => expect(w).toBeCloseTo(c.weights[i]!, 12));
      if (p.kind === "numeric") {
        Array.from(p.mus).forEach((m, i) => expect(m).toBeCloseTo(c.mus![i]!, 12));
        Array.from(p.sigmas).forEach((s, i) => expect(s).toBeCloseTo(c.sigmas![i]!, 12));
      } else {
        p.rows.forEach((row, i) =>
          Array.from(row).forEach((w, j) => expect(w).toBeCloseTo(c.categorical_weights![i]![j]!, 12)),
        );
      }
      // the density is scipy's mixture of truncated normals (Optuna 3.1 omits −log σ per kernel)
      const lp = parzenLogPdf(p, internal(c.dimension, c.points));
      lp.forEach((v, i) => expect(v).toBeCloseTo(c.logpdf_scipy[i]!, 9));
      // …and the comparison mode reproduces Optuna 3.1's own numbers
      const lp31 = parzenLogPdf(p, internal(c.dimension, c.points), true);
      lp31.forEach((v, i) => expect(v).toBeCloseTo(c.logpdf_optuna[i]!, 9));
    });
  }

  it("Optuna 3.1's own log density differs from the true one exactly where the kernels' σ differ", () => {
    const differs = fixture.estimators.filter((c) =>
      c.logpdf_scipy.some((v, i) => Math.abs(v - c.logpdf_optuna[i]!) > 1e-6),
    );
    // numeric continuous kernels are affected; integers (a mass) and categoricals are not
    expect(differs.map((c) => c.name)).toEqual(
      fixture.estimators
        .filter((c) => c.dimension.kind === "float" || (c.dimension.kind === "int" && c.dimension.log === true))
        .filter((c) => c.observations.length > 0)
        .map((c) => c.name),
    );
  });

  it("default weights ramp the oldest observations beyond 25 (np.linspace(1/n, 1, n − 25) then ones)", () => {
    expect(Array.from(defaultWeights(3))).toEqual([1, 1, 1]);
    const w = defaultWeights(30);
    expect(w[0]).toBeCloseTo(1 / 30, 15);
    expect(w[4]).toBeCloseTo(1, 15);
    expect(w[1]! - w[0]!).toBeCloseTo((1 - 1 / 30) / 4, 15);
    expect(Array.from(w.subarray(5))).toEqual(new Array(25).fill(1));
  });

  it("samples follow the mixture: the empirical histogram matches the density", () => {
    const d: Dimension = { kind: "float", low: 0, high: 1 };
    const p = buildParzen(d, [0.1, 0.15, 0.8]);
    const xs = sampleParzen(p, createRng(3), 40_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    for (const [lo, hi] of [
      [0, 0.2],
      [0.4, 0.6],
      [0.7, 0.9],
    ] as const) {
      const frac = xs.filter((x) => x >= lo && x < hi).length / xs.length;
      // midpoint rule on the density over the bin
      const grid = Array.from({ length: 200 }, (_, i) => lo + ((i + 0.5) * (hi - lo)) / 200);
      const mass = parzenLogPdf(p, grid).reduce((s, v) => s + Math.exp(v) * ((hi - lo) / 200), 0);
      expect(Math.abs(frac - mass)).toBeLessThan(0.01);
    }
  });

  it("truncated normal: quantile inverts the CDF and the density integrates to one", () => {
    for (const [a, b] of [
      [-1, 2],
      [-30, -25],
      [3, 40],
      [-0.01, 0.01],
    ] as const) {
      const n = 100_000;
      const h = (b - a) / n;
      let total = 0;
      for (let i = 0; i < n; i++) total += Math.exp(truncnormLogPdf(a + (i + 0.5) * h, a, b, 0, 1)) * h;
      expect(total).toBeCloseTo(1, 5);
      const median = truncnormPpf(0.5, a, b);
      let below = 0;
      for (let i = 0; i < n; i++) {
        const x = a + (i + 0.5) * h;
        if (x < median) below += Math.exp(truncnormLogPdf(x, a, b, 0, 1)) * h;
      }
      expect(below).toBeCloseTo(0.5, 3);
    }
  });
});

describe("the good/bad split matches Optuna's _split_observation_pairs", () => {
  for (const s of fixture.splits) {
    it(`${s.values.length} observations${s.steps.some((x) => x !== null) ? " with pruned trials" : ""}`, () => {
      if (s.steps.every((x) => x === null)) expect(defaultGamma(s.values.length)).toBe(s.gamma);
      const obs: TpeObservation[] = s.values.map((v, i) => ({
        params: {},
        value: v,
        pruned: s.steps[i] !== null,
        prunedAtStep: s.steps[i],
      }));
      expect(splitObservations(obs, s.gamma)).toEqual({ below: s.below, above: s.above });
    });
  }
});

/** The planted objective of tpe_ref.py (minimise). */
function planted(p: Point): number {
  const fam = { a: 0.5, b: 0, c: 1 }[p.family as "a" | "b" | "c"];
  return (
    (Math.log10(p.C as number) - Math.log10(3)) ** 2 +
    4 * ((p.x as number) - 0.7) ** 2 +
    0.01 * ((p.k as number) - 12) ** 2 +
    fam
  );
}
const plantedSpace: Space = {
  C: { kind: "float", low: 1e-3, high: 1e3, log: true },
  x: { kind: "float", low: 0, high: 1 },
  k: { kind: "int", low: 1, high: 20 },
  family: { kind: "categorical", values: ["a", "b", "c"] },
};

function runTpe(seed: number, trials: number, opts: { startup?: number; optuna31?: boolean } = {}): number {
  const obs: TpeObservation[] = [];
  for (let t = 0; t < trials; t++) {
    const p = tpeSuggest(plantedSpace, obs, deriveSeed(seed, t), {
      nStartupTrials: opts.startup,
      optuna31Density: opts.optuna31,
    });
    obs.push({ params: p, value: planted(p) });
  }
  return Math.min(...obs.map((o) => o.value));
}

describe("TPE search quality on the planted objective (50 trials, 20 seeds)", () => {
  it("is seeded: the same seed gives the same points, another seed others", () => {
    const a = tpeSuggest(plantedSpace, [], 1);
    expect(tpeSuggest(plantedSpace, [], 1)).toEqual(a);
    expect(tpeSuggest(plantedSpace, [], 2)).not.toEqual(a);
    expect(runTpe(4, 20)).toBe(runTpe(4, 20));
  });

  it("scored like Optuna 3.1, it finds what Optuna 3.1 finds; with the true density it still beats random search", () => {
    const q = fixture.quality;
    const optunaTpe = mean(q.optuna_tpe_best);
    const optunaRandom = mean(q.optuna_random_best);
    // Optuna 3.1 over these 20 seeds: TPE 0.096, random 0.445 (mean best value after 50 trials)
    const like31 = q.seeds.map((s) => runTpe(s, q.trials, { optuna31: true }));
    expect(mean(like31)).toBeLessThan(optunaTpe * 1.5);
    // The true density (the default) explores less on this objective: measured 0.17 over 100 seeds
    // vs 0.11 with Optuna 3.1's scoring (docs/sweeps.md). It must still beat random by far.
    const ours = q.seeds.map((s) => runTpe(s, q.trials));
    expect(mean(ours)).toBeLessThan(optunaRandom / 2);
    const randomOnly = q.seeds.map((s) => runTpe(s, q.trials, { startup: q.trials }));
    expect(mean(ours)).toBeLessThan(mean(randomOnly) * 0.7);
    expect(mean(randomOnly)).toBeGreaterThan(optunaRandom * 0.6);
  });
});
