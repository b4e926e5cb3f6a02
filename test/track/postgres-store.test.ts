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
