/** Pruners, parameter importance and the space file: pure parts of sweeps, on hand-worked cases. */
import { describe, expect, it } from "vitest";
import { paramImportance } from "../../src/search/importance.js";
import { halvingShouldPrune, medianShouldPrune, rungOf, type Curve } from "../../src/search/pruners.js";
import { activePoint, parseSweepSpace } from "../../src/search/space-file.js";
import { randomValue } from "../../src/search/tpe.js";
import { suggestPoint } from "../../src/search/sampler.js";
import type { Space } from "../../src/search/space.js";
import { createRng } from "../../src/util/random.js";

const curve = (...vs: number[]): Curve => vs.map((v, i) => [i + 1, v] as const);

describe("median pruner (Optuna's MedianPruner defaults: 5 startup trials, no warm-up)", () => {
  const others = [curve(1, 0.8, 0.6), curve(1, 0.7, 0.5), curve(1, 0.9, 0.7), curve(1, 0.6, 0.4), curve(1, 0.5, 0.3)];
  it("prunes a trial whose best value so far is above the median at that step", () => {
    // median at step 2 of 0.8, 0.7, 0.9, 0.6, 0.5 is 0.7
    expect(medianShouldPrune(curve(1, 0.75), 2, { others })).toBe(true);
    expect(medianShouldPrune(curve(1, 0.7), 2, { others })).toBe(false);
    // its best so far counts: 0.65 at step 1 is below the step-2 median 0.7
    expect(medianShouldPrune(curve(0.65, 0.9), 2, { others })).toBe(false);
  });
  it("never prunes before five trials have completed", () => {
    expect(medianShouldPrune(curve(1, 5), 2, { others: others.slice(0, 4) })).toBe(false);
  });
  it("ignores trials that stopped before the step", () => {
    expect(medianShouldPrune(curve(1, 1, 1, 9), 4, { others })).toBe(false);
  });
});

describe("successive-halving pruner (min_resource 1, reduction factor 4)", () => {
  it("rungs are at steps 1, 4, 16, 64", () => {
    expect([0, 1, 3, 4, 15, 16, 63, 64].map(rungOf)).toEqual([-1, 0, 0, 1, 1, 2, 2, 3]);
  });
  it("keeps the top quarter of the values at a rung, decided at the rung's first step", () => {
    const others = [1, 2, 3, 4, 5, 6, 7].map((v) => curve(9, 9, 9, v));
    // at step 4 (rung 1): 8 values with ours; keep ⌊8/4⌋ = 2 → values 1 and 2 go on
    expect(halvingShouldPrune(curve(9, 9, 9, 1.5), 4, { others })).toBe(false);
    expect(halvingShouldPrune(curve(9, 9, 9, 2.5), 4, { others })).toBe(true);
    // not a rung's first step: no decision
    expect(halvingShouldPrune(curve(9, 9, 9, 2.5, 2.5), 5, { others })).toBe(false);
  });
});

describe("parameter importance (permutation on a random-forest surrogate)", () => {
  const space: Space = {
    C: { kind: "float", low: 1e-3, high: 1e3, log: true },
    a: { kind: "float", low: 0, high: 1 },
    b: { kind: "int", low: 1, high: 10 },
    c: { kind: "categorical", values: ["x", "y", "z"] },
  };
  const rng = createRng(11);
  const points = Array.from({ length: 80 }, () =>
    Object.fromEntries(Object.entries(space).map(([k, d]) => [k, randomValue(d, rng)])),
  );
  it("puts a parameter that alone drives the objective far first", () => {
    const values = points.map((p) => -((Math.log10(p.C as number) - 0.5) ** 2) + 0.01 * rng.normal());
    const imp = paramImportance(space, points, values, 3);
    expect(Object.values(imp).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    expect(imp.C).toBeGreaterThan(0.85);
    for (const k of ["a", "b", "c"]) expect(imp[k]).toBeLessThan(0.06);
  });
  it("finds a categorical that matters, and is seeded", () => {
    const values = points.map((p) => ({ x: 0, y: 1, z: 0.2 })[p.c as "x"] + 0.05 * (p.a as number));
    const imp = paramImportance(space, points, values, 3);
    expect(imp.c).toBeGreaterThan(0.8);
    expect(paramImportance(space, points, values, 3)).toEqual(imp);
  });
  it("says nothing under four trials", () => {
    expect(paramImportance(space, points.slice(0, 3), [1, 2, 3])).toEqual({});
  });
});

describe("the space file", () => {
  it("reads choices, log ranges, int and float ranges and conditions", () => {
    const s = parseSweepSpace(
      [
        "model.family: [logistic_regression, linear_svm]",
        "model.C: { log: [0.001, 1000] }",
        "features.words.min_df: { int: [1, 5] }",
        "model.l1_ratio: { float: [0, 1], when: { model.family: logistic_regression } }",
      ].join("\n"),
      "space.yaml",
    );
    expect(s.space["model.C"]).toEqual({ kind: "float", low: 0.001, high: 1000, log: true });
    expect(s.space["features.words.min_df"]).toEqual({ kind: "int", low: 1, high: 5, log: false });
    expect(s.conditions["model.l1_ratio"]).toEqual({ "model.family": ["logistic_regression"] });
    const p = { "model.family": "linear_svm", "model.C": 1, "features.words.min_df": 2, "model.l1_ratio": 0.3 };
    expect(activePoint(s, p)).toEqual({ "model.family": "linear_svm", "model.C": 1, "features.words.min_df": 2 });
  });
  it.each([
    ["model.C: {log: [0, 10]}", "space.yaml: model.C"],
    ["model.C: {log: [10, 1]}", "low 10 must be below high 1"],
    ["model.C: {lg: [1, 10]}", "unknown field lg"],
    ["model.C: []", "the list of choices is empty"],
    ["model.C: 3", "is not a dimension"],
    ["model.C: {int: [1.5, 3]}", "int bounds must be integers"],
    ["a: {float: [0, 1], when: {b: 1}}", "when names b, which is not a key of the space"],
    ["- a\n- b", "a space is a mapping of spec keys"],
    ["a: [1\n", "not valid YAML"],
  ])("refuses %j with a message that says what and where", (text, message) => {
    expect(() => parseSweepSpace(text, "space.yaml")).toThrow(message);
  });
});

describe("samplers", () => {
  it("different seeds give different points for every trial (no seed/trial aliasing)", () => {
    const space: Space = { C: { kind: "float", low: 1e-3, high: 1e3, log: true } };
    const points = (seed: number) =>
      Array.from({ length: 10 }, (_, t) => suggestPoint(space, { name: "random", seed }, t, []).C as number);
    const all = [0, 1, 2, 3].flatMap(points);
    expect(new Set(all).size).toBe(all.length);
    expect(points(1)).toEqual(points(1));
  });
});
