import { describe, expect, it } from "vitest";
import { bandNote, decidedByBand, verdictOf } from "../../src/compare/verdict.js";

describe("an inconclusive verdict the equivalence band decided", () => {
  it("is flagged when the interval lies entirely below (or above) zero but reaches into the band", () => {
    const below = { delta: -0.02, ciLow: -0.035, ciHigh: -0.003, band: 0.005, higherIsBetter: true };
    const v = verdictOf(below);
    expect(v.verdict).toBe("inconclusive");
    expect(decidedByBand({ verdict: v.verdict, ...below })).toBe(true);
    const above = { delta: 0.02, ciLow: 0.001, ciHigh: 0.04, band: 0.005, higherIsBetter: true };
    expect(decidedByBand({ verdict: verdictOf(above).verdict, ...above })).toBe(true);
  });
  it("is not flagged when the interval covers zero, or when the verdict is decided", () => {
    const covers = { delta: 0.01, ciLow: -0.01, ciHigh: 0.03, band: 0.005, higherIsBetter: true };
    expect(decidedByBand({ verdict: verdictOf(covers).verdict, ...covers })).toBe(false);
    const improved = { delta: 0.05, ciLow: 0.02, ciHigh: 0.08, band: 0.005, higherIsBetter: true };
    expect(decidedByBand({ verdict: verdictOf(improved).verdict, ...improved })).toBe(false);
  });
  it("names the band", () => {
    expect(bandNote(0.005)).toBe("CI excludes 0; the ±0.005 equivalence band decided");
  });
});
