/**
 * Slice finding: a planted weak slice (one source whose examples are wrong 30% of the time against
 * 4% elsewhere) is found first and is significant; a slice with the average error is not reported.
 */
import { describe, expect, it } from "vitest";
import { bhQValues, findSlices } from "../../src/diagnose/slices.js";
import type { PredictionRecord } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";
import { textExample } from "./helpers.js";

describe("slices", () => {
  it("finds a planted weak slice", () => {
    const rng = createRng(7);
    const sources = ["forum", "newsletter", "bank", "shop"];
    const examples = Array.from({ length: 1200 }, (_, i) =>
      textExample(`e${i}`, i % 3 === 0 ? "spam" : "ham", "x ".repeat(10 + (i % 50)), {
        categorical: { source: sources[i % 4]!, lang: Math.floor(i / 4) % 2 === 0 ? "en" : "de" },
      }),
    );
    const predictions: PredictionRecord[] = examples.map((ex) => {
      const weak = ex.categorical["source"] === "newsletter";
      const wrong = rng.next() < (weak ? 0.3 : 0.04);
      const decision = wrong ? (ex.label === "spam" ? "ham" : "spam") : ex.label;
      return { exampleId: ex.id, split: "dev", label: ex.label, score: null, scores: null, decision, correct: !wrong };
    });
    const r = findSlices("dev", predictions, new Map(examples.map((e) => [e.id, e])), "spam", { minSize: 20 });
    expect(r.worst.length).toBeGreaterThan(0);
    expect(r.worst[0]!.name).toBe("source = newsletter");
    expect(r.worst[0]!.size).toBe(300);
    expect(r.worst[0]!.q).toBeLessThan(1e-6);
    expect(r.worst[0]!.errorRate).toBeGreaterThan(0.2);
    // no slice that does not involve the weak source is reported
    for (const s of r.worst) expect(s.name).toContain("source = newsletter");
    expect(r.dimensions["lang"]!.map((s) => s.name).sort()).toEqual(["lang = de", "lang = en"]);
    expect(r.dimensions["source"]![0]!.name).toBe("source = newsletter");
  });

  it("Benjamini–Hochberg q values, worked by hand", () => {
    // sorted p: 0.005, 0.01, 0.03, 0.04 → p·m/rank = 0.02, 0.02, 0.04, 0.04 (already monotone)
    // (statsmodels' multipletests(method="fdr_bh") gives the same; it is not installed here)
    const q = bhQValues([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 12));
  });
});
