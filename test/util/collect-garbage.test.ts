/** Garbage collection on request: V8's memory-reducing collection gives back young and old pages. */
import { getHeapSpaceStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { collectGarbage, releaseMemory } from "../../src/util/collect-garbage.js";

const space = (name: string) => getHeapSpaceStatistics().find((s) => s.space_name === name)!;

describe("releaseMemory", () => {
  it("shrinks the young generation and compacts old space, where a plain collection does neither", async () => {
    // objects that survive two scavenges grow the young generation and are promoted, and a fifth of
    // them staying alive leaves the old-space pages they were promoted to sparsely used
    let all: string[] = [];
    for (let round = 0; round < 8; round++) {
      const batch = Array.from({ length: 40_000 }, (_, i) => `${round}:${i}:`.padEnd(64, "x"));
      all = all.concat(batch);
    }
    const kept = all.filter((_, i) => i % 5 === 0);
    all.length = 0;
    const grownYoung = space("new_space").space_size;
    expect(grownYoung).toBeGreaterThan(4 * 1024 * 1024);
    expect(collectGarbage()).toBe(true);
    expect(space("new_space").space_size).toBe(grownYoung);

    expect(await releaseMemory()).toBe(true);
    expect(space("new_space").space_size).toBeLessThan(grownYoung / 2);
    const old = space("old_space");
    expect(old.space_size - old.space_used_size).toBeLessThan(2 * 1024 * 1024);
    expect(kept[1234]).toBe("0:6170:".padEnd(64, "x"));
  });
});
