import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import { SQLITE_SCHEMA_VERSION } from "../../src/track/sqlite-migrations.js";
import type { Store } from "../../src/track/store.js";
import { describeStoreContract } from "./store-contract.js";

let dir = "";
describeStoreContract("SQLite", {
  async create(options) {
    if (dir === "") dir = mkdtempSync(join(tmpdir(), "mlloop-contract-"));
    return openSqliteStore(join(dir, "store", "mlloop.db"), options);
  },
  async cleanup() {
    rmSync(dir, { recursive: true, force: true });
    dir = "";
  },
});

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error("expected a StoreError, but the call succeeded");
}

describe("SQLite store on disk", () => {
  let root: string;
  let store: SqliteStore | null = null;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "mlloop-sqlite-"));
  });
  afterEach(async () => {
    await store?.close();
    store = null;
    rmSync(root, { recursive: true, force: true });
  });

  it("creates its folder, runs in WAL mode and applies every migration", async () => {
    const path = join(root, "a", "b", "mlloop.db");
    store = await openSqliteStore(path);
    expect(existsSync(path)).toBe(true);
    expect(await store.schemaVersion()).toBe(SQLITE_SCHEMA_VERSION);
    expect(await store.integrityCheck()).toBe("ok");
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      const tables = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((r) => (r as { name: string }).name);
      expect(tables).toEqual([
        "artifacts",
        "example_tags",
        "metrics",
        "model_aliases",
        "model_promotions",
        "model_versions",
        "pair_results",
        "predictions",
        "run_results",
        "run_tags",
        "runs",
      ]);
      const plan = raw
        .prepare("EXPLAIN QUERY PLAN SELECT id FROM runs WHERE experiment = ? ORDER BY id DESC LIMIT 50")
        .all("spam")
        .map((r) => (r as { detail: string }).detail)
        .join("; ");
      expect(plan).toContain("USING COVERING INDEX runs_by_experiment");
      expect(plan).not.toContain("TEMP B-TREE");
    } finally {
      raw.close();
    }
  });

  it("reopens an existing store without migrating again", async () => {
    const path = join(root, "mlloop.db");
    store = await openSqliteStore(path);
    const { id } = await store.createRun({ experiment: "e" });
    await store.close();
    store = await openSqliteStore(path);
    expect((await store.getRun(id)).experiment).toBe("e");
    expect(await store.schemaVersion()).toBe(SQLITE_SCHEMA_VERSION);
  });

  it("refuses a store written by a newer mlloop", async () => {
    const path = join(root, "mlloop.db");
    // a real store (stamped as mlloop's), then moved on by a newer version
    await (await openSqliteStore(path)).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    raw.close();
    const error = await storeError(openSqliteStore(path));
    expect(error.message).toBe(
      `store ${path} has schema version ${SQLITE_SCHEMA_VERSION + 1}, newer than this mlloop understands (${SQLITE_SCHEMA_VERSION}): upgrade mlloop`,
    );
  });

  it("refuses a file that is not a SQLite database", async () => {
    const path = join(root, "notes.db");
    writeFileSync(path, "these are my notes, not a database; ".repeat(200));
    const error = await storeError(openSqliteStore(path));
    expect(error.message).toBe(`${path} is not an mlloop store: not a SQLite database`);
  });

  it("keeps artifact content under artifacts/ab/cdef… and detects a corrupted file", async () => {
    store = await openSqliteStore(join(root, "mlloop.db"));
    const { id } = await store.createRun({ experiment: "e" });
    const record = await store.putArtifact(id, "model.json", '{"w":[1,2]}', "application/json");
    const file = join(root, "artifacts", record.sha256.slice(0, 2), record.sha256.slice(2));
    expect(readFileSync(file, "utf8")).toBe('{"w":[1,2]}');
    writeFileSync(file, '{"w":[1,3]}');
    const error = await storeError(store.getArtifact(id, "model.json"));
    expect(error.message).toContain(`artifact "model.json" of run ${id}: content file ${file} is corrupt (sha256 `);
  });

  it("keeps heartbeating from a worker thread while the main thread is blocked", async () => {
    const path = join(root, "mlloop.db");
    store = await openSqliteStore(path);
    const { id, heartbeatAt } = await store.createRun({ experiment: "e" });
    const beat = await store.startHeartbeat(id, { intervalMs: 100 });
    const raw = new Database(path, { readonly: true });
    try {
      const read = raw.prepare("SELECT heartbeat_at AS at FROM runs WHERE id = ?");
      const blockedFrom = Date.now();
      // A synchronous "training loop": no timer of the main thread can fire for 1.2 s…
      while (Date.now() - blockedFrom < 1_200) {
        /* spin */
      }
      // …and this read is synchronous too, so any recent beat came from the worker.
      const during = (read.get(id) as { at: number }).at;
      expect(during).toBeGreaterThan(heartbeatAt! + 500);
      expect(during).toBeGreaterThan(blockedFrom + 500);
      await beat.stop();
      const stoppedAt = (read.get(id) as { at: number }).at;
      await new Promise((r) => setTimeout(r, 300));
      expect((read.get(id) as { at: number }).at).toBe(stoppedAt);
    } finally {
      raw.close();
    }
  });

  it("threadAfterMs: beats from the background only once the run has lasted that long, and never for a run stopped sooner", async () => {
    const path = join(root, "mlloop.db");
    store = await openSqliteStore(path);
    const raw = new Database(path, { readonly: true });
    const at = (id: string): number =>
      (raw.prepare("SELECT heartbeat_at AS at FROM runs WHERE id = ?").get(id) as { at: number }).at;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      const brief = await store.createRun({ experiment: "e" });
      const briefBeat = await store.startHeartbeat(brief.id, { intervalMs: 20, threadAfterMs: 300 });
      const briefFirst = at(brief.id);
      await briefBeat.stop();

      const long = await store.createRun({ experiment: "e" });
      await store.startHeartbeat(long.id, { intervalMs: 20, threadAfterMs: 300 });
      const first = at(long.id);
      // this timer expires before the 300 ms one, so it runs first: no thread can have beaten yet
      await sleep(150);
      expect(at(long.id)).toBe(first);
      // then the thread starts and beats every 20 ms
      for (let i = 0; i < 200 && at(long.id) === first; i++) await sleep(50);
      expect(at(long.id)).toBeGreaterThan(first);
      // the run stopped before 300 ms got no beat from the thread now running: its timer was cleared
      expect(at(brief.id)).toBe(briefFirst);
    } finally {
      raw.close();
    }
  });

  it("stops its heartbeats when closed", async () => {
    const path = join(root, "mlloop.db");
    store = await openSqliteStore(path);
    const { id } = await store.createRun({ experiment: "e" });
    await store.startHeartbeat(id, { intervalMs: 50 });
    await store.close();
    store = null;
    const reader: Store = await openSqliteStore(path);
    try {
      const first = (await reader.getRun(id)).heartbeatAt;
      await new Promise((r) => setTimeout(r, 250));
      expect((await reader.getRun(id)).heartbeatAt).toBe(first);
    } finally {
      await reader.close();
    }
  });
});
