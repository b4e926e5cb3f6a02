/** Store additions for diagnoses: run results (cache, outcomes) and manual example tags. */
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";

let store: SqliteStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function fresh(): Promise<SqliteStore> {
  store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), "mlloop-diag-store-")), "mlloop.db"));
  return store;
}

describe("run results", () => {
  it("stores, replaces and lists results per run and kind", async () => {
    const s = await fresh();
    const run = await s.createRun({ experiment: "e" });
    expect(await s.getRunResult(run.id, "diagnosis", "k1")).toBeNull();
    await s.putRunResult(run.id, "diagnosis", "k1", { verdict: "high_variance" });
    await s.putRunResult(run.id, "diagnosis", "k1", { verdict: "little_room" });
    await s.putRunResult(run.id, "recommendation-outcome", "1", { held: true });
    expect((await s.getRunResult(run.id, "diagnosis", "k1"))!.result).toEqual({ verdict: "little_room" });
    expect((await s.listRunResults(run.id, "diagnosis")).map((r) => r.key)).toEqual(["k1"]);
    expect((await s.listRunResults(run.id, "recommendation-outcome"))[0]!.result).toEqual({ held: true });
  });

  it("refuses an unknown run", async () => {
    const s = await fresh();
    await expect(s.putRunResult("0123456789abcdef0123" as never, "diagnosis", "k", {})).rejects.toThrow(
      /^no run with id "0123456789abcdef0123"/,
    );
  });
});

describe("example tags", () => {
  it("belong to the experiment and example, not to a run", async () => {
    const s = await fresh();
    const a = await s.createRun({ experiment: "spam" });
    await s.addExampleTags("spam", "spam-2/001", ["mislabeled", "newsletter"], { runId: a.id, note: "vendor" });
    await s.addExampleTags("spam", "spam-2/001", ["mislabeled"]);
    await s.addExampleTags("other", "spam-2/001", ["x"]);
    const tags = await s.listExampleTags("spam");
    expect(tags.map((t) => [t.exampleId, t.tag, t.note, t.runId])).toEqual([
      ["spam-2/001", "mislabeled", "vendor", a.id],
      ["spam-2/001", "newsletter", "vendor", a.id],
    ]);
    expect(await s.listExampleTags("spam", ["nope"])).toEqual([]);
    expect(await s.removeExampleTags("spam", "spam-2/001", ["newsletter", "absent"])).toBe(1);
    expect((await s.listExampleTags("spam", ["spam-2/001"])).map((t) => t.tag)).toEqual(["mislabeled"]);
  });

  it("a tag with a space is refused with a clear message", async () => {
    const s = await fresh();
    await expect(s.addExampleTags("spam", "x", ["two words"])).rejects.toThrow(
      'invalid tag "two words": a tag is 1–64 characters without spaces or control characters',
    );
  });
});
