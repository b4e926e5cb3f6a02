/**
 * Runs moving between stores and leaving them, through the real CLI (bin/mlloop.js, built):
 * SQLite → PostgreSQL → SQLite with every `show --json` equal, a second import adding nothing, a
 * damaged bundle refused with nothing written, a conflicting run reported, and `runs delete` +
 * `gc` on both backends keeping the artifact files other runs still share.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/track/open.js";
import type { RunId } from "../../src/track/run-id.js";
import { createTestDatabase, type TestDatabase } from "./pg-test-db.js";

const BIN = fileURLToPath(new URL("../../bin/mlloop.js", import.meta.url));

function cli(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, MLLOOP_STORE: "" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("export, import and retention across SQLite and PostgreSQL", () => {
  let dir: string;
  let db: TestDatabase;
  let pgArgs: string[];
  const ids: RunId[] = [];
  const liteA = (): string[] => ["--store", join(dir, "a", "mlloop.db")];
  const liteC = (): string[] => ["--store", join(dir, "c", "mlloop.db")];

  beforeAll(async () => {
    expect(existsSync(join(BIN, "..", "..", "dist", "cli", "main.js")), "run npm run build first").toBe(true);
    dir = mkdtempSync(join(tmpdir(), "mlloop-transfer-"));
    db = await createTestDatabase("mlloop_transfer");
    pgArgs = ["--store", db.url, "--artifacts", `file://${join(dir, "team")}`];
    const store = await openStore(join(dir, "a", "mlloop.db"), { env: {} });
    try {
      const parent = await store.createRun({
        experiment: "spam",
        name: "baseline",
        tags: { owner: "ann" },
        spec: { json: '{"model":{"C":1}}', hash: "h1" },
        params: { lr: 0.1 },
        seeds: { split: 7 },
        dataInfo: { fingerprint: "f00d" },
      });
      await store.logMetrics(parent.id, [
        { name: "f1", value: 0.91, split: "dev" },
        { name: "auc", value: Number.NaN, split: "test" },
        { name: "log_loss", value: Number.POSITIVE_INFINITY, split: "test" },
        { name: "loss", value: 0.5, split: "train", step: 3 },
      ]);
      await store.logPredictions(parent.id, [
        { exampleId: "e1", split: "dev", label: "spam", score: 0.9, decision: "spam", correct: true },
        {
          exampleId: "e2",
          split: "dev",
          label: "ham",
          scores: { ham: 0.4, spam: 0.6 },
          decision: "spam",
          correct: false,
        },
      ]);
      await store.putArtifact(parent.id, "model.json", '{"shared":true}', "application/json");
      await store.putRunResult(parent.id, "diagnosis", "k1", { verdict: "fine" });
      await store.finishRun(parent.id, "finished");
      const child = await store.createRun({ experiment: "spam", parentId: parent.id, specPatch: [{ op: "set" }] });
      await store.logMetrics(child.id, [{ name: "f1", value: 0.93, split: "dev" }]);
      await store.putArtifact(child.id, "model.json", '{"shared":true}', "application/json");
      await store.putArtifact(child.id, "own.txt", "only the child has this");
      await store.putPairResult("compare", "p|c", parent.id, child.id, { delta: 0.02 });
      await store.finishRun(child.id, "failed", "diverged");
      const other = await store.createRun({ experiment: "iris" });
      await store.finishRun(other.id, "finished");
      ids.push(parent.id, child.id, other.id);
    } finally {
      await store.close();
    }
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("round-trips SQLite → PostgreSQL → SQLite with every show --json equal; a second import adds nothing", () => {
    const b1 = join(dir, "b1.tar");
    const exported = cli([...liteA(), "export", "-o", b1]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe(`exported 3 runs and 2 artifact files (${readFileSync(b1).length} bytes) to ${b1}\n`);

    const first = cli([...pgArgs, "import", b1]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("imported 3 runs; 0 already present; 0 conflicts\n");
    const again = cli([...pgArgs, "import", b1, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ added: [], present: [...ids].sort(), conflicts: [], pairResults: 0 });

    const b2 = join(dir, "b2.tar");
    expect(cli([...pgArgs, "export", "spam", "iris", "-o", b2]).code).toBe(0);
    const back = cli([...liteC(), "import", b2]);
    expect(back.stdout).toBe("imported 3 runs; 0 already present; 0 conflicts\n");

    for (const id of ids) {
      const a = cli([...liteA(), "show", id, "--json"]);
      const p = cli([...pgArgs, "show", id, "--json"]);
      const c = cli([...liteC(), "show", id, "--json"]);
      expect(a.code, a.stderr).toBe(0);
      expect(p.stdout, `run ${id} on PostgreSQL`).toBe(a.stdout);
      expect(c.stdout, `run ${id} back on SQLite`).toBe(a.stdout);
    }
    // lineage and stored results travel too
    const child = JSON.parse(cli([...liteC(), "show", ids[1]!, "--json"]).stdout) as { parentId: string };
    expect(child.parentId).toBe(ids[0]);
  }, 120_000);

  it("refuses a damaged bundle with nothing written, and reports a conflicting run", async () => {
    const b1 = join(dir, "b1.tar");
    const bytes = readFileSync(b1);
    const at = bytes.indexOf(Buffer.from('"example_id":"e1"'));
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(bytes);
    damaged[at + 15] = "9".charCodeAt(0);
    writeFileSync(join(dir, "damaged.tar"), damaged);
    const d = cli(["--store", join(dir, "d", "mlloop.db"), "import", join(dir, "damaged.tar")]);
    expect(d.code).toBe(4);
    expect(d.stderr).toMatch(/is damaged: predictions\.jsonl has sha256 [0-9a-f]{64} \(\d+ bytes\), the manifest says/);
    const fresh = await openStore(join(dir, "d", "mlloop.db"), { env: {} });
    try {
      expect(await fresh.listRuns()).toEqual([]);
    } finally {
      await fresh.close();
    }
    expect(existsSync(join(dir, "d", "artifacts"))).toBe(false);

    const changed = await openStore(join(dir, "c", "mlloop.db"), { env: {} });
    try {
      await changed.updateRun(ids[2]!, { notes: "edited after the import" });
    } finally {
      await changed.close();
    }
    const conflict = cli([...liteC(), "import", b1]);
    expect(conflict.code).toBe(4);
    expect(conflict.stdout).toBe(
      `imported 0 runs; 2 already present; 1 conflict\n  conflict: run ${ids[2]}: a different run with this id is already in the store (column notes differs)\n`,
    );
  }, 60_000);

  for (const backend of ["PostgreSQL", "SQLite"] as const) {
    it(`deletes a run and collects only the artifact files no other run shares (${backend})`, () => {
      const args = backend === "PostgreSQL" ? pgArgs : liteC();
      const dry = cli([...args, "runs", "delete", ids[1]!, "--dry-run"]);
      expect(dry.stdout).toBe(`would delete 1 run\n  ${ids[1]}\n`);
      const deleted = cli([...args, "runs", "delete", "--where", "status = failed"]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toBe(`deleted 1 run\n  ${ids[1]}\nrun \`mlloop gc\` to free artifact files no run uses\n`);
      expect(cli([...args, "show", ids[1]!]).code).toBe(4);
      const plan = cli([...args, "gc", "--dry-run", "--json"]);
      const report = JSON.parse(plan.stdout) as { kept: { files: number }; freed: { files: number; bytes: number } };
      // own.txt goes; model.json stays: the parent still uses the same content
      expect(report.freed).toEqual({ files: 1, bytes: "only the child has this".length });
      expect(report.kept.files).toBe(1);
      const gc = cli([...args, "gc"]);
      expect(gc.code, gc.stderr).toBe(0);
      expect(gc.stdout).toMatch(
        /keeping 1 file \(15 bytes\), freeing 1 \(23 bytes\)\nfreed 1 artifact file \(23 bytes\); cache: /,
      );
      expect(JSON.parse(cli([...args, "gc", "--dry-run", "--json"]).stdout).freed).toEqual({ files: 0, bytes: 0 });
      const parent = cli([...args, "show", ids[0]!, "--json"]);
      expect(parent.code).toBe(0);
    }, 60_000);
  }
});
