/**
 * The store under real processes: a `mlloop run` killed with SIGKILL mid-run leaves a readable
 * store in which the run shows as crashed; four `mlloop run` processes writing to one store at
 * once all finish and are all recorded, with no "database is locked".
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import { collect, json, ROOT, runCli, startCli, tempDir } from "./cli-helpers.js";

const spec = join(ROOT, "examples", "spam", "baseline.yaml");

describe("processes and the store", () => {
  it("a SIGKILLed run shows as crashed and the store stays readable", async () => {
    const dir = tempDir("mlloop-kill-");
    const storePath = join(dir, "mlloop.db");
    // bigger features and a tight tolerance make training last long enough to be caught running
    const child = startCli([
      "run",
      spec,
      "--store",
      storePath,
      "--set",
      "features.words.ngram_range=[1,2]",
      "--set",
      "model.C=1000",
      "--set",
      "model.tol=1e-12",
      "--set",
      "model.max_iter=1000",
    ]);
    const done = collect(child);
    const store = await openSqliteStore(storePath);
    try {
      let runningId: string | null = null;
      const deadline = Date.now() + 90_000;
      while (runningId === null && Date.now() < deadline) {
        const runs = await store.listRuns();
        runningId = runs.find((r) => r.status === "running")?.id ?? null;
        if (runningId === null) await new Promise((r) => setTimeout(r, 15));
      }
      expect(runningId).not.toBeNull();
      child.kill("SIGKILL");
      const result = await done;
      expect(result.signal).toBe("SIGKILL");

      const run = await store.getRun(runningId!);
      expect(run.status).toBe("crashed");
      expect(run.error).toMatch(/process .* (is gone|no longer exists|died|not running)|heartbeat/i);
      expect(await store.integrityCheck()).toBe("ok");
    } finally {
      await store.close();
    }
    // and the CLI reads it too
    const listed = json<Array<{ status: string }>>(await runCli(["runs", "--store", storePath, "--json"]));
    expect(listed.map((r) => r.status)).toEqual(["crashed"]);
  });

  it("four mlloop run processes on one store all finish and are all recorded", async () => {
    const dir = tempDir("mlloop-four-");
    const storePath = join(dir, "mlloop.db");
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        runCli(["run", spec, "--store", storePath, "--set", "data.limit=700", "--set", `seed=${i}`, "--json"]),
      ),
    );
    for (const r of results) {
      expect(r.stderr).not.toMatch(/locked|SQLITE_BUSY/i);
      expect(r.code).toBe(0);
    }
    const ids = results.map((r) => json<{ runId: string }>(r).runId).sort();
    const listed = json<Array<{ id: string; status: string }>>(await runCli(["runs", "--store", storePath, "--json"]));
    expect(listed.map((r) => r.id).sort()).toEqual(ids);
    expect(listed.every((r) => r.status === "finished")).toBe(true);
    const store = await openSqliteStore(storePath);
    try {
      for (const id of ids) {
        const predictions = await store.getPredictions(id as never);
        expect(predictions).toHaveLength(700);
      }
      expect(await store.integrityCheck()).toBe("ok");
    } finally {
      await store.close();
    }
  });
});
