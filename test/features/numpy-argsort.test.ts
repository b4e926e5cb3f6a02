/**
 * numpyArgsort against numpy 1.24.2's np.argsort (default kind, quicksort/introsort) on arrays full
 * of ties, where an unstable sort's exact steps decide the output, and on a McIlroy adversarial
 * input that drives numpy into its heapsort fallback (test/fixtures/features/numpy_argsort.json,
 * written by test/reference/features_ref.py).
 */
import { describe, expect, it } from "vitest";
import { numpyArgsort } from "../../src/features/numpy-argsort.js";
import { fixture } from "./helpers.js";

const ref = fixture<{ numpy_call: string; cases: Array<{ values: number[]; argsort: number[]; note?: string }> }>(
  "numpy_argsort.json",
);

describe("numpyArgsort = np.argsort", () => {
  for (const [i, c] of ref.cases.entries()) {
    const distinct = new Set(c.values).size;
    it(`case ${i}: n=${c.values.length}, ${distinct} distinct values${c.note ? ` (${c.note})` : ""}`, () => {
      expect(Array.from(numpyArgsort(Float64Array.from(c.values)))).toEqual(c.argsort);
    });
  }

  it("the fixture has tie-heavy cases where a stable sort would differ", () => {
    const unstable = ref.cases.filter((c) => {
      const stable = c.values.map((_, i) => i).sort((a, b) => c.values[a]! - c.values[b]! || a - b);
      return stable.some((v, k) => v !== c.argsort[k]);
    });
    expect(unstable.length).toBeGreaterThan(5);
  });
});
