import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeChange, formatChange } from "../../src/compare/change.js";
import { buildLedger, closestParent, runLog } from "../../src/compare/lineage.js";
import { groupPlayers } from "../../src/compare/players.js";
import { diffSpecs } from "../../src/spec/patch.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import { BASE_SPEC, devSet, writeRun } from "./fixtures.js";

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "mlloop-lineage-"));
  store = await openSqliteStore(join(dir, "mlloop.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const withModel = (model: Record<string, unknown>) => ({ ...BASE_SPEC, model: { ...BASE_SPEC.model, ...model } });

describe("closestParent", () => {
  it("picks the finished run with the fewest spec changes, the newest on ties, never an ablation run", async () => {
    const far = await writeRun(store, { dev: devSet(30, () => false), spec: withModel({ C: 5, max_iter: 7 }) });
    const near = await writeRun(store, { dev: devSet(30, () => false), spec: withModel({ C: 5 }) });
    const nearToo = await writeRun(store, { dev: devSet(30, () => false), spec: withModel({ C: 7 }) });
    await writeRun(store, { dev: devSet(30, () => false), spec: withModel({ C: 3 }), tags: { attribution: "x..y" } });
    await writeRun(store, { dev: devSet(30, () => false), spec: withModel({ C: 3 }), experiment: "other" });
    const target = withModel({ C: 3 });
    expect(await closestParent(store, "spam", target)).toEqual({ runId: nearToo, distance: 1 });
    expect(await closestParent(store, "spam", withModel({ C: 5 }))).toEqual({ runId: near, distance: 0 });
    expect(await closestParent(store, "spam", withModel({ C: 5, max_iter: 7 }))).toEqual({ runId: far, distance: 0 });
    expect(await closestParent(store, "nothing-here", target)).toBeNull();
  });
});

describe("log and ledger", () => {
  it("builds the tree with edge effects and the chain from the first run to the best", async () => {
    const root = await writeRun(store, { dev: devSet(120, (i) => i < 30), name: "root" });
    const better = await writeRun(store, { dev: devSet(120, (i) => i < 10), parent: root, spec: withModel({ C: 10 }) });
    const side = await writeRun(store, { dev: devSet(120, (i) => i < 40), parent: root, spec: withModel({ C: 0.1 }) });
    const best = await writeRun(store, {
      dev: devSet(120, (i) => i < 4),
      parent: better,
      spec: withModel({ C: 10, max_iter: 50 }),
    });
    const log = await runLog(store, { experiment: "spam", resamples: 300 });
    expect(log.metric).toBe("accuracy");
    expect(log.roots.map((n) => n.run.id)).toEqual([root]);
    const kids = log.roots[0]!.children;
    expect(kids.map((n) => n.run.id)).toEqual([better, side]);
    expect(kids[0]!.edge!.effect!.delta).toBeCloseTo(20 / 120, 14);
    expect(kids[0]!.edge!.effect!.verdict).toBe("improved");
    expect(kids[1]!.edge!.effect!.verdict).toBe("regressed");
    expect(kids[0]!.children[0]!.edge!.change).toEqual(["  model.max_iter: 100 → 50"]);

    const ledger = await buildLedger(store, "spam", { resamples: 300 });
    expect(ledger.best.id).toBe(best);
    expect(ledger.entries.map((e) => e.run.id)).toEqual([root, better, best]);
    expect(ledger.entries[2]!.edge!.effect!.delta).toBeCloseTo(6 / 120, 14);
    expect(ledger.overall!.delta).toBeCloseTo(26 / 120, 14);
    // edge comparisons are stored: a second log reads them back
    const again = await runLog(store, { experiment: "spam", resamples: 300 });
    expect(again.roots[0]!.children[0]!.edge!.effect).toEqual(kids[0]!.edge!.effect);
  });
});

describe("change and players", () => {
  it("describes spec, data and environment changes", async () => {
    const a = await writeRun(store, { dev: devSet(10, () => false) });
    const b = await writeRun(store, {
      dev: devSet(10, () => false),
      spec: withModel({ C: 2 }),
      devFingerprint: "e".repeat(64),
    });
    const change = describeChange(await store.getRun(a), await store.getRun(b), { git: false });
    expect(change.spec).toEqual([{ op: "set", path: ["model", "C"], value: 2, from: 1 }]);
    expect(change.data.splits).toEqual([{ split: "dev", from: "f".repeat(64), to: "e".repeat(64) }]);
    expect(change.unchanged).toBe(false);
    expect(formatChange(change)).toEqual(["  model.C: 1 → 2", "data: dev split ffffffffff → eeeeeeeeee"]);
  });

  it("groups a feature family into one player, each hyperparameter into another, and honours --group", () => {
    const from = { ...BASE_SPEC, notes: "a" };
    const to = {
      ...BASE_SPEC,
      notes: "b",
      features: { ...BASE_SPEC.features, urls: { count: true, suspicious: true } },
      model: { ...BASE_SPEC.model, C: 10, max_iter: 1000 },
      evaluate: { ...BASE_SPEC.evaluate, equivalence_band: 0.01 },
    };
    const patch = diffSpecs(from, to);
    const { players, ignored } = groupPlayers(patch);
    expect(players.map((p) => p.name)).toEqual(["features.urls", "model.C", "model.max_iter"]);
    expect(ignored.map((op) => op.path.join("."))).toEqual(["evaluate.equivalence_band", "notes"]);
    const merged = groupPlayers(patch, [["model.C", "model.max_iter"]]);
    expect(merged.players.map((p) => p.name)).toEqual(["model.C+model.max_iter", "features.urls"]);
    expect(() => groupPlayers(patch, [["model.penalty"]])).toThrow(
      '--group model.penalty: no changed key is "model.penalty" or under it (changed keys: features.urls, model.C, model.max_iter)',
    );
  });
});
