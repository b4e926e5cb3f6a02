import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { binaryMetrics } from "../../src/evaluate/metrics.js";
import { chooseThreshold, maxRecallAtPrecision, nextUp } from "../../src/evaluate/threshold.js";
import { evaluatePredictions } from "../../src/loop/evaluate-run.js";
import { parseSpec } from "../../src/spec/load.js";
import { createRng } from "../../src/util/random.js";
import { floats, labels } from "./reference.js";

// Hand-checkable example: 8 examples, 4 positive, scores all distinct and descending.
//   score  0.9 0.8 0.7 0.6 0.4 0.3 0.2 0.1
//   y       1   1   0   1   0   0   1   0
// Predicting the top j positive (j = 1..8):
//   tp      1   2   2   3   3   3   4   4
//   fp      0   0   1   1   2   3   3   4
//   F1 = 2tp / (tp + fp + 4): .400 .667 .571 .750 .667 .600 .727 .667  → best j = 4 (F1 0.75),
//   threshold = midpoint of 0.6 and 0.4 = 0.5.
//   cost (fp·1 + fn·1), j = 0..8: 4 3 2 3 2 3 4 3 4 → j = 2 and j = 4 tie at 2 → highest threshold,
//   j = 2: midpoint of 0.8 and 0.7 = 0.75.
//   cost (fp·1 + fn·5), j = 0..8: 20 15 10 11 6 7 8 3 4 → j = 7, midpoint of 0.2 and 0.1 = 0.15.
const y = labels([1, 1, 0, 1, 0, 0, 1, 0]);
const s = floats([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1]);
const unit = { fp: 1, fn: 1 };

describe("chooseThreshold on a hand-worked example", () => {
  it("max_f1 picks the midpoint below the best cut", () => {
    expect(chooseThreshold({ policy: "max_f1" }, y, s, unit)).toEqual({
      threshold: 0.5,
      policy: "max_f1",
      objective: 0.75,
      objectiveName: "f1",
    });
  });

  it("min_cost breaks a tie towards the higher threshold", () => {
    expect(chooseThreshold({ policy: "min_cost" }, y, s, unit)).toEqual({
      threshold: 0.75,
      policy: "min_cost",
      objective: 2,
      objectiveName: "cost",
    });
  });

  it("min_cost follows the costs: expensive misses lower the threshold", () => {
    const c = chooseThreshold({ policy: "min_cost" }, y, s, { fp: 1, fn: 5 });
    expect(c.threshold).toBeCloseTo(0.15, 15);
    expect(c.objective).toBe(3);
    expect(binaryMetrics(y, s, c.threshold).tp + binaryMetrics(y, s, c.threshold).fp).toBe(7);
  });

  it("min_cost may predict nothing positive: then the threshold is just above the top score", () => {
    const c = chooseThreshold({ policy: "min_cost" }, labels([1, 0]), floats([0.4, 0.6]), { fp: 10, fn: 1 });
    expect(c.threshold).toBe(nextUp(0.6));
    expect(c.threshold).toBeGreaterThan(0.6);
    expect(c.objective).toBe(1);
  });

  it("fixed keeps the value and reports its dev cost", () => {
    // at 0.5: positives 0.9 0.8 0.7 0.6 → fp 1 (0.7), fn 1 (0.2) → cost 2
    expect(chooseThreshold({ policy: "fixed", value: 0.5 }, y, s, unit)).toEqual({
      threshold: 0.5,
      policy: "fixed",
      objective: 2,
      objectiveName: "cost",
    });
  });

  it("tied scores are one cut: all positive keeps the lowest score as threshold", () => {
    // cuts: {0.8,0.8} → tp 1 fp 1, F1 2/4; all → tp 2 fp 2, F1 4/6
    const c = chooseThreshold({ policy: "max_f1" }, labels([1, 0, 1, 0]), floats([0.8, 0.8, 0.3, 0.3]), unit);
    expect(c.threshold).toBe(0.3);
    expect(c.objective).toBe(4 / 6);
  });

  it("adjacent doubles have no midpoint: the threshold stays on the kept score", () => {
    const hi = nextUp(0.5);
    const c = chooseThreshold({ policy: "max_f1" }, labels([1, 0]), floats([hi, 0.5]), unit);
    expect(c.threshold).toBe(hi);
    expect(c.objective).toBe(1);
  });

  it("rejects negative costs", () => {
    expect(() => chooseThreshold({ policy: "min_cost" }, y, s, { fp: -1, fn: 1 })).toThrow(DataError);
    expect(() => chooseThreshold({ policy: "min_cost" }, y, s, { fp: -1, fn: 1 })).toThrow(
      "chooseThreshold: costs.fp is -1; costs must be finite and >= 0",
    );
  });
});

describe("chooseThreshold against brute force over every distinct score", () => {
  function randomCase(seed: number): { y: Uint8Array; s: Float64Array } {
    const rng = createRng(seed);
    const n = 5 + rng.int(60);
    const yy = new Uint8Array(n);
    const ss = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ss[i] = Math.round(rng.next() * 12) / 12; // coarse grid: many ties
      yy[i] = rng.next() < 0.2 + 0.6 * ss[i]! ? 1 : 0;
    }
    return { y: yy, s: ss };
  }
  /** Every threshold that gives a different decision set: each distinct score, and +Infinity (nothing). */
  function candidates(ss: Float64Array): number[] {
    return [Infinity, ...new Set(Array.from(ss))].sort((a, b) => b - a);
  }

  it("max_f1: the best F1 of all candidate thresholds, at the highest such threshold", () => {
    for (let seed = 0; seed < 200; seed++) {
      const { y: yy, s: ss } = randomCase(seed);
      const f1s = candidates(ss).map((t) => (t === Infinity ? 0 : binaryMetrics(yy, ss, t).f1));
      const best = Math.max(...f1s);
      const c = chooseThreshold({ policy: "max_f1" }, yy, ss, unit);
      expect(c.objective).toBeCloseTo(best, 14);
      const atChosen = binaryMetrics(yy, ss, c.threshold).f1;
      expect(atChosen).toBeCloseTo(best, 14);
      // no higher candidate reaches the best F1 (tie rule); decisions at the chosen midpoint equal those of the first best candidate
      const firstBest = candidates(ss)[f1s.findIndex((f) => Math.abs(f - best) < 1e-14)]!;
      if (firstBest !== Infinity) {
        const a = binaryMetrics(yy, ss, firstBest);
        const b = binaryMetrics(yy, ss, c.threshold);
        expect([b.tp, b.fp]).toEqual([a.tp, a.fp]);
      }
    }
  });

  it("min_cost: the lowest cost of all candidate thresholds, with random costs", () => {
    for (let seed = 0; seed < 200; seed++) {
      const { y: yy, s: ss } = randomCase(1000 + seed);
      const rng = createRng(seed);
      const costs = { fp: Math.round(rng.next() * 10), fn: Math.round(rng.next() * 10) };
      const cost = (t: number): number => {
        const m = t === Infinity ? null : binaryMetrics(yy, ss, t);
        const fp = m ? m.fp : 0;
        const fn = m ? m.fn : yy.reduce((a, b) => a + b, 0);
        return fp * costs.fp + fn * costs.fn;
      };
      const all = candidates(ss).map(cost);
      const best = Math.min(...all);
      const c = chooseThreshold({ policy: "min_cost" }, yy, ss, costs);
      expect(c.objective).toBe(best);
      expect(cost(c.threshold)).toBe(best);
      // tie rule: the decisions are those of the highest candidate with the best cost
      const firstBest = candidates(ss)[all.indexOf(best)]!;
      if (firstBest === Infinity) expect(c.threshold).toBeGreaterThan(Math.max(...ss));
      else {
        const a = binaryMetrics(yy, ss, firstBest);
        const b = binaryMetrics(yy, ss, c.threshold);
        expect([b.tp, b.fp]).toEqual([a.tp, a.fp]);
      }
    }
  });
});

describe("maxRecallAtPrecision", () => {
  it("on the hand-worked example", () => {
    // precision ≥ 0.75 holds at j = 1 (1.0), 2 (1.0), 4 (0.75); best recall at j = 4 → threshold 0.5
    expect(maxRecallAtPrecision(y, s, 0.75)).toEqual({ threshold: 0.5, recall: 0.75, precision: 0.75, feasible: true });
    // precision ≥ 0.8 only at j = 1, 2 → recall 0.5 at threshold 0.75
    expect(maxRecallAtPrecision(y, s, 0.8)).toEqual({ threshold: 0.75, recall: 0.5, precision: 1, feasible: true });
    // precision ≥ 0.5: recall 1 is first reached at j = 7 (4/7 ≥ 0.5); j = 8 (4/8) has the same recall
    // but a lower threshold → j = 7, midpoint of 0.2 and 0.1
    const r = maxRecallAtPrecision(y, s, 0.5);
    expect(r.threshold).toBeCloseTo(0.15, 15);
    expect([r.recall, r.precision, r.feasible]).toEqual([1, 4 / 7, true]);
  });

  it("reports infeasible when no threshold reaches the precision", () => {
    const r = maxRecallAtPrecision(labels([0, 1]), floats([0.9, 0.1]), 0.9);
    expect(r).toEqual({ threshold: nextUp(0.9), recall: 0, precision: 0, feasible: false });
  });

  it("rejects a precision outside [0, 1]", () => {
    expect(() => maxRecallAtPrecision(y, s, 1.5)).toThrow(
      "maxRecallAtPrecision: minPrecision is 1.5; it must lie in [0, 1]",
    );
  });
});

describe("the max_recall_at_precision threshold policy", () => {
  it("chooses the cut maxRecallAtPrecision finds, with the recall as objective", () => {
    const c = chooseThreshold({ policy: "max_recall_at_precision", min_precision: 0.75 }, y, s, { fp: 1, fn: 1 });
    expect(c).toEqual({
      threshold: 0.5,
      policy: "max_recall_at_precision",
      objective: 0.75,
      objectiveName: "recall",
      feasible: true,
    });
  });

  it("a run whose dev split cannot reach the floor predicts nothing positive and says so", () => {
    const spec = parseSpec({
      data: { source: "csv", path: "x.csv", columns: { label: "label", text: ["t"] } },
      features: { words: { fields: ["t"] } },
      model: { family: "naive_bayes" },
      evaluate: { threshold: { policy: "max_recall_at_precision", min_precision: 0.95 } },
    });
    const proba = (p: number[]) => Float64Array.from(p.flatMap((q) => [1 - q, q]));
    const ev = evaluatePredictions({
      spec,
      classes: ["0", "1"],
      positive: 1,
      splits: [
        { name: "train", y: Int32Array.of(0, 1, 1), proba: proba([0.2, 0.7, 0.8]) },
        { name: "dev", y: Int32Array.of(0, 1, 0), proba: proba([0.9, 0.6, 0.1]) },
      ],
    });
    expect(ev.threshold).toEqual({ value: nextUp(0.9), policy: "max_recall_at_precision", chosenOn: "dev" });
    expect(ev.warnings).toEqual([
      "no threshold reaches precision 0.95 on dev: nothing is predicted positive (lower evaluate.threshold.min_precision)",
    ]);
    expect(ev.splits.dev!.metrics.recall).toBe(0);
  });

  it("the spec requires the precision floor, as a fraction", () => {
    const base = {
      data: { source: "csv", path: "x.csv", columns: { label: "label", text: ["t"] } },
      features: { words: { fields: ["t"] } },
      model: { family: "naive_bayes" },
    };
    expect(() => parseSpec({ ...base, evaluate: { threshold: { policy: "max_recall_at_precision" } } })).toThrow(
      "evaluate.threshold.min_precision is required (expected number)",
    );
    expect(() =>
      parseSpec({ ...base, evaluate: { threshold: { policy: "max_recall_at_precision", min_precision: 99 } } }),
    ).toThrow(/evaluate\.threshold\.min_precision: 99 — /);
  });
});
