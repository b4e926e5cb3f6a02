/**
 * Defect 5 of issue #12: a SQLite file that is not an mlloop store, passed as --store, was silently
 * migrated (tables added, user_version overwritten, WAL switched on), even by the read-only `runs`.
 * It must be refused with a clear error and left byte for byte as it was.
 */
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../cli/cli-helpers.js";

const sha = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("--store that is not an mlloop store", () => {
  const dir = tempDir("mlloop-foreign-");

  it.each([0, 7])(
    "refuses another application's SQLite database (user_version %i) and leaves it untouched",
    async (userVersion) => {
      const file = join(dir, `app${userVersion}.db`);
      const db = new Database(file);
      db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('a@b.c');");
      db.pragma(`user_version = ${userVersion}`);
      db.close();
      const before = sha(file);
      for (const args of [["runs"], ["runs", "--json"], ["show", "0123"], ["log"]]) {
        const r = await runCli([...args, "--store", file]);
        expect(r.code, r.stderr).toBe(4);
        expect(r.stderr).toContain("is not an mlloop store");
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
      expect(sha(file)).toBe(before);
      expect(existsSync(`${file}-wal`)).toBe(false);
      const check = new Database(file, { readonly: true });
      expect(check.pragma("user_version", { simple: true })).toBe(userVersion);
      expect(check.pragma("journal_mode", { simple: true })).toBe("delete");
      expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual([
        "users",
      ]);
      check.close();
    },
  );

  it("refuses a file that is not a SQLite database at all", async () => {
    const file = join(dir, "notes.db");
    writeFileSync(file, "just some text, not a database\n".repeat(200));
    const before = sha(file);
    const r = await runCli(["runs", "--store", file]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain("not a SQLite database");
    expect(sha(file)).toBe(before);
  });

  it("still creates a fresh store and reopens it", async () => {
    const file = join(dir, "fresh.db");
    expect((await runCli(["runs", "--store", file])).code).toBe(0);
    expect((await runCli(["runs", "--store", file])).code).toBe(0);
  });
});
