import { describe, expect, it } from "vitest";
import {
  choice,
  gridPoints,
  inlineExecutor,
  logGrid,
  logUniform,
  randomPoints,
  successiveHalving,
} from "../../src/search/index.js";

describe("search space, grid and random", () => {
  it("logGrid gives exact decades", () => {
    expect(logGrid(0.01, 100, 5)).toEqual([0.01, 0.1, 1, 10, 100]);
  });

  it("the grid is the full cartesian product in a fixed order", () => {
    const pts = gridPoints({ a: choice([1, 2]), C: logUniform(1, 100) }, 3);
    expect(pts).toEqual([
      { a: 1, C: 1 },
      { a: 1, C: 10 },
      { a: 1, C: 100 },
      { a: 2, C: 1 },
      { a: 2, C: 10 },
      { a: 2, C: 100 },
    ]);
  });

  it("random points are seeded and stay in range (log-uniform: about half below the geometric mean)", () => {
    const space = { C: logUniform(0.01, 100), k: choice(["x", "y", "z"]) };
    const a = randomPoints(space, 400, 7);
    expect(randomPoints(space, 400, 7)).toEqual(a);
    expect(randomPoints(space, 400, 8)).not.toEqual(a);
    const cs = a.map((p) => p.C as number);
    expect(Math.min(...cs)).toBeGreaterThanOrEqual(0.01);
    expect(Math.max(...cs)).toBeLessThanOrEqual(100);
    const below = cs.filter((c) => c < 1).length / cs.length;
    expect(below).toBeGreaterThan(0.4);
    expect(below).toBeLessThan(0.6);
    expect(new Set(a.map((p) => p.k))).toEqual(new Set(["x", "y", "z"]));
  });
});

describe("successive halving", () => {
  it("spends the later rungs on the best candidates only and ranks by the last rung reached", async () => {
    const seen: Array<[number, number[]]> = [];
    const truth = [0.1, 0.9, 0.5, 0.7, 0.3, 0.2, 0.8, 0.4, 0.6];
    const ranked = await successiveHalving(
      truth.map((_, i) => i),
      {
        rungs: [1, 2, 3],
        eta: 3,
        evaluate: async (cands, resource) => {
          seen.push([resource, [...cands]]);
          return cands.map((c) => truth[c]!);
        },
      },
    );
    expect(seen.map(([r, c]) => [r, c.length])).toEqual([
      [1, 9],
      [2, 3],
      [3, 1],
    ]);
    expect(seen[1]![1].sort()).toEqual([1, 3, 6]);
    expect(ranked[0]!.candidate).toBe(1);
    expect(ranked[0]!.rung).toBe(2);
    expect(ranked.length).toBe(9);
  });

  it("keeps at most perGroup survivors of one group while other groups can fill the places", async () => {
    // candidates 0–5 belong to group "a" and score highest; 6–8 are group "b"
    const truth = [0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.5, 0.4, 0.3];
    const second: number[] = [];
    await successiveHalving(
      truth.map((_, i) => i),
      {
        rungs: [1, 2],
        eta: 3,
        group: (c) => (c < 6 ? "a" : "b"),
        perGroup: 2,
        evaluate: async (cands, resource) => {
          if (resource === 2) second.push(...cands);
          return cands.map((c) => truth[c]!);
        },
      },
    );
    expect(second.sort()).toEqual([0, 1, 6]);
    // with one group only, the places are still filled in rank order
    const only: number[] = [];
    await successiveHalving([0, 1, 2, 3, 4, 5], {
      rungs: [1, 2],
      eta: 2,
      group: () => "a",
      perGroup: 1,
      evaluate: async (cands, resource) => {
        if (resource === 2) only.push(...cands);
        return cands.map((c) => truth[c]!);
      },
    });
    expect(only.sort()).toEqual([0, 1, 2]);
  });

  it("the inline executor runs tasks in order and reports progress", async () => {
    const ex = inlineExecutor((x: number) => x * 2);
    const progress: number[] = [];
    expect(await ex.map([1, 2, 3], (d) => progress.push(d))).toEqual([2, 4, 6]);
    expect(progress).toEqual([1, 2, 3]);
    await ex.close();
  });
});
