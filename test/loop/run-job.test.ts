/**
 * Recorded runs as jobs (src/loop/run-job.ts, what `attribute --workers/--queue` sends): a job
 * whose earlier attempt died is run again under the same id and recorded once; a job whose run
 * finished is answered from the store; a worker whose data differ from the sender's refuses the
 * job with a clear error. And `mlloop attribute --workers 2` gives exactly the attribution of
 * training the coalitions one by one in the CLI's own thread.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runJob, type RunJobTask } from "../../src/loop/run-job.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { trialRunId } from "../../src/loop/sweep.js";
import { loadSpecFile } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { Store } from "../../src/track/store.js";
import { ROOT, json, runCli, tempDir } from "../cli/cli-helpers.js";

const SPEC = join(ROOT, "examples", "digits", "baseline.yaml");
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

function task(runId: string, sets: string[], dataFingerprint: string | null = null): RunJobTask {
  const loaded = loadSpecFile(SPEC, sets);
  return {
    kind: "run",
    runId: runId as RunJobTask["runId"],
    spec: loaded.spec,
    baseDir: loaded.baseDir,
    parent: null,
    name: "job",
    notes: "a run sent as a job",
    tags: { job: "yes" },
    dataFingerprint,
  };
}

describe("runJob", () => {
  it("reruns a dead attempt under the same id, answers a finished one from the store", async () => {
    const store = await openStore(join(tempDir("mlloop-runjob-"), "store"));
    stores.push(store);
    const id = trialRunId(Date.now(), "job test", 0);
    // a worker that died mid-run leaves its run marked running
    await store.createRun({ id, experiment: "digits", name: "dead attempt" });
    expect((await store.getRun(id)).status).not.toBe("finished");
    const first = await runJob(task(id, ["model.C=0.01"]), store);
    expect(first).toMatchObject({ runId: id, error: null, reused: false });
    const run = await store.getRun(id);
    expect(run.status).toBe("finished");
    expect(run.name).toBe("job");
    expect(run.tags["job"]).toBe("yes");
    const again = await runJob(task(id, ["model.C=0.01"]), store);
    expect(again).toMatchObject({ runId: id, error: null, reused: true });
    expect((await store.listRuns({ experiment: "digits" })).filter((r) => r.id === id)).toHaveLength(1);
  }, 60_000);

  it("refuses data that differ from the sender's", async () => {
    const store = await openStore(join(tempDir("mlloop-runjob-"), "store"));
    stores.push(store);
    const id = trialRunId(Date.now(), "job data", 1);
    const r = await runJob(task(id, [], "0".repeat(64)), store);
    expect(r.error).toMatch(
      /this worker's data differ from the sender's: fingerprint [0-9a-f]{12} here, 000000000000 expected/,
    );
    expect((await store.getRun(id).catch(() => null))?.status ?? "absent").not.toBe("finished");
  }, 60_000);
});

describe("mlloop attribute --workers 2", () => {
  it("trains the coalitions on worker threads and gives the one-by-one attribution", async () => {
    const results: unknown[] = [];
    for (const extra of [[], ["--workers", "2"]]) {
      const dir = tempDir("mlloop-attr-workers-");
      const storePath = join(dir, "store");
      const store = await openStore(storePath);
      stores.push(store);
      const a = loadSpecFile(SPEC, ["model.C=0.001"]);
      const b = loadSpecFile(SPEC, ["model.C=1", "features.numeric.standardize=false", "model.max_iter=200"]);
      const ra = (await runExperiment({ spec: a.spec, baseDir: a.baseDir, store })).runId;
      const rb = (await runExperiment({ spec: b.spec, baseDir: b.baseDir, store, parent: ra })).runId;
      const r = await runCli(["--store", storePath, "attribute", ra, rb, "--base-dir", a.baseDir, "--json", ...extra], {
        cwd: dir,
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const rec = json<{
        plan: { toTrain: number };
        coalitionRuns: Array<{ runId: string; mask: number }>;
        attribution: { players: Array<{ player: string; value: number; ciLow: number; ciHigh: number }> };
      }>(r);
      expect(rec.plan.toTrain).toBe(6);
      for (const c of rec.coalitionRuns) expect((await store.getRun(c.runId)).status).toBe("finished");
      // sent as jobs: each trained coalition's id is derived from (A, B, coalition), so a retry reclaims it
      const derived = rec.coalitionRuns.filter(
        (c) => c.runId.slice(12) === trialRunId(0, `attribution ${ra}..${rb}`, c.mask).slice(12),
      );
      expect(derived).toHaveLength(extra.length === 0 ? 0 : 6);
      results.push(rec.attribution.players);
    }
    expect(results[1]).toEqual(results[0]);
  }, 180_000);
});
