/**
 * Runs logged from the user's own training code (no spec) are first-class: classes declared or
 * inferred, the metrics the lineage commands rank by computed from the logged decisions, params
 * queryable and diffed, and attribution over params from runs that already exist.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAttributionRecord } from "../../src/compare/attribute.js";
import { attributeRuns } from "../../src/loop/attribute.js";
import { runEvaluation } from "../../src/compare/aligned.js";
import { compareRuns } from "../../src/compare/compare-runs.js";
import { formatChange } from "../../src/compare/change.js";
import { queryRuns } from "../../src/track/query.js";
import { startRun } from "../../src/track/run-logger.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import type { PredictionRow } from "../../src/track/store.js";

const LABELS = ["a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c"];

/** Dev predictions that get the first `right` examples right and the rest wrong (decision: next class). */
function predictions(right: number): PredictionRow[] {
  return LABELS.map((label, i) => {
    const decision = i < right ? label : LABELS[(i + 1) % 3]!;
    return {
      exampleId: `e${i}`,
      split: "dev",
      label,
      scores: { a: decision === "a" ? 0.8 : 0.1, b: decision === "b" ? 0.8 : 0.1, c: decision === "c" ? 0.8 : 0.1 },
    };
  });
}

describe("tracking API runs are first-class", () => {
  let root: string;
  let store: SqliteStore;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), "mlloop-tracking-"));
    store = await openSqliteStore(join(root, "mlloop.db"));
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function logged(params: Record<string, unknown>, right: number, classes?: string[]): Promise<string> {
    const run = await startRun(store, { experiment: "own", params, provenance: false, classes });
    await run.logMetrics({ loss: 1 / (right + 1) }, { split: "dev", step: 0 });
    await run.logMetrics({ loss: 0.5 / (right + 1) }, { split: "dev", step: 1 });
    await run.logPredictions(predictions(right));
    await run.end();
    return run.id;
  }

  it("infers the classes from the logged labels, decides by the highest score, and records macro F1 and accuracy", async () => {
    const id = await logged({ lr: 0.1 }, 9);
    const run = await store.getRun(id);
    expect(run.dataInfo?.classes).toEqual(["a", "b", "c"]);
    expect(run.extras["primaryMetric"]).toBe("macro_f1");
    expect(runEvaluation(run).primaryMetric).toBe("macro_f1");
    const metrics = Object.fromEntries(
      (await store.getMetrics(run.id, { split: "dev" })).filter((m) => m.name !== "loss").map((m) => [m.name, m.value]),
    );
    // 9 of 12 right; the three wrong ones (e9 a→b, e10 b→c, e11 c→a) cost each class one
    // false negative and one false positive: per-class F1 = 2·3/(2·3 + 1 + 1) = 0.75
    expect(metrics["accuracy"]).toBeCloseTo(0.75, 12);
    expect(metrics["macro_f1"]).toBeCloseTo(0.75, 12);
    expect(run.extras["metricsFromPredictions"]).toEqual([
      "dev.accuracy",
      "dev.error_rate",
      "dev.macro_f1",
      "dev.weighted_f1",
    ]);
  });

  it("keeps declared classes and a declared positive class, and never overwrites a metric the script logged", async () => {
    const run = await startRun(store, {
      experiment: "own",
      provenance: false,
      classes: ["ham", "spam"],
      positiveClass: "spam",
    });
    await run.logMetric("f1", 0.123, { split: "dev" });
    await run.logPredictions([
      { exampleId: "1", split: "dev", label: "spam", score: 0.9, decision: "spam" },
      { exampleId: "2", split: "dev", label: "ham", score: 0.7, decision: "spam" },
    ]);
    await run.end();
    const stored = await store.getRun(run.id);
    expect(stored.dataInfo?.classes).toEqual(["ham", "spam"]);
    expect(stored.extras["positiveClass"]).toBe("spam");
    const dev = await store.getMetrics(run.id, { split: "dev" });
    expect(dev.filter((m) => m.name === "f1").map((m) => m.value)).toEqual([0.123]);
    expect(dev.find((m) => m.name === "precision")?.value).toBe(0.5);
    await expect(
      startRun(store, { experiment: "own", provenance: false, classes: ["a", "b"], positiveClass: "c" }),
    ).rejects.toThrow('positiveClass "c" is not one of the declared classes (a, b)');
  });

  it("answers params.* queries and columns, and compares two runs with the params change as what changed", async () => {
    const a = await logged({ lr: 0.1, layers: 2 }, 6);
    const b = await logged({ lr: 0.5, layers: 2 }, 11);
    const hits = await queryRuns(store, "params.lr > 0.05 AND params.layers = 2", {
      fields: ["params.lr", "metrics.dev.loss", "metrics.dev.macro_f1"],
      sort: "params.lr:desc",
    });
    expect(hits.map((h) => h.id)).toEqual([b, a]);
    expect(hits[0]!.values).toMatchObject({ "params.lr": 0.5, "metrics.dev.loss": 0.5 / 12 });
    expect((await queryRuns(store, "params.lr > 0.2")).map((h) => h.id)).toEqual([b]);
    expect(await queryRuns(store, "spec.lr > 0.05")).toEqual([]);

    const c = await compareRuns(store, a, b);
    expect(formatChange(c.change)).toEqual(["  params.lr: 0.1 → 0.5"]);
    expect(c.primaryMetric).toBe("macro_f1");
    const acc = c.splits[0]!.metrics.find((m) => m.metric === "accuracy")!;
    expect(acc.delta).toBeCloseTo(5 / 12, 12);
  });

  it("attributes over params from existing runs, and lists the params still to run", async () => {
    const a = await logged({ lr: 0.1, epochs: 10 }, 3);
    const b = await logged({ lr: 0.5, epochs: 20 }, 12);
    await expect(attributeRuns(store, a, b)).rejects.toThrow(
      /2 of the 4 combinations of the changed params have no finished run in experiment "own"[\s\S]*\{"epochs":20,"lr":0\.1\}[\s\S]*\{"epochs":10,"lr":0\.5\}/,
    );
    await logged({ lr: 0.1, epochs: 20 }, 6);
    await logged({ lr: 0.5, epochs: 10 }, 6);
    const result = await attributeRuns(store, a, b, { metric: "accuracy", resamples: 200 });
    expect(isAttributionRecord(result)).toBe(true);
    if (!isAttributionRecord(result)) return;
    // the value of a coalition is its accuracy: ∅ 3/12, {epochs} 6/12, {lr} 6/12, both 12/12 —
    // symmetric players share the total 9/12 equally (exact Shapley by hand)
    const byPlayer = Object.fromEntries(result.attribution.players.map((p) => [p.player, p.value]));
    expect(byPlayer["params.epochs"]).toBeCloseTo(0.375, 12);
    expect(byPlayer["params.lr"]).toBeCloseTo(0.375, 12);
  });
});
