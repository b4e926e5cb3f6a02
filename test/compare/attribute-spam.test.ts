/**
 * End to end on the SpamAssassin corpus (1,500 messages): a run that changes an informative key
 * (model.C 0.1 → 10) and a do-nothing key at once (model.max_iter 100 → 1000: the solver converges
 * in a handful of iterations either way) is attributed correctly — the do-nothing change gets 0
 * with an interval that covers 0, the informative one the whole delta, and the two sum to it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAttributionRecord, planAttribution } from "../../src/compare/attribute.js";
import { attributeRuns } from "../../src/loop/attribute.js";
import { compareRuns } from "../../src/compare/compare-runs.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { loadSpecFile } from "../../src/spec/load.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";

const SPEC = join(import.meta.dirname, "../../examples/spam/baseline.yaml");

describe("attribution on the spam data", () => {
  let dir: string;
  let store: SqliteStore;
  let a: string;
  let b: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mlloop-attr-spam-"));
    store = await openSqliteStore(join(dir, "mlloop.db"));
    const base = loadSpecFile(SPEC, ["data.limit=1500", "model.C=0.1", "evaluate.primary_metric=accuracy"]);
    a = (await runExperiment({ spec: base.spec, baseDir: base.baseDir, store })).runId;
    const changed = loadSpecFile(SPEC, [
      "data.limit=1500",
      "model.C=10",
      "model.max_iter=1000",
      "evaluate.primary_metric=accuracy",
    ]);
    b = (await runExperiment({ spec: changed.spec, baseDir: changed.baseDir, store, parent: a })).runId;
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("plans 4 coalitions and reuses both endpoints", async () => {
    const { plan } = await planAttribution(store, a, b);
    expect(plan.players.map((p) => p.name)).toEqual(["model.C", "model.max_iter"]);
    expect(plan.players[0]!.change).toBe("model.C: 0.1 → 10");
    expect(plan.coalitions.map((c) => c.reused)).toEqual(["A", null, null, "B"]);
    expect(plan.toTrain).toBe(2);
    expect(plan.metric).toBe("accuracy");
  });

  it("gives the do-nothing change 0 (CI covers 0) and the informative change the delta", async () => {
    const record = await attributeRuns(store, a, b, { resamples: 1000 });
    if (!isAttributionRecord(record)) throw new Error("expected a record");
    const [c, maxIter] = record.attribution.players;
    expect(maxIter!.player).toBe("model.max_iter");
    expect(maxIter!.value).toBe(0);
    expect(maxIter!.ciLow).toBeLessThanOrEqual(0);
    expect(maxIter!.ciHigh).toBeGreaterThanOrEqual(0);
    expect(maxIter!.coversZero).toBe(true);
    const cmp = await compareRuns(store, a, b, { metrics: ["accuracy"], git: false, resamples: 1000 });
    const delta = cmp.splits[0]!.metrics[0]!.delta;
    expect(delta).toBeGreaterThan(0.01); // less regularisation helps this small training set
    expect(c!.value).toBeCloseTo(delta, 12);
    expect(c!.coversZero).toBe(false);
    expect(c!.value + maxIter!.value).toBeCloseTo(record.attribution.total.value, 14);
    expect(record.attribution.total.value).toBeCloseTo(delta, 12);
    expect(Math.abs(record.attribution.efficiencyGap)).toBeLessThan(1e-12);
    expect(record.attribution.interactions[0]!.value).toBeCloseTo(0, 14);
    expect(record.attribution.path.map((s) => s.playerName)).toEqual(["model.C", "model.max_iter"]);
    // stored with the pair and shown by compare
    expect(cmp.attributions!.map((x) => x.players.map((p) => p.player))).toEqual([["model.C", "model.max_iter"]]);
    // a second attribution trains nothing: every coalition's spec is now in the store
    const { plan } = await planAttribution(store, a, b);
    expect(plan.toTrain).toBe(0);
    expect(plan.coalitions.map((c2) => c2.reused)).toEqual(["A", "store", "store", "B"]);
  });
});

/**
 * The issue's own scenario: a run that adds an informative feature family (features.headers:
 * sender domains, content types, mailer — on top of subject words) and a do-nothing change
 * (model.max_iter 100 → 1000) at once. The family gets the delta, the do-nothing change 0.
 */
describe("attribution of an added feature family and a do-nothing change", () => {
  let dir: string;
  let store: SqliteStore;
  let a: string;
  let b: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mlloop-attr-family-"));
    store = await openSqliteStore(join(dir, "mlloop.db"));
    const common = ["data.limit=1500", "features.words.fields=[subject]"];
    const base = loadSpecFile(SPEC, common);
    a = (await runExperiment({ spec: base.spec, baseDir: base.baseDir, store })).runId;
    const changed = loadSpecFile(SPEC, [...common, "features.headers={}", "model.max_iter=1000"]);
    b = (await runExperiment({ spec: changed.spec, baseDir: changed.baseDir, store, parent: a })).runId;
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("credits the family and gives the do-nothing change 0 with a CI that covers 0", async () => {
    const record = await attributeRuns(store, a, b, { resamples: 1000 });
    if (!isAttributionRecord(record)) throw new Error("expected a record");
    const byName = new Map(record.attribution.players.map((p) => [p.player, p]));
    expect([...byName.keys()].sort()).toEqual(["features.headers", "model.max_iter"]);
    const headers = byName.get("features.headers")!;
    const maxIter = byName.get("model.max_iter")!;
    expect(maxIter.value).toBeCloseTo(0, 12);
    expect(maxIter.coversZero).toBe(true);
    expect(headers.value).toBeGreaterThan(0.02); // dev F1: the family is informative
    expect(headers.coversZero).toBe(false);
    expect(headers.value + maxIter.value).toBeCloseTo(record.attribution.total.value, 12);
  });
});
