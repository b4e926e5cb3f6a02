/**
 * Each recommendation rule on hand-built findings: it fires exactly when its finding says so and
 * its expected effect is the arithmetic the rule documents (worked by hand below).
 */
import { describe, expect, it } from "vitest";
import { biasVariance, type BiasVarianceInput } from "../../src/diagnose/bias-variance.js";
import type { CurvePoint, ValidationCurve } from "../../src/diagnose/curves.js";
import type { Findings } from "../../src/diagnose/registry.js";
import { recommend, RULES } from "../../src/recommend/recommend.js";
import { biasRule } from "../../src/recommend/rules/bias.js";
import { capacityRule } from "../../src/recommend/rules/capacity.js";
import { dataMismatchRule } from "../../src/recommend/rules/data-mismatch.js";
import { dynamicsRule } from "../../src/recommend/rules/dynamics.js";
import { errorTagRule } from "../../src/recommend/rules/error-tags.js";
import { labelErrorsRule } from "../../src/recommend/rules/label-errors.js";
import { leakageRule } from "../../src/recommend/rules/leakage.js";
import { moreDataRule } from "../../src/recommend/rules/more-data.js";
import { thresholdRule } from "../../src/recommend/rules/threshold.js";
import { varianceRule } from "../../src/recommend/rules/variance.js";
import { parseSpec } from "../../src/spec/load.js";

const spec = (model: Record<string, unknown> = { family: "logistic_regression", C: 1 }, extra = {}) =>
  parseSpec({
    experiment: "rules",
    seed: 0,
    data: { source: "jsonl", path: "x.jsonl", columns: { id: "id", label: "label", text: ["text"] } },
    features: { words: { fields: ["text"], min_df: 2 } },
    model,
    evaluate: { positive_class: "spam", costs: { fp: 10, fn: 1 } },
    ...extra,
  });

/** Findings with only bias/variance set (errors at n = 10,000 so every gap over 0.5 pt is material). */
function findings(errors: Partial<BiasVarianceInput>, rest: Partial<Findings> = {}): Findings {
  const n = 10_000;
  const bv = biasVariance({
    baseline: 0.01,
    train: { error: 0.02, n },
    dev: { error: 0.03, n: 2_000 },
    ...errors,
  } as BiasVarianceInput);
  return {
    biasVariance: bv,
    learningCurve: null,
    validationCurve: null,
    readings: { learningCurve: null, validationCurve: null },
    errorAnalysis: null,
    slices: null,
    dataChecks: null,
    labelIssues: [],
    dynamics: null,
    threshold: null,
    classBalance: null,
    ...rest,
  } as Findings;
}

const stat = (mean: number, std = 0.001): CurvePoint["valError"] => ({ mean, std, values: [mean, mean, mean, mean] });

describe("recommendation rules", () => {
  it("lists every rule once", () => {
    expect(new Set(RULES).size).toBe(10);
  });

  it("capacity: the validation curve's best C when its gain exceeds the standard error", () => {
    const vc = {
      key: "C",
      current: 1,
      best: 10,
      scale: "log",
      points: [
        { x: 1, trainError: stat(0.01), valError: stat(0.05, 0.002) },
        { x: 10, trainError: stat(0.005), valError: stat(0.04, 0.002) },
      ],
    } as unknown as ValidationCurve;
    const [c] = capacityRule({ spec: spec(), findings: findings({}, { validationCurve: vc }) });
    // gain 0.05 − 0.04 = 0.01; se = √(0.002² + 0.002²)/√4 = 0.0014142
    expect(c!.patch).toEqual([{ op: "set", path: ["model", "C"], value: 10, from: 1 }]);
    expect(c!.gain).toBeCloseTo(0.01, 12);
    expect(c!.expected.low).toBeCloseTo(-0.01 - 2 * 0.0014142136, 9);
    const flat = { ...vc, points: [vc.points[0], { ...vc.points[1], valError: stat(0.0499, 0.002) }] };
    expect(
      capacityRule({ spec: spec(), findings: findings({}, { validationCurve: flat as ValidationCurve }) }),
    ).toEqual([]);
  });

  it("more data: only when the extrapolated change's interval is below zero", () => {
    const lc = (high: number) =>
      ({
        poolSize: 1000,
        extrapolation: {
          law: { a: 0.01, b: 1, c: 0.5 },
          atSize: 2000,
          predicted: 0.03,
          atReference: 0.04,
          referenceSize: 1000,
          change: { estimate: -0.01, low: -0.015, high },
          resamples: 200,
        },
      }) as unknown as Findings["learningCurve"];
    const [r] = moreDataRule({ spec: spec(), findings: findings({}, { learningCurve: lc(-0.002) }) });
    expect(r!.gain).toBeCloseTo(0.01, 12);
    expect(r!.patch).toBeNull(); // no limit in the spec: an action
    const limited = spec(undefined, {
      data: { source: "jsonl", path: "x.jsonl", limit: 500, columns: { id: "id", label: "label", text: ["text"] } },
    });
    expect(moreDataRule({ spec: limited, findings: findings({}, { learningCurve: lc(-0.002) }) })[0]!.patch).toEqual([
      { op: "set", path: ["data", "limit"], value: 1000, from: 500 },
    ]);
    expect(moreDataRule({ spec: spec(), findings: findings({}, { learningCurve: lc(0.001) }) })).toEqual([]);
  });

  it("variance: fewer features (min_df 2 → 5) and, without a validation curve, C / 10", () => {
    const f = findings({ train: { error: 0.011, n: 10_000 }, dev: { error: 0.05, n: 10_000 } });
    expect(f.biasVariance.problems).toEqual(["high_variance"]);
    const out = varianceRule({ spec: spec(), findings: f });
    expect(out.map((c) => c.title)).toEqual([
      "fewer features: features.words.min_df 2 → 5",
      "stronger regularisation: model.C 1 → 0.1",
    ]);
    // variance gap 0.05 − 0.011 = 0.039: 15% and 25% of it
    expect(out[0]!.gain).toBeCloseTo(0.15 * 0.039, 12);
    expect(out[1]!.gain).toBeCloseTo(0.25 * 0.039, 12);
    const noVariance = findings({ dev: { error: 0.0205, n: 2_000 } });
    expect(noVariance.biasVariance.problems).not.toContain("high_variance");
    expect(varianceRule({ spec: spec(), findings: noVariance })).toEqual([]);
  });

  it("bias: word pairs and C × 10 when the avoidable bias is the problem", () => {
    const f = findings({ train: { error: 0.05, n: 10_000 }, dev: { error: 0.052, n: 10_000 } });
    expect(f.biasVariance.problems).toEqual(["high_avoidable_bias"]);
    const out = biasRule({ spec: spec(), findings: f });
    expect(out.map((c) => c.patch![0]!.path.join("."))).toEqual(["features.words.ngram_range", "model.C"]);
    expect(out[1]!.gain).toBeCloseTo(0.25 * 0.04, 12);
  });

  it("data mismatch: half the gap as an action", () => {
    const f = findings({
      trainDev: { error: 0.012, n: 10_000 },
      train: { error: 0.011, n: 10_000 },
      dev: { error: 0.06, n: 10_000 },
    });
    const [c] = dataMismatchRule({ spec: spec(), findings: f });
    expect(c!.patch).toBeNull();
    expect(c!.gain).toBeCloseTo(0.5 * 0.048, 12);
  });

  it("error tags: an unused feature family for the tags it addresses, 30% of the best ceiling", () => {
    const ea = {
      split: "dev",
      errors: 10,
      tags: [
        { tag: "ip-url", errors: 4, share: 0.4, ceilingError: 0.018, maxGain: 0.012 },
        { tag: "mismatched-link", errors: 2, share: 0.2, ceilingError: 0.024, maxGain: 0.006 },
        { tag: "no-family", errors: 5, share: 0.5, ceilingError: 0.015, maxGain: 0.015 },
      ],
    } as unknown as Findings["errorAnalysis"];
    const out = errorTagRule({ spec: spec(), findings: findings({}, { errorAnalysis: ea }) });
    expect(out).toHaveLength(1);
    expect(out[0]!.patch).toEqual([{ op: "set", path: ["features", "urls"], value: {} }]);
    expect(out[0]!.gain).toBeCloseTo(0.3 * 0.012, 12);
    expect(out[0]!.evidence).toHaveLength(2);
  });

  it("dynamics: max_iter × 10 when not converged", () => {
    const dynamics = {
      findings: [{ kind: "not_converged", message: "stopped at max_iter" }],
    } as unknown as Findings["dynamics"];
    const out = dynamicsRule({
      spec: spec({ family: "logistic_regression", C: 1, max_iter: 50 }),
      findings: findings({}, { dynamics }),
    });
    expect(out.map((c) => c.patch)).toEqual([[{ op: "set", path: ["model", "max_iter"], value: 500, from: 50 }]]);
  });

  it("label errors: a tenth of the flagged dev share; leakage: an action with no gain", () => {
    const labelIssues = [
      { split: "dev", estimatedErrors: 2, issues: [{ id: "a", given: "ham", suggested: "spam", selfConfidence: 0.1 }] },
      {
        split: "train",
        estimatedErrors: 1,
        issues: [{ id: "b", given: "spam", suggested: "ham", selfConfidence: 0.2 }],
      },
    ] as Findings["labelIssues"];
    const [l] = labelErrorsRule({ spec: spec(), findings: findings({}, { labelIssues }) });
    expect(l!.title).toBe("review 1 dev and 1 training labels that look wrong");
    expect(l!.gain).toBeCloseTo((1 / 2000) * 0.1, 15);
    const dataChecks = { nearDuplicates: { leakedBySplit: { dev: 3, test: 2 } } } as unknown as Findings["dataChecks"];
    const [k] = leakageRule({ spec: spec(), findings: findings({}, { dataChecks }) });
    expect(k!.title).toBe("3 dev and 2 test messages have a near-copy in train");
    expect(leakageRule({ spec: spec(), findings: findings({}) })).toEqual([]);
  });

  it("threshold: min_cost when it saves at least 10% of the cost", () => {
    const point = (policy: string, cost: number, fp: number, fn: number) => ({
      policy,
      threshold: 0.5,
      fp,
      fn,
      cost,
      per10k: { negativesLost: fp, positivesMissed: fn, cost },
    });
    const threshold = {
      n: 1000,
      costs: { fp: 10, fn: 1 },
      points: [point("run (fixed)", 200, 15, 50), point("min_cost", 150, 5, 100)],
    } as unknown as Findings["threshold"];
    const [t] = thresholdRule({ spec: spec(), findings: findings({}, { threshold }) });
    // (200 − 150) / 1000 messages / max cost 10
    expect(t!.gain).toBeCloseTo(0.005, 12);
    expect(t!.expected.devErrorDelta).toBeCloseTo((105 - 65) / 1000, 12);
  });

  it("recommend ranks measured gains over heuristics of the same size and numbers them", () => {
    const f = findings({ train: { error: 0.011, n: 10_000 }, dev: { error: 0.05, n: 10_000 } });
    const recs = recommend({
      spec: spec(),
      findings: f,
      proposals: [
        {
          finding: "custom",
          title: "a measured change",
          rationale: "r",
          evidence: [],
          patch: null,
          action: "do it",
          expected: { devErrorDelta: -0.006, low: null, high: null, basis: "measured" },
          gain: 0.006,
        },
      ],
    });
    // heuristics count half: C/10 ranks 0.25·0.039/2 = 0.0049, min_df 0.15·0.039/2 = 0.0029, the proposal 0.006
    expect(recs.map((r) => [r.n, r.title])).toEqual([
      [1, "a measured change"],
      [2, "stronger regularisation: model.C 1 → 0.1"],
      [3, "fewer features: features.words.min_df 2 → 5"],
    ]);
    expect(recs[1]!.patchText.length).toBeGreaterThan(0);
  });
});
