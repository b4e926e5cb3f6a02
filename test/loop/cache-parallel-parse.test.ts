/**
 * Parsing the corpus on worker threads gives exactly the dataset the sequential loader gives, and
 * the workers' encoded shards make a parse-cache entry that reads back as that dataset.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/load.js";
import { StageCache } from "../../src/loop/cache.js";
import { datasetEntryWriter, DATASET_KIND, readDatasetEntry } from "../../src/loop/cache-dataset.js";
import { loadSpamAssassinParallel, MIN_PARALLEL_MESSAGES, parseWorkers } from "../../src/loop/parallel-load.js";
import { defaultPoolSize } from "../../src/util/pool.js";
import { dataSchema } from "../../src/spec/schema.js";

const dir = mkdtempSync(join(tmpdir(), "mlloop-parallel-parse-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parsing the corpus on worker threads", () => {
  it("gives the sequential loader's dataset, in the same order, and a parse-cache entry of it", async () => {
    const data = dataSchema.parse({ source: "spamassassin", limit: MIN_PARALLEL_MESSAGES + 50 });
    if (data.source !== "spamassassin") throw new Error("unreachable");
    const sequential = await loadDataset(data, { baseDir: ".", seed: 11 });
    const cache = new StageCache(join(dir, "cache"));
    const sink = datasetEntryWriter(cache, "d".repeat(64));
    const progress: number[] = [];
    const parallel = await loadSpamAssassinParallel(data, {
      seed: 11,
      workers: 2,
      sink,
      onProgress: (done) => progress.push(done),
    });
    expect(await sink.commit(parallel)).toBeGreaterThan(0);
    expect(parallel.fingerprint).toBe(sequential.fingerprint);
    expect(parallel.description).toBe(sequential.description);
    expect(parallel.examples).toEqual(sequential.examples);
    expect(progress.at(-1)).toBe(sequential.examples.length);

    const found = cache.read(DATASET_KIND, "d".repeat(64));
    if (found.status !== "hit") throw new Error(`expected a hit, got ${found.status}`);
    const back = readDatasetEntry(found.entry);
    expect(back.examples).toEqual(sequential.examples);
    expect(back.fingerprint).toBe(sequential.fingerprint);
    expect(back.fields).toEqual(sequential.fields);
  });
});

describe("how many parsing workers", () => {
  it("takes the option, else MLLOOP_WORKERS, else one per idle core when two or more are idle (none when keeping part of each message)", () => {
    const saved = process.env["MLLOOP_WORKERS"];
    try {
      delete process.env["MLLOOP_WORKERS"];
      expect(parseWorkers(3, 100)).toBe(3);
      expect(parseWorkers(undefined, 100)).toBe(0);
      const cores = defaultPoolSize();
      expect(parseWorkers(undefined, 0)).toBe(cores >= 2 ? cores : 0);
      expect(parseWorkers(undefined, cores - 1)).toBe(0);
      // a run keeping part of each message: on the calling thread unless workers are asked for
      expect(parseWorkers(undefined, 0, true)).toBe(0);
      expect(parseWorkers(2, 0, true)).toBe(2);
      process.env["MLLOOP_WORKERS"] = "1";
      expect(parseWorkers(undefined, 100)).toBe(1);
      expect(parseWorkers(undefined, 0, true)).toBe(1);
    } finally {
      if (saved === undefined) delete process.env["MLLOOP_WORKERS"];
      else process.env["MLLOOP_WORKERS"] = saved;
    }
  });
});
