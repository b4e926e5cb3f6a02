/**
 * `mlloop model promote|list|history` through the built CLI, and the alias race: two processes
 * promoting different runs to the same alias at the same moment, several rounds. Every promotion
 * must be recorded, the history must chain (each event's previous version is the one before it),
 * and the alias must end where the last event put it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { loadPipeline } from "../../src/predict/pipeline.js";
import { parseSpec } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { ModelPromotion, RegisteredModel, Store } from "../../src/track/store.js";
import { collect, json, runCli, startCli, tempDir } from "../cli/cli-helpers.js";

const dir = tempDir("mlloop-registry-");
const dbPath = join(dir, "mlloop.db");
let store: Store;
const runIds: string[] = [];

beforeAll(async () => {
  const lines = ["id,label,text"];
  for (let i = 0; i < 120; i++)
    lines.push(`r${i},${i % 3 === 0 ? "yes" : "no"},${i % 3 === 0 ? "win cash" : "meeting notes"} w${i % 7}`);
  writeFileSync(join(dir, "data.csv"), lines.join("\n") + "\n");
  store = await openStore(dbPath);
  for (const C of [0.5, 2]) {
    const spec = parseSpec({
      experiment: "registry",
      seed: 0,
      data: {
        source: "csv",
        path: "data.csv",
        columns: { id: "id", label: "label", text: ["text"] },
        split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2 },
      },
      features: { words: { fields: ["text"] } },
      model: { family: "logistic_regression", C },
      evaluate: { positive_class: "yes" },
    });
    runIds.push((await runExperiment({ spec, baseDir: dir, store, cache: false })).runId);
  }
});

afterAll(async () => {
  await store.close();
});

describe("mlloop model", () => {
  it("promote records who, when and the run's dev/test metrics at that moment; list and history show it", async () => {
    const before = Date.now();
    const r = await runCli(
      [
        "--store",
        dbPath,
        "model",
        "promote",
        runIds[0]!.slice(0, 12),
        "--as",
        "clf@production",
        "--note",
        "first",
        "--json",
      ],
      { env: { MLLOOP_USER: "alice" } },
    );
    expect(r.code, r.stderr).toBe(0);
    const p = json<ModelPromotion>(r);
    expect(p).toMatchObject({
      name: "clf",
      alias: "production",
      version: 1,
      runId: runIds[0],
      promotedBy: "alice",
      note: "first",
    });
    expect(p.promotedAt).toBeGreaterThanOrEqual(before);
    const metrics = await store.getMetrics(runIds[0] as never);
    const f1 = (split: string): number => metrics.find((m) => m.split === split && m.name === "f1")!.value;
    expect(p.metrics["dev"]!["f1"]).toBe(f1("dev"));
    expect(p.metrics["test"]!["f1"]).toBe(f1("test"));
    expect(p.metrics["train"]).toBeUndefined();

    const text = await runCli([
      "--store",
      dbPath,
      "model",
      "promote",
      runIds[1]!,
      "--as",
      "clf@production",
      "--by",
      "bob",
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("clf@production → version 2 (new)");
    expect(text.stdout).toContain(`moved from version 1 (run ${runIds[0]})`);

    const list = await runCli(["--store", dbPath, "model", "list", "--json"]);
    const models = json<RegisteredModel[]>(list);
    expect(models.map((m) => [m.name, m.versions, m.aliases.map((a) => [a.alias, a.version, a.runId])])).toEqual([
      ["clf", 2, [["production", 2, runIds[1]]]],
    ]);
    const history = await runCli(["--store", dbPath, "model", "history", "clf"]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/production .* v1 \(new\)/);
    expect(history.stdout).toMatch(/bob/);

    // what predict uses: the alias now names run 2, and NAME/VERSION still names run 1
    expect((await loadPipeline(store, "clf@production")).runId).toBe(runIds[1]);
    expect((await loadPipeline(store, "clf/1")).runId).toBe(runIds[0]);
  });

  it("refuses to promote a run that cannot predict, and an unknown model's history, with one clear line", async () => {
    const bare = await store.createRun({ experiment: "registry" });
    await store.finishRun(bare.id, "finished");
    const r = await runCli(["--store", dbPath, "model", "promote", bare.id, "--as", "clf@staging"]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot be used to predict: it has no spec/);
    expect(await store.getModelAlias("clf", "staging")).toBeNull();
    const h = await runCli(["--store", dbPath, "model", "history", "nope"]);
    expect(h.code).toBe(64);
    expect(h.stderr).toContain('no model named "nope" (registered: clf)');
  });

  it("moves an alias atomically under two concurrent promotes in separate processes", async () => {
    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.all(
        runIds.map((id, k) =>
          collect(
            startCli(["--store", dbPath, "model", "promote", id, "--as", "race@production", "--by", `p${k}`, "--json"]),
          ),
        ),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);
    }
    const history = await store.modelHistory("race");
    expect(history).toHaveLength(rounds * 2);
    // the two runs got versions 1 and 2 once each, whatever the interleaving
    expect(
      history
        .filter((h) => h.newVersion)
        .map((h) => h.version)
        .sort(),
    ).toEqual([1, 2]);
    expect((await store.listModelVersions("race")).map((v) => v.version)).toEqual([1, 2]);
    history.forEach((h, k) => expect(h.previousVersion).toBe(k === 0 ? null : history[k - 1]!.version));
    const alias = await store.getModelAlias("race", "production");
    expect(alias?.version).toBe(history[history.length - 1]!.version);
    expect(alias?.runId).toBe(history[history.length - 1]!.runId);
  });
});
