/**
 * Bias/variance verdicts on Machine Learning Yearning's worked examples (MLY draft 2018, ch. 21–22
 * and 41; quoted in shared/reference/diagnostics.md §1.1). MLY gives no set sizes: 10,000 examples
 * per set keep standard errors well under the gaps, as in the book's reasoning.
 */
import { describe, expect, it } from "vitest";
import { biasVariance, verdictText } from "../../src/diagnose/bias-variance.js";

const n = 10_000;
const at = (error: number) => ({ error, n });

describe("MLY worked examples", () => {
  it("train 1%, train-dev 5%, dev 5% → high variance", () => {
    const r = biasVariance({ baseline: 0, train: at(0.01), trainDev: at(0.05), dev: at(0.05) });
    expect(r.verdict).toEqual(["high_variance"]);
    expect(r.gaps.find((g) => g.name === "variance")!.value).toBeCloseTo(0.04, 12);
    expect(r.gaps.find((g) => g.name === "data_mismatch")!.material).toBe(false);
  });

  it("train 10%, train-dev 11%, dev 12% → high avoidable bias", () => {
    const r = biasVariance({ baseline: 0, train: at(0.1), trainDev: at(0.11), dev: at(0.12) });
    expect(r.verdict).toEqual(["high_avoidable_bias"]);
    expect(verdictText(r)).toBe("high avoidable bias");
  });

  it("train 10%, train-dev 11%, dev 20% → avoidable bias and data mismatch, no variance problem (ch. 41)", () => {
    const r = biasVariance({ baseline: 0, train: at(0.1), trainDev: at(0.11), dev: at(0.2) });
    expect(r.verdict).toEqual(["high_avoidable_bias", "data_mismatch"]);
    expect(r.problems).not.toContain("high_variance");
    expect(r.gaps.find((g) => g.name === "data_mismatch")!.value).toBeCloseTo(0.09, 12);
  });

  it("E* 14%, train 15%, dev 16% → avoidable bias 1%, variance 1%: little room for improvement (ch. 22)", () => {
    const r = biasVariance({ baseline: 0.14, train: at(0.15), dev: at(0.16) });
    expect(r.gaps.find((g) => g.name === "avoidable_bias")!.value).toBeCloseTo(0.01, 12);
    expect(r.gaps.find((g) => g.name === "variance")!.value).toBeCloseTo(0.01, 12);
    expect(r.verdict).toEqual(["little_room"]);
    expect(r.notes[0]).toBe("dev error 16.0% is within 2.0 pt of the baseline 14.0%: little room for improvement");
  });

  it("ch. 21 without train-dev: 1%/11% high variance, 15%/16% high bias, 15%/30% both", () => {
    expect(biasVariance({ baseline: 0, train: at(0.01), dev: at(0.11) }).verdict).toEqual(["high_variance"]);
    expect(biasVariance({ baseline: 0, train: at(0.15), dev: at(0.16) }).verdict).toEqual(["high_avoidable_bias"]);
    expect(biasVariance({ baseline: 0, train: at(0.15), dev: at(0.3) }).verdict).toEqual([
      "high_avoidable_bias",
      "high_variance",
    ]);
  });
});

describe("materiality", () => {
  it("a gap inside two standard errors is not material on a small set", () => {
    // 1 pt of variance on 200 dev examples: SE ≈ 1.3 pt
    const r = biasVariance({ baseline: 0, train: { error: 0.05, n: 800 }, dev: { error: 0.06, n: 200 } });
    const v = r.gaps.find((g) => g.name === "variance")!;
    expect(v.se).toBeCloseTo(Math.sqrt((0.05 * 0.95) / 800 + (0.06 * 0.94) / 200), 12);
    expect(v.material).toBe(false);
  });

  it("a gap under the floor is not material however large the sets", () => {
    const r = biasVariance({ baseline: 0, train: at(0.02), dev: at(0.024) }, { floor: 0.005 });
    expect(r.gaps.find((g) => g.name === "variance")!.material).toBe(false);
  });

  it("training error below the baseline counts as memorising, not negative bias", () => {
    const r = biasVariance({ baseline: 0.05, train: at(0.01), dev: at(0.12) });
    expect(r.gaps.find((g) => g.name === "avoidable_bias")!.value).toBe(0);
    expect(r.verdict).toEqual(["high_variance"]);
    expect(r.notes[0]).toMatch(/memorises the training set/);
  });

  it("test error well above dev error flags an overfit dev set", () => {
    const r = biasVariance({ baseline: 0, train: at(0.01), dev: at(0.05), test: at(0.08) });
    expect(r.devOverfit).toBe(true);
    expect(r.verdict).toEqual(["high_variance", "dev_overfitting"]);
  });
});
