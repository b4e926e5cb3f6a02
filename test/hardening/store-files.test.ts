/**
 * Issue #12, defect 7 and the lower list: the store's files under damage and restriction.
 * - A corrupt content file under a hash name was trusted because it existed: a new run recorded
 *   `finished` whose model could not be read. Writing the same content again repairs it.
 * - A read-only store (a shared folder, a mounted backup) could not even be read: read commands
 *   open it read-only; a write says the store is read-only (exit 4), not "internal error".
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/track/open.js";
import { startRun } from "../../src/track/run-logger.js";
import { artifactPath } from "../../src/track/artifact-files.js";
import { sha256Hex } from "../../src/util/hash.js";
import { BIN, json, ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

const quiet = {
  provenance: false,
  heartbeat: false,
  endOnExit: false,
  failOnUncaughtException: false,
} as const;

describe("a corrupt artifact file", () => {
  it("is rewritten when the same content is stored again", async () => {
    const dir = tempDir("mlloop-artifact-");
    const store = await openStore(join(dir, "mlloop.db"));
    try {
      const content = JSON.stringify({ weights: Array.from({ length: 200 }, (_, i) => i / 7) });
      const first = await startRun(store, { experiment: "a", ...quiet });
      await first.logArtifact("model.json", content, "application/json");
      await first.end("finished");
      const file = artifactPath(dir, sha256Hex(Buffer.from(content)));
      // bit rot, a bad copy, a disk that lied: same size, other bytes
      writeFileSync(file, Buffer.alloc(statSync(file).size, 0x20));
      await expect(store.getArtifact(first.id, "model.json")).rejects.toThrow(/corrupt/);

      const second = await startRun(store, { experiment: "a", ...quiet });
      await second.logArtifact("model.json", content, "application/json");
      await second.end("finished");
      expect(Buffer.from((await store.getArtifact(second.id, "model.json")).bytes).toString()).toBe(content);
      // and the first run's model reads again too: one content file
      expect(Buffer.from((await store.getArtifact(first.id, "model.json")).bytes).toString()).toBe(content);
      // a truncated file is repaired the same way
      writeFileSync(file, content.slice(0, 10));
      const third = await startRun(store, { experiment: "a", ...quiet });
      await third.logArtifact("model.json", content, "application/json");
      await third.end("finished");
      expect(Buffer.from((await store.getArtifact(third.id, "model.json")).bytes).toString()).toBe(content);
      expect(readdirSync(join(file, "..")).filter((f) => f.startsWith(".tmp"))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

/** Runs the CLI as an unprivileged user when we are root (root ignores permission bits). */
function runAs(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const argv = [process.execPath, BIN, ...args];
  const root = process.getuid?.() === 0;
  const r = root
    ? spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ...argv], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", HOME: cwd },
      })
    : spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function chmodTree(path: string, dirMode: number, fileMode: number): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    chmodSync(path, dirMode);
    for (const e of readdirSync(path)) chmodTree(join(path, e), dirMode, fileMode);
  } else chmodSync(path, fileMode);
}

describe("a read-only store", () => {
  it("can be read by runs, show, compare and diagnose; a write is refused as read-only", async () => {
    const dir = tempDir("mlloop-readonly-");
    chmodSync(dir, 0o755);
    cpSync(join(ROOT, "examples", "tickets"), join(dir, "tickets"), { recursive: true });
    const storeDir = join(dir, "store");
    const ids: string[] = [];
    for (const c of ["0.1", "1"]) {
      const r = await runCli(["run", join(dir, "tickets", "baseline.yaml"), "--set", `model.C=${c}`, "--json"], {
        env: { MLLOOP_STORE: storeDir },
      });
      expect(r.code, r.stderr).toBe(0);
      ids.push(json<{ runId: string }>(r).runId);
    }
    // everything read-only, the folder included: no -wal/-shm can be created beside the file
    chmodTree(storeDir, 0o555, 0o444);
    chmodTree(join(dir, "tickets"), 0o555, 0o444);
    try {
      const runs = runAs(["runs", "--store", storeDir, "--json"], dir);
      expect(runs.code, runs.stderr).toBe(0);
      expect((JSON.parse(runs.stdout) as unknown[]).length).toBe(2);
      const show = runAs(["show", ids[0]!, "--store", storeDir], dir);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain(ids[0]!.slice(0, 12));
      const compare = runAs(["compare", ids[0]!, ids[1]!, "--store", storeDir, "--json"], dir);
      expect(compare.code, compare.stderr).toBe(0);
      // diagnose computes from the store and the data, prints, and keeps nothing
      const diagnose = runAs(["diagnose", ids[0]!, "--store", storeDir, "--no-cv", "--json"], dir);
      expect(diagnose.code, diagnose.stderr).toBe(0);
      const d = JSON.parse(diagnose.stdout) as { runId: string; saved: boolean; recommendations: unknown[] };
      expect([d.runId, d.saved]).toEqual([ids[0], false]);
      expect(d.recommendations.length).toBeGreaterThan(0);
      const text = runAs(["diagnose", ids[0]!, "--store", storeDir, "--no-cv"], dir);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain("RECOMMENDATIONS");
      expect(text.stderr).toContain("is read-only (the next diagnose computes it again)");
      const write = runAs(["runs", "delete", ids[0]!, "--store", storeDir], dir);
      expect(write.code, write.stderr).toBe(4);
      expect(write.stderr).toContain("is read-only");
      expect(write.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      chmodTree(storeDir, 0o755, 0o644);
    }
  });
});
