/**
 * `gc` on an artifacts directory that two stores share (two SQLite files in one folder, or a team
 * store pointed at a folder another store uses): what the other store refers to is kept; a store
 * whose file is gone refers to nothing; one that cannot be opened stops gc with nothing removed.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { artifactPath } from "../../src/track/artifact-files.js";
import { collectArtifacts } from "../../src/track/retention.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import { sha256Hex } from "../../src/util/hash.js";

async function storeWith(path: string, content: string): Promise<{ store: SqliteStore; sha: string }> {
  const store = await openSqliteStore(path);
  const run = await store.createRun({ experiment: "e" });
  await store.putArtifact(run.id, "model.json", content, "application/json");
  await store.finishRun(run.id, "finished");
  return { store, sha: sha256Hex(content) };
}

describe("gc on a shared artifacts directory", () => {
  it("keeps what the other store refers to, forgets a store that is gone, and stops on one it cannot open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlloop-gc-shared-"));
    try {
      const a = await storeWith(join(dir, "a.db"), '{"store":"a"}');
      const b = await storeWith(join(dir, "b.db"), '{"store":"b"}');
      // one more file of a's that no run refers to any more
      const orphan = await a.store.createRun({ experiment: "e" });
      await a.store.putArtifact(orphan.id, "tmp.json", '{"orphan":true}', "application/json");
      await a.store.deleteRunData([orphan.id]);
      await b.store.close();
      // files written this second count as in flight: age them
      for (const sha of [a.sha, b.sha, sha256Hex('{"orphan":true}')]) utimesAgo(artifactPath(dir, sha));

      const report = await collectArtifacts(a.store, false);
      expect(report.sharedWith).toEqual([join(dir, "b.db")]);
      expect(report.removed.map((f) => f.sha256)).toEqual([sha256Hex('{"orphan":true}')]);
      expect(existsSync(artifactPath(dir, b.sha))).toBe(true);
      expect(existsSync(artifactPath(dir, a.sha))).toBe(true);
      const reopened = await openSqliteStore(join(dir, "b.db"));
      const [run] = await reopened.listRuns();
      expect(Buffer.from((await reopened.getArtifact(run!.id, "model.json")).bytes).toString()).toBe('{"store":"b"}');
      await reopened.close();

      // b is deleted: its files are garbage now, and its marker goes
      rmSync(join(dir, "b.db"));
      rmSync(join(dir, "b.db-wal"), { force: true });
      rmSync(join(dir, "b.db-shm"), { force: true });
      const after = await collectArtifacts(a.store, false);
      expect(after.sharedWith).toEqual([]);
      expect(after.removed.map((f) => f.sha256)).toEqual([b.sha]);
      expect(readdirSync(join(dir, "artifacts", ".stores"))).toHaveLength(1);

      // a store that cannot be asked (a server that is not there): nothing removed, and why
      const marker = join(dir, "artifacts", ".stores", sha256Hex("postgres://nobody@127.0.0.1:1/none").slice(0, 32));
      writeFileSync(marker, JSON.stringify({ location: "postgres://nobody@127.0.0.1:1/none" }));
      const orphan2 = await a.store.createRun({ experiment: "e" });
      await a.store.putArtifact(orphan2.id, "tmp.json", '{"orphan":2}', "application/json");
      await a.store.deleteRunData([orphan2.id]);
      utimesAgo(artifactPath(dir, sha256Hex('{"orphan":2}')));
      await expect(collectArtifacts(a.store, false)).rejects.toThrow(
        /artifacts directory .* is also used by store postgres:\/\/nobody@127\.0\.0\.1:1\/none, which cannot be opened .*remove .*\.stores/,
      );
      expect(existsSync(artifactPath(dir, sha256Hex('{"orphan":2}')))).toBe(true);
      await a.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

function utimesAgo(path: string): void {
  const old = new Date(Date.now() - 10_000);
  utimesSync(path, old, old);
}
