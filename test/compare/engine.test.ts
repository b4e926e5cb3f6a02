import { describe, expect, it } from "vitest";
import { binaryMetrics, multiclassMetrics } from "../../src/evaluate/metrics.js";
import { pairedBootstrap } from "../../src/evaluate/paired.js";
import { jointBootstrap, percentileInterval, ResampleStream } from "../../src/compare/bootstrap.js";
import { BINARY_COMPARE_METRICS, kernelFor, type EvalInput, type Kernel } from "../../src/compare/kernels.js";
import {
  attributeFromKernels,
  greedyAblationPath,
  interactionIndices,
  permutationCoalitions,
  samplePermutations,
  shapleyExact,
  shapleyFromPermutations,
  type ValueFn,
} from "../../src/compare/shapley.js";
import { examplesNeeded, verdictOf } from "../../src/compare/verdict.js";
import { createRng } from "../../src/util/random.js";
import { BOOTSTRAP_DELTA, FEATURE_GAME, FEATURE_GAME_A, MAJORITY, MAJORITY_WEIGHTS } from "./reference.js";

function randomBinary(n: number, seed: number, ties = false): { y: Uint8Array; score: Float64Array } {
  const rng = createRng(seed);
  const y = new Uint8Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < 0.35 ? 1 : 0;
    const s = Math.min(1, Math.max(0, 0.5 + (y[i] ? 0.2 : -0.2) + rng.normal() * 0.25));
    score[i] = ties ? Math.round(s * 10) / 10 : s;
  }
  return { y, score };
}

const metricOf = (m: ReturnType<typeof binaryMetrics>, name: string): number =>
  ({
    accuracy: m.accuracy,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    roc_auc: m.roc_auc,
    average_precision: m.average_precision,
    log_loss: m.log_loss,
    brier: m.brier,
  })[name]!;

describe("weighted metric kernels", () => {
  it("equal src/evaluate/metrics.ts on the full data and under resample counts (ties included)", () => {
    for (const ties of [false, true]) {
      const { y, score } = randomBinary(400, ties ? 3 : 4, ties);
      const input: EvalInput = { kind: "binary", yTrue: y, score, threshold: 0.5 };
      const ones = new Float64Array(y.length).fill(1);
      const full = binaryMetrics(y, score, 0.5);
      const counts = new Float64Array(y.length);
      const rng = createRng(9);
      for (let k = 0; k < y.length; k++) counts[rng.int(y.length)]!++;
      const weighted = binaryMetrics(y, score, 0.5, counts);
      for (const name of BINARY_COMPARE_METRICS) {
        const kernel = kernelFor(name, input)!;
        expect(kernel(ones), `${name} ties=${ties}`).toBeCloseTo(metricOf(full, name), 12);
        expect(kernel(counts), `${name} weighted ties=${ties}`).toBeCloseTo(metricOf(weighted, name), 12);
      }
    }
  });

  it("multiclass accuracy, macro/weighted F1 and log loss equal multiclassMetrics", () => {
    const rng = createRng(2);
    const n = 300;
    const k = 3;
    const y = new Int32Array(n);
    const proba = new Float64Array(n * k);
    const decision = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.int(k);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += proba[i * k + c] = rng.next() + (c === y[i] ? 0.8 : 0);
      let best = 0;
      for (let c = 0; c < k; c++) {
        proba[i * k + c]! /= sum;
        if (proba[i * k + c]! > proba[i * k + best]!) best = c;
      }
      decision[i] = best;
    }
    const m = multiclassMetrics(y, proba, k);
    const input: EvalInput = { kind: "multiclass", nClasses: k, y, decision, proba };
    const ones = new Float64Array(n).fill(1);
    expect(kernelFor("accuracy", input)!(ones)).toBeCloseTo(m.accuracy, 14);
    expect(kernelFor("macro_f1", input)!(ones)).toBeCloseTo(m.macro_f1, 14);
    expect(kernelFor("weighted_f1", input)!(ones)).toBeCloseTo(m.weighted_f1, 14);
    expect(kernelFor("log_loss", input)!(ones)).toBeCloseTo(m.log_loss, 12);
  });
});

describe("joint bootstrap", () => {
  it("draws the very stream of createRng(seed).int(n)", () => {
    for (const seed of [0, 1, 42, 2 ** 31 + 7]) {
      for (const n of [1, 7, 1200, 100_003]) {
        const rng = createRng(seed);
        const stream = new ResampleStream(seed);
        for (let k = 0; k < 2000; k++) expect(stream.int(n)).toBe(rng.int(n));
      }
    }
  });

  it("reproduces src/evaluate's pairedBootstrap from the same seed (two runs)", () => {
    const a = randomBinary(250, 1);
    const b = { y: a.y, score: a.score.map((s, i) => Math.min(1, Math.max(0, s + (i % 7 === 0 ? 0.3 : -0.02)))) };
    for (const metric of ["f1", "roc_auc", "log_loss"] as const) {
      const ref = pairedBootstrap({
        yTrue: a.y,
        scoreA: a.score,
        scoreB: b.score,
        thresholdA: 0.5,
        thresholdB: 0.5,
        metric,
        resamples: 500,
        seed: 42,
      });
      const kA = kernelFor(metric, { kind: "binary", yTrue: a.y, score: a.score, threshold: 0.5 })!;
      const kB = kernelFor(metric, { kind: "binary", yTrue: a.y, score: b.score, threshold: 0.5 })!;
      const deltas = new Float64Array(500);
      jointBootstrap(250, 500, 42, (w, r) => (deltas[r] = kB(w) - kA(w)));
      const iv = percentileInterval(deltas, 0.95);
      expect(iv.low).toBeCloseTo(ref.ciLow, 12);
      expect(iv.high).toBeCloseTo(ref.ciHigh, 12);
    }
  });

  it("gives the exact quantiles of a known bootstrap distribution: accuracy delta (C − B)/n, multinomial", () => {
    // b examples only A gets right, c only B gets right, the rest both right
    const { n, b, c, q025, q975 } = BOOTSTRAP_DELTA;
    const y = new Uint8Array(n).fill(1);
    const scoreA = new Float64Array(n).fill(0.9);
    const scoreB = new Float64Array(n).fill(0.9);
    for (let i = 0; i < b; i++) scoreB[i] = 0.1;
    for (let i = b; i < b + c; i++) scoreA[i] = 0.1;
    const kA = kernelFor("accuracy", { kind: "binary", yTrue: y, score: scoreA, threshold: 0.5 })!;
    const kB = kernelFor("accuracy", { kind: "binary", yTrue: y, score: scoreB, threshold: 0.5 })!;
    const R = 20000;
    const deltas = new Float64Array(R);
    jointBootstrap(n, R, 1, (w, r) => (deltas[r] = kB(w) - kA(w)));
    const iv = percentileInterval(deltas, 0.95);
    // the bootstrap distribution is discrete in steps of 1/n; 20,000 draws land on the exact quantile or next to it
    expect(Math.abs(iv.low - q025)).toBeLessThanOrEqual(1 / n + 1e-12);
    expect(Math.abs(iv.high - q975)).toBeLessThanOrEqual(1 / n + 1e-12);
    const mean = deltas.reduce((s, d) => s + d, 0) / R;
    expect(mean).toBeCloseTo(BOOTSTRAP_DELTA.mean, 3);
  });
});

const majority: ValueFn = (mask) => {
  let w = 0;
  for (let i = 0; i < 4; i++) if (mask & (1 << i)) w += MAJORITY_WEIGHTS[i]!;
  return w >= 6 ? 1 : 0;
};
const featureGame: ValueFn = (mask) => {
  let x = 0.9;
  for (let i = 0; i < 5; i++) if (mask & (1 << i)) x += FEATURE_GAME_A[i]!;
  if ((mask & 3) === 3) x += 0.003;
  if ((mask & 12) === 12) x -= 0.004;
  return x;
};
/** Glove game: player 0 holds a left glove, players 1 and 2 a right glove each. */
const glove: ValueFn = (mask) => Math.min(mask & 1, ((mask >> 1) & 1) + ((mask >> 2) & 1));

describe("Shapley values", () => {
  it("glove game: (2/3, 1/6, 1/6) — efficiency and symmetry", () => {
    const phi = shapleyExact(3, glove);
    expect(phi[0]).toBeCloseTo(2 / 3, 15);
    expect(phi[1]).toBeCloseTo(1 / 6, 15);
    expect(phi[2]).toBe(phi[1]);
    expect(phi[0]! + phi[1]! + phi[2]!).toBeCloseTo(glove(7) - glove(0), 15);
  });

  it("weighted majority game [6; 4, 3, 2, 1] and its interaction indices match the definition (Python)", () => {
    const phi = shapleyExact(4, majority);
    MAJORITY.shapley.forEach((v, i) => expect(phi[i]).toBeCloseTo(v, 14));
    const inter = interactionIndices(4, majority);
    for (const [pair, v] of Object.entries(MAJORITY.interactions)) {
      const i = Number(pair[0]);
      const j = Number(pair[1]);
      expect(inter[i * 4 + j], pair).toBeCloseTo(v, 14);
      expect(inter[j * 4 + i]).toBe(inter[i * 4 + j]);
    }
  });

  it("feature game: null player gets 0, a complement pair interacts +0.003, a substitute pair −0.004", () => {
    const phi = shapleyExact(5, featureGame);
    FEATURE_GAME.shapley.forEach((v, i) => expect(phi[i]).toBeCloseTo(v, 14));
    expect(phi[4]).toBe(0);
    const inter = interactionIndices(5, featureGame);
    for (const [pair, v] of Object.entries(FEATURE_GAME.interactions)) {
      expect(inter[Number(pair[0]) * 5 + Number(pair[1])], pair).toBeCloseTo(v, 14);
    }
    expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(featureGame(31) - featureGame(0), 14);
  });

  it("sampled permutations are exactly efficient, and all k! orderings give the exact values", () => {
    const perms = samplePermutations(5, 6, 3);
    expect(perms).toHaveLength(6);
    expect(perms[1]).toEqual([...perms[0]!].reverse());
    const approx = shapleyFromPermutations(5, perms, featureGame);
    expect(approx.reduce((a, b) => a + b, 0)).toBeCloseTo(featureGame(31) - featureGame(0), 14);
    expect(approx[4]).toBe(0);
    const all: number[][] = [];
    const permute = (prefix: number[], rest: number[]): void => {
      if (rest.length === 0) all.push(prefix);
      rest.forEach((r, i) => permute([...prefix, r], [...rest.slice(0, i), ...rest.slice(i + 1)]));
    };
    permute([], [0, 1, 2, 3]);
    const viaOrders = shapleyFromPermutations(4, all, majority);
    MAJORITY.shapley.forEach((v, i) => expect(viaOrders[i]).toBeCloseTo(v, 14));
    const masks = permutationCoalitions(4, [[2, 0, 3, 1]]);
    expect(masks).toEqual([0, 4, 5, 13, 15]);
  });

  it("greedy ablation path takes the biggest step first", () => {
    const path = greedyAblationPath(5, featureGame, true);
    expect(path.map((s) => s.player)).toEqual([0, 1, 2, 3, 4]);
    expect(path[0]!.gain).toBeCloseTo(0.01, 15);
    expect(path[1]!.gain).toBeCloseTo(0.007, 15); // 0.004 + the complement bonus
    expect(path[3]!.gain).toBeCloseTo(0.001, 15); // 0.005 − the substitute overlap
    expect(path[4]!.value).toBeCloseTo(featureGame(31), 15);
    const lower = greedyAblationPath(5, (m) => -featureGame(m), false);
    expect(lower.map((s) => s.player)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("attribution with bootstrap intervals", () => {
  /**
   * Per-example game: n examples; player 0 fixes the first 60 examples, player 1 the next 15, player
   * 2 does nothing. Coalition S's predictions: correct on example i iff the base gets it or some
   * player in S fixes it. The metric is accuracy.
   */
  function perExampleGame(n: number): Map<number, Kernel> {
    const kernels = new Map<number, Kernel>();
    for (let mask = 0; mask < 8; mask++) {
      const correct = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const fixedBy0 = i < 60;
        const fixedBy1 = i >= 60 && i < 75;
        const base = i >= 200;
        correct[i] = base || (fixedBy0 && mask & 1) || (fixedBy1 && mask & 2) ? 1 : 0;
      }
      kernels.set(mask, (w) => {
        let s = 0;
        let t = 0;
        for (let i = 0; i < n; i++) {
          s += w[i]! * correct[i]!;
          t += w[i]!;
        }
        return s / t;
      });
    }
    return kernels;
  }

  it("splits the delta exactly (efficiency), gives the null player [0, 0], and brackets the real effects", () => {
    const n = 500;
    const result = attributeFromKernels({
      players: ["features.urls", "model.C", "model.max_iter"],
      n,
      kernels: perExampleGame(n),
      mode: { kind: "exact" },
      higherIsBetter: true,
      resamples: 1000,
      seed: 7,
      ci: 0.95,
    });
    const [urls, c, noop] = result.players;
    expect(urls!.value).toBeCloseTo(60 / n, 14);
    expect(c!.value).toBeCloseTo(15 / n, 14);
    expect(noop!.value).toBe(0);
    expect(noop!.ciLow).toBe(0);
    expect(noop!.ciHigh).toBe(0);
    expect(noop!.coversZero).toBe(true);
    expect(urls!.coversZero).toBe(false);
    expect(urls!.ciLow).toBeLessThan(60 / n);
    expect(urls!.ciHigh).toBeGreaterThan(60 / n);
    expect(result.total.value).toBeCloseTo(75 / n, 14);
    expect(Math.abs(result.efficiencyGap)).toBeLessThan(1e-15);
    expect(result.interactions.map((i) => i.value)).toEqual([0, 0, 0]);
    expect(result.path.map((s) => s.playerName)).toEqual(["features.urls", "model.C", "model.max_iter"]);
    expect(urls!.share + c!.share + noop!.share).toBeCloseTo(1, 14);
  });

  it("refuses a missing coalition with a message naming it", () => {
    const kernels = perExampleGame(100);
    kernels.delete(3);
    expect(() =>
      attributeFromKernels({
        players: ["a", "b", "c"],
        n: 100,
        kernels,
        mode: { kind: "exact" },
        higherIsBetter: true,
        resamples: 10,
        seed: 1,
        ci: 0.95,
      }),
    ).toThrow("attribution: coalition 3 (a + b) has no evaluated run");
  });
});

describe("verdicts", () => {
  const band = 0.005;
  it("reads the interval against ±band in the better direction", () => {
    expect(verdictOf({ delta: 0.02, ciLow: 0.01, ciHigh: 0.03, band, higherIsBetter: true })).toEqual({
      verdict: "improved",
      significant: true,
    });
    expect(verdictOf({ delta: 0.02, ciLow: 0.01, ciHigh: 0.03, band, higherIsBetter: false }).verdict).toBe(
      "regressed",
    );
    expect(verdictOf({ delta: 0.001, ciLow: -0.002, ciHigh: 0.004, band, higherIsBetter: true }).verdict).toBe(
      "equivalent",
    );
    expect(verdictOf({ delta: 0.01, ciLow: 0.002, ciHigh: 0.018, band, higherIsBetter: true })).toEqual({
      verdict: "inconclusive",
      significant: true,
    });
    expect(verdictOf({ delta: 0, ciLow: 0, ciHigh: 0, band: 0, higherIsBetter: true }).verdict).toBe("equivalent");
  });

  it("estimates the examples an inconclusive interval needs, scaling its width as 1/√n", () => {
    // gain 0.01, half-width 0.008 (se = 0.008/1.96): clears the band (margin 0.005) at n·(0.008/0.005)² = 2.56 n
    const need = examplesNeeded({
      delta: 0.01,
      ciLow: 0.002,
      ciHigh: 0.018,
      band,
      higherIsBetter: true,
      n: 1000,
      ci: 0.95,
    });
    expect(need).toBe(2560);
    expect(
      examplesNeeded({ delta: 0.02, ciLow: 0.01, ciHigh: 0.03, band, higherIsBetter: true, n: 1000, ci: 0.95 }),
    ).toBeNull();
    expect(
      examplesNeeded({ delta: 0.005, ciLow: -0.01, ciHigh: 0.02, band, higherIsBetter: true, n: 1000, ci: 0.95 }),
    ).toBe(Infinity);
  });
});
