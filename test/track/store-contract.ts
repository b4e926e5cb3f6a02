/**
 * The Store contract (src/track/store.ts) as one suite that every backend runs through a factory:
 * SQLite today, PostgreSQL later. Backend-specific checks (files, pragmas) live beside each backend.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors.js";
import type { RunId } from "../../src/track/run-id.js";
import type { PredictionRow, Store } from "../../src/track/store.js";

export interface StoreFactory {
  /** The test's store: fresh and empty on the first call, the same store (another handle) after. */
  create(options?: { staleAfterMs?: number }): Promise<Store>;
  /** Removes what `create` made (after its stores are closed). */
  cleanup(): Promise<void>;
}

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error("expected a StoreError, but the call succeeded");
}

export function describeStoreContract(backend: string, factory: StoreFactory): void {
  describe(`Store contract: ${backend}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
      await factory.cleanup();
    });

    it("creates a running run owned by this process and reads it back whole", async () => {
      const before = Date.now();
      const created = await store.createRun({
        experiment: "spam",
        name: "baseline",
        notes: "first try",
        tags: { team: "mail", stage: "dev" },
        spec: { json: '{"model":{"family":"logreg"}}', hash: "abc123" },
        specPatch: [{ op: "set", path: ["model", "C"], value: 2 }],
        seeds: { spec: 0, split: 17 },
        params: { lr: 0.1, layers: [64, 32] },
        dataInfo: { fingerprint: "f00d", splits: { dev: "d3v" }, counts: { dev: 1200 }, badRowCount: 0 },
        extras: { note: "x" },
      });
      expect(created.id).toMatch(/^[0-9a-f]{20}$/);
      expect(created.status).toBe("running");
      expect(created.pid).toBe(process.pid);
      expect(created.createdAt).toBeGreaterThanOrEqual(before);
      expect(created.heartbeatAt).toBe(created.createdAt);
      const run = await store.getRun(created.id);
      expect(run).toEqual(created);
      expect(run.experiment).toBe("spam");
      expect(run.tags).toEqual({ stage: "dev", team: "mail" });
      expect(run.specJson).toBe('{"model":{"family":"logreg"}}');
      expect(run.specHash).toBe("abc123");
      expect(run.specPatch).toEqual([{ op: "set", path: ["model", "C"], value: 2 }]);
      expect(run.params).toEqual({ lr: 0.1, layers: [64, 32] });
      expect(run.seeds).toEqual({ spec: 0, split: 17 });
      expect(run.dataInfo).toEqual({
        fingerprint: "f00d",
        splits: { dev: "d3v" },
        counts: { dev: 1200 },
        badRowCount: 0,
      });
      expect(run.timings).toEqual({});
      expect(run.endedAt).toBeNull();
      expect(run.error).toBeNull();
    });

    it("updates replace fields, and merge timings, params and extras key by key", async () => {
      const { id } = await store.createRun({ experiment: "e", params: { a: 1 }, extras: { keep: true } });
      await store.updateRun(id, { timings: { load: 12.5 }, notes: "n1", params: { b: 2 } });
      await store.updateRun(id, { timings: { train: 30 }, notes: "n2", extras: { diagnostics: { bias: 0.1 } } });
      const run = await store.getRun(id);
      expect(run.timings).toEqual({ load: 12.5, train: 30 });
      expect(run.params).toEqual({ a: 1, b: 2 });
      expect(run.extras).toEqual({ keep: true, diagnostics: { bias: 0.1 } });
      expect(run.notes).toBe("n2");
    });

    it("creates a run under an id the caller derived (a sweep trial's), once", async () => {
      const id = "0000019a0b0c0d0e0f10" as RunId;
      const created = await store.createRun({ id, experiment: "e", tags: { sweep: "s" } });
      expect(created.id).toBe(id);
      expect((await store.getRun(id)).tags).toEqual({ sweep: "s" });
      await expect(store.createRun({ id, experiment: "e" })).rejects.toThrow(id);
      expect(await store.listRuns({ experiment: "e" })).toHaveLength(1);
    });

    it("ends a run once, with its status, time and error", async () => {
      const { id } = await store.createRun({ experiment: "e" });
      await store.finishRun(id, "failed", "model.C must be > 0");
      const run = await store.getRun(id);
      expect(run.status).toBe("failed");
      expect(run.error).toBe("model.C must be > 0");
      expect(run.endedAt).toBeGreaterThanOrEqual(run.startedAt!);
      const again = await storeError(store.finishRun(id, "finished"));
      expect(again.message).toBe(`run ${id} has already ended (failed); a run's final status is set once`);
      const beat = await storeError(store.heartbeat(id));
      expect(beat.message).toBe(`run ${id} is failed: heartbeats are only for running runs of this process`);
    });

    it("finds runs by unique prefix, and says why an unknown or ambiguous prefix fails", async () => {
      const a = await store.createRun({ experiment: "e", name: "first" });
      const b = await store.createRun({ experiment: "e", name: "second" });
      // Ids are time-ordered, so two runs made together share a long prefix.
      let common = 0;
      while (a.id[common] === b.id[common]) common++;
      expect((await store.getRun(b.id.slice(0, common + 1))).id).toBe(b.id);
      expect((await store.getRun(a.id.slice(0, common + 1))).id).toBe(a.id);
      expect((await store.getRun(` ${b.id.toUpperCase()} `)).id).toBe(b.id);
      const prefix = a.id.slice(0, common);
      const ambiguous = await storeError(store.getRun(prefix));
      expect(ambiguous.message).toContain(
        `run id prefix "${prefix}" is ambiguous: 2 runs match; type more characters.`,
      );
      expect(ambiguous.message).toContain(`  ${a.id}  e  running  `);
      expect(ambiguous.message).toContain(`  ${b.id}  e  running  `);
      expect(ambiguous.message).toMatch(/ {2}first$/m);

      const unknownPrefix = "f".repeat(8);
      expect((await storeError(store.getRun(unknownPrefix))).message).toBe(
        `no run id starts with "ffffffff" in store ${store.location}`,
      );
      expect((await storeError(store.getRun("f".repeat(20)))).message).toBe(
        `no run with id "ffffffffffffffffffff" in store ${store.location}`,
      );
      expect((await storeError(store.getRun("run-12"))).message).toBe(
        'invalid run id "run-12": expected 1 to 20 hex characters (a run id or a unique prefix of one)',
      );
    });

    it("refuses writes to an unknown run and an unknown parent with the id in the message", async () => {
      const ghost = "0000000000000000beef" as RunId;
      expect((await storeError(store.logMetrics(ghost, [{ name: "f1", value: 1 }]))).message).toBe(
        `no run with id "${ghost}" in store ${store.location}`,
      );
      expect((await storeError(store.createRun({ experiment: "e", parentId: ghost }))).message).toBe(
        `parent run "${ghost}" not found in store ${store.location}`,
      );
      expect((await storeError(store.createRun({ experiment: "" }))).message).toBe(
        'experiment must be a non-empty string, got ""',
      );
    });

    it("lists runs newest first, by experiment, status and parent, with paging and tags", async () => {
      const parent = await store.createRun({ experiment: "spam", tags: { kind: "baseline" } });
      const child1 = await store.createRun({ experiment: "spam", parentId: parent.id });
      const other = await store.createRun({ experiment: "iris" });
      const child2 = await store.createRun({ experiment: "spam", parentId: parent.id, tags: { kind: "urls" } });
      await store.finishRun(child1.id, "finished");

      expect((await store.listRuns()).map((r) => r.id)).toEqual([child2.id, other.id, child1.id, parent.id]);
      expect((await store.listRuns({ experiment: "spam" })).map((r) => r.id)).toEqual([
        child2.id,
        child1.id,
        parent.id,
      ]);
      expect((await store.listRuns({ experiment: "spam", limit: 1, offset: 1 })).map((r) => r.id)).toEqual([child1.id]);
      expect((await store.listRuns({ status: "finished" })).map((r) => r.id)).toEqual([child1.id]);
      expect((await store.listRuns({ parentId: parent.id })).map((r) => r.id)).toEqual([child2.id, child1.id]);
      const listed = await store.listRuns({ experiment: "spam" });
      expect(listed.find((r) => r.id === parent.id)!.tags).toEqual({ kind: "baseline" });
      expect(listed.find((r) => r.id === child2.id)!.tags).toEqual({ kind: "urls" });
      expect(listed.find((r) => r.id === child1.id)!.tags).toEqual({});
      expect(listed[0]).not.toHaveProperty("specJson");
      expect((await storeError(store.listRuns({ status: "done" as never }))).message).toBe(
        'unknown run status "done": allowed are running, finished, failed, crashed',
      );
    });

    it("sets and deletes tags", async () => {
      const { id } = await store.createRun({ experiment: "e", tags: { a: "1" } });
      await store.setTag(id, "a", "2");
      await store.setTag(id, "b", "x");
      await store.deleteTag(id, "b");
      expect((await store.getRun(id)).tags).toEqual({ a: "2" });
    });

    it("round-trips metrics with splits, steps, NaN and infinities; a repeated step replaces", async () => {
      const { id } = await store.createRun({ experiment: "e" });
      await store.logMetrics(id, [
        { name: "loss", value: 0.9, split: "train", step: 1 },
        { name: "loss", value: 0.5, split: "train", step: 2 },
        { name: "loss", value: 0.7, split: "dev", step: 1 },
        { name: "f1", value: 0.93, split: "dev" },
        { name: "log_loss", value: Number.POSITIVE_INFINITY, split: "test" },
        { name: "auc", value: Number.NaN, split: "test" },
        { name: "wall_seconds", value: 4.5 },
      ]);
      await store.logMetrics(id, [{ name: "loss", value: 0.4, split: "train", step: 2 }]);
      const all = await store.getMetrics(id);
      expect(all.map((m) => [m.name, m.split, m.step, m.value])).toEqual([
        ["auc", "test", 0, Number.NaN],
        ["f1", "dev", 0, 0.93],
        ["log_loss", "test", 0, Number.POSITIVE_INFINITY],
        ["loss", "dev", 1, 0.7],
        ["loss", "train", 1, 0.9],
        ["loss", "train", 2, 0.4],
        ["wall_seconds", null, 0, 4.5],
      ]);
      expect((await store.getMetrics(id, { name: "loss", split: "train" })).map((m) => m.value)).toEqual([0.9, 0.4]);
      expect((await store.getMetrics(id, { split: null })).map((m) => m.name)).toEqual(["wall_seconds"]);
      const bad = await storeError(
        store.logMetrics(id, [
          { name: "f1", value: 1 },
          { name: "loss", value: 1, step: 1.5 },
        ]),
      );
      expect(bad.message).toBe('metric row 1 ("loss"): step must be an integer, got 1.5');
    });

    it("round-trips binary and multiclass predictions, by split, and replaces by (split, example)", async () => {
      const { id } = await store.createRun({ experiment: "e" });
      const rows: PredictionRow[] = [
        { exampleId: "spam-1/0001", split: "dev", label: "spam", score: 0.91, decision: "spam", correct: true },
        { exampleId: "easy-ham-1/0002", split: "dev", label: "ham", score: 0.62, decision: "spam", correct: false },
        { exampleId: "x3", split: "test", label: "b", scores: [0.1, 0.7, 0.2], decision: "b", correct: true },
        { exampleId: "x4", split: "test", label: null, scores: { a: 0.5, b: 0.25, c: 0.25 } },
      ];
      await store.logPredictions(id, rows);
      await store.logPredictions(id, [
        { exampleId: "easy-ham-1/0002", split: "dev", label: "ham", score: 0.12, decision: "ham", correct: true },
      ]);
      const dev = await store.getPredictions(id, "dev");
      expect(dev).toEqual([
        {
          exampleId: "easy-ham-1/0002",
          split: "dev",
          label: "ham",
          score: 0.12,
          scores: null,
          decision: "ham",
          correct: true,
        },
        {
          exampleId: "spam-1/0001",
          split: "dev",
          label: "spam",
          score: 0.91,
          scores: null,
          decision: "spam",
          correct: true,
        },
      ]);
      const all = await store.getPredictions(id);
      expect(all.map((p) => p.exampleId)).toEqual(["easy-ham-1/0002", "spam-1/0001", "x3", "x4"]);
      expect(all[2]!.scores).toEqual([0.1, 0.7, 0.2]);
      expect(all[3]).toEqual({
        exampleId: "x4",
        split: "test",
        label: null,
        score: null,
        scores: { a: 0.5, b: 0.25, c: 0.25 },
        decision: null,
        correct: null,
      });
      const bad = await storeError(
        store.logPredictions(id, [{ exampleId: "e9", split: "dev", label: "ham", score: Number.NaN }]),
      );
      expect(bad.message).toBe('prediction row 0 (example "e9"): score must be a finite number or null, got NaN');
      expect(await store.getPredictions(id, "train")).toEqual([]);
    });

    it("logs 12,000 predictions in one call (more than one transaction's worth) and reads them all", async () => {
      const { id } = await store.createRun({ experiment: "e" });
      const rows: PredictionRow[] = [];
      for (let i = 0; i < 12_000; i++) {
        rows.push({ exampleId: `ex${String(i).padStart(5, "0")}`, split: "dev", label: "a", score: i / 12_000 });
      }
      await store.logPredictions(id, rows);
      const back = await store.getPredictions(id, "dev");
      expect(back.length).toBe(12_000);
      expect(back[11_999]!.score).toBe(11_999 / 12_000);
    });

    it("stores artifacts by content, reads them back, and lists them", async () => {
      const { id } = await store.createRun({ experiment: "e" });
      const bytes = new Uint8Array([0, 1, 2, 255]);
      const model = await store.putArtifact(id, "model.bin", bytes);
      // sha256 of the bytes 00 01 02 ff, from `printf '\x00\x01\x02\xff' | sha256sum`
      expect(model.sha256).toBe("3d1f57c984978ef98a18378c8166c1cb8ede02c03eeb6aee7e2f121dfeee3e56");
      expect(model).toMatchObject({ name: "model.bin", size: 4, mediaType: "application/octet-stream" });
      await store.putArtifact(id, "plots/roc.svg", "<svg/>", "image/svg+xml");
      const text = await store.putArtifact(id, "notes.txt", "héllo");
      // `printf 'héllo' | sha256sum` (UTF-8)
      expect(text).toMatchObject({
        size: 6,
        mediaType: "text/plain; charset=utf-8",
        sha256: "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179",
      });
      // Same content under another name (or run) is stored once and shares the hash.
      expect((await store.putArtifact(id, "copy.txt", "héllo")).sha256).toBe(text.sha256);
      const back = await store.getArtifact(id, "model.bin");
      expect(Array.from(back.bytes)).toEqual([0, 1, 2, 255]);
      expect(back.record).toEqual(model);
      expect(new TextDecoder().decode((await store.getArtifact(id, "plots/roc.svg")).bytes)).toBe("<svg/>");
      expect((await store.listArtifacts(id)).map((a) => a.name)).toEqual([
        "copy.txt",
        "model.bin",
        "notes.txt",
        "plots/roc.svg",
      ]);
      const missing = await storeError(store.getArtifact(id, "model.json"));
      expect(missing.message).toBe(
        `run ${id} has no artifact "model.json" (it has: copy.txt, model.bin, notes.txt, plots/roc.svg)`,
      );
    });

    it("refuses artifact names that could escape the store", async () => {
      const { id } = await store.createRun({ experiment: "e" });
      const cases: Array<[string, string]> = [
        ["../../etc/passwd", 'it contains a ".." segment'],
        ["plots/../../x", 'it contains a ".." segment'],
        ["/etc/passwd", "it is an absolute path"],
        ["..\\windows", "it contains a backslash"],
        ["C:/x", "it starts with a drive letter"],
        ["a//b", "it contains an empty segment"],
        ["./a", 'it contains a "." segment'],
        ["", "it is empty"],
        ["a\nb", "it contains a control character"],
      ];
      for (const [name, why] of cases) {
        const error = await storeError(store.putArtifact(id, name, "x"));
        expect(error.message).toBe(
          `artifact name ${JSON.stringify(name)} is not allowed: ${why}; use a relative path of plain segments, e.g. "model.json" or "plots/roc.svg"`,
        );
      }
      const read = await storeError(store.getArtifact(id, "../mlloop.db"));
      expect(read.message).toContain('artifact name "../mlloop.db" is not allowed');
      expect(await store.listArtifacts(id)).toEqual([]);
    });

    it("marks a running run crashed on read when its heartbeat is stale, and its owner's heartbeat revives it", async () => {
      const quick = await factory.create({ staleAfterMs: 1_000 });
      try {
        const { id } = await quick.createRun({ experiment: "e" });
        const alive = await quick.createRun({ experiment: "e" });
        expect((await quick.getRun(id)).status).toBe("running");
        await new Promise((r) => setTimeout(r, 1_300));
        await quick.heartbeat(alive.id);
        const listed = await quick.listRuns();
        expect(listed.map((r) => [r.id, r.status])).toEqual([
          [alive.id, "running"],
          [id, "crashed"],
        ]);
        const crashed = await quick.getRun(id);
        expect(crashed.status).toBe("crashed");
        expect(crashed.error).toMatch(/^no heartbeat for \d+ s \(last .*Z, pid \d+ on .+\)$/);
        expect(crashed.endedAt).toBe(crashed.heartbeatAt);
        // The mark is persisted: another handle on the same store sees it without judging again.
        expect((await store.listRuns({ status: "crashed" })).map((r) => r.id)).toEqual([id]);
        // This process owns the run, so its heartbeat proves it alive and revives it.
        await quick.heartbeat(id);
        const revived = await quick.getRun(id);
        expect([revived.status, revived.endedAt, revived.error]).toEqual(["running", null, null]);
        await quick.finishRun(id, "finished");
        expect((await store.getRun(id)).status).toBe("finished");
      } finally {
        await quick.close();
      }
    });

    it("beats several running runs from the background at once; a stopped run's beats end, the others' go on", async () => {
      const a = await store.createRun({ experiment: "e" });
      const b = await store.createRun({ experiment: "e" });
      const beatA = await store.startHeartbeat(a.id, { intervalMs: 50 });
      const beatB = await store.startHeartbeat(b.id, { intervalMs: 50 });
      const at = async (id: string): Promise<number> => (await store.getRun(id as never)).heartbeatAt!;
      await new Promise((r) => setTimeout(r, 400));
      expect(await at(a.id)).toBeGreaterThan(a.heartbeatAt!);
      expect(await at(b.id)).toBeGreaterThan(b.heartbeatAt!);
      await beatA.stop();
      const stoppedA = await at(a.id);
      const beforeB = await at(b.id);
      await new Promise((r) => setTimeout(r, 400));
      expect(await at(a.id)).toBe(stoppedA);
      expect(await at(b.id)).toBeGreaterThan(beforeB);
      await beatB.stop();
      await store.finishRun(a.id, "finished");
      await store.finishRun(b.id, "finished");
    });

    // ── Model registry (issue #14): names, versions, aliases, promotion history ──────────────────
    describe("model registry", () => {
      const metrics = { dev: { f1: 0.91, accuracy: 0.95 }, test: { f1: 0.9 } };

      it("promotes: registers a version once per run, moves the alias, and records who, when and the metrics", async () => {
        const a = await store.createRun({ experiment: "spam" });
        const b = await store.createRun({ experiment: "spam" });
        const before = Date.now();
        const first = await store.promoteModel({
          name: "spam-filter",
          alias: "production",
          runId: a.id,
          promotedBy: "alice@laptop",
          metrics,
          note: "first model",
        });
        expect(first).toMatchObject({
          name: "spam-filter",
          alias: "production",
          version: 1,
          runId: a.id,
          newVersion: true,
          previousVersion: null,
          previousRunId: null,
          promotedBy: "alice@laptop",
          metrics,
          note: "first model",
        });
        expect(first.promotedAt).toBeGreaterThanOrEqual(before);
        const second = await store.promoteModel({
          name: "spam-filter",
          alias: "production",
          runId: b.id,
          promotedBy: "bob",
          metrics: { dev: { f1: 0.93 } },
        });
        expect(second).toMatchObject({
          version: 2,
          runId: b.id,
          newVersion: true,
          previousVersion: 1,
          previousRunId: a.id,
        });
        expect(second.note).toBeNull();
        expect(second.seq).toBeGreaterThan(first.seq);
        // the same run again under another alias: the same version, no new one
        const staging = await store.promoteModel({
          name: "spam-filter",
          alias: "staging",
          runId: a.id,
          promotedBy: "carol",
          metrics,
        });
        expect(staging).toMatchObject({ version: 1, newVersion: false, previousVersion: null });

        expect(await store.getModelAlias("spam-filter", "production")).toMatchObject({
          name: "spam-filter",
          alias: "production",
          version: 2,
          runId: b.id,
          updatedBy: "bob",
        });
        expect(await store.getModelAlias("spam-filter", "canary")).toBeNull();
        expect(await store.getModelAlias("other", "production")).toBeNull();
        expect(await store.getModelVersion("spam-filter", 1)).toMatchObject({
          version: 1,
          runId: a.id,
          createdBy: "alice@laptop",
        });
        expect(await store.getModelVersion("spam-filter", 3)).toBeNull();
        expect((await store.listModelVersions("spam-filter")).map((v) => [v.version, v.runId])).toEqual([
          [1, a.id],
          [2, b.id],
        ]);
        expect(await store.listModelVersions("nothing")).toEqual([]);
        const history = await store.modelHistory("spam-filter");
        expect(history.map((h) => [h.alias, h.version, h.previousVersion, h.promotedBy])).toEqual([
          ["production", 1, null, "alice@laptop"],
          ["production", 2, 1, "bob"],
          ["staging", 1, null, "carol"],
        ]);
        expect(history[0]).toEqual(first);
        expect(await store.modelHistory("nothing")).toEqual([]);

        await store.promoteModel({ name: "a-model", alias: "prod", runId: b.id, promotedBy: "x", metrics: {} });
        const models = await store.listModels();
        expect(
          models.map((m) => [m.name, m.versions, m.latest.version, m.aliases.map((x) => `${x.alias}→${x.version}`)]),
        ).toEqual([
          ["a-model", 1, 1, ["prod→1"]],
          ["spam-filter", 2, 2, ["production→2", "staging→1"]],
        ]);
        // another handle on the same store sees it all
        const other = await factory.create();
        try {
          expect((await other.getModelAlias("spam-filter", "production"))?.version).toBe(2);
        } finally {
          await other.close();
        }
      });

      it("refuses an unknown run and bad names or aliases, and changes nothing", async () => {
        const a = await store.createRun({ experiment: "spam" });
        const missing = "0123456789abcdef0123";
        expect(
          (
            await storeError(
              store.promoteModel({ name: "m", alias: "prod", runId: missing as RunId, promotedBy: "x", metrics: {} }),
            )
          ).message,
        ).toContain(missing);
        for (const [name, alias] of [
          ["", "prod"],
          ["has space", "prod"],
          ["-leading-dash", "prod"],
          ["m", "3"],
          ["m", "a@b"],
          ["x".repeat(65), "prod"],
        ] as const) {
          const err = await storeError(store.promoteModel({ name, alias, runId: a.id, promotedBy: "x", metrics: {} }));
          expect(err.message).toMatch(/^model (name|alias) .* is not allowed \(1–64 letters/);
        }
        await storeError(store.promoteModel({ name: "m", alias: "prod", runId: a.id, promotedBy: "", metrics: {} }));
        expect(await store.listModels()).toEqual([]);
        expect(await store.modelHistory("m")).toEqual([]);
      });

      it("moves an alias atomically under concurrent promotes from two handles", async () => {
        const runs = await Promise.all(Array.from({ length: 6 }, () => store.createRun({ experiment: "spam" })));
        const other = await factory.create();
        try {
          await Promise.all(
            runs.map((r, i) =>
              (i % 2 === 0 ? store : other).promoteModel({
                name: "race",
                alias: "production",
                runId: r.id,
                promotedBy: `p${i}`,
                metrics: {},
              }),
            ),
          );
        } finally {
          await other.close();
        }
        const history = await store.modelHistory("race");
        expect(history).toHaveLength(6);
        // versions 1..6 without gaps or duplicates, each event's previous = the one before it
        expect(history.map((h) => h.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
        history.forEach((h, k) => expect(h.previousVersion).toBe(k === 0 ? null : history[k - 1]!.version));
        expect((await store.getModelAlias("race", "production"))?.version).toBe(history[5]!.version);
      });
    });

    it("says a closed store is closed", async () => {
      await store.close();
      expect((await storeError(store.listRuns())).message).toBe(`store ${store.location} is closed`);
    });
  });
}
