/**
 * End to end on runs recorded by the runner: a high-variance setup (300 training documents of a
 * few informative words drowned in 20 words from a 3,000-word noise vocabulary; a nearly
 * unregularised model) and a high-bias setup (the same data, a model regularised into a constant)
 * each get the right verdict and the right first recommendation; the diagnosis is cached.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseRun, latestDiagnosis } from "../../src/loop/diagnose-run.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { resolveApply } from "../../src/recommend/apply.js";
import { parseSpec } from "../../src/spec/load.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import type { RunId } from "../../src/track/store.js";
import { syntheticCorpus } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mlloop-verdicts-"));
let store: SqliteStore;

function spec(C: number, extra: Record<string, unknown> = {}) {
  return parseSpec({
    experiment: "verdicts",
    seed: 1,
    data: {
      source: "jsonl",
      path: "data.jsonl",
      columns: { id: "id", label: "label", text: ["text"], categorical: ["source"] },
      split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2, duplicates: "keep" },
    },
    features: { words: { fields: ["text"], min_df: 1 } },
    model: { family: "logistic_regression", C, max_iter: 500 },
    evaluate: { positive_class: "spam", baseline_error: 0 },
    ...extra,
  });
}

beforeAll(async () => {
  const examples = syntheticCorpus({
    n: 500,
    seed: 4,
    mix: 0.1,
    vocab: 30,
    length: [2, 4],
    noiseWords: 20,
    noiseVocab: 3000,
  });
  writeFileSync(
    join(dir, "data.jsonl"),
    examples
      .map((e, i) => JSON.stringify({ id: e.id, label: e.label, text: e.text["body"], source: `s${i % 3}` }))
      .join("\n"),
  );
  store = await openSqliteStore(join(dir, "mlloop.db"));
});
afterAll(async () => {
  await store.close();
});

describe("verdicts end to end", () => {
  it("high variance → high_variance, and the first change is more data (the learning curve still falls)", async () => {
    const run = await runExperiment({ spec: spec(1000), baseDir: dir, store });
    const { diagnosis: d, cached } = await diagnoseRun(store, run.runId, { workers: 2, baseDir: dir });
    expect(cached).toBe(false);
    const e = d.biasVariance.input;
    expect(e.train.error).toBeLessThan(0.02);
    expect(e.dev.error).toBeGreaterThan(0.05);
    expect(d.verdict.kinds[0]).toBe("high_variance");
    expect(d.readings.learningCurve!.kind).toBe("more_data_helps");
    const first = d.recommendations[0]!;
    expect(first.finding).toBe("more_data");
    expect(first.expected.devErrorDelta).toBeLessThan(0);
    expect(first.expected.high).toBeLessThan(0);
    // MLY ch. 27: nothing that adds capacity is offered for a variance problem
    expect(d.recommendations.some((r) => r.title.startsWith("weaker regularisation"))).toBe(false);
    expect(d.recommendations.some((r) => r.title.startsWith("fewer features"))).toBe(true);
    expect(d.learningCurve!.points).toHaveLength(8);
    expect(d.validationCurve!.key).toBe("C");
    expect(d.artifacts).toContain("diagnose/learning-curve.svg");

    const again = await diagnoseRun(store, run.runId, { workers: 2, baseDir: dir });
    expect(again.cached).toBe(true);
    expect(again.diagnosis.key).toBe(d.key);
    expect((await latestDiagnosis(store, run.runId as RunId))!.key).toBe(d.key);
  });

  it("high bias → high_avoidable_bias, and the first change weakens regularisation", async () => {
    const run = await runExperiment({ spec: spec(0.001), baseDir: dir, store });
    const { diagnosis: d } = await diagnoseRun(store, run.runId, { workers: 2, baseDir: dir });
    const e = d.biasVariance.input;
    expect(e.train.error).toBeGreaterThan(0.3);
    expect(d.verdict.kinds[0]).toBe("high_avoidable_bias");
    expect(d.readings.learningCurve!.kind).toBe("plateau_above_baseline");
    const first = d.recommendations[0]!;
    expect(first.finding).toBe("capacity");
    expect(first.title).toMatch(/^weaker regularisation: model\.C 0\.001 → /);
    const applied = await resolveApply(store, `${run.runId.slice(0, 10)}:1`, [], { baseDir: dir });
    expect(applied.spec.model).toMatchObject({
      family: "logistic_regression",
      C: (first.patch![0] as { value: number }).value,
    });
    expect(applied.parentRunId).toBe(run.runId);
    expect(applied.tags).toEqual({ recommendation: `${run.runId}:1`, recommendation_id: first.id });
  });

  it("manual tags and spec rules show up in the error analysis", async () => {
    const s = spec(1000, { diagnose: { rules: [{ tag: "source-1", field: "source", equals: "s1" }] } });
    const run = await runExperiment({ spec: s, baseDir: dir, store });
    const preds = await store.getPredictions(run.runId as RunId, "dev");
    const wrong = preds.find((p) => p.correct === false)!;
    await store.addExampleTags("verdicts", wrong.exampleId, ["hand-checked"]);
    const { diagnosis: d } = await diagnoseRun(store, run.runId, { noCv: true, workers: 0, baseDir: dir });
    const tags = d.errorAnalysis!.tags;
    expect(tags.find((t) => t.tag === "hand-checked")).toMatchObject({ source: "manual", errors: 1 });
    const rule = tags.find((t) => t.tag === "source-1")!;
    expect(rule.source).toBe("rule");
    // ids are ex0000…; example i came from source s{i % 3}
    const expected = preds.filter((p) => p.correct === false && Number(p.exampleId.slice(2)) % 3 === 1).length;
    expect(rule.errors).toBeGreaterThan(0);
    expect(rule.errors).toBe(expected);
    expect(rule.ceilingError).toBeCloseTo(d.errorAnalysis!.errorRate * (1 - rule.share), 12);
  });

  it("--train-dev 0.2 holds out a fifth of train as the train-dev set", async () => {
    const run = await runExperiment({ spec: spec(1000), baseDir: dir, store });
    const { diagnosis: d } = await diagnoseRun(store, run.runId, { workers: 0, baseDir: dir, trainDev: 0.2, sizes: 3 });
    const td = d.biasVariance.input.trainDev!;
    // 300 training examples; the slice is drawn per fold with a seeded offset: about 60
    expect(td.n).toBeGreaterThan(40);
    expect(td.n).toBeLessThan(80);
    expect(td.error).toBeGreaterThan(d.biasVariance.input.train.error);
    expect(d.biasVariance.gaps.map((g) => g.name)).toEqual([
      "avoidable_bias",
      "variance",
      "data_mismatch",
      "dev_overfitting",
    ]);
  });

  it("--errors train analyses training errors; an unfinished run is refused", async () => {
    const run = await runExperiment({ spec: spec(0.001), baseDir: dir, store });
    const { diagnosis: d } = await diagnoseRun(store, run.runId, { noCv: true, errorSplit: "train", baseDir: dir });
    const trainPreds = await store.getPredictions(run.runId as RunId, "train");
    expect(d.errorAnalysis!.split).toBe("train");
    expect(d.errorAnalysis!.n).toBe(trainPreds.length);
    expect(d.errorAnalysis!.errors).toBe(trainPreds.filter((p) => p.correct === false).length);
    const running = await store.createRun({ experiment: "verdicts" });
    await expect(diagnoseRun(store, running.id)).rejects.toThrow(
      `run ${running.id} is running: only finished runs can be diagnosed`,
    );
  });
});
