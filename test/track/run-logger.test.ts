import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors.js";
import { startRun, withRun } from "../../src/track/run-logger.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";

describe("run logger", () => {
  let root: string;
  let store: SqliteStore;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), "mlloop-logger-"));
    store = await openSqliteStore(join(root, "store", "mlloop.db"));
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("records spec, parent, seeds, provenance, metrics, predictions, artifacts and ends finished", async () => {
    const code = join(root, "code");
    execFileSync("git", ["init", "-q", "-b", "main", code]);
    writeFileSync(join(code, "train.ts"), "x\n");
    execFileSync("git", ["-C", code, "add", "."]);
    execFileSync("git", ["-C", code, "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q", "-m", "c"]);
    writeFileSync(join(code, "train.ts"), "y\n");

    const parent = await startRun(store, { experiment: "spam", provenance: false });
    await parent.end();
    const run = await startRun(store, {
      experiment: "spam",
      spec: { seed: 3, model: { family: "logreg", C: 1 }, data: { source: "csv" } },
      specPatch: [{ op: "set", path: ["model", "C"], value: 1 }],
      parent: parent.id.slice(0, 16),
      name: "C=1",
      notes: "stronger regularisation",
      tags: { owner: "ann" },
      seeds: { spec: 3, split: 99 },
      provenance: { cwd: code },
      heartbeat: 50,
    });
    await run.logMetric("f1", 0.95, { split: "dev" });
    await run.logMetrics({ precision: 0.96, recall: 0.94 }, { split: "dev" });
    await run.logMetrics([{ name: "loss", value: 0.3, split: "train", step: 7 }]);
    await run.logPredictions([
      { exampleId: "a", split: "dev", label: "spam", score: 0.8, decision: "spam", correct: true },
    ]);
    const json = await run.logArtifact("report.json", { f1: 0.95 });
    const text = await run.logArtifact("log.txt", "done");
    const bin = await run.logArtifact("weights", new Uint8Array([1, 2]));
    await run.setDataInfo({ fingerprint: "abc", counts: { dev: 1 } });
    await run.setTimings({ load: 5 });
    await run.setTimings({ train: 9 });
    await run.setParams({ note: "extra" });
    await run.setExtras({ training: { converged: true } });
    await run.setTag("stage", "dev");
    await new Promise((r) => setTimeout(r, 200));
    await run.end();

    const stored = await store.getRun(run.id);
    expect(stored.status).toBe("finished");
    expect(stored.parentId).toBe(parent.id);
    expect(stored.specJson).toBe('{"data":{"source":"csv"},"model":{"C":1,"family":"logreg"},"seed":3}');
    expect(stored.specHash).toBe(createHash("sha256").update(stored.specJson!).digest("hex"));
    expect(stored.specPatch).toEqual([{ op: "set", path: ["model", "C"], value: 1 }]);
    expect([stored.name, stored.notes]).toEqual(["C=1", "stronger regularisation"]);
    expect(stored.tags).toEqual({ owner: "ann", stage: "dev" });
    expect(stored.seeds).toEqual({ spec: 3, split: 99 });
    expect(stored.dataInfo).toEqual({ fingerprint: "abc", counts: { dev: 1 } });
    expect(stored.timings).toEqual({ load: 5, train: 9 });
    expect(stored.params).toEqual({ note: "extra" });
    expect(stored.extras).toEqual({ training: { converged: true } });
    expect(stored.provenance!.git!.dirty).toBe(true);
    expect(stored.provenance!.git!.patch).toContain("-x\n+y\n");
    expect(stored.provenance!.env.node).toBe(process.version);
    // The heartbeat ran during the run (50 ms interval over ≥ 200 ms) and stopped with it.
    expect(stored.heartbeatAt! - stored.startedAt!).toBeGreaterThan(100);
    expect((await store.getMetrics(run.id)).map((m) => `${m.split}/${m.name}@${m.step}=${m.value}`)).toEqual([
      "dev/f1@0=0.95",
      "train/loss@7=0.3",
      "dev/precision@0=0.96",
      "dev/recall@0=0.94",
    ]);
    expect((await store.getPredictions(run.id)).length).toBe(1);
    expect([json.mediaType, text.mediaType, bin.mediaType]).toEqual([
      "application/json",
      "text/plain; charset=utf-8",
      "application/octet-stream",
    ]);
    expect(new TextDecoder().decode((await store.getArtifact(run.id, "report.json")).bytes)).toBe('{\n  "f1": 0.95\n}');

    await expect(run.logMetric("f1", 1)).rejects.toThrow(
      new StoreError(`cannot log metrics: run ${run.id} has already ended`),
    );
    await expect(run.end()).rejects.toThrow(new StoreError(`cannot end the run: run ${run.id} has already ended`));
  });

  it("withRun ends the run failed with the error's message and rethrows it", async () => {
    let id = "";
    await expect(
      withRun(store, { experiment: "e", provenance: false }, async (run) => {
        id = run.id;
        await run.logMetric("loss", 1);
        throw new Error("CUDA out of memory");
      }),
    ).rejects.toThrow("CUDA out of memory");
    const run = await store.getRun(id);
    expect(run.status).toBe("failed");
    expect(run.error).toBe("CUDA out of memory");
    expect(String(run.extras["errorStack"])).toContain("run-logger.test.ts");
    const ok = await withRun(store, { experiment: "e", provenance: false }, (r) => r.id);
    expect((await store.getRun(ok)).status).toBe("finished");
  });

  it("refuses an unknown parent before creating anything", async () => {
    await expect(startRun(store, { experiment: "e", parent: "deadbeef", provenance: false })).rejects.toThrow(
      new StoreError(`no run id starts with "deadbeef" in store ${store.location}`),
    );
    expect(await store.listRuns()).toEqual([]);
  });

  it("leaves no uncaughtException listener behind once the run ended", async () => {
    const before = process.listenerCount("uncaughtException");
    const run = await startRun(store, { experiment: "e", provenance: false });
    const other = await startRun(store, { experiment: "e", provenance: false });
    // One process-wide listener, however many runs are active.
    expect(process.listenerCount("uncaughtException")).toBe(before + 1);
    await run.fail("plain string failure");
    expect(process.listenerCount("uncaughtException")).toBe(before + 1);
    await other.end();
    expect(process.listenerCount("uncaughtException")).toBe(before);
    expect((await store.getRun(run.id)).error).toBe("plain string failure");
  });
});
