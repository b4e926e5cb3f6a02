/**
 * Several processes on one SQLite store: concurrent writers lose nothing and never see "database
 * is locked", a fresh store migrated by four processes at once ends at one schema version, and a
 * process killed mid-write leaves a sound store whose run reads as crashed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import { SQLITE_SCHEMA_VERSION } from "../../src/track/sqlite-migrations.js";
import type { RunId } from "../../src/track/run-id.js";

const CHILD = fileURLToPath(new URL("./fixtures/store-child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));

interface Child {
  readonly process: ChildProcess;
  /** Resolves with the first stdout line that is JSON. */
  readonly firstJson: Promise<Record<string, unknown>>;
  /** Resolves once the child printed "waiting" (it is at the barrier). */
  readonly waiting: Promise<void>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function startChild(args: readonly string[]): Child {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let resolveJson!: (v: Record<string, unknown>) => void;
  let resolveWaiting!: () => void;
  const firstJson = new Promise<Record<string, unknown>>((r) => (resolveJson = r));
  const waiting = new Promise<void>((r) => (resolveWaiting = r));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const line of stdout.split("\n")) {
      if (line === "waiting") resolveWaiting();
      if (line.startsWith("{") && line.endsWith("}")) resolveJson(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { process: child, firstJson, waiting, exit };
}

describe("several processes on one SQLite store", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "mlloop-concurrency-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("four processes opening one fresh store at once agree on one schema version", async () => {
    const STORES = 30;
    const db = join(root, "fresh", "mlloop.db");
    const barrier = join(root, "go");
    const children = [0, 1, 2, 3].map(() => startChild(["migrate", db, barrier, String(STORES)]));
    await Promise.all(children.map((c) => c.waiting));
    writeFileSync(barrier, "");
    const results = await Promise.all(children.map((c) => c.exit));
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toEqual({
        versions: new Array<number>(STORES).fill(SQLITE_SCHEMA_VERSION),
      });
    }
    for (let i = 0; i < STORES; i++) {
      const store = await openSqliteStore(`${db}-${i}`);
      expect(await store.schemaVersion()).toBe(SQLITE_SCHEMA_VERSION);
      expect(await store.integrityCheck()).toBe("ok");
      expect(await store.listRuns()).toEqual([]);
      await store.close();
    }
  });

  it("four processes writing runs, 5,000 predictions each and metrics at once lose nothing and never see a lock", async () => {
    const db = join(root, "mlloop.db");
    const barrier = join(root, "go");
    const RUNS = 3;
    const ROWS = 5_000;
    const children = [0, 1, 2, 3].map((w) => startChild(["write", db, barrier, String(RUNS), String(ROWS), String(w)]));
    await Promise.all(children.map((c) => c.waiting));
    writeFileSync(barrier, "");
    const results = await Promise.all(children.map((c) => c.exit));
    const ids: string[] = [];
    for (const r of results) {
      expect(r.stderr).not.toMatch(/locked|busy/i);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      ids.push(...(JSON.parse(r.stdout.trim().split("\n").pop()!) as { ids: string[] }).ids);
    }
    expect(new Set(ids).size).toBe(4 * RUNS);

    const store = await openSqliteStore(db);
    try {
      expect(await store.integrityCheck()).toBe("ok");
      const runs = await store.listRuns();
      expect(runs.length).toBe(4 * RUNS);
      expect(runs.every((r) => r.status === "finished")).toBe(true);
      for (let w = 0; w < 4; w++) {
        const mine = await store.listRuns({ experiment: `worker-${w}` });
        expect(mine.map((r) => r.name).sort()).toEqual([`w${w}-r0`, `w${w}-r1`, `w${w}-r2`]);
      }
      for (const id of ids as RunId[]) {
        const predictions = await store.getPredictions(id);
        expect(predictions.length).toBe(ROWS);
        expect(predictions.filter((p) => p.split === "test").length).toBe(ROWS / 5);
        const run = await store.getRun(id);
        const metrics = await store.getMetrics(id);
        expect(metrics.filter((m) => m.name === "loss").length).toBe(20);
        expect(metrics.find((m) => m.name === "f1")!.value).toBe(0.9 + Number(run.params["worker"]) / 100);
        expect(new TextDecoder().decode((await store.getArtifact(id, "summary.json")).bytes)).toBe(
          JSON.stringify({ worker: run.params["worker"], r: run.params["r"] }, null, 2),
        );
      }
    } finally {
      await store.close();
    }
  });

  it("a process killed with SIGKILL mid-run leaves a sound store and a run that reads as crashed", async () => {
    const db = join(root, "mlloop.db");
    const child = startChild(["hang", db, "-"]);
    const { id } = (await child.firstJson) as { id: RunId };
    // Let it get well into its write loop (batches of 2,000 predictions back to back).
    await new Promise((r) => setTimeout(r, 400));
    child.process.kill("SIGKILL");
    const result = await child.exit;
    expect(result.signal).toBe("SIGKILL");

    const store = await openSqliteStore(db);
    try {
      expect(await store.integrityCheck()).toBe("ok");
      const run = await store.getRun(id);
      expect(run.status).toBe("crashed");
      expect(run.error).toMatch(
        new RegExp(`^process ${run.pid} on ${run.host} ended without finishing the run \\(last heartbeat .*Z\\)$`),
      );
      expect(run.endedAt).toBe(run.heartbeatAt);
      // Every committed batch is whole: the first 1,000 plus some number of complete 2,000-row batches.
      const count = (await store.getPredictions(id)).length;
      expect(count).toBeGreaterThanOrEqual(1_000);
      expect((count - 1_000) % 2_000).toBe(0);
      expect((await store.listRuns({ status: "crashed" })).map((r) => r.id)).toEqual([id]);
    } finally {
      await store.close();
    }
  });

  it("an uncaught exception inside a run ends it as failed with the message, and the process still exits 1", async () => {
    const db = join(root, "mlloop.db");
    const child = startChild(["throw", db, "-"]);
    const { id, second } = (await child.firstJson) as { id: RunId; second: RunId };
    const result = await child.exit;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: training diverged: loss is NaN at step 3");
    const store = await openSqliteStore(db);
    try {
      const run = await store.getRun(id);
      expect(run.status).toBe("failed");
      expect(run.error).toBe("training diverged: loss is NaN at step 3");
      expect(String(run.extras["errorStack"])).toContain("store-child.ts");
      expect((await store.getRun(second)).status).toBe("failed");
    } finally {
      await store.close();
    }
  });
});
