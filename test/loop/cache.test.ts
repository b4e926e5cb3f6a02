import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StageCache } from "../../src/loop/cache.js";

function tempCache(maxBytes?: number): StageCache {
  return new StageCache(join(mkdtempSync(join(tmpdir(), "mlloop-cache-")), "cache"), maxBytes);
}

const KEY_A = "a".repeat(64);
const KEY_B = "b".repeat(64);
const KEY_C = "c".repeat(64);

function writeSample(cache: StageCache, key: string, n = 1000): Promise<number> {
  const w = cache.writer("features", key);
  w.array(
    "ints",
    Int32Array.from({ length: n }, (_, i) => i * 3 - 7),
  );
  w.array(
    "flags",
    Int8Array.from({ length: 13 }, (_, i) => (i % 3) - 1),
  );
  w.array(
    "floats",
    Float64Array.from({ length: n }, (_, i) => Math.sqrt(i) / 7),
  );
  w.begin("text").append(Buffer.from("hello, ", "utf8")).append(Buffer.from("cache", "utf8")).end();
  // empty sections (an empty dev split) over empty buffers
  w.array("empty.i32", new Int32Array(0)).array("empty.f64", new Float64Array(0));
  w.array("one", Int32Array.of(5));
  return w.commit({ note: "sample", n });
}

function entryPath(cache: StageCache, key: string): string {
  return join(cache.dir, "features", `${key}.bin`);
}

describe("StageCache", () => {
  it("reads back what was written: typed sections as views, byte sections, metadata", async () => {
    const cache = tempCache();
    const bytes = await writeSample(cache, KEY_A);
    expect(statSync(entryPath(cache, KEY_A)).size).toBe(bytes);
    const found = cache.read("features", KEY_A);
    expect(found.status).toBe("hit");
    if (found.status !== "hit") return;
    const e = found.entry;
    expect(e.meta).toEqual({ note: "sample", n: 1000 });
    expect(Array.from(e.i32("ints").subarray(0, 4))).toEqual([-7, -4, -1, 2]);
    expect(e.i32("ints").length).toBe(1000);
    expect(Array.from(e.i8("flags"))).toEqual(Array.from({ length: 13 }, (_, i) => (i % 3) - 1));
    expect(e.f64("floats")[999]).toBe(Math.sqrt(999) / 7);
    expect(Buffer.from(e.bytes("text")).toString("utf8")).toBe("hello, cache");
    expect(e.i32("empty.i32").length).toBe(0);
    expect(e.f64("empty.f64").length).toBe(0);
    expect(Array.from(e.i32("one"))).toEqual([5]);
    expect(() => e.f64("ints")).toThrow(/section "ints" is i32, not f64/);
    expect(cache.read("features", KEY_B)).toEqual({ status: "miss" });
  });

  it("detects a flipped byte, a truncated file and a foreign file; drops them and never returns them", async () => {
    const cache = tempCache();
    const damages: Array<[string, (b: Buffer) => Buffer]> = [
      [KEY_A, (b) => ((b[b.length >> 1] = b[b.length >> 1]! ^ 0x40), b)],
      [KEY_B, (b) => b.subarray(0, b.length - 100)],
      [KEY_C, () => Buffer.from("not a cache file at all")],
    ];
    const reasons: string[] = [];
    for (const [key, damage] of damages) {
      await writeSample(cache, key);
      const path = entryPath(cache, key);
      writeFileSync(path, damage(readFileSync(path)));
      const found = cache.read("features", key);
      expect(found.status).toBe("corrupt");
      if (found.status === "corrupt") reasons.push(found.reason.slice(found.reason.indexOf(".bin: ") + 6));
      expect(readdirSync(join(cache.dir, "features"))).not.toContain(`${key}.bin`);
      expect(cache.read("features", key)).toEqual({ status: "miss" });
    }
    expect(reasons).toEqual([
      "checksum mismatch; recomputed",
      "truncated (no end marker); recomputed",
      "not an mlloop cache file (bad header); recomputed",
    ]);
  });

  it("an aborted writer leaves nothing behind, and a half-written entry is invisible until committed", async () => {
    const cache = tempCache();
    const w = cache.writer("dataset", KEY_A);
    w.array("x", new Int32Array(10));
    expect(cache.read("dataset", KEY_A)).toEqual({ status: "miss" });
    await w.abort();
    expect(readdirSync(join(cache.dir, "dataset"))).toEqual([]);
  });

  it("stays under its bound after every write, evicting the least recently used entry first", async () => {
    const probe = tempCache();
    const size = await writeSample(probe, KEY_A);
    // room for two entries, not three
    const cache = tempCache(2 * size + size / 2);
    await writeSample(cache, KEY_A);
    await writeSample(cache, KEY_B);
    const old = new Date(Date.now() - 60_000);
    utimesSync(entryPath(cache, KEY_A), old, old);
    utimesSync(entryPath(cache, KEY_B), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    // a hit makes B the most recently used
    expect(cache.read("features", KEY_B).status).toBe("hit");
    await writeSample(cache, KEY_C);
    const left = cache
      .list()
      .entries.map((e) => e.key)
      .sort();
    expect(left).toEqual([KEY_B, KEY_C]);
    expect(cache.list().entries.reduce((s, e) => s + e.bytes, 0)).toBeLessThanOrEqual(cache.maxBytes);
  });

  it("prunes to a size or an age on demand", async () => {
    const cache = tempCache();
    const size = await writeSample(cache, KEY_A);
    await writeSample(cache, KEY_B);
    await writeSample(cache, KEY_C);
    const now = Date.now();
    utimesSync(entryPath(cache, KEY_A), new Date(now - 3 * 86_400_000), new Date(now - 3 * 86_400_000));
    utimesSync(entryPath(cache, KEY_B), new Date(now - 2 * 86_400_000), new Date(now - 2 * 86_400_000));
    const byAge = cache.prune({ olderThanMs: 2.5 * 86_400_000, now });
    expect(byAge.removed.map((e) => e.key)).toEqual([KEY_A]);
    expect(byAge.keptEntries).toBe(2);
    const bySize = cache.prune({ maxBytes: size });
    expect(bySize.removed.map((e) => e.key)).toEqual([KEY_B]);
    expect(bySize.keptBytes).toBe(size);
    expect(cache.list().entries.map((e) => e.key)).toEqual([KEY_C]);
  });

  it("removes temporary files of writers that died long ago, and only those", async () => {
    const cache = tempCache();
    await writeSample(cache, KEY_A);
    const dir = join(cache.dir, "features");
    const stale = join(dir, `${KEY_B}.bin.tmp-123-deadbeef`);
    const fresh = join(dir, `${KEY_C}.bin.tmp-456-cafebabe`);
    writeFileSync(stale, "partial");
    writeFileSync(fresh, "partial");
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(stale, old, old);
    cache.prune({});
    expect(readdirSync(dir).sort()).toEqual([`${KEY_A}.bin`, `${KEY_C}.bin.tmp-456-cafebabe`]);
  });

  it("refuses kinds and keys that could escape its folder", async () => {
    const cache = tempCache();
    expect(() => cache.writer("../x", KEY_A)).toThrow(/invalid cache kind\/key/);
    expect(() => cache.read("features", "../../etc/passwd")).toThrow(/invalid cache kind\/key/);
  });
});
