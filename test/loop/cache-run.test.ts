/**
 * The stage cache inside a run, on 400 corpus messages: a model-only change is served from the
 * features cache and gives exactly what an uncached run gives; a features change re-featurises from
 * the parse cache; a damaged entry is detected, dropped and recomputed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StageCache } from "../../src/loop/cache.js";
import { cachedDataset, keptOfExamples, prepareInputs } from "../../src/loop/cache-inputs.js";
import { duplicateClusters } from "../../src/data/split.js";
import { runExperiment, type RunOutcome } from "../../src/loop/run-experiment.js";
import { loadSpecFile } from "../../src/spec/load.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import { collectGarbage } from "../../src/util/collect-garbage.js";

const SPEC = join(import.meta.dirname, "../../examples/spam/baseline.yaml");

describe("the stage cache in runs", () => {
  let dir: string;
  let store: SqliteStore;
  let cache: StageCache;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mlloop-cache-run-"));
    store = await openSqliteStore(join(dir, "mlloop.db"));
    cache = new StageCache(join(dir, "cache"));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (overrides: string[], useCache: boolean): Promise<RunOutcome> => {
    const loaded = loadSpecFile(SPEC, ["data.limit=400", ...overrides]);
    return runExperiment({ spec: loaded.spec, baseDir: loaded.baseDir, store, cache: useCache ? cache : false });
  };

  const predictions = async (o: RunOutcome): Promise<unknown[][]> =>
    (await store.getPredictions(o.runId)).map((p) => [p.exampleId, p.split, p.score, p.decision]);

  it("serves load, split and features from the cache when only model.C changed, with identical results", async () => {
    const first = await run(["model.C=1"], true);
    expect(first.cache.dataset).toBe("miss");
    expect(first.cache.features).toBe("miss");
    expect(first.cache.bytesWritten).toBeGreaterThan(0);

    const warm = await run(["model.C=10"], true);
    expect(warm.cache.features).toBe("hit");
    expect(warm.cache.dataset).toBe("skipped");
    expect(warm.cache.keys.dataset).toBe(first.cache.keys.dataset);
    expect(warm.cache.keys.features).toBe(first.cache.keys.features);

    const uncached = await run(["model.C=10"], false);
    expect(uncached.cache.features).toBe("off");
    expect(warm.metrics).toEqual(uncached.metrics);
    expect(warm.features).toEqual({ ...uncached.features, families: warm.features.families });
    expect(warm.counts).toEqual(uncached.counts);
    expect(await predictions(warm)).toEqual(await predictions(uncached));

    // the run records which stages the cache served, and the same data fingerprints
    const record = await store.getRun(warm.runId);
    const extras = JSON.parse(JSON.stringify(record.extras)) as { cache: { features: string; dataset: string } };
    expect(extras.cache.features).toBe("hit");
    expect(extras.cache.dataset).toBe("skipped");
    const plain = await store.getRun(uncached.runId);
    expect(record.dataInfo).not.toBeNull();
    expect(record.dataInfo).toEqual(plain.dataInfo);
    expect(record.timings).toHaveProperty("load");
    expect(record.timings).toHaveProperty("features");

    // the train profile (drift reference) depends on the features, not the model: the warm run
    // reads the one the first run computed, and it is the profile an uncached run computes
    expect(first.cache.trainProfile).toBe("miss");
    expect(warm.cache.trainProfile).toBe("hit");
    expect(uncached.cache.trainProfile).toBeUndefined();
    const profile = async (o: RunOutcome) => (await store.getArtifact(o.runId, "train-profile.json")).record.sha256;
    expect(await profile(warm)).toBe(await profile(uncached));
    expect(await profile(first)).toBe(await profile(uncached));
  });

  it("serves example ids of any script from a features hit: the same ids as the uncached run", async () => {
    // wine with its ids rewritten: ASCII, accented (two-byte in the entry), CJK and an emoji
    const wine = readFileSync(join(import.meta.dirname, "../../examples/wine/wine.csv"), "utf8").split("\n");
    const header = wine[0]!.split(",");
    const idColumn = header.indexOf("id");
    const names = ["wine", "vin-rosé", "葡萄酒", "🍷"];
    const rows = wine.slice(1).filter((line) => line.length > 0);
    const csv = [
      wine[0],
      ...rows.map((line, i) => {
        const cells = line.split(",");
        cells[idColumn] = `${names[i % names.length]}-${i}`;
        return cells.join(",");
      }),
    ].join("\n");
    writeFileSync(join(dir, "wine-ids.csv"), `${csv}\n`);
    const wineRun = async (C: number, useCache: boolean): Promise<RunOutcome> => {
      const loaded = loadSpecFile(
        join(import.meta.dirname, "../../examples/wine/baseline.yaml"),
        [`data.path=${join(dir, "wine-ids.csv")}`, `model.C=${C}`],
        { allowOutsidePaths: true },
      );
      return runExperiment({ spec: loaded.spec, baseDir: loaded.baseDir, store, cache: useCache ? cache : false });
    };
    await wineRun(1, true);
    const warm = await wineRun(0.5, true);
    expect(warm.cache.features).toBe("hit");
    const ids = await predictions(warm);
    expect(ids).toEqual(await predictions(await wineRun(0.5, false)));
    expect(ids.map(([id]) => id)).toContain("vin-rosé-1");
    expect(ids.filter(([id]) => Buffer.byteLength(String(id)) > String(id).length).length).toBeGreaterThan(100);
  });

  it("re-featurises from the parse cache when a features parameter changed", async () => {
    const changed = await run(["model.C=10", "features.words.min_df=3"], true);
    expect(changed.cache.features).toBe("miss");
    expect(changed.cache.dataset).toBe("hit");
    const uncached = await run(["model.C=10", "features.words.min_df=3"], false);
    expect(changed.metrics).toEqual(uncached.metrics);
    expect(changed.features.total).toBe(uncached.features.total);
    expect(await predictions(changed)).toEqual(await predictions(uncached));
  });

  it("misses the features cache when the split changes, and still reuses the parsed data", async () => {
    const other = await run(["model.C=10", "seed=7"], true);
    expect(other.cache.features).toBe("miss");
    expect(other.cache.dataset).toBe("miss"); // data.limit subsamples with the seed: another dataset
    const sameData = await run(["model.C=10", "data.split.train=0.5", "data.split.dev=0.3"], true);
    expect(sameData.cache.features).toBe("miss");
    expect(sameData.cache.dataset).toBe("hit");
  });

  it("detects a damaged features entry, recomputes it, and gives the uncached result", async () => {
    const key = (await run(["model.C=2"], true)).cache.keys.features!;
    const path = join(cache.dir, "features", `${key}.bin`);
    const bytes = readFileSync(path);
    const at = Math.floor(bytes.length / 3);
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(path, bytes);

    const after = await run(["model.C=2"], true);
    expect(after.cache.features).toBe("corrupt");
    expect(after.cache.notes.join("\n")).toMatch(/checksum mismatch; recomputed/);
    expect(after.warnings.join("\n")).toMatch(/checksum mismatch; recomputed/);
    const uncached = await run(["model.C=2"], false);
    expect(after.metrics).toEqual(uncached.metrics);
    expect(await predictions(after)).toEqual(await predictions(uncached));
    // rewritten whole: the next run hits again
    expect((await run(["model.C=3"], true)).cache.features).toBe("hit");
  });

  it("gives the full examples on demand after a features hit, from the parse cache", async () => {
    const loaded = loadSpecFile(SPEC, ["data.limit=400", "model.C=10"]);
    const stages: string[] = [];
    // onFeaturesMiss (the run compiles the model's kernels then) is called on a miss only
    let misses = 0;
    await prepareInputs({
      spec: loaded.spec,
      baseDir: loaded.baseDir,
      seeds: { data: 1, split: 2 },
      cache,
      stage: async (name, fn) => {
        stages.push(name);
        return fn();
      },
      onFeaturesMiss: () => misses++,
    });
    expect(stages).toEqual(["load", "split", "features"]);
    expect(misses).toBe(1);
    const again = await prepareInputs({
      spec: loaded.spec,
      baseDir: loaded.baseDir,
      seeds: { data: 1, split: 2 },
      cache,
      stage: async (_name, fn) => fn(),
      onFeaturesMiss: () => misses++,
    });
    expect(again.cache.features).toBe("hit");
    expect(misses).toBe(1);
    const examples = await again.examples();
    expect(examples.map((e) => e.id)).toEqual(again.ids);
    expect(examples.every((e, i) => again.dataset.classes[again.y[i]!] === e.label)).toBe(true);
    expect(examples[0]!.email).toBeDefined();
    expect((await again.features.fitted()).featureNames.length).toBe(again.features.nFeatures);
  });

  it("releases the parsed corpus after featurisation when the run does not keep it, and loads it again on demand", async () => {
    const loaded = loadSpecFile(SPEC, ["data.limit=400"]);
    const prepare = async (retainExamples: boolean) => {
      let parsed: WeakRef<object> | null = null;
      const inputs = await prepareInputs({
        spec: loaded.spec,
        baseDir: loaded.baseDir,
        seeds: { data: 1, split: 2 },
        cache: null,
        retainExamples,
        stage: async (name, fn) => {
          const r = await fn();
          if (name === "load") parsed = new WeakRef(r as object);
          return r;
        },
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(collectGarbage()).toBe(true);
      return { inputs, alive: parsed!.deref() !== undefined };
    };
    const kept = await prepare(true);
    const released = await prepare(false);
    expect(kept.alive).toBe(true);
    expect(released.alive).toBe(false);
    // the same matrices either way, and the same examples when asked for them
    expect(released.inputs.X).toEqual(kept.inputs.X);
    expect(released.inputs.split).toEqual(kept.inputs.split);
    expect(released.inputs.ids).toEqual(kept.inputs.ids);
    const again = await released.inputs.examples();
    expect(again.map((e) => [e.id, e.label, e.contentHash, e.text])).toEqual(
      (await kept.inputs.examples()).map((e) => [e.id, e.label, e.contentHash, e.text]),
    );
  });

  it("keeps only the fields the features read of each message, with the duplicates of the whole messages", async () => {
    const loaded = loadSpecFile(SPEC, ["data.limit=400"]);
    const whole = await cachedDataset({
      spec: loaded.spec,
      baseDir: loaded.baseDir,
      seeds: { data: 1, split: 2 },
      cache: null,
    });
    const keep = keptOfExamples(loaded.spec.features)!;
    const kept = whole.examples.map(keep);
    expect(Object.keys(kept[0]!.text)).toEqual(["subject", "body"]);
    expect(kept[0]!.email).toBeUndefined();
    // the body is judged for duplicates even when the features do not read it
    const subjectOnly = whole.examples.map(
      keptOfExamples({ words: { ...loaded.spec.features.words!, fields: ["subject"] } })!,
    );
    const clusters = duplicateClusters(whole.examples);
    expect(clusters.length).toBeGreaterThan(0);
    expect(duplicateClusters(kept)).toEqual(clusters);
    expect(duplicateClusters(subjectOnly)).toEqual(clusters);
    // a family that reads the parsed message keeps the examples whole
    expect(keptOfExamples({ ...loaded.spec.features, urls: {} as never })).toBeNull();
  });

  it("screening's train-only inputs: the same training matrix, no dev/test transform, nothing written, the dataset decoded once", async () => {
    const loaded = loadSpecFile(SPEC, ["data.limit=400", "features.words.ngram_range=[1,2]"]);
    const base = {
      spec: loaded.spec,
      baseDir: loaded.baseDir,
      seeds: { data: 1, split: 2 },
      stage: async <T>(_n: string, fn: () => T | Promise<T>) => fn(),
    };
    const fresh = new StageCache(join(dir, "cache-train-only"));
    const memo = new Map();
    const trainOnly = await prepareInputs({ ...base, cache: fresh, trainOnly: true, datasetMemo: memo });
    expect(trainOnly.X.dev.rows).toBe(0);
    expect(trainOnly.X.test.rows).toBe(0);
    expect(fresh.list().entries.filter((e) => e.kind === "features")).toEqual([]);
    expect(memo.size).toBe(1);
    const full = await prepareInputs({ ...base, cache: null });
    expect(Array.from(trainOnly.X.train.indptr)).toEqual(Array.from(full.X.train.indptr));
    expect(Array.from(trainOnly.X.train.indices)).toEqual(Array.from(full.X.train.indices));
    expect(Array.from(trainOnly.X.train.data)).toEqual(Array.from(full.X.train.data));
    // a second variant reuses the decoded dataset: the memo still holds one entry
    await prepareInputs({
      ...base,
      spec: loadSpecFile(SPEC, ["data.limit=400"]).spec,
      cache: fresh,
      trainOnly: true,
      datasetMemo: memo,
    });
    expect(memo.size).toBe(1);
  });
});
