/**
 * Defect 3 of issue #12: a failed cache write (a full disk) killed the run with an unhandled
 * promise rejection and left a `.tmp-*` file behind. A cache write failure must never fail a run:
 * the entry is dropped, its temporary file removed, and the run's warnings say why.
 */
import * as fs from "node:fs";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { StageCache } from "../../src/loop/cache.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { loadSpecFile } from "../../src/spec/load.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";

/** When set, every asynchronous positional write fails the way a full disk does. */
const disk = vi.hoisted(() => ({ full: false }));

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const write = ((...args: unknown[]) => {
    const cb = args[args.length - 1] as (err: NodeJS.ErrnoException | null, n?: number) => void;
    if (disk.full) {
      const e = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      setImmediate(() => cb(e));
      return;
    }
    (real.write as (...a: unknown[]) => void)(...args);
  }) as typeof real.write;
  return { ...real, default: { ...real, write }, write };
});

const SPEC = join(import.meta.dirname, "../../examples/spam/baseline.yaml");

function tmpFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.includes(".tmp-")) found.push(e.name);
    }
  };
  walk(dir);
  return found;
}

describe("a full disk under the stage cache", () => {
  let dir: string;
  let store: SqliteStore;
  const rejections: unknown[] = [];
  const onRejection = (r: unknown): void => void rejections.push(r);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mlloop-full-"));
    store = await openSqliteStore(join(dir, "mlloop.db"));
    process.on("unhandledRejection", onRejection);
  });
  afterAll(async () => {
    process.off("unhandledRejection", onRejection);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the run finishes, says the cache could not be written, and leaves no temporary file", async () => {
    expect(fs.write).not.toBe(undefined);
    const cache = new StageCache(join(dir, "cache"));
    const loaded = loadSpecFile(SPEC, ["data.limit=300"]);
    disk.full = true;
    let outcome;
    try {
      outcome = await runExperiment({ spec: loaded.spec, baseDir: loaded.baseDir, store, cache });
      // let any stray rejection surface
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      disk.full = false;
    }
    expect(rejections).toEqual([]);
    expect((await store.getRun(outcome.runId)).status).toBe("finished");
    expect(outcome.warnings.join("\n")).toMatch(/could not write the (parse|features) cache: ENOSPC/);
    expect(tmpFiles(join(dir, "cache"))).toEqual([]);
    expect(cache.list().entries).toEqual([]);

    // with space again, the next run writes the cache normally
    const again = await runExperiment({ spec: loaded.spec, baseDir: loaded.baseDir, store, cache });
    expect(again.cache.bytesWritten).toBeGreaterThan(0);
    expect(cache.list().entries.length).toBeGreaterThan(0);
  }, 60_000);
});
