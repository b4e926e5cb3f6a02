/**
 * Many processes on one PostgreSQL store: 16 writer processes lose nothing and hold few
 * connections (none once they exit), a process killed mid-run leaves a run that reads as crashed,
 * and connections killed by the server mid-run are replayed — every write lands whole, once.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../../src/track/postgres-store.js";
import { runIdTime, type RunId } from "../../src/track/run-id.js";
import type { PredictionRow } from "../../src/track/store.js";
import { createTestDatabase, pgTestUrl, type TestDatabase } from "./pg-test-db.js";

const CHILD = fileURLToPath(new URL("./fixtures/pg-child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));

function startChild(args: readonly string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let resolveWaiting!: () => void;
  let resolveJson!: (v: Record<string, unknown>) => void;
  const waiting = new Promise<void>((r) => (resolveWaiting = r));
  const firstJson = new Promise<Record<string, unknown>>((r) => (resolveJson = r));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const line of stdout.split("\n")) {
      if (line === "waiting") resolveWaiting();
      if (line.startsWith("{") && line.endsWith("}")) resolveJson(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { process: child, waiting, firstJson, exit };
}

async function connectionsTo(admin: pg.Client, database: string): Promise<number> {
  const r = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    [database],
  );
  return r.rows[0]!.n;
}

describe("many processes on one PostgreSQL store", () => {
  let db: TestDatabase;
  let artifacts: string;
  let admin: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase("mlloop_concurrency");
    artifacts = mkdtempSync(join(tmpdir(), "mlloop-pgconc-"));
    admin = new pg.Client({ connectionString: pgTestUrl() });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
    rmSync(artifacts, { recursive: true, force: true });
  });

  it("16 writer processes at once lose nothing, order their ids by time, and leave no connection open", async () => {
    const barrier = join(artifacts, "go");
    const children = Array.from({ length: 16 }, (_, w) =>
      startChild(["write", db.url, artifacts, barrier, "2", "1000", String(w)]),
    );
    await Promise.all(children.map((c) => c.waiting));
    writeFileSync(barrier, "");
    let peak = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        peak = Math.max(peak, await connectionsTo(admin, db.name));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const exits = await Promise.all(children.map((c) => c.exit));
    done = true;
    await sampler;
    for (const e of exits) expect(e.code, e.stderr).toBe(0);
    // each process: a pool of at most 4 plus one heartbeat connection
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(16 * 5);
    // every writer has exited; a backend may take a moment to see its socket close (loaded machine)
    for (let i = 0; i < 100 && (await connectionsTo(admin, db.name)) > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await connectionsTo(admin, db.name)).toBe(0);

    const store = await openPostgresStore(db.url, { artifactsDir: artifacts });
    try {
      const ids = exits.flatMap(
        (e) => (JSON.parse(e.stdout.split("\n").find((l) => l.startsWith("{"))!) as { ids: string[] }).ids,
      );
      expect(new Set(ids).size).toBe(32);
      const runs = await store.listRuns();
      expect(runs.length).toBe(32);
      expect(runs.every((r) => r.status === "finished")).toBe(true);
      // newest first by id, and ids carry their creation time
      for (let i = 1; i < runs.length; i++) expect(runs[i - 1]!.id > runs[i]!.id).toBe(true);
      for (const r of runs) expect(runIdTime(r.id)).toBe(r.createdAt);
      for (const id of ids) {
        expect((await store.getPredictions(id as RunId)).length).toBe(1000);
        expect((await store.getMetrics(id as RunId, { name: "loss" })).length).toBe(20);
        expect((await store.getArtifact(id as RunId, "summary.json")).record.size).toBeGreaterThan(0);
      }
    } finally {
      await store.close();
    }
  }, 180_000);

  it("a process killed with SIGKILL mid-run leaves a run that reads as crashed, and its connections go", async () => {
    const child = startChild(["hang", db.url, artifacts, "-"]);
    const { id } = (await child.firstJson) as { id: RunId };
    await new Promise((r) => setTimeout(r, 300));
    child.process.kill("SIGKILL");
    await child.exit;
    const store = await openPostgresStore(db.url, { artifactsDir: artifacts });
    try {
      const run = await store.getRun(id);
      expect(run.status).toBe("crashed");
      expect(run.error).toMatch(/^process \d+ on .+ ended without finishing the run/);
    } finally {
      await store.close();
    }
    // the server notices the dead client's sockets closing
    for (let i = 0; i < 100 && (await connectionsTo(admin, db.name)) > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await connectionsTo(admin, db.name)).toBe(0);
  }, 60_000);

  it("replays writes whose connection the server killed: every batch lands whole, exactly once", async () => {
    const store = await openPostgresStore(db.url, { artifactsDir: artifacts });
    try {
      const run = await store.createRun({ experiment: "flaky-network" });
      const beat = await store.startHeartbeat(run.id, { intervalMs: 50 });
      let killed = 0;
      let stop = false;
      const killer = (async () => {
        while (!stop) {
          const r = await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [db.name],
          );
          killed += r.rowCount ?? 0;
          await new Promise((res) => setTimeout(res, 250));
        }
      })();
      // Write until the killer has cut at least four connections (and at least 30 batches), so a
      // fast machine that finishes 30 batches between two kills still exercises the replay path.
      let batches = 0;
      for (let batch = 0; (batch < 30 || killed <= 3) && batch < 5_000; batch++) {
        batches = batch + 1;
        const rows: PredictionRow[] = Array.from({ length: 500 }, (_, i) => ({
          exampleId: `b${batch}/${i}`,
          split: "dev",
          label: "ham",
          score: i / 500,
        }));
        await store.logPredictions(run.id, rows);
        await store.logMetrics(run.id, [{ name: "loss", value: 1 / (batch + 1), split: "train", step: batch }]);
      }
      stop = true;
      await killer;
      await beat.stop();
      await store.finishRun(run.id, "finished");
      expect(killed).toBeGreaterThan(3);
      const predictions = await store.getPredictions(run.id);
      expect(predictions.length).toBe(batches * 500);
      expect((await store.getMetrics(run.id)).map((m) => m.step)).toEqual(Array.from({ length: batches }, (_, i) => i));
      expect((await store.getRun(run.id)).status).toBe("finished");
    } finally {
      await store.close();
    }
  }, 120_000);
});
