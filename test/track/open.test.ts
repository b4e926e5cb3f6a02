import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors.js";
import { openStore, redactUrl, resolveStoreLocation } from "../../src/track/open.js";

describe("choosing the store", () => {
  const cwd = "/home/ann/project";

  it("defaults to .mlloop/mlloop.db under the working directory", () => {
    expect(resolveStoreLocation(undefined, { cwd, env: {} })).toEqual({
      kind: "sqlite",
      path: "/home/ann/project/.mlloop/mlloop.db",
    });
  });

  it("takes MLLOOP_STORE when no --store is given, and --store over it", () => {
    const env = { MLLOOP_STORE: "/data/team.db" };
    expect(resolveStoreLocation(undefined, { cwd, env })).toEqual({ kind: "sqlite", path: "/data/team.db" });
    expect(resolveStoreLocation("runs.sqlite", { cwd, env })).toEqual({
      kind: "sqlite",
      path: "/home/ann/project/runs.sqlite",
    });
    // a blank --store (an unset shell variable) is a mistake, not "the default" (issue #12)
    expect(() => resolveStoreLocation("  ", { cwd, env })).toThrow(/--store is empty/);
  });

  it("treats a path without a database extension as a store folder", () => {
    expect(resolveStoreLocation("../shared/store", { cwd, env: {} })).toEqual({
      kind: "sqlite",
      path: "/home/ann/shared/store/mlloop.db",
    });
  });

  it("recognises PostgreSQL URLs and refuses other URLs", () => {
    expect(resolveStoreLocation("postgresql://u:pw@db:5432/ml", { cwd, env: {} })).toEqual({
      kind: "postgres",
      url: "postgresql://u:pw@db:5432/ml",
    });
    expect(() => resolveStoreLocation("mysql://u:secret@db/ml", { cwd, env: {} })).toThrow(
      new StoreError(
        'unsupported store URL "mysql://u:***@db/ml": use a SQLite file or folder path, or a postgres:// URL',
      ),
    );
  });

  it("says an unreachable PostgreSQL server is unreachable, without printing the password", async () => {
    // port 1 on the loopback: nothing listens there, so the connection is refused at once
    const error = await openStore("postgres://ann:hunter2@127.0.0.1:1/mlloop", { env: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      /^store postgres:\/\/ann:\*\*\*@127\.0\.0\.1:1\/mlloop is unreachable: connect ECONNREFUSED 127\.0\.0\.1:1$/,
    );
    expect((error as Error).message).not.toContain("hunter2");
    expect(redactUrl("postgres://db.example/mlloop")).toBe("postgres://db.example/mlloop");
  });

  it("refuses object storage for artifacts, saying it is not supported yet", async () => {
    await expect(
      openStore("postgres://127.0.0.1:1/mlloop", { env: {}, artifacts: "s3://team-bucket/mlloop" }),
    ).rejects.toThrow(/s3:\/\/ is not supported yet; object storage is not supported yet/);
  });
});

describe("openStore", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "mlloop-open-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("creates the default store folder under the working directory", async () => {
    const store = await openStore(undefined, { cwd: root, env: {} });
    try {
      expect(store.location).toBe(join(root, ".mlloop", "mlloop.db"));
      expect(existsSync(join(root, ".mlloop", "mlloop.db"))).toBe(true);
      const run = await store.createRun({ experiment: "e" });
      expect((await store.getRun(run.id)).experiment).toBe("e");
    } finally {
      await store.close();
    }
  });

  it("finds the nearest .mlloop/ store in a folder above, as git finds .git, and opens no new one there", async () => {
    const first = await openStore(undefined, { cwd: root, env: {} });
    const run = await first.createRun({ experiment: "up" });
    await first.close();
    const deep = join(root, "examples", "spam");
    mkdirSync(deep, { recursive: true });
    expect(resolveStoreLocation(undefined, { cwd: deep, env: {} })).toEqual({
      kind: "sqlite",
      path: join(root, ".mlloop", "mlloop.db"),
    });
    const again = await openStore(undefined, { cwd: deep, env: {} });
    try {
      expect((await again.getRun(run.id)).experiment).toBe("up");
    } finally {
      await again.close();
    }
    expect(existsSync(join(deep, ".mlloop"))).toBe(false);
    // a nearer store wins over one further up; --store and MLLOOP_STORE still win over both
    await (await openStore(join(root, "examples", ".mlloop"), { env: {} })).close();
    expect(resolveStoreLocation(undefined, { cwd: deep, env: {} })).toEqual({
      kind: "sqlite",
      path: join(root, "examples", ".mlloop", "mlloop.db"),
    });
    expect(resolveStoreLocation(undefined, { cwd: deep, env: { MLLOOP_STORE: "/data/x.db" } })).toEqual({
      kind: "sqlite",
      path: "/data/x.db",
    });
  });
});
