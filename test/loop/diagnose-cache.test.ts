/**
 * `diagnoseRun` rebuilds a run's examples through the stage cache runs use (cache/ beside the
 * store) and its parallel parser, instead of a parse of its own; a caller may inject another loader.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetLoader } from "../../src/diagnose/context.js";
import { loadDataset } from "../../src/data/load.js";
import { cacheDirFor, StageCache } from "../../src/loop/cache.js";
import { cachedDataset } from "../../src/loop/cache-inputs.js";
import { diagnoseRun } from "../../src/loop/diagnose-run.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { parseSpec } from "../../src/spec/load.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import { syntheticCorpus } from "../diagnose/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mlloop-diagnose-cache-"));
let store: SqliteStore;

const spec = parseSpec({
  experiment: "diagnose-cache",
  seed: 3,
  data: {
    source: "jsonl",
    path: "data.jsonl",
    columns: { id: "id", label: "label", text: ["text"] },
    split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2, duplicates: "keep" },
  },
  features: { words: { fields: ["text"], min_df: 1 } },
  model: { family: "logistic_regression", C: 1 },
  evaluate: { positive_class: "spam", baseline_error: 0 },
});

beforeAll(async () => {
  const examples = syntheticCorpus({
    n: 240,
    seed: 9,
    mix: 0.1,
    vocab: 30,
    length: [2, 4],
    noiseWords: 5,
    noiseVocab: 200,
  });
  writeFileSync(
    join(dir, "data.jsonl"),
    examples.map((e) => JSON.stringify({ id: e.id, label: e.label, text: e.text["body"] })).join("\n"),
  );
  store = await openSqliteStore(join(dir, "mlloop.db"));
});
afterAll(async () => {
  await store.close();
});

const datasetEntries = (): string[] => {
  const d = join(cacheDirFor(store.location), "dataset");
  return existsSync(d) ? readdirSync(d) : [];
};

describe("diagnose and the stage cache", () => {
  it("reads and writes the run's parsed dataset in the cache beside the store", async () => {
    const run = await runExperiment({ spec, baseDir: dir, store });
    expect(datasetEntries()).toHaveLength(1);
    rmSync(cacheDirFor(store.location), { recursive: true, force: true });
    const { diagnosis } = await diagnoseRun(store, run.runId, { noCv: true, workers: 0, baseDir: dir, cache: false });
    // The diagnosis parsed through the cache: the entry is back, under the key runs use.
    expect(datasetEntries()).toHaveLength(1);
    const again = await diagnoseRun(store, run.runId, { noCv: true, workers: 0, baseDir: dir, cache: false });
    expect(again.diagnosis.verdict).toEqual(diagnosis.verdict);
  });

  it("uses an injected loader instead", async () => {
    const run = await runExperiment({ spec, baseDir: dir, store });
    const seen: number[] = [];
    const loader: DatasetLoader = (s, o) => {
      seen.push(o.seed);
      return loadDataset(s.data, o);
    };
    await diagnoseRun(store, run.runId, { noCv: true, workers: 0, baseDir: dir, cache: false, loadDataset: loader });
    expect(seen).toHaveLength(1);
  });

  it("the cached dataset is the one the loader parses", async () => {
    const cache = new StageCache(join(dir, "other-cache"), 1 << 30);
    const opts = { spec, baseDir: dir, seeds: { data: 5, split: 0 }, cache, workers: 0 };
    const first = await cachedDataset(opts);
    const second = await cachedDataset(opts); // served from the entry the first call wrote
    const plain = await loadDataset(spec.data, { baseDir: dir, seed: 5 });
    expect(readdirSync(join(dir, "other-cache", "dataset"))).toHaveLength(1);
    for (const d of [first, second]) {
      expect(d.fingerprint).toBe(plain.fingerprint);
      expect(d.examples.map((e) => e.id)).toEqual(plain.examples.map((e) => e.id));
    }
  });
});
