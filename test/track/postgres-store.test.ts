import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../../src/track/postgres-store.js";
import { POSTGRES_SCHEMA_VERSION } from "../../src/track/postgres-migrations.js";
import { openStore } from "../../src/track/open.js";
import { describeStoreContract } from "./store-contract.js";
import { createTestDatabase, type TestDatabase } from "./pg-test-db.js";

let db: TestDatabase | null = null;
let artifacts = "";
describeStoreContract("PostgreSQL", {
  async create(options) {
    if (db === null) {
      db = await createTestDatabase("mlloop_contract");
      artifacts = mkdtempSync(join(tmpdir(), "mlloop-pg-artifacts-"));
    }
    return openPostgresStore(db.url, { ...options, artifactsDir: artifacts });
  },
  async cleanup() {
    await db?.drop();
    db = null;
    rmSync(artifacts, { recursive: true, force: true });
  },
});

describe("PostgreSQL store", () => {
  const made: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of made) await d.drop();
  });

  it("migrates once when eight stores open one fresh database at the same time", async () => {
    const d = await createTestDatabase("mlloop_migrate");
    made.push(d);
    const stores = await Promise.all(Array.from({ length: 8 }, () => openPostgresStore(d.url)));
    try {
      for (const s of stores) expect(await s.schemaVersion()).toBe(POSTGRES_SCHEMA_VERSION);
      const client = new pg.Client({ connectionString: d.url });
      await client.connect();
      try {
        const rows = await client.query<{ version: number }>("SELECT version FROM mlloop_schema");
        expect(rows.rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("metrics and predictions still need their run (checked once per statement) and go with it", async () => {
    const d = await createTestDatabase("mlloop_rows_need_runs");
    made.push(d);
    const store = await openPostgresStore(d.url);
    const client = new pg.Client({ connectionString: d.url });
    await client.connect();
    try {
      const run = await store.createRun({ experiment: "e" });
      const other = await store.createRun({ experiment: "e" });
      for (const r of [run, other]) {
        await store.logMetrics(r.id, [{ name: "loss", value: 1, split: "train", step: 0 }]);
        await store.logPredictions(r.id, [{ exampleId: "x", split: "dev", label: "a", score: 0.5 }]);
      }
      // raw SQL naming a run that does not exist is refused as a foreign key would refuse it
      for (const sql of [
        "INSERT INTO metrics (run_id, name, split, step, value, logged_at) VALUES ('nosuchrun', 'loss', '', 0, 1, 0)",
        "INSERT INTO predictions (run_id, split, example_id) VALUES ('nosuchrun', 'dev', 'x')",
      ]) {
        await expect(client.query(sql)).rejects.toMatchObject({ code: "23503" });
      }
      await expect(
        store.logPredictions("01a2000000000000dead" as never, [{ exampleId: "x", split: "dev", label: "a" }]),
      ).rejects.toThrow(/no run with id/);
      // deleting a run deletes its rows, and only its rows
      await store.deleteRunData([run.id]);
      const left = await client.query<{ t: string; run_id: string }>(
        "SELECT 'metrics' AS t, run_id FROM metrics UNION ALL SELECT 'predictions', run_id FROM predictions ORDER BY 1",
      );
      expect(left.rows).toEqual([
        { t: "metrics", run_id: other.id },
        { t: "predictions", run_id: other.id },
      ]);
    } finally {
      await client.end();
      await store.close();
    }
  });

  it("is chosen by a postgres:// URL, remembers its artifacts directory, and asks for one when it has none", async () => {
    const d = await createTestDatabase("mlloop_open");
    made.push(d);
    const dir = mkdtempSync(join(tmpdir(), "mlloop-pg-open-"));
    try {
      const bare = await openStore(d.url, { env: {} });
      try {
        const run = await bare.createRun({ experiment: "e" });
        await expect(bare.putArtifact(run.id, "model.json", "{}")).rejects.toThrow(
          `artifact "model.json" of run ${run.id}: store ${bare.location} has no artifacts location; give a shared directory with --artifacts (or MLLOOP_ARTIFACTS), e.g. --artifacts file:///mnt/team/mlloop (object storage is not supported yet)`,
        );
      } finally {
        await bare.close();
      }
      const first = await openStore(d.url, { env: { MLLOOP_ARTIFACTS: `file://${dir}` } });
      const run = await first.createRun({ experiment: "e" });
      const record = await first.putArtifact(run.id, "model.json", "{}");
      await first.close();
      // A teammate who does not repeat the location gets the recorded one.
      const second = await openStore(d.url, { env: {} });
      try {
        expect(new TextDecoder().decode((await second.getArtifact(run.id, "model.json")).bytes)).toBe("{}");
        expect(record.sha256).toBe("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
