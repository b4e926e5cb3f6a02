/**
 * The acceptance rule on planted sequences: a budget of 8 full runs where no change has any effect
 * (every child's dev scores are a fresh draw from the incumbent's distribution) must end with a
 * false acceptance in at most 5% of sequences; a real improvement must still be accepted.
 */
import { describe, expect, it } from "vitest";
import { atLevel, decideBinary, fallbackRule, levelAt } from "../../src/loop/loop-acceptance.js";
import { createRng } from "../../src/util/random.js";

function scores(y: Uint8Array, separation: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from(y, (v) => 1 / (1 + Math.exp(-(rng.normal() + (v === 1 ? separation : -separation)))));
}

describe("the fallback procedure over the budget on the paired bootstrap", () => {
  it("accepts no planted no-effect change in more than 5% of 8-run sequences (150 seeds)", () => {
    const budget = 8;
    const rule = { ...fallbackRule(budget), resamples: 1000 };
    const n = 300;
    let sequencesWithAcceptance = 0;
    let comparisons = 0;
    const seeds = 150;
    for (let s = 0; s < seeds; s++) {
      const rng = createRng(10_000 + s);
      const y = Uint8Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
      let incumbent = scores(y, 1, s * 100);
      let accepted = false;
      let previous: { accepted: boolean; level: number } | null = null;
      for (let look = 2; look <= budget; look++) {
        const child = scores(y, 1, s * 100 + look);
        const level = levelAt(rule, look - 1, previous);
        const d = decideBinary(
          atLevel(rule, level),
          "f1",
          { yTrue: y, scoreA: incumbent, scoreB: child, thresholdA: 0.5, thresholdB: 0.5 },
          s * 31 + look,
        );
        comparisons++;
        previous = { accepted: d.accepted, level };
        if (d.accepted) {
          accepted = true;
          incumbent = child;
        }
      }
      if (accepted) sequencesWithAcceptance++;
    }
    expect(comparisons).toBe(seeds * (budget - 1));
    expect(sequencesWithAcceptance / seeds).toBeLessThanOrEqual(0.05);
  });

  it("accepts a real improvement and reports the per-look level", () => {
    const rule = { ...fallbackRule(8), resamples: 1000 };
    const rng = createRng(3);
    const y = Uint8Array.from({ length: 600 }, () => (rng.next() < 0.4 ? 1 : 0));
    const d = decideBinary(
      rule,
      "f1",
      { yTrue: y, scoreA: scores(y, 0.5, 1), scoreB: scores(y, 2, 2), thresholdA: 0.5, thresholdB: 0.5 },
      9,
    );
    expect(d.accepted).toBe(true);
    // α·2^−1 / (1 − 2^−7): the first of seven front-loaded levels that sum to α
    expect(d.perTest).toBeCloseTo(0.025 / (1 - 2 ** -7), 12);
    expect(d.ciLow).toBeGreaterThan(0);
    expect(d.p).toBeLessThanOrEqual(d.perTest);
  });

  it("front-loads the levels, sums them to α and carries an accepted comparison's level to the next", () => {
    const rule = fallbackRule(8);
    expect(rule.levels).toHaveLength(7);
    expect(rule.levels.reduce((a, b) => a + b, 0)).toBeCloseTo(0.05, 12);
    for (let j = 1; j < 7; j++) expect(rule.levels[j]).toBeCloseTo(rule.levels[j - 1]! / 2, 12);
    expect(levelAt(rule, 1, null)).toBe(rule.levels[0]);
    expect(levelAt(rule, 2, { accepted: false, level: rule.levels[0]! })).toBe(rule.levels[1]);
    expect(levelAt(rule, 2, { accepted: true, level: rule.levels[0]! })).toBeCloseTo(
      rule.levels[0]! + rule.levels[1]!,
      15,
    );
    expect(levelAt(rule, 8, null)).toBe(0);
  });
});
