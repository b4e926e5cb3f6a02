/** Power-law extrapolation: recovers a known law from exact points; the fold bootstrap brackets the truth. */
import { describe, expect, it } from "vitest";
import { evalPowerLaw, extrapolate, fitPowerLaw } from "../../src/diagnose/power-law.js";

const sizes = [300, 700, 1100, 1500, 1900, 2300, 2700, 3100];

describe("power law", () => {
  it("fits err = 0.02 + 1.5 m^-0.5 exactly", () => {
    const law = { a: 0.02, b: 1.5, c: 0.5, rmse: 0 };
    const fit = fitPowerLaw(
      sizes,
      sizes.map((m) => evalPowerLaw(law, m)),
    );
    expect(fit.c).toBeCloseTo(0.5, 10);
    expect(fit.a).toBeCloseTo(0.02, 8);
    expect(fit.b).toBeCloseTo(1.5, 6);
    expect(fit.rmse).toBeLessThan(1e-9);
  });

  it("a flat curve predicts no change", () => {
    const fit = fitPowerLaw(
      sizes,
      sizes.map(() => 0.1),
    );
    expect(evalPowerLaw(fit, 10_000)).toBeCloseTo(0.1, 10);
  });

  it("fold-bootstrap interval contains the true change at 2× the data", () => {
    const law = { a: 0.01, b: 2, c: 0.6, rmse: 0 };
    // five folds with deterministic wobble around the law (±0.03 pt)
    const perFold = [0, 1, 2, 3, 4].map((f) =>
      sizes.map((m, s) => evalPowerLaw(law, m) + 0.0003 * Math.sin(f * 7 + s * 3)),
    );
    const ex = extrapolate(sizes, perFold, 7000, 3500, { seed: 1, resamples: 300 });
    const truth = evalPowerLaw(law, 7000) - evalPowerLaw(law, 3500);
    expect(ex.change.low).toBeLessThanOrEqual(truth);
    expect(ex.change.high).toBeGreaterThanOrEqual(truth);
    expect(ex.change.high).toBeLessThan(0);
    expect(ex.change.estimate).toBeCloseTo(truth, 2);
  });
});
