import { describe, expect, it } from "vitest";
import type { Example } from "../../src/data/example.js";
import { genericTags, profileData } from "../../src/diagnose/data-profile.js";
import { analyseErrors } from "../../src/diagnose/error-analysis.js";
import { builtinTags } from "../../src/diagnose/tags.js";

function row(i: number, over: Partial<Example> = {}): Example {
  return {
    id: `r${i}`,
    label: i % 2 === 0 ? "a" : "b",
    group: null,
    text: {},
    numeric: { x: i },
    categorical: { plan: i < 18 ? "basic" : "pro" },
    contentHash: String(i),
    ...over,
  };
}

describe("generic tags for tabular and text rows", () => {
  // x = 0…19: numpy.percentile(range(20), [10, 90]) = [1.9, 17.1]
  const train = Array.from({ length: 20 }, (_, i) => row(i));
  const profile = profileData(train);

  it("learns the training split's percentiles and category counts", () => {
    expect(profile.kind).toBe("tabular");
    expect(profile.numeric.get("x")!.low).toBeCloseTo(1.9, 12);
    expect(profile.numeric.get("x")!.high).toBeCloseTo(17.1, 12);
    expect(profile.categorical.get("plan")).toEqual(
      new Map([
        ["basic", 18],
        ["pro", 2],
      ]),
    );
    expect(profile.textLength).toBeNull();
  });

  it("tags numeric ranges, missing values and rare categories — and nothing from the email rules", () => {
    expect(genericTags(row(1), profile)).toEqual(["x:low"]);
    expect(genericTags(row(10), profile)).toEqual([]);
    expect(genericTags(row(18), profile)).toEqual(["x:high", "plan:rare"]);
    expect(genericTags(row(5, { numeric: { x: null }, categorical: { plan: null } }), profile)).toEqual([
      "x:missing",
      "plan:missing",
    ]);
    expect(genericTags(row(5, { categorical: { plan: "never-seen" } }), profile)).toEqual(["plan:rare"]);
    // without a profile a row gets no built-in tag at all (formerly "short-body")
    expect(builtinTags(row(5))).toEqual([]);
  });

  it("bands text length for text data", () => {
    const texts = Array.from({ length: 20 }, (_, i) => row(i, { text: { t: "w".repeat(10 + i) }, numeric: {} }));
    const p = profileData(texts);
    expect(p.kind).toBe("text");
    expect(p.textLength!.low).toBeCloseTo(11.9, 12);
    expect(p.textLength!.high).toBeCloseTo(27.1, 12);
    expect(genericTags(row(0, { text: { t: "short" }, numeric: {} }), p)).toContain("short-text");
    expect(genericTags(row(0, { text: { t: "w".repeat(40) }, numeric: {} }), p)).toContain("long-text");
  });

  it("tags each multiclass error with its true → predicted classes and leaves FP/FN to binary runs", () => {
    const predictions = [
      { exampleId: "r1", split: "dev", label: "a", score: 0.2, scores: null, decision: "b", correct: false },
      { exampleId: "r2", split: "dev", label: "c", score: 0.3, scores: null, decision: "b", correct: false },
      { exampleId: "r3", split: "dev", label: "a", score: 0.1, scores: null, decision: "b", correct: false },
      { exampleId: "r4", split: "dev", label: "b", score: 0.9, scores: null, decision: "b", correct: true },
    ];
    const ea = analyseErrors({
      split: "dev",
      predictions,
      examples: new Map(train.map((e) => [e.id, e])),
      positiveClass: null,
      rules: [],
      manual: new Map(),
      sampleSize: 10,
      seed: 0,
      profile,
    });
    expect(ea.binary).toBe(false);
    expect([ea.fp, ea.fn]).toEqual([0, 0]);
    const byTag = Object.fromEntries(ea.tags.map((t) => [t.tag, t.errors]));
    expect(byTag["a → b"]).toBe(2);
    expect(byTag["c → b"]).toBe(1);
    expect(byTag["x:low"]).toBe(1); // r1
  });
});
